//! Logging in and out.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::super::cookie::SessionCookie;
use super::super::extract::Json;
use super::super::login::{Login, log_in};
use super::super::{ApiError, CurrentUser};
use super::actor;
use crate::store::Store;

/// `POST /session`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Credentials {
    username: String,
    password: String,
}

/// What logging in returns, besides the cookie.
#[derive(Debug, Serialize)]
struct LoggedIn<'a> {
    username: &'a str,
    csrf_token: &'a str,
}

pub(super) async fn login(
    State(store): State<Store>,
    cookie: SessionCookie,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    let client = client.map(|Extension(ConnectInfo(addr))| addr);
    let pair = (credentials.username.as_str(), credentials.password.as_str());
    match log_in(&store, pair, client, |_| true).await? {
        Login::Started(user, session) => {
            let body = Json(LoggedIn { username: user.username(), csrf_token: &session.csrf_token });
            Ok(cookie.set(body.into_response(), &session.key))
        }
        Login::Refused => Err(ApiError::unauthorized("wrong username or password, or an inactive account")),
        Login::Throttled => {
            let wait = store.login_throttle_window().as_secs();
            let refused = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                format!(
                    "too many login attempts for this username or address; try again in {} minutes",
                    wait.div_ceil(60)
                ),
            );
            let mut response = refused.into_response();
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.into());
            Ok(response)
        }
    }
}

/// Ends the session and removes its cookie (a token's caller has no session to end).
pub(super) async fn logout(
    user: CurrentUser,
    State(store): State<Store>,
    cookie: SessionCookie,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    actor(&user)?;
    if let Some(key) = cookie.key(&headers) {
        store.end_session(key).await?;
    }
    Ok(cookie.clear(StatusCode::NO_CONTENT.into_response()))
}
