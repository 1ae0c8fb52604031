//! A user's permissions as bitsets of registry ids: a check is one bit test.

use crate::as_permission::{AsPermission, Key};
use crate::permission::Permission;
use crate::registry::registry;

/// A [`PermissionSet`] packed small for a cache (two bytes a permission): see
/// [`PermissionSet::pack`]. Valid in the process that packed it (registry ids are assigned
/// per process).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedPermissions {
    user: Box<[u16]>,
    group: Box<[u16]>,
}

/// A set of permissions: a bitset of registry ids, plus the rare permission whose model is not
/// registered (kept by value, checked by comparison).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdSet {
    words: Vec<u64>,
    unregistered: Vec<Permission>,
}

impl IdSet {
    pub(crate) const fn new() -> Self {
        Self { words: Vec::new(), unregistered: Vec::new() }
    }

    pub(crate) fn insert(&mut self, perm: Permission) {
        let _ = registry(); // ids are assigned when the registry is built
        match perm.id() {
            Some(id) => {
                let word = (id / 64) as usize;
                if self.words.len() <= word {
                    self.words.resize(word + 1, 0);
                }
                self.words[word] |= 1 << (id % 64);
            }
            None if !self.unregistered.contains(&perm) => self.unregistered.push(perm),
            None => {}
        }
    }

    pub(crate) fn remove(&mut self, perm: Permission) {
        match perm.id() {
            Some(id) => {
                if let Some(word) = self.words.get_mut((id / 64) as usize) {
                    *word &= !(1 << (id % 64));
                }
            }
            None => self.unregistered.retain(|p| *p != perm),
        }
    }

    pub(crate) fn union_with(&mut self, other: &IdSet) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (mine, theirs) in self.words.iter_mut().zip(&other.words) {
            *mine |= theirs;
        }
        for perm in &other.unregistered {
            if !self.unregistered.contains(perm) {
                self.unregistered.push(*perm);
            }
        }
    }

    #[inline]
    fn word(&self, index: usize) -> u64 {
        self.words.get(index).copied().unwrap_or(0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        let registry = registry();
        let registered = self.words.iter().enumerate().flat_map(move |(index, &word)| {
            (0..64u32)
                .filter(move |bit| word >> bit & 1 == 1)
                .filter_map(move |bit| registry.permission(index as u32 * 64 + bit))
        });
        registered.chain(self.unregistered.iter().copied())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0) && self.unregistered.is_empty()
    }

    pub(crate) fn contains(&self, perm: impl AsPermission) -> bool {
        contains_in(&self.words, perm, || [&self.unregistered, &[]])
    }
}

/// The check itself: one bit test for a registered permission; the rest (a string, a permission
/// of an unregistered model) out of line, so that the common path stays a few instructions. The
/// unregistered permissions are reached through `unregistered` only on that path: read eagerly,
/// their two slices cost the common path a stack frame and four moves.
#[inline]
fn contains_in<'s>(
    words: &'s [u64],
    perm: impl AsPermission,
    unregistered: impl FnOnce() -> [&'s [Permission]; 2],
) -> bool {
    match perm.key() {
        // One bounds check for both: past the set is either not held or not registered.
        Key::Perm(perm) => {
            let id = perm.bit_index();
            match words.get((id / 64) as usize) {
                Some(word) => word >> (id % 64) & 1 == 1,
                None => perm.id().is_none() && contains_unregistered(unregistered(), perm),
            }
        }
        Key::Site(site) => match site.id() {
            Some(id) => bit(words, id),
            None => contains_str(words, unregistered(), site.perm()),
        },
        Key::Str(perm) => contains_str(words, unregistered(), perm),
    }
}

#[inline]
fn bit(words: &[u64], id: u32) -> bool {
    words.get((id / 64) as usize).is_some_and(|word| word >> (id % 64) & 1 == 1)
}

#[cold]
#[inline(never)]
fn contains_unregistered(unregistered: [&[Permission]; 2], perm: Permission) -> bool {
    unregistered.into_iter().flatten().any(|p| *p == perm)
}

fn contains_str(words: &[u64], unregistered: [&[Permission]; 2], perm: &str) -> bool {
    registry().ids(perm).iter().any(|&id| bit(words, id))
        || unregistered.into_iter().flatten().any(|p| p.as_str() == perm)
}

/// What a user holds: the permissions granted to it directly and those it has through its
/// groups. [`HasPerms`](crate::HasPerms) reads it; a store loads it; code and tests build it
/// through [`User::builder`](crate::User::builder), or directly for their own user types.
///
/// ```
/// use permfw::{PermissionSet, User};
///
/// let mut set = PermissionSet::new();
/// set.add_user_permission(User::VIEW_USER);
/// set.add_group_permission(User::CHANGE_USER);
/// assert!(set.contains("auth.view_user") && set.contains(User::CHANGE_USER));
/// assert!(!set.contains(User::DELETE_USER));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionSet {
    user: IdSet,
    group: IdSet,
    /// `user | group`, word by word: what a check reads, one load and one bit test.
    all: Vec<u64>,
}

impl PermissionSet {
    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        Self { user: IdSet::new(), group: IdSet::new(), all: Vec::new() }
    }

    /// Adds a permission granted to the user directly.
    pub fn add_user_permission(&mut self, perm: Permission) {
        self.user.insert(perm);
        self.refresh();
    }

    /// Adds a permission the user has through one of its groups.
    pub fn add_group_permission(&mut self, perm: Permission) {
        self.group.insert(perm);
        self.refresh();
    }

    /// Removes a permission granted directly (those of groups stay).
    pub fn remove_user_permission(&mut self, perm: Permission) {
        self.user.remove(perm);
        self.refresh();
    }

    pub(crate) fn add_group(&mut self, group: &IdSet) {
        self.group.union_with(group);
        self.refresh();
    }

    fn refresh(&mut self) {
        let len = self.user.words.len().max(self.group.words.len());
        self.all.clear();
        self.all.extend((0..len).map(|i| self.user.word(i) | self.group.word(i)));
    }

    fn unregistered(&self) -> [&[Permission]; 2] {
        [&self.user.unregistered, &self.group.unregistered]
    }

    /// Whether the permission is held, directly or through a group. No allocation, no lock;
    /// for a [`Permission`] no hashing either: one bit test.
    #[inline]
    #[must_use]
    pub fn contains(&self, perm: impl AsPermission) -> bool {
        contains_in(&self.all, perm, || self.unregistered())
    }

    /// Whether any held permission belongs to `app_label`.
    #[must_use]
    pub fn contains_app(&self, app_label: &str) -> bool {
        let held = |ids: std::ops::Range<u32>| ids.into_iter().any(|id| bit(&self.all, id));
        registry().app_ids(app_label).is_some_and(held)
            || self.unregistered().iter().flat_map(|list| list.iter()).any(|p| p.app_label() == app_label)
    }

    /// The permissions granted directly, in registry order.
    pub fn user_permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.user.iter()
    }

    /// The permissions held through groups, in registry order.
    pub fn group_permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.group.iter()
    }

    /// Every permission held, directly or through a group, each once, in registry order.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        let mut all = self.user.clone();
        all.union_with(&self.group);
        all.iter().collect::<Vec<_>>().into_iter()
    }

    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.user.is_empty() && self.group.is_empty()
    }

    /// The set packed for a cache, as registry ids; `None` when it holds a permission of an
    /// unregistered model, or the registry has more than 65,536 permissions.
    ///
    /// ```
    /// use permfw::{HasPerms, PermissionSet, User};
    ///
    /// let user = User::builder("bob").permission(User::VIEW_USER).build();
    /// let packed = user.permission_set().pack().unwrap();
    /// assert!(PermissionSet::unpack(&packed).contains(User::VIEW_USER));
    /// ```
    #[must_use]
    pub fn pack(&self) -> Option<PackedPermissions> {
        let pack = |ids: &IdSet| -> Option<Box<[u16]>> {
            if !ids.unregistered.is_empty() {
                return None;
            }
            ids.iter().map(|p| p.id().and_then(|id| u16::try_from(id).ok())).collect()
        };
        Some(PackedPermissions { user: pack(&self.user)?, group: pack(&self.group)? })
    }

    /// The set [`pack`](Self::pack) packed.
    #[must_use]
    pub fn unpack(packed: &PackedPermissions) -> Self {
        let (user, group) = (&packed.user, &packed.group);
        let bits = |ids: &[u16]| {
            let mut words = vec![0u64; ids.iter().map(|&id| usize::from(id) / 64 + 1).max().unwrap_or(0)];
            for &id in ids {
                words[usize::from(id) / 64] |= 1 << (id % 64);
            }
            IdSet { words, unregistered: Vec::new() }
        };
        let mut set = Self { user: bits(user), group: bits(group), all: Vec::new() };
        set.refresh();
        set
    }
}
