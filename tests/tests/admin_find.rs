//! Finding people and bulk actions, on SQLite and on PostgreSQL: the user list's filters
//! (active, staff, superuser, group, "has permission X"), its four orders and keyset pages
//! against a brute-force expectation, in the store (with pages small enough that every way of
//! reading a page is taken: a small set of ids, a walk with checks, a walk cut at its window)
//! and through the admin's router; bulk actions previewed and applied through the router
//! (allowed, refused by the rules per user with the reason shown and nothing written for them,
//! changed since the preview, CSRF missing), and in the store (one transaction: a failure
//! midway writes nothing; 1,000 users well within a second).

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use axum::Router;
use axum::http::StatusCode;
use permfw::http::admin_router;
use permfw::store::{Actor, BulkAction, BulkOutcome, Store, UserOrder, UserPage, UserRecord};
use permfw::{HasPerms, Model};
use support::web::{Session, flash_of, follow, get, login, post, post_encoded};
use support::{TestStore, audit_len};

#[derive(Model)]
#[model(app_label = "find")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    every_filter_and_order_pages_exactly_the_brute_force_list,
    selective_filters_walk_in_windows_and_miss_nobody,
    the_list_filters_sorts_and_pages_through_the_router,
    bulk_grant_previews_then_applies_what_the_rules_allow,
    bulk_add_to_group_and_deactivate_through_the_router,
    bulk_actions_refused_whole_or_without_csrf_write_nothing,
    a_bulk_action_applies_what_is_allowed_and_needed_when_applied,
    a_bulk_action_is_one_transaction,
    a_thousand_users_apply_in_one_go,
);

const SYSTEM: &Actor = &Actor::System;

/// One user of the data set as the brute force sees it.
#[derive(Clone, Debug)]
struct Person {
    record: UserRecord,
    groups: BTreeSet<&'static str>,
    direct: BTreeSet<&'static str>,
}

impl Person {
    fn holds(&self, perm: &str) -> bool {
        let through_group = |group: &str| match group {
            // Late gives nothing.
            "Big" => perm == "find.change_post",
            "Small" => perm == "find.delete_post",
            _ => false,
        };
        self.record.is_superuser || self.direct.contains(perm) || self.groups.iter().any(|g| through_group(g))
    }
}

/// `n` users `u000`, ... with every kind of filter represented: inactive every 7th, staff every
/// 11th, the group Big (find.change_post) for two thirds, Small (find.delete_post) for five,
/// find.change_post directly every 10th, find.publish_post directly for three, dates joined
/// with ties; and root, a superuser.
async fn people(store: &TestStore, n: usize) -> Vec<Person> {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    store.create_group(SYSTEM, "Big").await.unwrap();
    store.grant_group(SYSTEM, "Big", [Post::CHANGE_POST]).await.unwrap();
    store.create_group(SYSTEM, "Small").await.unwrap();
    store.grant_group(SYSTEM, "Small", [Post::DELETE_POST]).await.unwrap();
    let values: Vec<String> = (0..n).map(|i| format!("('u{i:03}', 'u{i:03}@example.com', '', 0)")).collect();
    store
        .db
        .execute(&format!(
            "INSERT INTO auth_user (username, email, password, date_joined) VALUES {}",
            values.join(", ")
        ))
        .await
        .unwrap();
    let mut big = Vec::new();
    let mut change = Vec::new();
    for i in 0..n {
        let name = format!("u{i:03}");
        if i.is_multiple_of(7) {
            store.set_active(SYSTEM, &name, false).await.unwrap();
        }
        if i.is_multiple_of(11) {
            store.set_staff(SYSTEM, &name, true).await.unwrap();
        }
        if !i.is_multiple_of(3) {
            big.push(name.clone());
        }
        if i.is_multiple_of(10) {
            change.push(name.clone());
        }
        if [5, 50, 100, 150, 200].contains(&i) {
            store.add_to_group(SYSTEM, &name, "Small").await.unwrap();
        }
        if [3, 33, 133].contains(&i) {
            store.grant_user(SYSTEM, &name, [Post::PUBLISH_POST]).await.unwrap();
        }
    }
    let big: Vec<&str> = big.iter().map(String::as_str).collect();
    store.bulk_apply(SYSTEM, &BulkAction::AddToGroup("Big".into()), &big).await.unwrap();
    let change: Vec<&str> = change.iter().map(String::as_str).collect();
    store.grant_user_bulk(SYSTEM, Post::CHANGE_POST, &change).await.unwrap();
    store.db.execute("UPDATE auth_user SET date_joined = (id * 37) % 50 * 1000000").await.unwrap();
    let all = store.list_users(UserPage::first().limit(1000)).await.unwrap();
    all.into_iter()
        .map(|record| {
            let i: usize = record.username.strip_prefix('u').and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
            let mut groups = BTreeSet::new();
            let mut direct = BTreeSet::new();
            if i != usize::MAX {
                if !i.is_multiple_of(3) {
                    groups.insert("Big");
                }
                if [5, 50, 100, 150, 200].contains(&i) {
                    groups.insert("Small");
                }
                if i.is_multiple_of(10) {
                    direct.insert("find.change_post");
                }
                if [3, 33, 133].contains(&i) {
                    direct.insert("find.publish_post");
                }
            }
            Person { record, groups, direct }
        })
        .collect()
}

/// The filters of one case.
#[derive(Clone, Copy, Debug, Default)]
struct Filters {
    active: Option<bool>,
    staff: Option<bool>,
    superuser: Option<bool>,
    group: Option<&'static str>,
    perm: Option<&'static str>,
    order: Order,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Order {
    #[default]
    Username,
    UsernameDesc,
    Joined,
    JoinedDesc,
}

impl Filters {
    fn page(&self) -> UserPage {
        let order = match self.order {
            Order::Username => UserOrder::Username,
            Order::UsernameDesc => UserOrder::UsernameDesc,
            Order::Joined => UserOrder::Joined,
            Order::JoinedDesc => UserOrder::JoinedDesc,
        };
        let mut page = UserPage::first().active(self.active).staff(self.staff).superuser(self.superuser).order(order);
        if let Some(group) = self.group {
            page = page.group(group);
        }
        if let Some(perm) = self.perm {
            page = page.permission(perm);
        }
        page
    }

    /// The brute force: every person that passes, in the order.
    fn expected(&self, people: &[Person]) -> Vec<String> {
        let mut found: Vec<&Person> = people
            .iter()
            .filter(|p| self.active.is_none_or(|a| p.record.is_active == a))
            .filter(|p| self.staff.is_none_or(|s| p.record.is_staff == s))
            .filter(|p| self.superuser.is_none_or(|s| p.record.is_superuser == s))
            .filter(|p| self.group.is_none_or(|g| p.groups.contains(g)))
            .filter(|p| self.perm.is_none_or(|perm| p.holds(perm)))
            .collect();
        found.sort_by(|a, b| match self.order {
            Order::Username => a.record.username.cmp(&b.record.username),
            Order::UsernameDesc => b.record.username.cmp(&a.record.username),
            Order::Joined => (a.record.date_joined, a.record.id).cmp(&(b.record.date_joined, b.record.id)),
            Order::JoinedDesc => (b.record.date_joined, b.record.id).cmp(&(a.record.date_joined, a.record.id)),
        });
        found.into_iter().map(|p| p.record.username.clone()).collect()
    }
}

/// Every page of `filters` at `limit` a page, following the next keys.
async fn all_pages(store: &Store, filters: &Filters, limit: u32) -> Vec<String> {
    let mut names = Vec::new();
    let mut page = filters.page().limit(limit);
    for _ in 0..2_000 {
        let list = store.find_users(page.clone()).await.unwrap();
        assert!(list.users.len() <= limit as usize);
        names.extend(list.users.into_iter().map(|u| u.username));
        match list.next {
            Some(key) => page = filters.page().limit(limit).after_key(key),
            None => return names,
        }
    }
    panic!("{filters:?}: more than 2,000 pages");
}

async fn every_filter_and_order_pages_exactly_the_brute_force_list(store: TestStore) {
    let people = people(&store, 240).await;
    let flags = [None, Some(true), Some(false)];
    for order in [Order::Username, Order::UsernameDesc, Order::Joined, Order::JoinedDesc] {
        for active in flags {
            for staff in flags {
                for superuser in [None, Some(true)] {
                    for group in [None, Some("Big"), Some("Small")] {
                        for perm in [None, Some("find.change_post"), Some("find.publish_post"), Some("nope.nothing")] {
                            let filters = Filters { active, staff, superuser, group, perm, order };
                            let limit = if group.is_some() || perm.is_some() { 40 } else { 60 };
                            let got = all_pages(&store, &filters, limit).await;
                            assert_eq!(got, filters.expected(&people), "{filters:?}");
                        }
                    }
                }
            }
        }
    }
    // A key of the other order is refused, naming it.
    let wrong = store.find_users(UserPage::first().order(UserOrder::Joined).after("u001")).await;
    assert!(wrong.unwrap_err().to_string().contains("page key"));
    // A group that does not exist, a permission that is not one.
    assert!(store.find_users(UserPage::first().group("Nobody")).await.is_err());
    assert!(store.find_users(UserPage::first().permission("no dot")).await.is_err());
}

async fn selective_filters_walk_in_windows_and_miss_nobody(store: TestStore) {
    let people = people(&store, 240).await;
    // One user a page: a group or holders of more than 100 are walked, 100 users a window.
    let cases = [
        Filters { group: Some("Big"), ..Filters::default() },
        Filters { group: Some("Big"), active: Some(false), ..Filters::default() },
        Filters { group: Some("Big"), perm: Some("find.publish_post"), ..Filters::default() },
        Filters { perm: Some("find.change_post"), staff: Some(true), order: Order::JoinedDesc, ..Filters::default() },
        Filters {
            perm: Some("find.change_post"),
            active: Some(true),
            order: Order::UsernameDesc,
            ..Filters::default()
        },
        Filters { group: Some("Big"), superuser: Some(false), order: Order::Joined, ..Filters::default() },
        Filters { active: Some(true), staff: Some(false), ..Filters::default() },
    ];
    for filters in cases {
        let got = all_pages(&store, &filters, 1).await;
        assert_eq!(got, filters.expected(&people), "{filters:?}");
    }
    // A group of 120 members, all late in the alphabet: walked, and its first window (root,
    // u000 to u098) holds none of them, so the first page is empty and says where to go on.
    store.create_group(SYSTEM, "Late").await.unwrap();
    let late: Vec<String> = (120..240).map(|i| format!("u{i:03}")).collect();
    let late: Vec<&str> = late.iter().map(String::as_str).collect();
    store.bulk_apply(SYSTEM, &BulkAction::AddToGroup("Late".into()), &late).await.unwrap();
    let mut people = people;
    for person in &mut people {
        if late.contains(&person.record.username.as_str()) {
            person.groups.insert("Late");
        }
    }
    let sparse = Filters { group: Some("Late"), ..Filters::default() };
    let first = store.find_users(sparse.page().limit(1)).await.unwrap();
    assert!(first.users.is_empty() && first.next.is_some(), "{first:?}");
    for order in [Order::Username, Order::UsernameDesc, Order::Joined] {
        let filters = Filters { group: Some("Late"), active: Some(true), order, ..Filters::default() };
        assert_eq!(all_pages(&store, &filters, 1).await, filters.expected(&people), "{filters:?}");
    }
}

/// root, and manager: staff holding view_user, change_user, view_group, find.change_post and
/// find.publish_post; viewer: staff with view_user alone. Passwords `{name}-password`.
async fn admin(store: &TestStore, n: usize) -> (Router, Vec<Person>) {
    let people = people(store, n).await;
    store.set_password(SYSTEM, "root", "root-password").await.unwrap();
    for (name, perms) in [
        (
            "manager",
            vec!["auth.view_user", "auth.change_user", "auth.view_group", "find.change_post", "find.publish_post"],
        ),
        ("viewer", vec!["auth.view_user"]),
    ] {
        store.create_user(SYSTEM, name, "", Some(&format!("{name}-password"))).await.unwrap();
        store.set_staff(SYSTEM, name, true).await.unwrap();
        store.grant_user(SYSTEM, name, perms).await.unwrap();
    }
    (admin_router(store.store.clone()), people)
}

/// The usernames of a list page's rows.
fn listed(html: &str) -> Vec<String> {
    html.split("name=\"users\" value=\"").skip(1).map(|rest| rest.split('"').next().unwrap().to_owned()).collect()
}

/// Every page of the list from `path`, following "Next page".
async fn router_pages(app: &Router, path: &str, session: &Session) -> Vec<String> {
    let mut names = Vec::new();
    let mut path = path.to_owned();
    for _ in 0..100 {
        let page = get(app, &path, Some(session)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        names.extend(listed(&page.html));
        match page.html.split("id=\"next\" href=\"").nth(1) {
            Some(rest) => path = rest.split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&"),
            None => return names,
        }
    }
    panic!("{path}: more than 100 pages");
}

async fn the_list_filters_sorts_and_pages_through_the_router(store: TestStore) {
    let (app, mut people) = admin(&store, 130).await;
    // The data set as the list sees it now (manager and viewer included).
    let everyone = store.list_users(UserPage::first().limit(1000)).await.unwrap();
    let known: HashMap<String, Person> = people.drain(..).map(|p| (p.record.username.clone(), p)).collect();
    let people: Vec<Person> = everyone
        .into_iter()
        .map(|record| {
            let mut person = known.get(&record.username).cloned().unwrap_or(Person {
                record: record.clone(),
                groups: BTreeSet::new(),
                direct: BTreeSet::new(),
            });
            if record.username == "manager" {
                person.direct.extend(["find.change_post", "find.publish_post"]);
            }
            person.record = record;
            person
        })
        .collect();
    let manager = login(&app, "manager").await;
    let cases: [(&str, Filters); 10] = [
        ("", Filters::default()),
        ("?active=no", Filters { active: Some(false), ..Filters::default() }),
        ("?active=yes&staff=yes", Filters { active: Some(true), staff: Some(true), ..Filters::default() }),
        ("?superuser=yes", Filters { superuser: Some(true), ..Filters::default() }),
        (
            "?superuser=no&sort=-username",
            Filters { superuser: Some(false), order: Order::UsernameDesc, ..Filters::default() },
        ),
        ("?group=Big&sort=joined", Filters { group: Some("Big"), order: Order::Joined, ..Filters::default() }),
        ("?group=Small", Filters { group: Some("Small"), ..Filters::default() }),
        (
            "?perm=find.change_post&sort=-joined",
            Filters { perm: Some("find.change_post"), order: Order::JoinedDesc, ..Filters::default() },
        ),
        ("?perm=find.publish_post", Filters { perm: Some("find.publish_post"), ..Filters::default() }),
        (
            "?perm=find.change_post&group=Big&active=yes&staff=no",
            Filters {
                perm: Some("find.change_post"),
                group: Some("Big"),
                active: Some(true),
                staff: Some(false),
                ..Filters::default()
            },
        ),
    ];
    for (query, filters) in cases {
        let got = router_pages(&app, &format!("/admin/users{query}"), &manager).await;
        assert_eq!(got, filters.expected(&people), "{query}");
    }
    // The form shows the state it was given, every control labelled.
    let page = get(&app, "/admin/users?group=Big&perm=find.change_post&active=no&sort=-joined", Some(&manager)).await;
    for shown in [
        "value=\"Big\"",
        "value=\"find.change_post\"",
        "<option value=\"no\" selected>No</option>",
        "value=\"-joined\" selected",
        "<label for=\"f-group\">",
        "<label for=\"f-perm\">",
        "<label for=\"f-sort\">",
        "<label for=\"bulk-action\">",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    // Search as you type takes the same query, and says where the next page is.
    let rows = get(&app, "/admin/users/rows?q=u1&group=Big&perm=find.change_post", Some(&manager)).await;
    let expected: Vec<String> = Filters { group: Some("Big"), perm: Some("find.change_post"), ..Filters::default() }
        .expected(&people)
        .into_iter()
        .filter(|name| name.contains("u1"))
        .collect();
    assert_eq!(listed(&rows.html), expected);
    let rows = get(&app, "/admin/users/rows?q=u", Some(&manager)).await;
    let next = rows.headers.get("x-next-page").unwrap().to_str().unwrap();
    assert!(next.starts_with("/admin/users?q=u&after="), "{next}");
    // A value that does not parse is a 400 naming its field.
    for (query, field) in [("?active=maybe", "active"), ("?sort=age", "sort"), ("?sort=joined&after=bob", "after")] {
        let page = get(&app, &format!("/admin/users{query}"), Some(&manager)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.html.contains(field), "{query}: {}", page.html);
    }
}

/// Posts the list's bulk form.
async fn bulk(
    app: &Router,
    session: &Session,
    csrf: &str,
    path: &str,
    action: &str,
    argument: &str,
    users: &[&str],
) -> support::web::Page {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    let mut body =
        vec![format!("csrf={}", encode(csrf)), format!("action={action}"), format!("argument={}", encode(argument))];
    body.extend(users.iter().map(|u| format!("users={}", encode(u))));
    body.push("back=%2Fadmin%2Fusers%3Fperm%3Dfind.change_post".into());
    post_encoded(app, path, Some(session), body.join("&")).await
}

/// The confirmation page's line for `user`.
fn line_of<'a>(html: &'a str, user: &str) -> &'a str {
    let at = html.find(&format!("data-user=\"{user}\"")).unwrap_or_else(|| panic!("no line for {user}: {html}"));
    html[at..].split("</tr>").next().unwrap()
}

async fn bulk_grant_previews_then_applies_what_the_rules_allow(store: TestStore) {
    let (app, _) = admin(&store, 12).await;
    let manager = login(&app, "manager").await;
    let before = audit_len(&store).await;
    let users = ["u001", "u003", "root", "manager", "ghost"];
    let preview = bulk(&app, &manager, &manager.csrf, "/admin/users/bulk", "grant", "find.publish_post", &users).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    let html = &preview.html;
    for (count, n) in [("count-changes", 1), ("count-already", 1), ("count-refused", 2), ("count-missing", 1)] {
        assert!(html.contains(&format!("id=\"{count}\">{n}<")), "{count}: {html}");
    }
    assert!(line_of(html, "u001").contains("Is granted Can publish post (find.publish_post) directly"));
    assert!(line_of(html, "u003").contains("Already holds"));
    assert!(line_of(html, "root").contains("Refused: only a superuser makes, unmakes or changes a superuser"));
    assert!(line_of(html, "manager").contains("Refused: a user may not change its own"));
    assert!(line_of(html, "ghost").contains("No user has this username"));
    assert_eq!(audit_len(&store).await, before, "a preview writes nothing");
    assert!(!store.get_user("u001").await.unwrap().has_perm(Post::PUBLISH_POST));

    // Apply, as the confirmation page posts it.
    let csrf = manager.csrf.clone();
    let mut form =
        vec![("csrf", csrf.as_str()), ("action", "grant"), ("argument", "find.publish_post"), ("expected", "1")];
    form.extend(users.iter().map(|u| ("users", *u)));
    form.push(("back", "/admin/users?perm=find.change_post"));
    let done = post(&app, "/admin/users/bulk/apply", Some(&manager), &form).await;
    assert_eq!(done.location(), "/admin/users?perm=find.change_post");
    let (refused, text) = flash_of(&follow(&app, &done, &manager).await);
    assert!(!refused, "{text}");
    assert!(
        text.starts_with("Granted find.publish_post to 1 user; 1 already so; 2 refused by the rules: root ("),
        "{text}"
    );
    assert!(text.contains("manager (a user may not change its own"), "{text}");
    assert!(text.contains("1 not found"), "{text}");
    assert!(store.get_user("u001").await.unwrap().has_perm(Post::PUBLISH_POST));
    let root = store.effective_permissions("root").await.unwrap();
    assert!(root.iter().all(|p| p.permission != Post::PUBLISH_POST), "nothing written for refused users");
    assert_eq!(audit_len(&store).await, before + 1);
}

async fn bulk_add_to_group_and_deactivate_through_the_router(store: TestStore) {
    let (app, _) = admin(&store, 12).await;
    let root = login(&app, "root").await;
    let before = audit_len(&store).await;
    let preview = bulk(&app, &root, &root.csrf, "/admin/users/bulk", "add_to_group", "Small", &["u001", "u005"]).await;
    assert!(line_of(&preview.html, "u001").contains("Joins the group Small"), "{}", preview.html);
    assert!(line_of(&preview.html, "u005").contains("Already a member of Small"));
    let done =
        bulk(&app, &root, &root.csrf, "/admin/users/bulk/apply", "add_to_group", "Small", &["u001", "u005"]).await;
    let (_, text) = flash_of(&follow(&app, &done, &root).await);
    assert_eq!(text, "Added 1 user to the group Small; 1 already so.");
    assert!(store.get_user("u001").await.unwrap().groups().any(|g| g == "Small"));
    // manager lacks find.delete_post, which Small gives: refused for everyone, with the reason.
    let manager = login(&app, "manager").await;
    let preview = bulk(&app, &manager, &manager.csrf, "/admin/users/bulk", "add_to_group", "Small", &["u002"]).await;
    assert!(line_of(&preview.html, "u002").contains("Refused: a user may grant only permissions it holds"));
    assert!(preview.html.contains("id=\"nothing\""));

    let preview = bulk(&app, &manager, &manager.csrf, "/admin/users/bulk", "deactivate", "", &["u002", "u007"]).await;
    assert!(line_of(&preview.html, "u002").contains("Is deactivated"));
    assert!(line_of(&preview.html, "u007").contains("Already inactive"));
    let done =
        bulk(&app, &manager, &manager.csrf, "/admin/users/bulk/apply", "deactivate", "", &["u002", "u007"]).await;
    let (_, text) = flash_of(&follow(&app, &done, &manager).await);
    assert_eq!(text, "Deactivated 1 user; 1 already so.");
    assert!(!store.get_user("u002").await.unwrap().is_active());
    assert_eq!(audit_len(&store).await, before + 2);
}

async fn bulk_actions_refused_whole_or_without_csrf_write_nothing(store: TestStore) {
    let (app, _) = admin(&store, 12).await;
    let manager = login(&app, "manager").await;
    let before = audit_len(&store).await;
    // manager does not hold find.view_post: every user refused, the reason shown.
    let done =
        bulk(&app, &manager, &manager.csrf, "/admin/users/bulk/apply", "grant", "find.view_post", &["u001", "u002"])
            .await;
    let (refused, text) = flash_of(&follow(&app, &done, &manager).await);
    assert!(refused, "{text}");
    assert!(text.contains("2 refused by the rules: u001 (a user may grant only permissions it holds itself"), "{text}");
    // Without or with a wrong CSRF token: refused, nothing written.
    for path in ["/admin/users/bulk", "/admin/users/bulk/apply"] {
        for csrf in ["", "wrong"] {
            let page = bulk(&app, &manager, csrf, path, "deactivate", "", &["u001"]).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
            assert!(page.html.contains("CSRF"));
        }
    }
    // A staff member without auth.change_user is refused at the door.
    let viewer = login(&app, "viewer").await;
    let page = bulk(&app, &viewer, &viewer.csrf, "/admin/users/bulk/apply", "deactivate", "", &["u001"]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nothing selected, no argument, an unknown group: said on the list.
    for (action, argument, users, says) in [
        ("deactivate", "", &[][..], "Select at least one user"),
        ("grant", "", &["u001"][..], "Name the permission"),
        ("add_to_group", "Nobody", &["u001"][..], "No group named `Nobody`"),
    ] {
        let done = bulk(&app, &manager, &manager.csrf, "/admin/users/bulk", action, argument, users).await;
        let (refused, text) = flash_of(&follow(&app, &done, &manager).await);
        assert!(refused && text.contains(says), "{text}");
    }
    assert_eq!(audit_len(&store).await, before);
    assert!(store.get_user("u001").await.unwrap().is_active());
}

async fn a_bulk_action_applies_what_is_allowed_and_needed_when_applied(store: TestStore) {
    let (app, _) = admin(&store, 12).await;
    let manager = login(&app, "manager").await;
    let preview =
        bulk(&app, &manager, &manager.csrf, "/admin/users/bulk", "grant", "find.publish_post", &["u001", "u002"]).await;
    assert!(preview.html.contains("id=\"count-changes\">2<"));
    // Meanwhile u001 gains it.
    store.grant_user(SYSTEM, "u001", [Post::PUBLISH_POST]).await.unwrap();
    let before = audit_len(&store).await;
    let csrf = manager.csrf.clone();
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "grant"),
        ("argument", "find.publish_post"),
        ("expected", "2"),
        ("users", "u001"),
        ("users", "u002"),
    ];
    let done = post(&app, "/admin/users/bulk/apply", Some(&manager), &form).await;
    let (_, text) = flash_of(&follow(&app, &done, &manager).await);
    assert!(text.contains("the preview showed 2 to change: things changed since"), "{text}");
    assert!(text.starts_with("Granted find.publish_post to 1 user; 1 already so"), "{text}");
    assert_eq!(audit_len(&store).await, before + 1);
}

async fn a_bulk_action_is_one_transaction(store: TestStore) {
    people(&store, 6).await;
    let report = store
        .bulk_preview(
            &Actor::user(&store.get_user("root").await.unwrap()),
            &BulkAction::Grant("find.publish_post".into()),
            &["u001", "u001", "u003"],
        )
        .await
        .unwrap();
    assert_eq!((report.lines.len(), report.changes(), report.already(), report.applied), (2, 1, 1, false));
    // A failure of the database midway (the second user's membership) writes nothing at all.
    let trigger = if store.is_postgres() {
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.user_id = (SELECT id FROM auth_user WHERE username = 'u002') THEN RAISE EXCEPTION 'boom'; END IF; \
         RETURN NEW; END $$; \
         CREATE TRIGGER boom BEFORE INSERT ON auth_user_groups FOR EACH ROW EXECUTE FUNCTION boom();"
    } else {
        "CREATE TRIGGER boom BEFORE INSERT ON auth_user_groups \
         WHEN NEW.user_id = (SELECT id FROM auth_user WHERE username = 'u002') BEGIN SELECT RAISE(ABORT, 'boom'); END;"
    };
    store.db.execute(trigger).await.unwrap();
    let before = audit_len(&store).await;
    let result = store.bulk_apply(SYSTEM, &BulkAction::AddToGroup("Small".into()), &["u001", "u002", "u003"]).await;
    assert!(result.is_err());
    assert_eq!(audit_len(&store).await, before);
    assert!(
        store.group_members("Small").await.unwrap().iter().all(|m| !["u001", "u002", "u003"].contains(&m.as_str()))
    );
    let report = store.bulk_apply(SYSTEM, &BulkAction::AddToGroup("Small".into()), &["u001", "u003"]).await.unwrap();
    assert_eq!((report.changes(), report.applied), (2, true));
    assert_eq!(audit_len(&store).await, before + 2);
    assert!(matches!(report.lines[0].outcome, BulkOutcome::Changes));
}

async fn a_thousand_users_apply_in_one_go(store: TestStore) {
    people(&store, 1000).await;
    let names: Vec<String> = (0..1000).map(|i| format!("u{i:03}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for action in
        [BulkAction::Grant("find.publish_post".into()), BulkAction::AddToGroup("Small".into()), BulkAction::Deactivate]
    {
        // Its speed is measured by `benches/scripts/load.sh`; here, that it is whole.
        let before = audit_len(&store).await;
        let report = store.bulk_apply(SYSTEM, &action, &names).await.unwrap();
        assert!(report.changes() > 800, "{action:?}: {}", report.changes());
        assert_eq!(audit_len(&store).await, before + report.changes(), "{action:?}: one audit row per change");
    }
}

/// The seed's models whose permissions the measurement names: `filler.change_f000` is
/// given by group20 (about 75,000 members) and held directly by about 7,000 users;
/// `filler.delete_f000` by group1. Declared for their permissions, never built.
#[allow(dead_code)]
mod filler {
    #[derive(permfw::Model)]
    #[model(app_label = "filler")]
    pub struct F000;

    /// The blog's post, whose `publish_post` the measurement grants to three users.
    #[derive(permfw::Model)]
    #[model(app_label = "blog")]
    #[permissions(publish_post = "Can publish post")]
    pub struct Post;
}

/// The user list's filters and the bulk actions at the benches' million users (a seeded
/// database, with flags and dates joined spread as `docs` says): prints the median, the 99th
/// percentile and the slowest of 101 pages (first and second pages in turn) of each case.
/// `PERMFW_FIND_URL=... cargo test --release -p permfw-tests --test admin_find -- --ignored
/// --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a seeded database of a million users in PERMFW_FIND_URL"]
async fn at_a_million_users() {
    let url = std::env::var("PERMFW_FIND_URL").expect("PERMFW_FIND_URL");
    let db = support::Db::open(&url).await.unwrap();
    let store = db.store(|o| o).await.unwrap();
    store.migrate().await.unwrap();
    let orders = [UserOrder::Username, UserOrder::UsernameDesc, UserOrder::Joined, UserOrder::JoinedDesc];
    let cases: Vec<(&str, UserPage)> = vec![
        ("no filter", UserPage::first()),
        ("active=no", UserPage::first().active(Some(false))),
        ("active=yes", UserPage::first().active(Some(true))),
        ("staff=yes", UserPage::first().staff(Some(true))),
        ("superuser=yes", UserPage::first().superuser(Some(true))),
        ("group=group5", UserPage::first().group("group5")),
        ("perm=filler.change_f000 (75,000 + 7,000)", UserPage::first().permission("filler.change_f000")),
        ("perm=blog.publish_post (3 + a superuser)", UserPage::first().permission("blog.publish_post")),
        ("perm=nope.nothing (a superuser)", UserPage::first().permission("nope.nothing")),
        ("group=group20 perm=filler.change_f000", UserPage::first().group("group20").permission("filler.change_f000")),
        ("group=group5 perm=filler.delete_f000", UserPage::first().group("group5").permission("filler.delete_f000")),
        ("group=group5 active=no (empty)", UserPage::first().group("group5").active(Some(false))),
        ("group=group5 staff=yes", UserPage::first().group("group5").staff(Some(true))),
        ("perm=filler.change_f000 active=no", UserPage::first().permission("filler.change_f000").active(Some(false))),
        ("group=group5 q=user05", UserPage::first().group("group5").search("user05")),
        ("group=group3 q=12", UserPage::first().group("group3").search("12")),
    ];
    let (mut worst, mut worst_p99) = ((0.0, String::new()), (0.0, String::new()));
    for (name, page) in &cases {
        for order in orders {
            let mut times = Vec::new();
            let mut next = None;
            for run in 0..101 {
                let mut this = page.clone().order(order).limit(50);
                if run % 2 == 1
                    && let Some(key) = next.clone()
                {
                    this = this.after_key(key);
                }
                let started = Instant::now();
                let list = store.find_users(this).await.unwrap();
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                if run == 0 {
                    next = list.next;
                }
            }
            times.sort_by(f64::total_cmp);
            let (p50, p99, max) = (times[times.len() / 2], times[times.len() * 99 / 100], times[times.len() - 1]);
            println!("{name:<45} {order:<12?} p50 {p50:>7.2} ms  p99 {p99:>7.2} ms  max {max:>7.2} ms");
            if p50 > worst.0 {
                worst = (p50, format!("{name} {order:?}"));
            }
            if p99 > worst_p99.0 {
                worst_p99 = (p99, format!("{name} {order:?}"));
            }
        }
    }
    println!("worst p50: {:.2} ms ({}); worst p99: {:.2} ms ({})", worst.0, worst.1, worst_p99.0, worst_p99.1);
    let names: Vec<String> = (0..1000).map(|i| format!("user{:07}", 1 + i * 997)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let root = store.list_users(UserPage::first().superuser(Some(true)).limit(1)).await.unwrap();
    let actor = Actor::user(&store.get_user(&root[0].username).await.unwrap());
    for action in
        [BulkAction::Grant("filler.view_f000".into()), BulkAction::AddToGroup("group3".into()), BulkAction::Deactivate]
    {
        let started = Instant::now();
        let preview = store.bulk_preview(&actor, &action, &names).await.unwrap();
        let previewed = started.elapsed();
        let started = Instant::now();
        let report = store.bulk_apply(&actor, &action, &names).await.unwrap();
        println!(
            "bulk {action:?} over 1,000 users: preview {previewed:?}, apply {:?} ({} changed, {} already)",
            started.elapsed(),
            report.changes(),
            preview.already()
        );
    }
}
