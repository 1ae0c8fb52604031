//! `#[permission_required]`, ported from Django's `tests/auth_tests/test_decorators.py`
//! (`PermissionsRequiredDecoratorTest`) and extended to what Rust functions can be.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use permfw::{AnonymousUser, DenialReason, HasPerms, Model, PermissionDenied, User, permission_required};

#[derive(Model)]
#[model(app_label = "auth_tests")]
struct CustomUser;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
struct Post;

/// Drives a future to completion without a runtime (the guard needs none).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn holder() -> User {
    User::builder("joe").permissions([CustomUser::ADD_CUSTOMUSER, CustomUser::CHANGE_CUSTOMUSER]).build()
}

#[permission_required("auth_tests.add_customuser", "auth_tests.change_customuser")]
fn many_permissions(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[permission_required("auth_tests.add_customuser")]
fn single_permission(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[permission_required(CustomUser::ADD_CUSTOMUSER, CustomUser::CHANGE_CUSTOMUSER, Post::PUBLISH_POST)]
fn one_missing(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[permission_required(CustomUser::ADD_CUSTOMUSER, Post::PUBLISH_POST, raise_exception = true)]
fn one_missing_raise(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[test]
fn test_many_permissions_pass() {
    assert_eq!(many_permissions(&holder()), Ok("ran"));
}

#[test]
fn test_single_permission_pass() {
    assert_eq!(single_permission(&holder()), Ok("ran"));
}

#[test]
fn test_permissioned_denied() {
    let denied = one_missing(&holder()).unwrap_err();
    assert_eq!(denied.reason(), DenialReason::Forbidden);
    assert_eq!(denied.missing(), ["blog.publish_post"]);
    assert!(!denied.raise_exception());
    assert_eq!(denied.login_url(), None);
    assert_eq!(denied.to_string(), "permission denied: missing `blog.publish_post`");
}

#[test]
fn test_permissioned_denied_exception_raised() {
    let denied = one_missing_raise(&holder()).unwrap_err();
    assert!(denied.raise_exception() && denied.is_forbidden());
}

#[permission_required("auth_tests.add_customuser")]
async fn single_permission_async(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[permission_required(CustomUser::ADD_CUSTOMUSER, Post::PUBLISH_POST, raise_exception = true)]
async fn one_missing_async(user: &User) -> Result<&'static str, PermissionDenied> {
    Ok("ran")
}

#[test]
fn async_views_pass_and_deny_alike() {
    assert_eq!(block_on(single_permission_async(&holder())), Ok("ran"));
    let denied = block_on(one_missing_async(&holder())).unwrap_err();
    assert_eq!(denied.missing(), ["blog.publish_post"]);
    assert!(denied.raise_exception());
}

#[test]
fn an_async_check_runs_when_the_future_is_first_polled() {
    let ran = Cell::new(0);
    #[permission_required(Post::PUBLISH_POST)]
    async fn counted(user: &User, ran: &Cell<u32>) -> Result<(), PermissionDenied> {
        ran.set(ran.get() + 1);
        Ok(())
    }
    let editor = User::builder("ed").permission(Post::PUBLISH_POST).build();
    let future = counted(&editor, &ran);
    assert_eq!(ran.get(), 0, "nothing runs before the first poll");
    assert_eq!(block_on(future), Ok(()));
    assert_eq!(ran.get(), 1);
    assert!(block_on(counted(&User::builder("x").build(), &ran)).is_err());
    assert_eq!(ran.get(), 1, "a denied body does not run");
}

#[test]
fn anonymous_users_are_not_authenticated_and_inactive_ones_are_forbidden() {
    #[permission_required("blog.publish_post", login_url = "/accounts/login/")]
    fn publish(user: &dyn_like::Any, n: i32) -> Result<i32, PermissionDenied> {
        Ok(n)
    }
    let denied = publish(&dyn_like::Any::Anonymous(AnonymousUser), 1).unwrap_err();
    assert!(denied.is_not_authenticated());
    assert_eq!(denied.login_url(), Some("/accounts/login/"));
    assert_eq!(denied.to_string(), "not authenticated: log in as a user with `blog.publish_post`");

    let inactive = User::builder("gone").permission(Post::PUBLISH_POST).active(false).build();
    assert!(publish(&dyn_like::Any::User(Box::new(inactive)), 1).unwrap_err().is_forbidden());
    let root = User::builder("root").superuser(true).build();
    assert_eq!(publish(&dyn_like::Any::User(Box::new(root)), 5), Ok(5));
}

/// An application's own user type: a logged-in user or the anonymous one.
mod dyn_like {
    use permfw::{AnonymousUser, HasPerms, PermissionSet, User};

    pub enum Any {
        User(Box<User>),
        Anonymous(AnonymousUser),
    }

    impl HasPerms for Any {
        fn is_active(&self) -> bool {
            match self {
                Any::User(u) => u.is_active(),
                Any::Anonymous(a) => a.is_active(),
            }
        }
        fn is_superuser(&self) -> bool {
            matches!(self, Any::User(u) if u.is_superuser())
        }
        fn permission_set(&self) -> &PermissionSet {
            match self {
                Any::User(u) => u.permission_set(),
                Any::Anonymous(a) => a.permission_set(),
            }
        }
        fn is_authenticated(&self) -> bool {
            matches!(self, Any::User(_))
        }
    }
}

#[test]
fn any_of_a_group_suffices_and_the_denial_lists_the_group() {
    #[permission_required(any(Post::FEATURE_POST, "blog.publish_post"), CustomUser::ADD_CUSTOMUSER)]
    fn promote(user: &User) -> Result<(), PermissionDenied> {
        Ok(())
    }
    let featurer = User::builder("f").permissions([Post::FEATURE_POST, CustomUser::ADD_CUSTOMUSER]).build();
    let publisher = User::builder("p").permissions([Post::PUBLISH_POST, CustomUser::ADD_CUSTOMUSER]).build();
    assert!(promote(&featurer).is_ok() && promote(&publisher).is_ok());
    let neither = User::builder("n").permission(CustomUser::ADD_CUSTOMUSER).build();
    assert_eq!(promote(&neither).unwrap_err().missing(), ["blog.feature_post", "blog.publish_post"]);
    let nothing = User::builder("z").build();
    assert_eq!(promote(&nothing).unwrap_err().missing().len(), 3);
}

#[derive(Debug, PartialEq)]
enum AppError {
    Denied(PermissionDenied),
}

impl From<PermissionDenied> for AppError {
    fn from(denied: PermissionDenied) -> Self {
        AppError::Denied(denied)
    }
}

struct Desk {
    edits: u32,
}

impl Desk {
    #[permission_required(any(Post::CHANGE_POST, Post::PUBLISH_POST), user = viewer)]
    fn edit(&self, id: i64, viewer: &User) -> Result<i64, PermissionDenied> {
        Ok(id)
    }

    #[permission_required(Post::CHANGE_POST)]
    fn edit_mut(&mut self, user: &User) -> Result<u32, AppError> {
        self.edits += 1;
        Ok(self.edits)
    }

    #[permission_required(Post::PUBLISH_POST, Post::FEATURE_POST)]
    async fn feature(&self, user: &User, id: i64) -> Result<i64, AppError> {
        Ok(id)
    }
}

#[test]
fn methods_named_users_and_error_conversion() {
    let writer = User::builder("w").permission(Post::CHANGE_POST).build();
    let mut desk = Desk { edits: 0 };
    assert_eq!(desk.edit(3, &writer), Ok(3));
    assert_eq!(desk.edit_mut(&writer), Ok(1));
    assert!(matches!(desk.edit_mut(&User::builder("x").build()), Err(AppError::Denied(_))));
    assert_eq!(desk.edits, 1);
    let chief = User::builder("c").permissions([Post::PUBLISH_POST, Post::FEATURE_POST]).build();
    assert_eq!(block_on(desk.feature(&chief, 9)), Ok(9));
    let Err(AppError::Denied(denied)) = block_on(desk.feature(&writer, 9)) else { panic!("denied") };
    assert_eq!(denied.missing(), ["blog.publish_post", "blog.feature_post"]);
}

#[permission_required(Post::PUBLISH_POST)]
fn generic<U, T>(user: U, item: T) -> Result<T, PermissionDenied>
where
    U: HasPerms,
    T: Clone,
{
    Ok(item.clone())
}

#[permission_required("blog.publish_post")]
fn impl_trait(user: impl HasPerms, label: impl Into<String>) -> Result<String, PermissionDenied> {
    Ok(label.into())
}

#[test]
fn generic_impl_trait_and_owned_or_shared_users() {
    let editor = User::builder("e").permission(Post::PUBLISH_POST).build();
    assert_eq!(generic(&editor, 5), Ok(5));
    assert_eq!(generic(Box::new(editor.clone()), "x"), Ok("x"));
    assert_eq!(generic(Rc::new(editor.clone()), 1.5), Ok(1.5));
    assert_eq!(impl_trait(Arc::new(editor.clone()), "ok"), Ok("ok".to_string()));
    assert_eq!(impl_trait(editor, "owned"), Ok("owned".to_string()));
    assert!(impl_trait(AnonymousUser, "no").unwrap_err().is_not_authenticated());
}

#[test]
fn the_signature_and_body_stay_as_written() {
    /// Docs stay.
    #[permission_required(Post::PUBLISH_POST)]
    #[allow(clippy::needless_pass_by_value)]
    pub(crate) fn moves_its_user(user: User) -> Result<User, PermissionDenied> {
        Ok(user)
    }
    let editor = User::builder("e").permission(Post::PUBLISH_POST).build();
    assert_eq!(moves_its_user(editor).map(|u| u.username().to_string()), Ok("e".to_string()));
}

#[test]
fn string_guards_are_registered_and_checked() {
    assert!(permfw::check().is_empty(), "{:#?}", permfw::check());
}
