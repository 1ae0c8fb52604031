//! How permfw's routers are set up: the session cookie (secure unless plain-http development is
//! asked for) and the largest request body they read.

use axum::extract::DefaultBodyLimit;
use axum::http::Extensions;
use axum::{Extension, Router};

use super::cookie::SessionCookie;

/// The largest request body the routers read unless told otherwise: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The defaults, for a request that no permfw router has seen.
const DEFAULTS: HttpOptions = HttpOptions { insecure_cookies: false, body_limit: DEFAULT_BODY_LIMIT };

/// How the API's and the admin's routers are set up. The defaults are what production wants:
/// the session cookie is `Secure` with the `__Host-` prefix ([`SESSION_COOKIE`](super::SESSION_COOKIE)),
/// and a request body is at most [`DEFAULT_BODY_LIMIT`] bytes (a larger one is a 413).
///
/// ```no_run
/// # async fn example(store: permfw::store::Store) {
/// use permfw::http::{HttpOptions, admin, api};
///
/// // `PERMFW_INSECURE_COOKIES=1` for plain http on a developer's machine.
/// let options = HttpOptions::from_env().body_limit(16 * 1024);
/// let app: axum::Router = axum::Router::new()
///     .nest("/api/v1", api::router_with(store.clone(), &options))
///     .nest("/admin", admin::router_with(store, &options));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct HttpOptions {
    insecure_cookies: bool,
    body_limit: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        DEFAULTS
    }
}

impl HttpOptions {
    /// The defaults: secure cookies, bodies of at most 64 KiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// The defaults, with plain-http development turned on when the environment variable
    /// `PERMFW_INSECURE_COOKIES` is `1` (or `true`, `yes`, `on`).
    pub fn from_env() -> Self {
        let on = std::env::var("PERMFW_INSECURE_COOKIES")
            .is_ok_and(|value| ["1", "true", "yes", "on"].contains(&value.trim().to_ascii_lowercase().as_str()));
        Self::new().insecure_cookies(on)
    }

    /// Plain-http development: the session cookie is named
    /// [`INSECURE_SESSION_COOKIE`](super::INSECURE_SESSION_COOKIE) and is not `Secure`, so that
    /// a browser keeps it over `http://`. Never in production: the cookie then travels in clear,
    /// and a sibling site may set it. A router built with it logs a warning, and a server should
    /// say so when it starts.
    pub fn insecure_cookies(mut self, insecure: bool) -> Self {
        self.insecure_cookies = insecure;
        self
    }

    /// The largest request body the routers read, in bytes (default [`DEFAULT_BODY_LIMIT`]); a
    /// larger one is refused with 413, after the caller's credentials are checked.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Whether the session cookie is the plain-http development one.
    #[must_use]
    pub fn has_insecure_cookies(&self) -> bool {
        self.insecure_cookies
    }

    /// The session cookie's name: [`SESSION_COOKIE`](super::SESSION_COOKIE), or
    /// [`INSECURE_SESSION_COOKIE`](super::INSECURE_SESSION_COOKIE) for plain-http development.
    #[must_use]
    pub fn session_cookie(&self) -> &'static str {
        self.cookie().name()
    }

    pub(crate) fn cookie(&self) -> SessionCookie {
        SessionCookie::new(!self.insecure_cookies)
    }

    pub(crate) fn max_body(&self) -> usize {
        self.body_limit
    }

    /// The options of the router a request went through, or the defaults.
    pub(crate) fn of(extensions: &Extensions) -> &Self {
        extensions.get::<Self>().unwrap_or(&DEFAULTS)
    }

    /// `router` with these options: the body limit, and the options for the extractors.
    pub(crate) fn apply<S>(&self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        if self.insecure_cookies {
            tracing::warn!(
                "permfw: insecure cookies for plain-http development: the session cookie is not `Secure`; \
                 never serve this way in production"
            );
        }
        router.layer(DefaultBodyLimit::max(self.body_limit)).layer(Extension(self.clone()))
    }
}
