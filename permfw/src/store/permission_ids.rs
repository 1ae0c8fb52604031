//! The store's map of permission row ids, which its snapshots name (see `snapshot.rs`). It sits
//! below the query layer (`exec.rs` carries it with a connection); `snapshot.rs` fills it.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use crate::Permission;

/// The permission each `auth_permission` row id names, for decoding snapshots; one map per
/// store, filled from the table on first use and again whenever a snapshot shows that the table
/// changed since (another process's `migrate`, say).
///
/// A row id names one permission only for a while: SQLite hands out the id of a deleted last row
/// again, and PostgreSQL's identity column takes an explicit id. So the map keeps the count of
/// changes to the table that it was read at (`permfw_revision.permissions`, moved by triggers on
/// every insert, delete, and change of an id or a name), and a snapshot is named from it only when
/// its row, read in the same statement as the user, shows the same count.
#[derive(Debug, Default)]
pub(crate) struct PermissionIds {
    map: RwLock<IdMap>,
}

/// The map as read at one count of changes.
#[derive(Debug, Default)]
pub(crate) struct IdMap {
    /// The count of changes to `auth_permission` this map was read at; `None` before the first
    /// reading.
    pub(crate) changes: Option<i64>,
    /// `None` for a row that no linked model declares.
    pub(crate) by_id: HashMap<i64, Option<Permission>>,
}

impl PermissionIds {
    /// The map as last read.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, IdMap> {
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the map with a fresh reading of the table.
    pub(crate) fn replace(&self, map: IdMap) {
        *self.map.write().unwrap_or_else(PoisonError::into_inner) = map;
    }
}
