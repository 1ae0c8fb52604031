//! Who is calling: a user from an API token or a session cookie, or the anonymous user.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::{ApiError, HttpOptions};
use crate::store::Store;
use crate::{AnonymousUser, HasPerms, PermissionSet, User};

/// The header that carries the CSRF token on state-changing requests of a session.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Compares without stopping at the first difference, so timing tells nothing of the secret.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The caller: a fresh snapshot of the user an API token (`Authorization: Bearer ...`) or a
/// session cookie names, or the anonymous user. It implements [`HasPerms`], so it is the user
/// argument of `#[permission_required]` on handlers. A token or session that is unknown,
/// revoked or expired is refused with 401 rather than treated as anonymous.
///
/// A request's caller is looked up once: permfw's routers (the API's and the admin's) resolve it
/// before the handler runs, to check the route's [`Access`](super::Access), and leave it in the
/// request's extensions, where this extractor takes it from. A layer of the application's own
/// may do the same.
#[derive(Clone, Debug)]
pub enum CurrentUser {
    /// A logged-in user.
    User(Box<User>),
    /// Nobody logged in.
    Anonymous,
}

impl CurrentUser {
    /// The user, if logged in.
    #[must_use]
    pub fn user(&self) -> Option<&User> {
        match self {
            CurrentUser::User(user) => Some(user),
            CurrentUser::Anonymous => None,
        }
    }
}

impl HasPerms for CurrentUser {
    fn is_active(&self) -> bool {
        self.user().is_some_and(User::is_active)
    }

    fn is_superuser(&self) -> bool {
        self.user().is_some_and(User::is_superuser)
    }

    fn permission_set(&self) -> &PermissionSet {
        match self {
            CurrentUser::User(user) => user.permission_set(),
            CurrentUser::Anonymous => AnonymousUser.permission_set(),
        }
    }

    fn is_authenticated(&self) -> bool {
        self.user().is_some()
    }
}

/// Left in a request's extensions when its caller came with an API token: the token's expiry,
/// which a token it mints may not outlive.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenCaller {
    pub(crate) expires_at: Option<i64>,
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<CurrentUser>() {
            return Ok(caller.clone());
        }
        let store = Store::from_ref(state);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
            return match store.token_user(token.trim()).await? {
                Some(found) if found.user.is_active() => {
                    parts.extensions.insert(TokenCaller { expires_at: found.expires_at });
                    Ok(CurrentUser::User(Box::new(found.user)))
                }
                _ => Err(ApiError::unauthorized("the token is unknown, revoked or expired; create a new one")),
            };
        }
        if let Some(key) = HttpOptions::of(&parts.extensions).cookie().key(&parts.headers) {
            let (user, csrf) = match store.session_user(key).await? {
                Some(session) if session.user.is_active() => (session.user, session.csrf_token),
                _ => return Err(ApiError::unauthorized("the session has ended or expired; log in again")),
            };
            // A browser sends the cookie on its own; a state-changing request must also prove
            // it comes from our pages, with the session's CSRF token. Tokens need no such proof.
            if !parts.method.is_safe() {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
                if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
                    return Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "csrf",
                        format!("the `{CSRF_HEADER}` header is missing or wrong; send the csrf_token given at login"),
                    ));
                }
            }
            return Ok(CurrentUser::User(Box::new(user)));
        }
        Ok(CurrentUser::Anonymous)
    }
}
