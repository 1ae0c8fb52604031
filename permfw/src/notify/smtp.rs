//! Mail over SMTP, through lettre: STARTTLS required or TLS from the first byte (rustls, Mozilla's
//! root certificates), or none for a server on the same machine.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::error::{DeliveryError, NotifyError};
use super::mail::Mail;
use super::transport::{Encryption, SmtpUrl};

/// A configured SMTP relay; each mail opens its own connection.
#[derive(Clone)]
pub(crate) struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    /// Sets up the relay, TLS included, so that a TLS problem shows at startup.
    pub(crate) fn new(url: &SmtpUrl, timeout: Duration, shown_as: &str) -> Result<Self, NotifyError> {
        let tls_error = |err: lettre::transport::smtp::Error| NotifyError::Tls {
            transport: shown_as.to_owned(),
            reason: err.to_string(),
        };
        let tls = match url.tls {
            Encryption::None => LettreTls::None,
            Encryption::StartTls => LettreTls::Required(TlsParameters::new(url.host.clone()).map_err(tls_error)?),
            Encryption::Implicit => LettreTls::Wrapper(TlsParameters::new(url.host.clone()).map_err(tls_error)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some((user, password)) = &url.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpSender { transport: builder.build() })
    }

    /// Sends one mail.
    pub(crate) async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        self.transport.send(message).await.map(drop).map_err(|err| DeliveryError::Smtp(err.to_string()))
    }
}

/// The mail as a MIME message: plain text and HTML alternatives, and a Message-ID made from the
/// notification, so a mail sent twice (after a crash between the send and its record) shows once.
pub(crate) fn message(mail: &Mail, from: &Mailbox, id: i64, created_at: i64) -> Result<Message, DeliveryError> {
    if mail.email.trim().is_empty() {
        return Err(DeliveryError::NoAddress { recipient: mail.recipient.clone() });
    }
    let address =
        mail.email.trim().parse().map_err(|err: lettre::address::AddressError| DeliveryError::BadAddress {
            recipient: mail.recipient.clone(),
            email: mail.email.clone(),
            reason: err.to_string(),
        })?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(Some(mail.recipient.clone()), address))
        .subject(mail.subject.clone())
        .message_id(Some(format!("<permfw.notification.{id}.{created_at}@{domain}>")))
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|err| DeliveryError::Message(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(email: &str) -> Mail {
        Mail {
            recipient: "grace".into(),
            email: email.into(),
            subject: "Access request #1: alice asks for group Senior Writers".into(),
            text: "Hello grace,\n".into(),
            html: "<p>Hello grace,</p>".into(),
            link: None,
        }
    }

    #[test]
    fn a_message_has_both_parts_and_a_stable_id() {
        let from: Mailbox = "permfw <noreply@example.com>".parse().unwrap();
        let built = message(&mail("grace@example.com"), &from, 5, 99).unwrap();
        let raw = String::from_utf8(built.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <permfw.notification.5.99@example.com>"), "{raw}");
        assert!(raw.contains("To: grace <grace@example.com>"), "{raw}");
        assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"));
    }

    #[test]
    fn no_address_or_a_wrong_one_is_permanent() {
        let from: Mailbox = "noreply@example.com".parse().unwrap();
        let err = message(&mail(""), &from, 1, 1).unwrap_err();
        assert!(matches!(err, DeliveryError::NoAddress { .. }) && err.is_permanent());
        let err = message(&mail("not an address"), &from, 1, 1).unwrap_err();
        assert!(matches!(err, DeliveryError::BadAddress { .. }) && err.is_permanent());
    }
}
