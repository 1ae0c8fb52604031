//! The audit log: every change, written in the change's transaction, read newest first.

use super::Store;
use super::backend::with_pool;
use super::error::Result;

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

/// Filters of [`Store::audit`]; all optional.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AuditQuery {
    user: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    since: Option<i64>,
    before_id: Option<i64>,
    limit: Option<u32>,
}

impl AuditQuery {
    /// Every entry, newest first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Entries whose target is this user.
    pub fn user(mut self, username: impl Into<String>) -> Self {
        self.user = Some(username.into());
        self
    }

    /// Entries made by this actor (a username, or `<system>`).
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Entries of this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Entries at or after this time (microseconds since the Unix epoch).
    pub fn since(mut self, micros: i64) -> Self {
        self.since = Some(micros);
        self
    }

    /// Entries older than this id: the next page.
    pub fn before_id(mut self, id: i64) -> Self {
        self.before_id = Some(id);
        self
    }

    /// At most this many (default 100, at most 10,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
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
        let rows: Vec<Row> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, target_user, target_group, permission, detail FROM permfw_audit \
                 WHERE ($1 IS NULL OR target_user = $1) AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $3) \
                 AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR id < $5) ORDER BY id DESC LIMIT $6",
            )
            .bind(&query.user)
            .bind(&query.actor)
            .bind(&query.action)
            .bind(query.since)
            .bind(query.before_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
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
