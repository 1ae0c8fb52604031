//! The outbox: a notification is a row written in the same transaction as the event that causes
//! it, so none is sent for a change that rolled back; a worker (see `permfw::notify`) claims due
//! rows, hands them to a transport, and marks each delivered or due again later, so none is lost
//! when a process dies between the commit and the send.

use std::time::Duration;

use super::error::Result;
use super::tx::Tx;
use super::{Store, now_micros};

/// A notification waiting in the outbox, as a worker claims it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OutboxMessage {
    /// Its id.
    pub id: i64,
    /// When the event happened, in microseconds since the Unix epoch.
    pub created_at: i64,
    /// What happened: `request_created`, `request_approved`, `request_denied`,
    /// `request_expired`, `grant_expired`.
    pub event: String,
    /// The username of whom it is for.
    pub recipient: String,
    /// Their email address (may be empty: a webhook or the log still carries it).
    pub email: String,
    /// The event's facts (the request, who asked for what, who decided, ...).
    pub payload: serde_json::Value,
    /// How many times it was claimed, this time included.
    pub attempts: i64,
}

/// id, created at, event, recipient, email, payload, attempts.
type OutboxRow = (i64, i64, String, String, String, String, i64);

impl Tx {
    /// Writes a notification to the outbox, in this transaction.
    pub(crate) async fn notify(
        &mut self,
        event: &str,
        recipient: &str,
        email: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        let sql = self.sql().insert_outbox;
        let payload = payload.to_string();
        let now = now_micros();
        self.execute(sql, &[now.into(), event.into(), recipient.into(), email.into(), payload.as_str().into()]).await?;
        Ok(())
    }
}

impl Store {
    /// Claims up to `limit` notifications that are due, for `lease`: a claimed one is due again
    /// after the lease unless marked [delivered](Self::notification_delivered) or
    /// [failed](Self::notification_failed) first, so that a worker that dies loses none. Two
    /// workers never claim the same notification within a lease.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn claim_notifications(&self, limit: u32, lease: Duration) -> Result<Vec<OutboxMessage>> {
        let now = now_micros();
        let until = now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().claim_outbox;
        let mut rows: Vec<OutboxRow> =
            conn.fetch_all(sql, &[until.into(), now.into(), i64::from(limit.max(1)).into()]).await?;
        rows.sort_by_key(|row| row.0);
        Ok(rows
            .into_iter()
            .map(|(id, created_at, event, recipient, email, payload, attempts)| OutboxMessage {
                id,
                created_at,
                event,
                recipient,
                email,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts,
            })
            .collect())
    }

    /// Marks a claimed notification delivered: it is never claimed again. An invitation's link
    /// leaves the outbox with it: the delivered row keeps no token that would still open the
    /// account.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn notification_delivered(&self, id: i64) -> Result<()> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().outbox_delivered;
        conn.execute(sql, &[now_micros().into(), id.into()]).await?;
        Ok(())
    }

    /// Records a failed delivery: due again at `retry_at` (microseconds since the Unix epoch),
    /// or, with `None`, given up (kept, with its error, for an operator to read).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn notification_failed(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().outbox_failed;
        conn.execute(sql, &[retry_at.unwrap_or(i64::MAX).into(), error.into(), id.into()]).await?;
        Ok(())
    }

    /// How many notifications are not delivered yet (given-up ones included).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn undelivered_notifications(&self) -> Result<i64> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().count_undelivered;
        let (count,): (i64,) = conn.fetch_one(sql, &[]).await?;
        Ok(count)
    }

    /// Resolves when a change of this process may have written notifications (a worker waits
    /// on it, and also polls for other processes' changes).
    pub async fn notifications_written(&self) {
        self.inner.outbox_written.notified().await;
    }

    /// Wakes this process's workers after a commit that wrote notifications.
    pub(crate) fn wake_outbox(&self) {
        self.inner.outbox_written.notify_waiters();
    }
}
