//! Finding people and a bulk action: filter the user list by a permission, select users, grant
//! them another permission in bulk, check the confirmation page, apply it, and see the result by
//! filtering again; axe-core on every page.

use permfw::HasPerms;
use permfw::store::{Actor, Store};

use super::Post;
use super::driver::{self, Browser, serve};

#[test]
fn filter_by_permission_select_users_bulk_grant_confirm_and_see_the_result() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
        store.create_group(system, "Writers").await.unwrap();
        store.grant_group(system, "Writers", [Post::CHANGE_POST]).await.unwrap();
        for name in ["alice", "bob", "carol", "dave"] {
            store.create_user(system, name, &format!("{name}@example.com"), None).await.unwrap();
        }
        for name in ["alice", "bob"] {
            store.add_to_group(system, name, "Writers").await.unwrap();
        }
        store.grant_user(system, "carol", [Post::CHANGE_POST]).await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    browser.visit(&format!("{base}/admin/users"));
    browser.log_in("root");
    browser.find("#f-perm");
    browser.assert_accessible("the user list with its filters");

    // Who may change posts: alice and bob through Writers, carol directly, root as superuser.
    browser.type_into("#f-perm", "blog.change_post");
    browser.click("#filter");
    browser.wait_until("#users", |rows| rows.contains("carol") && !rows.contains("dave"), "the holders only");
    let rows = browser.text("#users");
    for name in ["alice", "bob", "carol", "root"] {
        assert!(rows.contains(name), "{name}: {rows}");
    }
    browser.assert_accessible("the user list filtered by a permission");

    // Select the three writers and grant them blog.publish_post.
    for name in ["alice", "bob", "carol"] {
        browser.click(&format!("input[name='users'][value='{name}']"));
    }
    browser.select("#bulk-action", "grant");
    browser.type_into("#bulk-argument", "blog.publish_post");
    browser.screenshot("admin-users");
    browser.click("#bulk-preview");
    browser.wait_for_text("#summary", "3 will change");
    let lines = browser.text("#bulk-lines");
    assert!(lines.contains("Is granted Can publish post (blog.publish_post) directly"), "{lines}");
    browser.assert_accessible("the bulk action's confirmation page");
    assert!(
        !runtime.block_on(store.get_user("alice")).unwrap().has_perm(Post::PUBLISH_POST),
        "a preview writes nothing"
    );
    browser.click("#apply");
    browser.wait_for_text("#flash", "Granted blog.publish_post to 3 users.");
    browser.assert_accessible("the user list after a bulk action");
    for name in ["alice", "bob", "carol"] {
        assert!(runtime.block_on(store.get_user(name)).unwrap().has_perm(Post::PUBLISH_POST), "{name}");
    }

    // The result, by filtering on the new permission.
    browser.visit(&format!("{base}/admin/users?perm=blog.publish_post"));
    browser.wait_until("#users", |rows| rows.contains("carol") && !rows.contains("dave"), "the new holders");
    browser.assert_accessible("the user list filtered by the granted permission");
}
