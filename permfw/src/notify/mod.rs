//! Notifications: the store writes each one (a new access request to its approvers, a decision
//! or an expiry to the requester, an invitation) to its outbox in the same transaction as the
//! event; a [`Notifier`]'s worker delivers them by SMTP, a signed webhook, or the log.
//!
//! ```no_run
//! use permfw::notify::NotifierConfig;
//! use permfw::store::Store;
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::open("sqlite://blog.db").await?;
//! // Read from the configuration; an unusable one is an error here, not at the first send.
//! let notifier = NotifierConfig::new("smtp://mailer:s3cret@mail.example.com:587")
//!     .from("Blog <noreply@example.com>")
//!     .admin_url("https://blog.example.com/admin")
//!     .build()?;
//! let worker = notifier.spawn(store.clone());
//! // ... serve; on shutdown:
//! worker.abort();
//! # Ok(()) }
//! ```
//!
//! - [`Transport`]: the URL-like configuration. `log` (prints each mail, the development
//!   default), `smtp://user:password@host:587` (STARTTLS, required; `?tls=none` for a local
//!   server), `smtps://user:password@host:465` (TLS from the first byte), and
//!   `https://hooks.example/permfw` (a webhook).
//! - [`Notifier::render`] makes each event a [`Mail`]: a subject, a plain-text and an HTML part
//!   (every value escaped), and the link to act on: `{admin_url}/requests/{id}` in the admin,
//!   or an invitation's link.
//! - [`Notifier::run`] is the worker: it claims due notifications for a lease, delivers each,
//!   and records it delivered, or due again after a wait that doubles from 1 s up to an hour,
//!   or given up after the last attempt (kept with its error). It wakes on this process's
//!   commits at once and polls for other processes' every 250 ms. A worker that dies loses
//!   nothing: what it had claimed is due again after the lease, for another worker.
//! - A webhook receives a POST of JSON: `id`, `created_at` (RFC 3339), `event`, `recipient`,
//!   `email`, `payload` (the event's facts), and the mail's `subject`, `text` and `link`; headers
//!   [`X-Permfw-Timestamp`](TIMESTAMP_HEADER) (Unix seconds) and
//!   [`X-Permfw-Signature`](SIGNATURE_HEADER): `sha256=` and the hex HMAC-SHA256 of
//!   `"<timestamp>.<body>"` under the shared secret. Any answer but 2xx is tried again.
//!   [`verify_webhook`] checks one.
//!
//! Delivery is at least once: a send whose record was lost (the process died in between) is
//! repeated after the lease, with the same id.
//!
//! The log transport, as the blog uses it:
//!
//! ```
//! use permfw::notify::NotifierConfig;
//! use permfw::store::Store;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::open("sqlite::memory:").await?;
//! store.migrate().await?;
//! let notifier = NotifierConfig::new("log").build()?;
//! let round = notifier.deliver_due(&store).await?; // what the worker does in a loop
//! assert_eq!(round.claimed, 0);
//! assert_eq!(store.undelivered_notifications().await?, 0);
//! # Ok(()) }
//! ```

mod error;
mod mail;
mod notifier;
mod smtp;
mod transport;
mod webhook;
mod worker;

pub use self::error::{DeliveryError, NotifyError};
pub use self::mail::Mail;
pub use self::notifier::{Notifier, NotifierConfig};
pub use self::transport::Transport;
pub use self::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_webhook};
pub use self::worker::Round;
