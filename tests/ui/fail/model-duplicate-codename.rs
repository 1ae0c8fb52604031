use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(my_custom_permission = "Some permission", ("my_custom_permission", "Same codename"))]
#[permissions(my_custom_permission = "A third time")]
struct Checked;

fn main() {}
