//! Cached user snapshots, dropped when a committed change may have touched them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::User;

/// The PostgreSQL channel on which changes announce their revision.
pub(crate) const CHANNEL: &str = "permfw_changes";

/// Snapshots by username, each with the revision it was loaded at. Every committed change bumps
/// the database's revision; a snapshot loaded before the newest known revision is never served.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Permission row ids by `app_label.codename`; they change only when a permission is pruned.
    permission_ids: HashMap<String, i64>,
    /// The newest revision this process knows of.
    revision: i64,
    users: HashMap<String, (i64, Arc<User>)>,
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A snapshot loaded at the newest known revision.
    pub(crate) fn get(&self, username: &str) -> Option<Arc<User>> {
        let state = self.state();
        state.users.get(username).filter(|(rev, _)| *rev >= state.revision).map(|(_, user)| Arc::clone(user))
    }

    /// Keeps a snapshot loaded at `revision`, unless a newer change is already known.
    pub(crate) fn put(&self, revision: i64, user: &Arc<User>) {
        if self.capacity == 0 {
            return;
        }
        let mut state = self.state();
        if revision < state.revision {
            return;
        }
        if state.users.len() >= self.capacity {
            state.users.clear();
        }
        state.users.insert(user.username().to_owned(), (revision, Arc::clone(user)));
    }

    /// A change committed at `revision`: drop everything older.
    pub(crate) fn invalidate_before(&self, revision: i64) {
        let mut state = self.state();
        if revision > state.revision {
            state.revision = revision;
            state.users.retain(|_, (rev, _)| *rev >= revision);
        }
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

    pub(crate) fn revision(&self) -> i64 {
        self.state().revision
    }
}
