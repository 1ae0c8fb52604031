//! The store: permissions, users, groups and grants in a database, SQLite by default and
//! PostgreSQL at scale, with Django's delegation rules and an audit trail.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), permfw::store::StoreError> {
//! use permfw::store::{Actor, Store};
//! use permfw::{HasPerms, User};
//!
//! let store = Store::open("sqlite::memory:").await?;
//! store.migrate().await?;
//! let root = store.create_superuser(&Actor::System, "root", "root@example.com", "s3cret-pass").await?;
//! let bob = store.create_user(&Actor::user(&root), "bob", "bob@example.com", None).await?;
//! store.grant_user(&Actor::user(&root), "bob", ["auth.view_user"]).await?;
//! assert!(store.get_user("bob").await?.has_perm(User::VIEW_USER));
//! assert!(!bob.has_perm(User::VIEW_USER), "a loaded user is a snapshot");
//! # Ok(()) }
//! ```

mod arg;
mod audit;
pub(crate) mod backend;
mod built;
mod bulk;
pub(crate) mod cache;
mod credentials;
mod error;
mod exec;
mod grants;
mod group_members;
mod groups;
#[cfg(feature = "sqlite")]
mod inline;
mod invitations;
mod matrix;
mod memberships;
mod outbox;
mod password;
mod permission_ids;
mod policies;
#[cfg(feature = "postgres")]
mod postgres;
mod query;
mod requests;
pub(crate) mod rules;
mod schema;
mod snapshot;
#[cfg(feature = "sqlite")]
mod sqlite;
mod statements;
mod sync;
mod throttle;
#[cfg(feature = "serde")]
pub(crate) mod time;
mod tx;
mod user_list;
mod users;
mod why;

use std::sync::Arc;

pub use self::audit::{AUDIT_ACTIONS, AuditEntry, Provenance, Stamp};
pub use self::bulk::{BulkAction, BulkLine, BulkOutcome, BulkReport};
pub use self::credentials::{NewToken, Session, SessionUser, TokenRecord, TokenUser};
pub use self::error::{Result, Rule, StoreError};
pub use self::grants::{EffectivePermission, UserDetail, UserRef};
pub use self::group_members::{GroupDeletion, MemberLoss, MemberPage};
pub use self::groups::GroupRecord;
pub use self::invitations::INVITATION_EVENT;
pub use self::matrix::{Cell, Matrix, MatrixOf, MatrixRow};
pub use self::memberships::MembershipRecord;
pub use self::outbox::OutboxMessage;
pub use self::policies::{PolicyRecord, RequestPolicy};
pub use self::query::{AuditQuery, UserKey, UserOrder, UserPage, UserUpdate, WithPerm};
pub use self::requests::{AccessRequest, Decision, RequestQuery, RequestStatus, SweepReport};
pub use self::sync::{PermissionRecord, PermissionStatus, SyncReport};
pub use self::user_list::UserList;
pub use self::users::UserRecord;
pub use self::why::{AccessFacts, Reason, Verdict};

use self::backend::{Backend, PoolSizes};
use self::cache::Cache;

/// Who makes a change: a user, under the delegation rules, or the system (scripts, migrations,
/// the command line without `--as`), which may do anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// Scripts and migrations: every rule but the single-superuser setting is waived.
    System,
    /// A user, by username; its rights are read inside the change's transaction.
    User(String),
}

impl Actor {
    /// The acting user, by the username of a loaded snapshot.
    #[must_use]
    pub fn user(user: &crate::User) -> Self {
        Actor::User(user.username().to_owned())
    }

    /// How the audit log names it.
    pub(crate) fn label(&self) -> &str {
        match self {
            Actor::System => "<system>",
            Actor::User(name) => name,
        }
    }
}

/// A sqlx connection pool that an application already has, to share with the store: a
/// `sqlx::SqlitePool` or a `sqlx::PgPool`, converted with `into()`.
#[derive(Clone, Debug)]
pub struct Pool(Backend);

#[cfg(feature = "sqlite")]
impl From<sqlx::SqlitePool> for Pool {
    fn from(pool: sqlx::SqlitePool) -> Self {
        Pool(Backend::from(pool))
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for Pool {
    fn from(pool: sqlx::PgPool) -> Self {
        Pool(Backend::from(pool))
    }
}

#[derive(Clone, Debug)]
enum Source {
    Url(String),
    Pool(Backend),
}

/// How to open a [`Store`]; see [`Store::options`] and [`Store::options_with_pool`].
#[derive(Clone, Debug)]
#[must_use]
pub struct StoreOptions {
    source: Source,
    allow_multiple_superusers: bool,
    cache_capacity: usize,
    max_connections: Option<u32>,
    min_connections: Option<u32>,
    login_throttle: throttle::Throttle,
}

impl StoreOptions {
    fn new(source: Source) -> Self {
        Self {
            source,
            allow_multiple_superusers: false,
            cache_capacity: 10_000,
            max_connections: None,
            min_connections: None,
            login_throttle: throttle::Throttle::default(),
        }
    }

    /// Whether more than one superuser may exist (default false: the guide's "there can only be
    /// one superuser").
    pub fn allow_multiple_superusers(mut self, allow: bool) -> Self {
        self.allow_multiple_superusers = allow;
        self
    }

    /// How many user snapshots to keep cached (default 10,000; 0 turns the cache off).
    pub fn cache_capacity(mut self, users: usize) -> Self {
        self.cache_capacity = users;
        self
    }

    /// The most connections the pool opens (default 8 on SQLite, 16 on PostgreSQL; an
    /// in-memory SQLite database always has one). Ignored for a shared pool, which keeps its own.
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.max_connections = Some(connections.max(1));
        self
    }

    /// The fewest connections the pool keeps open (default 1 on SQLite, 0 on PostgreSQL).
    /// Ignored for a shared pool.
    pub fn min_connections(mut self, connections: u32) -> Self {
        self.min_connections = Some(connections);
        self
    }

    /// How many login attempts a username, or a client address, gets per window before further
    /// ones are refused unchecked (default 5 per 15 minutes, django-axes' defaults). Counted in the
    /// database, so every process shares them.
    pub fn login_throttle(mut self, max_attempts: u32, window: std::time::Duration) -> Self {
        self.login_throttle = throttle::Throttle {
            max_attempts: i64::from(max_attempts.max(1)),
            window_secs: i64::try_from(window.as_secs()).unwrap_or(i64::MAX),
        };
        self
    }

    /// Opens the store: `sqlite://path` (the file is created when missing), `sqlite::memory:`,
    /// or `postgres://...`, or on the shared pool.
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] when the URL names no supported database or it cannot be reached.
    pub async fn open(self) -> Result<Store> {
        let backend = match &self.source {
            Source::Pool(backend) => backend.clone(),
            Source::Url(url) => {
                let postgres = url.starts_with("postgres");
                let sizes = PoolSizes {
                    max_connections: self.max_connections.unwrap_or(if postgres { 16 } else { 8 }),
                    min_connections: self.min_connections.unwrap_or(u32::from(!postgres)),
                };
                Backend::connect(url, sizes).await?
            }
        };
        let backend = backend.with_inline().await?;
        let cache = Arc::new(Cache::new(self.cache_capacity));
        backend.listen(Arc::clone(&cache)).await?;
        let outbox_written = tokio::sync::Notify::new();
        Ok(Store { inner: Arc::new(Inner { backend, cache, options: self, outbox_written }) })
    }
}

/// The store. Cheap to clone: clones share one pool and one cache.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: Backend,
    cache: Arc<Cache>,
    options: StoreOptions,
    /// Wakes this process's outbox workers after a commit that wrote notifications.
    outbox_written: tokio::sync::Notify,
}

impl Store {
    /// Opens a store with the default options; see [`StoreOptions::open`].
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] when the URL names no supported database or it cannot be reached.
    pub async fn open(url: &str) -> Result<Store> {
        Self::options(url).open().await
    }

    /// Options for opening a store at `url`.
    pub fn options(url: &str) -> StoreOptions {
        StoreOptions::new(Source::Url(url.to_owned()))
    }

    /// A store on a pool the application already has (a `sqlx::SqlitePool` or `sqlx::PgPool`),
    /// with the default options: the store and the application share its connections.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect("sqlite::memory:").await?;
    /// let store = permfw::store::Store::from_pool(pool.clone()).await?;
    /// store.migrate().await?;
    /// let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'auth_user'")
    ///     .fetch_one(&pool)
    ///     .await?;
    /// assert_eq!(tables, 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// A database error (on PostgreSQL, listening for other processes' changes).
    pub async fn from_pool(pool: impl Into<Pool>) -> Result<Store> {
        Self::options_with_pool(pool).open().await
    }

    /// Options for a store on a pool the application already has; see
    /// [`from_pool`](Self::from_pool).
    pub fn options_with_pool(pool: impl Into<Pool>) -> StoreOptions {
        StoreOptions::new(Source::Pool(pool.into().0))
    }

    /// Whether this store runs on PostgreSQL.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.inner.backend.is_postgres()
    }

    /// Applies the schema migrations this build knows, then syncs the registry into the
    /// permission table: adds what is missing, updates changed names and reports stale rows.
    ///
    /// # Errors
    ///
    /// [`StoreError::NewerSchema`] for a database migrated by a newer permfw, or a database error.
    pub async fn migrate(&self) -> Result<SyncReport> {
        schema::apply(&self.inner.backend).await?;
        self.sync_permissions(false).await
    }

    /// Like [`migrate`](Self::migrate), and also deletes stale permissions with their grants.
    ///
    /// # Errors
    ///
    /// As `migrate`.
    pub async fn migrate_pruning_stale(&self) -> Result<SyncReport> {
        schema::apply(&self.inner.backend).await?;
        self.sync_permissions(true).await
    }

    /// The schema version of the database (0 before the first `migrate`).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn schema_version(&self) -> Result<i64> {
        schema::version(&self.inner.backend).await
    }

    /// Commits a change to permissions, memberships or user flags: bumps the revision in the
    /// change's transaction, commits, and drops the snapshots the change made stale.
    pub(crate) async fn commit_change(&self, mut tx: tx::Tx) -> Result<()> {
        let revision = tx.bump_revision().await?;
        tx.commit().await?;
        self.inner.cache.invalidate_before(revision);
        Ok(())
    }

    /// The newest schema version this build knows.
    #[must_use]
    pub fn latest_schema_version() -> i64 {
        schema::LATEST
    }
}

/// A time as microseconds since the Unix epoch (0 before it, `i64::MAX` past year 294,000).
pub(crate) fn micros(time: std::time::SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

pub(crate) fn now_micros() -> i64 {
    micros(std::time::SystemTime::now())
}
