//! The store's map of PostgreSQL's permission row ids, which its snapshots name (see
//! `snapshot.rs`). It sits below the query layer (`exec.rs` carries it with a connection);
//! `snapshot.rs` fills it.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use crate::Permission;

/// The permission each `auth_permission` row id names, for decoding PostgreSQL's snapshots; one
/// map per store, filled from the table on first use and again when a snapshot names an id it
/// does not know (a permission that another process's `migrate` added).
///
/// A row id names one permission for good on PostgreSQL: ids come from an identity column, whose
/// sequence never hands one out twice, and `migrate` never changes a row's app label or codename
/// (it updates names and models, inserts, and prunes). So an entry never goes stale; a pruned
/// permission's entry stays, unused, as no grant can name its id any more.
#[derive(Debug, Default)]
pub(crate) struct PermissionIds {
    /// `None` for a row that no linked model declares.
    by_id: RwLock<HashMap<i64, Option<Permission>>>,
}

impl PermissionIds {
    /// The map as last read.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, HashMap<i64, Option<Permission>>> {
        self.by_id.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the map with a fresh reading of the table.
    pub(crate) fn replace(&self, by_id: HashMap<i64, Option<Permission>>) {
        *self.by_id.write().unwrap_or_else(PoisonError::into_inner) = by_id;
    }
}
