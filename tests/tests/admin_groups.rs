//! Groups in the admin, on SQLite and on PostgreSQL: create, rename, delete after a confirmation
//! page that lists what members would lose, grant and revoke the group's permissions, add and
//! remove members, and the members searched and in keyset pages. Each action is tried when
//! allowed, when the store's rules refuse it (the refusal shown as the next page's message,
//! nothing written), and without its CSRF token (refused, nothing written).

mod support;

use axum::Router;
use axum::http::StatusCode;
use permfw::http::admin_router;
use permfw::store::{Actor, Store};
use permfw::{Group, HasPerms, Model, User};
use support::web::{Page, Session, flash_of, follow, get, login, post};
use support::{TestStore, audit_len};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    creating_a_group,
    renaming_a_group,
    granting_and_revoking_a_groups_permission,
    adding_and_removing_a_member,
    deleting_a_group_after_its_confirmation,
    members_are_searched_and_paged_by_key,
    the_groups_list_shows_kept_member_counts,
    a_staff_member_without_the_permission_is_refused_at_the_door,
);

const SYSTEM: &Actor = &Actor::System;

/// `manager` (staff) may view, add, change and delete groups, view and change users, and holds
/// `blog.view_post`, not `blog.publish_post`; it is a member of `Managers`. `viewer` (staff) may
/// only view groups. `Support` gives `blog.view_post`; `Publishers` gives `blog.publish_post`.
/// alice, bob and carol are plain users. Passwords are `{name}-password`.
async fn office(store: &Store) -> Router {
    store.create_superuser(SYSTEM, "root", "", "root-password").await.unwrap();
    for name in ["manager", "viewer", "alice", "bob", "carol"] {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
    }
    for name in ["manager", "viewer"] {
        store.set_staff(SYSTEM, name, true).await.unwrap();
    }
    let managing = [
        Group::VIEW_GROUP,
        Group::ADD_GROUP,
        Group::CHANGE_GROUP,
        Group::DELETE_GROUP,
        User::VIEW_USER,
        User::CHANGE_USER,
        Post::VIEW_POST,
    ];
    store.grant_user(SYSTEM, "manager", managing).await.unwrap();
    store.grant_user(SYSTEM, "viewer", [Group::VIEW_GROUP]).await.unwrap();
    for (group, perm) in
        [("Support", Post::VIEW_POST), ("Publishers", Post::PUBLISH_POST), ("Managers", Post::VIEW_POST)]
    {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, [perm]).await.unwrap();
    }
    store.add_to_group(SYSTEM, "manager", "Managers").await.unwrap();
    admin_router(store.clone())
}

/// Posts `form` with the session's CSRF token, follows the redirect, and returns the next page's
/// message (whether it is a refusal, and its text) and the page.
async fn act(app: &Router, session: &Session, path: &str, form: &[(&str, &str)]) -> (bool, String, Page) {
    let mut with_csrf = vec![("csrf", session.csrf.as_str())];
    with_csrf.extend_from_slice(form);
    let done = post(app, path, Some(session), &with_csrf).await;
    let page = follow(app, &done, session).await;
    let (refused, text) = flash_of(&page);
    (refused, text, page)
}

/// Posts `form` without a CSRF token: refused, nothing written.
async fn without_csrf(store: &TestStore, app: &Router, session: &Session, path: &str, form: &[(&str, &str)]) {
    let before = audit_len(store).await;
    let page = post(app, path, Some(session), form).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.html);
    assert_eq!(audit_len(store).await, before, "{path} wrote nothing");
}

async fn group_names(store: &Store) -> Vec<String> {
    store.list_groups().await.unwrap().into_iter().map(|g| g.name).collect()
}

async fn creating_a_group(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    let list = get(&app, "/admin/groups", Some(&manager)).await;
    assert!(list.html.contains("id=\"group-name\""), "the form is offered: {}", list.html);

    without_csrf(&store, &app, &manager, "/admin/groups", &[("name", "Night shift")]).await;
    assert!(!group_names(&store).await.contains(&"Night shift".to_owned()));

    let (refused, text, page) = act(&app, &manager, "/admin/groups", &[("name", "Night shift")]).await;
    assert!(!refused && text == "Created group Night shift", "{text}");
    assert!(page.html.contains("<h1>Group Night shift</h1>"), "to the new group's page");
    assert!(group_names(&store).await.contains(&"Night shift".to_owned()));

    // Refused by the store: a name taken, an empty name. Nothing written.
    let before = (audit_len(&store).await, group_names(&store).await);
    let (refused, text, page) = act(&app, &manager, "/admin/groups", &[("name", "Support")]).await;
    assert!(refused && text.contains("already exists"), "{text}");
    assert!(page.html.contains("<h1>Groups</h1>"), "back to the list");
    let (refused, text, _) = act(&app, &manager, "/admin/groups", &[("name", "   ")]).await;
    assert!(refused && text.contains("empty"), "{text}");
    assert_eq!((audit_len(&store).await, group_names(&store).await), before);
}

async fn renaming_a_group(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    without_csrf(&store, &app, &manager, "/admin/groups/Support/rename", &[("name", "Helpdesk")]).await;

    let (refused, text, _) = act(&app, &manager, "/admin/groups/Support/rename", &[("name", "Publishers")]).await;
    assert!(refused && text.contains("already exists"), "{text}");
    let before = audit_len(&store).await;
    let (refused, text, _) = act(&app, &manager, "/admin/groups/Support/rename", &[("name", "")]).await;
    assert!(refused, "{text}");
    assert_eq!(audit_len(&store).await, before);
    assert!(group_names(&store).await.contains(&"Support".to_owned()));

    let (refused, text, page) = act(&app, &manager, "/admin/groups/Support/rename", &[("name", "Help/desk")]).await;
    assert!(!refused && text == "Renamed group Support to Help/desk", "{text}");
    assert!(page.html.contains("<h1>Group Help/desk</h1>"));
    assert!(store.get_group("Help/desk").await.unwrap().has_permission(Post::VIEW_POST));
    // A name with a slash is one segment of the address.
    assert_eq!(get(&app, "/admin/groups/Help%2Fdesk", Some(&manager)).await.status, StatusCode::OK);
}

async fn granting_and_revoking_a_groups_permission(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    store.create_group(SYSTEM, "Readers").await.unwrap();
    let page = get(&app, "/admin/groups/Readers", Some(&manager)).await;
    assert!(page.html.contains("list=\"all-permissions\"") && page.html.contains("<option value=\"blog.view_post\">"));

    let grant = "/admin/groups/Readers/grant";
    without_csrf(&store, &app, &manager, grant, &[("permission", "blog.view_post")]).await;
    assert!(!store.get_group("Readers").await.unwrap().has_permission(Post::VIEW_POST));

    let (refused, text, page) = act(&app, &manager, grant, &[("permission", "blog.view_post")]).await;
    assert!(!refused && text == "Granted Can view post (blog.view_post) to Readers", "{text}");
    assert!(page.html.contains("Can view post (blog.view_post)"), "labels for people");
    assert!(store.get_group("Readers").await.unwrap().has_permission(Post::VIEW_POST));

    // Refused by the rules: a permission the manager lacks; its own group. Nothing written.
    let before = audit_len(&store).await;
    let (refused, text, _) = act(&app, &manager, grant, &[("permission", "blog.publish_post")]).await;
    assert!(refused && text.contains("blog.publish_post"), "{text}");
    let (refused, text, _) =
        act(&app, &manager, "/admin/groups/Managers/grant", &[("permission", "auth.view_user")]).await;
    assert!(refused && text.to_lowercase().contains("own"), "{text}");
    let (refused, text, _) = act(&app, &manager, grant, &[("permission", "blog.nope")]).await;
    assert!(refused, "{text}");
    assert_eq!(audit_len(&store).await, before);
    assert!(!store.get_group("Readers").await.unwrap().has_permission(Post::PUBLISH_POST));
    assert!(!store.get_group("Managers").await.unwrap().has_permission(User::VIEW_USER));

    let revoke = "/admin/groups/Readers/revoke";
    without_csrf(&store, &app, &manager, revoke, &[("permission", "blog.view_post")]).await;
    let (refused, text, _) =
        act(&app, &manager, "/admin/groups/Publishers/revoke", &[("permission", "blog.publish_post")]).await;
    assert!(refused && text.contains("blog.publish_post"), "{text}");
    assert!(store.get_group("Publishers").await.unwrap().has_permission(Post::PUBLISH_POST));
    let (refused, text, _) = act(&app, &manager, revoke, &[("permission", "blog.view_post")]).await;
    assert!(!refused && text == "Revoked Can view post (blog.view_post) from Readers", "{text}");
    assert!(!store.get_group("Readers").await.unwrap().has_permission(Post::VIEW_POST));
}

async fn adding_and_removing_a_member(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    let add = "/admin/groups/Support/members/add";
    without_csrf(&store, &app, &manager, add, &[("username", "alice")]).await;
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::VIEW_POST));

    let (refused, text, page) = act(&app, &manager, add, &[("username", "alice")]).await;
    assert!(!refused && text == "Added alice to Support", "{text}");
    assert!(page.html.contains(">alice</a>") && page.html.contains("1 member"), "{}", page.html);
    assert!(store.get_user("alice").await.unwrap().has_perm(Post::VIEW_POST));

    // Refused by the rules: a group giving what the manager lacks, a superuser, oneself, nobody.
    let before = audit_len(&store).await;
    let (refused, text, _) = act(&app, &manager, "/admin/groups/Publishers/members/add", &[("username", "bob")]).await;
    assert!(refused && text.contains("blog.publish_post"), "{text}");
    let (refused, text, _) = act(&app, &manager, add, &[("username", "root")]).await;
    assert!(refused && text.contains("superuser"), "{text}");
    let (refused, text, _) = act(&app, &manager, add, &[("username", "manager")]).await;
    assert!(refused, "{text}");
    let (refused, text, _) = act(&app, &manager, add, &[("username", "nobody")]).await;
    assert!(refused && text.contains("nobody"), "{text}");
    assert_eq!(audit_len(&store).await, before);
    assert!(!store.get_user("bob").await.unwrap().has_perm(Post::PUBLISH_POST));
    assert_eq!(store.group_record("Support").await.unwrap().members, 1);

    let remove = "/admin/groups/Support/members/remove";
    without_csrf(&store, &app, &manager, remove, &[("username", "alice")]).await;
    store.add_to_group(SYSTEM, "carol", "Publishers").await.unwrap();
    let (refused, text, _) =
        act(&app, &manager, "/admin/groups/Publishers/members/remove", &[("username", "carol")]).await;
    assert!(refused && text.contains("blog.publish_post"), "{text}");
    assert!(store.get_user("carol").await.unwrap().has_perm(Post::PUBLISH_POST));
    let (refused, text, _) = act(&app, &manager, remove, &[("username", "alice")]).await;
    assert!(!refused && text == "Removed alice from Support", "{text}");
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::VIEW_POST));
    assert_eq!(store.group_record("Support").await.unwrap().members, 0);
}

async fn deleting_a_group_after_its_confirmation(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    store.create_group(SYSTEM, "Staff room").await.unwrap();
    store.grant_group(SYSTEM, "Staff room", [Post::VIEW_POST, User::VIEW_USER]).await.unwrap();
    for n in 0..22 {
        let name = format!("member{n:02}");
        store.create_user(SYSTEM, &name, "", None).await.unwrap();
        store.add_to_group(SYSTEM, &name, "Staff room").await.unwrap();
    }
    store.grant_user(SYSTEM, "member00", [User::VIEW_USER]).await.unwrap();
    store.add_to_group(SYSTEM, "member01", "Support").await.unwrap();

    let before = audit_len(&store).await;
    let confirm = get(&app, "/admin/groups/Staff%20room/delete", Some(&manager)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    let html = &confirm.html;
    assert!(html.contains("Can view post (blog.view_post)") && html.contains("Can view user (auth.view_user)"));
    let row =
        |name: &str| html.split(&format!("<td>{name}</td>")).nth(1).unwrap().split("</tr>").next().unwrap().to_owned();
    assert!(row("member00").contains("Can view post (blog.view_post)") && !row("member00").contains("auth.view_user"));
    assert!(row("member01").contains("Can view user (auth.view_user)") && !row("member01").contains("blog.view_post"));
    assert!(row("member02").contains("blog.view_post") && row("member02").contains("auth.view_user"));
    assert!(html.contains("and 2 more members"), "{html}");
    assert_eq!(audit_len(&store).await, before, "asking deletes nothing");

    let delete = "/admin/groups/Staff%20room/delete";
    without_csrf(&store, &app, &manager, delete, &[]).await;
    assert!(group_names(&store).await.contains(&"Staff room".to_owned()));

    // Refused by the rules: Publishers gives what the manager lacks. Nothing written.
    let (refused, text, _) = act(&app, &manager, "/admin/groups/Publishers/delete", &[]).await;
    assert!(refused && text.contains("blog.publish_post"), "{text}");
    assert_eq!(audit_len(&store).await, before);
    assert!(group_names(&store).await.contains(&"Publishers".to_owned()));

    let (refused, text, page) = act(&app, &manager, delete, &[]).await;
    assert!(!refused && text == "Deleted group Staff room", "{text}");
    assert!(page.html.contains("<h1>Groups</h1>") && !page.html.contains("Staff room</a>"));
    assert!(!store.get_user("member02").await.unwrap().has_perm(User::VIEW_USER));
    assert!(store.get_user("member00").await.unwrap().has_perm(User::VIEW_USER), "held directly");
    assert_eq!(get(&app, "/admin/groups/Staff%20room/delete", Some(&manager)).await.status, StatusCode::NOT_FOUND);
}

async fn members_are_searched_and_paged_by_key(store: TestStore) {
    let app = office(&store).await;
    let manager = login(&app, "manager").await;
    for n in 0..60 {
        let name = format!("agent{n:02}");
        store.create_user(SYSTEM, &name, &format!("{name}@support.example"), None).await.unwrap();
        store.add_to_group(SYSTEM, &name, "Support").await.unwrap();
    }
    let first = get(&app, "/admin/groups/Support", Some(&manager)).await;
    assert!(first.html.contains("60 members"));
    let rows = |page: &Page| page.html.matches("class=\"remove\"").count();
    assert_eq!(rows(&first), 50);
    let next = first.html.split("id=\"next\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(next.contains("after="), "a key, not an offset: {next}");
    let second = get(&app, &next, Some(&manager)).await;
    assert_eq!(rows(&second), 10);
    assert!(second.html.contains(">agent59</a>") && !second.html.contains(">agent00</a>"));
    assert!(second.html.contains("id=\"first\"") && !second.html.contains("id=\"next\""));

    let found = get(&app, "/admin/groups/Support?q=AGENT1", Some(&manager)).await;
    assert_eq!(rows(&found), 10, "agent10 to agent19");
    let none = get(&app, "/admin/groups/Support?q=alice", Some(&manager)).await;
    assert!(none.html.contains("No member matches"), "alice is not a member");
    let bad = get(&app, "/admin/groups/Support?after=x", Some(&manager)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn the_groups_list_shows_kept_member_counts(store: TestStore) {
    let app = office(&store).await;
    let viewer = login(&app, "viewer").await;
    for name in ["alice", "bob"] {
        store.add_to_group(SYSTEM, name, "Support").await.unwrap();
    }
    let list = get(&app, "/admin/groups", Some(&viewer)).await;
    let row = list.html.split("href=\"/admin/groups/Support\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("<td class=\"count\">2</td>") && row.contains("Can view post (blog.view_post)"), "{row}");
    assert!(!list.html.contains("id=\"group-name\""), "no create form without auth.add_group");
    let group = get(&app, "/admin/groups/Support", Some(&viewer)).await;
    assert!(group.html.contains("2 members"));
    for form in ["id=\"picker\"", "id=\"new-name\"", "id=\"member-username\"", "id=\"delete\"", "class=\"remove\""] {
        assert!(!group.html.contains(form), "{form} is not offered to a viewer");
    }
}

async fn a_staff_member_without_the_permission_is_refused_at_the_door(store: TestStore) {
    let app = office(&store).await;
    let viewer = login(&app, "viewer").await;
    let before = (audit_len(&store).await, group_names(&store).await);
    for (path, form) in [
        ("/admin/groups", vec![("name", "Mine")]),
        ("/admin/groups/Support/rename", vec![("name", "Mine")]),
        ("/admin/groups/Support/grant", vec![("permission", "auth.view_group")]),
        ("/admin/groups/Support/revoke", vec![("permission", "blog.view_post")]),
        ("/admin/groups/Support/members/add", vec![("username", "alice")]),
        ("/admin/groups/Support/members/remove", vec![("username", "alice")]),
        ("/admin/groups/Support/delete", vec![]),
    ] {
        let mut with_csrf = vec![("csrf", viewer.csrf.as_str())];
        with_csrf.extend(form);
        let page = post(&app, path, Some(&viewer), &with_csrf).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(get(&app, "/admin/groups/Support/delete", Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!((audit_len(&store).await, group_names(&store).await), before);
}
