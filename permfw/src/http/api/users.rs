//! Users: list, show, create, change flags, grant and revoke.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path, Query};
use super::super::{ApiError, CurrentUser};
use super::{Changed, actor};
use crate::User;
use crate::permission_required;
use crate::store::UserDetail;
use crate::store::{Store, UserPage, UserRecord};

/// The most users a page holds, whatever `limit` asks (the store's bound).
const MAX_PAGE: u32 = 1000;

/// `GET /users?q=&after=&limit=`.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

/// A page of users, and the `after` of the next page while there may be one.
#[derive(Debug, Serialize)]
pub(super) struct UserList {
    users: Vec<UserRecord>,
    next: Option<String>,
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn list(
    user: CurrentUser,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Json<UserList>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let mut page = UserPage::first().limit(limit);
    if let Some(q) = query.q {
        page = page.search(q);
    }
    if let Some(after) = query.after {
        page = page.after(after);
    }
    let users = store.list_users(page).await?;
    let full = users.len() == usize::try_from(limit).unwrap_or(usize::MAX);
    let next = users.last().filter(|_| full).map(|u| u.username.clone());
    Ok(Json(UserList { users, next }))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn show(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
) -> Result<Json<UserDetail>, ApiError> {
    Ok(Json(store.user_detail(&username).await?))
}

/// `POST /users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewUser {
    username: String,
    #[serde(default)]
    email: String,
}

#[permission_required(User::ADD_USER)]
pub(super) async fn create(
    user: CurrentUser,
    State(store): State<Store>,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<UserDetail>), ApiError> {
    store.create_user(&actor(&user)?, &new.username, &new.email, None).await?;
    Ok((StatusCode::CREATED, Json(store.user_detail(&new.username).await?)))
}

/// `PATCH /users/{username}`: the flags to change; those left out stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Flags {
    is_active: Option<bool>,
    is_staff: Option<bool>,
    is_superuser: Option<bool>,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn change(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(flags): Json<Flags>,
) -> Result<Json<UserDetail>, ApiError> {
    let actor = actor(&user)?;
    if let Some(active) = flags.is_active {
        store.set_active(&actor, &username, active).await?;
    }
    if let Some(staff) = flags.is_staff {
        store.set_staff(&actor, &username, staff).await?;
    }
    if let Some(superuser) = flags.is_superuser {
        store.set_superuser(&actor, &username, superuser).await?;
    }
    Ok(Json(store.user_detail(&username).await?))
}

/// The body of a grant or a revoke: `{"permissions": ["app_label.codename", ...]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Permissions {
    pub(super) permissions: Vec<String>,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn grant(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(body): Json<Permissions>,
) -> Result<Json<Changed<usize>>, ApiError> {
    let changed = store.grant_user(&actor(&user)?, &username, body.permissions).await?;
    Ok(Json(Changed { changed }))
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn revoke(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(body): Json<Permissions>,
) -> Result<Json<Changed<usize>>, ApiError> {
    let changed = store.revoke_user(&actor(&user)?, &username, body.permissions).await?;
    Ok(Json(Changed { changed }))
}
