//! The pages' templates (askama, checked at compile time; files in `permfw/templates/admin/`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::flash::Flash;
use crate::store::{AuditEntry, GroupRecord, UserRecord};

/// What every page shows around its content: links start with `base` (where the admin is
/// mounted); `me` and the logout form's `csrf` for a logged-in caller, and the message the last
/// action left.
#[derive(Clone, Debug)]
pub(super) struct Frame {
    pub(super) base: String,
    pub(super) me: Option<String>,
    pub(super) csrf: String,
    pub(super) flash: Option<Flash>,
}

impl Frame {
    /// The frame of a page for nobody logged in.
    pub(super) fn nobody(base: &str) -> Self {
        Frame { base: base.to_owned(), me: None, csrf: String::new(), flash: None }
    }
}

/// The page as HTML, or a plain 500 if it cannot be rendered.
pub(super) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin/message.html")]
pub(super) struct MessagePage {
    pub(super) frame: Frame,
    pub(super) title: String,
    pub(super) text: String,
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub(super) struct LoginPage {
    pub(super) frame: Frame,
    pub(super) error: Option<String>,
    pub(super) next: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub(super) struct UsersPage {
    pub(super) frame: Frame,
    pub(super) query: String,
    pub(super) rows: String,
    pub(super) next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/user_rows.html")]
pub(super) struct UserRows {
    pub(super) base: String,
    pub(super) users: Vec<UserRecord>,
}

/// One row of a user's effective permissions.
#[derive(Debug)]
pub(super) struct PermissionRow {
    pub(super) permission: &'static str,
    /// Where it comes from: `direct, group Editors`.
    pub(super) through: String,
    /// Whether it is granted directly (so the page offers to revoke it).
    pub(super) direct: bool,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub(super) struct UserPage {
    pub(super) frame: Frame,
    pub(super) username: String,
    pub(super) email: String,
    pub(super) active: bool,
    pub(super) staff: bool,
    pub(super) superuser: bool,
    pub(super) groups: String,
    pub(super) perms: Vec<PermissionRow>,
    /// (permission, name): the picker's choices.
    pub(super) choices: Vec<(&'static str, &'static str)>,
    /// Its API tokens, or `None` when the caller may not see them.
    pub(super) tokens: Option<Vec<TokenRow>>,
}

/// One API token on its user's page, with times for people (RFC 3339, UTC; `-` for none).
#[derive(Debug)]
pub(super) struct TokenRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) created: String,
    pub(super) last_used: String,
    pub(super) expires: String,
    pub(super) revoked: String,
    /// Neither revoked nor expired, so the page offers to revoke it.
    pub(super) live: bool,
}

/// "Are you sure?" before a change that cannot be undone: a form that posts to `action`, and a
/// way `back`.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub(super) struct ConfirmPage {
    pub(super) frame: Frame,
    pub(super) title: String,
    pub(super) question: String,
    pub(super) action: String,
    pub(super) button: String,
    pub(super) back: String,
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
pub(super) struct GroupsPage {
    pub(super) frame: Frame,
    pub(super) groups: Vec<GroupRecord>,
}

#[derive(Template)]
#[template(path = "admin/group.html")]
pub(super) struct GroupPage {
    pub(super) frame: Frame,
    pub(super) name: String,
    pub(super) permissions: Vec<&'static str>,
    pub(super) members: Vec<String>,
}

/// One entry of the audit log, with its time for people.
#[derive(Debug)]
pub(super) struct AuditRow {
    /// RFC 3339, UTC.
    pub(super) at: String,
    pub(super) entry: AuditEntry,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub(super) struct AuditPage {
    pub(super) frame: Frame,
    pub(super) rows: Vec<AuditRow>,
}
