//! The changes made from the groups' pages: create, rename, delete (after its confirmation page),
//! grant and revoke a group's permission, add and remove a member. Each runs as the caller under
//! the store's rules, then goes back to a page whose flash message says what was done, or what
//! the rules refused and why.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::{Form, Path};
use super::flash::Flash;
use super::groups::group_path;
use super::pages::permission_label;
use super::session::CsrfForm;
use super::{AdminError, Staff};
use crate::store::{Store, StoreError};
use crate::{Group, User, permission_required};

/// The create and rename forms: the session's CSRF token and a group's name.
#[derive(Debug, Deserialize)]
pub(super) struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// The grant and revoke forms: the session's CSRF token and one permission.
#[derive(Debug, Deserialize)]
pub(super) struct PermissionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    permission: String,
}

/// The add and remove member forms: the session's CSRF token and a username.
#[derive(Debug, Deserialize)]
pub(super) struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
}

/// To `page`, with what was done or why the store refused it; a group that does not exist is
/// the page that says so (there is no page of it to go back to).
fn back(page: &str, outcome: Result<String, StoreError>) -> Result<Response, AdminError> {
    let flash = match outcome {
        Ok(done) => Flash::done(done),
        Err(err @ StoreError::GroupNotFound(_)) => return Err(err.into()),
        Err(err) => Flash::refusal(err)?,
    };
    Ok((flash, Redirect::to(page)).into_response())
}

#[permission_required(Group::ADD_GROUP)]
pub(super) async fn create(
    staff: Staff,
    State(store): State<Store>,
    Form(form): Form<NameForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    match store.create_group(&staff.actor()?, name).await {
        Ok(()) => back(&group_path(staff.base(), name), Ok(format!("Created group {name}"))),
        Err(err) => back(&format!("{}/groups", staff.base()), Err(err)),
    }
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn rename(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let new_name = form.name.trim();
    match store.rename_group(&staff.actor()?, &name, new_name).await {
        Ok(()) => back(&group_path(staff.base(), new_name), Ok(format!("Renamed group {name} to {new_name}"))),
        Err(err) => back(&group_path(staff.base(), &name), Err(err)),
    }
}

#[permission_required(Group::DELETE_GROUP)]
pub(super) async fn delete(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    match store.delete_group(&staff.actor()?, &name).await {
        Ok(()) => back(&format!("{}/groups", staff.base()), Ok(format!("Deleted group {name}"))),
        Err(err) => back(&group_path(staff.base(), &name), Err(err)),
    }
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn grant(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<PermissionForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let perm = form.permission.trim();
    let outcome = store.grant_group(&staff.actor()?, &name, [perm]).await.map(|changed| {
        let label = permission_label(perm);
        if changed == 0 { format!("{name} already has {label}") } else { format!("Granted {label} to {name}") }
    });
    back(&group_path(staff.base(), &name), outcome)
}

#[permission_required(Group::CHANGE_GROUP)]
pub(super) async fn revoke(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<PermissionForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let perm = form.permission.trim();
    let outcome = store.revoke_group(&staff.actor()?, &name, [perm]).await.map(|changed| {
        let label = permission_label(perm);
        if changed == 0 { format!("{name} did not have {label}") } else { format!("Revoked {label} from {name}") }
    });
    back(&group_path(staff.base(), &name), outcome)
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn add_member(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let username = form.username.trim();
    let outcome = store.add_to_group(&staff.actor()?, username, &name).await.map(|added| {
        if added { format!("Added {username} to {name}") } else { format!("{username} was already in {name}") }
    });
    back(&group_path(staff.base(), &name), outcome)
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn remove_member(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let username = form.username.trim();
    let outcome = store.remove_from_group(&staff.actor()?, username, &name).await.map(|removed| {
        if removed { format!("Removed {username} from {name}") } else { format!("{username} was not in {name}") }
    });
    back(&group_path(staff.base(), &name), outcome)
}
