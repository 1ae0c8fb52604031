use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(change_checked = "Can change checked")]
struct Checked;

fn main() {}
