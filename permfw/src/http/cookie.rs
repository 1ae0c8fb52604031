//! The session cookie: `__Host-permfw_session`, `Secure`, `HttpOnly`, `SameSite=Strict`,
//! `Path=/`, no `Domain`, so that only this origin over https sets or reads it; or, for
//! plain-http development ([`HttpOptions::insecure_cookies`](super::HttpOptions::insecure_cookies)),
//! `permfw_session` without `Secure`.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::HttpOptions;
use super::login::SESSION_SECONDS;

/// The name of the session cookie: `Secure`, with the `__Host-` prefix (the default).
pub const SESSION_COOKIE: &str = "__Host-permfw_session";

/// The name of the session cookie for plain-http development: not `Secure`, so no prefix.
pub const INSECURE_SESSION_COOKIE: &str = "permfw_session";

/// The session cookie as a router's [`HttpOptions`] set it up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SessionCookie {
    secure: bool,
}

impl SessionCookie {
    pub(crate) fn new(secure: bool) -> Self {
        Self { secure }
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        if self.secure { SESSION_COOKIE } else { INSECURE_SESSION_COOKIE }
    }

    /// The session key that a request's `Cookie` headers carry under this cookie's name (and no
    /// other: a secure router never reads the unprefixed cookie a sibling site could set).
    pub(crate) fn key(self, headers: &HeaderMap) -> Option<&str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find_map(|(name, value)| (name == self.name()).then_some(value))
    }

    /// `response` setting the cookie to `key` for the session's life.
    pub(crate) fn set(self, response: Response, key: &str) -> Response {
        self.with(response, key, SESSION_SECONDS)
    }

    /// `response` removing the cookie (logging out).
    pub(crate) fn clear(self, response: Response) -> Response {
        self.with(response, "", 0)
    }

    fn with(self, mut response: Response, key: &str, max_age: i64) -> Response {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!("{}={key}; Path=/; HttpOnly; SameSite=Strict{secure}; Max-Age={max_age}", self.name());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(HttpOptions::of(&parts.extensions).cookie())
    }
}
