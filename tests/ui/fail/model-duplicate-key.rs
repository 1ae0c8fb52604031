use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[model(app_label = "news", verbose_name = "a", verbose_name = "b")]
struct Post;

fn main() {}
