//! A user's snapshot: loaded in one statement and one row (see `snapshot_by_name` in the
//! dialect files), decoded into a [`User`].
//!
//! The row gives the permission rows' ids, and the store names them from its map of them
//! ([`PermissionIds`]): joining `auth_permission` for each direct grant and each group's
//! permission cost a cold snapshot more than half of its time at 1,000,000 users (README, "The
//! store at scale"). The row carries the count of changes to `auth_permission` that it was read
//! at; the map is used only at the same count, and read again otherwise.

use std::collections::BTreeMap;

use super::arg::Arg;
use super::error::{Result, StoreError};
use super::exec::Conn;
use super::now_micros;
use super::permission_ids::IdMap;
use super::rules::Target;
use crate::{Group, Permission, User, registry};

/// The row: id, username, email, is_active, is_staff, is_superuser, revision, the count of
/// changes to `auth_permission`, direct permissions, groups, the earliest expiry.
type Row = (i64, String, String, bool, bool, bool, i64, i64, Option<String>, Option<String>, Option<i64>);

/// How many times a snapshot is read again when `auth_permission` changed while it was read.
const ATTEMPTS: usize = 5;

/// A user as the database holds it, before it becomes a `User`. Permissions that no linked model
/// declares (stale rows) are left out: they grant nothing.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) id: i64,
    username: String,
    email: String,
    active: bool,
    staff: bool,
    superuser: bool,
    pub(crate) revision: i64,
    /// When a grant or membership it holds expires first: the snapshot is stale from then on.
    pub(crate) valid_until: Option<i64>,
    direct: Vec<Permission>,
    groups: BTreeMap<String, Vec<Permission>>,
}

/// Reads every permission row again into the store's map, on `conn`.
async fn reload(conn: &mut Conn<'_>) -> Result<()> {
    let sql = conn.sql().permission_map;
    let rows: Vec<(Option<i64>, Option<String>, i64)> = conn.fetch_all(sql, &[]).await?;
    let registry = registry();
    let changes = rows.first().map(|(_, _, changes)| *changes);
    let by_id = rows.into_iter().filter_map(|(id, name, _)| Some((id?, registry.get(&name?)))).collect();
    conn.permission_ids().replace(IdMap { changes, by_id });
    Ok(())
}

/// The permissions of a space-separated list of row ids; an id the map does not know is a row
/// deleted meanwhile (it grants nothing).
fn permissions(map: &IdMap, list: &str) -> impl Iterator<Item = Permission> {
    list.split(' ').filter_map(|token| token.parse::<i64>().ok()).filter_map(|id| map.by_id.get(&id).copied().flatten())
}

impl Snapshot {
    pub(crate) async fn load_by_name(conn: &mut Conn<'_>, username: &str) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_name;
        Self::load(conn, sql, username.into()).await
    }

    pub(crate) async fn load_by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_id;
        Self::load(conn, sql, id.into()).await
    }

    /// Reads the row, and names its permissions from the map when the map was read at the row's
    /// count of changes to `auth_permission`; otherwise reads the map, then the row, again.
    async fn load(conn: &mut Conn<'_>, sql: &'static str, key: Arg<'_>) -> Result<Option<Self>> {
        for _ in 0..ATTEMPTS {
            let Some(row) = conn.fetch_optional::<Row>(sql, &[key, now_micros().into()]).await? else {
                return Ok(None);
            };
            {
                let map = conn.permission_ids().read();
                if map.changes == Some(row.7) {
                    return Ok(Some(Self::from_row(row, &map)));
                }
            }
            reload(conn).await?;
        }
        Err(StoreError::PermissionsChanging)
    }

    fn from_row(row: Row, map: &IdMap) -> Self {
        let (id, username, email, active, staff, superuser, revision, _, direct, groups, valid_until) = row;
        let direct = permissions(map, direct.as_deref().unwrap_or_default()).collect();
        let mut by_name: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        for group in groups.as_deref().unwrap_or_default().split('\u{1e}').filter(|g| !g.is_empty()) {
            let (name, perms) = group.split_once('\u{1f}').unwrap_or((group, ""));
            by_name.entry(name.to_owned()).or_default().extend(permissions(map, perms));
        }
        Snapshot { id, username, email, active, staff, superuser, revision, valid_until, direct, groups: by_name }
    }

    pub(crate) fn into_user(self) -> User {
        let mut builder = User::builder(self.username)
            .id(self.id)
            .email(self.email)
            .active(self.active)
            .staff(self.staff)
            .superuser(self.superuser);
        for perm in self.direct {
            builder = builder.permission(perm);
        }
        for (name, perms) in self.groups {
            let group = Group::new(name).with_permissions(perms);
            builder = builder.group(&group);
        }
        builder.build()
    }

    pub(crate) fn target(&self) -> Target {
        Target { id: self.id, superuser: self.superuser }
    }
}
