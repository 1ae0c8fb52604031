//! The REST API tried as an attacker would, on SQLite and on PostgreSQL: a refused part of a
//! change that still writes, fifty guesses at once, what a caller without the permission learns
//! about a target, requests refused before they are read, cookies, and the lifetimes of tokens.

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Barrier};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use permfw::HasPerms;
use permfw::http::{CSRF_HEADER, HttpOptions, INSECURE_SESSION_COOKIE, SESSION_COOKIE, admin_router, api, api_router};
use permfw::store::{Actor, AuditQuery, Store};
use serde_json::{Value, json};
use support::TestStore;
use tower::ServiceExt;

on_every_backend!(
    a_refused_flag_of_a_patch_changes_nothing,
    fifty_concurrent_guesses_check_at_most_five_passwords,
    a_caller_without_the_permission_learns_nothing_of_the_target,
    a_failed_login_says_the_same_whoever_the_user,
    no_credentials_is_a_401_before_the_request_is_read,
    a_body_over_the_limit_is_a_413,
    session_cookies_are_secure_unless_development_says_otherwise,
    a_token_cannot_mint_a_token_that_outlives_it,
    tokens_are_listed_and_revoked_under_the_takeover_rule,
);

const SYSTEM: &Actor = &Actor::System;

/// root (superuser), grace (`view_user`, `change_user`, `view_group`), bob (nothing), dana
/// (`delete_user`, which grace lacks), nopass (no usable password) and gone (inactive); each
/// with the password `{name}-password` but nopass.
async fn people(store: &Store) {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    for name in ["grace", "bob", "dana", "gone"] {
        let password = format!("{name}-password");
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
    }
    store.create_user(SYSTEM, "nopass", "", None).await.unwrap();
    store.grant_user(SYSTEM, "grace", ["auth.view_user", "auth.change_user", "auth.view_group"]).await.unwrap();
    store.grant_user(SYSTEM, "dana", ["auth.delete_user"]).await.unwrap();
    store.set_active(SYSTEM, "gone", false).await.unwrap();
}

async fn app(store: &TestStore) -> Router {
    people(store).await;
    api_router(store.store.clone())
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

/// Sends `body` as JSON (or nothing) with an API token, if any.
async fn call(app: &Router, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    send(app, request.unwrap()).await
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply { status, headers, body }
}

async fn token(store: &Store, username: &str) -> String {
    store.create_token(SYSTEM, username, "test", None).await.unwrap().token
}

async fn a_refused_flag_of_a_patch_changes_nothing(store: TestStore) {
    let app = app(&store).await;
    let grace = token(&store, "grace").await;
    let before = store.audit(AuditQuery::new().user("bob")).await.unwrap().len();
    let both = json!({"is_staff": true, "is_superuser": true});
    let reply = call(&app, Method::PATCH, "/api/v1/users/bob", Some(&grace), Some(both)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.body["type"], "urn:permfw:problem:refused");
    let bob = store.get_user("bob").await.unwrap();
    assert!(!bob.is_staff() && !bob.is_superuser(), "a refused PATCH wrote a flag");
    assert_eq!(store.audit(AuditQuery::new().user("bob")).await.unwrap().len(), before, "nor an audit row");

    // Email is one more part, under the rule of taking control of an account.
    let change = json!({"is_staff": true, "email": "bob@new.example"});
    let reply = call(&app, Method::PATCH, "/api/v1/users/bob", Some(&grace), Some(change)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!((reply.body["is_staff"].as_bool(), reply.body["email"].as_str()), (Some(true), Some("bob@new.example")));
    let takeover = json!({"is_active": true, "email": "mine@evil.example"});
    let reply = call(&app, Method::PATCH, "/api/v1/users/dana", Some(&grace), Some(takeover)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body["detail"].as_str().unwrap().contains("auth.delete_user"), "{}", reply.body);
    assert_eq!(store.user_detail("dana").await.unwrap().email, "dana@example.com");
    let nothing = call(&app, Method::PATCH, "/api/v1/users/bob", Some(&grace), Some(json!({}))).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST, "{}", nothing.body);
    assert!(nothing.body["detail"].as_str().unwrap().contains("is_staff"), "{}", nothing.body);
}

/// One login over TCP, to the API or to the admin: the status.
fn log_in_over_http(agent: &ureq::Agent, base: &str, admin: bool, password: &str) -> u16 {
    let reply = if admin {
        agent
            .post(format!("{base}/admin/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send(format!("username=grace&password={password}"))
    } else {
        agent
            .post(format!("{base}/api/v1/session"))
            .header("content-type", "application/json")
            .send(json!({"username": "grace", "password": password}).to_string())
    };
    reply.unwrap().status().as_u16()
}

async fn fifty_concurrent_guesses_check_at_most_five_passwords(store: TestStore) {
    people(&store).await;
    // The API and the admin as two routers: they share the store's counters, not their own.
    let app: Router = api_router(store.store.clone()).merge(admin_router(store.store.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let barrier = Arc::new(Barrier::new(50));
    let guesses: Vec<_> = (0..50)
        .map(|i| {
            let (agent, base, barrier) = (agent.clone(), base.clone(), Arc::clone(&barrier));
            tokio::task::spawn_blocking(move || {
                barrier.wait();
                log_in_over_http(&agent, &base, i % 2 == 0, &format!("guess-{i}"))
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert!((1..=5).contains(&checked), "{checked} passwords checked of 50: {statuses:?}");
    assert_eq!(checked + throttled, 50, "{statuses:?}");
    let agent2 = agent.clone();
    let right = tokio::task::spawn_blocking(move || log_in_over_http(&agent2, &base, false, "grace-password"));
    assert_eq!(right.await.unwrap(), 429, "the right password is not checked while throttled");
}

async fn a_caller_without_the_permission_learns_nothing_of_the_target(store: TestStore) {
    let app = app(&store).await;
    let bob = token(&store, "bob").await;
    let roots_token = store.create_token(SYSTEM, "root", "root's", None).await.unwrap().id;
    let mut answers = Vec::new();
    for target in ["root", "grace", "ghost"] {
        let requests: [(Method, String, Option<Value>); 6] = [
            (Method::GET, format!("/api/v1/users/{target}"), None),
            (Method::PATCH, format!("/api/v1/users/{target}"), Some(json!({"is_staff": true}))),
            (Method::POST, format!("/api/v1/users/{target}/permissions"), Some(json!({"permissions": []}))),
            (Method::DELETE, format!("/api/v1/users/{target}/permissions"), Some(json!({"permissions": []}))),
            (Method::POST, "/api/v1/tokens".to_owned(), Some(json!({"name": "mine", "username": target}))),
            (Method::DELETE, format!("/api/v1/groups/Nope/members/{target}"), None),
        ];
        let mut replies = Vec::new();
        for (method, path, body) in requests {
            let reply = call(&app, method.clone(), &path, Some(&bob), body).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}: {}", reply.body);
            replies.push((reply.status, reply.body));
        }
        answers.push(replies);
    }
    assert_eq!(answers[0], answers[1], "the superuser and a user look the same");
    assert_eq!(answers[1], answers[2], "a user and a missing one look the same");
    let root_token = call(&app, Method::DELETE, &format!("/api/v1/tokens/{roots_token}"), Some(&bob), None).await;
    let missing = call(&app, Method::DELETE, "/api/v1/tokens/999999", Some(&bob), None).await;
    assert_eq!(root_token.status, StatusCode::FORBIDDEN, "{}", root_token.body);
    assert_eq!((root_token.status, root_token.body), (missing.status, missing.body));
}

/// Logs in to the API with this username and password: the status and body.
async fn api_login(app: &Router, username: &str, password: &str) -> (StatusCode, Value) {
    let reply =
        call(app, Method::POST, "/api/v1/session", None, Some(json!({"username": username, "password": password})))
            .await;
    (reply.status, reply.body)
}

async fn a_failed_login_says_the_same_whoever_the_user(store: TestStore) {
    let app = app(&store).await;
    let wrong = api_login(&app, "bob", "wrong-password").await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api_login(&app, "ghost", "wrong-password").await, wrong, "an unknown user");
    assert_eq!(api_login(&app, "nopass", "").await, wrong, "no usable password");
    assert_eq!(api_login(&app, "nopass", "!").await, wrong, "no usable password");
    assert_eq!(api_login(&app, "gone", "gone-password").await, wrong, "an inactive user, right password");
    assert_eq!(api_login(&app, &"x".repeat(10_000), "pw").await, wrong, "a long username is a username");
    assert_eq!(api_login(&app, "bob", "bob-password").await.0, StatusCode::OK);
}

async fn no_credentials_is_a_401_before_the_request_is_read(store: TestStore) {
    let app = app(&store).await;
    let raw = |method: Method, path: &str, content_type: Option<&str>, body: &str| {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(kind) = content_type {
            request = request.header(header::CONTENT_TYPE, kind);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    };
    let cases = [
        raw(Method::DELETE, "/api/v1/groups/Viewers", None, ""),
        raw(Method::DELETE, "/api/v1/session", None, ""),
        raw(Method::DELETE, "/api/v1/tokens/abc", None, ""),
        raw(Method::DELETE, "/api/v1/tokens/1", Some("application/json"), "{"),
        raw(Method::POST, "/api/v1/groups", Some("text/plain"), "not json"),
        raw(Method::POST, "/api/v1/groups", Some("application/json"), "{\"name\": 7}"),
        raw(Method::PATCH, "/api/v1/users/%FF%FE", Some("application/json"), "[]"),
        raw(Method::GET, "/api/v1/users?limit=abc&after=%FF", None, ""),
        raw(Method::POST, "/api/v1/users/bob/permissions", None, &"x".repeat(100_000)),
    ];
    for request in cases {
        let (method, path) = (request.method().clone(), request.uri().to_string());
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["type"], "urn:permfw:problem:not-authenticated", "{method} {path}");
    }
    // With credentials, the same requests are read, and refused for what they hold.
    let root = token(&store, "root").await;
    let bad_id = call(&app, Method::DELETE, "/api/v1/tokens/abc", Some(&root), None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST, "{}", bad_id.body);
    let not_json = send(
        &app,
        Request::post("/api/v1/groups")
            .header(header::AUTHORIZATION, format!("Bearer {root}"))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", not_json.body);
}

async fn a_body_over_the_limit_is_a_413(store: TestStore) {
    let app = app(&store).await;
    let root = token(&store, "root").await;
    let big = json!({"name": "x".repeat(65 * 1024)});
    let reply = call(&app, Method::POST, "/api/v1/groups", Some(&root), Some(big.clone())).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    assert_eq!(reply.body["type"], "urn:permfw:problem:too-large");
    assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");
    assert!(reply.body["detail"].as_str().unwrap().contains("65536"), "{}", reply.body);
    assert_eq!(call(&app, Method::POST, "/api/v1/groups", None, Some(big)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api_login(&app, &"x".repeat(100_000), "pw").await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let small = json!({"name": "x".repeat(60 * 1024)});
    let reply = call(&app, Method::POST, "/api/v1/groups", Some(&root), Some(small)).await;
    assert_ne!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "under the limit the body is read: {}", reply.body);
}

/// Logs in to the API: the `Set-Cookie` header and the `key|csrf` to send back.
async fn session(app: &Router, username: &str) -> (String, String, String) {
    let credentials = json!({"username": username, "password": format!("{username}-password")});
    let reply = call(app, Method::POST, "/api/v1/session", None, Some(credentials)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    (cookie, key, reply.body["csrf_token"].as_str().unwrap().to_owned())
}

/// `GET /api/v1/users` with this `Cookie` header.
async fn with_cookie(app: &Router, cookie: &str) -> StatusCode {
    let request = Request::get("/api/v1/users").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    send(app, request).await.status
}

async fn session_cookies_are_secure_unless_development_says_otherwise(store: TestStore) {
    let app = app(&store).await;
    let (cookie, key, csrf) = session(&app, "grace").await;
    assert!(cookie.starts_with(&format!("{SESSION_COOKIE}=")), "{cookie}");
    assert_eq!(SESSION_COOKIE, "__Host-permfw_session");
    for attribute in ["; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "a __Host- cookie has no Domain: {cookie}");
    assert_eq!(with_cookie(&app, &format!("{SESSION_COOKIE}={key}")).await, StatusCode::OK);
    // The unprefixed name, which a sibling site could set, is not read by a secure router.
    assert_eq!(with_cookie(&app, &format!("{INSECURE_SESSION_COOKIE}={key}")).await, StatusCode::UNAUTHORIZED);
    let document = call(&app, Method::GET, "/api/v1/openapi.json", Some(&token(&store, "grace").await), None).await;
    assert_eq!(document.body["components"]["securitySchemes"]["session"]["name"], SESSION_COOKIE);
    // Logging out ends the session and removes the cookie.
    let logout = send(
        &app,
        Request::delete("/api/v1/session")
            .header(header::COOKIE, format!("{SESSION_COOKIE}={key}"))
            .header(CSRF_HEADER, &csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let cleared = logout.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with(&format!("{SESSION_COOKIE}=;")) && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(with_cookie(&app, &format!("{SESSION_COOKIE}={key}")).await, StatusCode::UNAUTHORIZED);

    // Plain-http development is a setting: the cookie is not Secure, and has no prefix.
    let options = HttpOptions::new().insecure_cookies(true);
    assert_eq!(options.session_cookie(), INSECURE_SESSION_COOKIE);
    let dev: Router = Router::new().nest("/api/v1", api::router_with(store.store.clone(), &options));
    let (cookie, key, _) = session(&dev, "grace").await;
    assert!(cookie.starts_with("permfw_session=") && !cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"), "{cookie}");
    assert_eq!(with_cookie(&dev, &format!("{INSECURE_SESSION_COOKIE}={key}")).await, StatusCode::OK);
    assert_eq!(with_cookie(&app, &format!("{INSECURE_SESSION_COOKIE}={key}")).await, StatusCode::UNAUTHORIZED);
    // The body limit is a setting too.
    let tight: Router =
        Router::new().nest("/api/v1", api::router_with(store.store.clone(), &HttpOptions::new().body_limit(100)));
    let root = token(&store, "root").await;
    let reply = call(&tight, Method::POST, "/api/v1/groups", Some(&root), Some(json!({"name": "x".repeat(100)}))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    assert!(reply.body["detail"].as_str().unwrap().contains("100 bytes"), "{}", reply.body);
}

/// 2999-01-01T00:00:00Z, in microseconds since the Unix epoch.
const Y2999: i64 = 32_472_144_000 * 1_000_000;

async fn a_token_cannot_mint_a_token_that_outlives_it(store: TestStore) {
    let app = app(&store).await;
    let expiring = store.create_token(SYSTEM, "grace", "until 2999", Some(Y2999)).await.unwrap().token;
    let mint = |body: Value| call(&app, Method::POST, "/api/v1/tokens", Some(&expiring), Some(body));
    let child = mint(json!({"name": "child"})).await;
    assert_eq!(child.status, StatusCode::OK, "{}", child.body);
    assert_eq!(child.body["expires_at"], "2999-01-01T00:00:00Z", "left out: the calling token's own expiry");
    let grandchild = child.body["token"].as_str().unwrap();
    let later = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Some(grandchild),
        Some(json!({"name": "later", "expires_at": "2999-06-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(later.status, StatusCode::BAD_REQUEST, "{}", later.body);
    let detail = later.body["detail"].as_str().unwrap();
    assert!(detail.contains("expires_at") && detail.contains("2999-01-01T00:00:00Z"), "{detail}");
    let earlier = mint(json!({"name": "earlier", "expires_at": "2998-01-01T00:00:00+02:00"})).await;
    assert_eq!(earlier.status, StatusCode::OK, "{}", earlier.body);
    assert_eq!(earlier.body["expires_at"], "2997-12-31T22:00:00Z");
    for (bad, says) in [
        (json!(5), "expires_at"),
        (json!("tomorrow"), "RFC 3339"),
        (json!("2999-01-01"), "RFC 3339"),
        (json!("2000-01-01T00:00:00Z"), "passed"),
    ] {
        let reply = mint(json!({"name": "bad", "expires_at": bad})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}: {}", reply.body);
        assert!(reply.body["detail"].as_str().unwrap().contains(says), "{bad}: {}", reply.body);
    }
    // A token that never expires, or a session, mints what it is asked for.
    let forever = token(&store, "grace").await;
    let open = call(&app, Method::POST, "/api/v1/tokens", Some(&forever), Some(json!({"name": "open"}))).await;
    assert_eq!((open.status, &open.body["expires_at"]), (StatusCode::OK, &Value::Null), "{}", open.body);
    let (_, key, csrf) = session(&app, "grace").await;
    let request = Request::post("/api/v1/tokens")
        .header(header::COOKIE, format!("{SESSION_COOKIE}={key}"))
        .header(CSRF_HEADER, csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"name": "from a session", "expires_at": "2999-06-01T00:00:00Z"}).to_string()))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.body["expires_at"], "2999-06-01T00:00:00Z", "{}", reply.body);
}

async fn tokens_are_listed_and_revoked_under_the_takeover_rule(store: TestStore) {
    let app = app(&store).await;
    let (bob, grace) = (token(&store, "bob").await, token(&store, "grace").await);
    let own = call(&app, Method::GET, "/api/v1/users/bob/tokens", Some(&bob), None).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let listed = own.body.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    let keys: Vec<&str> = listed[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    for key in ["id", "name", "created_at", "last_used_at", "expires_at", "revoked_at"] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(listed[0]["last_used_at"].as_str().unwrap().ends_with('Z'), "the use that listed it: {}", own.body);
    let bobs_id = listed[0]["id"].as_i64().unwrap();

    // Another's tokens: auth.change_user, and the account holds nothing the caller lacks.
    let reply = call(&app, Method::GET, "/api/v1/users/bob/tokens", Some(&grace), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = call(&app, Method::GET, "/api/v1/users/dana/tokens", Some(&grace), None).await;
    assert_eq!(
        (reply.status, reply.body["type"].as_str()),
        (StatusCode::FORBIDDEN, Some("urn:permfw:problem:refused"))
    );
    assert!(reply.body["detail"].as_str().unwrap().contains("auth.delete_user"), "{}", reply.body);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users/root/tokens", Some(&grace), None).await.status,
        StatusCode::FORBIDDEN
    );
    let roots = store.create_token(SYSTEM, "root", "root's", None).await.unwrap().id;
    let reply = call(&app, Method::DELETE, &format!("/api/v1/tokens/{roots}"), Some(&grace), None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let missing = call(&app, Method::DELETE, "/api/v1/tokens/999999", Some(&grace), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert!(missing.body["detail"].as_str().unwrap().contains("no token #999999"), "{}", missing.body);

    let revoked = call(&app, Method::DELETE, &format!("/api/v1/tokens/{bobs_id}"), Some(&grace), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users/bob/tokens", Some(&bob), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let after = call(&app, Method::GET, "/api/v1/users/bob/tokens", Some(&grace), None).await;
    assert!(after.body[0]["revoked_at"].as_str().unwrap().ends_with('Z'), "{}", after.body);
    let log = store.audit(AuditQuery::new().user("bob").action("revoke_token")).await.unwrap();
    assert_eq!((log[0].actor.as_str(), log[0].detail.clone()), ("grace", format!("token #{bobs_id}")));
    // One's own, without auth.change_user.
    let second = store.create_token(SYSTEM, "bob", "second", None).await.unwrap();
    let reply = call(&app, Method::DELETE, &format!("/api/v1/tokens/{}", second.id), Some(&second.token), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);

    let document = call(&app, Method::GET, "/api/v1/openapi.json", Some(&grace), None).await;
    assert!(document.body["paths"]["/users/{username}/tokens"]["get"].is_object(), "{}", document.body["paths"]);
}
