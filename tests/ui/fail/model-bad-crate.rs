use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", crate = 5)]
struct Post;

#[derive(Model)]
#[model(app_label = "blog", crate = "my app::permfw")]
struct Page;

#[derive(Model)]
#[model(app_label = "blog", crate = permfw, crate = permfw)]
struct Comment;

#[derive(Model)]
#[model(app_label = "blog", crate = reexport::permfw)]
struct Tag;

fn main() {}
