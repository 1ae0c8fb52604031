//! Explain and the audit log in Chromium: a support person opens a user's page, reads who
//! granted each permission and when, asks "why not?" for a permission the user lacks and for
//! one it has, looks at the access matrix of the group that has it and downloads it; and filters
//! the audit log by actor, action and date, then pages to older entries. axe-core on every page.

use permfw::store::{Actor, Store};

use super::Post;
use super::driver::{self, Browser, serve};

/// Writers (change_post), Editors (change_post, publish_post); alice writes, heidi edits, grace
/// is staff who views and changes users and edits; root is the superuser.
async fn newsroom() -> (Store, String) {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let system = &Actor::System;
    store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
    for (group, perms) in
        [("Writers", vec![Post::CHANGE_POST]), ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST])]
    {
        store.create_group(system, group).await.unwrap();
        store.grant_group(system, group, perms).await.unwrap();
    }
    for name in ["alice", "heidi", "grace"] {
        store
            .create_user(system, name, &format!("{name}@example.com"), Some(&format!("{name}-password")))
            .await
            .unwrap();
    }
    let root = &Actor::User("root".into());
    for (name, group) in [("alice", "Writers"), ("heidi", "Editors"), ("grace", "Editors")] {
        store.add_to_group(root, name, group).await.unwrap();
    }
    store.set_staff(system, "grace", true).await.unwrap();
    store.grant_user(system, "grace", ["auth.view_user", "auth.change_user", "blog.delete_post"]).await.unwrap();
    store.grant_user(&Actor::User("grace".into()), "alice", [Post::DELETE_POST]).await.unwrap();
    let base = serve(&store).await;
    (store, base)
}

#[test]
fn explain_a_users_permission_and_ask_why_not() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (_store, base) = runtime.block_on(newsroom());

    browser.visit(&format!("{base}/admin/users/alice"));
    browser.log_in("grace");
    browser.wait_for_text("#permissions", "Can delete post (blog.delete_post)");
    let table = browser.text("#permissions");
    assert!(table.contains("Granted directly by grace on 20") && table.contains("just now"), "{table}");
    assert!(table.contains("Group Writers: alice added by root on"), "{table}");
    browser.assert_accessible("a user's page");

    // Why can't alice publish?
    browser.type_into("#why", "blog.publish_post");
    browser.click("#ask-why");
    browser.wait_for_text("#answer", "No: alice does not have Can publish post (blog.publish_post).");
    let answer = browser.text("#answer");
    assert!(answer.contains("It is not granted to alice directly."), "{answer}");
    assert!(answer.contains("Editors has it; alice is not a member."), "{answer}");
    browser.screenshot("admin-explain");
    browser.assert_accessible("a user's page with a why-not answer");

    // And why can she change posts?
    browser.execute("document.querySelector('#why').value = '';", serde_json::json!([]));
    browser.type_into("#why", "blog.change_post");
    browser.click("#ask-why");
    browser.wait_for_text("#answer", "Yes: alice has Can change post (blog.change_post).");
    assert!(browser.text("#answer").contains("alice has it through group Writers."));

    // Who can publish: the Editors' access matrix, from the nav.
    browser.click("header nav a[href$='/matrix']");
    browser.type_into("#m-group", "Editors");
    browser.click("#show-group");
    browser.wait_for_text("h1", "Access matrix: group Editors");
    let matrix = browser.text("#matrix");
    assert!(matrix.contains("heidi") && matrix.contains("grace") && !matrix.contains("alice"), "{matrix}");
    assert!(matrix.contains("Yes (group Editors)"), "{matrix}");
    assert!(browser.is_present("#matrix-csv[href$='/matrix.csv?group=Editors']"));
    browser.assert_accessible("the access matrix");
    browser.select("#m-app", "blog");
    browser.click("#show-app");
    browser.wait_for_text("h1", "Access matrix: app blog");
    assert!(browser.text("#matrix").contains("alice"), "alice holds blog permissions");
    browser.assert_accessible("the access matrix of an app");
}

#[test]
fn filter_the_audit_log() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let (store, base) = newsroom().await;
        let grace = &Actor::User("grace".into());
        for _ in 0..60 {
            store.grant_user(grace, "heidi", [Post::DELETE_POST]).await.unwrap();
            store.revoke_user(grace, "heidi", [Post::DELETE_POST]).await.unwrap();
        }
        (store, base)
    });

    browser.visit(&format!("{base}/admin/audit"));
    browser.log_in("grace");
    browser.find("#audit-filters");
    browser.assert_accessible("the audit log");
    browser.type_into("#f-actor", "grace");
    browser.select("#f-action", "revoke_user");
    browser.type_into("#f-user", "heidi");
    let today = permfw_today();
    browser.type_into("#f-from", &today);
    browser.click("#filter");
    browser.wait_for_text("#audit", "revoke_user");
    let rows = browser.text("#audit tbody");
    assert_eq!(rows.lines().count(), 60, "{rows}");
    assert!(rows.lines().all(|l| l.contains("grace") && l.contains("revoke_user") && l.contains("heidi")), "{rows}");
    assert!(rows.contains(" UTC, just now"), "{rows}");
    browser.assert_accessible("the filtered audit log");

    // Unfiltered, it pages to older entries by key.
    browser.visit(&format!("{base}/admin/audit?actor=grace"));
    browser.find("#older");
    let newest = browser.text("#audit tbody");
    browser.click("#older");
    browser.wait_until("#audit tbody", |rows| rows != newest, "the older page");
    assert!(browser.text("#audit tbody").contains("grant_user"));
    browser.assert_accessible("an older page of the audit log");

    // A date that is not one says what to write.
    browser.visit(&format!("{base}/admin/audit?from=yesterday"));
    browser.wait_for_text("#filter-error", "is not a date; write YYYY-MM-DD");
    drop(store);
}

/// Today's date, UTC, as the form takes it.
fn permfw_today() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 86_400;
    let (mut year, mut day) = (1970, days);
    loop {
        let length = if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) { 366 } else { 365 };
        if day < length {
            break;
        }
        day -= length;
        year += 1;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let months = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while day >= months[month] {
        day -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, day + 1)
}
