use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", verbose_name = "")]
#[permissions(publish_post = "", ("feature_post", "   "))]
struct Post;

fn main() {}
