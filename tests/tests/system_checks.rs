//! `permfw::check()` and the registry, on a binary that links mistakes on purpose: two models
//! under one name, one codename on two models, and guards naming unregistered permissions.

use permfw::{HasPerms, Level, Model, PermissionDenied, User, permission_required};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish = "Can publish post")]
struct Post;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish = "Can publish page")]
struct Page;

mod elsewhere {
    /// A second `blog.post`.
    #[allow(dead_code)]
    #[derive(permfw::Model)]
    #[model(app_label = "blog", default_permissions = ["view"])]
    pub struct Post;
}

#[permission_required("blog.publsh")]
fn misspelled(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required("shop.refund_order")]
fn unlinked(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[test]
fn two_models_under_one_name_are_e001() {
    let checks = permfw::check();
    let e001: Vec<_> = checks.iter().filter(|c| c.id() == "permfw.E001").collect();
    assert_eq!(e001.len(), 1, "{checks:#?}");
    assert_eq!(e001[0].obj(), "blog.post");
    assert_eq!(e001[0].level(), Level::Error);
    assert!(e001[0].msg().contains("system_checks::Post") && e001[0].msg().contains("elsewhere::Post"));
    assert!(e001[0].hint().unwrap().contains("model_name"));
}

#[test]
fn one_codename_on_two_models_is_e002_and_either_holds() {
    let checks = permfw::check();
    let e002: Vec<_> = checks.iter().filter(|c| c.id() == "permfw.E002").collect();
    assert_eq!(e002.len(), 1, "{checks:#?}");
    assert_eq!(e002[0].obj(), "blog.publish");
    assert!(e002[0].is_serious());
    let text = e002[0].to_string();
    assert!(text.starts_with("blog.publish: (permfw.E002) permission `blog.publish` is declared by"), "{text}");
    assert!(text.contains("\n\tHINT: rename"), "{text}");

    // The registry lists both; `get` returns the first in registry order; a string holds for either.
    let publishes: Vec<_> = permfw::registry().permissions().filter(|p| p.as_str() == "blog.publish").collect();
    assert_eq!(publishes, [Page::PUBLISH, Post::PUBLISH]);
    assert_eq!(permfw::registry().get("blog.publish"), Some(Page::PUBLISH));
    let post_publisher = User::builder("a").permission(Post::PUBLISH).build();
    let page_publisher = User::builder("b").permission(Page::PUBLISH).build();
    assert!(post_publisher.has_perm("blog.publish") && page_publisher.has_perm("blog.publish"));
    assert!(post_publisher.has_perm(Post::PUBLISH) && !post_publisher.has_perm(Page::PUBLISH));
}

#[test]
fn guards_naming_unregistered_permissions_are_e003_with_a_suggestion() {
    let checks = permfw::check();
    let e003: Vec<_> = checks.iter().filter(|c| c.id() == "permfw.E003").collect();
    assert_eq!(e003.len(), 2, "{checks:#?}");
    let misspelled = e003.iter().find(|c| c.msg().contains("`blog.publsh`")).unwrap();
    assert_eq!(misspelled.obj(), "system_checks::misspelled");
    assert!(misspelled.msg().contains("on `misspelled` (tests/tests/system_checks.rs:24:23)"), "{}", misspelled.msg());
    assert_eq!(misspelled.hint(), Some("did you mean `blog.publish`?"));
    let unlinked = e003.iter().find(|c| c.msg().contains("`shop.refund_order`")).unwrap();
    assert!(unlinked.hint().unwrap().contains("link the crate"), "{unlinked}");
}

#[test]
fn a_guard_on_an_unregistered_string_denies_everyone_but_superusers() {
    let user = User::builder("u").build();
    assert_eq!(misspelled(&user).unwrap_err().missing(), ["blog.publsh"]);
    assert!(unlinked(&user).is_err());
    assert!(misspelled(&User::builder("root").superuser(true).build()).is_ok());
}

#[test]
fn the_registry_is_ordered_by_app_model_then_declaration() {
    let blog: Vec<_> = permfw::registry()
        .permissions()
        .filter(|p| p.app_label() == "blog")
        .map(|p| format!("{}.{}", p.model_name(), p.codename()))
        .collect();
    assert_eq!(
        blog,
        [
            "page.add_page",
            "page.change_page",
            "page.delete_page",
            "page.view_page",
            "page.publish",
            "post.add_post",
            "post.change_post",
            "post.delete_post",
            "post.view_post",
            "post.publish",
            "post.view_post",
        ]
    );
    let apps: Vec<_> = permfw::registry().app_labels().collect();
    assert_eq!(apps, ["auth", "blog"]);
    let models: Vec<_> = permfw::registry().models().map(|m| m.label()).collect();
    assert_eq!(models, ["auth.Group", "auth.Permission", "auth.User", "blog.Page", "blog.Post", "blog.Post"]);
}
