//! API tokens: created (shown once), revoked. Another user's tokens need `auth.change_user`,
//! checked before the target is looked up, so that a caller without it learns nothing of the
//! target; the store then applies the rule of taking control of an account.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path};
use super::super::{ApiError, CurrentUser};
use super::actor;
use crate::store::{NewToken, Store};
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

/// Whether `username` names the caller.
fn is_caller(user: &CurrentUser, username: &str) -> bool {
    user.user().is_some_and(|me| me.username() == username)
}

/// `POST /tokens`: a token for the caller, or for `username` under the rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenRequest {
    name: String,
    username: Option<String>,
    /// When it expires, in microseconds since the Unix epoch.
    expires_at: Option<i64>,
}

/// A new token, shown once.
#[derive(Debug, Serialize)]
pub(super) struct CreatedToken {
    #[serde(flatten)]
    token: NewToken,
    username: String,
    note: &'static str,
}

pub(super) async fn create(
    user: CurrentUser,
    State(store): State<Store>,
    Json(request): Json<TokenRequest>,
) -> Result<Json<CreatedToken>, ApiError> {
    let actor = actor(&user)?;
    let owner = match request.username {
        Some(username) if !is_caller(&user, &username) => {
            may_reach_others(&user)?;
            username
        }
        _ => user.user().map(|u| u.username().to_owned()).unwrap_or_default(),
    };
    let token = store.create_token(&actor, &owner, &request.name, request.expires_at).await?;
    Ok(Json(CreatedToken { token, username: owner, note: "shown once: store it now" }))
}

pub(super) async fn revoke(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(&user)?;
    if !user.has_perm(User::CHANGE_USER) {
        // Only one's own tokens, and any other id (another's, or none) gets the same answer.
        let me = user.user().map(User::username).unwrap_or_default();
        if !store.list_tokens(&actor, me).await?.iter().any(|token| token.id == id) {
            may_reach_others(&user)?;
        }
    }
    store.revoke_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
