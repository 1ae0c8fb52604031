//! Login throttling in the database, so that every process and every router share the counts:
//! an attempt is counted before its password is checked, per username and per client address.

use sha2::{Digest, Sha256};

use super::error::Result;
use super::{Store, now_micros};

/// How many login attempts a key (a username, a client address) gets in a window; see
/// [`StoreOptions::login_throttle`](super::StoreOptions::login_throttle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Throttle {
    pub(crate) max_attempts: i64,
    pub(crate) window_secs: i64,
}

impl Default for Throttle {
    /// django-axes' defaults: 5 attempts, then a 15-minute wait.
    fn default() -> Self {
        Self { max_attempts: 5, window_secs: 15 * 60 }
    }
}

/// A bounded key: the kind, and a hash of the value (a username may be long).
fn key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{kind}:{hex}")
}

impl Store {
    /// Counts a login attempt for `username` and, when known, the client's address, before the
    /// password is checked. `false` when either has used up its attempts in the window: refuse
    /// the attempt without checking the password.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn count_login_attempt(&self, username: &str, client: Option<&str>) -> Result<bool> {
        let throttle = self.inner.options.login_throttle;
        let now = now_micros();
        let window_start = now - throttle.window_secs.saturating_mul(1_000_000);
        let keys = [Some(key("user", username)), client.map(|client| key("addr", client))];
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().count_login_attempt;
        // The username first: an attempt it refuses does not count against the address.
        for key in keys.iter().flatten() {
            let (attempts,): (i64,) =
                conn.fetch_one(sql, &[key.as_str().into(), now.into(), window_start.into()]).await?;
            if attempts > throttle.max_attempts {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A successful login clears the username's count, and takes its own attempt back from the
    /// address's (so that people behind one address who log in rightly are not held back; the
    /// address's failures still count).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn clear_login_attempts(&self, username: &str, client: Option<&str>) -> Result<()> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        conn.execute(sql.clear_login_attempts, &[key("user", username).as_str().into()]).await?;
        if let Some(client) = client {
            conn.execute(sql.refund_login_attempt, &[key("addr", client).as_str().into()]).await?;
        }
        Ok(())
    }

    /// How long a throttled username or address waits: the throttle's window (for a
    /// `Retry-After` header).
    #[must_use]
    pub fn login_throttle_window(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::try_from(self.inner.options.login_throttle.window_secs).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_bounded_and_distinct() {
        let long = "x".repeat(10_000);
        assert_eq!(super::key("user", &long).len(), "user:".len() + 32);
        assert_ne!(super::key("user", "bob"), super::key("addr", "bob"));
    }
}
