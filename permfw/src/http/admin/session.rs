//! Logging in and out of the admin.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::login::{Login, log_in};
use super::super::user::{session_key, with_session_cookie};
use super::error::{Form, Query};
use super::pages::{Frame, LoginPage, render};
use super::{AdminError, Base, Staff};
use crate::User;
use crate::store::Store;

/// Where to go after logging in: only a page of the admin itself (no open redirect), else the
/// user list.
fn safe_next(base: &str, next: Option<&str>) -> String {
    next.filter(|next| {
        next.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
            && !next.starts_with("//")
            && !next.chars().any(|c| c == '\\' || c.is_control())
    })
    .map_or_else(|| format!("{base}/users"), str::to_owned)
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

pub(super) async fn login(
    Base(base): Base,
    State(store): State<Store>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Result<Response, AdminError> {
    let next = safe_next(&base, form.next.as_deref());
    let client = client.map(|Extension(ConnectInfo(addr))| addr);
    let (status, error) = match log_in(&store, (&form.username, &form.password), client, User::is_staff).await? {
        Login::Started(_, session) => {
            return Ok(with_session_cookie(Redirect::to(&next).into_response(), &session.key));
        }
        Login::Refused => {
            (StatusCode::UNAUTHORIZED, "Please enter the correct username and password for a staff account.")
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
    csrf: String,
}

pub(super) async fn logout(
    staff: Staff,
    State(store): State<Store>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    if let Some(key) = session_key(&headers) {
        store.end_session(key).await?;
    }
    let mut response = Redirect::to(&format!("{}/login", staff.base())).into_response();
    let expired = HeaderValue::from_static("permfw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    response.headers_mut().insert(header::SET_COOKIE, expired);
    Ok(response)
}
