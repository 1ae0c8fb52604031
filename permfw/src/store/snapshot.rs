//! A user's snapshot: loaded in one statement and one row (see `snapshot_by_name` in the
//! dialect files), decoded into a [`User`].

use std::collections::BTreeMap;

use super::error::Result;
use super::exec::Conn;
use super::now_micros;
use super::rules::Target;
use crate::{Group, User, registry};

/// The row: id, username, email, is_active, is_staff, is_superuser, revision, direct
/// permissions, groups, the earliest expiry.
type Row = (i64, String, String, bool, bool, bool, i64, Option<String>, Option<String>, Option<i64>);

/// A user as the database holds it, before it becomes a `User`.
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
    direct: Vec<String>,
    groups: BTreeMap<String, Vec<String>>,
}

impl Snapshot {
    pub(crate) async fn load_by_name(conn: &mut Conn<'_>, username: &str) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_name;
        Ok(conn.fetch_optional::<Row>(sql, &[username.into(), now_micros().into()]).await?.map(Self::from_row))
    }

    pub(crate) async fn load_by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<Self>> {
        let sql = conn.sql().snapshot_by_id;
        Ok(conn.fetch_optional::<Row>(sql, &[id.into(), now_micros().into()]).await?.map(Self::from_row))
    }

    fn from_row(row: Row) -> Self {
        let (id, username, email, active, staff, superuser, revision, direct, groups, valid_until) = row;
        let direct = direct.unwrap_or_default().split(' ').filter(|p| !p.is_empty()).map(str::to_owned).collect();
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for group in groups.unwrap_or_default().split('\u{1e}').filter(|g| !g.is_empty()) {
            let (name, perms) = group.split_once('\u{1f}').unwrap_or((group, ""));
            let perms = perms.split(' ').filter(|p| !p.is_empty()).map(str::to_owned);
            by_name.entry(name.to_owned()).or_default().extend(perms);
        }
        Snapshot { id, username, email, active, staff, superuser, revision, valid_until, direct, groups: by_name }
    }

    pub(crate) fn into_user(self) -> User {
        let registry = registry();
        let mut builder = User::builder(self.username)
            .id(self.id)
            .email(self.email)
            .active(self.active)
            .staff(self.staff)
            .superuser(self.superuser);
        // A row that no linked model declares (a stale permission) grants nothing: deny by default.
        for perm in self.direct.iter().filter_map(|p| registry.get(p)) {
            builder = builder.permission(perm);
        }
        for (name, perms) in &self.groups {
            let group = Group::new(name.clone()).with_permissions(perms.iter().filter_map(|p| registry.get(p)));
            builder = builder.group(&group);
        }
        builder.build()
    }

    pub(crate) fn target(&self) -> Target {
        Target { id: self.id, superuser: self.superuser }
    }
}
