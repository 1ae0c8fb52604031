//! The notifier: its configuration, checked whole when built, and the delivery of one
//! notification through the configured transport.

use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;

use super::error::{DeliveryError, NotifyError};
use super::mail::{Mail, render};
use super::smtp::{SmtpSender, message};
use super::transport::{Kind, Transport};
use super::webhook::WebhookSender;
use crate::store::OutboxMessage;

/// The shortest webhook secret accepted.
const MIN_SECRET: usize = 16;

/// A [`Notifier`]'s configuration, built step by step and checked whole by
/// [`build`](Self::build): a transport that cannot work is an error at startup, never at the
/// first send.
///
/// ```
/// use permfw::notify::NotifierConfig;
///
/// let notifier = NotifierConfig::new("smtps://mailer:s3cret@mail.example.com")
///     .from("Example <noreply@example.com>")
///     .admin_url("https://example.com/admin")
///     .build()?;
/// assert_eq!(notifier.transport().to_string(), "smtps://mailer:***@mail.example.com:465");
///
/// let err = NotifierConfig::new("https://hooks.example/permfw").build().unwrap_err();
/// assert!(err.to_string().contains("set a secret"));
/// # Ok::<(), permfw::notify::NotifyError>(())
/// ```
#[derive(Clone)]
pub struct NotifierConfig {
    transport: String,
    from: String,
    admin_url: String,
    webhook_secret: Option<Vec<u8>>,
    max_attempts: u32,
    batch: u32,
    lease: Duration,
    poll_interval: Duration,
    timeout: Duration,
}

impl NotifierConfig {
    /// A configuration sending through `transport` (see [`Transport`] for the forms), with the
    /// defaults: from `permfw <noreply@localhost>`, the admin at `http://localhost:8000/admin`,
    /// 20 attempts, batches of 50, a lease of 30 s, a poll every 250 ms and a send timeout of 10 s.
    pub fn new(transport: impl Into<String>) -> Self {
        NotifierConfig {
            transport: transport.into(),
            from: "permfw <noreply@localhost>".into(),
            admin_url: "http://localhost:8000/admin".into(),
            webhook_secret: None,
            max_attempts: 20,
            batch: 50,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(250),
            timeout: Duration::from_secs(10),
        }
    }

    /// The sender of each mail, as `Name <address>` or a bare address.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = from.into();
        self
    }

    /// Where people open the admin (`https://example.com/admin`): each mail links to
    /// `{admin_url}/requests/{id}`, and an invitation to `{admin_url}/invitation/{token}`. It is
    /// configured, as Django's sites framework names the domain of its password-reset mails,
    /// so that no request's `Host` header can point a link elsewhere.
    pub fn admin_url(mut self, admin_url: impl Into<String>) -> Self {
        self.admin_url = admin_url.into();
        self
    }

    /// The secret a webhook signs with (required for a webhook, at least 16 bytes); the receiver
    /// checks `X-Permfw-Signature` with the same (see [`verify_webhook`](super::verify_webhook)).
    pub fn webhook_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.webhook_secret = Some(secret.as_ref().to_vec());
        self
    }

    /// How many times a notification is tried before it is given up (kept in the outbox with
    /// its last error). The waits between tries double from 1 s up to an hour; with the default
    /// of 20, a notification is tried for about ten hours.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// How many notifications a worker claims at once (default 50).
    pub fn batch_size(mut self, batch: u32) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// How long a claim lasts (default 30 s): a notification that a worker claimed and neither
    /// delivered nor failed (it died) is due again after it. At least twice the send timeout.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often a worker looks for notifications written by other processes (default 250 ms;
    /// this process's own are delivered at once).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long one send may take before it counts as failed (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Checks the configuration and builds the notifier: the transport's URL, the sender, the
    /// admin's URL, the webhook's secret and TLS are all checked here.
    ///
    /// # Errors
    ///
    /// A [`NotifyError`] naming what is wrong and what to write instead.
    pub fn build(self) -> Result<Notifier, NotifyError> {
        let transport = Transport::parse(&self.transport)?;
        let from: Mailbox = self.from.trim().parse().map_err(|err: lettre::address::AddressError| {
            NotifyError::From { from: self.from.clone(), reason: err.to_string() }
        })?;
        let admin_url = admin_url(&self.admin_url)?;
        if self.lease < self.timeout * 2 {
            return Err(NotifyError::Lease { lease: self.lease, timeout: self.timeout });
        }
        let sender = match &transport.kind {
            Kind::Log => Sender::Log,
            Kind::Smtp(url) => Sender::Smtp(SmtpSender::new(url, self.timeout, &transport.to_string())?),
            Kind::Webhook(url) => match self.webhook_secret {
                Some(secret) if secret.len() >= MIN_SECRET => {
                    Sender::Webhook(WebhookSender::new(url, secret, self.timeout))
                }
                _ => return Err(NotifyError::WebhookSecret { min: MIN_SECRET }),
            },
        };
        Ok(Notifier {
            inner: Arc::new(Inner {
                transport,
                sender,
                from,
                admin_url,
                max_attempts: self.max_attempts,
                batch: self.batch,
                lease: self.lease,
                poll_interval: self.poll_interval,
                timeout: self.timeout,
            }),
        })
    }
}

impl fmt::Debug for NotifierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifierConfig")
            .field("transport", &super::transport::redact(&self.transport))
            .field("from", &self.from)
            .field("admin_url", &self.admin_url)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "***"))
            .field("max_attempts", &self.max_attempts)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("poll_interval", &self.poll_interval)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The admin's URL, checked, without a trailing slash.
fn admin_url(url: &str) -> Result<String, NotifyError> {
    let wrong = |reason: &str| NotifyError::AdminUrl { url: url.to_owned(), reason: reason.to_owned() };
    let parsed = url::Url::parse(url.trim()).map_err(|_| wrong("is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(wrong("is not an http:// or https:// address"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(wrong("has a `?query` or `#fragment`"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// Delivers the outbox's notifications through one transport: render each as a [`Mail`], send
/// it, and (in [`run`](Self::run)) record the outcome. Cheap to clone; built by
/// [`NotifierConfig::build`].
#[derive(Clone)]
pub struct Notifier {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    transport: Transport,
    sender: Sender,
    from: Mailbox,
    admin_url: String,
    pub(super) max_attempts: u32,
    pub(super) batch: u32,
    pub(super) lease: Duration,
    pub(super) poll_interval: Duration,
    pub(super) timeout: Duration,
}

enum Sender {
    Log,
    Smtp(SmtpSender),
    Webhook(WebhookSender),
}

impl Notifier {
    /// The transport, as configured (its password hidden when shown).
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The mail a notification becomes: subject, plain text, HTML and the link to act on.
    pub fn render(&self, message: &OutboxMessage) -> Mail {
        render(message, &self.inner.admin_url)
    }

    /// Sends one notification through the transport, within the send timeout. It does not touch
    /// the outbox: [`run`](Self::run) records the outcome.
    ///
    /// # Errors
    ///
    /// The transport refused it or could not be reached ([`DeliveryError::is_permanent`] says
    /// whether trying again can help).
    pub async fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let timeout = self.inner.timeout;
        match tokio::time::timeout(timeout, self.send(message)).await {
            Ok(sent) => sent,
            Err(_) => Err(DeliveryError::Timeout(timeout)),
        }
    }

    async fn send(&self, notification: &OutboxMessage) -> Result<(), DeliveryError> {
        let mail = self.render(notification);
        match &self.inner.sender {
            Sender::Log => {
                self.print(notification, &mail);
                Ok(())
            }
            Sender::Smtp(smtp) => {
                smtp.send(message(&mail, &self.inner.from, notification.id, notification.created_at)?).await
            }
            Sender::Webhook(webhook) => webhook.send(notification, &mail).await,
        }
    }

    /// The log transport: the mail's headers and plain text on standard output, in one write.
    fn print(&self, notification: &OutboxMessage, mail: &Mail) {
        let to =
            if mail.email.is_empty() { mail.recipient.clone() } else { format!("{} <{}>", mail.recipient, mail.email) };
        let printed = format!(
            "---------- notification {} ({}) ----------\nFrom: {}\nTo: {to}\nSubject: {}\n\n{}\
             ---------- end of notification {} ----------\n",
            notification.id, notification.event, self.inner.from, mail.subject, mail.text, notification.id
        );
        let _ = std::io::stdout().lock().write_all(printed.as_bytes());
    }
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("transport", &self.inner.transport)
            .field("from", &self.inner.from.to_string())
            .field("admin_url", &self.inner.admin_url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(config: NotifierConfig) -> String {
        config.build().unwrap_err().to_string()
    }

    #[test]
    fn a_configuration_that_cannot_work_fails_at_build() {
        assert!(error(NotifierConfig::new("smtp://x?tls=maybe")).contains("tls=maybe"));
        assert!(error(NotifierConfig::new("log").from("not a mailbox")).contains("not a mail address"));
        assert!(error(NotifierConfig::new("log").admin_url("localhost:8000")).contains("http://"));
        assert!(error(NotifierConfig::new("log").admin_url("ftp://example.com")).contains("http://"));
        assert!(error(NotifierConfig::new("http://127.0.0.1:1/hook")).contains("set a secret"));
        assert!(error(NotifierConfig::new("http://127.0.0.1:1/hook").webhook_secret("short")).contains("16 bytes"));
        let lease = NotifierConfig::new("log").lease(Duration::from_secs(5)).timeout(Duration::from_secs(5));
        assert!(error(lease).contains("lease"));
    }

    #[test]
    fn every_transport_builds_and_secrets_stay_hidden() {
        for transport in
            ["log", "smtp://u:pw@mail.example.com", "smtps://mail.example.com", "smtp://localhost?tls=none"]
        {
            NotifierConfig::new(transport).build().unwrap();
        }
        let config = NotifierConfig::new("https://u:pw@hooks.example/p?token=t").webhook_secret("0123456789abcdef0123");
        assert!(!format!("{config:?}").contains("pw") && !format!("{config:?}").contains("0123456789"));
        let notifier = config.admin_url("https://example.com/admin/").build().unwrap();
        assert!(!format!("{notifier:?}").contains("pw") && !format!("{notifier:?}").contains("token=t"));
        assert_eq!(notifier.inner.admin_url, "https://example.com/admin");
    }
}
