//! The access matrix: users by permissions, for a group (its members by its permissions) or an
//! app (the active holders of any of its permissions by its permissions), a page at a time by
//! user id, each cell saying whether the user holds the permission and how.

use std::collections::{BTreeMap, HashMap};

use super::built::Built;
use super::error::{Result, StoreError};
use super::grants::holders;
use super::query::WithPerm;
use super::tx::permission_id;
use super::{Store, now_micros};
use crate::{Permission, registry};

/// What a matrix is of; see [`Store::access_matrix`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatrixOf {
    /// A group: its members (active or not), by the group's permissions.
    Group(String),
    /// An app (`blog`): the active users holding any of its permissions (directly, through a
    /// group, or as superusers), by the app's permissions.
    App(String),
}

/// One user's access to one permission of the matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cell {
    /// Whether the user holds it now (`has_perm`): active, and a superuser or granted.
    pub holds: bool,
    /// As a superuser.
    pub superuser: bool,
    /// Granted directly.
    pub direct: bool,
    /// Through these groups, sorted.
    pub groups: Vec<String>,
}

impl Cell {
    /// How, for people: `superuser`, `direct`, `group Editors`, joined with `, `; empty for none.
    #[must_use]
    pub fn how(&self) -> String {
        let superuser = self.superuser.then(|| "superuser".to_owned());
        let direct = self.direct.then(|| "direct".to_owned());
        let groups = self.groups.iter().map(|group| format!("group {group}"));
        superuser.into_iter().chain(direct).chain(groups).collect::<Vec<_>>().join(", ")
    }
}

/// One user of the matrix, with a cell per permission (in the matrix's order).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MatrixRow {
    /// The user's id.
    pub id: i64,
    /// The username.
    pub username: String,
    /// Whether the account is active.
    pub is_active: bool,
    /// Whether the user is a superuser.
    pub is_superuser: bool,
    /// One per permission of the matrix.
    pub cells: Vec<Cell>,
}

/// A page of the access matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Matrix {
    /// The columns, sorted.
    pub permissions: Vec<Permission>,
    /// The users, by id.
    pub rows: Vec<MatrixRow>,
    /// The id to pass as `after_id` for the next page, while there is one.
    pub next_after: Option<i64>,
}

impl Store {
    /// A page of the access matrix of a group or an app: at most `limit` users (1 to 1,000)
    /// with ids above `after_id`, by id. Each user stream goes through an index in id order
    /// (a group's members; a permission's direct holders, the members of each group that has one
    /// of the app's permissions, the superusers), and the cells of the page are read in one
    /// query. An app no linked model declares has no permissions and no rows.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn access_matrix(&self, of: &MatrixOf, after_id: i64, limit: u32) -> Result<Matrix> {
        let limit = limit.clamp(1, 1_000);
        let wanted = i64::from(limit) + 1;
        let now = now_micros();
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql();
        let mut found: BTreeMap<i64, String> = BTreeMap::new();
        let permissions: Vec<Permission> = match of {
            MatrixOf::Group(name) => {
                let group: Option<(i64,)> = conn.fetch_optional(sql.group_id, &[name.into()]).await?;
                let (group_id,) = group.ok_or_else(|| StoreError::GroupNotFound(name.clone()))?;
                let all = WithPerm::default().is_active(None);
                found.extend(members(&mut conn, group_id, after_id, now, &all, wanted).await?);
                let perms: Vec<(String,)> = conn.fetch_all(sql.group_permissions, &[group_id.into()]).await?;
                let mut perms: Vec<Permission> = perms.iter().filter_map(|(p,)| registry().get(p)).collect();
                perms.sort();
                perms
            }
            MatrixOf::App(app) => {
                let perms: Vec<Permission> = registry().permissions().filter(|p| p.app_label() == app).collect();
                if perms.is_empty() {
                    return Ok(Matrix { permissions: perms, rows: Vec::new(), next_after: None });
                }
                let active = WithPerm::default();
                let mut superusers = Built::new(sql.select_superusers);
                superusers.push(" AND u.id > ").push_bind(after_id);
                found.extend(holders(&mut conn, superusers, &active, "u.id", wanted).await?);
                let mut groups = Vec::new();
                for perm in &perms {
                    let id = permission_id(&mut conn, &self.inner.cache, *perm).await?;
                    let mut direct = Built::new(sql.select_direct_holders);
                    direct.push_bind(id).push(" AND up.user_id > ").push_bind(after_id);
                    direct.push(" AND (up.expires_at IS NULL OR up.expires_at > ").push_bind(now).push(")");
                    found.extend(holders(&mut conn, direct, &active, "up.user_id", wanted).await?);
                    let with: Vec<(i64,)> = conn.fetch_all(sql.groups_with_permission, &[id.into()]).await?;
                    groups.extend(with.into_iter().map(|(group,)| group));
                }
                groups.sort_unstable();
                groups.dedup();
                for group in groups {
                    found.extend(members(&mut conn, group, after_id, now, &active, wanted).await?);
                }
                perms
            }
        };
        let more = found.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        let ids: Vec<i64> = found.into_keys().take(usize::try_from(limit).unwrap_or(usize::MAX)).collect();
        let next_after = if more { ids.last().copied() } else { None };
        if ids.is_empty() {
            return Ok(Matrix { permissions, rows: Vec::new(), next_after });
        }
        let json = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
        let users: Vec<(i64, String, bool, bool)> = conn.fetch_all(sql.users_by_ids, &[json.as_str().into()]).await?;
        let held: Vec<(i64, String, Option<String>)> =
            conn.fetch_all(sql.users_permissions, &[json.as_str().into(), now.into()]).await?;
        let column: HashMap<&str, usize> = permissions.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();
        let mut rows: BTreeMap<i64, MatrixRow> = users
            .into_iter()
            .map(|(id, username, is_active, is_superuser)| {
                let cell = Cell { holds: is_active && is_superuser, superuser: is_superuser, ..Cell::default() };
                let cells = vec![cell; permissions.len()];
                (id, MatrixRow { id, username, is_active, is_superuser, cells })
            })
            .collect();
        for (user, perm, group) in held {
            let (Some(row), Some(&at)) = (rows.get_mut(&user), column.get(perm.as_str())) else { continue };
            let cell = &mut row.cells[at];
            cell.holds = row.is_active;
            match group {
                Some(group) => cell.groups.push(group),
                None => cell.direct = true,
            }
        }
        for row in rows.values_mut() {
            for cell in &mut row.cells {
                cell.groups.sort();
                cell.groups.dedup();
            }
        }
        Ok(Matrix { permissions, rows: rows.into_values().collect(), next_after })
    }
}

/// Members of a group with ids above `after_id`, by id, `limit` of them.
async fn members(
    conn: &mut super::exec::Conn<'_>,
    group_id: i64,
    after_id: i64,
    now: i64,
    options: &WithPerm,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    let mut built = Built::new(conn.sql().select_group_members);
    built.push_bind(group_id).push(" AND ug.user_id > ").push_bind(after_id);
    built.push(" AND (ug.expires_at IS NULL OR ug.expires_at > ").push_bind(now).push(")");
    holders(conn, built, options, "ug.user_id", limit).await
}
