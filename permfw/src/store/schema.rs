//! Schema migrations, embedded in the crate. A schema change is a new file, never an edit.

use super::backend::{Backend, with_pool};
use super::error::{Result, StoreError};

/// The migrations of each backend, in order: (version, SQL).
#[cfg(feature = "sqlite")]
const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("migrations/sqlite/0001_initial.sql")),
    (2, include_str!("migrations/sqlite/0002_sessions_and_tokens.sql")),
    (3, include_str!("migrations/sqlite/0003_user_search.sql")),
];
#[cfg(feature = "postgres")]
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("migrations/postgres/0001_initial.sql")),
    (2, include_str!("migrations/postgres/0002_sessions_and_tokens.sql")),
    (3, include_str!("migrations/postgres/0003_user_search.sql")),
];

/// The newest schema version.
pub(crate) const LATEST: i64 = 3;

const CREATE_LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS permfw_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

pub(crate) async fn version(backend: &Backend) -> Result<i64> {
    with_pool!(backend, pool => {
        sqlx::query(CREATE_LEDGER).execute(pool).await?;
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM permfw_migrations").fetch_one(pool).await?;
        Ok(version.unwrap_or(0))
    })
}

/// Applies every migration newer than the database, each in its own transaction.
pub(crate) async fn apply(backend: &Backend) -> Result<()> {
    let current = version(backend).await?;
    if current > LATEST {
        return Err(StoreError::NewerSchema { found: current, supported: LATEST });
    }
    with_pool!(backend, pool => {
        let migrations = match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => SQLITE,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => POSTGRES,
        };
        for (number, sql) in migrations.iter().filter(|(number, _)| *number > current) {
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO permfw_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(number)
                .bind(super::now_micros())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    })
}
