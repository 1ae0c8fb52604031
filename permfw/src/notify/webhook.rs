//! The webhook: each notification POSTed as JSON, signed with HMAC-SHA256 over
//! `"<timestamp>.<body>"` so that the receiver knows it came from us and is fresh.
//!
//! ureq (blocking, on tokio's blocking pool) rather than a hyper client: it is already the
//! workspace's HTTP client, it brings TLS (the same rustls, ring and roots as the SMTP transport)
//! and timeouts in one setting, and a notifier may run in a process without axum, where hyper's
//! client would be a new dependency plus code of our own for connections, TLS and SNI.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::error::DeliveryError;
use super::mail::Mail;
use crate::store::OutboxMessage;
use crate::store::time::rfc3339;

/// The header carrying the time of signing, in seconds since the Unix epoch.
pub const TIMESTAMP_HEADER: &str = "X-Permfw-Timestamp";
/// The header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub const SIGNATURE_HEADER: &str = "X-Permfw-Signature";

/// A configured webhook.
#[derive(Clone)]
pub(crate) struct WebhookSender {
    url: String,
    secret: Vec<u8>,
    agent: ureq::Agent,
}

impl WebhookSender {
    pub(crate) fn new(url: &url::Url, secret: Vec<u8>, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // A signed body goes where it was configured to go, nowhere else.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("permfw/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        WebhookSender { url: url.to_string(), secret, agent }
    }

    /// POSTs one notification; a 2xx answer delivers it.
    pub(crate) async fn send(&self, message: &OutboxMessage, mail: &Mail) -> Result<(), DeliveryError> {
        let body = body(message, mail);
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()).to_string();
        let signature = sign(&self.secret, &timestamp, body.as_bytes());
        let (agent, url) = (self.agent.clone(), self.url.clone());
        let sent = tokio::task::spawn_blocking(move || {
            agent
                .post(&url)
                .header("Content-Type", "application/json")
                .header(TIMESTAMP_HEADER, &timestamp)
                .header(SIGNATURE_HEADER, &signature)
                .send(body.as_bytes())
                .map(|response| response.status().as_u16())
        })
        .await
        .map_err(|err| DeliveryError::Http(err.to_string()))?;
        match sent {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(DeliveryError::WebhookStatus { status }),
            Err(ureq::Error::Timeout(_)) => Err(DeliveryError::Http("timed out".into())),
            Err(err) => Err(DeliveryError::Http(err.to_string())),
        }
    }
}

/// The JSON body: the event's facts, and the mail as the other transports would send it (so a
/// chat bridge can post `subject`, `text` and `link` as they are).
fn body(message: &OutboxMessage, mail: &Mail) -> String {
    serde_json::json!({
        "id": message.id,
        "created_at": rfc3339(message.created_at),
        "event": message.event,
        "recipient": message.recipient,
        "email": message.email,
        "payload": message.payload,
        "subject": mail.subject,
        "text": mail.text,
        "link": mail.link,
    })
    .to_string()
}

/// `sha256=<hex>` of HMAC-SHA256 keyed by `secret` over `"<timestamp>.<body>"`.
fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let bytes = mac(secret, timestamp, body).finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 2 * bytes.len());
    hex.push_str("sha256=");
    for byte in bytes.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    hex
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a webhook request as a receiver written in Rust would: the signature header is the
/// HMAC of `"<timestamp>.<body>"` under `secret` (compared in constant time), and the timestamp
/// is within `tolerance` of now (so a captured request cannot be replayed later).
///
/// ```
/// use std::time::Duration;
/// use permfw::notify::verify_webhook;
///
/// // What the receiver read from the request.
/// let (timestamp, signature, body) = ("1700000000", "sha256=00", br#"{"id":1}"#);
/// assert!(!verify_webhook(b"the shared secret", timestamp, signature, body, Duration::from_secs(300)));
/// ```
pub fn verify_webhook(secret: &[u8], timestamp: &str, signature: &str, body: &[u8], tolerance: Duration) -> bool {
    let Ok(sent) = timestamp.trim().parse::<u64>() else { return false };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if now.abs_diff(sent) > tolerance.as_secs() {
        return false;
    }
    let Some(hex) = signature.trim().strip_prefix("sha256=") else { return false };
    let Some(expected) = decode_hex(hex) else { return false };
    mac(secret, timestamp.trim(), body).verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // Python: hmac.new(b'Jefe', b'1700000000.{"id":1}', hashlib.sha256).hexdigest()
        let signature = sign(b"Jefe", "1700000000", br#"{"id":1}"#);
        assert_eq!(signature, "sha256=05b728475104591e6ba9301ccd86c0f18c79ea7330ef9b9869435607a745d2bf");
    }

    #[test]
    fn verify_accepts_fresh_signed_requests_only() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
        let body = br#"{"id":1}"#;
        let signature = sign(b"secret", &now, body);
        let tolerance = Duration::from_secs(300);
        assert!(verify_webhook(b"secret", &now, &signature, body, tolerance));
        assert!(!verify_webhook(b"other", &now, &signature, body, tolerance));
        assert!(!verify_webhook(b"secret", &now, &signature, br#"{"id":2}"#, tolerance));
        assert!(!verify_webhook(b"secret", &now, signature.trim_start_matches("sha256="), body, tolerance));
        let old = (now.parse::<u64>().unwrap() - 3600).to_string();
        assert!(!verify_webhook(b"secret", &old, &sign(b"secret", &old, body), body, tolerance));
        assert!(!verify_webhook(b"secret", "soon", &signature, body, tolerance));
    }
}
