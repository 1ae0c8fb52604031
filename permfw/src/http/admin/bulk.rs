//! Bulk actions on the users selected in the list, as Django's admin actions: add to a group,
//! grant a permission, deactivate. The list's form posts the selection to `POST /users/bulk`,
//! which shows what would happen to each user (nothing written); its "Apply" posts to
//! `POST /users/bulk/apply`, which checks everything again and applies what is allowed and
//! needed then, in one transaction (see [`Store::bulk_apply`]), and says in its flash message
//! what it did, what was so already, what the rules refused and why, and whether that differs
//! from the preview.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::error::{Form, refusal};
use super::flash::Flash;
use super::pages::{Frame, permission_label, render};
use super::{AdminError, Staff};
use crate::store::{BulkAction, BulkOutcome, BulkReport, Store};
use crate::{User, permission_required};

/// Users one bulk action takes at most.
const MOST: usize = 1_000;

/// The list's bulk form, or the confirmation's: the session's CSRF token, the action, its
/// argument (a group or a permission), the selected usernames, where to go back, and (from the
/// confirmation) how many changes the preview showed.
#[derive(Debug, Default)]
pub(super) struct BulkForm {
    csrf: String,
    action: String,
    argument: String,
    users: Vec<String>,
    back: String,
    expected: Option<usize>,
}

impl BulkForm {
    /// Reads the form's fields; `users` repeats. An unknown field is left alone; a wrong
    /// `expected` is a 400 naming it.
    fn parse(pairs: Vec<(String, String)>) -> Result<Self, AdminError> {
        let mut form = BulkForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = value,
                "action" => form.action = value,
                "argument" => form.argument = value.trim().to_owned(),
                "users" => form.users.push(value),
                "back" => form.back = value,
                "expected" => {
                    form.expected = Some(value.parse().map_err(|_| {
                        AdminError::Page(
                            StatusCode::BAD_REQUEST,
                            format!("The form is wrong: expected: `{value}` is not a count."),
                        )
                    })?);
                }
                _ => {}
            }
        }
        Ok(form)
    }

    /// The store's action; a missing argument or an unknown action is said in a flash message.
    fn action(&self) -> Result<BulkAction, String> {
        match (self.action.as_str(), self.argument.is_empty()) {
            ("add_to_group", false) => Ok(BulkAction::AddToGroup(self.argument.clone())),
            ("add_to_group", true) => Err("Name the group to add the selected users to.".into()),
            ("grant", false) => Ok(BulkAction::Grant(self.argument.clone())),
            ("grant", true) => Err("Name the permission to grant, such as blog.publish_post.".into()),
            ("deactivate", _) => Ok(BulkAction::Deactivate),
            (other, _) => {
                Err(format!("`{other}` is not an action; choose add to group, grant permission or deactivate."))
            }
        }
    }

    /// Where to go back: the list the selection came from, or the plain list.
    fn back(&self, base: &str) -> String {
        let list = format!("{base}/users");
        let safe = self.back.starts_with(&list) && !self.back.contains("//") && !self.back.contains('\\');
        if safe { self.back.clone() } else { list }
    }
}

/// One selected user on the confirmation page.
#[derive(Debug)]
pub(super) struct LineRow {
    pub(super) username: String,
    /// `changes`, `already`, `refused` or `missing`: the row's class.
    pub(super) kind: &'static str,
    /// `Will change`, `Already so`, `Refused`, `Not found`.
    pub(super) outcome: &'static str,
    /// What changes, what is so, or what the rules refuse and why.
    pub(super) detail: String,
}

/// The confirmation page of a bulk action: summary counts, one line per user, and "Apply".
#[derive(Template)]
#[template(path = "admin/bulk.html")]
pub(super) struct BulkPage {
    pub(super) frame: Frame,
    pub(super) title: String,
    pub(super) changes: usize,
    pub(super) already: usize,
    pub(super) refused: usize,
    pub(super) missing: usize,
    pub(super) lines: Vec<LineRow>,
    pub(super) action: String,
    pub(super) argument: String,
    pub(super) users: Vec<String>,
    pub(super) back: String,
}

/// What the action does, for people: `add to the group Editors`, `grant Can publish post
/// (blog.publish_post)`, `deactivate`.
fn describe(action: &BulkAction) -> String {
    match action {
        BulkAction::Grant(perm) => format!("grant {}", permission_label(perm)),
        other => other.describe(),
    }
}

/// One user's line: what will change, what is so, or what the rules refuse and why.
fn line(action: &BulkAction, username: String, outcome: &BulkOutcome) -> LineRow {
    let (kind, label, detail) = match (outcome, action) {
        (BulkOutcome::Changes, BulkAction::AddToGroup(group)) => {
            ("changes", "Will change", format!("Joins the group {group}"))
        }
        (BulkOutcome::Changes, BulkAction::Grant(perm)) => {
            ("changes", "Will change", format!("Is granted {} directly", permission_label(perm)))
        }
        (BulkOutcome::Changes, _) => {
            ("changes", "Will change", "Is deactivated: sessions ended, API tokens revoked".to_owned())
        }
        (BulkOutcome::AlreadySo, BulkAction::AddToGroup(group)) => {
            ("already", "Already so", format!("Already a member of {group}"))
        }
        (BulkOutcome::AlreadySo, BulkAction::Grant(perm)) => {
            ("already", "Already so", format!("Already holds {} directly", permission_label(perm)))
        }
        (BulkOutcome::AlreadySo, _) => ("already", "Already so", "Already inactive".to_owned()),
        (BulkOutcome::Refused(rule), _) => ("refused", "Refused", format!("Refused: {rule}")),
        (BulkOutcome::NotFound, _) => ("missing", "Not found", "No user has this username".to_owned()),
    };
    LineRow { username, kind, outcome: label, detail }
}

/// The selection's usernames, at most [`MOST`], or what the flash message says instead.
fn selection(form: &BulkForm) -> Result<Vec<&str>, String> {
    match form.users.len() {
        0 => Err("Select at least one user, then choose the action.".into()),
        n if n > MOST => Err(format!("{n} users are selected; a bulk action takes {MOST} at most.")),
        _ => Ok(form.users.iter().map(String::as_str).collect()),
    }
}

/// The form's action and its selection, or what is wrong with them (the action first).
fn chosen(form: &BulkForm) -> Result<(BulkAction, Vec<&str>), String> {
    Ok((form.action()?, selection(form)?))
}

/// Back to the list with this refusal.
fn refused(back: &str, text: String) -> Response {
    (Flash::refused(text), Redirect::to(back)).into_response()
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn preview(
    staff: Staff,
    State(store): State<Store>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AdminError> {
    let form = BulkForm::parse(pairs)?;
    staff.check_csrf(&form.csrf)?;
    let back = form.back(staff.base());
    let (action, users) = match chosen(&form) {
        Ok(chosen) => chosen,
        Err(text) => return Ok(refused(&back, text)),
    };
    let report = match store.bulk_preview(&staff.actor()?, &action, &users).await {
        Ok(report) => report,
        Err(err) => return Ok(refused(&back, refusal(err)?.1)),
    };
    let title = format!("{} ({} selected)?", capitalized(&describe(&action)), report.lines.len());
    let lines = report.lines.iter().map(|l| line(&action, l.username.clone(), &l.outcome)).collect();
    Ok(render(&BulkPage {
        frame: staff.frame(),
        title,
        changes: report.changes(),
        already: report.already(),
        refused: report.refused(),
        missing: report.not_found(),
        lines,
        action: form.action.clone(),
        argument: form.argument.clone(),
        users: form.users.clone(),
        back,
    }))
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn apply(
    staff: Staff,
    State(store): State<Store>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AdminError> {
    let form = BulkForm::parse(pairs)?;
    staff.check_csrf(&form.csrf)?;
    let back = form.back(staff.base());
    let (action, users) = match chosen(&form) {
        Ok(chosen) => chosen,
        Err(text) => return Ok(refused(&back, text)),
    };
    let report = match store.bulk_apply(&staff.actor()?, &action, &users).await {
        Ok(report) => report,
        Err(err) => return Ok(refused(&back, refusal(err)?.1)),
    };
    let text = summary(&report, form.expected);
    let flash = if report.changes() == 0 && report.refused() + report.not_found() > 0 {
        Flash::refused(text)
    } else {
        Flash::done(text)
    };
    Ok((flash, Redirect::to(&back)).into_response())
}

/// The flash message after applying: what was done, what was so, what the rules refused (the
/// first few users, with the reason), and whether it differs from the preview.
fn summary(report: &BulkReport, expected: Option<usize>) -> String {
    let changed = report.changes();
    let users = |n: usize| if n == 1 { "1 user".to_owned() } else { format!("{n} users") };
    let mut parts = vec![match &report.action {
        BulkAction::AddToGroup(group) => format!("Added {} to the group {group}", users(changed)),
        BulkAction::Grant(perm) => format!("Granted {perm} to {}", users(changed)),
        _ => format!("Deactivated {}", users(changed)),
    }];
    if report.already() > 0 {
        parts.push(format!("{} already so", report.already()));
    }
    if report.refused() > 0 {
        let refused: Vec<String> = report
            .lines
            .iter()
            .filter_map(|l| match &l.outcome {
                BulkOutcome::Refused(rule) => Some(format!("{} ({rule})", l.username)),
                _ => None,
            })
            .collect();
        let more = if refused.len() > 3 { format!(" and {} more", refused.len() - 3) } else { String::new() };
        parts.push(format!(
            "{} refused by the rules: {}{more}",
            refused.len(),
            refused[..refused.len().min(3)].join(", ")
        ));
    }
    if report.not_found() > 0 {
        parts.push(format!("{} not found", report.not_found()));
    }
    let mut text = parts.join("; ");
    if let Some(expected) = expected.filter(|e| *e != changed) {
        text.push_str(&format!(
            "; the preview showed {expected} to change: things changed since, and this is what was allowed and needed now"
        ));
    }
    text.push('.');
    text
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
