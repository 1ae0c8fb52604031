//! Login throttling, per username and per client address: after a few failures in a window,
//! further attempts are refused until it passes, whatever the password.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed logins counted per key (`user:bob`, `addr:10.0.0.7`).
#[derive(Debug)]
pub(crate) struct Throttle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Django-axes' defaults: 5 failures, then a 15-minute wait.
    pub(crate) fn new() -> Self {
        Self { max_failures: 5, window: Duration::from_secs(15 * 60), failures: Mutex::new(HashMap::new()) }
    }

    /// Whether any of `keys` has used up its attempts.
    pub(crate) fn blocked(&self, keys: &[String]) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        failures.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        keys.iter().any(|key| failures.get(key).is_some_and(|(count, _)| *count >= self.max_failures))
    }

    /// Counts a failure against each key.
    pub(crate) fn failed(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            failures.entry(key.clone()).or_insert((0, Instant::now())).0 += 1;
        }
    }

    /// A success clears the username's count (not the address's).
    pub(crate) fn succeeded(&self, user_key: &str) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(user_key);
    }
}
