use permfw::{permission_required, PermissionDenied};

#[permission_required("blog.publish_post")]
fn publish() -> Result<(), PermissionDenied> {
    Ok(())
}

struct Desk;

impl Desk {
    #[permission_required("blog.publish_post")]
    fn publish(&self) -> Result<(), PermissionDenied> {
        Ok(())
    }
}

fn main() {}
