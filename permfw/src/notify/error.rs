//! Notification errors: a configuration that cannot work (found when the [`Notifier`] is built,
//! never at the first send), and a delivery that failed (kept as the notification's last error).
//!
//! [`Notifier`]: super::Notifier

use std::time::Duration;

/// A notifier's configuration that cannot work. Each says what to write instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The transport's URL cannot be used (its password is shown as `***`).
    #[error("notification transport `{transport}`: {reason}")]
    Transport {
        /// The transport as configured, password hidden.
        transport: String,
        /// What is wrong, and what to write instead.
        reason: String,
    },
    /// The sender is not a mailbox.
    #[error(
        "notification sender `{from}` is not a mail address ({reason}); write it as `permfw <noreply@example.com>`"
    )]
    From {
        /// The sender as configured.
        from: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The admin's URL, from which the links in each mail are made, cannot be used.
    #[error("admin URL `{url}` {reason}; write the address people open the admin at, e.g. `https://example.com/admin`")]
    AdminUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A webhook transport needs a secret to sign each notification with.
    #[error(
        "a webhook transport signs each notification: set a secret of at least {min} bytes with \
         `NotifierConfig::webhook_secret` (e.g. 32 random bytes, hex-encoded), and give the receiver the same"
    )]
    WebhookSecret {
        /// The shortest secret accepted.
        min: usize,
    },
    /// A claimed notification must be sent before its lease runs out, or a second worker could
    /// send it too.
    #[error("the lease ({lease:?}) must be at least twice the send timeout ({timeout:?}); lengthen the lease")]
    Lease {
        /// The lease configured.
        lease: Duration,
        /// The send timeout configured.
        timeout: Duration,
    },
    /// The SMTP transport's TLS could not be set up.
    #[error("notification transport `{transport}`: TLS cannot be set up: {reason}")]
    Tls {
        /// The transport, password hidden.
        transport: String,
        /// Why.
        reason: String,
    },
}

/// Why one notification was not delivered. Kept in the outbox as its last error; the worker
/// tries again later unless [permanent](Self::is_permanent) or out of attempts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The recipient has no email address, so no mail can be sent.
    #[error("user `{recipient}` has no email address; set one to have notifications mailed")]
    NoAddress {
        /// The recipient's username.
        recipient: String,
    },
    /// The recipient's email address is not one.
    #[error("user `{recipient}` has email address `{email}`, which is not one: {reason}")]
    BadAddress {
        /// The recipient's username.
        recipient: String,
        /// The address.
        email: String,
        /// Why it is not one.
        reason: String,
    },
    /// The mail could not be put together.
    #[error("the mail cannot be built: {0}")]
    Message(String),
    /// The SMTP server refused, or could not be reached.
    #[error("SMTP: {0}")]
    Smtp(String),
    /// The webhook answered with a status other than 2xx.
    #[error("the webhook answered HTTP {status}")]
    WebhookStatus {
        /// The status.
        status: u16,
    },
    /// The webhook could not be reached.
    #[error("the webhook cannot be reached: {0}")]
    Http(String),
    /// The transport did not answer in time (it may still have delivered).
    #[error("the transport did not answer within {0:?}")]
    Timeout(Duration),
}

impl DeliveryError {
    /// Whether trying again cannot help (the mail has no valid address to go to).
    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::NoAddress { .. } | DeliveryError::BadAddress { .. } | DeliveryError::Message(_))
    }
}
