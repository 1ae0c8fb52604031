//! The admin tried as an attacker would, on SQLite and on PostgreSQL: a login form posted from
//! another site, what a failed login and a refused page say about a target, the session cookie,
//! and a user's API tokens listed and revoked under the rule of taking control of an account.

mod support;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use permfw::http::{HttpOptions, INSECURE_SESSION_COOKIE, SESSION_COOKIE, admin, admin_router};
use permfw::store::{Actor, AuditQuery, Store};
use support::TestStore;
use tower::ServiceExt;

on_every_backend!(
    a_login_form_posted_from_another_site_is_refused,
    a_failed_login_page_says_the_same_whoever_the_user,
    a_page_refused_for_want_of_a_permission_says_nothing_of_the_target,
    the_session_cookie_is_secure_unless_development_says_otherwise,
    a_users_tokens_are_listed_and_revoked_behind_a_confirmation,
);

const SYSTEM: &Actor = &Actor::System;

/// root (superuser); grace (staff: `view_user`, `change_user`); viewer (staff: `view_user`);
/// bob (not staff); dana (staff, `delete_user`, which grace lacks); nopass (staff, no usable
/// password); gone (staff, inactive). Passwords are `{name}-password`.
async fn people(store: &Store) {
    store.create_superuser(SYSTEM, "root", "", "root-password").await.unwrap();
    for name in ["grace", "viewer", "bob", "dana", "gone"] {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
    }
    store.create_user(SYSTEM, "nopass", "", None).await.unwrap();
    for name in ["grace", "viewer", "dana", "nopass", "gone"] {
        store.set_staff(SYSTEM, name, true).await.unwrap();
    }
    store.grant_user(SYSTEM, "grace", ["auth.view_user", "auth.change_user"]).await.unwrap();
    store.grant_user(SYSTEM, "viewer", ["auth.view_user"]).await.unwrap();
    store.grant_user(SYSTEM, "dana", ["auth.view_user", "auth.delete_user"]).await.unwrap();
    store.set_active(SYSTEM, "gone", false).await.unwrap();
}

async fn app(store: &TestStore) -> Router {
    people(store).await;
    admin_router(store.store.clone())
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    html: String,
}

async fn send(app: &Router, request: Request<Body>) -> Page {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let html = String::from_utf8(to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec()).unwrap();
    Page { status, headers, html }
}

/// A form post with these extra headers and the session, if any.
async fn post(app: &Router, path: &str, session: Option<&str>, form: &str, extra: &[(&str, &str)]) -> Page {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(key) = session {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={key}"));
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    send(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

async fn get(app: &Router, path: &str, session: Option<&str>) -> Page {
    let mut request = Request::get(path);
    if let Some(key) = session {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={key}"));
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// Logs in as a browser on `http://admin.example` would; the session key and the CSRF token.
async fn login(app: &Router, username: &str) -> (String, String) {
    let form = format!("username={username}&password={username}-password");
    let page =
        post(app, "/admin/login", None, &form, &[("host", "admin.example"), ("origin", "http://admin.example")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let users = get(app, "/admin/users", Some(&key)).await;
    let csrf = users.html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (key, csrf)
}

async fn a_login_form_posted_from_another_site_is_refused(store: TestStore) {
    let app = app(&store).await;
    let form = "username=grace&password=grace-password";
    let here = ("host", "admin.example");
    let attacks: [&[(&str, &str)]; 6] = [
        &[here, ("origin", "https://evil.example")],
        &[here, ("origin", "null")],
        &[here, ("origin", "http://admin.example.evil.example")],
        &[here, ("referer", "https://evil.example/login.html")],
        &[here, ("sec-fetch-site", "cross-site")],
        &[here, ("sec-fetch-site", "same-site"), ("origin", "http://admin.example")],
    ];
    for headers in attacks {
        let page = post(&app, "/admin/login", None, form, headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{headers:?}: {}", page.html);
        assert!(page.headers.get(header::SET_COOKIE).is_none(), "{headers:?}: no session");
        assert!(page.html.contains("another site"), "{}", page.html);
    }
    // Refused before the attempt is counted: the six did not use up grace's five attempts.
    let ok: [&[(&str, &str)]; 4] = [
        &[here, ("origin", "http://admin.example"), ("sec-fetch-site", "same-origin")],
        &[here, ("referer", "http://admin.example/admin/login?next=/admin/users")],
        &[("x-forwarded-host", "admin.example"), ("host", "127.0.0.1:8000"), ("origin", "https://admin.example")],
        &[here],
    ];
    for headers in ok {
        let page = post(&app, "/admin/login", None, form, headers).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{headers:?}: {}", page.html);
        assert!(page.headers.get(header::SET_COOKIE).is_some(), "{headers:?}");
    }
}

async fn a_failed_login_page_says_the_same_whoever_the_user(store: TestStore) {
    let app = app(&store).await;
    let attempt = |username: &'static str, password: &'static str| {
        let app = app.clone();
        async move {
            let page = post(&app, "/admin/login", None, &format!("username={username}&password={password}"), &[]).await;
            (page.status, page.html)
        }
    };
    let wrong = attempt("grace", "wrong").await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("ghost", "wrong").await, wrong, "an unknown user");
    assert_eq!(attempt("nopass", "").await, wrong, "no usable password");
    assert_eq!(attempt("gone", "gone-password").await, wrong, "inactive, with the right password");
    assert_eq!(attempt("bob", "wrong").await, wrong, "not staff, with a wrong password");
    // Not staff, with the right password: in, to his own pages (the staff pages refuse him).
    assert_eq!(attempt("bob", "bob-password").await.0, StatusCode::SEE_OTHER);
}

async fn a_page_refused_for_want_of_a_permission_says_nothing_of_the_target(store: TestStore) {
    let app = app(&store).await;
    let (viewer, csrf) = login(&app, "viewer").await;
    let mut answers = Vec::new();
    for target in ["root", "bob", "ghost"] {
        let form = format!("csrf={csrf}&permission=auth.view_user");
        let grant = post(&app, &format!("/admin/users/{target}/grant"), Some(&viewer), &form, &[]).await;
        let revoke = post(&app, &format!("/admin/users/{target}/revoke"), Some(&viewer), &form, &[]).await;
        assert_eq!(grant.status, StatusCode::FORBIDDEN, "{target}: {}", grant.html);
        answers.push([(grant.status, grant.html), (revoke.status, revoke.html)]);
    }
    assert_eq!(answers[0], answers[1], "the superuser and a user look the same");
    assert_eq!(answers[1], answers[2], "a user and a missing one look the same");
}

async fn the_session_cookie_is_secure_unless_development_says_otherwise(store: TestStore) {
    let app = app(&store).await;
    let page = post(&app, "/admin/login", None, "username=grace&password=grace-password", &[]).await;
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-permfw_session="), "{cookie}");
    assert!(["; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"].iter().all(|a| cookie.contains(a)), "{cookie}");
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let unprefixed = Request::get("/admin/users")
        .header(header::COOKIE, format!("{INSECURE_SESSION_COOKIE}={key}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, unprefixed).await.status, StatusCode::SEE_OTHER, "to the login page");
    let (grace, csrf) = login(&app, "grace").await;
    let big = format!("csrf={csrf}&permission={}", "x".repeat(70 * 1024));
    let page = post(&app, "/admin/users/bob/grant", Some(&grace), &big, &[]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", page.html);
    let out = post(&app, "/admin/logout", Some(&grace), &format!("csrf={csrf}"), &[]).await;
    let cleared = out.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("__Host-permfw_session=;") && cleared.contains("Max-Age=0"), "{cleared}");

    let options = HttpOptions::new().insecure_cookies(true);
    let dev: Router = Router::new().nest("/admin", admin::router_with(store.store.clone(), &options));
    let page = post(&dev, "/admin/login", None, "username=grace&password=grace-password", &[]).await;
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("permfw_session=") && !cookie.contains("Secure"), "{cookie}");
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let request = Request::get("/admin/users").header(header::COOKIE, format!("permfw_session={key}"));
    assert_eq!(send(&dev, request.body(Body::empty()).unwrap()).await.status, StatusCode::OK);
}

async fn a_users_tokens_are_listed_and_revoked_behind_a_confirmation(store: TestStore) {
    let app = app(&store).await;
    let deploy = store.create_token(SYSTEM, "bob", "deploy", None).await.unwrap();
    let danas = store.create_token(SYSTEM, "dana", "ops", None).await.unwrap();
    let (grace, csrf) = login(&app, "grace").await;
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    assert!(page.html.contains("id=\"tokens\"") && page.html.contains("deploy"), "{}", page.html);
    let link = format!("/admin/users/bob/tokens/{}/revoke", deploy.id);
    assert!(page.html.contains(&format!("href=\"{link}\"")), "{}", page.html);
    // Not to a viewer without auth.change_user, nor to grace for dana, who holds more than she does.
    let (viewer, viewer_csrf) = login(&app, "viewer").await;
    let hidden = get(&app, "/admin/users/bob", Some(&viewer)).await;
    assert!(hidden.html.contains("id=\"tokens-hidden\"") && !hidden.html.contains("deploy"), "{}", hidden.html);
    let stronger = get(&app, "/admin/users/dana", Some(&grace)).await;
    assert!(stronger.html.contains("id=\"tokens-hidden\"") && !stronger.html.contains("ops"), "{}", stronger.html);

    let confirm = get(&app, &link, Some(&grace)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    assert!(confirm.html.contains(&format!("Revoke token #{}?", deploy.id)), "{}", confirm.html);
    assert!(confirm.html.contains(&format!("action=\"{link}\"")), "{}", confirm.html);
    assert!(store.token_user(&deploy.token).await.unwrap().is_some(), "asking changes nothing");
    let no_csrf = post(&app, &link, Some(&grace), "", &[]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let by_viewer = post(&app, &link, Some(&viewer), &format!("csrf={viewer_csrf}"), &[]).await;
    assert_eq!(by_viewer.status, StatusCode::FORBIDDEN, "{}", by_viewer.html);
    let danas_link = format!("/admin/users/dana/tokens/{}/revoke", danas.id);
    assert_eq!(post(&app, &danas_link, Some(&grace), &format!("csrf={csrf}"), &[]).await.status, StatusCode::FORBIDDEN);
    let elsewhere = format!("/admin/users/bob/tokens/{}/revoke", danas.id);
    assert_eq!(post(&app, &elsewhere, Some(&grace), &format!("csrf={csrf}"), &[]).await.status, StatusCode::NOT_FOUND);
    assert!(
        store.token_user(&deploy.token).await.unwrap().is_some()
            && store.token_user(&danas.token).await.unwrap().is_some()
    );

    let done = post(&app, &link, Some(&grace), &format!("csrf={csrf}"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.headers.get(header::LOCATION).unwrap(), "/admin/users/bob");
    let flash = done.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(flash.starts_with("__Host-permfw_flash=done.Revoked%20token%20%23"), "{flash}");
    assert!(store.token_user(&deploy.token).await.unwrap().is_none(), "revoked");
    let page = get(&app, "/admin/users/bob", Some(&grace)).await;
    assert!(!page.html.contains(&format!("href=\"{link}\"")), "no revoke link for a revoked token");
    let log = store.audit(AuditQuery::new().user("bob").action("revoke_token")).await.unwrap();
    assert_eq!((log[0].actor.as_str(), log[0].detail.clone()), ("grace", format!("token #{}", deploy.id)));
}
