//! Syncing the registry into the permission table, which Django's `create_permissions` does
//! only halfway: here names are updated and stale rows reported, and pruned on request.

use std::collections::HashMap;

use sqlx::Row;

use super::backend::{bump_revision, with_pool, write_tx};
use super::error::{Result, StoreError};
use super::{Store, now_micros};
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

struct Row_ {
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
        let report = write_tx!(&self.inner.backend, tx => async {
            let rows = sqlx::query("SELECT id, app_label, model, codename, name FROM auth_permission")
                .fetch_all(&mut *tx)
                .await?;
            let mut existing: HashMap<String, Row_> = HashMap::with_capacity(rows.len());
            for row in rows {
                let full = format!("{}.{}", row.try_get::<String, _>("app_label")?, row.try_get::<String, _>("codename")?);
                existing.insert(full, Row_ { id: row.try_get("id")?, model: row.try_get("model")?, name: row.try_get("name")? });
            }
            let mut report = SyncReport::default();
            let mut declared = std::collections::HashSet::new();
            for perm in registry.permissions() {
                if !declared.insert(perm.as_str()) {
                    continue; // a second model with the same app_label.codename: check() reports it
                }
                match existing.get(perm.as_str()) {
                    None => {
                        sqlx::query("INSERT INTO auth_permission (app_label, model, codename, name) VALUES ($1, $2, $3, $4)")
                            .bind(perm.app_label())
                            .bind(perm.model_name())
                            .bind(perm.codename())
                            .bind(perm.name())
                            .execute(&mut *tx)
                            .await?;
                        report.added.push(perm.as_str().to_owned());
                    }
                    Some(row) if row.name != perm.name() || row.model != perm.model_name() => {
                        sqlx::query("UPDATE auth_permission SET name = $1, model = $2 WHERE id = $3")
                            .bind(perm.name())
                            .bind(perm.model_name())
                            .bind(row.id)
                            .execute(&mut *tx)
                            .await?;
                        report.updated.push(perm.as_str().to_owned());
                    }
                    Some(_) => {}
                }
            }
            let mut stale: Vec<(&String, &Row_)> = existing.iter().filter(|(full, _)| !declared.contains(full.as_str())).collect();
            stale.sort_by(|a, b| a.0.cmp(b.0));
            for (full, row) in stale {
                report.stale.push(full.clone());
                if prune {
                    sqlx::query("DELETE FROM auth_permission WHERE id = $1").bind(row.id).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO permfw_audit (at, actor, action, permission) VALUES ($1, $2, 'prune_permission', $3)")
                        .bind(now_micros())
                        .bind("<system>")
                        .bind(full)
                        .execute(&mut *tx)
                        .await?;
                    report.pruned.push(full.clone());
                }
            }
            let revision = if report.is_unchanged() { None } else { Some(bump_revision!(tx)?) };
            Ok::<_, StoreError>((report, revision))
        }
        .await)?;
        let (report, revision) = report;
        if let Some(revision) = revision {
            self.inner.cache.invalidate_before(revision);
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
        let rows: Vec<(String, String, String)> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_as("SELECT app_label, codename, name FROM auth_permission").fetch_all(pool).await?
        });
        let mut in_db: HashMap<String, String> =
            rows.into_iter().map(|(app, code, name)| (format!("{app}.{code}"), name)).collect();
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
