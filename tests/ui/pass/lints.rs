//! The expansions are clean under the strictest lints a user may set.
#![deny(warnings, missing_docs, unused_qualifications, clippy::all)]
//! Lints.

use permfw::{permission_required, Model, PermissionDenied, User};

/// A post.
#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

/// Publishes.
///
/// # Errors
///
/// When the user may not.
#[permission_required(Post::PUBLISH_POST, "blog.view_post", any(Post::CHANGE_POST, "blog.add_post"))]
pub fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

/// Publishes later.
///
/// # Errors
///
/// When the user may not.
#[permission_required(Post::PUBLISH_POST)]
pub async fn publish_later(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {
    let _ = publish(&User::builder("u").build());
    let _ = publish_later(&User::builder("u").build());
}
