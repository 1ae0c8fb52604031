//! The two databases behind one `Store`: connecting, sharing an application's pool, opening
//! transactions, and listening for other processes' changes.

use std::sync::Arc;

use super::cache::Cache;
use super::error::{Result, StoreError};
use super::exec::Conn;
#[cfg(feature = "sqlite")]
use super::inline::{Inline, Reader};
use super::permission_ids::PermissionIds;
use super::statements::Statements;
use super::tx::{Open, Tx};

/// A connection pool to one of the supported databases; on a SQLite file in WAL mode, with the
/// synchronous connections of the hot paths beside it (see [`Inline`]). Each carries the map that
/// names the permission ids of its snapshots (see [`PermissionIds`]).
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool, Option<Arc<Inline>>, Arc<PermissionIds>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool, Arc<PermissionIds>),
}

/// A connection for the reads of the hot paths (a user's snapshot, the revision): on SQLite, an
/// inline read connection when there is one; a pooled connection otherwise.
#[derive(Debug)]
pub(crate) enum ReadConn<'a> {
    #[cfg(feature = "sqlite")]
    Inline(Reader<'a>, &'a PermissionIds),
    Pool(PoolConn, std::marker::PhantomData<&'a ()>),
}

impl ReadConn<'_> {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            ReadConn::Inline(reader, ids) => Conn::Inline(reader.conn(), ids),
            ReadConn::Pool(pooled, _) => pooled.conn(),
        }
    }
}

/// A connection taken from the pool for one read.
#[derive(Debug)]
pub(crate) enum PoolConn {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>, Arc<PermissionIds>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>, Arc<PermissionIds>),
}

impl PoolConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            PoolConn::Sqlite(conn, ids) => Conn::Sqlite(conn, ids),
            #[cfg(feature = "postgres")]
            PoolConn::Postgres(conn, ids) => Conn::Postgres(conn, ids),
        }
    }
}

/// Pool sizes; see [`StoreOptions`](super::StoreOptions).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoolSizes {
    pub(crate) max_connections: u32,
    pub(crate) min_connections: u32,
}

impl Backend {
    pub(crate) async fn connect(url: &str, sizes: PoolSizes) -> Result<Self> {
        let masked = mask(url);
        if url.starts_with("sqlite:") {
            #[cfg(feature = "sqlite")]
            return Self::connect_sqlite(url, &masked, sizes).await;
            #[cfg(not(feature = "sqlite"))]
            return Err(StoreError::Open {
                url: masked,
                why: "this build has no SQLite: enable permfw's `sqlite` feature".into(),
            });
        }
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            #[cfg(feature = "postgres")]
            return Self::connect_postgres(url, &masked, sizes).await;
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Open {
                url: masked,
                why: "this build has no PostgreSQL: enable permfw's `postgres` feature".into(),
            });
        }
        let _ = sizes;
        Err(StoreError::Open {
            url: masked,
            why: "expected `sqlite://path`, `sqlite::memory:` or `postgres://user@host/db`".into(),
        })
    }

    #[cfg(feature = "sqlite")]
    async fn connect_sqlite(url: &str, masked: &str, sizes: PoolSizes) -> Result<Self> {
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
            SqlitePoolOptions::new().max_connections(sizes.max_connections).min_connections(sizes.min_connections)
        };
        let pool = pool.test_before_acquire(false);
        let pool = pool.connect_with(options).await.map_err(open_error)?;
        Ok(Backend::from(pool))
    }

    /// On a SQLite file in WAL mode, opens the synchronous connections of the hot paths, with
    /// the pool's settings; elsewhere, leaves everything to the pool.
    pub(crate) async fn with_inline(self) -> Result<Self> {
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite(pool, None, ids) = &self {
            let mut conn = pool.acquire().await?;
            let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
            let (foreign_keys,): (bool,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(&mut *conn).await?;
            let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous").fetch_one(&mut *conn).await?;
            let (file,): (String,) = sqlx::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&mut *conn)
                .await?;
            drop(conn);
            // An in-memory database has no file; another journal mode would make readers and the
            // writer wait for each other.
            if !journal.eq_ignore_ascii_case("wal") || file.is_empty() {
                return Ok(self);
            }
            let settings = super::inline::Settings { foreign_keys, synchronous };
            let inline = Inline::open(std::path::Path::new(&file), settings)?;
            return Ok(Backend::Sqlite(pool.clone(), Some(Arc::new(inline)), Arc::clone(ids)));
        }
        Ok(self)
    }

    /// After a migration changed the schema on one of the pool's connections, makes every other
    /// connection of this process reload it.
    ///
    /// A SQLite connection keeps the schema it last read until a statement finds it stale. A
    /// `DELETE FROM auth_user` prepared on such a connection codes the FTS5 trigger of migration 3,
    /// whose table's constructor runs statements of its own while the `DELETE` is being prepared;
    /// under concurrent writes these fail with "database schema has changed" until SQLite gives
    /// up ("vtable constructor failed: auth_user_search", reported as "no such table:
    /// auth_user"). Observed with SQLite 3.51.3 (libsqlite3-sys 0.37); no upstream report found.
    /// A statement that reads `sqlite_schema` checks the schema version and reloads a stale
    /// schema; idle read connections are closed instead (new ones read the schema afresh).
    pub(crate) async fn refresh_schemas(&self) -> Result<()> {
        // Irrefutable in a build without PostgreSQL.
        #[cfg(feature = "sqlite")]
        #[allow(irrefutable_let_patterns)]
        if let Backend::Sqlite(pool, inline, _) = self {
            let mut held = Vec::new();
            while let Some(mut conn) = pool.try_acquire() {
                sqlx::raw_sql("SELECT count(*) FROM sqlite_schema").execute(&mut *conn).await?;
                held.push(conn);
            }
            if let Some(inline) = inline {
                inline.refresh_schemas().await?;
            }
        }
        Ok(())
    }

    #[cfg(feature = "postgres")]
    async fn connect_postgres(url: &str, masked: &str, sizes: PoolSizes) -> Result<Self> {
        // No ping before each use: it doubles the round trips of a snapshot load; a broken
        // connection fails its query instead, and the pool replaces it.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(sizes.max_connections)
            .min_connections(sizes.min_connections)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .test_before_acquire(false)
            .connect(url)
            .await
            .map_err(|err| StoreError::Open { url: masked.to_owned(), why: err.to_string() })?;
        Ok(Backend::from(pool))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(..) => false,
            #[cfg(feature = "postgres")]
            Backend::Postgres(..) => true,
        }
    }

    /// The statements of this backend's dialect.
    pub(crate) fn sql(&self) -> &'static Statements {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(..) => &super::sqlite::STATEMENTS,
            #[cfg(feature = "postgres")]
            Backend::Postgres(..) => &super::postgres::STATEMENTS,
        }
    }

    /// A connection for reads outside a transaction.
    pub(crate) async fn acquire(&self) -> Result<PoolConn> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(pool, _, ids) => PoolConn::Sqlite(pool.acquire().await?, Arc::clone(ids)),
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool, ids) => PoolConn::Postgres(pool.acquire().await?, Arc::clone(ids)),
        })
    }

    /// A connection for the reads of the hot paths; see [`ReadConn`].
    pub(crate) async fn read(&self) -> Result<ReadConn<'_>> {
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite(_, Some(inline), ids) = self {
            return Ok(ReadConn::Inline(inline.reader()?, ids));
        }
        Ok(ReadConn::Pool(self.acquire().await?, std::marker::PhantomData))
    }

    /// A write transaction; it rolls back when dropped uncommitted. Writes run one at a time,
    /// so that every rule holds under concurrency exactly as if the changes ran in turn: SQLite's
    /// `BEGIN IMMEDIATE` takes the database's write lock; on PostgreSQL, a transaction-scoped
    /// advisory lock, taken in the same round trip as `BEGIN`, does the same across processes.
    /// (Serializable transactions would let independent writes overlap, at the price of retries
    /// on every caller; permission changes are rare and short, and a lock is simpler to trust.)
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_, Some(inline), ids) => Tx::from(Open::Inline(inline.begin().await?, Arc::clone(ids))),
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(pool, None, ids) => {
                Tx::from(Open::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, Arc::clone(ids)))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool, ids) => {
                Tx::from(Open::Postgres(pool.begin_with(super::postgres::BEGIN_WRITE).await?, Arc::clone(ids)))
            }
        })
    }

    /// A transaction for a migration script (a plain `BEGIN`).
    pub(crate) async fn begin_plain(&self) -> Result<Tx> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(pool, _, ids) => Tx::from(Open::Sqlite(pool.begin().await?, Arc::clone(ids))),
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool, ids) => Tx::from(Open::Postgres(pool.begin().await?, Arc::clone(ids))),
        })
    }

    /// On PostgreSQL, listens for other processes' changes and drops cached snapshots older
    /// than the revision they announce.
    #[allow(clippy::unused_async)]
    pub(crate) async fn listen(&self, cache: Arc<Cache>) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(..) => {
                let _ = cache;
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool, _) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(super::postgres::CHANNEL).await?;
                let weak = Arc::downgrade(&cache);
                drop(cache);
                tokio::spawn(async move {
                    loop {
                        // An error means the pool is closed.
                        let Ok(received) = listener.try_recv().await else {
                            break;
                        };
                        let Some(cache) = weak.upgrade() else { break };
                        match received {
                            Some(notification) => {
                                let revision = notification.payload().parse().unwrap_or(i64::MAX);
                                cache.invalidate_before(revision);
                            }
                            // The connection was lost (the next call reconnects): changes
                            // announced meanwhile were missed, so no snapshot can be trusted.
                            None => cache.clear(),
                        }
                    }
                });
                Ok(())
            }
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<sqlx::SqlitePool> for Backend {
    fn from(pool: sqlx::SqlitePool) -> Self {
        Backend::Sqlite(pool, None, Arc::default())
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for Backend {
    fn from(pool: sqlx::PgPool) -> Self {
        Backend::Postgres(pool, Arc::default())
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
