//! A user's account on its page: email, active and staff in one form applied in one
//! transaction (deactivating only after a confirmation), and ending the user's sessions after
//! a confirmation. The store's rules decide; a refusal is the next page's message.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::{Form, Path};
use super::flash::Flash;
use super::pages::{ConfirmPage, Frame, render};
use super::session::CsrfForm;
use super::{AdminError, Staff, encode};
use crate::store::time::rfc3339;
use crate::store::{Store, UserUpdate};
use crate::{HasPerms, User, permission_required};

/// Groups the picker offers at most (the datalist filters them as one types).
pub(super) const GROUP_CHOICES: u32 = 1_000;

/// What the account section of a user's page shows beside the email and flags.
#[derive(Debug)]
pub(super) struct Account {
    /// Its groups now, with when each membership ends.
    pub(super) memberships: Vec<MembershipRow>,
    /// The picker's choices: groups' names.
    pub(super) group_choices: Vec<String>,
    /// Whether the caller holds `auth.change_user` (the forms are offered; the store's rules
    /// still decide).
    pub(super) may_change: bool,
}

/// One of the user's groups.
#[derive(Debug)]
pub(super) struct MembershipRow {
    pub(super) group: String,
    /// `until 2026-11-30 14:02 UTC`, or empty for good.
    pub(super) until: String,
}

/// A time for people: `2026-11-30 14:02 UTC`.
pub(super) fn readable(micros: i64) -> String {
    let text = rfc3339(micros);
    format!("{} UTC", text.get(..16).unwrap_or(&text).replacen('T', " ", 1))
}

/// The account section of `username`'s page.
pub(super) async fn section(staff: &Staff, store: &Store, username: &str) -> Result<Account, AdminError> {
    let memberships = store
        .memberships(username)
        .await?
        .into_iter()
        .map(|m| MembershipRow {
            until: m.expires_at.map(|at| format!("until {}", readable(at))).unwrap_or_default(),
            group: m.group,
        })
        .collect();
    let may_change = staff.has_perm(User::CHANGE_USER);
    let group_choices = if may_change { store.group_names(GROUP_CHOICES).await? } else { Vec::new() };
    Ok(Account { memberships, group_choices, may_change })
}

/// The user's page.
pub(super) fn user_page(staff: &Staff, username: &str) -> String {
    format!("{}/users/{}", staff.base(), encode(username))
}

/// The account form: email and the flags as checkboxes (absent when unchecked), and
/// `confirmed` once the caller said yes to deactivating.
#[derive(Debug, Deserialize)]
pub(super) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    active: Option<String>,
    staff: Option<String>,
    confirmed: Option<String>,
}

/// "Are you sure?" before deactivating: the form again, hidden, with `confirmed`.
#[derive(Template)]
#[template(path = "admin/account_confirm.html")]
struct ConfirmAccountPage {
    frame: Frame,
    username: String,
    changes: Vec<String>,
    action: String,
    back: String,
    email: String,
    staff: bool,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn update(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<AccountForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let user = store.get_user(&username).await?;
    let email = form.email.trim();
    let (active, staff_flag) = (form.active.is_some(), form.staff.is_some());
    let mut update = UserUpdate::new();
    let mut changes = Vec::new();
    if email != user.email() {
        update = update.email(email);
        changes.push(if email.is_empty() { "email removed".to_owned() } else { format!("email set to {email}") });
    }
    if active != user.is_active() {
        update = update.is_active(active);
        changes.push(if active { "activated" } else { "deactivated" }.to_owned());
    }
    if staff_flag != user.is_staff() {
        update = update.is_staff(staff_flag);
        changes.push(if staff_flag { "made staff" } else { "no longer staff" }.to_owned());
    }
    let back = user_page(&staff, &username);
    if update.is_empty() {
        return Ok((Flash::done(format!("{username}: nothing changed")), Redirect::to(&back)).into_response());
    }
    if !active && user.is_active() && form.confirmed.is_none() {
        let page = ConfirmAccountPage {
            frame: staff.frame(),
            action: format!("{back}/account"),
            username,
            changes,
            back,
            email: email.to_owned(),
            staff: staff_flag,
        };
        return Ok(render(&page));
    }
    let flash = match store.update_user(&staff.actor()?, &username, update).await {
        Ok(()) => Flash::done(format!("{username}: {}", changes.join(", "))),
        Err(err) => Flash::refusal(err)?,
    };
    Ok((flash, Redirect::to(&back)).into_response())
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn confirm_end_sessions(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
) -> Result<Response, AdminError> {
    store.get_user(&username).await?;
    let back = user_page(&staff, &username);
    Ok(render(&ConfirmPage {
        title: format!("End the sessions of {username}?"),
        question: format!(
            "Log {username} out of the admin everywhere? Each browser where {username} is logged in must log in \
             again; API tokens are not affected."
        ),
        action: format!("{back}/sessions/end"),
        button: "Yes, end them".into(),
        back,
        frame: staff.frame(),
    }))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn end_sessions(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let flash = match store.end_sessions(&staff.actor()?, &username).await {
        Ok(1) => Flash::done(format!("Ended 1 session of {username}")),
        Ok(ended) => Flash::done(format!("Ended {ended} sessions of {username}")),
        Err(err) => Flash::refusal(err)?,
    };
    Ok((flash, Redirect::to(&user_page(&staff, &username))).into_response())
}
