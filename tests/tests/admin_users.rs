//! Users in the admin, on SQLite and on PostgreSQL: "Add user" with a password or an
//! invitation (and the invitation's public page), the account form (email, active, staff in one
//! transaction; deactivating after a confirmation), groups on the user's page, and ending a
//! user's sessions. Each action is tried when allowed, when the store's rules refuse it (the
//! refusal shown, nothing written), and without its CSRF token. The invitation is also tried
//! at the store: single use, expiry, its notification written in the creating transaction.

mod support;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use permfw::http::admin_router;
use permfw::store::{Actor, AuditQuery, INVITATION_EVENT, Rule, Store, StoreError, UserUpdate};
use permfw::{HasPerms, Model};
use support::web::{Page, Session, flash_of, follow, get, login, post, post_encoded, send};
use support::{TestStore, audit_len, refused};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    adding_a_user_with_a_password,
    adding_a_user_by_invitation_and_choosing_the_password_through_its_link,
    adding_a_user_refused_shown_and_nothing_written,
    the_account_form_changes_email_and_flags_in_one_transaction,
    the_account_form_refused_by_the_rules_writes_nothing,
    groups_on_the_users_page,
    ending_a_users_sessions,
    every_form_needs_its_csrf_token,
    an_invitation_works_once_until_it_expires_and_is_written_with_its_user,
);

const SYSTEM: &Actor = &Actor::System;

/// A form's fields, as typed.
type Fields = [(&'static str, &'static str)];

/// root; Writers (`change_post`) and Editors (`change_post`, `publish_post`); grace is staff who
/// views, adds and changes users and holds `change_post` (so she may put people in Writers but
/// not in Editors); viewer is staff who views users; alice is an Editor, bob and carol plain.
/// Passwords are `{name}-password`.
async fn office(store: &Store) -> Router {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    for (group, perms) in
        [("Writers", vec![Post::CHANGE_POST]), ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST])]
    {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, perms).await.unwrap();
    }
    for name in ["grace", "viewer", "alice", "bob", "carol"] {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
    }
    for name in ["grace", "viewer"] {
        store.set_staff(SYSTEM, name, true).await.unwrap();
    }
    let perms = ["auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group", "blog.change_post"];
    store.grant_user(SYSTEM, "grace", perms).await.unwrap();
    store.grant_user(SYSTEM, "viewer", ["auth.view_user"]).await.unwrap();
    store.add_to_group(SYSTEM, "alice", "Editors").await.unwrap();
    admin_router(store.clone())
}

async fn create(app: &Router, who: &Session, fields: &[(&str, &str)]) -> Page {
    let mut form = vec![("csrf", who.csrf.as_str())];
    form.extend_from_slice(fields);
    post(app, "/admin/add-user", Some(who), &form).await
}

/// The invitation tokens waiting in the outbox, by recipient.
async fn invitations(store: &Store) -> Vec<(String, String, String)> {
    let claimed = store.claim_notifications(100, Duration::from_secs(60)).await.unwrap();
    claimed
        .into_iter()
        .filter(|m| m.event == INVITATION_EVENT)
        .map(|m| (m.recipient, m.email, m.payload["token"].as_str().unwrap().to_owned()))
        .collect()
}

async fn adding_a_user_with_a_password(store: TestStore) {
    let app = office(&store).await;
    let grace = login(&app, "grace").await;
    let users = get(&app, "/admin/users", Some(&grace)).await;
    assert!(users.html.contains("href=\"/admin/add-user\" id=\"add-user\">Add user</a>"), "{}", users.html);
    let form = get(&app, "/admin/add-user", Some(&grace)).await;
    assert_eq!(form.status, StatusCode::OK);
    for label in ["<label for=\"username\">", "<label for=\"password1\">", "<label for=\"how-invite\">"] {
        assert!(form.html.contains(label), "{label}: {}", form.html);
    }

    let fields = [
        ("username", "dave"),
        ("email", "dave@example.com"),
        ("how", "password"),
        ("password1", "dave-password"),
        ("password2", "dave-password"),
    ];
    let done = create(&app, &grace, &fields).await;
    assert_eq!(done.location(), "/admin/users/dave");
    let page = follow(&app, &done, &grace).await;
    assert_eq!(flash_of(&page), (false, "Created dave with the password you chose".to_owned()));
    assert!(page.html.contains("<span class=\"badge yes\">Active</span>"), "{}", page.html);
    assert!(page.html.contains("<span class=\"badge\">Not staff</span>"), "{}", page.html);
    assert!(store.authenticate("dave", "dave-password").await.unwrap().is_some());
    let last = &store.audit(AuditQuery::new().limit(1)).await.unwrap()[0];
    assert_eq!(
        (last.actor.as_str(), last.action.as_str(), last.target_user.as_deref()),
        ("grace", "create_user", Some("dave"))
    );
    assert_eq!(store.undelivered_notifications().await.unwrap(), 0, "no mail for a password set by staff");
}

async fn adding_a_user_by_invitation_and_choosing_the_password_through_its_link(store: TestStore) {
    let app = office(&store).await;
    let grace = login(&app, "grace").await;
    let done = create(&app, &grace, &[("username", "erin"), ("email", "erin@example.com"), ("how", "invite")]).await;
    let page = follow(&app, &done, &grace).await;
    assert_eq!(
        flash_of(&page),
        (
            false,
            "Created erin; an invitation to choose a password was sent to erin@example.com (the link works once, \
             for 7 days)"
                .to_owned()
        )
    );
    assert!(store.authenticate("erin", "").await.unwrap().is_none(), "no usable password yet");
    let sent = invitations(&store).await;
    assert_eq!(sent.len(), 1);
    let (recipient, email, token) = &sent[0];
    assert_eq!((recipient.as_str(), email.as_str()), ("erin", "erin@example.com"));

    // The link, opened by nobody logged in.
    let link = format!("/admin/invitation/{token}");
    let form = get(&app, &link, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("<strong id=\"invited\">erin</strong>") && form.html.contains("<label for=\"password2\">")
    );
    let differ = post(&app, &link, None, &[("password1", "erin-password"), ("password2", "erin-passw0rd")]).await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(differ.html.contains("The two passwords differ"), "{}", differ.html);
    let short = post(&app, &link, None, &[("password1", "short"), ("password2", "short")]).await;
    assert!(short.html.contains("too short"), "{}", short.html);
    assert!(store.authenticate("erin", "erin-password").await.unwrap().is_none(), "nothing set yet");

    let set = post(&app, &link, None, &[("password1", "erin-password"), ("password2", "erin-password")]).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.html);
    assert!(set.html.contains("your password is set"), "{}", set.html);
    assert!(store.authenticate("erin", "erin-password").await.unwrap().is_some());
    let last = &store.audit(AuditQuery::new().limit(1)).await.unwrap()[0];
    assert_eq!(
        (last.actor.as_str(), last.action.as_str(), last.target_user.as_deref()),
        ("erin", "accept_invitation", Some("erin"))
    );

    // Once only.
    let again = post(&app, &link, None, &[("password1", "other-password"), ("password2", "other-password")]).await;
    assert!(again.html.contains("This link does not work"), "{}", again.html);
    assert!(store.authenticate("erin", "erin-password").await.unwrap().is_some());
    assert!(get(&app, &link, None).await.html.contains("id=\"invalid\""));
}

async fn adding_a_user_refused_shown_and_nothing_written(store: TestStore) {
    let app = office(&store).await;
    let (grace, viewer) = (login(&app, "grace").await, login(&app, "viewer").await);
    let before = audit_len(&store).await;

    // Without `auth.add_user`: refused at the door.
    let page = create(&app, &viewer, &[("username", "dave"), ("email", "dave@example.com"), ("how", "invite")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("auth.add_user"), "{}", page.html);
    assert_eq!(get(&app, "/admin/add-user", Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    let list = get(&app, "/admin/users", Some(&viewer)).await;
    assert!(!list.html.contains("id=\"add-user\""), "no Add user link for whom it would refuse");

    // The store's refusals come back on the form, with what was typed (never the passwords).
    let cases: [(&Fields, StatusCode, &str); 5] = [
        (
            &[
                ("username", "bob"),
                ("email", "b@example.com"),
                ("how", "password"),
                ("password1", "long-enough"),
                ("password2", "long-enough"),
            ],
            StatusCode::BAD_REQUEST,
            "A user named `bob` already exists; pick another username.",
        ),
        (&[("username", "bad name"), ("email", ""), ("how", "invite")], StatusCode::BAD_REQUEST, "Invalid username"),
        (&[("username", "dave"), ("email", ""), ("how", "invite")], StatusCode::BAD_REQUEST, "give an email address"),
        (
            &[
                ("username", "dave"),
                ("email", ""),
                ("how", "password"),
                ("password1", "long-enough"),
                ("password2", "long-enougH"),
            ],
            StatusCode::BAD_REQUEST,
            "The two passwords differ",
        ),
        (&[("username", "dave"), ("email", "")], StatusCode::BAD_REQUEST, "Choose how the user gets a password"),
    ];
    for (fields, status, why) in cases {
        let page = create(&app, &grace, fields).await;
        assert_eq!(page.status, status, "{why}: {}", page.html);
        let shown = page.html.replace("&#96;", "`").replace("&#x60;", "`");
        assert!(shown.contains(why), "{why}: {}", page.html);
        assert!(page.html.contains("id=\"error\" role=\"alert\""));
        assert!(!page.html.contains("long-enough"), "passwords are not shown again");
    }
    assert!(matches!(store.get_user("dave").await, Err(StoreError::UserNotFound(_))));
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert_eq!(store.undelivered_notifications().await.unwrap(), 0, "no invitation sent");
}

async fn account(app: &Router, who: &Session, username: &str, fields: &[(&str, &str)]) -> Page {
    let mut form = vec![("csrf", who.csrf.as_str())];
    form.extend_from_slice(fields);
    post(app, &format!("/admin/users/{username}/account"), Some(who), &form).await
}

async fn the_account_form_changes_email_and_flags_in_one_transaction(store: TestStore) {
    let app = office(&store).await;
    let grace = login(&app, "grace").await;
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    for shown in ["<label for=\"email\">", "<label for=\"active\">", "<label for=\"staff\">", "id=\"active\" checked"] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(!page.html.contains("true") && !page.html.contains("false"), "flags in words: {}", page.html);

    let done =
        account(&app, &grace, "bob", &[("email", "robert@example.com"), ("active", "on"), ("staff", "on")]).await;
    let page = follow(&app, &done, &grace).await;
    assert_eq!(flash_of(&page), (false, "bob: email set to robert@example.com, made staff".to_owned()));
    let bob = store.get_user("bob").await.unwrap();
    assert!(bob.is_staff() && bob.is_active() && bob.email() == "robert@example.com");
    let log = store.audit(AuditQuery::new().limit(2)).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["set_email", "set_staff"]);

    let same =
        account(&app, &grace, "bob", &[("email", "robert@example.com"), ("active", "on"), ("staff", "on")]).await;
    assert_eq!(flash_of(&follow(&app, &same, &grace).await), (false, "bob: nothing changed".to_owned()));

    // Deactivating asks first, and writes nothing until confirmed.
    let bob_session = login(&app, "bob").await;
    let before = audit_len(&store).await;
    let ask = account(&app, &grace, "bob", &[("email", "robert@example.com"), ("staff", "on")]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.html.contains("Deactivate bob?") && ask.html.contains("<li>deactivated</li>"), "{}", ask.html);
    assert!(ask.html.contains("name=\"confirmed\" value=\"yes\""));
    assert!(store.get_user("bob").await.unwrap().is_active(), "asking changes nothing");
    assert_eq!(audit_len(&store).await, before);
    let fields = [("email", "robert@example.com"), ("staff", "on"), ("confirmed", "yes")];
    let done = account(&app, &grace, "bob", &fields).await;
    assert_eq!(flash_of(&follow(&app, &done, &grace).await), (false, "bob: deactivated".to_owned()));
    assert!(!store.get_user("bob").await.unwrap().is_active());
    assert_eq!(get(&app, "/admin/requests", Some(&bob_session)).await.status, StatusCode::SEE_OTHER, "logged out");
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    assert!(page.html.contains("<span class=\"badge no\">Inactive</span>"), "{}", page.html);
}

async fn the_account_form_refused_by_the_rules_writes_nothing(store: TestStore) {
    let app = office(&store).await;
    let (grace, viewer) = (login(&app, "grace").await, login(&app, "viewer").await);
    let before = audit_len(&store).await;
    let cases = [
        // alice is an Editor: her email would hand over `blog.publish_post`, which grace lacks.
        ("alice", vec![("email", "mine@example.com"), ("active", "on")], "would hand over `blog.publish_post`"),
        ("root", vec![("email", "root@example.com"), ("active", "on")], "only a superuser"),
        ("grace", vec![("email", "grace@example.com"), ("active", "on")], "may not change its own"),
    ];
    for (username, fields, why) in cases {
        let page = follow(&app, &account(&app, &grace, username, &fields).await, &grace).await;
        let (refusal, text) = flash_of(&page);
        assert!(refusal && text.contains(why), "{username}: {text}");
    }
    // No `auth.change_user`: refused at the door.
    let page = account(&app, &viewer, "bob", &[("email", "x@example.com"), ("active", "on")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert_eq!(store.get_user("alice").await.unwrap().email(), "alice@example.com");
    assert!(store.get_user("root").await.unwrap().is_staff());
    assert!(store.get_user("grace").await.unwrap().is_staff());
    let viewer_page = get(&app, "/admin/users/bob", Some(&viewer)).await;
    assert!(!viewer_page.html.contains("id=\"account-form\""), "no form without auth.change_user");
}

async fn groups_on_the_users_page(store: TestStore) {
    let app = office(&store).await;
    let grace = login(&app, "grace").await;
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    assert!(page.html.contains("id=\"no-groups\""), "{}", page.html);
    assert!(page.html.contains("<label for=\"group-picker\">") && page.html.contains("<option value=\"Writers\">"));

    let added =
        post(&app, "/admin/users/bob/groups", Some(&grace), &[("csrf", &grace.csrf), ("group", "Writers")]).await;
    let page = follow(&app, &added, &grace).await;
    assert_eq!(flash_of(&page), (false, "Added bob to Writers".to_owned()));
    assert!(page.html.contains("<span class=\"group-name\">Writers</span>"), "{}", page.html);
    assert!(store.get_user("bob").await.unwrap().has_perm(Post::CHANGE_POST));

    // A membership for a time shows its end.
    let until = std::time::SystemTime::now() + Duration::from_secs(86_400);
    store.add_to_group_until(SYSTEM, "carol", "Writers", until).await.unwrap();
    let carol = get(&app, "/admin/users/carol", Some(&grace)).await;
    assert!(carol.html.contains("(until 20") && carol.html.contains(" UTC)"), "{}", carol.html);

    // Refused: Editors give `blog.publish_post`, which grace lacks; an unknown group.
    let before = audit_len(&store).await;
    for (group, why) in [("Editors", "lacks `blog.publish_post`"), ("Nobody", "No group named `Nobody`")] {
        let page =
            post(&app, "/admin/users/bob/groups", Some(&grace), &[("csrf", &grace.csrf), ("group", group)]).await;
        let (refusal, text) = flash_of(&follow(&app, &page, &grace).await);
        assert!(refusal && text.contains(why), "{group}: {text}");
    }
    let page =
        post(&app, "/admin/users/alice/groups/remove?group=Editors", Some(&grace), &[("csrf", &grace.csrf)]).await;
    let (refusal, text) = flash_of(&follow(&app, &page, &grace).await);
    assert!(refusal && text.contains("lacks `blog.publish_post`"), "{text}");
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert_eq!(store.memberships("alice").await.unwrap().len(), 1);

    // Removing asks first.
    let ask = get(&app, "/admin/users/bob/groups/remove?group=Writers", Some(&grace)).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.html.contains("Take bob out of the group Writers? They lose the 1 permission"), "{}", ask.html);
    assert!(ask.html.contains("action=\"/admin/users/bob/groups/remove?group=Writers\""), "{}", ask.html);
    assert!(store.get_user("bob").await.unwrap().has_perm(Post::CHANGE_POST), "asking changes nothing");
    let removed =
        post(&app, "/admin/users/bob/groups/remove?group=Writers", Some(&grace), &[("csrf", &grace.csrf)]).await;
    assert_eq!(flash_of(&follow(&app, &removed, &grace).await), (false, "Removed bob from Writers".to_owned()));
    assert!(!store.get_user("bob").await.unwrap().has_perm(Post::CHANGE_POST));
    let last = &store.audit(AuditQuery::new().limit(1)).await.unwrap()[0];
    assert_eq!((last.action.as_str(), last.target_group.as_deref()), ("remove_member", Some("Writers")));
}

async fn ending_a_users_sessions(store: TestStore) {
    let app = office(&store).await;
    let (grace, viewer) = (login(&app, "grace").await, login(&app, "viewer").await);
    let (bob1, bob2) = (login(&app, "bob").await, login(&app, "bob").await);

    let ask = get(&app, "/admin/users/bob/sessions/end", Some(&grace)).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.html.contains("Log bob out of the admin everywhere?"), "{}", ask.html);
    assert_eq!(get(&app, "/admin/requests", Some(&bob1)).await.status, StatusCode::OK, "asking ends nothing");

    // viewer lacks `auth.change_user`: another's sessions are out of reach.
    let before = audit_len(&store).await;
    let page = post(&app, "/admin/users/bob/sessions/end", Some(&viewer), &[("csrf", &viewer.csrf)]).await;
    let (refusal, text) = flash_of(&follow(&app, &page, &viewer).await);
    assert!(refusal && text.contains("auth.change_user"), "{text}");
    // grace may not end root's (a superuser's).
    let page = post(&app, "/admin/users/root/sessions/end", Some(&grace), &[("csrf", &grace.csrf)]).await;
    let (refusal, text) = flash_of(&follow(&app, &page, &grace).await);
    assert!(refusal && text.contains("only a superuser"), "{text}");
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert_eq!(get(&app, "/admin/requests", Some(&bob2)).await.status, StatusCode::OK);

    let done = post(&app, "/admin/users/bob/sessions/end", Some(&grace), &[("csrf", &grace.csrf)]).await;
    assert_eq!(flash_of(&follow(&app, &done, &grace).await), (false, "Ended 2 sessions of bob".to_owned()));
    for bob in [&bob1, &bob2] {
        assert_eq!(get(&app, "/admin/requests", Some(bob)).await.status, StatusCode::SEE_OTHER, "logged out");
    }
    let last = &store.audit(AuditQuery::new().limit(1)).await.unwrap()[0];
    assert_eq!(
        (last.actor.as_str(), last.action.as_str(), last.detail.as_str()),
        ("grace", "end_sessions", "2 sessions")
    );

    // One's own, always.
    let done = post(&app, "/admin/users/viewer/sessions/end", Some(&viewer), &[("csrf", &viewer.csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&app, "/admin/users", Some(&viewer)).await.status, StatusCode::SEE_OTHER, "logged out");
    assert_eq!(
        refused(store.end_sessions(&Actor::User("carol".into()), "bob").await),
        Rule::NeedsPermission { perm: "auth.change_user" }
    );
}

async fn every_form_needs_its_csrf_token(store: TestStore) {
    let app = office(&store).await;
    let (grace, viewer) = (login(&app, "grace").await, login(&app, "viewer").await);
    store.add_to_group(SYSTEM, "carol", "Writers").await.unwrap();
    let before = audit_len(&store).await;
    let cases = [
        ("/admin/add-user", "username=dave&email=&how=password&password1=long-enough&password2=long-enough"),
        ("/admin/add-user", "username=dave&email=dave%40example.com&how=invite"),
        ("/admin/users/bob/account", "email=x%40example.com&staff=on"),
        ("/admin/users/bob/groups", "group=Writers"),
        ("/admin/users/carol/groups/remove?group=Writers", ""),
        ("/admin/users/bob/sessions/end", ""),
    ];
    for (path, form) in cases {
        // Missing, and another session's.
        for form in [form.to_owned(), format!("{form}&csrf={}", viewer.csrf)] {
            let page = post_encoded(&app, path, Some(&grace), form).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.html);
            assert!(page.html.contains("CSRF token is missing or wrong"), "{}", page.html);
        }
    }
    // The invitation's page has no session: a form posted from another site is refused.
    let invited = store.invite_user(SYSTEM, "erin", "erin@example.com", Duration::from_secs(3_600)).await.unwrap();
    let before_invited = audit_len(&store).await;
    let (_, _, token) = invitations(&store).await.pop().unwrap();
    let request = Request::post(format!("/admin/invitation/{token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("password1=evil-password&password2=evil-password"))
        .unwrap();
    let page = send(&app, request).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(store.authenticate(invited.username(), "evil-password").await.unwrap().is_none());
    assert_eq!(store.invitation(&token).await.unwrap().as_deref(), Some("erin"), "the link still works");
    assert_eq!(audit_len(&store).await, before_invited);

    assert_eq!(before + 2, before_invited, "only the invitation above: create_user and invite_user");
    assert!(matches!(store.get_user("dave").await, Err(StoreError::UserNotFound(_))));
    assert!(!store.get_user("bob").await.unwrap().is_staff());
    assert_eq!(store.memberships("carol").await.unwrap().len(), 1);
}

async fn an_invitation_works_once_until_it_expires_and_is_written_with_its_user(store: TestStore) {
    let _admin = office(&store).await;
    let grace = Actor::User("grace".into());
    let viewer = Actor::User("viewer".into());
    let week = Duration::from_secs(7 * 86_400);

    // Refused: no user, no notification, no audit row.
    let before = audit_len(&store).await;
    assert_eq!(
        refused(store.invite_user(&viewer, "dave", "dave@example.com", week).await),
        Rule::NeedsPermission { perm: "auth.add_user" }
    );
    assert!(matches!(
        store.invite_user(&grace, "bob", "bob@example.com", week).await,
        Err(StoreError::UsernameTaken(_))
    ));
    assert!(matches!(store.invite_user(&grace, "dave", "", week).await, Err(StoreError::InvalidName { .. })));
    assert_eq!(store.undelivered_notifications().await.unwrap(), 0);
    assert_eq!(audit_len(&store).await, before);
    assert!(matches!(store.get_user("dave").await, Err(StoreError::UserNotFound(_))));

    // Allowed: the user and its notification in one change.
    let dave = store.invite_user(&grace, "dave", "dave@example.com", week).await.unwrap();
    assert!(dave.is_active() && !dave.is_staff());
    assert_eq!(store.undelivered_notifications().await.unwrap(), 1);
    let claimed = store.claim_notifications(10, Duration::from_secs(60)).await.unwrap();
    let payload = &claimed[0].payload;
    assert_eq!((claimed[0].event.as_str(), payload["username"].as_str()), (INVITATION_EVENT, Some("dave")));
    let token = payload["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(payload["expires_at"].as_i64().unwrap() > 0);
    // Delivered, the row keeps no token: made due again by hand and read back, it has none.
    store.notification_delivered(claimed[0].id).await.unwrap();
    store.db.execute("UPDATE permfw_outbox SET delivered_at = NULL, next_attempt_at = 0").await.unwrap();
    let again = store.claim_notifications(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!((again[0].payload.get("token"), again[0].payload["username"].as_str()), (None, Some("dave")));
    store.notification_delivered(again[0].id).await.unwrap();
    let log = store.audit(AuditQuery::new().limit(2)).await.unwrap();
    assert_eq!(log[0].action, "invite_user");
    assert_eq!(log[1].action, "create_user");

    assert_eq!(store.invitation("not-a-token").await.unwrap(), None);
    assert_eq!(store.accept_invitation("not-a-token", "dave-password").await.unwrap(), None);
    assert_eq!(store.invitation(&token).await.unwrap().as_deref(), Some("dave"));
    assert_eq!(store.accept_invitation(&token, "dave-password").await.unwrap().as_deref(), Some("dave"));
    assert!(store.authenticate("dave", "dave-password").await.unwrap().is_some());
    assert_eq!(store.accept_invitation(&token, "stolen-password").await.unwrap(), None, "single use");
    assert!(store.authenticate("dave", "dave-password").await.unwrap().is_some());

    // Expired.
    store.invite_user(&grace, "erin", "erin@example.com", Duration::from_micros(1)).await.unwrap();
    let (_, _, token) = invitations(&store).await.pop().unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(store.invitation(&token).await.unwrap(), None);
    assert_eq!(store.accept_invitation(&token, "erin-password").await.unwrap(), None);
    assert!(store.authenticate("erin", "erin-password").await.unwrap().is_none());

    // A change of email, or deactivation, drops a pending invitation (it went to the old address).
    store.invite_user(&grace, "frank", "frank@example.com", week).await.unwrap();
    let (_, _, token) = invitations(&store).await.pop().unwrap();
    store.update_user(SYSTEM, "frank", UserUpdate::new().email("attacker@example.com")).await.unwrap();
    assert_eq!(store.accept_invitation(&token, "frank-password").await.unwrap(), None);
    store.invite_user(&grace, "gina", "gina@example.com", week).await.unwrap();
    let (_, _, token) = invitations(&store).await.pop().unwrap();
    store.set_active(SYSTEM, "gina", false).await.unwrap();
    assert_eq!(store.invitation(&token).await.unwrap(), None);
}
