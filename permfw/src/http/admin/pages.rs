//! The pages' templates (askama, checked at compile time; files in `permfw/templates/admin/`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::flash::Flash;

/// What every page shows around its content: links start with `base` (where the admin is
/// mounted); `me` and the logout form's `csrf` for a logged-in caller, the staff pages' links
/// for staff, and the message the last action left.
#[derive(Clone, Debug)]
pub(super) struct Frame {
    pub(super) base: String,
    pub(super) me: Option<String>,
    pub(super) csrf: String,
    pub(super) staff: bool,
    pub(super) flash: Option<Flash>,
}

impl Frame {
    /// The frame of a page for nobody logged in.
    pub(super) fn nobody(base: &str) -> Self {
        Frame { base: base.to_owned(), me: None, csrf: String::new(), staff: false, flash: None }
    }
}

/// A permission as people read it: `Can publish post (blog.publish_post)`; the codename alone
/// for one this process does not know.
pub(super) fn permission_label(perm: &str) -> String {
    match crate::registry().get(perm) {
        Some(known) => format!("{} ({perm})", known.name()),
        None => perm.to_owned(),
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

/// One API token on its user's page, with times for people (`2026-11-30 14:02 UTC`; `-` for none).
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

/// An access request as the pages show it: who asked for what, why, since when, and where it
/// stands.
#[derive(Debug)]
pub(super) struct RequestRow {
    pub(super) id: i64,
    pub(super) requester: String,
    /// The requester's groups now: `Writers, Senior Writers`.
    pub(super) requester_groups: String,
    pub(super) policy: String,
    /// What it asks for: `group Senior Writers`.
    pub(super) target: String,
    pub(super) justification: String,
    /// For how long: `4 hours`, or `for good`.
    pub(super) duration: String,
    pub(super) status: &'static str,
    /// `1 of 2` approvals.
    pub(super) approvals: String,
    /// When it was made: RFC 3339, and for people (`3 hours ago`).
    pub(super) at: String,
    pub(super) since: String,
    /// When it was closed, for people (`2 days ago`); empty while open.
    pub(super) closed: String,
    pub(super) decisions: Vec<DecisionRow>,
    pub(super) open: bool,
    /// Whether the viewer may decide it now (open, not its own, not decided by it yet).
    pub(super) decidable: bool,
}

/// One approver's decision on a request.
#[derive(Debug)]
pub(super) struct DecisionRow {
    pub(super) approver: String,
    /// `approved` or `denied`.
    pub(super) verdict: &'static str,
    pub(super) comment: String,
    pub(super) at: String,
}

/// A policy the caller may ask under, as the form offers it.
#[derive(Debug)]
pub(super) struct PolicyChoice {
    pub(super) name: String,
    pub(super) target: String,
    /// Who approves, how many: `a member of Editors`, `2 holders of auth.change_group`.
    pub(super) approvers: String,
    /// The longest duration (`at most 4 hours`), or that access may be asked for good.
    pub(super) longest: String,
    pub(super) checked: bool,
}

/// "Request access": the policies the caller may ask under, a justification, a duration.
#[derive(Template)]
#[template(path = "admin/request_new.html")]
pub(super) struct AskPage {
    pub(super) frame: Frame,
    pub(super) groups: String,
    pub(super) policies: Vec<PolicyChoice>,
    pub(super) justification: String,
    pub(super) duration: String,
    /// Why the form was refused, when it was.
    pub(super) error: Option<String>,
}

/// The caller's own requests, newest first, and its groups.
#[derive(Template)]
#[template(path = "admin/requests.html")]
pub(super) struct MyRequestsPage {
    pub(super) frame: Frame,
    pub(super) groups: String,
    pub(super) rows: Vec<RequestRow>,
    /// The `before` of the next (older) page, while there may be one.
    pub(super) next: Option<i64>,
}

/// One request with its decisions, and the forms the caller may use on it.
#[derive(Template)]
#[template(path = "admin/request.html")]
pub(super) struct RequestPage {
    pub(super) frame: Frame,
    pub(super) row: RequestRow,
    pub(super) may_cancel: bool,
    /// Where the decision form returns: this page.
    pub(super) back: String,
}

/// The approvals dashboard: open requests the caller may decide, and the decided ones.
#[derive(Template)]
#[template(path = "admin/approvals.html")]
pub(super) struct ApprovalsPage {
    pub(super) frame: Frame,
    /// Whether any policy lets the caller decide.
    pub(super) approver: bool,
    pub(super) open: Vec<RequestRow>,
    pub(super) open_next: Option<i64>,
    pub(super) decided: Vec<RequestRow>,
    pub(super) decided_next: Option<i64>,
    /// Where the decision forms return: this page.
    pub(super) back: String,
}
