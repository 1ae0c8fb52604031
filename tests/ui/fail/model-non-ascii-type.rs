use permfw::Model;

#[derive(Model)]
#[model(app_label = "menu")]
struct Café;

fn main() {}
