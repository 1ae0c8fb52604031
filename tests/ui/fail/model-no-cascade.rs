use permfw::{HasPerms, Model, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", Bad = "Can be bad")]
struct Post;

fn main() {
    // One mistake in the derive, and no other error: the consts and `impl Model` still exist.
    let user = User::builder("bob").permission(Post::PUBLISH_POST).build();
    assert!(user.has_perm(Post::VIEW_POST) || <Post as Model>::PERMISSIONS.is_empty());
}
