use permfw::{permission_required, Model, PermissionDenied, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

#[permission_required(Post::PUBLISH_POST)]
fn returns_string(user: &User) -> String {
    String::new()
}

#[permission_required(Post::PUBLISH_POST)]
fn returns_nothing(user: &User) {}

#[permission_required(Post::PUBLISH_POST)]
async fn returns_option(user: &User) -> Option<u8> {
    None
}

fn main() {
    let _ = PermissionDenied::forbidden(["x.y"]);
}
