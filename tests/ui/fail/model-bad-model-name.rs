use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog", model_name = "blog-post")]
struct BlogPost;

fn main() {}
