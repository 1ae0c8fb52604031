use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(Publish = "Can publish", ("feature.post", "Can feature"), ("2fa", "Can do"), ("", "Empty"))]
struct Post;

fn main() {}
