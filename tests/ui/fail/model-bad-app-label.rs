use permfw::Model;

#[derive(Model)]
#[model(app_label = "My-Blog")]
struct Post;

#[derive(Model)]
#[model(app_label = "2fa")]
struct Token;

fn main() {}
