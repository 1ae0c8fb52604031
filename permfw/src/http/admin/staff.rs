//! The caller of a staff page: an active staff member of a live session, or nobody.

use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::{AdminError, Member};
use crate::store::Store;
use crate::{HasPerms, PermissionSet};

/// The caller of a staff page (users, groups, the audit log): an active staff user of a live
/// session (with its CSRF token), or nobody. A logged-in user who is not active staff is refused
/// at the door, before anything of the page is read; such a user has only the pages that take a
/// [`Member`]. The admin's router resolves it once, before the handler runs.
#[derive(Clone, Debug)]
pub struct Staff(Member);

impl Deref for Staff {
    type Target = Member;

    /// A staff member is a member: the same frame, actor and CSRF check.
    fn deref(&self) -> &Member {
        &self.0
    }
}

impl HasPerms for Staff {
    fn is_active(&self) -> bool {
        self.0.caller().is_active()
    }

    fn is_superuser(&self) -> bool {
        self.0.caller().is_superuser()
    }

    fn permission_set(&self) -> &PermissionSet {
        self.0.caller().permission_set()
    }

    fn is_authenticated(&self) -> bool {
        self.0.caller().is_authenticated()
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
        match Member::session(parts, &Store::from_ref(state)).await? {
            (Some(session), nobody) if session.user.is_active() && session.user.is_staff() => {
                Ok(Staff(Member::of(session, nobody)))
            }
            (Some(_), _) => {
                Err(AdminError::Page(StatusCode::FORBIDDEN, "The admin is for active staff accounts.".into()))
            }
            (None, nobody) => Ok(Staff(nobody)),
        }
    }
}
