use permfw::Model;

#[derive(Model)]
#[model(app_label = "Blog", colour = "red", default_permissions = ["add", "add"])]
#[permissions(add_post = "Can add post", Publish = "Can publish", feature = "", feature = "again")]
struct Post<T>(T);

fn main() {}
