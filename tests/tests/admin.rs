//! The admin pages through the router: staff only, each page and action with its permission,
//! CSRF on every form, the login page's `next`, security headers, and grant and revoke through
//! the forms with the store's rules as the staff member.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use permfw::HasPerms;
use permfw::http::admin_router;
use permfw::store::{Actor, AuditQuery, Store};
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
    store.grant_user(system, "grace", ["auth.view_user", "auth.change_user", "auth.view_group"]).await.unwrap();
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
        request = request.header(header::COOKIE, format!("permfw_session={cookie}"));
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
    let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", v.replace('.', "%2E"))).collect();
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("permfw_session={cookie}"));
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
    let password = format!("{username}-password");
    let page =
        post(app, "/admin/login", None, &[("username", username), ("password", &password), ("next", "/admin/users")])
            .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let users = get(app, "/admin/users", Some(&key)).await;
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
    assert!(evil.html.contains("value=\"/admin/users\""), "no open redirect");
    for (name, value) in [("x-frame-options", "DENY"), ("x-content-type-options", "nosniff")] {
        assert_eq!(login.headers.get(name).unwrap(), value);
    }
    assert!(login.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("default-src 'self'"));
}

#[tokio::test]
async fn only_active_staff_with_the_permission_get_in() {
    let (app, store) = app().await;
    let refused = post(&app, "/admin/login", None, &[("username", "bob"), ("password", "bob-password")]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "bob is not staff");
    assert!(refused.html.contains("staff account"));
    let (viewer, _) = login(&app, "viewer").await;
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
    assert!(group.html.contains("<li>auth.view_user</li>") && group.html.contains(">bob</a>"), "{}", group.html);
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
    assert_eq!(first.html.matches("<tr><td><a").count(), 50);
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
