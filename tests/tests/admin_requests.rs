//! Access requests in the admin, on SQLite and on PostgreSQL: a Writer (not staff) asks for
//! Senior Writers and follows the request, an Editor decides it on the approvals dashboard, and
//! each action is tried when allowed, when the store's rules refuse it (the refusal shown as the
//! next page's message, nothing written), and without its CSRF token; a user who is not staff
//! is refused on every staff page.

mod support;

use axum::Router;
use axum::http::{Method, StatusCode};
use permfw::http::{Access, admin, admin_router};
use permfw::store::{Actor, AuditQuery, RequestPolicy, RequestQuery, RequestStatus, Store};
use permfw::{HasPerms, Model};
use support::web::{Page, Session, flash_of, follow, get, login, post, post_encoded};
use support::{TestStore, audit_len};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    a_writer_asks_and_an_editor_approves_through_the_pages,
    each_refusal_of_the_rules_is_the_next_pages_message_and_writes_nothing,
    every_form_needs_its_csrf_token,
    a_user_who_is_not_staff_is_refused_on_every_staff_page,
    a_request_is_seen_only_by_those_it_concerns,
    the_dashboard_pages_by_key_across_policies,
);

const SYSTEM: &Actor = &Actor::System;

/// The guide's newsroom: Writers, Editors, Senior Writers (Writers' permissions plus
/// `publish_post`); alice and bob write, grace and heidi edit, viewer is staff who views users;
/// none of the others is staff. Passwords are `{name}-password`. Writers may ask for Senior
/// Writers; an Editor approves.
async fn newsroom(store: &Store) -> Router {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    for (group, perms) in [
        ("Writers", vec![Post::CHANGE_POST]),
        ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
    ] {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, perms).await.unwrap();
    }
    let people = [("alice", "Writers"), ("bob", "Writers"), ("grace", "Editors"), ("heidi", "Editors")];
    for (name, group) in people {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
        store.add_to_group(SYSTEM, name, group).await.unwrap();
    }
    store.create_user(SYSTEM, "viewer", "", Some("viewer-password")).await.unwrap();
    store.set_staff(SYSTEM, "viewer", true).await.unwrap();
    store.grant_user(SYSTEM, "viewer", ["auth.view_user"]).await.unwrap();
    let promotion = RequestPolicy::group("promotion", "Senior Writers")
        .requested_by_members_of("Writers")
        .approved_by_members_of("Editors");
    store.create_policy(SYSTEM, &promotion).await.unwrap();
    admin_router(store.clone())
}

async fn ask(app: &Router, session: &Session, justification: &str, duration: &str) -> Page {
    let form = [
        ("csrf", session.csrf.as_str()),
        ("policy", "promotion"),
        ("justification", justification),
        ("duration", duration),
    ];
    post(app, "/admin/requests", Some(session), &form).await
}

async fn decide(app: &Router, session: &Session, id: i64, verdict: &str, comment: &str) -> Page {
    let path = format!("/admin/requests/{id}/{verdict}");
    post(app, &path, Some(session), &[("csrf", &session.csrf), ("comment", comment)]).await
}

async fn a_writer_asks_and_an_editor_approves_through_the_pages(store: TestStore) {
    let app = newsroom(&store).await;
    let alice = login(&app, "alice").await;
    let form = get(&app, "/admin/requests/new", Some(&alice)).await;
    assert_eq!(form.status, StatusCode::OK, "a Writer, who is not staff, may ask");
    assert!(form.html.contains("value=\"promotion\"") && form.html.contains("group Senior Writers"), "{}", form.html);
    assert!(
        form.html.contains("approved by a member of Editors") && form.html.contains("<label for=\"justification\">")
    );

    let asked = ask(&app, &alice, "I have written 40 posts", "").await;
    assert_eq!(asked.location(), "/admin/requests");
    let mine = follow(&app, &asked, &alice).await;
    let id = store.list_requests(RequestQuery::new()).await.unwrap()[0].id;
    assert_eq!(
        flash_of(&mine),
        (false, format!("Requested group Senior Writers (request #{id}); its approvers are notified."))
    );
    assert!(mine.html.contains(&format!("id=\"request-{id}\"")) && mine.html.contains("open (0 of 1 approvals)"));
    assert!(mine.html.contains("<span id=\"groups\">Writers</span>"), "{}", mine.html);

    let grace = login(&app, "grace").await;
    let dashboard = get(&app, "/admin/approvals", Some(&grace)).await;
    assert_eq!(dashboard.status, StatusCode::OK, "an Editor, who is not staff, sees the dashboard");
    let row = dashboard.html.split(&format!("id=\"request-{id}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    for shown in ["alice", "Writers", "group Senior Writers", "I have written 40 posts", "just now", "for good"] {
        assert!(row.contains(shown), "{shown}: {row}");
    }
    assert!(
        row.contains("<label for=\"comment-") && row.contains("class=\"approve\"") && row.contains("class=\"deny\"")
    );

    let approved = decide(&app, &grace, id, "approve", "well deserved").await;
    assert_eq!(approved.location(), "/admin/approvals");
    let dashboard = follow(&app, &approved, &grace).await;
    assert_eq!(flash_of(&dashboard), (false, format!("Approved request #{id}: alice now has group Senior Writers.")));
    assert!(
        dashboard.html.contains("id=\"nothing-open\"")
            && dashboard.html.contains(&format!("id=\"decided-request-{id}\""))
    );
    assert!(store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST));

    let mine = get(&app, "/admin/requests", Some(&alice)).await;
    assert!(mine.html.contains("<span id=\"groups\">Senior Writers, Writers</span>"), "{}", mine.html);
    assert!(mine.html.contains("approved by grace") && mine.html.contains("well deserved"), "{}", mine.html);
    let one = get(&app, &format!("/admin/requests/{id}"), Some(&alice)).await;
    assert!(one.html.contains("<dd id=\"status\">approved") && one.html.contains("approved by grace"), "{}", one.html);
    let log = store.audit(AuditQuery::new().limit(3)).await.unwrap();
    let steps: Vec<(&str, &str)> = log.iter().rev().map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    assert_eq!(steps, [("alice", "request_access"), ("grace", "decide_request"), ("grace", "add_member")]);
}

async fn each_refusal_of_the_rules_is_the_next_pages_message_and_writes_nothing(store: TestStore) {
    let app = newsroom(&store).await;
    let (alice, bob, grace, heidi) =
        (login(&app, "alice").await, login(&app, "bob").await, login(&app, "grace").await, login(&app, "heidi").await);

    // Asking: the form comes back with what was typed and why it was refused.
    let before = audit_len(&store).await;
    for (who, justification, duration, status, why) in [
        (&alice, "", "", StatusCode::BAD_REQUEST, "the justification must say why"),
        (&alice, &"x".repeat(2_001), "", StatusCode::BAD_REQUEST, "the justification must say why"),
        (&alice, "soon", "soon", StatusCode::BAD_REQUEST, "`soon` is not a duration"),
        (&heidi, "me too", "", StatusCode::FORBIDDEN, "Refused: the policy `promotion` does not let the acting user"),
    ] {
        let page = ask(&app, who, justification, duration).await;
        assert_eq!(page.status, status, "{why}: {}", page.html);
        assert!(page.html.replace("&#x60;", "`").contains(why), "{why}: {}", page.html);
        let form = page.html.contains("<textarea");
        assert!(!form || page.html.contains(&format!(">{justification}</textarea>")), "what was typed stays");
        assert_eq!(form, who.key != heidi.key, "heidi may ask under no policy: no form");
    }
    assert_eq!(audit_len(&store).await, before, "nothing written");
    let page = post(&app, "/admin/requests", Some(&alice), &[("csrf", &alice.csrf), ("justification", "x")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains("Choose what you ask for."));

    follow(&app, &ask(&app, &alice, "I have written 40 posts", "").await, &alice).await;
    let id = store.list_requests(RequestQuery::new()).await.unwrap()[0].id;
    let again = ask(&app, &alice, "again", "").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.html.contains(&format!("already an open request (#{id})")), "{}", again.html);

    // Deciding: the store's refusal is the dashboard's message.
    let before = audit_len(&store).await;
    let refusals = [
        (&alice, "approve", "Refused: nobody approves or denies their own request"),
        (&bob, "approve", "Refused: the acting user is not an approver of the policy `promotion`"),
        (&bob, "deny", "Refused: the acting user is not an approver of the policy `promotion`"),
    ];
    for (who, verdict, why) in refusals {
        let page = follow(&app, &decide(&app, who, id, verdict, "").await, who).await;
        let (refused, text) = flash_of(&page);
        assert!(refused && text.starts_with(why), "{text}");
    }
    let long = follow(&app, &decide(&app, &grace, id, "approve", &"x".repeat(2_001)).await, &grace).await;
    assert!(flash_of(&long).1.contains("a comment has 2000 characters at most"), "{}", flash_of(&long).1);
    // grace loads the dashboard, leaves the Editors, then clicks: her right is checked now.
    assert!(get(&app, "/admin/approvals", Some(&grace)).await.html.contains("class=\"approve\""));
    store.remove_from_group(SYSTEM, "grace", "Editors").await.unwrap();
    let late = follow(&app, &decide(&app, &grace, id, "approve", "ok").await, &grace).await;
    assert!(flash_of(&late).1.contains("(not, or no longer, in its approvers' group"), "{}", flash_of(&late).1);
    assert_eq!(audit_len(&store).await, before + 1, "only grace's removal was written");
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST));

    // heidi denies; a decision on the closed request is refused, and so is cancelling it.
    let denied = follow(&app, &decide(&app, &heidi, id, "deny", "not yet").await, &heidi).await;
    assert_eq!(flash_of(&denied), (false, format!("Denied request #{id}: alice does not get group Senior Writers.")));
    store.add_to_group(SYSTEM, "grace", "Editors").await.unwrap();
    let closed = follow(&app, &decide(&app, &grace, id, "approve", "").await, &grace).await;
    assert_eq!(
        flash_of(&closed),
        (true, format!("Access request #{id} is denied, not open: nothing to decide or cancel."))
    );
    let cancel = |who: &Session, id: i64| {
        let (app, csrf, key) = (app.clone(), who.csrf.clone(), who.key.clone());
        async move {
            let session = Session { key, csrf };
            let path = format!("/admin/requests/{id}/cancel");
            let done = post(&app, &path, Some(&session), &[("csrf", &session.csrf)]).await;
            assert_eq!(done.location(), "/admin/requests");
            flash_of(&follow(&app, &done, &session).await)
        }
    };
    assert!(cancel(&alice, id).await.1.contains("denied, not open"));

    // Cancelling: only whoever asked, and one answer for another's request and none at all.
    follow(&app, &ask(&app, &alice, "once more", "").await, &alice).await;
    let id = store.list_requests(RequestQuery::new()).await.unwrap()[0].id;
    let by_bob = cancel(&bob, id).await;
    assert_eq!(by_bob, (true, format!("Request #{id} is not one of yours; only whoever asked cancels it.")));
    assert_eq!(cancel(&bob, 999).await.1, "Request #999 is not one of yours; only whoever asked cancels it.");
    assert_eq!(store.get_request(id).await.unwrap().status, RequestStatus::Open);
    assert_eq!(cancel(&alice, id).await, (false, format!("Cancelled request #{id}.")));
    assert_eq!(store.get_request(id).await.unwrap().status, RequestStatus::Cancelled);
}

async fn every_form_needs_its_csrf_token(store: TestStore) {
    let app = newsroom(&store).await;
    let (alice, bob, grace) = (login(&app, "alice").await, login(&app, "bob").await, login(&app, "grace").await);
    let id = store.request_access(&Actor::User("alice".into()), "promotion", "posts", None).await.unwrap().id;
    let before = audit_len(&store).await;
    let cases = [
        (&bob, "/admin/requests".to_owned(), "policy=promotion&justification=again"),
        (&alice, format!("/admin/requests/{id}/cancel"), ""),
        (&grace, format!("/admin/requests/{id}/approve"), "comment=ok"),
        (&grace, format!("/admin/requests/{id}/deny"), "comment=no"),
    ];
    for (who, path, form) in cases {
        // Missing, and another session's.
        let other = if who.key == grace.key { &alice.csrf } else { &grace.csrf };
        for form in [form.to_owned(), format!("{form}&csrf={other}")] {
            let page = post_encoded(&app, &path, Some(who), form).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.html);
            assert!(page.html.contains("CSRF token is missing or wrong"), "{}", page.html);
        }
    }
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert_eq!(store.get_request(id).await.unwrap().status, RequestStatus::Open);
    assert_eq!(store.list_requests(RequestQuery::new()).await.unwrap().len(), 1);
}

async fn a_user_who_is_not_staff_is_refused_on_every_staff_page(store: TestStore) {
    let app = newsroom(&store).await;
    let alice = login(&app, "alice").await;
    let grace = login(&app, "grace").await;
    store.create_token(SYSTEM, "bob", "deploy", None).await.unwrap();
    let before = audit_len(&store).await;
    let fill = |path: &str| path.replace("{id}", "1").replace("{username}", "bob").replace("{name}", "Writers");
    let staff_routes = admin::ROUTES.iter().filter(|r| matches!(r.access, Access::Requires(_)));
    let mut walked = 0;
    for route in staff_routes {
        let path = format!("/admin{}", fill(route.path));
        for who in [&alice, &grace] {
            let page = if route.method == Method::GET {
                get(&app, &path, Some(who)).await
            } else {
                post(&app, &path, Some(who), &[("csrf", &who.csrf), ("permission", "blog.publish_post")]).await
            };
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{} {path}", route.method);
            // The refusal of today: the same page whatever the route and its target.
            assert!(
                page.html.contains("<p id=\"message\">The admin is for active staff accounts.</p>"),
                "{}",
                page.html
            );
            assert!(!page.html.contains("bob@example.com"), "nothing of the target");
        }
        walked += 1;
    }
    assert!(walked >= 10, "every staff route: {walked}");
    assert_eq!(audit_len(&store).await, before, "nothing written");
    assert!(!store.get_user("bob").await.unwrap().has_perm(Post::PUBLISH_POST));
    // Every page of their own is open to them; a deactivated user loses those too.
    for route in admin::ROUTES.iter().filter(|r| r.access == Access::LoggedIn && r.method == Method::GET) {
        let path = format!("/admin{}", fill(route.path)).replace("/requests/1", "/requests/new");
        assert_eq!(get(&app, &path, Some(&alice)).await.status, StatusCode::OK, "{path}");
    }
    store.set_active(SYSTEM, "alice", false).await.unwrap();
    let gone = get(&app, "/admin/requests", Some(&alice)).await;
    assert!(gone.location().starts_with("/admin/login"), "a deactivated user's session is over");
}

async fn a_request_is_seen_only_by_those_it_concerns(store: TestStore) {
    let app = newsroom(&store).await;
    let id = store.request_access(&Actor::User("alice".into()), "promotion", "posts", None).await.unwrap().id;
    let path = format!("/admin/requests/{id}");
    for (name, decide) in [("alice", false), ("grace", true), ("viewer", false), ("root", true)] {
        let page = get(&app, &path, Some(&login(&app, name).await)).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.html);
        assert!(page.html.contains("<span id=\"requester-groups\">Writers</span>"), "{name}");
        assert_eq!(page.html.contains("class=\"approve\""), decide, "{name} may decide: {decide}");
        assert_eq!(page.html.contains("class=\"cancel\""), name == "alice" || name == "root", "{name}");
    }
    let bob = login(&app, "bob").await;
    let hidden = get(&app, &path, Some(&bob)).await;
    let missing = get(&app, "/admin/requests/999", Some(&bob)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.html.replace(&format!("#{id} "), "#N "), missing.html.replace("#999 ", "#N "), "one answer");
    assert_eq!(get(&app, "/admin/requests/abc", Some(&bob)).await.status, StatusCode::BAD_REQUEST);
    let dashboard = get(&app, "/admin/approvals", Some(&bob)).await;
    assert!(dashboard.html.contains("id=\"not-an-approver\"") && !dashboard.html.contains("posts"));
    // An approval from the request's own page comes back to it.
    let grace = login(&app, "grace").await;
    let page = get(&app, &path, Some(&grace)).await;
    assert!(page.html.contains(&format!("name=\"next\" value=\"{path}\"")), "{}", page.html);
    let form = [("csrf", grace.csrf.as_str()), ("comment", "ok"), ("next", path.as_str())];
    let done = post(&app, &format!("{path}/approve"), Some(&grace), &form).await;
    assert_eq!(done.location(), path);
    let evil = [("csrf", grace.csrf.as_str()), ("next", "https://evil.example/")];
    let page = post(&app, &format!("{path}/approve"), Some(&grace), &evil).await;
    assert_eq!(page.location(), "/admin/approvals", "no open redirect");
}

async fn the_dashboard_pages_by_key_across_policies(store: TestStore) {
    let app = newsroom(&store).await;
    // A second policy grace approves, as a holder of blog.publish_post: 30 writers ask, 15 under each.
    let on_call =
        RequestPolicy::permissions("on-call", ["blog.publish_post"]).approved_by_holders_of("blog.publish_post");
    store.create_policy(SYSTEM, &on_call).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..30 {
        let name = format!("writer{i:02}");
        store.create_user(SYSTEM, &name, "", None).await.unwrap();
        store.add_to_group(SYSTEM, &name, "Writers").await.unwrap();
        let policy = if i % 2 == 0 { "promotion" } else { "on-call" };
        ids.push(store.request_access(&Actor::User(name), policy, "posts", None).await.unwrap().id);
    }
    ids.reverse();
    let grace = login(&app, "grace").await;
    let shown = |html: &str, prefix: &str| -> Vec<i64> {
        html.split(&format!("id=\"{prefix}-"))
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
            .collect()
    };
    let first = get(&app, "/admin/approvals", Some(&grace)).await;
    assert_eq!(shown(&first.html, "request"), ids[..25]);
    let next = format!("/admin/approvals?open_before={}", ids[24]);
    assert!(first.html.contains(&format!("href=\"{next}\"")), "{}", first.html);
    let second = get(&app, &next, Some(&grace)).await;
    assert_eq!(shown(&second.html, "request"), ids[25..]);
    assert!(!second.html.contains("id=\"open-next\""));

    for (i, id) in ids.iter().enumerate() {
        let heidi = Actor::User("heidi".into());
        if i % 3 == 0 {
            store.approve_request(&heidi, *id, "").await.unwrap();
        } else {
            store.deny_request(&heidi, *id, "").await.unwrap();
        }
    }
    let first = get(&app, "/admin/approvals", Some(&grace)).await;
    assert!(first.html.contains("id=\"nothing-open\""));
    assert_eq!(shown(&first.html, "decided-request"), ids[..25]);
    let second = get(&app, &format!("/admin/approvals?decided_before={}", ids[24]), Some(&grace)).await;
    assert_eq!(shown(&second.html, "decided-request"), ids[25..]);
    assert!(second.html.contains("approved by heidi") && second.html.contains("denied by heidi"));
}
