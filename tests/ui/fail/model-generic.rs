use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
struct Post<T> {
    body: T,
}

#[derive(Model)]
#[model(app_label = "blog")]
struct Draft<'a> {
    body: &'a str,
}

fn main() {}
