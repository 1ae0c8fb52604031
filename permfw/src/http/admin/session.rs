//! Logging in and out of the admin, for every active user (staff get the staff pages too); the
//! login form refuses a post from another site.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::cookie::SessionCookie;
use super::super::login::{Login, log_in};
use super::error::{Form, Query};
use super::pages::{Frame, LoginPage, render};
use super::{AdminError, Base, Member};
use crate::HasPerms;
use crate::store::Store;

/// `next`, if it is a page of the admin itself (no open redirect).
pub(super) fn admin_page(base: &str, next: Option<&str>) -> Option<String> {
    next.filter(|next| {
        next.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
            && !next.starts_with("//")
            && !next.chars().any(|c| c == '\\' || c.is_control())
    })
    .map(str::to_owned)
}

/// Where to go after logging in: the page asked for, else the admin's home (the user list for
/// staff, one's own requests for others).
fn safe_next(base: &str, next: Option<&str>) -> String {
    // The home route `/` is served at the mount point itself.
    admin_page(base, next).unwrap_or_else(|| if base.is_empty() { "/".to_owned() } else { base.to_owned() })
}

/// `GET /login?next=`.
#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

pub(super) async fn login_page(Base(base): Base, Query(query): Query<LoginQuery>) -> Response {
    let next = safe_next(&base, query.next.as_deref());
    render(&LoginPage { frame: Frame::nobody(&base), error: None, next })
}

/// `POST /login`.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Whether a login form was posted from this site's own pages. Another site must not log a
/// browser in to an account of its choosing (login CSRF): a browser says where a form comes
/// from in `Origin` (on every POST), `Sec-Fetch-Site` and `Referer`, and none of them can be
/// set by a page. A request with none of them comes from no browser, which no page can drive.
pub(super) fn posted_from_here(headers: &HeaderMap, uri: &Uri) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return false;
    }
    let Some(source) = text(header::ORIGIN.as_str()).or_else(|| text(header::REFERER.as_str())) else {
        return true;
    };
    // `Origin: null` (a sandboxed or privacy-stripped page) has no authority: refused.
    let Some(authority) = source.split_once("://").and_then(|(_, rest)| rest.split(['/', '?', '#']).next()) else {
        return false;
    };
    // This site as the client named it: `Host`, the URI's authority (HTTP/2), or a proxy's
    // `X-Forwarded-Host` (no page can set that header on a form either).
    let here = [text(header::HOST.as_str()), uri.authority().map(|a| a.as_str()), text("x-forwarded-host")];
    here.into_iter().flatten().any(|host| host.trim().eq_ignore_ascii_case(authority))
}

pub(super) async fn login(
    Base(base): Base,
    State(store): State<Store>,
    cookie: SessionCookie,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<LoginForm>,
) -> Result<Response, AdminError> {
    if !posted_from_here(&headers, &uri) {
        tracing::warn!(origin = ?headers.get(header::ORIGIN), "a login form posted from another site was refused");
        return Err(AdminError::Page(
            StatusCode::FORBIDDEN,
            "This login form was sent from another site; log in from this admin's own login page.".into(),
        ));
    }
    let next = safe_next(&base, form.next.as_deref());
    let client = client.map(|Extension(ConnectInfo(addr))| addr);
    let attempt = log_in(&store, (&form.username, &form.password), client, |user| user.is_active()).await?;
    let (status, error) = match attempt {
        Login::Started(_, session) => {
            return Ok(cookie.set(Redirect::to(&next).into_response(), &session.key));
        }
        Login::Refused => {
            (StatusCode::UNAUTHORIZED, "Please enter the correct username and password of an active account.")
        }
        Login::Throttled => {
            (StatusCode::TOO_MANY_REQUESTS, "Too many login attempts for this username or address; try again later.")
        }
    };
    let page = LoginPage { frame: Frame::nobody(&base), error: Some(error.to_owned()), next };
    Ok((status, render(&page)).into_response())
}

/// A form whose only field is the session's CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    pub(super) csrf: String,
}

pub(super) async fn logout(
    member: Member,
    State(store): State<Store>,
    cookie: SessionCookie,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    member.check_csrf(&form.csrf)?;
    if let Some(key) = cookie.key(&headers) {
        store.end_session(key).await?;
    }
    Ok(cookie.clear(Redirect::to(&format!("{}/login", member.base())).into_response()))
}
