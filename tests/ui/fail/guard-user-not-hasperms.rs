use permfw::{permission_required, Model, PermissionDenied};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

struct Account {
    name: String,
}

#[permission_required(Post::PUBLISH_POST)]
fn publish(account: &Account) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("blog.publish_post", user = name)]
fn rename(account: &Account, name: &str) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
