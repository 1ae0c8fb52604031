//! Django's `ModelBackend` semantics, ported from `tests/auth_tests/test_auth_backends.py`
//! (`BaseModelBackendTest`) and `test_models.py`, on users and groups built in code.

use std::collections::HashSet;

use permfw::{AnonymousUser, Group, HasPerms, Model, Permission, PermissionSet, User};

/// Django's tests create permissions `test`, `test2`, `test3` and `test_group` on the fly; here
/// they are declared on a model of the app `auth_tests`.
#[derive(Model)]
#[model(app_label = "auth_tests")]
#[permissions(test = "test", test2 = "test 2", test3 = "test 3", test_group = "test group")]
struct Checked;

fn set(perms: &[&str]) -> HashSet<String> {
    perms.iter().map(|p| (*p).to_owned()).collect()
}

#[test]
fn test_has_perm() {
    let user = User::builder("test").build();
    assert!(!user.has_perm("auth.test"));

    let staff = User::builder("test").staff(true).build();
    assert!(!staff.has_perm("auth.test"), "is_staff grants nothing by itself");

    let superuser = User::builder("test").staff(true).superuser(true).build();
    assert!(superuser.has_perm("auth.test"), "an active superuser has even unregistered permissions");
    assert!(superuser.has_module_perms("auth"));

    let inactive = User::builder("test").staff(true).superuser(true).active(false).build();
    assert!(!inactive.has_perm("auth.test"), "an inactive superuser has nothing");
    assert!(!inactive.has_module_perms("auth"));
}

#[test]
fn test_custom_perms() {
    let user = User::builder("test").permission(Checked::TEST).build();
    assert_eq!(user.get_all_permissions(), set(&["auth_tests.test"]));
    assert_eq!(user.get_user_permissions(), set(&["auth_tests.test"]));
    assert_eq!(user.get_group_permissions(), set(&[]));
    assert!(!user.has_module_perms("Group"));
    assert!(!user.has_module_perms("Auth_tests"), "app labels compare case-sensitively");
    assert!(user.has_module_perms("auth_tests"));

    let user = User::builder("test").permissions([Checked::TEST, Checked::TEST2, Checked::TEST3]).build();
    assert_eq!(user.get_all_permissions(), set(&["auth_tests.test", "auth_tests.test2", "auth_tests.test3"]));
    assert!(!user.has_perm("test"), "a permission without its app label is not held");
    assert!(user.has_perm("auth_tests.test"));
    assert!(user.has_perms(["auth_tests.test2", "auth_tests.test3"]));

    let group = Group::new("test_group").with_permissions([Checked::TEST_GROUP]);
    let user = User::builder("test").permissions([Checked::TEST, Checked::TEST2, Checked::TEST3]).group(&group).build();
    assert_eq!(
        user.get_all_permissions(),
        set(&["auth_tests.test", "auth_tests.test2", "auth_tests.test3", "auth_tests.test_group"])
    );
    assert_eq!(user.get_group_permissions(), set(&["auth_tests.test_group"]));
    assert!(user.has_perms(["auth_tests.test3", "auth_tests.test_group"]));

    assert!(!AnonymousUser.has_perm("test"));
    assert!(!AnonymousUser.has_perms(["auth_tests.test2", "auth_tests.test3"]));
}

/// Ticket #17903: a user that reports itself anonymous has no permission, whatever it holds.
#[test]
fn test_anonymous_has_no_permissions() {
    struct Impostor(PermissionSet);
    impl HasPerms for Impostor {
        fn is_active(&self) -> bool {
            true
        }
        fn is_superuser(&self) -> bool {
            false
        }
        fn permission_set(&self) -> &PermissionSet {
            &self.0
        }
        fn is_authenticated(&self) -> bool {
            false
        }
    }
    let mut perms = PermissionSet::new();
    perms.add_user_permission(Checked::TEST);
    perms.add_group_permission(Checked::TEST_GROUP);
    let user = Impostor(perms);
    assert!(user.is_anonymous());
    assert!(user.get_all_permissions().is_empty());
    assert!(user.get_user_permissions().is_empty());
    assert!(user.get_group_permissions().is_empty());
    assert!(!user.has_perm(Checked::TEST));
    assert!(!user.has_module_perms("auth_tests"));
}

/// Ticket #17903: an inactive user has no permission, even with grants and groups.
#[test]
fn test_inactive_has_no_permissions() {
    let group = Group::new("test_group").with_permissions([Checked::TEST_GROUP]);
    let user = User::builder("test").permission(Checked::TEST).group(&group).active(false).build();
    assert!(user.get_all_permissions().is_empty());
    assert!(user.get_user_permissions().is_empty());
    assert!(user.get_group_permissions().is_empty());
    assert!(!user.has_perm(Checked::TEST) && !user.has_perm("auth_tests.test_group"));
}

/// Ticket #14795: a superuser's permissions are every registered permission, in each accessor.
#[test]
fn test_get_all_superuser_permissions() {
    let superuser = User::builder("admin").superuser(true).build();
    let registered = permfw::registry().len();
    assert_eq!(superuser.get_all_permissions().len(), registered);
    assert_eq!(superuser.get_user_permissions().len(), registered);
    assert_eq!(superuser.get_group_permissions().len(), registered);
    assert!(superuser.has_perm("nope.nothing"));
    assert!(superuser.has_module_perms("nonexistent"));
}

#[test]
fn has_perms_of_an_empty_list_holds_as_in_django() {
    let nobody = User::builder("nobody").active(false).build();
    assert!(nobody.has_perms(Vec::<Permission>::new()));
    assert!(AnonymousUser.has_perms(Vec::<&str>::new()));
}

#[test]
fn has_perms_takes_consts_strings_and_sets() {
    let user = User::builder("u").permissions([Checked::TEST, Checked::TEST2]).build();
    assert!(user.has_perms([Checked::TEST, Checked::TEST2]));
    assert!(user.has_perms([Checked::TEST, Checked::TEST2].iter()));
    assert!(user.has_perms(HashSet::from(["auth_tests.test", "auth_tests.test2"])));
    assert!(user.has_perms(vec!["auth_tests.test".to_string()]));
    assert!(!user.has_perms([Checked::TEST, Checked::TEST3]));
}

#[test]
fn permission_strings_match_exactly() {
    let user = User::builder("u").permission(Checked::TEST).build();
    for miss in ["Auth_tests.test", "auth_tests.Test", "test", "auth_tests.test ", "auth_tests.", ".test", ""] {
        assert!(!user.has_perm(miss), "{miss:?}");
    }
    assert!(!user.has_perm("unknown.permission"), "an unknown string is simply not held");
}

#[test]
fn permissions_of_direct_grants_and_groups_add_up() {
    let writers = Group::new("Writers").with_permission(Checked::TEST);
    let editors = Group::new("Editors").with_permissions([Checked::TEST2, Checked::TEST]);
    let user = User::builder("u").groups([&writers, &editors]).permission(Checked::TEST3).build();
    assert_eq!(user.groups().collect::<Vec<_>>(), ["Writers", "Editors"]);
    assert!(user.has_perms([Checked::TEST, Checked::TEST2, Checked::TEST3]));
    assert_eq!(user.get_user_permissions(), set(&["auth_tests.test3"]));
    assert_eq!(user.get_group_permissions(), set(&["auth_tests.test", "auth_tests.test2"]));
}

#[test]
fn a_built_user_is_active_and_nothing_more() {
    let user = User::builder("plain").build();
    assert!(user.is_active() && user.is_authenticated() && !user.is_anonymous());
    assert!(!user.is_staff() && !user.is_superuser());
    assert!(user.get_all_permissions().is_empty());
    assert!(!AnonymousUser.is_active() && !AnonymousUser.is_superuser() && AnonymousUser.is_anonymous());
    assert_eq!(AnonymousUser.to_string(), "AnonymousUser");
    assert!(AnonymousUser.get_all_permissions().is_empty() && !AnonymousUser.has_module_perms("auth"));
}

#[test]
fn has_perms_holds_through_references_and_smart_pointers() {
    fn check(user: impl HasPerms) -> bool {
        user.has_perm(Checked::TEST)
    }
    let user = User::builder("u").permission(Checked::TEST).build();
    assert!(check(&user));
    assert!(check(Box::new(user.clone())));
    assert!(check(std::rc::Rc::new(user.clone())));
    assert!(check(std::sync::Arc::new(user.clone())));
    assert!(check(user));
}

#[test]
fn groups_grant_and_revoke() {
    let mut group = Group::new("g").with_permissions([Checked::TEST, Checked::TEST2]);
    group.remove_permission(Checked::TEST);
    group.add_permission(Checked::TEST3);
    assert_eq!(group.permissions().collect::<Vec<_>>(), [Checked::TEST2, Checked::TEST3]);
    assert!(group.has_permission("auth_tests.test3") && !group.has_permission(Checked::TEST));
    assert_eq!(group.to_string(), "g");
}

#[test]
fn permissions_compare_hash_order_and_display_by_their_names() {
    let test = Checked::TEST;
    assert_eq!(test, permfw::registry().get("auth_tests.test").unwrap());
    assert_eq!(test.to_string(), "auth_tests.test");
    assert_eq!(format!("{test:?}"), "Permission(\"auth_tests.test\")");
    assert!(Checked::TEST < Checked::TEST2);
    assert!(Checked::ADD_CHECKED < Checked::TEST);
    let set: HashSet<Permission> = [Checked::TEST, Checked::TEST, Checked::TEST2].into();
    assert_eq!(set.len(), 2);
    assert_eq!(Checked::INFO.label(), "auth_tests.Checked");
    assert_eq!(Checked::INFO.permission("test2"), Some(Checked::TEST2));
}

#[test]
fn the_auth_app_is_declared_with_the_derive() {
    let auth: Vec<_> =
        permfw::registry().permissions().filter(|p| p.app_label() == "auth").map(|p| p.as_str()).collect();
    for model in ["user", "group", "permission"] {
        for action in ["add", "change", "delete", "view"] {
            let name = format!("auth.{action}_{model}");
            assert!(auth.contains(&name.as_str()), "{name} in {auth:?}");
        }
    }
    assert_eq!(auth.len(), 12);
    assert_eq!(User::CHANGE_USER.name(), "Can change user");
    assert_eq!(Group::ADD_GROUP.as_str(), "auth.add_group");
    assert_eq!(Permission::VIEW_PERMISSION.name(), "Can view permission");
}
