//! Explain, the access matrix and the audit log through the admin's router, on SQLite and on
//! PostgreSQL: a user's page says where each permission comes from, who granted it and when;
//! the "why (not)?" box answers for each reason; the matrix of a group and of an app, page by
//! page and as CSV, against a brute-force expectation from each user's snapshot; the audit log's
//! filters, alone and combined, its pages by key and its CSV against the store's whole log; and
//! callers without `auth.view_user` refused on every one of these pages.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::http::{StatusCode, header};
use permfw::http::admin_router;
use permfw::store::{Actor, AuditEntry, AuditQuery, Store};
use permfw::{HasPerms, Model};
use support::TestStore;
use support::web::{Page, Session, get, login};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    a_users_page_says_where_each_permission_comes_from_who_granted_it_and_when,
    the_why_not_box_answers_for_each_reason,
    the_matrix_of_a_group_and_of_an_app_matches_every_users_snapshot_page_by_page_and_as_csv,
    the_audit_log_filters_alone_and_combined_pages_by_key_and_exports_csv,
    callers_without_view_user_are_refused_on_every_page,
);

const SYSTEM: &Actor = &Actor::System;

/// The guide's newsroom: Writers (change_post), Editors and Senior Writers (change_post,
/// publish_post); alice and bob write, heidi edits; grace is staff who views and changes users
/// and edits; viewer is staff who views users; clerk is staff with nothing. root, the
/// superuser, put each in their group. Passwords are `{name}-password`.
async fn newsroom(store: &Store) -> Router {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    let root = &Actor::User("root".into());
    for (group, perms) in [
        ("Writers", vec![Post::CHANGE_POST]),
        ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
    ] {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, perms).await.unwrap();
    }
    for name in ["alice", "bob", "heidi", "grace", "viewer", "clerk"] {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
    }
    for (name, group) in [("alice", "Writers"), ("bob", "Writers"), ("heidi", "Editors"), ("grace", "Editors")] {
        store.add_to_group(root, name, group).await.unwrap();
    }
    for name in ["grace", "viewer", "clerk"] {
        store.set_staff(SYSTEM, name, true).await.unwrap();
    }
    store.grant_user(SYSTEM, "grace", ["auth.view_user", "auth.change_user"]).await.unwrap();
    store.grant_user(SYSTEM, "viewer", ["auth.view_user"]).await.unwrap();
    admin_router(store.clone())
}

/// The page's text with the entities askama writes turned back.
fn text(page: &Page) -> String {
    page.html
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x60;", "`")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The answer box of a user's page.
fn answer(page: &Page) -> String {
    let html = text(page);
    let at = html.find("id=\"answer\"").unwrap_or_else(|| panic!("no answer: {html}"));
    html[at..html[at..].find("</div>").map_or(html.len(), |end| at + end)].to_owned()
}

async fn a_users_page_says_where_each_permission_comes_from_who_granted_it_and_when(store: TestStore) {
    let app = newsroom(&store).await;
    let grace = &Actor::User("grace".into());
    store.grant_user(grace, "heidi", [Post::CHANGE_POST]).await.unwrap();
    let viewer = login(&app, "viewer").await;

    let page = get(&app, "/admin/users/heidi", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = text(&page);
    let row = |perm: &str| {
        let at = html.find(&format!("<tr data-permission=\"{perm}\">")).unwrap_or_else(|| panic!("{perm}: {html}"));
        html[at..at + html[at..].find("</tr>").unwrap()].to_owned()
    };
    let change = row("blog.change_post");
    assert!(change.contains("direct, group Editors"), "{change}");
    assert!(change.contains("Granted directly by grace on 20"), "{change}");
    assert!(change.contains("UTC, just now"), "{change}");
    assert!(change.contains("Group Editors: heidi added by root on"), "{change}");
    assert!(change.contains("Editors given it by the system on"), "{change}");
    let publish = row("blog.publish_post");
    assert!(publish.contains("Can publish post (blog.publish_post)"), "{publish}");
    assert!(!publish.contains("Granted directly"), "only through the group: {publish}");
    assert!(publish.contains("Group Editors: heidi added by root on"), "{publish}");

    let root = text(&get(&app, "/admin/users/root", Some(&viewer)).await);
    assert!(root.contains("root is a superuser and holds every permission (made one by the system on"), "{root}");
}

async fn the_why_not_box_answers_for_each_reason(store: TestStore) {
    let app = newsroom(&store).await;
    let grace = &Actor::User("grace".into());
    let viewer = login(&app, "viewer").await;
    let ask = |user: &str, perm: &str| format!("/admin/users/{user}?why={perm}");

    // Through a group.
    let heidi = answer(&get(&app, &ask("heidi", "blog.publish_post"), Some(&viewer)).await);
    assert!(heidi.contains("Yes: heidi has Can publish post (blog.publish_post)."), "{heidi}");
    assert!(heidi.contains("heidi has it through group Editors."), "{heidi}");

    // Not granted, in none of the groups that have it.
    let alice = answer(&get(&app, &ask("alice", "blog.publish_post"), Some(&viewer)).await);
    assert!(alice.contains("No: alice does not have Can publish post (blog.publish_post)."), "{alice}");
    assert!(alice.contains("It is not granted to alice directly."), "{alice}");
    assert!(alice.contains("Editors and Senior Writers have it; alice is in neither."), "{alice}");
    assert!(alice.contains("class=\"answer lacks\""), "{alice}");

    // Revoked: who and when.
    store.grant_user(grace, "alice", [Post::PUBLISH_POST]).await.unwrap();
    let granted = answer(&get(&app, &ask("alice", "blog.publish_post"), Some(&viewer)).await);
    assert!(granted.contains("It is granted to alice directly."), "{granted}");
    store.revoke_user(grace, "alice", [Post::PUBLISH_POST]).await.unwrap();
    let revoked = answer(&get(&app, &ask("alice", "blog.publish_post"), Some(&viewer)).await);
    assert!(revoked.contains("It is not granted to alice directly: revoked by grace on 20"), "{revoked}");

    // Inactive: nothing counts, and what would is said.
    store.grant_user(grace, "bob", [Post::PUBLISH_POST]).await.unwrap();
    store.set_active(SYSTEM, "bob", false).await.unwrap();
    let bob = answer(&get(&app, &ask("bob", "blog.publish_post"), Some(&viewer)).await);
    assert!(bob.contains("No: bob does not have"), "{bob}");
    assert!(bob.contains("bob's account is inactive, and an inactive account holds no permission."), "{bob}");
    assert!(bob.contains("It is granted to bob directly, which counts once the account is active again."), "{bob}");

    // Expired: a grant past its time.
    let until = std::time::SystemTime::now() + std::time::Duration::from_millis(1_200);
    store.grant_user_until(SYSTEM, "alice", [Post::DELETE_POST], until).await.unwrap();
    let held = answer(&get(&app, &ask("alice", "blog.delete_post"), Some(&viewer)).await);
    assert!(held.contains("It is granted to alice directly until 20"), "{held}");
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let expired = answer(&get(&app, &ask("alice", "blog.delete_post"), Some(&viewer)).await);
    assert!(expired.contains("alice's direct grant of it expired on 20"), "{expired}");
    assert!(expired.contains("No group has it."), "{expired}");
    store.sweep_expired().await.unwrap();
    let swept = answer(&get(&app, &ask("alice", "blog.delete_post"), Some(&viewer)).await);
    assert!(swept.contains("alice's direct grant of it expired on 20"), "the audit log remembers: {swept}");

    // A superuser, and an unknown permission.
    let root = answer(&get(&app, &ask("root", "blog.publish_post"), Some(&viewer)).await);
    assert!(root.contains("Yes: root has") && root.contains("a superuser holds every permission."), "{root}");
    let unknown = answer(&get(&app, &ask("alice", "blog.fly"), Some(&viewer)).await);
    assert!(unknown.contains("`blog.fly` is not a permission this application declares"), "{unknown}");
    let page = get(&app, &ask("alice", "blog.fly"), Some(&viewer)).await;
    assert!(page.html.contains("id=\"why\" list=\"all-permissions\" value=\"blog.fly\""), "the box keeps the question");

    // A user that does not exist is a 404, with or without a question.
    assert_eq!(get(&app, &ask("nobody", "blog.fly"), Some(&viewer)).await.status, StatusCode::NOT_FOUND);
}

/// A tiny RFC 4180 reader for the exports: records of fields.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

/// The (user, cells) rows of a matrix page, each cell `yes` or `no`.
fn matrix_rows(page: &Page) -> Vec<(String, Vec<bool>)> {
    page.html
        .split("<tr data-user=\"")
        .skip(1)
        .map(|row| {
            let user = row.split('"').next().unwrap().to_owned();
            let row = &row[..row.find("</tr>").unwrap()];
            let cells = row.split("<td class=\"").skip(1).map(|cell| cell.starts_with("yes")).collect();
            (user, cells)
        })
        .collect()
}

/// Every page of a matrix, following its "Next users" links.
async fn every_matrix_row(app: &Router, first: &str, session: &Session) -> Vec<(String, Vec<bool>)> {
    let (mut rows, mut path, mut pages) = (Vec::new(), first.to_owned(), 0);
    loop {
        let page = get(app, &path, Some(session)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let found = matrix_rows(&page);
        assert!(found.len() <= 50, "a page has at most 50 users");
        rows.extend(found);
        pages += 1;
        let Some(at) = page.html.find("id=\"next-page\"") else { break };
        let link = page.html[..at].rsplit("href=\"").next().unwrap().split('"').next().unwrap();
        path = link.replace("&amp;", "&").replace("&#38;", "&");
    }
    assert!(pages >= 1);
    rows
}

async fn the_matrix_of_a_group_and_of_an_app_matches_every_users_snapshot_page_by_page_and_as_csv(store: TestStore) {
    let app = newsroom(&store).await;
    // 100 more writers, some with a direct grant, some inactive, some Senior Writers: more than a page.
    for i in 0..100 {
        let name = format!("w{i:02}");
        store.create_user(SYSTEM, &name, "", None).await.unwrap();
        match i % 5 {
            0 => store.add_to_group(SYSTEM, &name, "Editors").await.map(drop).unwrap(),
            1 => store.grant_user(SYSTEM, &name, [Post::PUBLISH_POST]).await.map(drop).unwrap(),
            2 => store.add_to_group(SYSTEM, &name, "Senior Writers").await.map(drop).unwrap(),
            3 => {
                store.add_to_group(SYSTEM, &name, "Editors").await.unwrap();
                store.set_active(SYSTEM, &name, false).await.unwrap();
            }
            _ => {}
        }
    }
    store.grant_user(SYSTEM, "alice", [Post::DELETE_POST]).await.unwrap();
    let viewer = login(&app, "viewer").await;
    let blog: Vec<&str> =
        permfw::registry().permissions().filter(|p| p.app_label() == "blog").map(|p| p.as_str()).collect();

    // Brute force: every user's snapshot.
    let mut everyone = Vec::new();
    let mut page = permfw::store::UserPage::first().limit(1_000);
    loop {
        let users = store.list_users(page.clone()).await.unwrap();
        everyone.extend(users.iter().map(|u| u.username.clone()));
        if users.len() < 1_000 {
            break;
        }
        page = page.after(users.last().unwrap().username.clone());
    }
    let mut app_expected = BTreeMap::new();
    let mut editors_expected = BTreeMap::new();
    let editors = store.group_members("Editors").await.unwrap();
    for name in &everyone {
        let user = store.get_user(name).await.unwrap();
        let cells: Vec<bool> = blog.iter().map(|p| user.has_perm(*p)).collect();
        if cells.iter().any(|held| *held) {
            app_expected.insert(name.clone(), cells);
        }
        if editors.contains(name) {
            let cells = ["blog.change_post", "blog.publish_post"].iter().map(|p| user.has_perm(*p)).collect::<Vec<_>>();
            editors_expected.insert(name.clone(), cells);
        }
    }
    assert!(app_expected.len() > 50, "more than a page: {} of {}", app_expected.len(), everyone.len());

    let app_rows = every_matrix_row(&app, "/admin/matrix?app=blog", &viewer).await;
    let app_found: BTreeMap<String, Vec<bool>> = app_rows.iter().cloned().collect();
    assert_eq!(app_rows.len(), app_found.len(), "no user twice across pages");
    assert_eq!(app_found, app_expected);
    let group_rows = every_matrix_row(&app, "/admin/matrix?group=Editors", &viewer).await;
    assert_eq!(group_rows.into_iter().collect::<BTreeMap<_, _>>(), editors_expected);

    let first = text(&get(&app, "/admin/matrix?group=Editors", Some(&viewer)).await);
    assert!(first.contains("Access matrix: group Editors"), "{first}");
    assert!(first.contains("Can publish post (blog.publish_post)"), "{first}");
    assert!(
        first.contains("Yes <small>(direct, group Editors)</small>") || first.contains("(group Editors)"),
        "{first}"
    );
    assert!(first.contains("(inactive)") && first.contains("account inactive; group Editors"), "{first}");
    assert!(first.contains("href=\"/admin/matrix.csv?group=Editors\""), "{first}");
    assert_eq!(get(&app, "/admin/matrix?app=nothing", Some(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/admin/matrix?group=Nobody", Some(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/admin/matrix", Some(&viewer)).await.status, StatusCode::OK, "the picker");
    let unchosen = get(&app, "/admin/matrix.csv", Some(&viewer)).await;
    assert!(unchosen.status == StatusCode::OK && unchosen.html.contains("id=\"matrix-group\""), "the picker");

    // The CSV: every user, not a page.
    let csv = get(&app, "/admin/matrix.csv?app=blog", Some(&viewer)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
    assert_eq!(csv.headers.get(header::CONTENT_DISPOSITION).unwrap(), "attachment; filename=\"access-app-blog.csv\"");
    let records = read_csv(&csv.html);
    let mut header_row = vec!["username", "active"];
    header_row.extend(&blog);
    assert_eq!(records[0], header_row);
    let csv_found: BTreeMap<String, Vec<bool>> =
        records[1..].iter().map(|r| (r[0].clone(), r[2..].iter().map(|c| c.starts_with("yes")).collect())).collect();
    assert_eq!(csv_found, app_expected);
    assert_eq!(records.len() - 1, app_expected.len());
    let heidi = records.iter().find(|r| r[0] == "heidi").unwrap();
    let publish = 2 + blog.iter().position(|p| *p == "blog.publish_post").unwrap();
    assert_eq!(heidi[publish], "yes (group Editors)");
    let root = records.iter().find(|r| r[0] == "root").unwrap();
    assert!(root[2..].iter().all(|c| c == "yes (superuser)"), "{root:?}");
    let group_csv = read_csv(&get(&app, "/admin/matrix.csv?group=Senior%20Writers", Some(&viewer)).await.html);
    assert_eq!(group_csv.len() - 1, 20, "every Senior Writer");
}

/// The ids of the audit page's rows.
fn audit_ids(page: &Page) -> Vec<i64> {
    let body = page.html.split("<tbody>").nth(1).unwrap();
    body.split("<tr><td>").skip(1).map(|row| row.split('<').next().unwrap().parse().unwrap()).collect()
}

/// Every page of a filtered audit log, following its "Older entries" links.
async fn every_audit_id(app: &Router, first: &str, session: &Session) -> Vec<i64> {
    let (mut ids, mut path) = (Vec::new(), first.to_owned());
    loop {
        let page = get(app, &path, Some(session)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let found = audit_ids(&page);
        assert!(found.len() <= 100);
        ids.extend(found);
        let Some(at) = page.html.find("id=\"older\"") else { break };
        path = page.html[..at]
            .rsplit("href=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
            .replace("&#38;", "&");
    }
    ids
}

async fn the_audit_log_filters_alone_and_combined_pages_by_key_and_exports_csv(store: TestStore) {
    let app = newsroom(&store).await;
    let grace = &Actor::User("grace".into());
    for i in 0..120 {
        let perm = if i % 2 == 0 { Post::CHANGE_POST } else { Post::PUBLISH_POST };
        let user = if i % 3 == 0 { "alice" } else { "bob" };
        store.grant_user(grace, user, [perm]).await.unwrap();
        store.revoke_user(grace, user, [perm]).await.unwrap();
    }
    store.add_to_group(grace, "alice", "Editors").await.unwrap();
    // Spread the log over days: entry n at 2026-11-01 14:02 UTC plus n hours.
    store.db.execute("UPDATE permfw_audit SET at = 1793541720000000 + id * 3600000000").await.unwrap();
    let log: Vec<AuditEntry> = store.audit(AuditQuery::new().limit(10_000)).await.unwrap();
    assert!(log.len() > 150, "{}", log.len());
    let viewer = login(&app, "viewer").await;

    let day = |d: i64| 1_793_577_600_000_000 + d * 86_400_000_000; // 2026-11-02 + d days
    type Filter = Box<dyn Fn(&AuditEntry) -> bool>;
    let is = |value: Option<&String>, wanted: &str| value.is_some_and(|v| v == wanted);
    let cases: Vec<(&str, Filter)> = vec![
        ("actor=grace", Box::new(|e: &AuditEntry| e.actor == "grace")),
        ("user=alice", Box::new(move |e: &AuditEntry| is(e.target_user.as_ref(), "alice"))),
        ("group=Editors", Box::new(move |e: &AuditEntry| is(e.target_group.as_ref(), "Editors"))),
        (
            "permission=blog.publish_post",
            Box::new(move |e: &AuditEntry| is(e.permission.as_ref(), "blog.publish_post")),
        ),
        ("action=revoke_user", Box::new(|e: &AuditEntry| e.action == "revoke_user")),
        (
            "actor=grace&action=revoke_user&to=2026-11-09",
            Box::new(move |e: &AuditEntry| e.actor == "grace" && e.action == "revoke_user" && e.at < day(8)),
        ),
        ("from=2026-11-02&to=2026-11-03", Box::new(move |e: &AuditEntry| e.at >= day(0) && e.at < day(2))),
        ("from=2026-11-02%2012:30", Box::new(move |e: &AuditEntry| e.at >= day(0) + 45_000_000_000)),
        ("to=2026-11-02T05:00", Box::new(move |e: &AuditEntry| e.at < day(0) + 18_000_000_000)),
        (
            "actor=grace&user=alice&permission=blog.change_post&action=grant_user&from=2026-11-02",
            Box::new(move |e: &AuditEntry| {
                e.actor == "grace"
                    && is(e.target_user.as_ref(), "alice")
                    && is(e.permission.as_ref(), "blog.change_post")
                    && e.action == "grant_user"
                    && e.at >= day(0)
            }),
        ),
        (
            "action=grant_user&user=bob&to=2026-11-04",
            Box::new(move |e: &AuditEntry| {
                e.action == "grant_user" && is(e.target_user.as_ref(), "bob") && e.at < day(3)
            }),
        ),
        ("user=nobody", Box::new(|_: &AuditEntry| false)),
    ];
    for (query, wanted) in &cases {
        let expected: Vec<i64> = log.iter().filter(|e| wanted(e)).map(|e| e.id).collect();
        let found = every_audit_id(&app, &format!("/admin/audit?{query}"), &viewer).await;
        assert_eq!(found, expected, "{query}");
        let csv = get(&app, &format!("/admin/audit.csv?{query}"), Some(&viewer)).await;
        assert_eq!(csv.status, StatusCode::OK);
        let records = read_csv(&csv.html);
        assert_eq!(records[0], ["id", "at", "actor", "action", "user", "group", "permission", "detail"]);
        let ids: Vec<i64> = records[1..].iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(ids, expected, "CSV of {query}");
    }

    // The whole log pages by key, 100 at a time, newest first.
    let first = get(&app, "/admin/audit", Some(&viewer)).await;
    let ids = audit_ids(&first);
    assert_eq!(ids, log.iter().take(100).map(|e| e.id).collect::<Vec<_>>());
    let html = text(&first);
    assert!(html.contains("UTC, ") && html.contains(" ago</time>"), "times for people: {html}");
    assert!(html.contains("<option value=\"grant_user\">grant_user</option>"), "the actions' select");
    let filtered = text(&get(&app, "/admin/audit?action=grant_user&user=alice", Some(&viewer)).await);
    assert!(filtered.contains("<option value=\"grant_user\" selected>"), "the form keeps its filters");
    assert!(filtered.contains("value=\"alice\""), "the form keeps its filters");
    assert!(filtered.contains("href=\"/admin/audit.csv?user=alice&action=grant_user\""), "{filtered}");
    let csv = get(&app, "/admin/audit.csv", Some(&viewer)).await;
    assert_eq!(csv.headers.get(header::CONTENT_DISPOSITION).unwrap(), "attachment; filename=\"audit.csv\"");
    assert_eq!(read_csv(&csv.html).len() - 1, log.len(), "the CSV has every entry, not a page");

    // A date that is not one is a 400 that says what to write.
    let wrong = get(&app, "/admin/audit?from=yesterday", Some(&viewer)).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(text(&wrong).contains("From: `yesterday` is not a date; write YYYY-MM-DD"), "{}", wrong.html);
    assert_eq!(get(&app, "/admin/audit.csv?to=2026-99-01", Some(&viewer)).await.status, StatusCode::BAD_REQUEST);
    let senders: BTreeSet<&str> = log.iter().map(|e| e.actor.as_str()).collect();
    assert!(senders.contains("grace") && senders.contains("root"));
}

async fn callers_without_view_user_are_refused_on_every_page(store: TestStore) {
    let app = newsroom(&store).await;
    let clerk = login(&app, "clerk").await;
    let alice = login(&app, "alice").await;
    let pages = [
        "/admin/users/alice?why=blog.publish_post",
        "/admin/matrix?group=Editors",
        "/admin/matrix.csv?app=blog",
        "/admin/audit?actor=grace",
        "/admin/audit.csv",
    ];
    for path in pages {
        for session in [&clerk, &alice] {
            let page = get(&app, path, Some(session)).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!page.html.contains("grace on 20") && !page.html.contains("blog.publish_post,"), "{path}");
        }
        let anonymous = get(&app, path, None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
        assert!(anonymous.location().starts_with("/admin/login?next="), "{path}");
    }
}
