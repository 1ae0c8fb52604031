//! Schema migrations, embedded in the crate (see `migrations` in the dialect files). A schema
//! change is a new file, never an edit.

use super::backend::Backend;
use super::error::{Result, StoreError};
use super::now_micros;

/// The newest schema version.
pub(crate) const LATEST: i64 = 11;

pub(crate) async fn version(backend: &Backend) -> Result<i64> {
    let mut pooled = backend.acquire().await?;
    let mut conn = pooled.conn();
    let sql = conn.sql();
    conn.execute(sql.create_ledger, &[]).await?;
    let (version,): (Option<i64>,) = conn.fetch_one(sql.schema_version, &[]).await?;
    Ok(version.unwrap_or(0))
}

/// Applies every migration the database lacks, in order, each in its own transaction: those
/// newer than it and any older one it skipped (a database made while a branch's migration
/// was numbered after another's).
pub(crate) async fn apply(backend: &Backend) -> Result<()> {
    let current = version(backend).await?;
    if current > LATEST {
        return Err(StoreError::NewerSchema { found: current, supported: LATEST });
    }
    let applied: Vec<(i64,)> = {
        let mut pooled = backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().applied_migrations;
        conn.fetch_all(sql, &[]).await?
    };
    let applied: std::collections::HashSet<i64> = applied.into_iter().map(|(version,)| version).collect();
    let mut migrated = false;
    for (number, script) in backend.sql().migrations.iter().filter(|(number, _)| !applied.contains(number)) {
        let mut tx = backend.begin_plain().await?;
        tx.conn().execute_script(script).await?;
        let sql = tx.sql().record_migration;
        tx.execute(sql, &[(*number).into(), now_micros().into()]).await?;
        tx.commit().await?;
        migrated = true;
    }
    if migrated {
        backend.refresh_schemas().await?;
    }
    Ok(())
}
