//! `HasPerms`: Django's `PermissionsMixin` and `ModelBackend`, as a trait with a small core.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use crate::as_permission::AsPermission;
use crate::permission::Permission;
use crate::permission_set::PermissionSet;
use crate::registry::registry;

/// Who has which permission: Django's `PermissionsMixin` with `ModelBackend`'s semantics.
///
/// Implement the small required core (`is_active`, `is_superuser`, `permission_set`, and
/// `is_authenticated` when it can be false) and get the rest:
///
/// ```
/// use permfw::{HasPerms, PermissionSet, User};
///
/// struct Account { active: bool, admin: bool, perms: PermissionSet }
///
/// impl HasPerms for Account {
///     fn is_active(&self) -> bool { self.active }
///     fn is_superuser(&self) -> bool { self.admin }
///     fn permission_set(&self) -> &PermissionSet { &self.perms }
/// }
///
/// let mut perms = PermissionSet::new();
/// perms.add_user_permission(User::VIEW_USER);
/// let account = Account { active: true, admin: false, perms };
/// assert!(account.has_perm(User::VIEW_USER) && account.has_perm("auth.view_user"));
/// assert!(!account.has_perm("auth.change_user"));
/// assert!(account.has_module_perms("auth"));
/// ```
///
/// The rules are Django's: an inactive user has no permission, a superuser included; an active
/// superuser has every permission, even one that is not registered; a user has the permissions
/// granted to it and those of its groups; an anonymous user has none; an unknown string is not
/// held. The trait holds through references and smart pointers. Its methods are generic, so it is
/// not dyn-compatible: use a generic parameter or `impl HasPerms`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be checked for permissions: it does not implement `permfw::HasPerms`",
    label = "the user must implement `HasPerms`",
    note = "use `permfw::User`, `permfw::AnonymousUser` or a reference to one, or implement `HasPerms` for your user type"
)]
pub trait HasPerms {
    /// Whether the account is active; an inactive user has no permission.
    fn is_active(&self) -> bool;

    /// Whether the user is a superuser: while active, it has every permission.
    fn is_superuser(&self) -> bool;

    /// The permissions granted to the user directly and through its groups.
    fn permission_set(&self) -> &PermissionSet;

    /// Whether this is a real, logged-in user; false only for an anonymous user.
    fn is_authenticated(&self) -> bool {
        true
    }

    /// Whether this is the anonymous user.
    fn is_anonymous(&self) -> bool {
        !self.is_authenticated()
    }

    /// Whether the user has `perm`: a [`Permission`] or an `"app_label.codename"` string.
    #[inline]
    fn has_perm(&self, perm: impl AsPermission) -> bool {
        self.is_active() && (self.is_superuser() || (self.is_authenticated() && self.permission_set().contains(perm)))
    }

    /// Whether the user has every permission of `perms` (true for an empty list, as in Django).
    #[inline]
    fn has_perms<I>(&self, perms: I) -> bool
    where
        I: IntoIterator,
        I::Item: AsPermission,
    {
        perms.into_iter().all(|perm| self.has_perm(perm))
    }

    /// Whether the user has any permission of the app `app_label`.
    fn has_module_perms(&self, app_label: &str) -> bool {
        self.is_active()
            && (self.is_superuser() || (self.is_authenticated() && self.permission_set().contains_app(app_label)))
    }

    /// The permissions granted directly, as `"app_label.codename"` strings; for an active
    /// superuser every registered permission, as Django's `ModelBackend` does.
    fn get_user_permissions(&self) -> HashSet<String> {
        backend_permissions(self, || strings(self.permission_set().user_permissions()))
    }

    /// The permissions held through groups; for an active superuser every registered permission.
    fn get_group_permissions(&self) -> HashSet<String> {
        backend_permissions(self, || strings(self.permission_set().group_permissions()))
    }

    /// Every permission held; for an active superuser every registered permission.
    fn get_all_permissions(&self) -> HashSet<String> {
        backend_permissions(self, || strings(self.permission_set().iter()))
    }
}

fn backend_permissions<U: HasPerms + ?Sized>(user: &U, held: impl FnOnce() -> HashSet<String>) -> HashSet<String> {
    if !user.is_active() || user.is_anonymous() {
        HashSet::new()
    } else if user.is_superuser() {
        strings(registry().permissions())
    } else {
        held()
    }
}

fn strings(perms: impl Iterator<Item = Permission>) -> HashSet<String> {
    perms.map(|p| p.as_str().to_owned()).collect()
}

macro_rules! forward_has_perms {
    ($($ptr:ty),*) => {$(
        impl<T: HasPerms + ?Sized> HasPerms for $ptr {
            fn is_active(&self) -> bool { (**self).is_active() }
            fn is_superuser(&self) -> bool { (**self).is_superuser() }
            fn permission_set(&self) -> &PermissionSet { (**self).permission_set() }
            fn is_authenticated(&self) -> bool { (**self).is_authenticated() }
            #[inline]
            fn has_perm(&self, perm: impl AsPermission) -> bool { (**self).has_perm(perm) }
            fn has_module_perms(&self, app_label: &str) -> bool { (**self).has_module_perms(app_label) }
            fn get_user_permissions(&self) -> HashSet<String> { (**self).get_user_permissions() }
            fn get_group_permissions(&self) -> HashSet<String> { (**self).get_group_permissions() }
            fn get_all_permissions(&self) -> HashSet<String> { (**self).get_all_permissions() }
        }
    )*};
}

forward_has_perms!(&T, &mut T, Box<T>, Rc<T>, Arc<T>);
