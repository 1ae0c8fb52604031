use permfw::{permission_required, PermissionDenied, User};

#[permission_required("blog.publish_post")]
fn publish(user: &User, title: &str) -> Result<(), PermissionDenied> {
    let words = title.split(' ').count() +;
    Ok(())
}

fn main() {}
