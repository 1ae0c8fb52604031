//! Syncing the registry into the permission table, which Django's `create_permissions` does
//! only halfway: here names are updated and stale rows reported, and pruned on request.

use std::collections::HashMap;

use super::audit::AuditRecord;
use super::error::Result;
use super::{Actor, Store, now_micros};
use crate::registry;

/// What a sync did and found.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncReport {
    /// Permissions added, as `app_label.codename`.
    pub added: Vec<String>,
    /// Permissions whose name (or model) changed: `app_label.codename`.
    pub updated: Vec<String>,
    /// Rows no linked model declares any more (kept, with their grants, unless pruned).
    pub stale: Vec<String>,
    /// Stale rows deleted, with their grants.
    pub pruned: Vec<String>,
}

impl SyncReport {
    /// Whether the database already matched the registry.
    #[must_use]
    pub fn is_unchanged(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.pruned.is_empty()
    }
}

/// Where a permission stands between the registry and the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum PermissionStatus {
    /// Declared by a linked model and present in the database.
    Synced,
    /// Declared by a linked model, not yet in the database: run `migrate`.
    Missing,
    /// In the database, but no linked model declares it.
    Stale,
}

/// A permission of the registry or the database, with where it stands; see
/// [`Store::permission_statuses`].
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct PermissionRecord {
    /// `app_label.codename`.
    pub permission: String,
    /// Its human name, such as "Can publish post".
    pub name: String,
    /// Where it stands between the registry and the database.
    pub status: PermissionStatus,
}

struct PermissionRow {
    id: i64,
    model: String,
    name: String,
}

impl Store {
    /// Syncs the registry into the database; with `prune`, deletes stale permissions and their
    /// grants. [`migrate`](Store::migrate) calls it.
    ///
    /// # Errors
    ///
    /// A database error; nothing is written then.
    pub async fn sync_permissions(&self, prune: bool) -> Result<SyncReport> {
        let registry = registry();
        let mut tx = self.inner.backend.begin().await?;
        let sql = tx.sql();
        let rows: Vec<(i64, String, String, String, String)> = tx.conn().fetch_all(sql.all_permissions, &[]).await?;
        let existing: HashMap<String, PermissionRow> = rows
            .into_iter()
            .map(|(id, app_label, model, codename, name)| {
                (format!("{app_label}.{codename}"), PermissionRow { id, model, name })
            })
            .collect();
        let mut report = SyncReport::default();
        let mut declared = std::collections::HashSet::new();
        for perm in registry.permissions() {
            if !declared.insert(perm.as_str()) {
                continue; // a second model with the same app_label.codename: check() reports it
            }
            match existing.get(perm.as_str()) {
                None => {
                    let args =
                        [perm.app_label().into(), perm.model_name().into(), perm.codename().into(), perm.name().into()];
                    tx.execute(sql.insert_permission, &args).await?;
                    report.added.push(perm.as_str().to_owned());
                }
                Some(row) if row.name != perm.name() || row.model != perm.model_name() => {
                    tx.execute(sql.update_permission, &[perm.name().into(), perm.model_name().into(), row.id.into()])
                        .await?;
                    report.updated.push(perm.as_str().to_owned());
                }
                Some(_) => {}
            }
        }
        let mut stale: Vec<(&String, &PermissionRow)> =
            existing.iter().filter(|(full, _)| !declared.contains(full.as_str())).collect();
        stale.sort_by(|a, b| a.0.cmp(b.0));
        for (full, row) in stale {
            report.stale.push(full.clone());
            if prune {
                // The grants go with the row: the audit log keeps each one.
                let args = [now_micros().into(), full.as_str().into(), row.id.into()];
                tx.execute(sql.audit_pruned_user_grants, &args).await?;
                tx.execute(sql.audit_pruned_group_grants, &args).await?;
                tx.execute(sql.delete_permission, &[row.id.into()]).await?;
                tx.audit(&Actor::System, AuditRecord::new("prune_permission").permission(full)).await?;
                report.pruned.push(full.clone());
            }
        }
        if !report.is_unchanged() {
            self.commit_change(tx).await?;
        }
        if !report.pruned.is_empty() {
            self.inner.cache.forget_permission_ids();
        }
        Ok(report)
    }

    /// Each registered permission and each database row, with where it stands, sorted.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn permission_statuses(&self) -> Result<Vec<PermissionRecord>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().all_permissions;
        let rows: Vec<(i64, String, String, String, String)> = conn.fetch_all(sql, &[]).await?;
        let mut in_db: HashMap<String, String> =
            rows.into_iter().map(|(_, app, _, code, name)| (format!("{app}.{code}"), name)).collect();
        let mut out = Vec::new();
        for perm in registry().permissions() {
            let status = if in_db.remove(perm.as_str()).is_some() {
                PermissionStatus::Synced
            } else {
                PermissionStatus::Missing
            };
            out.push((perm.as_str().to_owned(), perm.name().to_owned(), status));
        }
        out.extend(in_db.into_iter().map(|(full, name)| (full, name, PermissionStatus::Stale)));
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out.into_iter().map(|(permission, name, status)| PermissionRecord { permission, name, status }).collect())
    }
}
