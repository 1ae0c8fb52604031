//! The registry against the database, and who holds a permission.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path, Query};
use super::super::{ApiError, CurrentUser};
use crate::store::{PermissionRecord, Store, UserRef, WithPerm};
use crate::{Permission, User, permission_required};

#[permission_required(Permission::VIEW_PERMISSION)]
pub(super) async fn list(
    user: CurrentUser,
    State(store): State<Store>,
) -> Result<Json<Vec<PermissionRecord>>, ApiError> {
    Ok(Json(store.permission_statuses().await?))
}

/// `GET /who-can/{permission}?after=&limit=`.
#[derive(Debug, Deserialize)]
pub(super) struct WhoCanQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

/// A page of holders, by id, and the `after` of the next page.
#[derive(Debug, Serialize)]
pub(super) struct Holders {
    users: Vec<UserRef>,
    next: Option<i64>,
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn who_can(
    user: CurrentUser,
    State(store): State<Store>,
    Path(permission): Path<String>,
    Query(query): Query<WhoCanQuery>,
) -> Result<Json<Holders>, ApiError> {
    let mut options = WithPerm::default();
    if let Some(after) = query.after {
        options = options.after_id(after);
    }
    if let Some(limit) = query.limit {
        options = options.limit(limit);
    }
    let users = store.users_with_perm(permission.as_str(), options).await?;
    let next = users.last().map(|u| u.id);
    Ok(Json(Holders { users, next }))
}
