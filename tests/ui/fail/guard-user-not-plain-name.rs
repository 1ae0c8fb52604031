use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post")]
fn publish((user, id): (&User, i64)) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("blog.publish_post", user = users.0)]
fn publish_pair(users: (&User, &User)) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
