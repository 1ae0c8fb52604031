//! Cached user snapshots, dropped when a committed change may have touched them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::now_micros;
use crate::{HasPerms, PackedPermissions, PermissionSet, User};

const ACTIVE: u8 = 1;
const STAFF: u8 = 2;
const SUPERUSER: u8 = 4;

fn flag(on: bool, bit: u8) -> u8 {
    if on { bit } else { 0 }
}

/// Snapshots by username, each with the revision it was loaded at. Every committed change bumps
/// the database's revision; a snapshot loaded before the newest known revision is never served.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    state: Mutex<State>,
}

/// A cached snapshot, packed: registry ids instead of bitsets, boxed strings. About 280 bytes
/// for a user holding 50 permissions, besides its strings (`tests/tests/memory.rs`).
#[derive(Debug)]
struct Packed {
    revision: i64,
    /// When a grant it holds expires first (`i64::MAX` for never): not served from then on.
    valid_until: i64,
    id: i64,
    flags: u8,
    email: Box<str>,
    groups: Box<[Box<str>]>,
    perms: PackedPermissions,
}

#[derive(Debug, Default)]
struct State {
    /// Permission row ids by `app_label.codename`, as read at `permission_changes` (the count of
    /// changes to `auth_permission` that the last lookup on SQLite read; see `tx::permission_id`).
    permission_ids: HashMap<String, i64>,
    permission_changes: Option<i64>,
    /// The newest revision this process knows of.
    revision: i64,
    users: HashMap<Box<str>, Box<Packed>>,
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A snapshot loaded at the newest known revision.
    pub(crate) fn get(&self, username: &str) -> Option<User> {
        let state = self.state();
        let packed = state.users.get(username).filter(|p| p.revision >= state.revision)?;
        if packed.valid_until <= now_micros() {
            return None;
        }
        let builder = User::builder(username)
            .id(packed.id)
            .email(&*packed.email)
            .active(packed.flags & ACTIVE != 0)
            .staff(packed.flags & STAFF != 0)
            .superuser(packed.flags & SUPERUSER != 0)
            .permission_set(PermissionSet::unpack(&packed.perms));
        Some(packed.groups.iter().fold(builder, |builder, group| builder.group_name(&**group)).build())
    }

    /// Keeps a snapshot loaded at `revision`, unless a newer change is already known (or it holds
    /// a permission the registry does not know, which is not worth packing).
    pub(crate) fn put(&self, revision: i64, valid_until: Option<i64>, user: &User) {
        if self.capacity == 0 {
            return;
        }
        let (Some(id), Some(perms)) = (user.id(), user.permission_set().pack()) else {
            return;
        };
        let packed = Box::new(Packed {
            revision,
            valid_until: valid_until.unwrap_or(i64::MAX),
            id,
            flags: flag(user.is_active(), ACTIVE) | flag(user.is_staff(), STAFF) | flag(user.is_superuser(), SUPERUSER),
            email: user.email().into(),
            groups: user.groups().map(Into::into).collect(),
            perms,
        });
        let mut state = self.state();
        if revision < state.revision {
            return;
        }
        if state.users.len() >= self.capacity {
            state.users.clear();
        }
        state.users.insert(user.username().into(), packed);
    }

    /// A change committed at `revision`: drop everything older.
    pub(crate) fn invalidate_before(&self, revision: i64) {
        let mut state = self.state();
        if revision > state.revision {
            state.revision = revision;
            state.users.retain(|_, packed| packed.revision >= revision);
        }
    }

    /// Changes may have been missed (a lost connection to the database's announcements): drop
    /// every snapshot.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn clear(&self) {
        self.state().users.clear();
    }

    pub(crate) fn permission_id(&self, perm: &str) -> Option<i64> {
        self.state().permission_ids.get(perm).copied()
    }

    pub(crate) fn remember_permission_id(&self, perm: &str, id: i64) {
        self.state().permission_ids.insert(perm.to_owned(), id);
    }

    pub(crate) fn forget_permission_ids(&self) {
        self.state().permission_ids.clear();
    }

    /// Keeps the permission row ids only if they were read at `changes`, the count of changes
    /// to `auth_permission` that a lookup just read.
    pub(crate) fn check_permission_ids(&self, changes: i64) {
        let mut state = self.state();
        if state.permission_changes != Some(changes) {
            state.permission_ids.clear();
            state.permission_changes = Some(changes);
        }
    }

    pub(crate) fn revision(&self) -> i64 {
        self.state().revision
    }
}
