//! The code blocks of CONTRACT.md sections 1, 3 and 4, as written.

use permfw::Model;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
pub struct Post {
    pub title: String,
}

mod section_4 {
    use super::Post;
    use permfw::{permission_required, PermissionDenied, User};

    pub struct AppError(pub PermissionDenied);

    impl From<PermissionDenied> for AppError {
        fn from(denied: PermissionDenied) -> Self {
            AppError(denied)
        }
    }

    #[permission_required("blog.publish_post")]
    pub fn publish(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
        post.title.push_str(" (published)");
        Ok(())
    }

    #[permission_required(Post::PUBLISH_POST, Post::FEATURE_POST)] // all of them
    pub async fn feature(user: &User, id: i64) -> Result<Post, AppError> {
        Ok(Post { title: format!("post {id}") })
    }

    pub struct Desk;

    impl Desk {
        #[permission_required(any(Post::CHANGE_POST, Post::PUBLISH_POST), user = viewer)]
        pub fn edit(&self, id: i64, viewer: &User) -> Result<(), PermissionDenied> {
            let _ = id;
            Ok(())
        }
    }
}

fn main() {
    use permfw::{AnonymousUser, Group, HasPerms, User};

    let editors = Group::new("Editors").with_permissions([Post::CHANGE_POST, Post::PUBLISH_POST]);
    let bob = User::builder("bob").group(&editors).permission(Post::VIEW_POST).build();
    let root = User::builder("root").superuser(true).build();
    let gone = User::builder("gone").active(false).permission(Post::VIEW_POST).build();
    assert!(bob.has_perm("blog.publish_post") && !gone.has_perm(Post::VIEW_POST));
    assert!(!AnonymousUser.has_perm(Post::VIEW_POST));
    assert!(root.has_perm(Post::FEATURE_POST));

    let _: [permfw::Permission; 6] = [
        Post::ADD_POST,
        Post::CHANGE_POST,
        Post::DELETE_POST,
        Post::VIEW_POST,
        Post::PUBLISH_POST,
        Post::FEATURE_POST,
    ];
    let mut post = Post { title: String::from("Hello") };
    assert!(section_4::publish(&bob, &mut post).is_ok());
    assert!(section_4::Desk.edit(1, &bob).is_ok());
    let _future = section_4::feature(&root, 1);
}
