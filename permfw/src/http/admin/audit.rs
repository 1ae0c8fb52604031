//! The audit log, newest first: filters by actor, target user, group, permission, action and
//! date range, keyset pages (`before` an id), times for people, and the filtered log as CSV.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::Query;
use super::pages::{Frame, render};
use super::when::moment;
use super::{AdminError, Staff, csv};
use crate::store::time::{parse_rfc3339, rfc3339};
use crate::store::{AUDIT_ACTIONS, AuditEntry, AuditQuery, Store, now_micros};
use crate::{User, permission_required};

/// Entries per page.
const PAGE: u32 = 100;
/// Entries per chunk of a CSV export.
const CHUNK: u32 = 1_000;

/// The filters, as the form sends them: empty for none.
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    permission: String,
    #[serde(default)]
    action: String,
    /// From this date (`2026-11-30`, that day included) or moment (`2026-11-30 14:02`), UTC.
    #[serde(default)]
    from: String,
    /// To this date (that day included) or moment (excluded), UTC.
    #[serde(default)]
    to: String,
    /// The next page: entries older than this id.
    before: Option<i64>,
}

/// A date or a moment typed in a form, UTC: `2026-11-30`, `2026-11-30 14:02`,
/// `2026-11-30T14:02:05`, or RFC 3339 with an offset. A date alone is its midnight, or with
/// `end_of_day` the next midnight. Empty for none.
fn parse_when(text: &str, end_of_day: bool) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let full = match text.len() {
        10 => format!("{text}T00:00:00Z"),
        16 => format!("{text}:00Z"),
        19 => format!("{text}Z"),
        _ => text.to_owned(),
    };
    let wrong = || format!("`{text}` is not a date; write YYYY-MM-DD, or YYYY-MM-DD HH:MM (UTC)");
    let at = parse_rfc3339(&full).ok_or_else(wrong)?;
    Ok(Some(if text.len() == 10 && end_of_day { at + 86_400_000_000 } else { at }))
}

impl Filters {
    /// The store's query (without its page), or what is wrong with the dates.
    fn query(&self) -> Result<AuditQuery, String> {
        let mut query = AuditQuery::new();
        let text = |value: &str| Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
        if let Some(actor) = text(&self.actor) {
            query = query.actor(actor);
        }
        if let Some(user) = text(&self.user) {
            query = query.user(user);
        }
        if let Some(group) = text(&self.group) {
            query = query.group(group);
        }
        if let Some(permission) = text(&self.permission) {
            query = query.permission(permission);
        }
        if let Some(action) = text(&self.action) {
            query = query.action(action);
        }
        if let Some(from) = parse_when(&self.from, false).map_err(|e| format!("From: {e}"))? {
            query = query.since(from);
        }
        if let Some(to) = parse_when(&self.to, true).map_err(|e| format!("To: {e}"))? {
            query = query.until(to);
        }
        Ok(query)
    }

    /// The filters as a query string (`actor=grace&action=grant_user`), for the next page's link
    /// and the CSV export's.
    fn encoded(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("user", &self.user),
            ("group", &self.group),
            ("permission", &self.permission),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| format!("{name}={}", super::encode(value.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// One entry of the log, with its time for people.
#[derive(Debug)]
pub(super) struct Row {
    /// `2026-11-30 14:02 UTC, 3 minutes ago`.
    when: String,
    /// RFC 3339, for the `<time>` element.
    at: String,
    entry: AuditEntry,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub(super) struct AuditPage {
    frame: Frame,
    filters: Filters,
    actions: &'static [&'static str],
    /// The permission picker's choices: (permission, name).
    choices: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    rows: Vec<Row>,
    /// The filters as a query string (for the CSV link and the next page).
    query: String,
    /// The `before` of the next (older) page, while there may be one.
    next: Option<i64>,
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn page(
    staff: Staff,
    State(store): State<Store>,
    Query(filters): Query<Filters>,
) -> Result<Response, AdminError> {
    let choices = crate::registry().permissions().map(|p| (p.as_str(), p.name())).collect();
    let query = filters.encoded();
    let mut page = AuditPage {
        frame: staff.frame(),
        filters,
        actions: AUDIT_ACTIONS,
        choices,
        error: None,
        rows: vec![],
        query,
        next: None,
    };
    let mut wanted = match page.filters.query() {
        Ok(wanted) => wanted.limit(PAGE + 1),
        Err(error) => {
            page.error = Some(error);
            return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
        }
    };
    if let Some(before) = page.filters.before {
        wanted = wanted.before_id(before);
    }
    let mut entries = store.audit(wanted).await?;
    if entries.len() > PAGE as usize {
        entries.truncate(PAGE as usize);
        page.next = entries.last().map(|e| e.id);
    }
    let now = now_micros();
    page.rows =
        entries.into_iter().map(|entry| Row { when: moment(entry.at, now), at: rfc3339(entry.at), entry }).collect();
    Ok(render(&page))
}

/// The filtered log as CSV, every entry (not a page), newest first.
#[permission_required(User::VIEW_USER)]
pub(super) async fn export(
    staff: Staff,
    State(store): State<Store>,
    Query(filters): Query<Filters>,
) -> Result<Response, AdminError> {
    let query = filters.query().map_err(|error| AdminError::Page(StatusCode::BAD_REQUEST, error))?;
    Ok(csv::attachment("audit.csv", move |out| async move {
        let mut text = String::new();
        csv::record(&mut text, ["id", "at", "actor", "action", "user", "group", "permission", "detail"]);
        let mut before = filters.before;
        loop {
            let mut page = query.clone().limit(CHUNK);
            if let Some(before) = before {
                page = page.before_id(before);
            }
            let entries = store.audit(page).await?;
            for e in &entries {
                let (id, at) = (e.id.to_string(), rfc3339(e.at));
                let optional = |value: &Option<String>| value.clone().unwrap_or_default();
                let (user, group, perm) =
                    (optional(&e.target_user), optional(&e.target_group), optional(&e.permission));
                csv::record(
                    &mut text,
                    [&id, &at, &e.actor, &e.action, &user, &group, &perm, &e.detail].map(String::as_str),
                );
            }
            if !out.send(std::mem::take(&mut text)).await || entries.len() < CHUNK as usize {
                return Ok(());
            }
            before = entries.last().map(|e| e.id);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_moments_typed_in_the_form() {
        let day = 1_796_083_200_000_000; // 2026-12-01T00:00:00Z
        assert_eq!(parse_when("", false), Ok(None));
        assert_eq!(parse_when("2026-12-01", false), Ok(Some(day)));
        assert_eq!(parse_when(" 2026-12-01 ", true), Ok(Some(day + 86_400_000_000)));
        assert_eq!(parse_when("2026-12-01 14:02", true), Ok(Some(day + (14 * 60 + 2) * 60_000_000)));
        assert_eq!(parse_when("2026-12-01T14:02", false), Ok(Some(day + (14 * 60 + 2) * 60_000_000)));
        assert_eq!(parse_when("2026-12-01 00:00:05", false), Ok(Some(day + 5_000_000)));
        assert_eq!(parse_when("2026-12-01T01:00:00+01:00", false), Ok(Some(day)));
        for wrong in ["yesterday", "2026-13-01", "2026-02-30", "01/12/2026", "2026-12-01 25:00"] {
            assert!(parse_when(wrong, false).unwrap_err().contains("is not a date"), "{wrong}");
        }
    }
}
