use permfw::Model;

#[derive(Model)]
#[model(app_label = blog, default_permissions = "add", verbose_name)]
#[permissions(publish_post = 1, ("feature_post", "Can feature post", "extra"), "archive_post")]
struct Post;

fn main() {}
