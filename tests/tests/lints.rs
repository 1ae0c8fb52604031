//! The expansions are warning-clean under strict lints: rustc's `warnings` here, and clippy's
//! `all` and `pedantic` groups when CI runs `cargo clippy --all-targets -- -D warnings`.
#![deny(warnings, missing_docs, unused_qualifications, clippy::all, clippy::pedantic)]

use permfw::{HasPerms, Model, PermissionDenied, User, permission_required};

/// A post.
#[derive(Model)]
#[model(app_label = "lints")]
#[permissions(publish_post = "Can publish post", ("feature_post", "Can feature post"))]
pub struct Post;

/// A model with no default permissions.
#[derive(Model)]
#[model(app_label = "lints", default_permissions = [])]
pub enum Flag {
    /// On.
    On,
}

/// Publishes.
///
/// # Errors
///
/// When the user may not.
#[permission_required(Post::PUBLISH_POST, "lints.view_post", any(Post::CHANGE_POST, "lints.add_post"))]
pub fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

/// Publishes later.
///
/// # Errors
///
/// When the user may not.
#[permission_required(Post::FEATURE_POST, user = who, raise_exception = true, login_url = "/login/")]
pub async fn feature(id: i64, who: impl HasPerms) -> Result<i64, PermissionDenied> {
    Ok(id)
}

#[test]
fn strict_lints_hold() {
    let user = User::builder("u").build();
    assert!(publish(&user).is_err());
    drop(feature(1, &user));
    assert_eq!(Flag::PERMISSIONS.len(), 0);
    assert!(matches!(Flag::On, Flag::On));
}
