//! Running a statement on either database: the one place that matches on the backend to execute
//! SQL, as sqlx's `any` driver does. Callers pass a statement of their dialect (see
//! [`Statements`](super::statements::Statements)) and its arguments as [`Arg`]s, or a [`Built`]
//! statement. On SQLite a statement runs through sqlx's pool, or inline on a synchronous
//! connection of the hot paths (see [`inline`](super::inline)).

use sqlx::{Database, Encode, Type};

use super::arg::Arg;
use super::built::Built;
use super::error::Result;
#[cfg(feature = "sqlite")]
use super::inline;
use super::permission_ids::PermissionIds;
use super::statements::Statements;

/// A row type that either backend decodes (tuples of `i64`, `String`, `bool` and their
/// `Option`s).
pub(crate) trait FromRow: Send + Unpin + FromSqliteRow + FromPgRow {}
impl<T: Send + Unpin + FromSqliteRow + FromPgRow> FromRow for T {}

#[cfg(feature = "sqlite")]
pub(crate) trait FromSqliteRow:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>
{
}
#[cfg(feature = "sqlite")]
impl<T> FromSqliteRow for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>
{
}
#[cfg(not(feature = "sqlite"))]
pub(crate) trait FromSqliteRow {}
#[cfg(not(feature = "sqlite"))]
impl<T> FromSqliteRow for T {}

#[cfg(feature = "postgres")]
pub(crate) trait FromPgRow: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> {}
#[cfg(feature = "postgres")]
impl<T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>> FromPgRow for T {}
#[cfg(not(feature = "postgres"))]
pub(crate) trait FromPgRow {}
#[cfg(not(feature = "postgres"))]
impl<T> FromPgRow for T {}

/// A connection of either backend: a pooled one, or the one a transaction holds; on SQLite, or
/// a synchronous one, whose statements run inline. Each comes with the store's map of permission
/// row ids, which names the permissions of snapshots.
#[derive(Debug)]
pub(crate) enum Conn<'c> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'c mut sqlx::SqliteConnection, &'c PermissionIds),
    #[cfg(feature = "sqlite")]
    Inline(&'c mut rusqlite::Connection, &'c PermissionIds),
    #[cfg(feature = "postgres")]
    Postgres(&'c mut sqlx::PgConnection, &'c PermissionIds),
}

impl<'c> Conn<'c> {
    /// The statements of this connection's dialect.
    pub(crate) fn sql(&self) -> &'static Statements {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(..) | Conn::Inline(..) => &super::sqlite::STATEMENTS,
            #[cfg(feature = "postgres")]
            Conn::Postgres(..) => &super::postgres::STATEMENTS,
        }
    }

    /// The map that names the permission ids of snapshots.
    pub(crate) fn permission_ids(&self) -> &'c PermissionIds {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_, ids) | Conn::Inline(_, ids) => ids,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_, ids) => ids,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => bind(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => inline::execute(conn, sql, args)?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => bind(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
        })
    }

    /// Every row of a query.
    pub(crate) async fn fetch_all<T: FromRow>(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => inline::fetch_all(conn, sql, args)?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
        })
    }

    /// The first row of a query, if any.
    pub(crate) async fn fetch_optional<T: FromRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Option<T>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => inline::fetch_optional(conn, sql, args)?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
        })
    }

    /// The one row of a query; an error when there is none.
    pub(crate) async fn fetch_one<T: FromRow>(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<T> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_one(&mut **conn).await?,
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => inline::fetch_optional(conn, sql, args)?.ok_or(sqlx::Error::RowNotFound)?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => bind_as(sqlx::query_as(sql), args).fetch_one(&mut **conn).await?,
        })
    }

    /// Every row of a built statement.
    pub(crate) async fn fetch_built<T: FromRow>(&mut self, built: &Built<'_>) -> Result<Vec<T>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => built.builder::<sqlx::Sqlite>().build_query_as().fetch_all(&mut **conn).await?,
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => {
                let (sql, args) = built.positional();
                inline::fetch_all(conn, &sql, &args)?
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => {
                built.builder::<sqlx::Postgres>().build_query_as().fetch_all(&mut **conn).await?
            }
        })
    }

    /// Runs a script of several statements (a migration).
    pub(crate) async fn execute_script(&mut self, sql: &'static str) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn, _) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut **conn).await?;
            }
            #[cfg(feature = "sqlite")]
            Conn::Inline(conn, _) => conn.execute_batch(sql)?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn, _) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut **conn).await?;
            }
        }
        Ok(())
    }
}

fn bind<'q, DB: Database>(
    mut query: sqlx::query::Query<'q, DB, DB::Arguments>,
    args: &[Arg<'q>],
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    for<'b> Arg<'b>: Encode<'b, DB> + Type<DB>,
{
    for arg in args {
        query = query.bind(*arg);
    }
    query
}

fn bind_as<'q, DB: Database, T>(
    mut query: sqlx::query::QueryAs<'q, DB, T, DB::Arguments>,
    args: &[Arg<'q>],
) -> sqlx::query::QueryAs<'q, DB, T, DB::Arguments>
where
    for<'b> Arg<'b>: Encode<'b, DB> + Type<DB>,
{
    for arg in args {
        query = query.bind(*arg);
    }
    query
}
