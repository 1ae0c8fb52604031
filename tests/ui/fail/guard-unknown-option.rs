use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post", redirect_field_name = "next")]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
