//! The REST API under `/api/v1`, for internal tools: every change goes through the store's
//! delegation rules as the caller.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

use super::throttle::Throttle;
use super::user::{Login, log_in, session_key, with_session_cookie};
use super::view::UserDetail;
use super::{ApiError, CurrentUser, SESSION_COOKIE};
use crate::permission_required;
use crate::store::{Actor, AuditQuery, Store, UserPage, WithPerm};
use crate::{Group, HasPerms, Permission, User};

/// One route of the API, as [`ROUTES`] lists them and the OpenAPI document describes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiRoute {
    /// The HTTP method.
    pub method: &'static str,
    /// The path, with `{parameters}`.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The permission its guard requires, if any (all but logging in need a caller).
    pub permission: Option<&'static str>,
}

/// Every route of [`api_router`], for tools, for [`openapi`], and for the test that proves each
/// one refuses a caller without credentials (all but logging in).
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "POST",
        path: "/api/v1/session",
        summary: "Log in with a username and password: sets the session cookie, returns the CSRF token",
        permission: None,
    },
    ApiRoute { method: "DELETE", path: "/api/v1/session", summary: "Log out: ends the session", permission: None },
    ApiRoute {
        method: "POST",
        path: "/api/v1/tokens",
        summary: "Create an API token (shown once) for yourself, or for `username` under the rules",
        permission: None,
    },
    ApiRoute { method: "DELETE", path: "/api/v1/tokens/{id}", summary: "Revoke an API token", permission: None },
    ApiRoute {
        method: "GET",
        path: "/api/v1/users",
        summary: "List users by username: `q` searches usernames and emails, `after` and `limit` page",
        permission: Some("auth.view_user"),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/users",
        summary: "Create a user (`username`, `email`)",
        permission: Some("auth.add_user"),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/users/{username}",
        summary: "A user with each effective permission, direct or through which groups",
        permission: Some("auth.view_user"),
    },
    ApiRoute {
        method: "PATCH",
        path: "/api/v1/users/{username}",
        summary: "Change flags: `is_active`, `is_staff`, `is_superuser`",
        permission: Some("auth.change_user"),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/users/{username}/permissions",
        summary: "Grant `permissions` to the user",
        permission: Some("auth.change_user"),
    },
    ApiRoute {
        method: "DELETE",
        path: "/api/v1/users/{username}/permissions",
        summary: "Revoke `permissions` from the user",
        permission: Some("auth.change_user"),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/groups",
        summary: "List groups with member counts and permissions",
        permission: Some("auth.view_group"),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/groups",
        summary: "Create a group (`name`)",
        permission: Some("auth.add_group"),
    },
    ApiRoute {
        method: "DELETE",
        path: "/api/v1/groups/{name}",
        summary: "Delete a group",
        permission: Some("auth.delete_group"),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/groups/{name}/members",
        summary: "Put `username` in the group",
        permission: Some("auth.change_user"),
    },
    ApiRoute {
        method: "DELETE",
        path: "/api/v1/groups/{name}/members/{username}",
        summary: "Take a user out of the group",
        permission: Some("auth.change_user"),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/groups/{name}/permissions",
        summary: "Grant `permissions` to the group",
        permission: Some("auth.change_group"),
    },
    ApiRoute {
        method: "DELETE",
        path: "/api/v1/groups/{name}/permissions",
        summary: "Revoke `permissions` from the group",
        permission: Some("auth.change_group"),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/permissions",
        summary: "Every permission with its status: synced, missing or stale",
        permission: Some("auth.view_permission"),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/who-can/{permission}",
        summary: "Who holds a permission (Django's `with_perm`), paged by id",
        permission: Some("auth.view_user"),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/audit",
        summary: "The audit log, newest first: `user`, `before` and `limit`",
        permission: Some("auth.view_user"),
    },
    ApiRoute { method: "GET", path: "/api/v1/openapi.json", summary: "This API's OpenAPI document", permission: None },
];

/// The API's OpenAPI 3.1 document, generated from [`ROUTES`].
#[must_use]
pub fn openapi() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut responses = json!({
            "200": {"description": "Done"},
            "401": {"description": "No or bad credentials", "content": {"application/problem+json": {}}},
        });
        if route.permission.is_some() {
            responses["403"] = json!({
                "description": "Forbidden, or refused by the delegation rules",
                "content": {"application/problem+json": {}},
            });
        }
        let description = route.permission.map_or_else(String::new, |p| format!("Requires `{p}`."));
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method.to_lowercase()] = json!({
            "summary": route.summary,
            "description": description,
            "parameters": parameters,
            "responses": responses,
            "security": [{"bearer": []}, {"session": []}],
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "permfw API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        }},
    })
}

async fn openapi_document(user: CurrentUser) -> Result<Json<Value>, ApiError> {
    actor(&user)?;
    Ok(Json(openapi()))
}

/// The REST API, with the store as its state; merge it into an application's router.
pub fn api_router<S>(store: Store) -> Router<S> {
    let throttle = Arc::new(Throttle::new());
    Router::new()
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/tokens", post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{username}", get(show_user).patch(change_user))
        .route("/api/v1/users/{username}/permissions", post(grant_user).delete(revoke_user))
        .route("/api/v1/groups", get(list_groups).post(create_group))
        .route("/api/v1/groups/{name}", delete(delete_group).patch(rename_group))
        .route("/api/v1/groups/{name}/members", post(add_member))
        .route("/api/v1/groups/{name}/members/{username}", delete(remove_member))
        .route("/api/v1/groups/{name}/permissions", post(grant_group).delete(revoke_group))
        .route("/api/v1/permissions", get(permissions))
        .route("/api/v1/who-can/{permission}", get(who_can))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/openapi.json", get(openapi_document))
        .layer(Extension(throttle))
        .with_state(store)
}

/// The acting user of a change; anonymous callers never get this far (the guards refuse them).
fn actor(user: &CurrentUser) -> Result<Actor, ApiError> {
    user.user().map(Actor::user).ok_or_else(|| ApiError::unauthorized("log in, or send an API token"))
}

fn string(body: &Value, key: &str) -> Result<String, ApiError> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request(format!("the body needs a string `{key}`")))
}

fn strings(body: &Value, key: &str) -> Result<Vec<String>, ApiError> {
    let list = body.get(key).and_then(Value::as_array);
    let list = list.ok_or_else(|| ApiError::bad_request(format!("the body needs a list of strings `{key}`")))?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::bad_request(format!("`{key}` holds strings"))))
        .collect()
}

async fn login(
    State(store): State<Store>,
    Extension(throttle): Extension<Arc<Throttle>>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let (username, password) = (string(&body, "username")?, string(&body, "password")?);
    let client = client.map(|Extension(ConnectInfo(addr))| addr);
    match log_in(&store, &throttle, (&username, &password), client, |_| true).await? {
        Login::Started(user, session) => {
            let body = Json(json!({"username": user.username(), "csrf_token": session.csrf_token}));
            Ok(with_session_cookie(body.into_response(), &session.key))
        }
        Login::Refused => Err(ApiError::unauthorized("wrong username or password, or an inactive account")),
        Login::Throttled => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "too many failed logins for this username or address; wait 15 minutes",
        )),
    }
}

async fn logout(user: CurrentUser, State(store): State<Store>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    if user.user().is_none() {
        return Err(ApiError::unauthorized("not logged in"));
    }
    if let Some(key) = session_key(&headers) {
        store.end_session(key).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn create_token(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(&user)?;
    let name = string(&body, "name")?;
    let owner = body.get("username").and_then(Value::as_str).map_or_else(|| actor_name(&user), str::to_owned);
    let expires_at = body.get("expires_at").and_then(Value::as_i64);
    let crate::store::NewToken { id, token, .. } = store.create_token(&actor, &owner, &name, expires_at).await?;
    Ok(Json(json!({"id": id, "token": token, "username": owner, "note": "shown once: store it now"})))
}

fn actor_name(user: &CurrentUser) -> String {
    user.user().map(|u| u.username().to_owned()).unwrap_or_default()
}

async fn revoke_token(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    store.revoke_token(&actor(&user)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[permission_required(User::VIEW_USER)]
async fn list_users(
    user: CurrentUser,
    State(store): State<Store>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
    let mut page = UserPage::first().limit(limit);
    if let Some(q) = query.get("q") {
        page = page.search(q.as_str());
    }
    if let Some(after) = query.get("after") {
        page = page.after(after.as_str());
    }
    let users = store.list_users(page).await?;
    let next =
        (users.len() == usize::try_from(limit).unwrap_or(usize::MAX)).then(|| users.last().map(|u| u.username.clone()));
    let users: Vec<Value> = users
        .iter()
        .map(|u| json!({"id": u.id, "username": u.username, "email": u.email, "is_active": u.is_active, "is_staff": u.is_staff, "is_superuser": u.is_superuser}))
        .collect();
    Ok(Json(json!({"users": users, "next": next.flatten()})))
}

#[permission_required(User::VIEW_USER)]
async fn show_user(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(UserDetail::load(&store, &username).await?)))
}

#[permission_required(User::ADD_USER)]
async fn create_user(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let username = string(&body, "username")?;
    let email = body.get("email").and_then(Value::as_str).unwrap_or_default().to_owned();
    store.create_user(&actor(&user)?, &username, &email, None).await?;
    Ok((StatusCode::CREATED, Json(json!(UserDetail::load(&store, &username).await?))))
}

#[permission_required(User::CHANGE_USER)]
async fn change_user(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(&user)?;
    if let Some(active) = body.get("is_active").and_then(Value::as_bool) {
        store.set_active(&actor, &username, active).await?;
    }
    if let Some(staff) = body.get("is_staff").and_then(Value::as_bool) {
        store.set_staff(&actor, &username, staff).await?;
    }
    if let Some(superuser) = body.get("is_superuser").and_then(Value::as_bool) {
        store.set_superuser(&actor, &username, superuser).await?;
    }
    Ok(Json(json!(UserDetail::load(&store, &username).await?)))
}

#[permission_required(User::CHANGE_USER)]
async fn grant_user(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.grant_user(&actor(&user)?, &username, strings(&body, "permissions")?).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(User::CHANGE_USER)]
async fn revoke_user(
    user: CurrentUser,
    State(store): State<Store>,
    Path(username): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.revoke_user(&actor(&user)?, &username, strings(&body, "permissions")?).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(Group::VIEW_GROUP)]
async fn list_groups(user: CurrentUser, State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let groups: Vec<Value> = store
        .list_groups()
        .await?
        .iter()
        .map(|g| json!({"name": g.name, "members": g.members, "permissions": g.permissions}))
        .collect();
    Ok(Json(json!(groups)))
}

#[permission_required(Group::ADD_GROUP)]
async fn create_group(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<Value>,
) -> Result<StatusCode, ApiError> {
    store.create_group(&actor(&user)?, &string(&body, "name")?).await?;
    Ok(StatusCode::CREATED)
}

#[permission_required(Group::CHANGE_GROUP)]
async fn rename_group(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<StatusCode, ApiError> {
    store.rename_group(&actor(&user)?, &name, &string(&body, "name")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[permission_required(Group::DELETE_GROUP)]
async fn delete_group(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    store.delete_group(&actor(&user)?, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[permission_required(User::CHANGE_USER)]
async fn add_member(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.add_to_group(&actor(&user)?, &string(&body, "username")?, &name).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(User::CHANGE_USER)]
async fn remove_member(
    user: CurrentUser,
    State(store): State<Store>,
    Path((name, username)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.remove_from_group(&actor(&user)?, &username, &name).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(Group::CHANGE_GROUP)]
async fn grant_group(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.grant_group(&actor(&user)?, &name, strings(&body, "permissions")?).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(Group::CHANGE_GROUP)]
async fn revoke_group(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let changed = store.revoke_group(&actor(&user)?, &name, strings(&body, "permissions")?).await?;
    Ok(Json(json!({"changed": changed})))
}

#[permission_required(Permission::VIEW_PERMISSION)]
async fn permissions(user: CurrentUser, State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let list: Vec<Value> = store
        .permission_statuses()
        .await?
        .into_iter()
        .map(
            |p| json!({"permission": p.permission, "name": p.name, "status": format!("{:?}", p.status).to_lowercase()}),
        )
        .collect();
    Ok(Json(json!(list)))
}

#[permission_required(User::VIEW_USER)]
async fn who_can(
    user: CurrentUser,
    State(store): State<Store>,
    Path(permission): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let mut options = WithPerm::default();
    if let Some(after) = query.get("after").and_then(|a| a.parse().ok()) {
        options = options.after_id(after);
    }
    if let Some(limit) = query.get("limit").and_then(|l| l.parse().ok()) {
        options = options.limit(limit);
    }
    let users = store.users_with_perm(permission.as_str(), options).await?;
    let list: Vec<Value> = users.iter().map(|u| json!({"id": u.id, "username": u.username})).collect();
    Ok(Json(json!({"users": list, "next": users.last().map(|u| u.id)})))
}

#[permission_required(User::VIEW_USER)]
async fn audit(
    user: CurrentUser,
    State(store): State<Store>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let mut filter = AuditQuery::new().limit(query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(100));
    if let Some(username) = query.get("user") {
        filter = filter.user(username.as_str());
    }
    if let Some(before) = query.get("before").and_then(|b| b.parse().ok()) {
        filter = filter.before_id(before);
    }
    let entries = store.audit(filter).await?;
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "user": e.target_user,
                        "group": e.target_group, "permission": e.permission, "detail": e.detail})
        })
        .collect();
    Ok(Json(json!({"entries": list, "next": entries.last().map(|e| e.id)})))
}

/// Middleware that requires every permission of a list on each route of a router (a guard for a
/// whole router): 401 without credentials, 403 without a permission.
///
/// ```no_run
/// # async fn example(store: permfw::store::Store) {
/// use axum::middleware::from_fn_with_state;
/// use permfw::http::require_permissions;
///
/// const STAFF_TOOLS: &[&str] = &["auth.view_user", "auth.view_group"];
/// let tools: axum::Router = axum::Router::new()
///     .route("/tools/ping", axum::routing::get(|| async { "pong" }))
///     .route_layer(from_fn_with_state((store, STAFF_TOOLS), require_permissions));
/// # }
/// ```
///
/// # Errors
///
/// The refusal, as [`ApiError`].
pub async fn require_permissions(
    State((store, perms)): State<(Store, &'static [&'static str])>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let user = <CurrentUser as axum::extract::FromRequestParts<Store>>::from_request_parts(&mut parts, &store).await?;
    if !user.has_perms(perms.iter().copied()) {
        let missing: Vec<&'static str> = perms.iter().copied().filter(|p| !user.has_perm(*p)).collect();
        let denied = if user.is_authenticated() {
            crate::PermissionDenied::forbidden(missing)
        } else {
            crate::PermissionDenied::not_authenticated(missing)
        };
        return Err(denied.into());
    }
    Ok(next.run(axum::extract::Request::from_parts(parts, body)).await)
}
