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

mod audit;
mod auth;
pub(crate) mod backend;
pub(crate) mod cache;
mod error;
mod groups;
mod password;
mod row;
pub(crate) mod rules;
mod schema;
mod sync;
#[cfg(feature = "serde")]
pub(crate) mod time;
pub(crate) mod users;

use std::sync::Arc;

pub use self::audit::{AuditEntry, AuditQuery};
pub use self::auth::{NewToken, Session, SessionUser};
pub use self::error::{Result, Rule, StoreError};
pub use self::groups::GroupRecord;
pub use self::sync::{PermissionRecord, PermissionStatus, SyncReport};
pub use self::users::{EffectivePermission, UserPage, UserRecord, UserRef, WithPerm};

use self::backend::Backend;
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

/// How to open a [`Store`]; see [`Store::options`].
#[derive(Clone, Debug)]
#[must_use]
pub struct StoreOptions {
    url: String,
    allow_multiple_superusers: bool,
    cache_capacity: usize,
}

impl StoreOptions {
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

    /// Opens the store: `sqlite://path` (the file is created when missing), `sqlite::memory:`,
    /// or `postgres://...`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] when the URL names no supported database or it cannot be reached.
    pub async fn open(self) -> Result<Store> {
        let backend = Backend::connect(&self.url).await?;
        let cache = Arc::new(Cache::new(self.cache_capacity));
        let store = Store { inner: Arc::new(Inner { backend, cache, options: self }) };
        store.inner.backend.listen(Arc::clone(&store.inner.cache)).await?;
        Ok(store)
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
        StoreOptions { url: url.to_owned(), allow_multiple_superusers: false, cache_capacity: 10_000 }
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

    /// Runs raw SQL, for tests that need to put the database in a state no API call makes.
    #[doc(hidden)]
    pub async fn __execute(&self, sql: &str) -> Result<()> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        backend::with_pool!(&self.inner.backend, pool => {
            sqlx::raw_sql(sql).execute(pool).await?;
        });
        Ok(())
    }

    /// The newest schema version this build knows.
    #[must_use]
    pub fn latest_schema_version() -> i64 {
        schema::LATEST
    }
}

pub(crate) fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}
