//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`), driven over
//! WebDriver: log in to the admin, find a user by typing in the search box, grant a permission
//! with the picker, revoke it, revoke one of the user's API tokens after confirming, and see it
//! all in the audit log; and the guide's promotion: a Writer asks for Senior Writers, an Editor
//! approves on the dashboard, the Writer's page shows the new group. Without the browser it says
//! it skipped; CI installs it and sets `PERMFW_REQUIRE_BROWSER=1`, so there it cannot skip.

mod driver;
mod explain;
mod find;
mod groups;
mod phone;
mod users;

use driver::{Browser, serve};
use permfw::store::{Actor, RequestPolicy, RequestQuery, Store};
use permfw::{HasPerms, Model};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

#[test]
fn log_in_find_a_user_grant_and_revoke_with_the_picker_revoke_a_token_and_see_the_audit_log() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base, deploy) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store.create_superuser(&Actor::System, "root", "root@example.com", "root-password").await.unwrap();
        for name in ["alice", "bob", "carol"] {
            store.create_user(&Actor::System, name, &format!("{name}@example.com"), None).await.unwrap();
        }
        let deploy = store.create_token(&Actor::System, "bob", "deploy", None).await.unwrap();
        let base = serve(&store).await;
        (store, base, deploy)
    });

    browser.visit(&format!("{base}/admin/users"));
    browser.find("#username");
    browser.assert_accessible("the login page");
    browser.type_into("#username", "root");
    browser.type_into("#password", "root-password");
    browser.click("#login");
    browser.find("#search");

    assert!(browser.text("#users").contains("alice"));
    browser.assert_accessible("the user list");
    browser.type_into("#search", "bo");
    browser.wait_until(
        "#users",
        |rows| rows.contains("bob") && !rows.contains("alice"),
        "only bob (search as you type)",
    );
    browser.click("#users a");

    browser.type_into("#picker", "auth.view_user");
    browser.click("#grant");
    browser.wait_for_text("#flash", "Granted auth.view_user");
    assert!(browser.text("#permissions").contains("auth.view_user"));
    browser.assert_accessible("a user's page");
    assert!(runtime.block_on(store.get_user("bob")).unwrap().has_perm("auth.view_user"));

    browser.click(".revoke[data-permission='auth.view_user']");
    browser.wait_for_text("#flash", "Revoked auth.view_user");
    assert!(!runtime.block_on(store.get_user("bob")).unwrap().has_perm("auth.view_user"));

    // bob's API token is listed on his page, and revoked after a confirmation.
    assert!(browser.text("#tokens").contains("deploy"));
    browser.click(&format!(".revoke-token[data-token='{}']", deploy.id));
    browser.wait_for_text("#question", "deploy");
    browser.assert_accessible("the confirmation page");
    assert!(runtime.block_on(store.token_user(&deploy.token)).unwrap().is_some(), "asking revokes nothing");
    browser.click("#confirm");
    browser.wait_for_text("#flash", &format!("Revoked token #{}", deploy.id));
    assert!(runtime.block_on(store.token_user(&deploy.token)).unwrap().is_none());
    assert!(!browser.text("#tokens").contains("Revoke…"), "no revoke link for a revoked token");

    browser.visit(&format!("{base}/admin/audit"));
    let audit = browser.text("#audit");
    browser.assert_accessible("the audit log");
    let bob_lines: Vec<&str> = audit.lines().filter(|l| l.contains("bob") && l.contains("auth.view_user")).collect();
    assert!(
        bob_lines.iter().any(|l| l.contains("grant_user")) && bob_lines.iter().any(|l| l.contains("revoke_user")),
        "{audit}"
    );
    let revoked = format!("token #{}", deploy.id);
    assert!(audit.lines().any(|l| l.contains("revoke_token") && l.contains("bob") && l.contains(&revoked)), "{audit}");
}

#[test]
fn a_writer_asks_for_senior_writers_an_editor_approves_and_the_writers_page_shows_the_group() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        for (group, perms) in [
            ("Writers", vec![Post::CHANGE_POST]),
            ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
            ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ] {
            store.create_group(system, group).await.unwrap();
            store.grant_group(system, group, perms).await.unwrap();
        }
        // Neither is staff: a Writer and an Editor.
        for (name, group) in [("alice", "Writers"), ("grace", "Editors")] {
            let password = format!("{name}-password");
            store.create_user(system, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
            store.add_to_group(system, name, group).await.unwrap();
        }
        let promotion = RequestPolicy::group("promotion", "Senior Writers")
            .requested_by_members_of("Writers")
            .approved_by_members_of("Editors");
        store.create_policy(system, &promotion).await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    // alice, a Writer, asks for Senior Writers.
    browser.visit(&format!("{base}/admin/requests/new"));
    browser.log_in("alice");
    browser.wait_for_text("#groups", "Writers");
    browser.assert_accessible("the request form");
    browser.click("input[data-policy='promotion']");
    browser.type_into("#justification", "I have written 40 posts");
    browser.click("#ask");
    browser.wait_for_text("#flash", "Requested group Senior Writers");
    let id = runtime.block_on(store.list_requests(RequestQuery::new())).unwrap()[0].id;
    browser.wait_for_text(&format!("#request-{id} .status"), "open");
    browser.assert_accessible("one's own requests");
    browser.click("#logout");
    browser.find("#username"); // logged out: the login page

    // grace, an Editor, sees it on the dashboard and approves it.
    browser.visit(&format!("{base}/admin/approvals"));
    browser.log_in("grace");
    let row = format!("#request-{id}");
    browser.wait_for_text(&row, "alice");
    let shown = browser.text(&row);
    for what in ["Writers", "group Senior Writers", "I have written 40 posts", "just now"] {
        assert!(shown.contains(what), "{what}: {shown}");
    }
    browser.screenshot("admin-approvals");
    browser.assert_accessible("the approvals dashboard");
    browser.type_into(&format!("#comment-{id}"), "well deserved");
    browser.click(&format!(".approve[data-request='{id}']"));
    browser.wait_for_text("#flash", &format!("Approved request #{id}: alice now has group Senior Writers."));
    browser.wait_for_text(&format!("#decided-request-{id}"), "approved by grace");
    assert!(runtime.block_on(store.get_user("alice")).unwrap().has_perm(Post::PUBLISH_POST));
    browser.click("#logout");
    browser.find("#username"); // logged out: the login page

    // alice's page shows the new group and the decision.
    browser.visit(&format!("{base}/admin/login"));
    browser.log_in("alice");
    browser.wait_for_text("#groups", "Senior Writers");
    let mine = browser.text(&format!("#request-{id}"));
    assert!(mine.contains("approved") && mine.contains("well deserved"), "{mine}");
}
