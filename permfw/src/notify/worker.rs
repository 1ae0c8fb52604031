//! The worker: claim due notifications for a lease, deliver each, record delivered or failed
//! (due again after a doubling wait, or given up), then wait for this process's next commit that
//! wrote some, or for the poll interval (other processes' commits).

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::notifier::Notifier;
use crate::store::{Store, StoreError, now_micros};

/// The longest wait between two tries of a notification.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The longest wait after the store itself failed (the database is down).
const MAX_STORE_BACKOFF: Duration = Duration::from_secs(30);

/// What one [`Notifier::deliver_due`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Round {
    /// Notifications claimed.
    pub claimed: usize,
    /// Delivered and marked so.
    pub delivered: usize,
    /// Failed, due again later.
    pub retried: usize,
    /// Failed for good: out of attempts, or no address to send to.
    pub given_up: usize,
    /// Claimed but not tried, because the lease was about to run out; due again after it.
    pub left: usize,
}

impl Notifier {
    /// Starts the worker on the current tokio runtime: [`run`](Self::run) in a task. Abort the
    /// handle (or drop the runtime) to stop it; a notification it had claimed and not recorded
    /// is delivered by the next worker after the lease.
    pub fn spawn(&self, store: Store) -> JoinHandle<()> {
        let notifier = self.clone();
        tokio::spawn(async move { notifier.run(&store).await })
    }

    /// The worker's loop; it never returns. Any number of workers, in any number of processes,
    /// may run on one database: each notification is claimed by one of them at a time.
    ///
    /// A notification is delivered at least once: if the process dies between a send and its
    /// record, it is sent again after the lease. Each carries its id (the webhook's `id`, the
    /// mail's `Message-ID`) so that a receiver can drop the repeat.
    pub async fn run(&self, store: &Store) {
        let mut store_failures = 0u32;
        loop {
            // Listen before claiming, so that a commit between the claim and the wait wakes us.
            let mut written = pin!(store.notifications_written());
            let woken = std::future::poll_fn(|cx| Poll::Ready(written.as_mut().poll(cx).is_ready())).await;
            let wait = match self.deliver_due(store).await {
                Ok(round) => {
                    store_failures = 0;
                    if woken || round.claimed >= self.inner.batch as usize {
                        continue; // more may be due already
                    }
                    self.inner.poll_interval
                }
                Err(err) => {
                    store_failures = store_failures.saturating_add(1);
                    let wait = doubling(self.inner.poll_interval, store_failures, MAX_STORE_BACKOFF);
                    tracing::warn!(error = %err, retry_in = ?wait, "permfw notify: cannot read the outbox");
                    wait
                }
            };
            if woken {
                tokio::time::sleep(wait).await; // `written` has fired already
            } else {
                let _ = tokio::time::timeout(wait, written).await;
            }
        }
    }

    /// One round of the worker: claims the due notifications (up to the batch size), delivers
    /// each and records the outcome. A command line or a scheduled job can call it alone.
    ///
    /// # Errors
    ///
    /// A database error (claiming, or recording an outcome).
    pub async fn deliver_due(&self, store: &Store) -> Result<Round, StoreError> {
        let inner = &self.inner;
        let claimed_at = Instant::now();
        let claimed = store.claim_notifications(inner.batch, inner.lease).await?;
        let mut round = Round { claimed: claimed.len(), ..Round::default() };
        // A send may take up to the timeout; none starts unless it can end within the lease,
        // when another worker could claim the same notification.
        let last_start = inner.lease.saturating_sub(inner.timeout);
        for message in &claimed {
            if claimed_at.elapsed() >= last_start {
                round.left += 1;
                continue;
            }
            match self.deliver(message).await {
                Ok(()) => {
                    store.notification_delivered(message.id).await?;
                    tracing::debug!(id = message.id, event = %message.event, "permfw notify: delivered");
                    round.delivered += 1;
                }
                Err(err) => {
                    let error = err.to_string();
                    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
                    if err.is_permanent() || attempts >= inner.max_attempts {
                        store.notification_failed(message.id, &error, None).await?;
                        tracing::error!(id = message.id, event = %message.event, attempts, %error,
                            "permfw notify: given up");
                        round.given_up += 1;
                    } else {
                        let wait = retry_wait(attempts);
                        let retry_at = now_micros().saturating_add(i64::try_from(wait.as_micros()).unwrap_or(i64::MAX));
                        store.notification_failed(message.id, &error, Some(retry_at)).await?;
                        tracing::warn!(id = message.id, event = %message.event, attempts, %error, retry_in = ?wait,
                            "permfw notify: not delivered, will try again");
                        round.retried += 1;
                    }
                }
            }
        }
        Ok(round)
    }
}

/// The wait after the `attempts`-th failed try: 1 s, 2 s, 4 s, ... up to an hour.
pub(crate) fn retry_wait(attempts: u32) -> Duration {
    doubling(Duration::from_secs(1), attempts, MAX_BACKOFF)
}

/// `first`, doubled for each step after the first, at most `max`.
fn doubling(first: Duration, step: u32, max: Duration) -> Duration {
    let factor = 1u32.checked_shl(step.saturating_sub(1)).unwrap_or(u32::MAX);
    first.checked_mul(factor).map_or(max, |wait| wait.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let secs: Vec<u64> = (1..=14).map(|n| retry_wait(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]);
        assert_eq!(retry_wait(0), Duration::from_secs(1));
        assert_eq!(retry_wait(40), MAX_BACKOFF);
        assert_eq!(retry_wait(u32::MAX), MAX_BACKOFF);
    }
}
