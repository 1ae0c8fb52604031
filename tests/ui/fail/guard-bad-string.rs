use permfw::{permission_required, PermissionDenied, User};

#[permission_required("publish_post")]
fn no_app_label(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("Blog.publish_post", "blog.publish.post", "blog.")]
fn malformed(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
