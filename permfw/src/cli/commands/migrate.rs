//! `manage migrate` and `manage check`.

use serde::Serialize;

use super::super::Result;
use super::super::output::Out;
use crate::Level;
use crate::store::{Store, SyncReport};

/// What `migrate --json` prints: the schema version and the sync report.
#[derive(Serialize)]
struct Migrated<'a> {
    schema_version: i64,
    #[serde(flatten)]
    report: &'a SyncReport,
}

pub(super) async fn migrate(out: &Out, store: &Store, prune: bool) -> Result<u8> {
    let report = if prune { store.migrate_pruning_stale().await? } else { store.migrate().await? };
    let schema_version = store.schema_version().await?;
    out.either(&Migrated { schema_version, report: &report }, |out| {
        out.line(format!("Schema at version {schema_version}."))?;
        out.line(format!(
            "Permissions: {} added, {} updated, {} stale, {} pruned.",
            report.added.len(),
            report.updated.len(),
            report.stale.len(),
            report.pruned.len()
        ))?;
        for perm in &report.added {
            out.line(format!("  Adding permission '{perm}'"))?;
        }
        if !report.stale.is_empty() && report.pruned.is_empty() {
            out.line(format!(
                "  Stale (no linked model declares them): {}. Run `manage migrate --prune-stale` to delete them with \
                 their grants.",
                report.stale.join(", ")
            ))?;
        }
        Ok(())
    })?;
    Ok(0)
}

/// One system-check message, as `check --json` prints it.
#[derive(Serialize)]
struct CheckMessage<'a> {
    id: &'a str,
    level: String,
    obj: &'a str,
    msg: &'a str,
    hint: Option<&'a str>,
}

/// Runs the system checks; exit 1 when one is an error.
pub(super) fn check(out: &Out) -> Result<u8> {
    let messages = crate::check();
    let json: Vec<CheckMessage<'_>> = messages
        .iter()
        .map(|m| CheckMessage {
            id: m.id(),
            level: format!("{:?}", m.level()),
            obj: m.obj(),
            msg: m.msg(),
            hint: m.hint(),
        })
        .collect();
    out.either(&json, |out| {
        if messages.is_empty() {
            return out.line("System check identified no issues (0 silenced).");
        }
        for message in &messages {
            out.line(message)?;
        }
        out.line(format!("System check identified {} issue(s).", messages.len()))
    })?;
    Ok(u8::from(messages.iter().any(|m| m.level() >= Level::Error)))
}
