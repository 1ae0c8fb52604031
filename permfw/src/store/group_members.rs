//! A group as its page shows it: its member count (kept by the database, never counted per
//! view), its members searched and in keyset pages, and what deleting it would take from them.

use super::built::Built;
use super::error::{Result, StoreError};
use super::exec::Conn;
use super::groups::GroupRecord;
use super::query::search_terms;
use super::{Store, UserRecord, now_micros};

/// A page of [`Store::group_member_page`]: keyset pagination by user id (the order accounts were
/// made), no count and no `OFFSET`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct MemberPage {
    pub(crate) after_id: i64,
    pub(crate) limit: Option<u32>,
    pub(crate) search: Option<String>,
}

impl MemberPage {
    /// The first page.
    pub fn first() -> Self {
        Self::default()
    }

    /// The page after the member with this user id.
    pub fn after_id(mut self, id: i64) -> Self {
        self.after_id = id;
        self
    }

    /// At most this many members (default 100, at most 1,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only members whose username or email contains this text, as the user list searches.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }
}

/// What deleting a group would take away, for the page that asks to confirm it.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupDeletion {
    /// The group, with its member count and permissions.
    pub group: GroupRecord,
    /// The first members (by user id), each with what it would lose.
    pub members: Vec<MemberLoss>,
    /// How many members are not in `members`.
    pub more: i64,
}

/// One member of a group being deleted, and the group's permissions it would lose.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberLoss {
    /// The member's username.
    pub username: String,
    /// A superuser holds every permission, so loses none.
    pub is_superuser: bool,
    /// The group's permissions it holds no other way (not directly, not through another
    /// group), as `app_label.codename`, sorted.
    pub loses: Vec<String>,
}

impl Store {
    /// The group named `name`: its member count (read from the count the database keeps, not
    /// counted) and its permissions.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn group_record(&self, name: &str) -> Result<GroupRecord> {
        let mut pooled = self.inner.backend.acquire().await?;
        Ok(summary(&mut pooled.conn(), name).await?.1)
    }

    /// A page of a group's current members, by user id, searched as the user list searches
    /// (username or email contains the text, any case). Reads the membership index
    /// `(group_id, user_id, expires_at)` from the page's key on, or the search's trigram index.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn group_member_page(&self, name: &str, page: MemberPage) -> Result<Vec<UserRecord>> {
        let limit = i64::from(page.limit.unwrap_or(100).clamp(1, 1000));
        let terms = page.search.as_deref().filter(|s| !s.is_empty()).map(search_terms);
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        let row: Option<(i64, i64)> = conn.fetch_optional(sql.group_summary, &[name.into()]).await?;
        let (group_id, _) = row.ok_or_else(|| StoreError::GroupNotFound(name.to_owned()))?;
        let mut built = Built::new(sql.select_group_member_page);
        built.push_bind(group_id).push(" AND (ug.expires_at IS NULL OR ug.expires_at > ");
        built.push_bind(now_micros()).push(") AND ug.user_id > ").push_bind(page.after_id);
        if let Some((pattern, phrase)) = &terms {
            (sql.search_users)(&mut built, pattern, phrase.as_deref());
        }
        built.push(" ORDER BY ug.user_id LIMIT ").push_bind(limit);
        let rows: Vec<(i64, String, String, bool, bool, bool, i64)> = conn.fetch_built(&built).await?;
        Ok(rows
            .into_iter()
            .map(|(id, username, email, is_active, is_staff, is_superuser, date_joined)| UserRecord {
                id,
                username,
                email,
                is_active,
                is_staff,
                is_superuser,
                date_joined,
            })
            .collect())
    }

    /// What deleting the group would take away: its permissions, and for its first `shown`
    /// members (by user id) which of them each would lose, being held no other way; how many
    /// more members there are comes from the kept count. Reads nothing of the members past
    /// `shown`. [`delete_group`](Self::delete_group) decides whether the actor may.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn group_deletion(&self, name: &str, shown: u32) -> Result<GroupDeletion> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let (group_id, group) = summary(&mut conn, name).await?;
        let sql = conn.sql();
        let args = [group_id.into(), now_micros().into(), i64::from(shown.clamp(1, 1000)).into()];
        let rows: Vec<(i64, String, bool, Option<String>)> = conn.fetch_all(sql.group_losses, &args).await?;
        let mut members: Vec<(i64, MemberLoss)> = Vec::new();
        for (id, username, is_superuser, perm) in rows {
            if members.last().is_none_or(|(last, _)| *last != id) {
                members.push((id, MemberLoss { username, is_superuser, loses: Vec::new() }));
            }
            if let (Some((_, member)), Some(perm)) = (members.last_mut(), perm) {
                member.loses.push(perm);
            }
        }
        let more = (group.members - members.len() as i64).max(0);
        Ok(GroupDeletion { group, members: members.into_iter().map(|(_, member)| member).collect(), more })
    }
}

/// The group's id, and the group with its kept member count and its permissions.
async fn summary(conn: &mut Conn<'_>, name: &str) -> Result<(i64, GroupRecord)> {
    let sql = conn.sql();
    let row: Option<(i64, i64)> = conn.fetch_optional(sql.group_summary, &[name.into()]).await?;
    let (id, members) = row.ok_or_else(|| StoreError::GroupNotFound(name.to_owned()))?;
    let perms: Vec<(String,)> = conn.fetch_all(sql.group_permissions, &[id.into()]).await?;
    let mut permissions: Vec<String> = perms.into_iter().map(|(p,)| p).collect();
    permissions.sort();
    Ok((id, GroupRecord { name: name.to_owned(), members, permissions }))
}
