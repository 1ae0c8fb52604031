//! A bound value of either backend: the store's statements take their arguments as [`Arg`]s, so
//! that one call site serves both databases.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, Type};

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

/// A JSON array of strings, bound as one text value by the set-based statements over many names
/// (`json_each` on SQLite, `json_array_elements_text` on PostgreSQL).
pub(crate) fn json_array(items: &[&str]) -> String {
    serde_json::Value::from(items).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_arrays_escape_what_json_needs() {
        assert_eq!(super::json_array(&["a", "b\"c", "d\\e", "\n", "\u{1}"]), r#"["a","b\"c","d\\e","\n","\u0001"]"#);
        assert_eq!(super::json_array(&[]), "[]");
    }
}
