//! The caller of an admin page: an active staff member of a live session, or nobody.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::super::CurrentUser;
use super::super::HttpOptions;
use super::super::route::mount_point;
use super::super::user::constant_time_eq;
use super::AdminError;
use super::flash::Flash;
use super::pages::Frame;
use crate::store::{Actor, Store};
use crate::{HasPerms, PermissionSet};

/// The caller of an admin page: an active staff user of a live session (with its CSRF token),
/// or nobody. A logged-in user who is not active staff is refused at the door. The admin's
/// router resolves it once, before the handler runs.
#[derive(Clone, Debug)]
pub struct Staff {
    caller: CurrentUser,
    /// The session's CSRF token, which every form carries (empty for nobody).
    csrf: String,
    /// Where the admin is mounted.
    base: String,
    /// The message the previous action left for this page, if any.
    flash: Option<Flash>,
}

impl Staff {
    /// What every page shows of the caller: the mount point, the username, the CSRF token, and
    /// the last action's message.
    pub(super) fn frame(&self) -> Frame {
        Frame {
            base: self.base.clone(),
            me: self.caller.user().map(|user| user.username().to_owned()),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
        }
    }

    /// Where the admin is mounted.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// The acting user of a change (the router lets nobody else get this far).
    pub(super) fn actor(&self) -> Result<Actor, AdminError> {
        self.caller.user().map(Actor::user).ok_or(AdminError::LogIn)
    }

    /// A form's CSRF token must be the session's.
    pub(super) fn check_csrf(&self, sent: &str) -> Result<(), AdminError> {
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AdminError::Page(
                StatusCode::FORBIDDEN,
                "The form's CSRF token is missing or wrong; reload the page and try again.".into(),
            ))
        }
    }
}

impl HasPerms for Staff {
    fn is_active(&self) -> bool {
        self.caller.is_active()
    }

    fn is_superuser(&self) -> bool {
        self.caller.is_superuser()
    }

    fn permission_set(&self) -> &PermissionSet {
        self.caller.permission_set()
    }

    fn is_authenticated(&self) -> bool {
        self.caller.is_authenticated()
    }
}

impl<S> FromRequestParts<S> for Staff
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let base = mount_point(parts.extensions.get());
        let options = HttpOptions::of(&parts.extensions);
        let flash = Flash::read(&parts.headers, options);
        let nobody =
            Staff { caller: CurrentUser::Anonymous, csrf: String::new(), base: base.clone(), flash: flash.clone() };
        let Some(key) = options.cookie().key(&parts.headers) else { return Ok(nobody) };
        match Store::from_ref(state).session_user(key).await? {
            Some(session) if session.user.is_active() && session.user.is_staff() => {
                Ok(Staff { caller: CurrentUser::User(Box::new(session.user)), csrf: session.csrf_token, base, flash })
            }
            Some(_) => Err(AdminError::Page(StatusCode::FORBIDDEN, "The admin is for active staff accounts.".into())),
            None => Ok(nobody),
        }
    }
}
