use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
union Number {
    int: u32,
    float: f32,
}

fn main() {}
