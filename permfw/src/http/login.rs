//! Logging in, for the API and the admin alike: the attempt is counted in the store before the
//! password is checked, per username and per client address, so that every router and every
//! process shares one count and fifty guesses at once are at most the throttle's few.

use std::net::SocketAddr;

use crate::User;
use crate::store::{Session, Store, StoreError};

/// How long a login session lasts: two weeks, Django's `SESSION_COOKIE_AGE`.
pub(crate) const SESSION_SECONDS: i64 = 14 * 24 * 3600;

/// What a login attempt came to.
pub(crate) enum Login {
    /// A new session for this user.
    Started(Box<User>, Session),
    /// Wrong credentials, or a user `accept` turned away: one answer for an unknown user, a user
    /// without a usable password, an inactive one and a wrong password.
    Refused,
    /// Too many attempts for the username or the address: refused without checking the password.
    Throttled,
}

/// Logs in: counts the attempt ([`Store::count_login_attempt`]), then checks the password
/// (argon2 runs whoever the user is); `accept` says who may (the admin takes staff only).
pub(crate) async fn log_in(
    store: &Store,
    (username, password): (&str, &str),
    client: Option<SocketAddr>,
    accept: impl Fn(&User) -> bool,
) -> Result<Login, StoreError> {
    let address = client.map(|addr| addr.ip().to_string());
    if !store.count_login_attempt(username, address.as_deref()).await? {
        tracing::warn!(username, client = ?address, "login throttled");
        return Ok(Login::Throttled);
    }
    match store.authenticate(username, password).await? {
        Some(user) if accept(&user) => {
            store.clear_login_attempts(username, address.as_deref()).await?;
            let session = store.create_session(&user, SESSION_SECONDS).await?;
            Ok(Login::Started(Box::new(user), session))
        }
        _ => {
            tracing::info!(username, client = ?address, "login refused");
            Ok(Login::Refused)
        }
    }
}
