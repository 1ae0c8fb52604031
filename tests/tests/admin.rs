//! The admin pages through the router: staff pages for staff only, each page and action with its
//! permission, CSRF on every form, the login page's `next`, security headers, and grant and
//! revoke through the forms with the store's rules as the staff member. (A user's own pages and
//! the approvals dashboard: `admin_requests.rs`.)

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use permfw::HasPerms;
use permfw::http::{SESSION_COOKIE, admin_router};
use permfw::store::{Actor, AuditQuery, RequestPolicy, Store};
use tower::ServiceExt;

async fn app() -> (Router, Store) {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let system = &Actor::System;
    store.create_superuser(system, "root", "", "root-password").await.unwrap();
    for name in ["grace", "bob", "viewer"] {
        store.create_user(system, name, &format!("{name}@example.com"), None).await.unwrap();
        store.set_password(system, name, &format!("{name}-password")).await.unwrap();
    }
    for name in ["grace", "viewer"] {
        store.set_staff(system, name, true).await.unwrap();
    }
    let perms = ["auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group"];
    store.grant_user(system, "grace", perms).await.unwrap();
    store.grant_user(system, "viewer", ["auth.view_user"]).await.unwrap();
    (admin_router(store.clone()), store)
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    html: String,
}

async fn get(app: &Router, path: &str, cookie: Option<&str>) -> Page {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={cookie}"));
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
    let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", v.replace('.', "%2E"))).collect();
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={cookie}"));
    }
    send(app, request.body(Body::from(body.join("&"))).unwrap()).await
}

async fn send(app: &Router, request: Request<Body>) -> Page {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let html = String::from_utf8(to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec()).unwrap();
    Page { status, headers, html }
}

/// Logs in through the form; returns the session key and the page's CSRF token.
async fn login(app: &Router, username: &str) -> (String, String) {
    login_at(app, "/admin", username).await
}

/// Logs in to the admin mounted at `base`.
async fn login_at(app: &Router, base: &str, username: &str) -> (String, String) {
    let password = format!("{username}-password");
    let next = format!("{base}/users");
    let form = [("username", username), ("password", password.as_str()), ("next", next.as_str())];
    let page = post(app, &format!("{base}/login"), None, &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let users = get(app, &next, Some(&key)).await;
    let csrf = users.html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (key, csrf)
}

#[tokio::test]
async fn anonymous_callers_go_to_the_login_page_with_next() {
    let (app, _) = app().await;
    for path in ["/admin/users", "/admin/users/bob", "/admin/groups", "/admin/audit", "/admin/users/rows?q=b"] {
        let page = get(&app, path, None).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let location = page.headers.get(header::LOCATION).unwrap().to_str().unwrap();
        assert!(location.starts_with("/admin/login?next=/admin/"), "{path}: {location}");
    }
    let page = post(&app, "/admin/users/bob/grant", None, &[("permission", "auth.view_user")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let login = get(&app, "/admin/login?next=/admin/audit", None).await;
    assert!(login.html.contains("name=\"next\" value=\"/admin/audit\""));
    let evil = get(&app, "/admin/login?next=https://evil.example/", None).await;
    assert!(evil.html.contains("value=\"/admin\""), "no open redirect: the admin's home");
    for (name, value) in [("x-frame-options", "DENY"), ("x-content-type-options", "nosniff")] {
        assert_eq!(login.headers.get(name).unwrap(), value);
    }
    assert!(login.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("default-src 'self'"));
}

#[tokio::test]
async fn only_active_staff_with_the_permission_get_the_staff_pages() {
    let (app, store) = app().await;
    let wrong = post(&app, "/admin/login", None, &[("username", "bob"), ("password", "wrong")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("correct username and password"), "{}", wrong.html);
    // bob is not staff: he logs in to his own pages, and the staff pages refuse him.
    let bob = post(&app, "/admin/login", None, &[("username", "bob"), ("password", "bob-password")]).await;
    assert_eq!(bob.status, StatusCode::SEE_OTHER, "{}", bob.html);
    assert_eq!(bob.headers.get(header::LOCATION).unwrap(), "/admin");
    let cookie = bob.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let bob = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let home = get(&app, "/admin", Some(&bob)).await;
    assert_eq!(home.headers.get(header::LOCATION).unwrap(), "/admin/requests");
    let users = get(&app, "/admin/users", Some(&bob)).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    assert!(users.html.contains("The admin is for active staff accounts."), "{}", users.html);
    let mine = get(&app, "/admin/requests", Some(&bob)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(!mine.html.contains("/admin/users\"") && mine.html.contains("/admin/approvals\""), "no staff links");
    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(get(&app, "/admin", Some(&viewer)).await.headers.get(header::LOCATION).unwrap(), "/admin/users");
    assert_eq!(get(&app, "/admin/users", Some(&viewer)).await.status, StatusCode::OK);
    let groups = get(&app, "/admin/groups", Some(&viewer)).await;
    assert_eq!(groups.status, StatusCode::FORBIDDEN, "viewer lacks auth.view_group");
    assert!(groups.html.contains("auth.view_group"));
    let (grace, _) = login(&app, "grace").await;
    store.create_group(&Actor::System, "Editors").await.unwrap();
    store.grant_group(&Actor::System, "Editors", ["auth.view_user"]).await.unwrap();
    store.add_to_group(&Actor::System, "bob", "Editors").await.unwrap();
    let groups = get(&app, "/admin/groups", Some(&grace)).await;
    assert!(groups.html.contains("href=\"/admin/groups/Editors\""));
    let group = get(&app, "/admin/groups/Editors", Some(&grace)).await;
    assert_eq!(group.status, StatusCode::OK);
    assert!(
        group.html.contains("<li>Can view user (auth.view_user)</li>") && group.html.contains(">bob</a>"),
        "{}",
        group.html
    );
    assert_eq!(get(&app, "/admin/groups/Nope", Some(&grace)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/admin/groups/Editors", Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    store.set_staff(&Actor::System, "viewer", false).await.unwrap();
    assert_eq!(get(&app, "/admin/users", Some(&viewer)).await.status, StatusCode::FORBIDDEN, "no longer staff");
}

#[tokio::test]
async fn users_search_and_pages() {
    let (app, store) = app().await;
    for i in 0..60 {
        store.create_user(&Actor::System, &format!("member{i:02}"), "", None).await.unwrap();
    }
    let (grace, _) = login(&app, "grace").await;
    let first = get(&app, "/admin/users", Some(&grace)).await;
    assert_eq!(first.html.matches("name=\"users\"").count(), 50);
    assert!(first.html.contains("id=\"next\""));
    let rows = get(&app, "/admin/users/rows?q=member0", Some(&grace)).await;
    assert_eq!(rows.html.matches("<tr>").count(), 10);
    let tricky = get(&app, "/admin/users/rows?q=%25%27%3C%3E", Some(&grace)).await;
    assert_eq!((tricky.status, tricky.html.matches("<tr>").count()), (StatusCode::OK, 0));
}

#[tokio::test]
async fn grant_and_revoke_through_the_forms_with_csrf_and_the_rules() {
    let (app, store) = app().await;
    let (grace, csrf) = login(&app, "grace").await;
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    assert!(page.html.contains("<datalist id=\"all-permissions\">") && page.html.contains("auth.view_user"));

    let no_csrf = post(&app, "/admin/users/bob/grant", Some(&grace), &[("permission", "auth.view_user")]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert!(!store.get_user("bob").await.unwrap().has_perm("auth.view_user"));

    let granted =
        post(&app, "/admin/users/bob/grant", Some(&grace), &[("csrf", &csrf), ("permission", "auth.view_user")]).await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER);
    assert!(store.get_user("bob").await.unwrap().has_perm("auth.view_user"));
    // The page it leads to says so once (the flash cookie), and clears the message.
    let flash = granted.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap();
    let request = Request::get(granted.headers.get(header::LOCATION).unwrap().to_str().unwrap())
        .header(header::COOKIE, format!("{SESSION_COOKIE}={grace}; {flash}"));
    let page = send(&app, request.body(Body::empty()).unwrap()).await;
    assert!(page.html.contains("<p class=\"message\" id=\"flash\" role=\"status\">Granted auth.view_user</p>"));
    let cleared = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("__Host-permfw_flash=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!get(&app, "/admin/users/bob", Some(&grace)).await.html.contains("id=\"flash\""));
    let refused =
        post(&app, "/admin/users/bob/grant", Some(&grace), &[("csrf", &csrf), ("permission", "auth.delete_user")])
            .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "grace may grant only what she holds");
    assert!(refused.html.contains("auth.delete_user"));

    let revoked =
        post(&app, "/admin/users/bob/revoke", Some(&grace), &[("csrf", &csrf), ("permission", "auth.view_user")]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert!(!store.get_user("bob").await.unwrap().has_perm("auth.view_user"));
    let log = store.audit(AuditQuery::new().user("bob")).await.unwrap();
    assert_eq!((log[0].action.as_str(), log[0].actor.as_str()), ("revoke_user", "grace"));
    let audit = get(&app, "/admin/audit", Some(&grace)).await;
    assert!(audit.html.contains("revoke_user") && audit.html.contains("grant_user"));

    let logout = post(&app, "/admin/logout", Some(&grace), &[("csrf", &csrf)]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/admin/users", Some(&grace)).await.status,
        StatusCode::SEE_OTHER,
        "a replayed session after logout"
    );
}

/// Every `href`, `src`, `action` and `data-rows` of a page.
fn links(html: &str) -> Vec<String> {
    ["href=\"", "src=\"", "action=\"", "data-rows=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1).map(|rest| rest.split('"').next().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn nested_under_a_prefix_both_tables_are_served_linked_and_documented_exactly() {
    use std::collections::BTreeSet;

    use axum::http::Method;
    use permfw::http::{Access, Route, admin, api, api_router};

    let (_, store) = app().await;
    // The walk's `{id}` is 1: bob's token, for the page that asks before revoking it, and bob's
    // access request, which grace (staff who views users) may see.
    assert_eq!(store.create_token(&Actor::System, "bob", "walk", None).await.unwrap().id, 1);
    store.create_group(&Actor::System, "Writers").await.unwrap();
    let policy = RequestPolicy::group("writing", "Writers").approved_by_holders_of("auth.change_user");
    store.create_policy(&Actor::System, &policy).await.unwrap();
    let request = store.request_access(&Actor::User("bob".into()), "writing", "to write", None).await.unwrap();
    assert_eq!(request.id, 1);
    let app: Router = Router::new()
        .nest("/internal", api_router::<()>(store.clone()).merge(permfw::http::admin_router(store.clone())));
    let fill = |path: &str| path.replace("{id}", "1").replace("{username}", "bob").replace("{name}", "Editors");
    let fill = |path: &str| fill(path).replace("{permission}", "auth.view_user");
    let request = |method: &Method, path: &str| Request::builder().method(method.clone()).uri(path);
    // Each table's routes are served there, and no other method on their paths.
    for (prefix, table) in [("/internal/api/v1", api::ROUTES), ("/internal/admin", admin::ROUTES)] {
        let served: BTreeSet<(String, &str)> = table.iter().map(|r| (r.method.to_string(), r.path)).collect();
        for route in table {
            // A router's `/` is served at its mount point itself.
            let path = format!("{prefix}{}", fill(route.path).trim_end_matches('/'));
            let body = if prefix.ends_with("v1") { "{}" } else { "" };
            let kind = if prefix.ends_with("v1") { "application/json" } else { "application/x-www-form-urlencoded" };
            let page =
                send(&app, request(&route.method, &path).header(header::CONTENT_TYPE, kind).body(body.into()).unwrap())
                    .await;
            let location = page.headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
            match (prefix.ends_with("v1"), route.access) {
                (true, Access::Public) => assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}"),
                (true, _) => assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{} {path}", route.method),
                (false, Access::Public) => assert!(
                    [StatusCode::OK, StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED].contains(&page.status),
                    "{} {path}: {}",
                    route.method,
                    page.status
                ),
                (false, _) => {
                    assert_eq!(page.status, StatusCode::SEE_OTHER, "{} {path}", route.method);
                    let location = location.clone().unwrap();
                    assert!(location.starts_with("/internal/admin/login"), "{path}: {location}");
                    if route.method == Method::GET {
                        assert!(location.contains("next=/internal/admin/"), "{path}: {location}");
                    }
                }
            }
            if let Some(location) = location {
                assert!(location.starts_with("/internal/admin/"), "{path}: {location}");
            }
            for method in [Method::GET, Method::POST, Method::PATCH, Method::DELETE, Method::PUT] {
                if !served.contains(&(method.to_string(), route.path)) {
                    let other = send(&app, request(&method, &path).body(Body::empty()).unwrap()).await;
                    assert_eq!(other.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                }
            }
        }
    }

    // The OpenAPI document lists exactly the API's table, under the prefix.
    let token = store.create_token(&Actor::System, "root", "walk", None).await.unwrap().token;
    let document = send(
        &app,
        Request::get("/internal/api/v1/openapi.json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let document: serde_json::Value = serde_json::from_str(&document.html).unwrap();
    assert_eq!(document["servers"][0]["url"], "/internal/api/v1");
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(|m| (m.to_uppercase(), path.clone())))
        .collect();
    let table: BTreeSet<(String, String)> =
        api::ROUTES.iter().map(|r: &Route| (r.method.to_string(), r.path.to_owned())).collect();
    assert_eq!(documented, table);

    // Logged in under the prefix, every page links, posts and redirects within it.
    let login = post(
        &app,
        "/internal/admin/login",
        None,
        &[("username", "grace"), ("password", "grace-password"), ("next", "/internal/admin/audit")],
    )
    .await;
    assert_eq!(login.headers.get(header::LOCATION).unwrap(), "/internal/admin/audit");
    let cookie = login.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let grace = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    store.create_group(&Actor::System, "Editors").await.unwrap();
    store.add_to_group(&Actor::System, "bob", "Editors").await.unwrap();
    // A group's deletion page needs `auth.delete_group`.
    store.grant_user(&Actor::System, "grace", ["auth.delete_group"]).await.unwrap();
    // Every link stays under the prefix, or on the page (the skip link).
    let within = |link: &String| link.starts_with("/internal/admin/") || link.starts_with('#');
    let mut csrf = String::new();
    for route in admin::ROUTES.iter().filter(|r| r.method == Method::GET && r.access != Access::Public) {
        let mut path = format!("/internal/admin{}", fill(route.path));
        if path.ends_with("/groups/remove") {
            path.push_str("?group=Editors"); // the confirmation names the group
        }
        let page = get(&app, &path, Some(&grace)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let found = links(&page.html);
        assert!(found.iter().all(within), "{path}: {found:?}");
        if let Some(token) = page.html.split("name=\"csrf\" value=\"").nth(1) {
            csrf = token.split('"').next().unwrap().to_owned();
        }
    }
    let granted = post(
        &app,
        "/internal/admin/users/bob/grant",
        Some(&grace),
        &[("csrf", &csrf), ("permission", "auth.view_user")],
    )
    .await;
    let location = granted.headers.get(header::LOCATION).unwrap().to_str().unwrap();
    assert_eq!(location, "/internal/admin/users/bob");
    let flash = granted.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(flash.starts_with("__Host-permfw_flash=done.Granted%20auth.view_user;"), "{flash}");
    let (viewer, _) = login_at(&app, "/internal/admin", "viewer").await;
    let refused = get(&app, "/internal/admin/groups", Some(&viewer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(links(&refused.html).iter().all(within), "{}", refused.html);
    let out = post(&app, "/internal/admin/logout", Some(&grace), &[("csrf", &csrf)]).await;
    assert_eq!(out.headers.get(header::LOCATION).unwrap(), "/internal/admin/login");
}
