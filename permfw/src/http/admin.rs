//! The admin pages for staff: log in, users (search as you type, keyset pages), a user's
//! effective permissions with grant and revoke through a searchable picker, groups, and the
//! audit log. Rendered on the server from compile-time-checked templates (askama), with one
//! small script and no build step. Only active staff get in, and each page and action also needs
//! its permission, as in Django's admin.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};

use super::CurrentUser;
use super::throttle::Throttle;
use super::user::{Login, constant_time_eq, log_in, session_key, with_session_cookie};
use super::view::{UserDetail, sources};
use crate::permission_required;
use crate::store::{AuditEntry, GroupRecord, Store, StoreError, UserPage, UserRecord};
use crate::{Group, HasPerms, PermissionDenied, PermissionSet, User};

const LOGIN: &str = "/admin/login";

/// The admin pages under `/admin`, with the store as their state.
pub fn admin_router<S>(store: Store) -> Router<S> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/users") }))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/users", get(users_page))
        .route("/admin/users/rows", get(user_rows))
        .route("/admin/users/{username}", get(user_page))
        .route("/admin/users/{username}/grant", post(grant))
        .route("/admin/users/{username}/revoke", post(revoke))
        .route("/admin/groups", get(groups_page))
        .route("/admin/groups/{name}", get(group_page))
        .route("/admin/audit", get(audit_page))
        .route(
            "/admin/static/admin.js",
            get(|| async { static_file("text/javascript", include_str!("../../templates/admin/admin.js")) }),
        )
        .route(
            "/admin/static/admin.css",
            get(|| async { static_file("text/css", include_str!("../../templates/admin/admin.css")) }),
        )
        .layer(Extension(Arc::new(Throttle::new())))
        .layer(middleware::from_fn(headers_and_next))
        .with_state(store)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}

/// Security headers on every page, and `?next=` on the redirects to the login page.
async fn headers_and_next(request: Request, next: Next) -> Response {
    let wanted = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
    let is_get = request.method() == axum::http::Method::GET;
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let to_login = headers.get(header::LOCATION).is_some_and(|l| l == LOGIN);
    if to_login
        && is_get
        && let Ok(location) = HeaderValue::from_str(&format!("{LOGIN}?next={}", encode(&wanted)))
    {
        headers.insert(header::LOCATION, location);
    }
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

/// The caller of an admin page: an active staff user of a live session (with its CSRF token),
/// or nobody. A logged-in user who is not active staff is refused at the door.
#[derive(Clone, Debug)]
pub struct Staff {
    caller: CurrentUser,
    /// The session's CSRF token, which every form carries (empty for nobody).
    csrf: String,
}

impl Staff {
    fn name(&self) -> Option<String> {
        self.caller.user().map(|user| user.username().to_owned())
    }

    fn csrf(&self) -> String {
        self.csrf.clone()
    }

    /// The acting user of a change (the guards let nobody else get this far).
    fn actor(&self) -> crate::store::Actor {
        self.caller.user().map_or_else(|| crate::store::Actor::User(String::new()), crate::store::Actor::user)
    }

    /// A form's CSRF token must be the session's.
    fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), AdminError> {
        let sent = form.get("csrf").map(String::as_bytes).unwrap_or_default();
        if constant_time_eq(sent, self.csrf.as_bytes()) && !sent.is_empty() {
            Ok(())
        } else {
            Err(AdminError::Page(
                StatusCode::FORBIDDEN,
                "The form's CSRF token is missing or wrong; reload the page and try again.".into(),
            ))
        }
    }
}

impl HasPerms for Staff {
    fn is_active(&self) -> bool {
        self.caller.is_active()
    }

    fn is_superuser(&self) -> bool {
        self.caller.is_superuser()
    }

    fn permission_set(&self) -> &PermissionSet {
        self.caller.permission_set()
    }

    fn is_authenticated(&self) -> bool {
        self.caller.is_authenticated()
    }
}

impl<S> FromRequestParts<S> for Staff
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let nobody = Staff { caller: CurrentUser::Anonymous, csrf: String::new() };
        let Some(key) = session_key(&parts.headers) else { return Ok(nobody) };
        match Store::from_ref(state).session_user(key).await? {
            Some(session) if session.user.is_active() && session.user.is_staff() => {
                Ok(Staff { caller: CurrentUser::User(Box::new(session.user)), csrf: session.csrf_token })
            }
            Some(_) => Err(AdminError::Page(StatusCode::FORBIDDEN, "The admin is for active staff accounts.".into())),
            None => Ok(nobody),
        }
    }
}

/// A refused or failed page: a redirect to log in, or a page that says what went wrong.
#[derive(Debug)]
pub enum AdminError {
    /// Not logged in: to the login page.
    LogIn,
    /// A page with this status and sentence.
    Page(StatusCode, String),
}

impl From<PermissionDenied> for AdminError {
    fn from(denied: PermissionDenied) -> Self {
        if denied.is_not_authenticated() {
            AdminError::LogIn
        } else {
            AdminError::Page(StatusCode::FORBIDDEN, format!("You may not do this: {denied}."))
        }
    }
}

impl From<StoreError> for AdminError {
    fn from(err: StoreError) -> Self {
        let status = match err {
            StoreError::UserNotFound(_) | StoreError::GroupNotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Refused(_) => StatusCode::FORBIDDEN,
            StoreError::Database(_) | StoreError::Open { .. } | StoreError::NewerSchema { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        let text = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "The server failed; see its log.".into()
        } else {
            err.to_string()
        };
        AdminError::Page(status, text)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::LogIn => Redirect::to(LOGIN).into_response(),
            AdminError::Page(status, text) => {
                let title = status.canonical_reason().unwrap_or("Error").to_owned();
                let page = MessagePage { me: None, csrf: String::new(), title, text };
                (status, render(&page)).into_response()
            }
        }
    }
}

fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage {
    me: Option<String>,
    csrf: String,
    title: String,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    me: Option<String>,
    csrf: String,
    error: Option<String>,
    next: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    me: Option<String>,
    csrf: String,
    query: String,
    rows: String,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/user_rows.html")]
struct UserRows {
    users: Vec<UserRecord>,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPageTemplate {
    me: Option<String>,
    csrf: String,
    username: String,
    email: String,
    active: bool,
    staff: bool,
    superuser: bool,
    groups: String,
    /// (permission, through, granted directly)
    perms: Vec<(String, String, bool)>,
    /// (permission, name): the picker's choices.
    choices: Vec<(String, String)>,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsPage {
    me: Option<String>,
    csrf: String,
    groups: Vec<GroupRecord>,
}

#[derive(Template)]
#[template(path = "admin/group.html")]
struct GroupPage {
    me: Option<String>,
    csrf: String,
    name: String,
    permissions: Vec<String>,
    members: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    me: Option<String>,
    csrf: String,
    entries: Vec<AuditEntry>,
}

/// Only paths of the admin itself are followed after logging in (no open redirect).
fn safe_next(next: Option<&String>) -> String {
    next.filter(|n| n.starts_with("/admin/") && !n.starts_with("//"))
        .cloned()
        .unwrap_or_else(|| "/admin/users".to_owned())
}

async fn login_page(Query(query): Query<HashMap<String, String>>) -> Response {
    render(&LoginPage { me: None, csrf: String::new(), error: None, next: safe_next(query.get("next")) })
}

async fn login(
    State(store): State<Store>,
    Extension(throttle): Extension<Arc<Throttle>>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let (username, password, next) = (field("username"), field("password"), safe_next(form.get("next")));
    let client = client.map(|Extension(ConnectInfo(addr))| addr);
    let (status, error) = match log_in(&store, &throttle, (&username, &password), client, User::is_staff).await? {
        Login::Started(_, session) => {
            return Ok(with_session_cookie(Redirect::to(&next).into_response(), &session.key));
        }
        Login::Refused => {
            (StatusCode::UNAUTHORIZED, "Please enter the correct username and password for a staff account.")
        }
        Login::Throttled => (StatusCode::TOO_MANY_REQUESTS, "Too many failed logins; wait 15 minutes."),
    };
    let page = LoginPage { me: None, csrf: String::new(), error: Some(error.to_owned()), next };
    Ok((status, render(&page)).into_response())
}

async fn logout(
    staff: Staff,
    State(store): State<Store>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form)?;
    if let Some(key) = session_key(&headers) {
        store.end_session(key).await?;
    }
    let mut response = Redirect::to(LOGIN).into_response();
    let expired = HeaderValue::from_static("permfw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    response.headers_mut().insert(header::SET_COOKIE, expired);
    Ok(response)
}

async fn page_of_users(
    store: &Store,
    query: &HashMap<String, String>,
) -> Result<(Vec<UserRecord>, Option<String>), AdminError> {
    let mut page = UserPage::first().limit(50);
    if let Some(q) = query.get("q").filter(|q| !q.is_empty()) {
        page = page.search(q.as_str());
    }
    if let Some(after) = query.get("after") {
        page = page.after(after.as_str());
    }
    let users = store.list_users(page).await?;
    let next = (users.len() == 50).then(|| users.last().map(|u| u.username.clone())).flatten();
    Ok((users, next))
}

#[permission_required(User::VIEW_USER, login_url = "/admin/login")]
async fn users_page(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    let (users, next) = page_of_users(&store, &query).await?;
    let rows = UserRows { users }.render().unwrap_or_default();
    let query = query.get("q").cloned().unwrap_or_default();
    Ok(render(&UsersPage { me: staff.name(), csrf: staff.csrf(), query, rows, next }))
}

#[permission_required(User::VIEW_USER, login_url = "/admin/login")]
async fn user_rows(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    let (users, _) = page_of_users(&store, &query).await?;
    Ok(render(&UserRows { users }))
}

#[permission_required(User::VIEW_USER, login_url = "/admin/login")]
async fn user_page(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    let user = UserDetail::load(&store, &username).await?;
    let perms = user.permissions.iter().map(|p| (p.permission.as_str().to_owned(), sources(p), p.direct)).collect();
    let choices = crate::registry().permissions().map(|p| (p.as_str().to_owned(), p.name().to_owned())).collect();
    Ok(render(&UserPageTemplate {
        me: staff.name(),
        csrf: staff.csrf(),
        groups: user.groups.join(", "),
        email: user.email,
        active: user.is_active,
        staff: user.is_staff,
        superuser: user.is_superuser,
        username,
        perms,
        choices,
        message: query.get("message").cloned(),
    }))
}

#[permission_required(User::CHANGE_USER, login_url = "/admin/login")]
async fn grant(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    change(&staff, &store, &username, &form, true).await
}

#[permission_required(User::CHANGE_USER, login_url = "/admin/login")]
async fn revoke(
    staff: Staff,
    State(store): State<Store>,
    Path(username): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AdminError> {
    change(&staff, &store, &username, &form, false).await
}

async fn change(
    staff: &Staff,
    store: &Store,
    username: &str,
    form: &HashMap<String, String>,
    grant: bool,
) -> Result<Response, AdminError> {
    staff.check_csrf(form)?;
    let perm = form.get("permission").map(|p| p.trim().to_owned()).unwrap_or_default();
    let actor = staff.actor();
    let changed = if grant {
        store.grant_user(&actor, username, [perm.as_str()]).await?
    } else {
        store.revoke_user(&actor, username, [perm.as_str()]).await?
    };
    let message = match (grant, changed) {
        (true, 0) => format!("{perm} was already granted"),
        (true, _) => format!("Granted {perm}"),
        (false, 0) => format!("{perm} was not granted directly"),
        (false, _) => format!("Revoked {perm}"),
    };
    Ok(Redirect::to(&format!("/admin/users/{}?message={}", encode(username), encode(&message))).into_response())
}

#[permission_required(Group::VIEW_GROUP, login_url = "/admin/login")]
async fn groups_page(staff: Staff, State(store): State<Store>) -> Result<Response, AdminError> {
    Ok(render(&GroupsPage { me: staff.name(), csrf: staff.csrf(), groups: store.list_groups().await? }))
}

#[permission_required(Group::VIEW_GROUP, login_url = "/admin/login")]
async fn group_page(
    staff: Staff,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<Response, AdminError> {
    let group = store.get_group(&name).await?;
    let permissions = group.permissions().map(|p| p.as_str().to_owned()).collect();
    let members = store.group_members(&name).await?;
    Ok(render(&GroupPage { me: staff.name(), csrf: staff.csrf(), name, permissions, members }))
}

#[permission_required(User::VIEW_USER, login_url = "/admin/login")]
async fn audit_page(staff: Staff, State(store): State<Store>) -> Result<Response, AdminError> {
    let entries = store.audit(crate::store::AuditQuery::new().limit(200)).await?;
    Ok(render(&AuditPage { me: staff.name(), csrf: staff.csrf(), entries }))
}
