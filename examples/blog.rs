//! The guide's blog, step by step: declare `Post` with its custom permissions, list what the
//! derive generated, build the Writers, Editors and Visitors groups and a few users, show who has
//! what, and call guarded functions that succeed and that are denied.
//!
//! Run it with `cargo run --example blog`.

use permfw::{Group, HasPerms, Model, Permission, PermissionDenied, User, permission_required};

/// The guide's `Post`, with its two custom permissions.
#[derive(Model, Debug)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
pub struct Post {
    pub title: String,
    pub published: bool,
    pub featured: bool,
}

/// Publishes a post: the guide's `@permission_required('blog.publish_post')`.
#[permission_required("blog.publish_post")]
fn publish(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
    post.published = true;
    Ok(())
}

/// Features a post on the front page: needs both custom permissions.
#[permission_required(Post::PUBLISH_POST, Post::FEATURE_POST)]
fn feature(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
    post.featured = true;
    Ok(())
}

/// Shows a post to anyone who may view it, or change it (Django's admin: change implies view).
#[permission_required(any(Post::VIEW_POST, Post::CHANGE_POST), raise_exception = true)]
fn show(user: &User, post: &Post) -> Result<String, PermissionDenied> {
    Ok(format!(
        "\"{}\"{}",
        post.title,
        if post.published { "" } else { " (draft)" }
    ))
}

fn main() {
    println!("permfw blog example: Django's model permissions, checked by the compiler\n");

    println!(
        "1. `#[derive(Model)]` on Post generated these permissions (from permfw::registry()):\n"
    );
    println!("   {:<22} {:<14} name", "permission", "const");
    for perm in permfw::registry()
        .permissions()
        .filter(|p| p.app_label() == "blog")
    {
        println!(
            "   {:<22} {:<14} {}",
            perm.as_str(),
            perm.codename().to_uppercase(),
            perm.name()
        );
    }

    let writers = Group::new("Writers").with_permissions([
        Post::ADD_POST,
        Post::CHANGE_POST,
        Post::VIEW_POST,
    ]);
    let editors = Group::new("Editors").with_permissions([
        Post::VIEW_POST,
        Post::CHANGE_POST,
        Post::DELETE_POST,
        Post::PUBLISH_POST,
        Post::FEATURE_POST,
    ]);
    let visitors = Group::new("Visitors").with_permission(Post::VIEW_POST);
    println!("\n2. Groups and what their members inherit:\n");
    for group in [&writers, &editors, &visitors] {
        let perms: Vec<_> = group.permissions().map(Permission::codename).collect();
        println!("   {:<9} {}", group.name(), perms.join(", "));
    }

    let users = [
        User::builder("alice").group(&writers).build(),
        // A writer who may also publish: a direct grant on top of a group.
        User::builder("wendy")
            .group(&writers)
            .permission(Post::PUBLISH_POST)
            .build(),
        User::builder("bob").group(&editors).build(),
        User::builder("carol").group(&visitors).build(),
        User::builder("root").superuser(true).staff(true).build(),
        User::builder("dave").group(&editors).active(false).build(),
    ];
    println!("\n3. Who has what (has_perm):\n");
    let columns = [
        ("view", Post::VIEW_POST),
        ("add", Post::ADD_POST),
        ("change", Post::CHANGE_POST),
        ("delete", Post::DELETE_POST),
        ("publish", Post::PUBLISH_POST),
        ("feature", Post::FEATURE_POST),
    ];
    print!("   {:<7} {:<26}", "user", "groups and flags");
    for (title, _) in columns {
        print!(" {title:>7}");
    }
    println!();
    for user in &users {
        let mut about: Vec<String> = user.groups().map(str::to_owned).collect();
        if user.is_superuser() {
            about.push("superuser".into());
        }
        if !user.is_active() {
            about.push("inactive".into());
        }
        if !user.is_superuser() && !user.get_user_permissions().is_empty() {
            about.push("+ direct grant".into());
        }
        print!("   {:<7} {:<26}", user.username(), about.join(", "));
        for (_, perm) in columns {
            print!(" {:>7}", if user.has_perm(perm) { "yes" } else { "-" });
        }
        println!();
    }

    println!("\n4. Guarded functions (#[permission_required]):\n");
    let mut post = Post {
        title: "Hello, permissions".into(),
        published: false,
        featured: false,
    };
    for user in &users {
        let outcome = |result: Result<(), PermissionDenied>| match result {
            Ok(()) => "done".to_owned(),
            Err(denied) => format!("refused ({denied})"),
        };
        println!(
            "   {:<6} publish -> {}",
            user.username(),
            outcome(publish(user, &mut post))
        );
        println!(
            "   {:<6} feature -> {}",
            user.username(),
            outcome(feature(user, &mut post))
        );
        match show(user, &post) {
            Ok(shown) => println!("   {:<6} show    -> {shown}", user.username()),
            Err(denied) => println!(
                "   {:<6} show    -> refused ({denied}; raise_exception: a 403)",
                user.username()
            ),
        }
    }
    println!(
        "\n   The post is now published: {}, featured: {}.",
        post.published, post.featured
    );

    let problems = permfw::check();
    println!(
        "\n5. permfw::check(): {}",
        if problems.is_empty() {
            "no problems found".to_owned()
        } else {
            format!("{problems:?}")
        }
    );
}
