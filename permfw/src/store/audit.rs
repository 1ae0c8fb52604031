//! The audit log: every change, written in the change's transaction, read newest first.

use std::collections::HashMap;

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

/// (id, action, group, permission, actor, at, detail) of `audit_provenance`.
type ProvenanceRow = (i64, String, Option<String>, Option<String>, String, i64, String);

/// The actions the store writes to the audit log, for a filter's choices.
pub const AUDIT_ACTIONS: &[&str] = &[
    "create_user",
    "create_superuser",
    "set_password",
    "set_email",
    "set_active",
    "set_staff",
    "set_superuser",
    "grant_user",
    "revoke_user",
    "create_group",
    "rename_group",
    "delete_group",
    "add_member",
    "remove_member",
    "grant_group",
    "revoke_group",
    "create_token",
    "revoke_token",
    "expired",
    "create_policy",
    "delete_policy",
    "request_access",
    "cancel_request",
    "decide_request",
    "request_expired",
    "prune_permission",
];

/// Who made a change and when: an audit entry's actor, time and detail.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stamp {
    /// Who: a username, or `<system>`.
    pub actor: String,
    /// When, in microseconds since the Unix epoch.
    pub at: i64,
    /// What the audit entry says more (`request #12`, `until ...`).
    pub detail: String,
}

/// Who gave a user what it holds, and when: the latest audit entry behind each direct grant,
/// each membership, each grant to one of its groups, and its superuser flag. See
/// [`Store::provenance`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Provenance {
    /// The latest `grant_user` of each permission (`app_label.codename`).
    pub direct: HashMap<String, Stamp>,
    /// The latest `add_member` to each group.
    pub memberships: HashMap<String, Stamp>,
    /// The latest `grant_group` of each (group, permission).
    pub group_grants: HashMap<(String, String), Stamp>,
    /// The latest `create_superuser` or `set_superuser`.
    pub superuser: Option<Stamp>,
}

impl Store {
    /// The audit log, newest first (by id), filtered; every filter goes through an index, and
    /// a date range finds its first and last ids through the index of times (ids and times rise
    /// together: each change is written under the store's write lock).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = i64::from(query.limit.unwrap_or(100).clamp(1, 10_000));
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql();
        let mut built = Built::new(sql.select_audit);
        // Most selective first: the first filter given leads, read through its index in id
        // order (see `audit_filter` in each dialect for how the others stay out of its way).
        let filters = [
            (&query.user, "target_user"),
            (&query.group, "target_group"),
            (&query.actor, "actor"),
            (&query.permission, "permission"),
            (&query.action, "action"),
        ];
        let mut lead = None;
        for (value, column) in filters {
            if let Some(value) = value {
                (sql.audit_filter)(&mut built, column, value, lead.is_none());
                lead = lead.or(Some(column));
            }
        }
        (sql.audit_dates)(&mut built, query.since, query.until);
        if let Some(before) = query.before_id {
            built.push(" AND id < ").push_bind(before);
        }
        // With a lead filter, ordering by its column too (a constant) leaves its index as the
        // only one that gives the order without a sort.
        match lead {
            Some(column) => built.push(" ORDER BY ").push(column).push(" DESC, id DESC LIMIT "),
            None => built.push(" ORDER BY id DESC LIMIT "),
        };
        built.push_bind(limit);
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

    /// Who gave `username` what it holds, and when, from the audit log: the latest direct
    /// grant of each permission, the latest addition to each group, the latest grant of each
    /// permission to each of `groups` (the user's groups), and what made it a superuser; in one
    /// indexed query. What the log has no entry for is missing (a group renamed since, a
    /// database seeded without the store).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn provenance(&self, username: &str, groups: &[String]) -> Result<Provenance> {
        let names: Vec<&str> = groups.iter().map(String::as_str).collect();
        let names = super::arg::json_array(&names);
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql().audit_provenance;
        let rows: Vec<ProvenanceRow> = conn.fetch_all(sql, &[username.into(), names.as_str().into()]).await?;
        let mut found = Provenance::default();
        let mut superuser_id = 0;
        for (id, action, group, permission, actor, at, detail) in rows {
            let stamp = Stamp { actor, at, detail };
            match (action.as_str(), group, permission) {
                ("grant_user", _, Some(perm)) => {
                    found.direct.insert(perm, stamp);
                }
                ("add_member", Some(group), _) => {
                    found.memberships.insert(group, stamp);
                }
                ("grant_group", Some(group), Some(perm)) => {
                    found.group_grants.insert((group, perm), stamp);
                }
                ("create_superuser" | "set_superuser", _, _) if id > superuser_id => {
                    superuser_id = id;
                    found.superuser = Some(stamp);
                }
                _ => {}
            }
        }
        Ok(found)
    }
}
