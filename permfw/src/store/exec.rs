//! Running a statement on either database: the one place that matches on the backend to execute
//! SQL, as sqlx's `any` driver does. Callers pass a statement of their dialect (see
//! [`Statements`](super::statements::Statements)) and its arguments as [`Arg`]s.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::error::Result;
use super::statements::Statements;

/// One bound value. Each backend encodes it as the plain Rust value it holds would be.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    OptBool(Option<bool>),
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(value: Option<i64>) -> Self {
        Arg::OptInt(value)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Arg::Text(value)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Arg::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Arg::OptText(value)
    }
}

impl From<bool> for Arg<'_> {
    fn from(value: bool) -> Self {
        Arg::Bool(value)
    }
}

impl From<Option<bool>> for Arg<'_> {
    fn from(value: Option<bool>) -> Self {
        Arg::OptBool(value)
    }
}

/// `Encode` and `Type` for [`Arg`] on one backend, by the value it holds.
fn encode<'q, DB: Database>(arg: &Arg<'_>, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError>
where
    i64: Encode<'q, DB>,
    for<'s> &'s str: Encode<'q, DB>,
    bool: Encode<'q, DB>,
{
    match *arg {
        Arg::Int(v) => v.encode_by_ref(buf),
        Arg::Text(v) => v.encode_by_ref(buf),
        Arg::Bool(v) => v.encode_by_ref(buf),
        Arg::OptInt(None) | Arg::OptText(None) | Arg::OptBool(None) => Ok(IsNull::Yes),
        Arg::OptInt(Some(v)) => v.encode_by_ref(buf),
        Arg::OptText(Some(v)) => v.encode_by_ref(buf),
        Arg::OptBool(Some(v)) => v.encode_by_ref(buf),
    }
}

fn type_of<DB: Database>(arg: &Arg<'_>) -> DB::TypeInfo
where
    i64: Type<DB>,
    str: Type<DB>,
    bool: Type<DB>,
{
    match arg {
        Arg::Int(_) | Arg::OptInt(_) => i64::type_info(),
        Arg::Text(_) | Arg::OptText(_) => str::type_info(),
        Arg::Bool(_) | Arg::OptBool(_) => bool::type_info(),
    }
}

#[cfg(feature = "sqlite")]
impl Encode<'_, sqlx::Sqlite> for Arg<'_> {
    fn encode_by_ref(&self, buf: &mut sqlx::sqlite::SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        encode::<sqlx::Sqlite>(self, buf)
    }

    fn produces(&self) -> Option<sqlx::sqlite::SqliteTypeInfo> {
        Some(type_of::<sqlx::Sqlite>(self))
    }
}

#[cfg(feature = "sqlite")]
impl Type<sqlx::Sqlite> for Arg<'_> {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <str as Type<sqlx::Sqlite>>::type_info()
    }
}

#[cfg(feature = "postgres")]
impl Encode<'_, sqlx::Postgres> for Arg<'_> {
    fn encode_by_ref(&self, buf: &mut sqlx::postgres::PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        encode::<sqlx::Postgres>(self, buf)
    }

    fn produces(&self) -> Option<sqlx::postgres::PgTypeInfo> {
        Some(type_of::<sqlx::Postgres>(self))
    }
}

#[cfg(feature = "postgres")]
impl Type<sqlx::Postgres> for Arg<'_> {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <str as Type<sqlx::Postgres>>::type_info()
    }
}

/// A row type that either backend decodes (tuples of `i64`, `String`, `bool` and their
/// `Option`s).
pub(crate) trait FromRow: Send + Unpin + FromSqliteRow + FromPgRow {}
impl<T: Send + Unpin + FromSqliteRow + FromPgRow> FromRow for T {}

#[cfg(feature = "sqlite")]
pub(crate) trait FromSqliteRow: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> {}
#[cfg(feature = "sqlite")]
impl<T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>> FromSqliteRow for T {}
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

/// A statement with optional parts, built fragment by fragment and run through sqlx's
/// `QueryBuilder`, which numbers the placeholders for the backend.
#[derive(Debug)]
pub(crate) struct Built<'a> {
    parts: Vec<Part<'a>>,
}

#[derive(Debug)]
enum Part<'a> {
    Sql(&'a str),
    Bind(Arg<'a>),
}

impl<'a> Built<'a> {
    pub(crate) fn new(sql: &'a str) -> Self {
        Self { parts: vec![Part::Sql(sql)] }
    }

    pub(crate) fn push(&mut self, sql: &'a str) -> &mut Self {
        self.parts.push(Part::Sql(sql));
        self
    }

    pub(crate) fn push_bind(&mut self, arg: impl Into<Arg<'a>>) -> &mut Self {
        self.parts.push(Part::Bind(arg.into()));
        self
    }

    fn builder<DB: Database>(&self) -> QueryBuilder<DB>
    where
        DB::Arguments: Default,
        for<'b> Arg<'b>: Encode<'b, DB> + Type<DB>,
    {
        let mut builder = QueryBuilder::new("");
        for part in &self.parts {
            match part {
                Part::Sql(sql) => builder.push(sql),
                Part::Bind(arg) => builder.push_bind(*arg),
            };
        }
        builder
    }
}

/// A connection of either backend: a pooled one, or the one a transaction holds.
#[derive(Debug)]
pub(crate) enum Conn<'c> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'c mut sqlx::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(&'c mut sqlx::PgConnection),
}

impl Conn<'_> {
    /// The statements of this connection's dialect.
    pub(crate) fn sql(&self) -> &'static Statements {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_) => &super::sqlite::STATEMENTS,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => &super::postgres::STATEMENTS,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => bind(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => bind(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
        })
    }

    /// Every row of a query.
    pub(crate) async fn fetch_all<T: FromRow>(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => bind_as(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => bind_as(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
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
            Conn::Sqlite(conn) => bind_as(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => bind_as(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
        })
    }

    /// The one row of a query; an error when there is none.
    pub(crate) async fn fetch_one<T: FromRow>(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<T> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => bind_as(sqlx::query_as(sql), args).fetch_one(&mut **conn).await?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => bind_as(sqlx::query_as(sql), args).fetch_one(&mut **conn).await?,
        })
    }

    /// Every row of a built statement.
    pub(crate) async fn fetch_built<T: FromRow>(&mut self, built: &Built<'_>) -> Result<Vec<T>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => built.builder::<sqlx::Sqlite>().build_query_as().fetch_all(&mut **conn).await?,
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => built.builder::<sqlx::Postgres>().build_query_as().fetch_all(&mut **conn).await?,
        })
    }

    /// Runs a script of several statements (a migration).
    pub(crate) async fn execute_script(&mut self, sql: &'static str) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut **conn).await?;
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => {
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
