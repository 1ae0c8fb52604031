use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", ordering = "title", permissions = "x")]
struct Post;

fn main() {}
