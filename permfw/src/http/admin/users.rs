//! A user's page, and grant and revoke.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::Account;
use super::error::{Form, Query};
use super::explain::Explain;
use super::flash::Flash;
use super::pages::{Frame, TokenRow, permission_label, render};
use super::{AdminError, Staff, encode};
use crate::store::Store;
use crate::{User, permission_required};

/// One row of a user's effective permissions.
#[derive(Debug)]
struct PermissionRow {
    pub(super) permission: &'static str,
    /// For people: `Can publish post (blog.publish_post)`.
    pub(super) label: String,
    /// Where it comes from: `direct, group Editors`.
    pub(super) through: String,
    /// Whether it is granted directly (so the page offers to revoke it).
    pub(super) direct: bool,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    pub(super) frame: Frame,
    pub(super) username: String,
    pub(super) email: String,
    pub(super) active: bool,
    pub(super) staff: bool,
    pub(super) superuser: bool,
    pub(super) perms: Vec<PermissionRow>,
    /// (permission, name): the picker's choices.
    pub(super) choices: Vec<(&'static str, &'static str)>,
    /// Its API tokens, or `None` when the caller may not see them.
    pub(super) tokens: Option<Vec<TokenRow>>,
    /// The account section: groups with expiry, the group picker's choices.
    pub(super) account: Account,
    /// Who granted each permission and when, and the "why (not)?" box.
    pub(super) explain: Explain,
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn show(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Query(ask): Query<super::explain::Ask>,
) -> Result<Response, AdminError> {
    let user = store.user_detail(&username).await?;
    let explain = super::explain::section(&store, &user, ask).await?;
    let perms = user
        .permissions
        .iter()
        .map(|p| PermissionRow {
            permission: p.permission.as_str(),
            label: permission_label(p.permission.as_str()),
            through: p.sources(),
            direct: p.direct,
        })
        .collect();
    let choices = crate::registry().permissions().map(|p| (p.as_str(), p.name())).collect();
    let tokens = super::tokens::rows(&staff, &store, &username).await?;
    let account = super::account::section(&staff, &store, &username).await?;
    Ok(render(&UserPage {
        frame: staff.frame(),
        email: user.email,
        active: user.is_active,
        staff: user.is_staff,
        superuser: user.is_superuser,
        username: user.username,
        perms,
        choices,
        tokens,
        account,
        explain,
    }))
}

/// The grant and revoke forms: the session's CSRF token and one permission.
#[derive(Debug, Deserialize)]
pub(super) struct PermissionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    permission: String,
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn grant(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<PermissionForm>,
) -> Result<Response, AdminError> {
    change(&staff, &store, &username, &form, true).await
}

#[permission_required(User::CHANGE_USER)]
pub(super) async fn revoke(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<PermissionForm>,
) -> Result<Response, AdminError> {
    change(&staff, &store, &username, &form, false).await
}

/// Grants or revokes, then back to the user's page, whose flash message says what happened.
async fn change(
    staff: &Staff,
    store: &Store,
    username: &str,
    form: &PermissionForm,
    grant: bool,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let perm = form.permission.trim();
    let actor = staff.actor()?;
    let changed = if grant {
        store.grant_user(&actor, username, [perm]).await?
    } else {
        store.revoke_user(&actor, username, [perm]).await?
    };
    let message = match (grant, changed) {
        (true, 0) => format!("{perm} was already granted"),
        (true, _) => format!("Granted {perm}"),
        (false, 0) => format!("{perm} was not granted directly"),
        (false, _) => format!("Revoked {perm}"),
    };
    let page = format!("{}/users/{}", staff.base(), encode(username));
    Ok((Flash::done(message), Redirect::to(&page)).into_response())
}
