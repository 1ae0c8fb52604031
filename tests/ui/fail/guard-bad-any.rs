use permfw::{permission_required, Model, PermissionDenied, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

#[permission_required(any())]
fn empty(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required(any(Post::PUBLISH_POST, any(Post::VIEW_POST)))]
fn nested(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required(any(Post::PUBLISH_POST, raise_exception = true))]
fn option_inside(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
