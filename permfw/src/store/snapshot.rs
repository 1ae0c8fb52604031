//! A user's snapshot: loaded in one statement and one row (see `snapshot_by_name` in the
//! dialect files), decoded into a [`User`].
//!
//! On SQLite the row names each permission as `app_label.codename`. On PostgreSQL it gives the
//! permission rows' ids, and the store names them from its map of them (`PermissionIds`):
//! joining `auth_permission` three times (direct grants, then each group's) cost a cold snapshot
//! more than half of its time at 1,000,000 users (README, "The store at scale").

use std::collections::{BTreeMap, HashMap};

use super::error::Result;
use super::exec::Conn;
use super::now_micros;
use super::permission_ids::PermissionIds;
use super::rules::Target;
use crate::{Group, Permission, User, registry};

/// The row: id, username, email, is_active, is_staff, is_superuser, revision, direct
/// permissions, groups, the earliest expiry.
type Row = (i64, String, String, bool, bool, bool, i64, Option<String>, Option<String>, Option<i64>);

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
async fn reload(ids: &PermissionIds, conn: &mut Conn<'_>) -> Result<()> {
    let sql = conn.sql().all_permissions;
    let rows: Vec<(i64, String, String, String, String)> = conn.fetch_all(sql, &[]).await?;
    let registry = registry();
    let by_id =
        rows.into_iter().map(|(id, app, _, codename, _)| (id, registry.get(&format!("{app}.{codename}")))).collect();
    ids.replace(by_id);
    Ok(())
}

/// How a row names its permissions.
#[derive(Clone, Copy)]
enum Naming<'a> {
    /// `app_label.codename`.
    Names,
    /// Row ids, named by the store's map; `complete` once the map was read for this row, so that
    /// an id it still does not know is a row deleted meanwhile (it grants nothing).
    Ids { map: &'a HashMap<i64, Option<Permission>>, complete: bool },
}

/// An id the map does not know yet.
struct UnknownId;

impl Naming<'_> {
    fn resolve(self, token: &str) -> std::result::Result<Option<Permission>, UnknownId> {
        match self {
            Naming::Names => Ok(registry().get(token)),
            Naming::Ids { map, complete } => match token.parse::<i64>().ok().and_then(|id| map.get(&id)) {
                Some(perm) => Ok(*perm),
                None if complete => Ok(None),
                None => Err(UnknownId),
            },
        }
    }

    /// The permissions of a space-separated list.
    fn list(self, list: &str) -> std::result::Result<Vec<Permission>, UnknownId> {
        let mut out = Vec::new();
        for token in list.split(' ').filter(|t| !t.is_empty()) {
            out.extend(self.resolve(token)?);
        }
        Ok(out)
    }
}

impl Snapshot {
    pub(crate) async fn load_by_name(conn: &mut Conn<'_>, username: &str) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_name;
        let row = conn.fetch_optional::<Row>(sql, &[username.into(), now_micros().into()]).await?;
        Self::decode(conn, row).await
    }

    pub(crate) async fn load_by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_id;
        let row = conn.fetch_optional::<Row>(sql, &[id.into(), now_micros().into()]).await?;
        Self::decode(conn, row).await
    }

    async fn decode(conn: &mut Conn<'_>, row: Option<Row>) -> Result<Option<Self>> {
        let Some(row) = row else { return Ok(None) };
        // Decoding fails only on an id the map does not know yet, so never below.
        let Some(ids) = conn.permission_ids() else {
            return Ok(Self::from_row(&row, Naming::Names).ok());
        };
        {
            let map = ids.read();
            if let Ok(snapshot) = Self::from_row(&row, Naming::Ids { map: &map, complete: false }) {
                return Ok(Some(snapshot));
            }
        }
        reload(ids, conn).await?;
        let map = ids.read();
        Ok(Self::from_row(&row, Naming::Ids { map: &map, complete: true }).ok())
    }

    fn from_row(row: &Row, naming: Naming<'_>) -> std::result::Result<Self, UnknownId> {
        let (id, username, email, active, staff, superuser, revision, direct, groups, valid_until) = row;
        let direct = naming.list(direct.as_deref().unwrap_or_default())?;
        let mut by_name: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        for group in groups.as_deref().unwrap_or_default().split('\u{1e}').filter(|g| !g.is_empty()) {
            let (name, perms) = group.split_once('\u{1f}').unwrap_or((group, ""));
            by_name.entry(name.to_owned()).or_default().extend(naming.list(perms)?);
        }
        Ok(Snapshot {
            id: *id,
            username: username.clone(),
            email: email.clone(),
            active: *active,
            staff: *staff,
            superuser: *superuser,
            revision: *revision,
            valid_until: *valid_until,
            direct,
            groups: by_name,
        })
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
