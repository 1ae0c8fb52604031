//! API tokens: created (shown once), listed, revoked. Another user's tokens need
//! `auth.change_user`, checked before the target is looked up, so that a caller without it
//! learns nothing of the target; the store then applies the rule of taking control of an
//! account. A token may not mint a token that outlives it.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path};
use super::super::user::TokenCaller;
use super::super::{ApiError, CurrentUser};
use super::actor;
use crate::store::time::{deserialize_opt, rfc3339, serialize_opt};
use crate::store::{NewToken, Store, TokenRecord, now_micros};
use crate::{HasPerms, PermissionDenied, User};

/// Another user's credentials need `auth.change_user`: without it the caller is refused here,
/// before anything is looked up, with one answer whatever the target (a user, the superuser,
/// nobody).
fn may_reach_others(user: &CurrentUser) -> Result<(), ApiError> {
    if user.has_perm(User::CHANGE_USER) {
        Ok(())
    } else {
        Err(PermissionDenied::forbidden([User::CHANGE_USER.as_str()]).into())
    }
}

/// The caller's username (the router lets no anonymous caller this far).
fn caller(user: &CurrentUser) -> &str {
    user.user().map(User::username).unwrap_or_default()
}

/// `POST /tokens`: a token for the caller, or for `username` under the rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenRequest {
    name: String,
    username: Option<String>,
    /// When it expires, as RFC 3339 (`2026-12-01T00:00:00Z`); never, if left out (but see
    /// [`lifetime`]).
    #[serde(default, deserialize_with = "deserialize_opt")]
    expires_at: Option<i64>,
}

/// A new token, shown once.
#[derive(Debug, Serialize)]
pub(super) struct CreatedToken {
    #[serde(flatten)]
    token: NewToken,
    username: String,
    #[serde(serialize_with = "serialize_opt")]
    expires_at: Option<i64>,
    note: &'static str,
}

/// When a new token expires. A token minted by a token lives no longer than it: left out,
/// `expires_at` is the calling token's own expiry; later than it, a 400 that says the latest
/// allowed. A time in the past is a 400 too.
fn lifetime(asked: Option<i64>, calling: Option<TokenCaller>) -> Result<Option<i64>, ApiError> {
    if asked.is_some_and(|at| at <= now_micros()) {
        return Err(ApiError::bad_request("expires_at: that time has passed; give a time in the future"));
    }
    match (asked, calling.and_then(|token| token.expires_at)) {
        (None, Some(limit)) => Ok(Some(limit)),
        (Some(at), Some(limit)) if at > limit => Err(ApiError::bad_request(format!(
            "expires_at: a token may not outlive the token that creates it, which expires at {}; \
             give that time or an earlier one, or leave `expires_at` out to take it",
            rfc3339(limit)
        ))),
        (asked, _) => Ok(asked),
    }
}

pub(super) async fn create(
    user: CurrentUser,
    State(store): State<Store>,
    calling: Option<Extension<TokenCaller>>,
    Json(request): Json<TokenRequest>,
) -> Result<Json<CreatedToken>, ApiError> {
    let actor = actor(&user)?;
    let owner = match request.username {
        Some(username) if username != caller(&user) => {
            may_reach_others(&user)?;
            username
        }
        _ => caller(&user).to_owned(),
    };
    let expires_at = lifetime(request.expires_at, calling.map(|Extension(token)| token))?;
    let token = store.create_token(&actor, &owner, &request.name, expires_at).await?;
    Ok(Json(CreatedToken { token, username: owner, expires_at, note: "shown once: store it now" }))
}

/// `GET /users/{username}/tokens`: its tokens, newest first, live or not, never their secrets.
pub(super) async fn list(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
) -> Result<Json<Vec<TokenRecord>>, ApiError> {
    if username != caller(&user) {
        may_reach_others(&user)?;
    }
    Ok(Json(store.list_tokens(&actor(&user)?, &username).await?))
}

pub(super) async fn revoke(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(&user)?;
    if !user.has_perm(User::CHANGE_USER) {
        // Only one's own tokens, and any other id (another's, or none) gets the same answer.
        if !store.list_tokens(&actor, caller(&user)).await?.iter().any(|token| token.id == id) {
            may_reach_others(&user)?;
        }
    }
    store.revoke_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
