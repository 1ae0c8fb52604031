//! SQLite on the caller's thread: the synchronous connections (rusqlite) of the store's hot paths
//! on a database file in WAL mode, beside sqlx's pool.
//!
//! sqlx runs each SQLite statement on a worker thread, and the hand-off costs more than the
//! statements of a snapshot or a grant (`benches/benches/driver.rs` measures both). A snapshot
//! read takes a read connection from [`Inline::reader`], a write transaction the one write
//! connection through [`Inline::begin`], and both run their statements inline:
//!
//! - **Never a blocked thread.** In WAL mode readers never wait for the writer. Writers of this
//!   store wait for the write connection asynchronously (a `tokio` mutex); `BEGIN IMMEDIATE`
//!   fails at once when another connection (sqlx's pool, another process) holds the database's
//!   write lock, and is retried after an asynchronous sleep, for as long as sqlx's connections
//!   wait (30 s). Bulk statements run on tokio's blocking threads.
//! - **The same write serialisation.** `BEGIN IMMEDIATE` takes the same lock as sqlx's
//!   connections, so every rule holds across both drivers and across processes.
//! - **Checkpoints off the commit.** The write connection does not checkpoint the WAL when it
//!   commits (a checkpoint syncs the files: milliseconds that the unlucky commit would pay, 35
//!   µs of a grant's median becoming 300 µs of its mean); a thread of its own does, once the WAL
//!   passes 1,000 pages, as SQLite's automatic checkpoint would, and starts a long WAL over.
//!
//! Only a file database in WAL mode gets these connections (the store sets WAL on the files it
//! opens); an in-memory database, or a shared pool in another journal mode, runs everything
//! through sqlx. rusqlite 0.39 links the same `libsqlite3-sys` (0.37) as sqlx-sqlite 0.9: one
//! SQLite library in the process.

use std::borrow::Cow;
use std::cell::Cell;
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OpenFlags, ToSql};

use super::arg::Arg;
use super::error::{Result, StoreError};

/// How long a writer waits for another connection's write lock, as sqlx's connections do.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The WAL size past which the checkpoint thread checkpoints: SQLite's default of 1,000 pages.
const CHECKPOINT_PAGES: i32 = 1000;
/// The WAL size past which the checkpoint thread starts the WAL over once it has copied it.
const RESTART_PAGES: i32 = 10 * CHECKPOINT_PAGES;
/// How long the checkpoint thread waits for readers to leave a WAL it starts over.
const RESTART_WAIT: Duration = Duration::from_millis(20);
/// Read connections kept for reuse.
const IDLE_READERS: usize = 8;

/// The synchronous connections to one database file.
#[derive(Debug)]
pub(crate) struct Inline {
    path: PathBuf,
    settings: Settings,
    readers: Mutex<Vec<Connection>>,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    /// Wakes the checkpoint thread after a commit; it ends when this is dropped.
    committed: SyncSender<()>,
}

/// The pool's settings that the synchronous connections copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) foreign_keys: bool,
    /// `PRAGMA synchronous`: 0 off, 1 normal, 2 full, 3 extra.
    pub(crate) synchronous: i64,
}

impl Inline {
    /// Opens the connections to `path`, a database that sqlx's pool holds in WAL mode.
    pub(crate) fn open(path: &Path, settings: Settings) -> Result<Self> {
        let writer = connect(path, settings, false)?;
        // Replaces the automatic checkpoint: commits count the WAL's pages, and the checkpoint
        // thread checkpoints.
        writer.wal_hook(Some(count_wal_pages));
        writer.busy_timeout(Duration::ZERO)?;
        writer.set_prepared_statement_cache_capacity(128);
        let checkpointer = connect(path, settings, false)?;
        checkpointer.busy_timeout(RESTART_WAIT)?;
        let (committed, wakes) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("permfw-checkpoint".into())
            .spawn(move || checkpoint_when_woken(&checkpointer, &wakes))
            .map_err(|err| StoreError::Open { url: path.display().to_string(), why: err.to_string() })?;
        Ok(Self {
            path: path.to_owned(),
            settings,
            readers: Mutex::new(Vec::new()),
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            committed,
        })
    }

    /// Makes the write connection reload a schema that a migration changed, and closes the idle
    /// read connections; see `Backend::refresh_schemas`.
    pub(crate) async fn refresh_schemas(&self) -> Result<()> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner).clear();
        let conn = self.writer.lock().await;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(())
    }

    /// A read connection (read-only), returned for reuse when dropped.
    pub(crate) fn reader(&self) -> Result<Reader<'_>> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path, self.settings, true)?,
        };
        Ok(Reader { inline: self, conn: Some(conn) })
    }

    /// A write transaction on the write connection, holding the database's write lock.
    pub(crate) async fn begin(&self) -> Result<InlineTx> {
        let conn = Arc::clone(&self.writer).lock_owned().await;
        if !conn.is_autocommit() {
            // A transaction whose task was cancelled while a blocking statement ran.
            conn.execute_batch("ROLLBACK")?;
        }
        let started = Instant::now();
        let mut pause = Duration::from_micros(500);
        loop {
            match conn.execute_batch("BEGIN IMMEDIATE") {
                Ok(()) => break,
                Err(err) if is_busy(&err) && started.elapsed() < BUSY_TIMEOUT => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(InlineTx { conn: Some(conn), committed: self.committed.clone() })
    }
}

/// A read connection; see [`Inline::reader`].
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    inline: &'a Inline,
    conn: Option<Connection>,
}

impl Reader<'_> {
    pub(crate) fn conn(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a reader holds its connection until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut idle = self.inline.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// A write transaction on the write connection; it rolls back when dropped uncommitted.
#[derive(Debug)]
pub(crate) struct InlineTx {
    /// `None` only while a blocking statement runs on another thread.
    conn: Option<tokio::sync::OwnedMutexGuard<Connection>>,
    committed: SyncSender<()>,
}

impl InlineTx {
    pub(crate) fn conn(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a transaction holds its connection until it ends")
    }

    /// Runs statements in order on one of tokio's blocking threads, for set-based statements
    /// over many rows that would hold up the caller's thread; returns the last one's count.
    pub(crate) async fn execute_blocking(
        &mut self,
        statements: &'static [&'static str],
        args: &[Arg<'_>],
    ) -> Result<u64> {
        let args: Vec<Value> = args.iter().map(|arg| arg.to_value()).collect();
        let conn = self.conn.take().expect("a transaction holds its connection until it ends");
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = statements.iter().try_fold(0, |_, sql| execute(&conn, sql, &args));
            (conn, result)
        })
        .await
        .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?;
        self.conn = Some(conn);
        result
    }

    pub(crate) fn commit(mut self) -> Result<()> {
        WAL_PAGES.set(0);
        let conn = self.conn.take().expect("a transaction holds its connection until it ends");
        conn.execute_batch("COMMIT")?;
        if WAL_PAGES.get() >= CHECKPOINT_PAGES {
            // Full: a checkpoint is already due. Disconnected: the store is closing.
            let _ = self.committed.try_send(());
        }
        Ok(())
    }
}

impl Drop for InlineTx {
    fn drop(&mut self) {
        if let Some(conn) = &self.conn
            && !conn.is_autocommit()
        {
            // Nothing else to do with an error here: the next transaction rolls back first.
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

/// Runs a statement of the store's SQLite dialect; returns how many rows it changed.
pub(crate) fn execute(conn: &Connection, sql: &str, args: &[impl ToSql]) -> Result<u64> {
    let mut statement = conn.prepare_cached(sql)?;
    bind(&mut statement, args)?;
    let mut rows = statement.raw_query();
    while rows.next()?.is_some() {}
    Ok(conn.changes())
}

/// Every row of a query, decoded as `T`.
pub(crate) fn fetch_all<T>(conn: &Connection, sql: &str, args: &[impl ToSql]) -> Result<Vec<T>>
where
    T: for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>,
{
    let mut statement = conn.prepare_cached(sql)?;
    bind(&mut statement, args)?;
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(T::try_from(row)?);
    }
    Ok(out)
}

/// The first row of a query, if any.
pub(crate) fn fetch_optional<T>(conn: &Connection, sql: &str, args: &[impl ToSql]) -> Result<Option<T>>
where
    T: for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>,
{
    let mut statement = conn.prepare_cached(sql)?;
    bind(&mut statement, args)?;
    let mut rows = statement.raw_query();
    Ok(rows.next()?.map(T::try_from).transpose()?)
}

/// Binds `args` as sqlx-sqlite does: `$N` and `?N` take argument N, whatever their order, so a
/// statement may use a subset of the arguments; a bare `?` takes the next one.
fn bind(statement: &mut rusqlite::Statement<'_>, args: &[impl ToSql]) -> Result<()> {
    let mut next = 0;
    for index in 1..=statement.parameter_count() {
        let number = match statement.parameter_name(index) {
            Some(name) => name[1..].parse::<usize>().map_err(|_| unsupported(name))?,
            None => {
                next += 1;
                next
            }
        };
        // As in sqlx: a parameter past the arguments is NULL.
        if let Some(arg) = number.checked_sub(1).and_then(|n| args.get(n)) {
            statement.raw_bind_parameter(index, arg)?;
        }
    }
    Ok(())
}

fn unsupported(name: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("unsupported SQL parameter `{name}`: number it, `$1`")))
}

fn connect(path: &Path, settings: Settings, read_only: bool) -> Result<Connection> {
    let flags = if read_only { OpenFlags::SQLITE_OPEN_READ_ONLY } else { OpenFlags::SQLITE_OPEN_READ_WRITE };
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", settings.foreign_keys)?;
    conn.pragma_update(None, "synchronous", settings.synchronous)?;
    Ok(conn)
}

thread_local! {
    /// The WAL's size in pages after the last commit on this thread, as SQLite's WAL hook tells
    /// it: a commit runs on the caller's thread, and reads it right after `COMMIT`.
    static WAL_PAGES: Cell<i32> = const { Cell::new(0) };
}

fn count_wal_pages(_: &rusqlite::hooks::Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.set(pages);
    Ok(())
}

/// The checkpoint thread: checkpoints when a commit found the WAL past [`CHECKPOINT_PAGES`]
/// (`PASSIVE`, as SQLite's automatic checkpoint: it never waits for readers or writers), and
/// starts the WAL over once it has copied a WAL past [`RESTART_PAGES`]. Ends when the store's
/// connections are dropped.
///
/// The WAL starts over only when a writer begins right after a complete checkpoint, which
/// writes that never pause never see, so this thread restarts it (`RESTART`: it waits up to
/// [`RESTART_WAIT`] for the readers still on the WAL, holding writers back meanwhile; busy, the
/// next wake tries again). The writer used to restart it itself when its commit found the WAL
/// that long: a bulk grant to 100,000 users then copied its 80,000 pages into the database
/// before returning, a second of its 2.7.
fn checkpoint_when_woken(conn: &Connection, wakes: &Receiver<()>) {
    while wakes.recv().is_ok() {
        // A failed checkpoint leaves the WAL to the next one: (busy, WAL pages, copied pages).
        let checkpoint = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i32>(0)?, row.get::<_, i32>(1)?, row.get::<_, i32>(2)?))
        });
        let Ok((0, pages, copied)) = checkpoint else { continue };
        if pages >= RESTART_PAGES && copied == pages {
            let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Arg::Int(v) | Arg::OptInt(Some(v)) => ToSqlOutput::from(v),
            Arg::Text(v) | Arg::OptText(Some(v)) => ToSqlOutput::from(v),
            Arg::Bool(v) | Arg::OptBool(Some(v)) => ToSqlOutput::from(v),
            Arg::OptInt(None) | Arg::OptText(None) | Arg::OptBool(None) => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

impl Arg<'_> {
    fn to_value(self) -> Value {
        match self {
            Arg::Int(v) | Arg::OptInt(Some(v)) => Value::Integer(v),
            Arg::Text(v) | Arg::OptText(Some(v)) => Value::Text(v.to_owned()),
            Arg::Bool(v) | Arg::OptBool(Some(v)) => Value::Integer(i64::from(v)),
            Arg::OptInt(None) | Arg::OptText(None) | Arg::OptBool(None) => Value::Null,
        }
    }
}

/// A rusqlite error as the sqlx error the store reports, with the same kind of constraint
/// violation.
#[derive(Debug)]
struct InlineError {
    message: String,
    code: Option<i32>,
}

impl std::fmt::Display for InlineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InlineError {}

impl sqlx::error::DatabaseError for InlineError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        self.code.map(|code| Cow::Owned(code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => sqlx::error::ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => sqlx::error::ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        let code = match &err {
            rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
            _ => None,
        };
        StoreError::Database(sqlx::Error::Database(Box::new(InlineError { message: err.to_string(), code })))
    }
}
