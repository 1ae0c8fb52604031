//! The expansions name nothing from the prelude, so shadowing it changes nothing.
#![allow(dead_code)]

mod shadows {
    pub struct Result;
    pub struct Option;
    pub struct String;
    pub struct Box;
    pub struct Vec;
    #[allow(non_snake_case)]
    pub fn Ok() {}
    #[allow(non_snake_case)]
    pub fn Err() {}
    #[allow(non_snake_case)]
    pub fn Some() {}
    pub mod core {}
    pub mod std {}
}

mod app {
    #[allow(unused_imports)] // the expansion must not use them: that is the test
    use super::shadows::*;
    use permfw::{permission_required, Model, PermissionDenied, User};

    #[derive(Model)]
    #[model(app_label = "blog")]
    #[permissions(publish_post = "Can publish post")]
    pub struct Post;

    #[permission_required(Post::PUBLISH_POST, "blog.view_post", login_url = "/login/")]
    pub fn publish(user: &User) -> ::core::result::Result<(), PermissionDenied> {
        ::core::result::Result::Ok(())
    }
}

fn main() {
    let _ = app::publish(&permfw::User::builder("u").build());
}
