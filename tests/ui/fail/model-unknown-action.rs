use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", default_permissions = ["add", "moderate", 3])]
struct Comment;

fn main() {}
