//! The admin pages: for staff, users (search as you type, keyset pages), a user's effective
//! permissions with grant and revoke through a searchable picker and its API tokens with revoke
//! behind a confirmation, groups, and the audit log; for every active user, asking for access
//! under a request policy, one's own requests, and the approvals dashboard of the requests one
//! may decide. Rendered on the server from compile-time-checked templates (askama), with one
//! small script and no build step.
//!
//! Every active user may log in. A route open to any logged-in user ([`Access::LoggedIn`]) takes
//! a [`Member`], and the store's rules decide what it may do there; every other route needs an
//! active staff member ([`Staff`]) holding the route's permission, as in Django's admin, and
//! refuses anyone else before the page is read. Each action leaves a flash message for the page
//! it leads to.
//!
//! Its routes are one table, [`ROUTES`], with paths relative to where [`router`] is mounted;
//! links, form actions and redirects start with that mount point (axum's `NestedPath`), so the
//! admin works under any static prefix:
//!
//! ```no_run
//! # async fn example(store: permfw::store::Store) {
//! // GET /internal/admin/users, ...
//! let app: axum::Router = axum::Router::new().nest("/internal/admin", permfw::http::admin::router(store));
//! # }
//! ```

mod account;
mod approvals;
mod audit;
mod bulk;
mod csv;
mod error;
mod explain;
mod flash;
mod group_actions;
mod groups;
mod invitation;
mod matrix;
mod member;
mod memberships;
mod pages;
mod request_rows;
mod requests;
mod roles;
mod session;
mod staff;
mod tokens;
mod user_list;
mod user_new;
mod users;
mod when;

use axum::Router;
use axum::extract::{FromRequestParts, NestedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::on;

pub use self::error::AdminError;
pub use self::member::Member;
pub use self::staff::Staff;
use super::route::mount_point;
use super::{Access, HttpOptions, Route};
use crate::store::Store;
use crate::{Group, User};

/// Every route of the admin, for [`router`] and for the tests that walk each one. Paths are
/// relative to where the admin is mounted. [`Access::LoggedIn`] routes are open to every active
/// user; [`Access::Requires`] routes to active staff holding the permission.
pub const ROUTES: &[Route] = &[
    Route::new(Method::GET, "/", Access::Public, "To the user list (staff) or one's own requests", |m| on(m, home)),
    Route::new(Method::GET, "/login", Access::Public, "The login form", |m| on(m, session::login_page)),
    Route::new(Method::POST, "/login", Access::Public, "Log in (any active user)", |m| on(m, session::login)),
    Route::new(Method::POST, "/logout", Access::LoggedIn, "Log out", |m| on(m, session::logout)),
    Route::new(Method::GET, "/requests", Access::LoggedIn, "One's own access requests and groups", |m| {
        on(m, requests::mine)
    }),
    Route::new(Method::POST, "/requests", Access::LoggedIn, "Request access under a policy", |m| {
        on(m, requests::create)
    }),
    Route::new(Method::GET, "/requests/new", Access::LoggedIn, "The \"Request access\" form", |m| on(m, requests::ask)),
    Route::new(
        Method::GET,
        "/requests/{id}",
        Access::LoggedIn,
        "An access request with its decisions (to its requester, its approvers, and staff who view users)",
        |m| on(m, approvals::show),
    ),
    Route::new(Method::POST, "/requests/{id}/cancel", Access::LoggedIn, "Cancel one's own open request", |m| {
        on(m, requests::cancel)
    }),
    Route::new(
        Method::POST,
        "/requests/{id}/approve",
        Access::LoggedIn,
        "Approve a request, as an approver of its policy now",
        |m| on(m, approvals::approve),
    ),
    Route::new(
        Method::POST,
        "/requests/{id}/deny",
        Access::LoggedIn,
        "Deny a request, as an approver of its policy now",
        |m| on(m, approvals::deny),
    ),
    Route::new(
        Method::GET,
        "/approvals",
        Access::LoggedIn,
        "The approvals dashboard: open requests one may decide, and the decided ones",
        |m| on(m, approvals::dashboard),
    ),
    Route::new(
        Method::GET,
        "/users",
        Access::Requires(User::VIEW_USER),
        "Users, filtered, sorted, searched and paged",
        |m| on(m, user_list::list),
    ),
    Route::new(
        Method::GET,
        "/users/rows",
        Access::Requires(User::VIEW_USER),
        "The rows of the user list, for search as you type",
        |m| on(m, user_list::rows),
    ),
    Route::new(
        Method::POST,
        "/users/bulk",
        Access::Requires(User::CHANGE_USER),
        "A bulk action on the selected users: what it would do to each (nothing written)",
        |m| on(m, bulk::preview),
    ),
    Route::new(
        Method::POST,
        "/users/bulk/apply",
        Access::Requires(User::CHANGE_USER),
        "Apply a bulk action to the selected users the rules allow, in one transaction",
        |m| on(m, bulk::apply),
    ),
    Route::new(
        Method::GET,
        "/users/{username}",
        Access::Requires(User::VIEW_USER),
        "A user with each effective permission and where it comes from",
        |m| on(m, users::show),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/grant",
        Access::Requires(User::CHANGE_USER),
        "Grant a permission to the user",
        |m| on(m, users::grant),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/revoke",
        Access::Requires(User::CHANGE_USER),
        "Revoke a permission from the user",
        |m| on(m, users::revoke),
    ),
    Route::new(
        Method::GET,
        "/users/{username}/tokens/{id}/revoke",
        Access::Requires(User::VIEW_USER),
        "Are you sure? before revoking one of the user's API tokens",
        |m| on(m, tokens::confirm),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/tokens/{id}/revoke",
        Access::Requires(User::VIEW_USER),
        "Revoke one of the user's API tokens (the user's own, or under the takeover rule)",
        |m| on(m, tokens::revoke),
    ),
    Route::new(Method::GET, "/add-user", Access::Requires(User::ADD_USER), "The \"Add user\" form", |m| {
        on(m, user_new::form)
    }),
    Route::new(
        Method::POST,
        "/add-user",
        Access::Requires(User::ADD_USER),
        "Create a user with a password, or invite one by mail to choose it",
        |m| on(m, user_new::create),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/account",
        Access::Requires(User::CHANGE_USER),
        "Change the user's email, active and staff in one transaction (deactivating after a confirmation)",
        |m| on(m, account::update),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/groups",
        Access::Requires(User::CHANGE_USER),
        "Put the user in a group",
        |m| on(m, memberships::add),
    ),
    Route::new(
        Method::GET,
        "/users/{username}/groups/remove",
        Access::Requires(User::CHANGE_USER),
        "Are you sure? before taking the user out of a group",
        |m| on(m, memberships::confirm_remove),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/groups/remove",
        Access::Requires(User::CHANGE_USER),
        "Take the user out of a group",
        |m| on(m, memberships::remove),
    ),
    Route::new(
        Method::GET,
        "/users/{username}/sessions/end",
        Access::Requires(User::VIEW_USER),
        "Are you sure? before ending the user's sessions",
        |m| on(m, account::confirm_end_sessions),
    ),
    Route::new(
        Method::POST,
        "/users/{username}/sessions/end",
        Access::Requires(User::VIEW_USER),
        "End the user's sessions (one's own, or another's under the rules of changing it)",
        |m| on(m, account::end_sessions),
    ),
    Route::new(
        Method::GET,
        "/invitation/{token}",
        Access::Public,
        "An invitation's link: the form to choose one's password",
        |m| on(m, invitation::show),
    ),
    Route::new(
        Method::POST,
        "/invitation/{token}",
        Access::Public,
        "Set one's password through an invitation (once, before it expires)",
        |m| on(m, invitation::accept),
    ),
    Route::new(
        Method::GET,
        "/groups",
        Access::Requires(Group::VIEW_GROUP),
        "Groups with their member counts, and the form that creates one",
        |m| on(m, groups::list),
    ),
    Route::new(Method::POST, "/groups", Access::Requires(Group::ADD_GROUP), "Create a group", |m| {
        on(m, group_actions::create)
    }),
    Route::new(
        Method::GET,
        "/groups/{name}",
        Access::Requires(Group::VIEW_GROUP),
        "A group's permissions and its members, searched and paged",
        |m| on(m, groups::show),
    ),
    Route::new(Method::POST, "/groups/{name}/rename", Access::Requires(Group::CHANGE_GROUP), "Rename a group", |m| {
        on(m, group_actions::rename)
    }),
    Route::new(
        Method::POST,
        "/groups/{name}/grant",
        Access::Requires(Group::CHANGE_GROUP),
        "Grant a permission to a group",
        |m| on(m, group_actions::grant),
    ),
    Route::new(
        Method::POST,
        "/groups/{name}/revoke",
        Access::Requires(Group::CHANGE_GROUP),
        "Revoke a permission from a group",
        |m| on(m, group_actions::revoke),
    ),
    Route::new(
        Method::POST,
        "/groups/{name}/members/add",
        Access::Requires(User::CHANGE_USER),
        "Put a user in the group",
        |m| on(m, group_actions::add_member),
    ),
    Route::new(
        Method::POST,
        "/groups/{name}/members/remove",
        Access::Requires(User::CHANGE_USER),
        "Take a user out of the group",
        |m| on(m, group_actions::remove_member),
    ),
    Route::new(
        Method::GET,
        "/groups/{name}/delete",
        Access::Requires(Group::DELETE_GROUP),
        "Are you sure? before deleting a group, with what its members would lose",
        |m| on(m, groups::confirm_delete),
    ),
    Route::new(Method::POST, "/groups/{name}/delete", Access::Requires(Group::DELETE_GROUP), "Delete a group", |m| {
        on(m, group_actions::delete)
    }),
    Route::new(
        Method::GET,
        "/audit",
        Access::Requires(User::VIEW_USER),
        "The audit log, filtered by actor, user, group, permission, action and dates, by key",
        |m| on(m, audit::page),
    ),
    Route::new(
        Method::GET,
        "/audit.csv",
        Access::Requires(User::VIEW_USER),
        "The filtered audit log as CSV (every entry)",
        |m| on(m, audit::export),
    ),
    Route::new(
        Method::GET,
        "/matrix",
        Access::Requires(User::VIEW_USER),
        "The access matrix of a group or an app: users by permissions, by key",
        |m| on(m, matrix::page),
    ),
    Route::new(
        Method::GET,
        "/matrix.csv",
        Access::Requires(User::VIEW_USER),
        "The access matrix of a group or an app as CSV (every user)",
        |m| on(m, matrix::export),
    ),
    Route::new(Method::GET, "/static/admin.js", Access::Public, "The admin's script", |m| on(m, script)),
    Route::new(Method::GET, "/static/admin.css", Access::Public, "The admin's style sheet", |m| on(m, style)),
];

/// The admin pages, with the store as their state, built from [`ROUTES`] with paths relative
/// to where they are mounted: nest them, or take `admin_router` for `/admin`. [`HttpOptions`]'
/// defaults: secure cookies, bodies of at most 64 KiB; [`router_with`] takes others.
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
    options.apply(router).layer(from_fn_with_state(options.clone(), frame)).with_state(store)
}

/// Checks a route's access before its handler reads the form or query: to the login page
/// without a session; 403 for an inactive user, for a user who is not staff on a staff page, and
/// for staff without the permission. Leaves the caller for the handler.
async fn authorize(
    State((store, access)): State<(Store, Access)>,
    request: Request,
    next: Next,
) -> Result<Response, AdminError> {
    let (mut parts, body) = request.into_parts();
    match access {
        Access::Public => {}
        Access::LoggedIn => {
            let member = Member::from_request_parts(&mut parts, &store).await?;
            access.check(member.caller())?;
            parts.extensions.insert(member);
        }
        Access::Requires(_) => {
            let staff = Staff::from_request_parts(&mut parts, &store).await?;
            access.check(&staff)?;
            parts.extensions.insert(staff);
        }
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// Where the admin is mounted (`/admin`, or empty at the root): every link starts with it.
#[derive(Clone, Debug)]
pub(super) struct Base(String);

impl<S: Send + Sync> FromRequestParts<S> for Base {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Base(mount_point(parts.extensions.get())))
    }
}

/// Renders what a refusal or failure left for it with the admin's mount point (the login
/// redirect with `?next=`, or the page that says what went wrong), sets the flash message an
/// action left (or clears the one a page showed), and puts the security headers on every
/// response.
async fn frame(State(options): State<HttpOptions>, request: Request, next: Next) -> Response {
    let base = mount_point(request.extensions().get::<NestedPath>());
    let wanted = request.uri().path_and_query().map(|p| format!("{base}{p}"));
    let is_get = request.method() == Method::GET;
    let had_flash = flash::Flash::read(request.headers(), &options).is_some();
    let mut response = next.run(request).await;
    if let Some(failure) = response.extensions_mut().remove::<error::Failure>() {
        response = failure.render(&base, wanted.filter(|_| is_get).as_deref());
    }
    if let Some(flash) = response.extensions_mut().remove::<flash::Flash>() {
        flash.set(&mut response, &options);
    } else if had_flash && is_get && !response.status().is_redirection() {
        flash::Flash::clear(&mut response, &options);
    }
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Percent-encodes all but unreserved characters and `/`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Staff to the user list, everyone else to their own requests (or to log in).
async fn home(member: Member) -> Redirect {
    let page = match member.user() {
        Ok(user) if user.is_staff() => "users",
        Ok(_) => "requests",
        Err(_) => "login",
    };
    Redirect::to(&format!("{}/{page}", member.base()))
}

async fn script() -> Response {
    static_file("text/javascript", include_str!("../../../templates/admin/admin.js"))
}

async fn style() -> Response {
    static_file("text/css", include_str!("../../../templates/admin/admin.css"))
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}
