//! The audit log: every change, written in the change's transaction, read newest first.

use super::Store;
use super::built::Built;
use super::error::Result;
use super::query::AuditQuery;

/// One change in the audit log.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEntry {
    /// Its id: later changes have larger ids.
    pub id: i64,
    /// When, in microseconds since the Unix epoch.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub at: i64,
    /// Who: a username, or `<system>`.
    pub actor: String,
    /// What: `grant_user`, `revoke_group`, `add_member`, `set_active`, ...
    pub action: String,
    /// The user changed, if any.
    pub target_user: Option<String>,
    /// The group changed or involved, if any.
    pub target_group: Option<String>,
    /// The permission granted or revoked, if any.
    pub permission: Option<String>,
    /// More about it (a flag's new value, a group's former name).
    pub detail: String,
}

/// One audit row to write, in the change's transaction: see [`Tx::audit`](super::tx::Tx::audit).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AuditRecord<'a> {
    pub(crate) action: &'a str,
    pub(crate) user: Option<&'a str>,
    pub(crate) group: Option<&'a str>,
    pub(crate) permission: Option<&'a str>,
    pub(crate) detail: &'a str,
}

impl<'a> AuditRecord<'a> {
    /// A change of this action (`grant_user`, `add_member`, ...), about nothing yet.
    pub(crate) fn new(action: &'a str) -> Self {
        Self { action, user: None, group: None, permission: None, detail: "" }
    }

    /// The user changed.
    pub(crate) fn user(mut self, username: &'a str) -> Self {
        self.user = Some(username);
        self
    }

    /// The group changed or involved.
    pub(crate) fn group(mut self, name: &'a str) -> Self {
        self.group = Some(name);
        self
    }

    /// The permission granted or revoked.
    pub(crate) fn permission(mut self, perm: &'a str) -> Self {
        self.permission = Some(perm);
        self
    }

    /// More about it.
    pub(crate) fn detail(mut self, detail: &'a str) -> Self {
        self.detail = detail;
        self
    }
}

type Row = (i64, i64, String, String, Option<String>, Option<String>, Option<String>, String);

impl Store {
    /// The audit log, newest first, filtered.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = i64::from(query.limit.unwrap_or(100).clamp(1, 10_000));
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let mut built = Built::new(conn.sql().select_audit);
        if let Some(user) = &query.user {
            built.push(" AND target_user = ").push_bind(user);
        }
        if let Some(actor) = &query.actor {
            built.push(" AND actor = ").push_bind(actor);
        }
        if let Some(action) = &query.action {
            built.push(" AND action = ").push_bind(action);
        }
        if let Some(since) = query.since {
            built.push(" AND at >= ").push_bind(since);
        }
        if let Some(before) = query.before_id {
            built.push(" AND id < ").push_bind(before);
        }
        built.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        let rows: Vec<Row> = conn.fetch_built(&built).await?;
        Ok(rows
            .into_iter()
            .map(|(id, at, actor, action, target_user, target_group, permission, detail)| AuditEntry {
                id,
                at,
                actor,
                action,
                target_user,
                target_group,
                permission,
                detail,
            })
            .collect())
    }
}
