//! The axum integration and the REST API, through the router: credentials (sessions, tokens),
//! the guard's 401 and 403, the store's rules as the caller, problem+json errors, and a walk of
//! every route proving that none serves a caller without credentials.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use permfw::http::{Access, CSRF_HEADER, SESSION_COOKIE, api, api_router};
use permfw::store::{Actor, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn app() -> (Router, Store) {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let system = &Actor::System;
    store.create_superuser(system, "root", "root@example.com", "root-password").await.unwrap();
    for name in ["grace", "bob"] {
        store.create_user(system, name, "", None).await.unwrap();
        store.set_password(system, name, &format!("{name}-password")).await.unwrap();
    }
    store.grant_user(system, "grace", ["auth.view_user", "auth.change_user", "auth.view_group"]).await.unwrap();
    store.create_group(system, "Viewers").await.unwrap();
    store.grant_group(system, "Viewers", ["auth.view_group"]).await.unwrap();
    store.add_to_group(system, "grace", "Viewers").await.unwrap();
    (api_router(store.clone()), store)
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn call(app: &Router, method: Method, path: &str, auth: Option<(&str, &str)>, body: Option<Value>) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some((kind, value)) = auth {
        request = match kind {
            "bearer" => request.header(header::AUTHORIZATION, format!("Bearer {value}")),
            // A session: the cookie, and the CSRF token when there is one (`key|csrf`).
            _ => match value.split_once('|') {
                Some((key, csrf)) => {
                    request.header(header::COOKIE, format!("{SESSION_COOKIE}={key}")).header(CSRF_HEADER, csrf)
                }
                None => request.header(header::COOKIE, format!("{SESSION_COOKIE}={value}")),
            },
        };
    }
    let request = match body {
        Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    let response = app.clone().oneshot(request.unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status, headers, body }
}

/// A route's path with its parameters filled in.
fn fill(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{username}", "bob")
        .replace("{name}", "Viewers")
        .replace("{permission}", "auth.view_user")
}

async fn login(app: &Router, username: &str, password: &str) -> String {
    let reply =
        call(app, Method::POST, "/api/v1/session", None, Some(json!({"username": username, "password": password})))
            .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-permfw_session="), "{cookie}");
    assert!(["HttpOnly", "SameSite=Strict", "Secure", "Path=/"].iter().all(|a| cookie.contains(a)), "{cookie}");
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    format!("{key}|{}", reply.body["csrf_token"].as_str().unwrap())
}

#[tokio::test]
async fn every_route_refuses_a_caller_without_credentials() {
    let (app, _) = app().await;
    let mut walked = 0;
    for route in api::ROUTES {
        let (method, path) = (route.method.clone(), format!("/api/v1{}", fill(route.path)));
        let reply = call(&app, method.clone(), &path, None, Some(json!({}))).await;
        if route.access == Access::Public {
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "logging in without a username: {}", reply.body);
            continue;
        }
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["type"], "urn:permfw:problem:not-authenticated", "{method} {path}");
        assert_eq!(reply.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
        walked += 1;
    }
    assert_eq!(walked, api::ROUTES.len() - 1);
    // The document lists exactly the routes walked.
    let document = api::openapi("/api/v1");
    let operations: usize =
        document["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
    assert_eq!(operations, api::ROUTES.len());
    // A made-up credential is refused, not taken for anonymous.
    let reply = call(&app, Method::GET, "/api/v1/users", Some(("bearer", "pfw_made_up")), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = call(&app, Method::GET, "/api/v1/users", Some(("cookie", "made-up")), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_log_in_and_out_and_a_replayed_session_is_refused() {
    let (app, _) = app().await;
    let wrong =
        call(&app, Method::POST, "/api/v1/session", None, Some(json!({"username": "root", "password": "nope"}))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let key = login(&app, "root", "root-password").await;
    let users = call(&app, Method::GET, "/api/v1/users", Some(("cookie", &key)), None).await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(users.body["users"].as_array().unwrap().len(), 3);
    assert_eq!(
        call(&app, Method::DELETE, "/api/v1/session", Some(("cookie", &key)), None).await.status,
        StatusCode::NO_CONTENT
    );
    let replay = call(&app, Method::GET, "/api/v1/users", Some(("cookie", &key)), None).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a session ended by logout is refused");
    assert_ne!(login(&app, "root", "root-password").await, key, "a new session id on each login");
}

#[tokio::test]
async fn a_session_must_send_its_csrf_token_to_change_anything() {
    let (app, _) = app().await;
    let session = login(&app, "root", "root-password").await;
    let (key, csrf) = session.split_once('|').unwrap();
    let body = Some(json!({"name": "Editors"}));
    let missing = call(&app, Method::POST, "/api/v1/groups", Some(("cookie", key)), body.clone()).await;
    assert_eq!(
        (missing.status, missing.body["type"].as_str()),
        (StatusCode::FORBIDDEN, Some("urn:permfw:problem:csrf"))
    );
    let wrong = call(
        &app,
        Method::POST,
        "/api/v1/groups",
        Some(("cookie", &format!("{key}|{}", "0".repeat(csrf.len())))),
        body.clone(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/groups", Some(("cookie", key)), None).await.status,
        StatusCode::OK,
        "reads need no token"
    );
    assert_eq!(
        call(&app, Method::POST, "/api/v1/groups", Some(("cookie", &session)), body).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn failed_logins_are_throttled_per_username_and_per_address() {
    use axum::extract::ConnectInfo;
    let (app, _) = app().await;
    let attempt = |username: &'static str, password: &'static str, addr: [u8; 4]| {
        let app = app.clone();
        async move {
            let mut request = Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"username": username, "password": password}).to_string()))
                .unwrap();
            request.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from((addr, 4000))));
            app.oneshot(request).await.unwrap().status()
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("bob", "wrong", [10, 0, 0, 1]).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt("bob", "bob-password", [10, 0, 0, 2]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the username is throttled"
    );
    assert_eq!(
        attempt("grace", "grace-password", [10, 0, 0, 1]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is throttled"
    );
    assert_eq!(attempt("grace", "grace-password", [10, 0, 0, 3]).await, StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_shown_once_and_revoked_ones_are_refused() {
    let (app, store) = app().await;
    let key = login(&app, "grace", "grace-password").await;
    let created =
        call(&app, Method::POST, "/api/v1/tokens", Some(("cookie", &key)), Some(json!({"name": "script"}))).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_owned();
    let users = call(&app, Method::GET, "/api/v1/users?limit=2", Some(("bearer", &token)), None).await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(users.body["users"].as_array().unwrap().len(), 2);
    assert_eq!(users.body["next"], "grace");
    let id = created.body["id"].as_i64().unwrap();
    let revoked = call(&app, Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(("bearer", &token)), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = call(&app, Method::GET, "/api/v1/users", Some(("bearer", &token)), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "a revoked token is refused");
    let expired = store.create_token(&Actor::System, "grace", "old", Some(1)).await.unwrap().token;
    let expired = call(&app, Method::GET, "/api/v1/users", Some(("bearer", &expired)), None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "an expired token is refused");
}

#[tokio::test]
async fn the_guard_answers_403_and_the_store_refuses_as_the_caller() {
    let (app, _) = app().await;
    let bob = login(&app, "bob", "bob-password").await;
    let denied = call(&app, Method::GET, "/api/v1/users", Some(("cookie", &bob)), None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.body["type"], "urn:permfw:problem:forbidden");
    assert!(denied.body["detail"].as_str().unwrap().contains("auth.view_user"), "{}", denied.body);
    assert_eq!(denied.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");

    let grace = login(&app, "grace", "grace-password").await;
    let path = "/api/v1/users/bob/permissions";
    let ok = call(&app, Method::POST, path, Some(("cookie", &grace)), Some(json!({"permissions": ["auth.view_user"]})))
        .await;
    assert_eq!((ok.status, ok.body["changed"].as_i64()), (StatusCode::OK, Some(1)));
    let refused =
        call(&app, Method::POST, path, Some(("cookie", &grace)), Some(json!({"permissions": ["auth.delete_user"]})))
            .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["type"], "urn:permfw:problem:refused");
    let escalate =
        call(&app, Method::PATCH, "/api/v1/users/bob", Some(("cookie", &grace)), Some(json!({"is_superuser": true})))
            .await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN, "{}", escalate.body);
    let own = call(
        &app,
        Method::POST,
        "/api/v1/users/grace/permissions",
        Some(("cookie", &grace)),
        Some(json!({"permissions": ["auth.view_user"]})),
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);

    let bob_now = call(&app, Method::GET, "/api/v1/users/bob", Some(("cookie", &grace)), None).await;
    assert_eq!(bob_now.body["permissions"], json!([{"permission": "auth.view_user", "direct": true, "groups": []}]));
    let grace_page = call(&app, Method::GET, "/api/v1/users/grace", Some(("cookie", &grace)), None).await;
    let view_group = grace_page.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permission"] == "auth.view_group")
        .unwrap()
        .clone();
    assert_eq!(view_group, json!({"permission": "auth.view_group", "direct": true, "groups": ["Viewers"]}));
}

#[tokio::test]
async fn groups_who_can_permissions_and_audit_through_the_api() {
    let (app, _) = app().await;
    let root = login(&app, "root", "root-password").await;
    let auth = Some(("cookie", root.as_str()));
    assert_eq!(
        call(&app, Method::POST, "/api/v1/groups", auth, Some(json!({"name": "Editors"}))).await.status,
        StatusCode::CREATED
    );
    let granted = call(
        &app,
        Method::POST,
        "/api/v1/groups/Editors/permissions",
        auth,
        Some(json!({"permissions": ["auth.view_user"]})),
    )
    .await;
    assert_eq!(granted.body["changed"], 1);
    assert_eq!(
        call(&app, Method::POST, "/api/v1/groups/Editors/members", auth, Some(json!({"username": "bob"}))).await.body["changed"],
        true
    );
    let who = call(&app, Method::GET, "/api/v1/who-can/auth.view_user", auth, None).await;
    let names: Vec<_> =
        who.body["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["root", "grace", "bob"]);
    let groups = call(&app, Method::GET, "/api/v1/groups", auth, None).await;
    assert_eq!(groups.body.as_array().unwrap().len(), 2);
    let perms = call(&app, Method::GET, "/api/v1/permissions", auth, None).await;
    assert!(
        perms.body.as_array().unwrap().iter().any(|p| p["permission"] == "auth.change_user" && p["status"] == "synced")
    );
    let audit = call(&app, Method::GET, "/api/v1/audit?user=bob&limit=1", auth, None).await;
    assert_eq!(audit.body["entries"][0]["action"], "add_member");
    assert_eq!(audit.body["entries"][0]["actor"], "root");
    assert_eq!(
        call(&app, Method::DELETE, "/api/v1/groups/Editors/members/bob", auth, None).await.body["changed"],
        true
    );
    let renamed =
        call(&app, Method::PATCH, "/api/v1/groups/Editors", auth, Some(json!({"name": "Senior Editors"}))).await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT);
    let bob = login(&app, "bob", "bob-password").await;
    let refused = call(
        &app,
        Method::PATCH,
        "/api/v1/groups/Senior%20Editors",
        Some(("cookie", bob.as_str())),
        Some(json!({"name": "Mine"})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&app, Method::DELETE, "/api/v1/groups/Senior%20Editors", auth, None).await.status,
        StatusCode::NO_CONTENT
    );
    let missing = call(&app, Method::GET, "/api/v1/users/ghost", auth, None).await;
    assert_eq!(
        (missing.status, missing.body["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("urn:permfw:problem:not-found"))
    );
    let malformed =
        call(&app, Method::POST, "/api/v1/users/bob/permissions", auth, Some(json!({"permissions": ["nodot"]}))).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let search = call(&app, Method::GET, "/api/v1/users?q=%25%27%3B%20DROP", auth, None).await;
    assert_eq!((search.status, search.body["users"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
}

#[tokio::test]
async fn a_layer_requires_permissions_for_a_whole_router() {
    use axum::middleware::from_fn_with_state;
    use permfw::http::require_permissions;

    const TOOLS: &[&str] = &["auth.view_user", "auth.view_group"];
    let (api, store) = app().await;
    let tools: Router = Router::new()
        .route("/tools/ping", axum::routing::get(|| async { "pong" }))
        .route("/tools/other", axum::routing::post(|| async { "done" }))
        .route_layer(from_fn_with_state((store.clone(), TOOLS), require_permissions));
    let app = api.merge(tools);
    assert_eq!(call(&app, Method::GET, "/tools/ping", None, None).await.status, StatusCode::UNAUTHORIZED);
    let bob = login(&app, "bob", "bob-password").await;
    let denied = call(&app, Method::GET, "/tools/ping", Some(("cookie", bob.as_str())), None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.body["detail"].as_str().unwrap().contains("auth.view_user"));
    let grace = login(&app, "grace", "grace-password").await;
    let ok = app
        .clone()
        .oneshot(
            Request::get("/tools/ping")
                .header(header::COOKIE, format!("{SESSION_COOKIE}={}", grace.split('|').next().unwrap()))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let _ = store;
}

#[tokio::test]
async fn a_value_that_does_not_parse_is_a_400_naming_its_field_after_the_caller_is_checked() {
    let (app, _) = app().await;
    let root = login(&app, "root", "root-password").await;
    let auth = Some(("cookie", root.as_str()));
    let cases: [(Method, &str, Option<Value>, &str); 8] = [
        (Method::GET, "/api/v1/users?limit=abc", None, "limit"),
        (Method::GET, "/api/v1/users?limit=-1", None, "limit"),
        (Method::GET, "/api/v1/who-can/auth.view_user?after=x", None, "after"),
        (Method::GET, "/api/v1/audit?before=soon", None, "before"),
        (Method::POST, "/api/v1/users/bob/permissions", Some(json!({"permissions": "auth.view_user"})), "permissions"),
        (Method::PATCH, "/api/v1/users/bob", Some(json!({"is_active": "yes"})), "is_active"),
        (Method::PATCH, "/api/v1/users/bob", Some(json!({"is_admin": true})), "is_admin"),
        (Method::POST, "/api/v1/groups", Some(json!({})), "name"),
    ];
    for (method, path, body, field) in cases {
        let reply = call(&app, method.clone(), path, auth, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["type"], "urn:permfw:problem:bad-request");
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains(field), "{method} {path}: the detail names `{field}`: {detail}");
        assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");
        // Without credentials the request is refused before anything of it is read.
        let anonymous = call(&app, method.clone(), path, None, body).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let bad_id = call(&app, Method::DELETE, "/api/v1/tokens/abc", auth, None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST, "{}", bad_id.body);
    assert!(bad_id.body["detail"].as_str().unwrap().contains("abc"), "{}", bad_id.body);
    let not_json = call(&app, Method::POST, "/api/v1/groups", auth, None).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", not_json.body);
    // A caller without the permission is refused before its query is read.
    let bob = login(&app, "bob", "bob-password").await;
    let denied = call(&app, Method::GET, "/api/v1/users?limit=abc", Some(("cookie", bob.as_str())), None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_route_needs_the_permission_its_table_names_and_no_other() {
    let (app, store) = app().await;
    let every: Vec<permfw::Permission> = api::ROUTES.iter().filter_map(|r| r.access.permission()).collect();
    for route in api::ROUTES {
        let Some(needed) = route.access.permission() else { continue };
        let path = format!("/api/v1{}", fill(route.path));
        // Holding only the route's permission gets past every check of permissions (the store's
        // rules, a missing body or a missing row may still say no).
        let holder = format!("holds_{}", needed.codename());
        store.create_user(&Actor::System, &holder, "", None).await.ok();
        store.grant_user(&Actor::System, &holder, [needed]).await.unwrap();
        let token = store.create_token(&Actor::System, &holder, "walk", None).await.unwrap().token;
        let reply = call(&app, route.method.clone(), &path, Some(("bearer", &token)), Some(json!({}))).await;
        assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "{} {path}: {}", route.method, reply.body);
        assert_ne!(reply.body["type"], "urn:permfw:problem:forbidden", "{} {path}: {}", route.method, reply.body);
        // Holding every other permission of the table is refused, naming the one missing.
        let lacking = format!("lacks_{}", needed.codename());
        store.create_user(&Actor::System, &lacking, "", None).await.ok();
        store.grant_user(&Actor::System, &lacking, every.iter().copied().filter(|p| *p != needed)).await.unwrap();
        let token = store.create_token(&Actor::System, &lacking, "walk", None).await.unwrap().token;
        let reply = call(&app, route.method.clone(), &path, Some(("bearer", &token)), Some(json!({}))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{} {path}: {}", route.method, reply.body);
        assert!(reply.body["detail"].as_str().unwrap().contains(needed.as_str()), "{}", reply.body);
    }
}
