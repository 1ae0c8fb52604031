//! A write transaction on either database, with the steps every change takes: read the acting
//! user and the target inside the transaction, look up permission rows, write the audit row,
//! bump the revision, commit. Dropped uncommitted, it rolls back (sqlx's `Transaction` does).

use super::arg::Arg;
use super::audit::AuditRecord;
use super::cache::Cache;
use super::error::{Result, StoreError};
use super::exec::Conn;
use super::rules::{Acting, Target};
use super::snapshot::Snapshot;
use super::statements::Statements;
use super::{Actor, Rule, now_micros};
use crate::Permission;

/// A transaction of either backend; see [`Backend::begin`](super::backend::Backend::begin).
#[derive(Debug)]
pub(crate) struct Tx {
    open: Open,
    /// The revision a statement of this transaction bumped to already (a grant's, on PostgreSQL,
    /// which bumps in the statement that writes it): committing needs no bump of its own then.
    bumped: Option<i64>,
}

/// The open transaction of one backend.
#[derive(Debug)]
pub(crate) enum Open {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>, std::sync::Arc<super::permission_ids::PermissionIds>),
    /// On the synchronous write connection of a SQLite file; see [`inline`](super::inline).
    #[cfg(feature = "sqlite")]
    Inline(super::inline::InlineTx, std::sync::Arc<super::permission_ids::PermissionIds>),
    /// With the store's map of permission ids (see [`PermissionIds`](super::permission_ids::PermissionIds)).
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>, std::sync::Arc<super::permission_ids::PermissionIds>),
}

impl From<Open> for Tx {
    fn from(open: Open) -> Self {
        Tx { open, bumped: None }
    }
}

impl Tx {
    /// The transaction's connection, to run statements on.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.open {
            #[cfg(feature = "sqlite")]
            Open::Sqlite(tx, ids) => Conn::Sqlite(tx, ids),
            #[cfg(feature = "sqlite")]
            Open::Inline(tx, ids) => Conn::Inline(tx.conn(), ids),
            #[cfg(feature = "postgres")]
            Open::Postgres(tx, ids) => Conn::Postgres(tx, ids),
        }
    }

    /// The statements of this transaction's dialect.
    pub(crate) fn sql(&mut self) -> &'static Statements {
        self.conn().sql()
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        self.conn().execute(sql, args).await
    }

    /// Runs set-based statements over many rows in order, each with `args`; returns the last
    /// one's count. Inline on SQLite, they run on one of tokio's blocking threads, so as not to
    /// hold up the caller's.
    pub(crate) async fn execute_all_blocking(
        &mut self,
        statements: &'static [&'static str],
        args: &[Arg<'_>],
    ) -> Result<u64> {
        #[cfg(feature = "sqlite")]
        if let Open::Inline(tx, _) = &mut self.open {
            return tx.execute_blocking(statements, args).await;
        }
        let mut changed = 0;
        for statement in statements {
            changed = self.execute(statement, args).await?;
        }
        Ok(changed)
    }

    /// The acting side of a change, as the database holds it now.
    pub(crate) async fn acting(&mut self, actor: &Actor) -> Result<Acting> {
        match actor {
            Actor::System => Ok(Acting::System),
            Actor::User(name) => match Snapshot::load_by_name(&mut self.conn(), name).await? {
                Some(snapshot) => Ok(Acting::User(Box::new(snapshot.into_user()))),
                None => Err(StoreError::Refused(Rule::ActorInactive)),
            },
        }
    }

    /// The user a change targets, as the database holds it now.
    pub(crate) async fn target(&mut self, username: &str) -> Result<Snapshot> {
        Snapshot::load_by_name(&mut self.conn(), username)
            .await?
            .ok_or_else(|| StoreError::UserNotFound(username.to_owned()))
    }

    /// The row id of a synced permission; see [`permission_id`].
    pub(crate) async fn permission_id(&mut self, cache: &Cache, perm: Permission) -> Result<i64> {
        permission_id(&mut self.conn(), cache, perm).await
    }

    /// Writes one audit row, in this transaction.
    pub(crate) async fn audit(&mut self, actor: &Actor, record: AuditRecord<'_>) -> Result<()> {
        let sql = self.sql().insert_audit;
        let args = [
            now_micros().into(),
            actor.label().into(),
            record.action.into(),
            record.user.into(),
            record.group.into(),
            record.permission.into(),
            record.detail.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    /// Bumps the database's revision (on PostgreSQL, announced to other processes at commit);
    /// returns the new one. When a statement of this transaction bumped it already, that one.
    pub(crate) async fn bump_revision(&mut self) -> Result<i64> {
        if let Some(revision) = self.bumped {
            return Ok(revision);
        }
        let sql = self.sql().bump_revision;
        let (revision,): (i64,) = self.conn().fetch_one(sql, &[]).await?;
        Ok(revision)
    }

    /// A statement of this transaction bumped the revision to `revision` (and announced it).
    pub(crate) fn bumped(&mut self, revision: i64) {
        self.bumped = Some(revision);
    }

    /// The id of the user a change targets, and whether it is a superuser, as the database holds
    /// them now: all that the rules ask of a target whose permissions a change leaves aside.
    pub(crate) async fn target_ref(&mut self, username: &str) -> Result<Target> {
        let sql = self.sql().user_target;
        let row: Option<(i64, bool)> = self.conn().fetch_optional(sql, &[username.into()]).await?;
        let (id, superuser) = row.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        Ok(Target { id, superuser })
    }

    /// Refuses when a superuser exists: the single-superuser setting.
    pub(crate) async fn refuse_second_superuser(&mut self) -> Result<()> {
        let sql = self.sql().any_superuser;
        match self.conn().fetch_optional::<(String,)>(sql, &[]).await? {
            Some((existing,)) => Err(StoreError::SecondSuperuser { existing }),
            None => Ok(()),
        }
    }

    /// Commits the transaction.
    pub(crate) async fn commit(self) -> Result<()> {
        match self.open {
            #[cfg(feature = "sqlite")]
            Open::Sqlite(tx, _) => tx.commit().await?,
            #[cfg(feature = "sqlite")]
            Open::Inline(tx, _) => tx.commit()?,
            #[cfg(feature = "postgres")]
            Open::Postgres(tx, _) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The row id of a synced permission, remembered in the cache; `UnknownPermission` telling to
/// migrate when the row is missing.
///
/// The store keeps ids by name (`Cache::permission_id`). On SQLite an id can come to name another
/// permission (another process's `migrate` prunes the last row and inserts one, which gets its
/// id), so each lookup first reads the count of changes to `auth_permission` (migration 11; one
/// statement on the connection, under the write lock in a write transaction) and the cache is
/// dropped when the count moved: a grant writes, and a read lists, the permission it names. On
/// PostgreSQL every `migrate` takes the write lock, identity ids are never handed out twice and
/// no `migrate` renames a row, so the ids the cache holds stay right without a round trip more
/// (only another program's SQL could rename rows under it; see SECURITY.md).
pub(crate) async fn permission_id(conn: &mut Conn<'_>, cache: &Cache, perm: Permission) -> Result<i64> {
    if let Some(sql) = conn.sql().permission_changes {
        let (changes,): (i64,) = conn.fetch_one(sql, &[]).await?;
        cache.check_permission_ids(changes);
    }
    if let Some(id) = cache.permission_id(perm.as_str()) {
        return Ok(id);
    }
    let sql = conn.sql().permission_id;
    let row: Option<(i64,)> = conn.fetch_optional(sql, &[perm.app_label().into(), perm.codename().into()]).await?;
    let (id,) =
        row.ok_or_else(|| StoreError::UnknownPermission(format!("{perm} (not in the database: run `migrate`)")))?;
    cache.remember_permission_id(perm.as_str(), id);
    Ok(id)
}
