use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post", login_url = "/a/", login_url = "/b/")]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
