//! A user's memberships as its page lists them (with their expiry), and the groups' names for
//! a picker: both read by index, neither counts members.

use super::error::{Result, StoreError};
use super::{Store, now_micros};

/// One group a user is a member of now.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MembershipRecord {
    /// The group's name.
    pub group: String,
    /// When the membership ends, in microseconds since the Unix epoch; `None` for good.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize_opt"))]
    pub expires_at: Option<i64>,
}

impl Store {
    /// The groups `username` is a member of now, by name, with each membership's expiry.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn memberships(&self, username: &str) -> Result<Vec<MembershipRecord>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        let id: Option<(i64,)> = conn.fetch_optional(sql.user_id, &[username.into()]).await?;
        let (id,) = id.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        let rows: Vec<(String, Option<i64>)> =
            conn.fetch_all(sql.user_memberships, &[id.into(), now_micros().into()]).await?;
        Ok(rows.into_iter().map(|(group, expires_at)| MembershipRecord { group, expires_at }).collect())
    }

    /// The first `limit` groups' names, sorted (for a picker: by the unique index on the name).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn group_names(&self, limit: u32) -> Result<Vec<String>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().group_names;
        let rows: Vec<(String,)> = conn.fetch_all(sql, &[i64::from(limit.max(1)).into()]).await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }
}
