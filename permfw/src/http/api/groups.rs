//! Groups: list, create, rename, delete, members, permissions.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::super::extract::{Json, Path};
use super::super::{ApiError, CurrentUser};
use super::users::Permissions;
use super::{Changed, actor};
use crate::store::{GroupRecord, Store};
use crate::{Group, User, permission_required};

#[permission_required(Group::VIEW_GROUP)]
pub(super) async fn list(user: CurrentUser, State(store): State<Store>) -> Result<Json<Vec<GroupRecord>>, ApiError> {
    Ok(Json(store.list_groups().await?))
}

/// `POST /groups` and `PATCH /groups/{name}`: the group's (new) name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Name {
    name: String,
}

#[permission_required(Group::ADD_GROUP)]
pub(super) async fn create(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<Name>,
) -> Result<StatusCode, ApiError> {
    store.create_group(&actor(&user)?, &body.name).await?;
    Ok(StatusCode::CREATED)
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn rename(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Name>,
) -> Result<StatusCode, ApiError> {
    store.rename_group(&actor(&user)?, &name, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[permission_required(Group::DELETE_GROUP)]
pub(super) async fn delete(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    store.delete_group(&actor(&user)?, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /groups/{name}/members`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Member {
    username: String,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn add_member(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Member>,
) -> Result<Json<Changed<bool>>, ApiError> {
    let changed = store.add_to_group(&actor(&user)?, &body.username, &name).await?;
    Ok(Json(Changed { changed }))
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn remove_member(
    user: CurrentUser,
    State(store): State<Store>,
    Path((name, username)): Path<(String, String)>,
) -> Result<Json<Changed<bool>>, ApiError> {
    let changed = store.remove_from_group(&actor(&user)?, &username, &name).await?;
    Ok(Json(Changed { changed }))
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn grant(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Permissions>,
) -> Result<Json<Changed<usize>>, ApiError> {
    let changed = store.grant_group(&actor(&user)?, &name, body.permissions).await?;
    Ok(Json(Changed { changed }))
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn revoke(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Permissions>,
) -> Result<Json<Changed<usize>>, ApiError> {
    let changed = store.revoke_group(&actor(&user)?, &name, body.permissions).await?;
    Ok(Json(Changed { changed }))
}
