//! Schema migrations, embedded in the crate (see `migrations` in the dialect files). A schema
//! change is a new file, never an edit.

use super::backend::Backend;
use super::error::{Result, StoreError};
use super::now_micros;

/// The newest schema version.
pub(crate) const LATEST: i64 = 9;

pub(crate) async fn version(backend: &Backend) -> Result<i64> {
    let mut pooled = backend.acquire().await?;
    let mut conn = pooled.conn();
    let sql = conn.sql();
    conn.execute(sql.create_ledger, &[]).await?;
    let (version,): (Option<i64>,) = conn.fetch_one(sql.schema_version, &[]).await?;
    Ok(version.unwrap_or(0))
}

/// Applies every migration newer than the database, each in its own transaction.
pub(crate) async fn apply(backend: &Backend) -> Result<()> {
    let current = version(backend).await?;
    if current > LATEST {
        return Err(StoreError::NewerSchema { found: current, supported: LATEST });
    }
    for (number, script) in backend.sql().migrations.iter().filter(|(number, _)| *number > current) {
        let mut tx = backend.begin_plain().await?;
        tx.conn().execute_script(script).await?;
        let sql = tx.sql().record_migration;
        tx.execute(sql, &[(*number).into(), now_micros().into()]).await?;
        tx.commit().await?;
    }
    Ok(())
}
