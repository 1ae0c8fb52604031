use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post", user = viewer)]
fn publish(user: &User, id: i64) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
