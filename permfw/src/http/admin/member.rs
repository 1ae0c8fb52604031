//! The caller of an admin page: any active user of a live session, or nobody. Staff pages take
//! [`Staff`](super::Staff) instead; a user's own pages (asking for access, its requests, the
//! approvals it may give) take a [`Member`].

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
use crate::store::{Actor, SessionUser, Store};
use crate::{HasPerms, User};

/// The caller of an admin page open to every active user: an active user of a live session
/// (staff or not, with its CSRF token), or nobody. An inactive user is refused at the door. The
/// admin's router resolves it once, before the handler runs.
#[derive(Clone, Debug)]
pub struct Member {
    caller: CurrentUser,
    /// The session's CSRF token, which every form carries (empty for nobody).
    csrf: String,
    /// Where the admin is mounted.
    base: String,
    /// The message the previous action left for this page, if any.
    flash: Option<Flash>,
}

impl Member {
    /// What every page shows of the caller: the mount point, the username, the CSRF token,
    /// whether to link the staff pages, and the last action's message.
    pub(super) fn frame(&self) -> Frame {
        let user = self.caller.user();
        Frame {
            base: self.base.clone(),
            me: user.map(|user| user.username().to_owned()),
            csrf: self.csrf.clone(),
            staff: user.is_some_and(User::is_staff),
            flash: self.flash.clone(),
        }
    }

    /// Where the admin is mounted.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// The caller, who holds the permissions (the anonymous user for nobody).
    pub(super) fn caller(&self) -> &CurrentUser {
        &self.caller
    }

    /// The logged-in user (the router lets nobody else get this far).
    pub(super) fn user(&self) -> Result<&User, AdminError> {
        self.caller.user().ok_or(AdminError::LogIn)
    }

    /// The acting user of a change.
    pub(super) fn actor(&self) -> Result<Actor, AdminError> {
        self.user().map(Actor::user)
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

    /// The session a request's cookie names, whoever its user, with the mount point and the
    /// flash message; nobody without a live session.
    pub(super) async fn session(parts: &Parts, store: &Store) -> Result<(Option<SessionUser>, Self), AdminError> {
        let base = mount_point(parts.extensions.get());
        let options = HttpOptions::of(&parts.extensions);
        let flash = Flash::read(&parts.headers, options);
        let nobody = Member { caller: CurrentUser::Anonymous, csrf: String::new(), base, flash };
        let Some(key) = options.cookie().key(&parts.headers) else { return Ok((None, nobody)) };
        Ok((store.session_user(key).await?, nobody))
    }

    /// `nobody` as the caller of this session.
    pub(super) fn of(session: SessionUser, nobody: Self) -> Self {
        Member { caller: CurrentUser::User(Box::new(session.user)), csrf: session.csrf_token, ..nobody }
    }
}

impl<S> FromRequestParts<S> for Member
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(member) = parts.extensions.get::<Member>() {
            return Ok(member.clone());
        }
        match Member::session(parts, &Store::from_ref(state)).await? {
            (Some(session), nobody) if session.user.is_active() => Ok(Member::of(session, nobody)),
            (Some(_), _) => Err(AdminError::Page(StatusCode::FORBIDDEN, "The admin is for active accounts.".into())),
            (None, nobody) => Ok(nobody),
        }
    }
}
