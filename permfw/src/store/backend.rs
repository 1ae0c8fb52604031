//! The two databases behind one `Store`, and the macros that run the same SQL on either.

use std::sync::Arc;

use super::cache::Cache;
use super::error::{Result, StoreError};

/// A connection pool to one of the supported databases.
#[derive(Debug)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool; the body is compiled once per backend.
macro_rules! with_pool {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            #[cfg(feature = "sqlite")]
            $crate::store::backend::Backend::Sqlite($pool) => $body,
            #[cfg(feature = "postgres")]
            $crate::store::backend::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` (an expression yielding `Result<T>`) in a write transaction bound to `$tx`, and
/// commits when it is `Ok`; an `Err` rolls everything back. SQLite transactions begin
/// `IMMEDIATE`, so that concurrent writers wait for each other instead of failing.
macro_rules! write_tx {
    ($backend:expr, $tx:ident => $body:expr) => {
        match $backend {
            #[cfg(feature = "sqlite")]
            $crate::store::backend::Backend::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
            #[cfg(feature = "postgres")]
            $crate::store::backend::Backend::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
        }
    };
}

/// Bumps the database's revision inside the transaction `$tx` and, on PostgreSQL, announces it
/// to other processes (delivered at commit). Yields `Result<i64>`.
macro_rules! bump_revision {
    ($tx:ident) => {
        async {
            let revision: i64 = sqlx::query_scalar(
                "UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision",
            )
            .fetch_one(&mut *$tx)
            .await?;
            if $crate::store::backend::is_postgres_tx(&$tx) {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind($crate::store::cache::CHANNEL)
                    .bind(revision.to_string())
                    .execute(&mut *$tx)
                    .await?;
            }
            Ok::<i64, $crate::store::StoreError>(revision)
        }
        .await
    };
}

pub(crate) use {bump_revision, with_pool, write_tx};

/// Which SQL dialect a transaction speaks, for the few statements that differ.
pub(crate) trait Dialect {
    const POSTGRES: bool;
}

#[cfg(feature = "sqlite")]
impl Dialect for sqlx::Sqlite {
    const POSTGRES: bool = false;
}

#[cfg(feature = "postgres")]
impl Dialect for sqlx::Postgres {
    const POSTGRES: bool = true;
}

/// Which dialect an executor (a pool or a connection) speaks.
pub(crate) trait Dialectal {
    fn postgres(&self) -> bool;
}

impl<DB: sqlx::Database + Dialect> Dialectal for &sqlx::Pool<DB> {
    fn postgres(&self) -> bool {
        DB::POSTGRES
    }
}

#[cfg(feature = "sqlite")]
impl Dialectal for &mut sqlx::SqliteConnection {
    fn postgres(&self) -> bool {
        false
    }
}

#[cfg(feature = "postgres")]
impl Dialectal for &mut sqlx::PgConnection {
    fn postgres(&self) -> bool {
        true
    }
}

pub(crate) fn is_postgres_tx<DB: sqlx::Database + Dialect>(_: &sqlx::Transaction<'_, DB>) -> bool {
    DB::POSTGRES
}

impl Backend {
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        let masked = mask(url);
        if url.starts_with("sqlite:") {
            #[cfg(feature = "sqlite")]
            return Self::connect_sqlite(url, &masked).await;
            #[cfg(not(feature = "sqlite"))]
            return Err(StoreError::Open {
                url: masked,
                why: "this build has no SQLite: enable permfw's `sqlite` feature".into(),
            });
        }
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            #[cfg(feature = "postgres")]
            return Self::connect_postgres(url, &masked).await;
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Open {
                url: masked,
                why: "this build has no PostgreSQL: enable permfw's `postgres` feature".into(),
            });
        }
        Err(StoreError::Open {
            url: masked,
            why: "expected `sqlite://path`, `sqlite::memory:` or `postgres://user@host/db`".into(),
        })
    }

    #[cfg(feature = "sqlite")]
    async fn connect_sqlite(url: &str, masked: &str) -> Result<Self> {
        use std::str::FromStr;

        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

        let open_error = |err: sqlx::Error| StoreError::Open { url: masked.to_owned(), why: err.to_string() };
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_error)?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30));
        let options = if memory {
            options
        } else {
            options.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal)
        };
        // An in-memory database lives as long as its one connection. A local database needs no
        // ping before each use: that would be a second round trip through the driver's thread.
        let pool = if memory {
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8).min_connections(1)
        };
        let pool = pool.test_before_acquire(false);
        let pool = pool.connect_with(options).await.map_err(open_error)?;
        Ok(Backend::Sqlite(pool))
    }

    #[cfg(feature = "postgres")]
    async fn connect_postgres(url: &str, masked: &str) -> Result<Self> {
        // No ping before each use: it doubles the round trips of a snapshot load; a broken
        // connection fails its query instead, and the pool replaces it.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .test_before_acquire(false)
            .connect(url)
            .await
            .map_err(|err| StoreError::Open { url: masked.to_owned(), why: err.to_string() })?;
        Ok(Backend::Postgres(pool))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => false,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => true,
        }
    }

    /// On PostgreSQL, listens for other processes' changes and drops cached snapshots older
    /// than the revision they announce.
    #[allow(clippy::unused_async)]
    pub(crate) async fn listen(&self, cache: Arc<Cache>) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => {
                let _ = cache;
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(super::cache::CHANNEL).await?;
                let weak = Arc::downgrade(&cache);
                drop(cache);
                tokio::spawn(async move {
                    loop {
                        // `recv` reconnects by itself; an error means the pool is closed.
                        let Ok(notification) = listener.recv().await else {
                            break;
                        };
                        let Some(cache) = weak.upgrade() else { break };
                        let revision = notification.payload().parse().unwrap_or(i64::MAX);
                        cache.invalidate_before(revision);
                    }
                });
                Ok(())
            }
        }
    }
}

/// The URL with its password replaced, for messages.
fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        assert_eq!(super::mask("postgres://me:secret@db/app"), "postgres://me:***@db/app");
        assert_eq!(super::mask("sqlite://blog.db"), "sqlite://blog.db");
    }
}
