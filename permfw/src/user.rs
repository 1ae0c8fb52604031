//! Users as plain values: built in code and tests, loaded by a store.

use crate::as_permission::AsPermission;
use crate::group::Group;
use crate::has_perms::HasPerms;
use crate::permission::Permission;
use crate::permission_set::PermissionSet;

/// A user: Django's `auth.User` as a snapshot of its flags, groups and permissions.
///
/// ```
/// use permfw::{Group, HasPerms, User};
///
/// let staff = Group::new("Staff").with_permissions([User::VIEW_USER]);
/// let alice = User::builder("alice").email("alice@example.com").staff(true).group(&staff).build();
/// assert!(alice.has_perm("auth.view_user"));
/// assert!(alice.is_staff() && !alice.is_superuser());
/// assert_eq!(alice.groups().collect::<Vec<_>>(), ["Staff"]);
/// ```
///
/// It is also the model of permfw's `auth` app, whose permissions guard user management:
/// `User::ADD_USER`, `User::CHANGE_USER`, `User::DELETE_USER`, `User::VIEW_USER`.
#[derive(permfw_derive::Model, Clone, Debug, PartialEq, Eq)]
#[model(app_label = "auth")]
pub struct User {
    id: Option<i64>,
    username: String,
    email: String,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    /// Active and not a superuser: a check is the bit test alone (set by the builder). One flag
    /// read where two would be: the const check's cost over a bare bit test.
    checks_bits: bool,
    groups: Vec<String>,
    perms: PermissionSet,
}

impl User {
    /// Starts a user named `username`: active, not staff, not a superuser, with no permission.
    pub fn builder(username: impl Into<String>) -> UserBuilder {
        UserBuilder {
            user: User {
                id: None,
                username: username.into(),
                email: String::new(),
                is_active: true,
                is_staff: false,
                is_superuser: false,
                checks_bits: true,
                groups: Vec::new(),
                perms: PermissionSet::new(),
            },
        }
    }

    /// The store's id for the user, if it was loaded from one.
    #[must_use]
    pub fn id(&self) -> Option<i64> {
        self.id
    }

    /// The username.
    #[must_use]
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The email address (empty when none was given).
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// Whether the user may use the admin. Grants no permission by itself, as in Django.
    #[must_use]
    pub fn is_staff(&self) -> bool {
        self.is_staff
    }

    /// The names of the user's groups.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &str> {
        self.groups.iter().map(String::as_str)
    }
}

impl HasPerms for User {
    #[inline]
    fn is_active(&self) -> bool {
        self.is_active
    }

    #[inline]
    fn is_superuser(&self) -> bool {
        self.is_superuser
    }

    #[inline]
    fn permission_set(&self) -> &PermissionSet {
        &self.perms
    }

    /// As the trait's, with one flag read: an active user who is not a superuser holds what its
    /// set holds; any other holds everything (an active superuser) or nothing.
    #[inline]
    fn has_perm(&self, perm: impl AsPermission) -> bool {
        if self.checks_bits { self.perms.contains(perm) } else { self.is_active && self.is_superuser }
    }
}

/// Builds a [`User`]; see [`User::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct UserBuilder {
    user: User,
}

impl UserBuilder {
    /// The store's id for the user.
    pub fn id(mut self, id: i64) -> Self {
        self.user.id = Some(id);
        self
    }

    /// The email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.user.email = email.into();
        self
    }

    /// Whether the account is active (default true). An inactive user has no permission.
    pub fn active(mut self, active: bool) -> Self {
        self.user.is_active = active;
        self
    }

    /// Whether the user may use the admin (default false).
    pub fn staff(mut self, staff: bool) -> Self {
        self.user.is_staff = staff;
        self
    }

    /// Whether the user is a superuser (default false).
    pub fn superuser(mut self, superuser: bool) -> Self {
        self.user.is_superuser = superuser;
        self
    }

    /// Makes the user a member of `group`, with the group's permissions.
    pub fn group(mut self, group: &Group) -> Self {
        if !self.user.groups.iter().any(|g| g == group.name()) {
            self.user.groups.push(group.name().to_owned());
        }
        self.user.perms.add_group(group.ids());
        self
    }

    /// Makes the user a member of each group.
    pub fn groups<'a>(self, groups: impl IntoIterator<Item = &'a Group>) -> Self {
        groups.into_iter().fold(self, Self::group)
    }

    /// Grants a permission to the user directly.
    pub fn permission(mut self, perm: Permission) -> Self {
        self.user.perms.add_user_permission(perm);
        self
    }

    /// Grants each permission to the user directly.
    pub fn permissions(self, perms: impl IntoIterator<Item = Permission>) -> Self {
        perms.into_iter().fold(self, Self::permission)
    }

    /// Names a group the user belongs to, without adding its permissions (for a user whose
    /// permissions come whole from [`permission_set`](Self::permission_set)).
    pub fn group_name(mut self, name: impl Into<String>) -> Self {
        self.user.groups.push(name.into());
        self
    }

    /// Replaces the user's permissions with `perms`, as held directly and through groups
    /// (a cache rebuilds a user this way from [`PermissionSet::unpack`]).
    pub fn permission_set(mut self, perms: PermissionSet) -> Self {
        self.user.perms = perms;
        self
    }

    /// The user.
    #[must_use]
    pub fn build(mut self) -> User {
        self.user.checks_bits = self.user.is_active && !self.user.is_superuser;
        self.user
    }
}

/// Django's `AnonymousUser`: not authenticated, not active, no permission.
///
/// ```
/// use permfw::{AnonymousUser, HasPerms, User};
///
/// assert!(!AnonymousUser.has_perm(User::VIEW_USER));
/// assert!(!AnonymousUser.is_authenticated());
/// assert!(AnonymousUser.has_perms(Vec::<&str>::new())); // an empty list holds, as in Django
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AnonymousUser;

static NO_PERMISSIONS: PermissionSet = PermissionSet::new();

impl HasPerms for AnonymousUser {
    fn is_active(&self) -> bool {
        false
    }

    fn is_superuser(&self) -> bool {
        false
    }

    fn permission_set(&self) -> &PermissionSet {
        &NO_PERMISSIONS
    }

    fn is_authenticated(&self) -> bool {
        false
    }
}

impl std::fmt::Display for AnonymousUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnonymousUser")
    }
}
