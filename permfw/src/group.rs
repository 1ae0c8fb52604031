//! Groups: named sets of permissions that their members inherit.

use crate::as_permission::AsPermission;
use crate::permission::Permission;
use crate::permission_set::IdSet;

/// A group: Django's `auth.Group`, a name and permissions that every member has.
///
/// ```
/// use permfw::{Group, HasPerms, User};
///
/// let editors = Group::new("Editors").with_permissions([User::VIEW_USER, User::CHANGE_USER]);
/// let bob = User::builder("bob").group(&editors).build();
/// assert!(bob.has_perm(User::CHANGE_USER));
/// assert_eq!(bob.get_group_permissions().len(), 2);
/// assert!(bob.get_user_permissions().is_empty());
/// ```
///
/// It is also the model of permfw's `auth` app: `Group::ADD_GROUP`, `Group::CHANGE_GROUP`, ...
#[derive(permfw_derive::Model, Clone, Debug, PartialEq, Eq)]
#[model(app_label = "auth")]
pub struct Group {
    name: String,
    perms: IdSet,
}

impl Group {
    /// A group with no permission.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), perms: IdSet::new() }
    }

    /// The group with these permissions added.
    #[must_use]
    pub fn with_permissions(mut self, perms: impl IntoIterator<Item = Permission>) -> Self {
        for perm in perms {
            self.perms.insert(perm);
        }
        self
    }

    /// The group with this permission added.
    #[must_use]
    pub fn with_permission(self, perm: Permission) -> Self {
        self.with_permissions([perm])
    }

    /// Adds a permission.
    pub fn add_permission(&mut self, perm: Permission) {
        self.perms.insert(perm);
    }

    /// Removes a permission.
    pub fn remove_permission(&mut self, perm: Permission) {
        self.perms.remove(perm);
    }

    /// The group's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the group grants `perm`.
    #[must_use]
    pub fn has_permission(&self, perm: impl AsPermission) -> bool {
        self.perms.contains(perm)
    }

    /// The group's permissions, in registry order.
    pub fn permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.perms.iter()
    }

    pub(crate) fn ids(&self) -> &IdSet {
        &self.perms
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}
