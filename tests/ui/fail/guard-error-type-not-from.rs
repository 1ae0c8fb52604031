use permfw::{permission_required, Model, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

#[permission_required(Post::PUBLISH_POST)]
fn publish(user: &User) -> Result<(), String> {
    Ok(())
}

fn main() {}
