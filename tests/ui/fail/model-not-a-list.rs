use permfw::Model;

#[derive(Model)]
#[model]
#[permissions = "publish_post"]
struct Post;

fn main() {}
