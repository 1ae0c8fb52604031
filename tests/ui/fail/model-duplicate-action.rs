use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", default_permissions = ["add", "view", "add"])]
struct Comment;

fn main() {}
