//! Reading columns the same way from either backend's rows.

use sqlx::Row;

use super::error::Result;

pub(crate) trait RowExt {
    fn int(&self, index: usize) -> Result<i64>;
    fn text(&self, index: usize) -> Result<Option<String>>;
    fn flag(&self, index: usize) -> Result<bool>;
}

macro_rules! row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn int(&self, index: usize) -> Result<i64> {
                Ok(self.try_get::<i64, _>(index)?)
            }
            fn text(&self, index: usize) -> Result<Option<String>> {
                Ok(self.try_get::<Option<String>, _>(index)?)
            }
            fn flag(&self, index: usize) -> Result<bool> {
                Ok(self.try_get::<bool, _>(index)?)
            }
        }
    };
}

#[cfg(feature = "sqlite")]
row_ext!(sqlx::sqlite::SqliteRow);
#[cfg(feature = "postgres")]
row_ext!(sqlx::postgres::PgRow);
