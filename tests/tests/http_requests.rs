//! The promotion workflow through the REST API, on SQLite and on PostgreSQL: a policy set by the
//! superuser, a Writer's request, what each caller may see, an Editor's approval, and the rules'
//! refusals as problem+json.

mod support;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use permfw::store::{Actor, Store};
use permfw::{HasPerms, Model};
use serde_json::{Value, json};
use support::TestStore;
use tower::ServiceExt;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(the_promotion_through_the_api, bad_requests_are_400s_that_name_the_field);

const SYSTEM: &Actor = &Actor::System;

/// Writers (alice, bob), Editors (grace), Senior Writers; a token for each and for root.
async fn newsroom(store: &Store) -> [String; 4] {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    for (group, perms) in [
        ("Writers", vec![Post::CHANGE_POST]),
        ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
    ] {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, perms).await.unwrap();
    }
    for (name, group) in [("alice", "Writers"), ("bob", "Writers"), ("grace", "Editors")] {
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), None).await.unwrap();
        store.add_to_group(SYSTEM, name, group).await.unwrap();
    }
    let mut tokens = Vec::new();
    for name in ["root", "alice", "bob", "grace"] {
        tokens.push(store.create_token(SYSTEM, name, "test", None).await.unwrap().token);
    }
    tokens.try_into().unwrap()
}

async fn call(app: &Router, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn the_promotion_through_the_api(store: TestStore) {
    let [root, alice, bob, grace] = newsroom(&store).await;
    let app = permfw::http::api_router(store.store.clone());
    let policy = json!({"name": "promotion", "group": "Senior Writers", "requested_by_group": "Writers",
        "approved_by_group": "Editors"});
    let (status, body) = call(&app, Method::POST, "/api/v1/request-policies", &grace, Some(policy.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only a superuser sets policies: {body}");
    let (status, _) = call(&app, Method::POST, "/api/v1/request-policies", &root, Some(policy)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, policies) = call(&app, Method::GET, "/api/v1/request-policies", &alice, None).await;
    assert_eq!(policies[0]["target_group"], "Senior Writers");

    let ask = json!({"policy": "promotion", "justification": "I have written 40 posts"});
    let (status, request) = call(&app, Method::POST, "/api/v1/access-requests", &alice, Some(ask.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    assert_eq!((request["status"].as_str(), request["requester"].as_str()), (Some("open"), Some("alice")));
    let id = request["id"].as_i64().unwrap();
    let (status, again) = call(&app, Method::POST, "/api/v1/access-requests", &alice, Some(ask)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    // Who sees it: alice (hers), grace (an approver), root; not bob.
    for (token, sees) in [(&alice, true), (&grace, true), (&root, true), (&bob, false)] {
        let (_, list) = call(&app, Method::GET, "/api/v1/access-requests?status=open", token, None).await;
        assert_eq!(list["requests"].as_array().unwrap().len(), usize::from(sees), "{list}");
        let (status, _) = call(&app, Method::GET, &format!("/api/v1/access-requests/{id}"), token, None).await;
        assert_eq!(status, if sees { StatusCode::OK } else { StatusCode::NOT_FOUND });
    }
    // The rules, as problem+json.
    let path = format!("/api/v1/access-requests/{id}/approve");
    let (status, refused) = call(&app, Method::POST, &path, &bob, Some(json!({"comment": "sure"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused["detail"].as_str().unwrap().contains("not an approver"), "{refused}");
    let (status, refused) = call(&app, Method::POST, &path, &alice, Some(json!({"comment": "me"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused["detail"].as_str().unwrap().contains("own request"), "{refused}");

    let (status, approved) = call(&app, Method::POST, &path, &grace, Some(json!({"comment": "well deserved"}))).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decisions"][0]["approver"], "grace");
    assert!(store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST));
    let (status, closed) = call(&app, Method::POST, &path, &grace, Some(json!({"comment": "again"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{closed}");
}

async fn bad_requests_are_400s_that_name_the_field(store: TestStore) {
    let [root, alice, ..] = newsroom(&store).await;
    let app = permfw::http::api_router(store.store.clone());
    let policy = json!({"name": "on-call", "permissions": ["blog.publish_post"],
        "approved_by_permission": "blog.publish_post", "max_duration": "4h"});
    assert_eq!(call(&app, Method::POST, "/api/v1/request-policies", &root, Some(policy)).await.0, StatusCode::CREATED);
    let bad = json!({"name": "x", "group": "Editors", "approved_by_group": "Editors", "max_duration": "soon"});
    let (status, body) = call(&app, Method::POST, "/api/v1/request-policies", &root, Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().starts_with("max_duration"), "{body}");

    for (duration, why) in [("four hours", "duration:"), ("5h", "longest")] {
        let ask = json!({"policy": "on-call", "justification": "incident", "duration": duration});
        let (status, body) = call(&app, Method::POST, "/api/v1/access-requests", &alice, Some(ask)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(why), "{body}");
    }
    let ask = json!({"policy": "on-call", "justification": "", "duration": "1h"});
    assert_eq!(call(&app, Method::POST, "/api/v1/access-requests", &alice, Some(ask)).await.0, StatusCode::BAD_REQUEST);
    let ask = json!({"policy": "nope", "justification": "why", "duration": "1h"});
    assert_eq!(call(&app, Method::POST, "/api/v1/access-requests", &alice, Some(ask)).await.0, StatusCode::NOT_FOUND);
    let (status, body) = call(&app, Method::GET, "/api/v1/access-requests?status=maybe", &alice, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("status"), "{body}");
}
