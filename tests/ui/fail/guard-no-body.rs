use permfw::{permission_required, PermissionDenied, User};

trait Publisher {
    #[permission_required("blog.publish_post")]
    fn publish(&self, user: &User) -> Result<(), PermissionDenied>;
}

fn main() {}
