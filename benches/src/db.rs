//! The pool a bench or a test opened itself, shared with its store, for statements no API call
//! makes (seeding, cleaning up between iterations).

use permfw::store::{Pool, Store, StoreError};

/// A pool of either database.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite.
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL.
    Postgres(sqlx::PgPool),
}

impl Db {
    /// Opens a pool at `url` (`sqlite://...`, `sqlite::memory:` with one connection, or
    /// `postgres://...`).
    ///
    /// # Errors
    ///
    /// The database cannot be reached.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres") {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(url).await?;
            return Ok(Db::Postgres(pool));
        }
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        let options = options.create_if_missing(true).busy_timeout(std::time::Duration::from_secs(30));
        let memory = url.contains(":memory:");
        // The settings `Store::open` gives a file: WAL, synced at checkpoints (`NORMAL`).
        let options = if memory {
            options
        } else {
            options
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        };
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { 8 })
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// A store on this pool, with `options` applied.
    ///
    /// # Errors
    ///
    /// As [`StoreOptions::open`](permfw::store::StoreOptions::open).
    pub async fn store(
        &self,
        options: impl FnOnce(permfw::store::StoreOptions) -> permfw::store::StoreOptions,
    ) -> Result<Store, StoreError> {
        let pool: Pool = match self {
            Db::Sqlite(pool) => pool.clone().into(),
            Db::Postgres(pool) => pool.clone().into(),
        };
        options(Store::options_with_pool(pool)).open().await
    }

    /// Runs raw SQL.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Db::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
            Db::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
        }
    }
}
