use permfw::{HasPerms, Model, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

#[derive(Model)]
#[model(app_label = "blog", default_permissions = ["view"])]
#[permissions(("moderate_comment", "Can moderate comment"))]
pub struct Comment;

#[derive(Model)]
#[model(app_label = "blog", model_name = "tag", verbose_name = "label")]
pub enum Tag {
    News,
    Opinion,
}

fn main() {
    #[derive(Model)]
    #[model(app_label = "local")]
    #[permissions(run_local = "Can run local")]
    struct Local;

    let user = User::builder("u").permissions([Post::PUBLISH_POST, Comment::MODERATE_COMMENT, Tag::ADD_TAG]).build();
    assert!(user.has_perms([Post::PUBLISH_POST, Comment::MODERATE_COMMENT]));
    assert_eq!(Tag::ADD_TAG.name(), "Can add label");
    assert!(!user.has_perm(Local::RUN_LOCAL));
    assert!(permfw::registry().get("local.run_local").is_some());
    assert_eq!(Comment::PERMISSIONS.len(), 2);
}
