//! A statement with optional parts (filters, search), built fragment by fragment: the dialect
//! files add their own fragments, and [`Conn::fetch_built`](super::exec::Conn::fetch_built) runs it.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::arg::Arg;

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

    /// The statement with `?` placeholders and its arguments in order, for a driver that binds
    /// them itself.
    #[cfg(feature = "sqlite")]
    pub(crate) fn positional(&self) -> (String, Vec<Arg<'a>>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        for part in &self.parts {
            match part {
                Part::Sql(fragment) => sql.push_str(fragment),
                Part::Bind(arg) => {
                    sql.push('?');
                    args.push(*arg);
                }
            }
        }
        (sql, args)
    }

    pub(crate) fn builder<DB: Database>(&self) -> QueryBuilder<DB>
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
