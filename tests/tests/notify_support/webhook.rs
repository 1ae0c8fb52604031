//! A webhook receiver on loopback (axum) that checks each request's signature itself, with its
//! own HMAC, and records what it received.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request the webhook received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// When it arrived.
    pub at: Instant,
    /// What the receiver answered.
    pub status: u16,
    /// Whether the signature and the timestamp checked out.
    pub signed: bool,
    /// The timestamp header.
    pub timestamp: String,
    /// The signature header.
    pub signature: String,
    /// The raw body.
    pub raw: Vec<u8>,
    /// The body, parsed.
    pub body: serde_json::Value,
}

struct Hook {
    secret: Vec<u8>,
    up: AtomicBool,
    delay: Duration,
    hits: Mutex<Vec<Hit>>,
}

/// A webhook receiver on loopback: answers 200 to a correctly signed, fresh request while up,
/// 503 while down, 401 to a bad signature.
pub struct WebhookServer {
    pub url: String,
    hook: Arc<Hook>,
    task: JoinHandle<()>,
}

impl WebhookServer {
    /// Starts a receiver that checks signatures with `secret`, answering after `delay`.
    pub async fn start(secret: &str, up: bool, delay: Duration) -> Self {
        let hook = Arc::new(Hook {
            secret: secret.as_bytes().to_vec(),
            up: AtomicBool::new(up),
            delay,
            hits: Mutex::default(),
        });
        let app = axum::Router::new().route("/hooks/permfw", axum::routing::post(receive)).with_state(hook.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/permfw", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        WebhookServer { url, hook, task }
    }

    /// Turns the receiver up (200) or down (503).
    pub fn set_up(&self, up: bool) {
        self.hook.up.store(up, Ordering::SeqCst);
    }

    /// Every request received so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hook.hits.lock().unwrap().clone()
    }

    /// The requests answered 200 so far.
    pub fn accepted(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|hit| hit.status == 200).collect()
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (timestamp, signature) = (header("x-permfw-timestamp"), header("x-permfw-signature"));
    let signed = signature_checks(&hook.secret, &timestamp, &signature, &body);
    let status = match (signed, hook.up.load(Ordering::SeqCst)) {
        (false, _) => StatusCode::UNAUTHORIZED,
        (true, false) => StatusCode::SERVICE_UNAVAILABLE,
        (true, true) => StatusCode::OK,
    };
    if !hook.delay.is_zero() {
        tokio::time::sleep(hook.delay).await;
    }
    hook.hits.lock().unwrap().push(Hit {
        at: Instant::now(),
        status: status.as_u16(),
        signed,
        timestamp,
        signature,
        raw: body.to_vec(),
        body: serde_json::from_slice(&body).unwrap_or_default(),
    });
    status
}

/// The receiver's own check, independent of permfw's: `sha256=` and the hex HMAC-SHA256 of
/// `"<timestamp>.<body>"`, with a timestamp within five minutes of now.
fn signature_checks(secret: &[u8], timestamp: &str, signature: &str, body: &[u8]) -> bool {
    let Ok(sent) = timestamp.parse::<u64>() else { return false };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    if now.abs_diff(sent) > 300 {
        return false;
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    signature == format!("sha256={expected}")
}
