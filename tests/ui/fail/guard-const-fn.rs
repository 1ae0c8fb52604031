use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post")]
const fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
