//! The axum integration: who is calling ([`CurrentUser`], from an API token or a session),
//! `#[permission_required]` on handlers as written (401 without credentials, 403 without the
//! permission), errors as `application/problem+json`, the REST API for internal tools
//! ([`api`]) and, with the `admin` feature, the admin pages (`admin`).
//!
//! Each of the API and the admin is one table of [`Route`]s, with paths relative to where it is
//! mounted; [`api_router`] and `admin_router` mount them at `/api/v1` and `/admin`, and an
//! application may nest [`api::router`] and `admin::router` under prefixes of its own.
//!
//! Both are secure by default ([`HttpOptions`]): the session cookie is `Secure`, `HttpOnly`,
//! `SameSite=Strict` and `__Host-` prefixed, and a request body is at most 64 KiB. Plain-http
//! development (`PERMFW_INSECURE_COOKIES=1`, [`HttpOptions::from_env`]) is a setting that
//! [`api::router_with`] and `admin::router_with` take, and log when it is on.
//!
//! ```no_run
//! use axum::extract::State;
//! use permfw::http::{ApiError, CurrentUser};
//! use permfw::store::Store;
//! use permfw::{User, permission_required};
//!
//! #[permission_required(User::VIEW_USER)]
//! async fn count_users(user: CurrentUser, State(store): State<Store>) -> Result<String, ApiError> {
//!     Ok(store.list_users(permfw::store::UserPage::first()).await?.len().to_string())
//! }
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::open("sqlite://blog.db").await?;
//! let app: axum::Router = permfw::http::api_router(store.clone())
//!     .route("/count", axum::routing::get(count_users))
//!     .with_state(store);
//! # let _ = app; Ok(()) }
//! ```

#[cfg(feature = "admin")]
pub mod admin;
pub mod api;
mod cookie;
mod error;
mod extract;
mod login;
mod options;
mod route;
mod user;

use axum::Router;

#[cfg(feature = "admin")]
pub use self::admin::{AdminError, Staff};
pub use self::api::require_permissions;
pub use self::cookie::{INSECURE_SESSION_COOKIE, SESSION_COOKIE};
pub use self::error::ApiError;
pub use self::options::{DEFAULT_BODY_LIMIT, HttpOptions};
pub use self::route::{Access, Route};
pub use self::user::{CSRF_HEADER, CurrentUser};
use crate::store::Store;

/// The REST API mounted at `/api/v1`: [`api::router`] nested there.
pub fn api_router<S>(store: Store) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().nest("/api/v1", api::router(store))
}

/// The admin pages mounted at `/admin`: `admin::router` nested there.
#[cfg(feature = "admin")]
pub fn admin_router<S>(store: Store) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().nest("/admin", admin::router(store))
}
