//! Putting a user into a group with the picker, and taking it out after a confirmation. The
//! store's rules decide (`auth.change_user`, never oneself or a superuser, and only a group
//! whose permissions the caller holds); a refusal is the next page's message.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::user_page;
use super::error::{Form, Path, Query};
use super::flash::Flash;
use super::pages::{ConfirmPage, render};
use super::{AdminError, Staff, encode};
use crate::store::Store;
use crate::{User, permission_required};

/// The add and remove forms: the session's CSRF token and a group's name.
#[derive(Debug, Deserialize)]
pub(super) struct GroupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    group: String,
}

/// `?group=` of the confirmation page.
#[derive(Debug, Deserialize)]
pub(super) struct GroupQuery {
    #[serde(default)]
    group: String,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn add(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<GroupForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let group = form.group.trim();
    let flash = match store.add_to_group(&staff.actor()?, &username, group).await {
        Ok(true) => Flash::done(format!("Added {username} to {group}")),
        Ok(false) => Flash::done(format!("{username} was already in {group}")),
        Err(err) => Flash::refusal(err)?,
    };
    Ok((flash, Redirect::to(&user_page(&staff, &username))).into_response())
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn confirm_remove(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Query(query): Query<GroupQuery>,
) -> Result<Response, AdminError> {
    let group = store.get_group(&query.group).await?;
    let lost = group.permissions().count();
    let what = match lost {
        0 => "The group gives no permission.".to_owned(),
        1 => "They lose the 1 permission the group gives, unless they hold it otherwise.".to_owned(),
        n => format!("They lose the {n} permissions the group gives, unless they hold them otherwise."),
    };
    let back = user_page(&staff, &username);
    Ok(render(&ConfirmPage {
        title: format!("Remove {username} from {}?", query.group),
        question: format!("Take {username} out of the group {}? {what}", query.group),
        action: format!("{back}/groups/remove?group={}", encode(&query.group)),
        button: "Yes, remove".into(),
        back,
        frame: staff.frame(),
    }))
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn remove(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Query(query): Query<GroupQuery>,
    Form(form): Form<super::session::CsrfForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let group = query.group;
    let flash = match store.remove_from_group(&staff.actor()?, &username, &group).await {
        Ok(true) => Flash::done(format!("Removed {username} from {group}")),
        Ok(false) => Flash::done(format!("{username} was not in {group}")),
        Err(err) => Flash::refusal(err)?,
    };
    Ok((flash, Redirect::to(&user_page(&staff, &username))).into_response())
}
