//! A support lead's task with groups, in Chromium: create a group, give it a permission with the
//! picker, add members, search them, and delete the group after reading what its members would
//! lose; axe-core on every page.

use permfw::HasPerms;
use permfw::store::{Actor, Store};

use super::Post;
use super::driver::{self, Browser, serve};

#[test]
fn create_a_group_grant_with_the_picker_add_and_search_members_then_delete_it_after_its_confirmation() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
        for name in ["alice", "bob", "carol"] {
            store.create_user(system, name, &format!("{name}@example.com"), None).await.unwrap();
        }
        // bob may publish anyway: deleting the group takes nothing from him.
        store.grant_user(system, "bob", [Post::PUBLISH_POST]).await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    browser.visit(&format!("{base}/admin/groups"));
    browser.log_in("root");
    browser.find("#group-name");
    browser.assert_accessible("the groups list");
    browser.type_into("#group-name", "Night shift");
    browser.click("#create-group");
    browser.wait_for_text("#flash", "Created group Night shift");
    browser.assert_accessible("a new group's page");

    browser.type_into("#picker", "blog.publish_post");
    browser.click("#grant");
    browser.wait_for_text("#flash", "Granted Can publish post (blog.publish_post) to Night shift");
    assert!(browser.text("#group-permissions").contains("Can publish post (blog.publish_post)"));

    for name in ["alice", "bob"] {
        browser.type_into("#member-username", name);
        browser.click("#add");
        browser.wait_for_text("#flash", &format!("Added {name} to Night shift"));
    }
    browser.wait_for_text("#member-count", "2 members");
    browser.screenshot("admin-group");
    browser.assert_accessible("a group's page with members");
    assert!(runtime.block_on(store.get_user("alice")).unwrap().has_perm(Post::PUBLISH_POST));

    browser.type_into("#member-search", "ali");
    browser.click("#search-members");
    browser.wait_until("#members", |rows| rows.contains("alice") && !rows.contains("bob"), "only alice");
    browser.assert_accessible("a group's members, searched");

    browser.click("#delete");
    browser.wait_for_text("#question", "2 members lose");
    let losses = browser.text("#losses");
    let line = |name: &str| losses.lines().find(|line| line.contains(name)).unwrap_or_default().to_owned();
    assert!(line("alice").contains("Can publish post (blog.publish_post)"), "{losses}");
    assert!(line("bob").contains("holds each of them another way"), "{losses}");
    browser.assert_accessible("the confirmation of a group's deletion");
    assert!(runtime.block_on(store.get_group("Night shift")).is_ok(), "asking deletes nothing");
    browser.click("#confirm");
    browser.wait_for_text("#flash", "Deleted group Night shift");
    assert!(!browser.text("#groups").contains("Night shift"));
    browser.assert_accessible("the groups list after a deletion");
    assert!(!runtime.block_on(store.get_user("alice")).unwrap().has_perm(Post::PUBLISH_POST));
    assert!(runtime.block_on(store.get_user("bob")).unwrap().has_perm(Post::PUBLISH_POST));
}
