//! The groups, and one group's permissions and members.

use axum::extract::{Path, State};
use axum::response::Response;

use super::pages::{GroupPage, GroupsPage, render};
use super::{AdminError, Staff};
use crate::store::Store;
use crate::{Group, permission_required};

#[permission_required(Group::VIEW_GROUP)]
pub(super) async fn list(staff: Staff, State(store): State<Store>) -> Result<Response, AdminError> {
    Ok(render(&GroupsPage { frame: staff.frame(), groups: store.list_groups().await? }))
}

#[permission_required(Group::VIEW_GROUP)]
pub(super) async fn show(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<Response, AdminError> {
    let group = store.get_group(&name).await?;
    let permissions = group.permissions().map(|p| p.as_str()).collect();
    let members = store.group_members(&name).await?;
    Ok(render(&GroupPage { frame: staff.frame(), name, permissions, members }))
}
