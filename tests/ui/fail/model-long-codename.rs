use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx = "Some permission")]
struct Checked;

fn main() {}
