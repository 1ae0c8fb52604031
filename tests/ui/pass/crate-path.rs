//! An application that reaches permfw through a re-export names it with `crate = ...`, as a path
//! or as serde's string; every generated path then goes through it.

mod reexport {
    pub use permfw;
}

use reexport::permfw::{HasPerms, PermissionDenied, User};

#[derive(reexport::permfw::Model)]
#[model(app_label = "blog", crate = reexport::permfw)]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

#[derive(reexport::permfw::Model)]
#[model(crate = "crate::reexport::permfw", app_label = "shop")]
pub struct Order;

#[reexport::permfw::permission_required(Post::PUBLISH_POST, "shop.view_order", crate = reexport::permfw)]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[reexport::permfw::permission_required(any("blog.view_post", Order::CHANGE_ORDER), crate = "crate::reexport::permfw")]
fn read(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {
    let editor = User::builder("editor").permissions([Post::PUBLISH_POST, Order::VIEW_ORDER]).build();
    let reader = User::builder("reader").permission(Post::VIEW_POST).build();
    assert!(publish(&editor).is_ok() && publish(&reader).is_err());
    assert!(read(&reader).is_ok() && read(&editor).is_err());
    assert!(editor.has_perm("shop.view_order"));
    assert!(reexport::permfw::check().is_empty(), "{:#?}", reexport::permfw::check());
}
