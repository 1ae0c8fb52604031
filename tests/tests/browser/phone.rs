//! The admin at a phone's width, in Chromium: every page a support person opens fits a 390-pixel
//! window without sideways scrolling (wide tables scroll inside their own box), and passes
//! axe-core there too; and the keyboard reaches the content first through the skip link.

use permfw::store::{Actor, RequestPolicy, Store};

use super::Post;
use super::driver::{self, Browser, serve};

#[test]
fn every_page_fits_a_phone_and_the_keyboard_skips_to_the_content() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let base = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
        store.create_group(system, "Editors").await.unwrap();
        store.grant_group(system, "Editors", [Post::CHANGE_POST, Post::PUBLISH_POST]).await.unwrap();
        for name in ["alice", "bob"] {
            store.create_user(system, name, &format!("{name}@example.com"), None).await.unwrap();
            store.add_to_group(system, name, "Editors").await.unwrap();
        }
        store.grant_user(system, "alice", [Post::DELETE_POST]).await.unwrap();
        let promotion = RequestPolicy::group("promotion", "Editors").approved_by_members_of("Editors");
        store.create_policy(system, &promotion).await.unwrap();
        serve(&store).await
    });

    browser.resize(390, 844);
    browser.visit(&format!("{base}/admin/login"));
    browser.assert_fits_width("the login page");
    browser.log_in("root");
    browser.find("#search");
    for (page, path) in [
        ("the user list", "/admin/users"),
        ("a user's page", "/admin/users/alice"),
        ("the why-not box", "/admin/users/bob?why=blog.delete_post"),
        ("Add user", "/admin/add-user"),
        ("the groups", "/admin/groups"),
        ("a group", "/admin/groups/Editors"),
        ("a group's deletion page", "/admin/groups/Editors/delete"),
        ("the access matrix", "/admin/matrix?group=Editors"),
        ("the audit log", "/admin/audit"),
        ("Request access", "/admin/requests/new"),
        ("the approvals", "/admin/approvals"),
    ] {
        browser.visit(&format!("{base}{path}"));
        browser.find("h1");
        browser.assert_fits_width(page);
        browser.assert_accessible(page);
    }

    // The first Tab stop is the skip link, and following it puts the content next.
    browser.visit(&format!("{base}/admin/users"));
    browser.find("#search");
    let first = browser.execute(
        "document.activeElement.blur(); window.getSelection().removeAllRanges(); return null;",
        serde_json::json!([]),
    );
    assert!(first.is_null());
    browser.call(
        "POST",
        "/actions",
        Some(serde_json::json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}
        ]}]})),
    );
    let focused = browser.execute("return document.activeElement.className;", serde_json::json!([]));
    assert_eq!(focused.as_str(), Some("skip"), "the first Tab stop is the skip link");
}
