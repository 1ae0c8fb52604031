use permfw::{permission_required, Model, PermissionDenied, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

const LIMIT: u32 = 3;

#[permission_required(Post, LIMIT, Post::PUBLISH_POTS)]
fn publish(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required(1 + 2)]
fn arithmetic(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
