//! A support person's work on users, in Chromium: add a user with a password, put them in a
//! group with the picker, see both in the audit log; take them out of the group and deactivate
//! them after confirming; invite another user by mail, who chooses a password through the link.
//! axe-core checks every page on the way.

use std::time::Duration;

use permfw::HasPerms;
use permfw::store::{Actor, INVITATION_EVENT, Store};

use super::Post;
use super::driver::{self, Browser, serve};

#[test]
fn add_a_user_put_them_in_a_group_and_see_it_in_the_audit_log() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
        store.create_group(system, "Writers").await.unwrap();
        store.grant_group(system, "Writers", [Post::CHANGE_POST]).await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    browser.visit(&format!("{base}/admin/users"));
    browser.log_in("root");
    browser.click("#add-user");
    browser.find("#new-user");
    browser.assert_accessible("the Add user page");
    browser.type_into("#username", "dave");
    browser.type_into("#email", "dave@example.com");
    browser.click("#how-password");
    browser.type_into("#password1", "dave-password");
    browser.type_into("#password2", "dave-password");
    browser.click("#create");
    browser.wait_for_text("#flash", "Created dave with the password you chose");
    browser.assert_accessible("a new user's page");
    assert!(browser.text("#flags").contains("Active"));
    assert!(runtime.block_on(store.authenticate("dave", "dave-password")).unwrap().is_some());

    browser.type_into("#group-picker", "Writers");
    browser.click("#add-group");
    browser.wait_for_text("#flash", "Added dave to Writers");
    assert!(browser.text("#user-groups").contains("Writers"));
    assert!(runtime.block_on(store.get_user("dave")).unwrap().has_perm(Post::CHANGE_POST));

    browser.visit(&format!("{base}/admin/audit"));
    let audit = browser.text("#audit");
    assert!(audit.lines().any(|l| l.contains("create_user") && l.contains("dave")), "{audit}");
    assert!(audit.lines().any(|l| l.contains("add_member") && l.contains("dave") && l.contains("Writers")), "{audit}");

    // Out of the group, after a confirmation.
    browser.visit(&format!("{base}/admin/users/dave"));
    browser.click(".remove-group[data-group='Writers']");
    browser.wait_for_text("#question", "Take dave out of the group Writers?");
    browser.assert_accessible("the confirmation before removing from a group");
    browser.click("#confirm");
    browser.wait_for_text("#flash", "Removed dave from Writers");
    assert!(browser.is_present("#no-groups"));

    // Ending the sessions asks first; "No" changes nothing.
    browser.click("#end-sessions");
    browser.wait_for_text("#question", "Log dave out of the admin everywhere?");
    browser.assert_accessible("the confirmation before ending sessions");
    browser.click("#cancel");
    browser.find("#account-form");

    // Deactivating asks first.
    browser.click("#active");
    browser.click("#save-account");
    browser.wait_for_text("#changes", "deactivated");
    browser.assert_accessible("the confirmation before deactivating");
    browser.click("#confirm");
    browser.wait_for_text("#flash", "dave: deactivated");
    assert!(browser.text("#flags").contains("Inactive"));
    assert!(!runtime.block_on(store.get_user("dave")).unwrap().is_active());
}

#[test]
fn invite_a_user_who_chooses_a_password_through_the_link() {
    let Some(browser) = Browser::start() else { return };
    let runtime = driver::runtime();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store.create_superuser(&Actor::System, "root", "root@example.com", "root-password").await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    browser.visit(&format!("{base}/admin/add-user"));
    browser.log_in("root");
    browser.type_into("#username", "erin");
    browser.type_into("#email", "erin@example.com");
    browser.click("#how-invite");
    browser.click("#create");
    browser.wait_for_text("#flash", "an invitation to choose a password was sent to erin@example.com");
    browser.click("#logout");
    browser.find("#username");

    // What the mail carries: the link's token, from the outbox.
    let sent = runtime.block_on(store.claim_notifications(10, Duration::from_secs(60))).unwrap();
    let invitation = sent.iter().find(|m| m.event == INVITATION_EVENT).expect("an invitation in the outbox");
    let token = invitation.payload["token"].as_str().unwrap();
    browser.visit(&format!("{base}/admin/invitation/{token}"));
    browser.wait_for_text("#invited", "erin");
    browser.assert_accessible("the invitation's page");
    browser.type_into("#password1", "erin-password");
    browser.type_into("#password2", "erin-password");
    browser.click("#set-password");
    browser.wait_for_text("#done", "your password is set");
    browser.assert_accessible("the invitation's page, done");
    assert!(runtime.block_on(store.authenticate("erin", "erin-password")).unwrap().is_some());

    browser.visit(&format!("{base}/admin/invitation/{token}"));
    browser.wait_for_text("#invalid", "used already");
    browser.assert_accessible("a used invitation's page");
}
