//! Users: list, show, create, change (email and flags, in one transaction), grant and revoke.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path, Query};
use super::super::{ApiError, CurrentUser};
use super::{Changed, actor};
use crate::User;
use crate::permission_required;
use crate::store::{Store, UserDetail, UserPage, UserRecord, UserUpdate};

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

/// `PATCH /users/{username}`: the email and flags to change; those left out stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Change {
    email: Option<String>,
    is_active: Option<bool>,
    is_staff: Option<bool>,
    is_superuser: Option<bool>,
}

impl Change {
    /// The store's one-transaction change: a refusal of any part writes nothing.
    fn update(self) -> UserUpdate {
        let mut update = UserUpdate::new();
        if let Some(email) = self.email {
            update = update.email(email);
        }
        if let Some(active) = self.is_active {
            update = update.is_active(active);
        }
        if let Some(staff) = self.is_staff {
            update = update.is_staff(staff);
        }
        if let Some(superuser) = self.is_superuser {
            update = update.is_superuser(superuser);
        }
        update
    }
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn change(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(change): Json<Change>,
) -> Result<Json<UserDetail>, ApiError> {
    let update = change.update();
    if update.is_empty() {
        return Err(ApiError::bad_request(
            "nothing to change: send at least one of `email`, `is_active`, `is_staff`, `is_superuser`",
        ));
    }
    store.update_user(&actor(&user)?, &username, update).await?;
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
