//! The REST API for internal tools: every change goes through the store's delegation rules as
//! the caller. Its routes are one table, [`ROUTES`], from which [`router`] and [`openapi`] are
//! both built; paths are relative, so the API mounts wherever the application nests it:
//!
//! ```no_run
//! # async fn example(store: permfw::store::Store) {
//! // GET /internal/users, /internal/openapi.json, ...
//! let app: axum::Router = axum::Router::new().nest("/internal", permfw::http::api::router(store));
//! # }
//! ```
//!
//! [`api_router`](super::api_router) mounts it at `/api/v1`. Bodies and query strings are typed:
//! a value that does not parse is a 400 problem+json whose `detail` names the field, and a
//! caller without credentials is refused with 401 before its body or query is read.

mod audit;
mod groups;
mod openapi;
mod perms;
mod requests;
mod session;
mod tokens;
mod users;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::on;
use serde::Serialize;

pub use self::openapi::openapi;
use super::{Access, ApiError, CurrentUser, HttpOptions, Route};
use crate::store::{Actor, Store};
use crate::{Group, HasPerms, Permission, User};

/// Every route of the API, for [`router`], for [`openapi`], and for the tests that walk each
/// one. Paths are relative to where the API is mounted.
pub const ROUTES: &[Route] = &[
    Route::new(
        Method::POST,
        "/session",
        Access::Public,
        "Log in with a username and password: sets the session cookie, returns the CSRF token",
        |m| on(m, session::login),
    ),
    Route::new(Method::DELETE, "/session", Access::LoggedIn, "Log out: ends the session", |m| on(m, session::logout)),
    Route::new(
        Method::POST,
        "/tokens",
        Access::LoggedIn,
        "Create an API token (shown once) for yourself, or for `username` with `auth.change_user` under the \
         takeover rule; `expires_at` (RFC 3339) no later than the calling token's own, which it defaults to",
        |m| on(m, tokens::create),
    ),
    Route::new(
        Method::DELETE,
        "/tokens/{id}",
        Access::LoggedIn,
        "Revoke an API token: yours, or another's with `auth.change_user` under the rules",
        |m| on(m, tokens::revoke),
    ),
    Route::new(
        Method::GET,
        "/users",
        Access::Requires(User::VIEW_USER),
        "List users by username: `q` searches usernames and emails, `after` and `limit` page",
        |m| on(m, users::list),
    ),
    Route::new(Method::POST, "/users", Access::Requires(User::ADD_USER), "Create a user (`username`, `email`)", |m| {
        on(m, users::create)
    }),
    Route::new(
        Method::GET,
        "/users/{username}",
        Access::Requires(User::VIEW_USER),
        "A user with each effective permission, direct or through which groups",
        |m| on(m, users::show),
    ),
    Route::new(
        Method::PATCH,
        "/users/{username}",
        Access::Requires(User::CHANGE_USER),
        "Change `email`, `is_active`, `is_staff`, `is_superuser` in one transaction: a refused part changes nothing",
        |m| on(m, users::change),
    ),
    Route::new(
        Method::GET,
        "/users/{username}/tokens",
        Access::LoggedIn,
        "A user's API tokens, newest first (id, name, created, last used, expires, revoked): yours, or \
         another's with `auth.change_user` under the takeover rule",
        |m| on(m, tokens::list),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/permissions",
        Access::Requires(User::CHANGE_USER),
        "Grant `permissions` to the user",
        |m| on(m, users::grant),
    ),
    Route::new(
        Method::DELETE,
        "/users/{username}/permissions",
        Access::Requires(User::CHANGE_USER),
        "Revoke `permissions` from the user",
        |m| on(m, users::revoke),
    ),
    Route::new(
        Method::GET,
        "/groups",
        Access::Requires(Group::VIEW_GROUP),
        "List groups with member counts and permissions",
        |m| on(m, groups::list),
    ),
    Route::new(Method::POST, "/groups", Access::Requires(Group::ADD_GROUP), "Create a group (`name`)", |m| {
        on(m, groups::create)
    }),
    Route::new(
        Method::PATCH,
        "/groups/{name}",
        Access::Requires(Group::CHANGE_GROUP),
        "Rename a group (`name`)",
        |m| on(m, groups::rename),
    ),
    Route::new(Method::DELETE, "/groups/{name}", Access::Requires(Group::DELETE_GROUP), "Delete a group", |m| {
        on(m, groups::delete)
    }),
    Route::new(
        Method::POST,
        "/groups/{name}/members",
        Access::Requires(User::CHANGE_USER),
        "Put `username` in the group",
        |m| on(m, groups::add_member),
    ),
    Route::new(
        Method::DELETE,
        "/groups/{name}/members/{username}",
        Access::Requires(User::CHANGE_USER),
        "Take a user out of the group",
        |m| on(m, groups::remove_member),
    ),
    Route::new(
        Method::POST,
        "/groups/{name}/permissions",
        Access::Requires(Group::CHANGE_GROUP),
        "Grant `permissions` to the group",
        |m| on(m, groups::grant),
    ),
    Route::new(
        Method::DELETE,
        "/groups/{name}/permissions",
        Access::Requires(Group::CHANGE_GROUP),
        "Revoke `permissions` from the group",
        |m| on(m, groups::revoke),
    ),
    Route::new(
        Method::GET,
        "/permissions",
        Access::Requires(Permission::VIEW_PERMISSION),
        "Every permission with its status: synced, missing or stale",
        |m| on(m, perms::list),
    ),
    Route::new(
        Method::GET,
        "/who-can/{permission}",
        Access::Requires(User::VIEW_USER),
        "Who holds a permission (Django's `with_perm`), paged by id: `after` and `limit`",
        |m| on(m, perms::who_can),
    ),
    Route::new(
        Method::GET,
        "/audit",
        Access::Requires(User::VIEW_USER),
        "The audit log, newest first: `user`, `before` and `limit`",
        |m| on(m, audit::list),
    ),
    Route::new(
        Method::GET,
        "/access-requests",
        Access::LoggedIn,
        "Access requests, newest first: your own, those you may decide, or all with `auth.view_user`; \
         `status`, `requester`, `policy`, `before` and `limit`",
        |m| on(m, requests::list),
    ),
    Route::new(
        Method::POST,
        "/access-requests",
        Access::LoggedIn,
        "Ask for a policy's target: `policy`, `justification`, optional `duration` (`4h`)",
        |m| on(m, requests::create),
    ),
    Route::new(Method::GET, "/access-requests/{id}", Access::LoggedIn, "One access request with its decisions", |m| {
        on(m, requests::show)
    }),
    Route::new(
        Method::POST,
        "/access-requests/{id}/approve",
        Access::LoggedIn,
        "Approve a request as an approver of its policy, with a `comment`",
        |m| on(m, requests::approve),
    ),
    Route::new(
        Method::POST,
        "/access-requests/{id}/deny",
        Access::LoggedIn,
        "Deny a request as an approver of its policy, with a `comment`",
        |m| on(m, requests::deny),
    ),
    Route::new(Method::POST, "/access-requests/{id}/cancel", Access::LoggedIn, "Cancel your open request", |m| {
        on(m, requests::cancel)
    }),
    Route::new(Method::GET, "/request-policies", Access::LoggedIn, "The request policies", |m| {
        on(m, requests::policies)
    }),
    Route::new(
        Method::POST,
        "/request-policies",
        Access::LoggedIn,
        "Create a request policy (a superuser): `name`, `group` or `permissions`, `approved_by_group` or \
         `approved_by_permission`, optional `requested_by_group`, `approvals`, `max_duration`, `expire_after_days`",
        |m| on(m, requests::create_policy),
    ),
    Route::new(
        Method::DELETE,
        "/request-policies/{name}",
        Access::LoggedIn,
        "Delete a request policy and its requests (a superuser)",
        |m| on(m, requests::delete_policy),
    ),
    Route::new(Method::GET, "/openapi.json", Access::LoggedIn, "This API's OpenAPI document", |m| {
        on(m, openapi::document)
    }),
];

/// The REST API, with the store as its state, built from [`ROUTES`] with paths relative to
/// where it is mounted: nest it (`Router::new().nest("/internal", router(store))`), or take
/// [`api_router`](super::api_router) for `/api/v1`. [`HttpOptions`]' defaults: secure cookies,
/// bodies of at most 64 KiB; [`router_with`] takes others.
pub fn router<S>(store: Store) -> Router<S> {
    router_with(store, &HttpOptions::default())
}

/// [`router`] with these options (plain-http development, the body limit).
pub fn router_with<S>(store: Store, options: &HttpOptions) -> Router<S> {
    let mut router = Router::new();
    for route in ROUTES {
        let guard = from_fn_with_state((store.clone(), route.access), authorize);
        router = router.route(route.path, route.endpoint().route_layer(guard));
    }
    options.apply(router).with_state(store)
}

/// Checks a route's access before its handler reads anything of the request (401 without
/// credentials, 403 without the permission), and leaves the caller for the handler.
async fn authorize(
    State((store, access)): State<(Store, Access)>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if access == Access::Public {
        return Ok(next.run(request).await);
    }
    let (mut parts, body) = request.into_parts();
    let caller = CurrentUser::from_request_parts(&mut parts, &store).await?;
    access.check(&caller)?;
    parts.extensions.insert(caller);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// The acting user of a change; anonymous callers never get this far (the router refuses them).
fn actor(user: &CurrentUser) -> Result<Actor, ApiError> {
    user.user().map(Actor::user).ok_or_else(|| ApiError::unauthorized("log in, or send an API token"))
}

/// How many rows a change touched, or whether it changed anything: `{"changed": ...}`.
#[derive(Debug, Serialize)]
struct Changed<T> {
    changed: T,
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
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let user = CurrentUser::from_request_parts(&mut parts, &store).await?;
    if !user.has_perms(perms.iter().copied()) {
        let missing: Vec<&'static str> = perms.iter().copied().filter(|p| !user.has_perm(*p)).collect();
        let denied = if user.is_authenticated() {
            crate::PermissionDenied::forbidden(missing)
        } else {
            crate::PermissionDenied::not_authenticated(missing)
        };
        return Err(denied.into());
    }
    parts.extensions.insert(user);
    Ok(next.run(Request::from_parts(parts, body)).await)
}
