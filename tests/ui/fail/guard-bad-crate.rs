use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post", crate = 5)]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("blog.publish_post", crate = "my app::permfw")]
fn feature(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("blog.publish_post", crate = std)]
fn archive(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
