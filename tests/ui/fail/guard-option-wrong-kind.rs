use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post", raise_exception = "yes", login_url = 3, user = "user")]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
