//! What the notification tests share: the outbox written and read with raw SQL, and loopback
//! servers, each started by a test and stopped when dropped: an SMTP server (mailin's protocol
//! engine over a tokio listener) that records each mail, and a webhook receiver (axum) that
//! checks each signature itself, with its own HMAC.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use mailin::{Action, Handler, Response, SessionBuilder, response};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::support::{Db, TestStore};

/// Writes a notification as the store does, by hand (as another process would: no wake-up),
/// and returns its id.
pub async fn enqueue(db: &Db, event: &str, recipient: &str, email: &str, payload: serde_json::Value) -> i64 {
    let now = now_micros();
    let payload = payload.to_string().replace('\'', "''");
    let sql = format!(
        "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
         VALUES ({now}, '{event}', '{recipient}', '{email}', '{payload}', {now})"
    );
    db.execute(&sql).await.unwrap();
    outbox_rows(db).await.last().expect("the row just written").id
}

/// Writes `n` notifications in one statement.
pub async fn enqueue_many(db: &Db, n: usize) {
    let now = now_micros();
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!("({now}, 'request_expired', 'user{i}', 'user{i}@example.com', '{{\"request_id\": {i}}}', {now})")
        })
        .collect();
    let sql = format!(
        "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) VALUES {}",
        rows.join(", ")
    );
    db.execute(&sql).await.unwrap();
}

pub fn now_micros() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    i64::try_from(since.as_micros()).unwrap()
}

/// One row of the outbox, as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

/// Every row of the outbox, by id.
pub async fn outbox_rows(db: &Db) -> Vec<Row> {
    const SQL: &str = "SELECT id, attempts, next_attempt_at, delivered_at, last_error FROM permfw_outbox ORDER BY id";
    type Columns = (i64, i64, i64, Option<i64>, Option<String>);
    let rows: Vec<Columns> = match db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter()
        .map(|(id, attempts, next_attempt_at, delivered_at, last_error)| Row {
            id,
            attempts,
            next_attempt_at,
            delivered_at,
            last_error,
        })
        .collect()
}

/// The one row of the outbox of `id`.
pub async fn outbox_row(db: &Db, id: i64) -> Row {
    outbox_rows(db).await.into_iter().find(|row| row.id == id).expect("the row")
}

/// Whether every notification was delivered.
pub async fn nothing_undelivered(store: &TestStore) -> bool {
    store.undelivered_notifications().await.unwrap() == 0
}

/// How long a test waits for something that should take well under a second.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `check` until it holds; panics after [`DEADLINE`] naming `what`.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < DEADLINE, "waited {DEADLINE:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A mail as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// The envelope's sender (`MAIL FROM`).
    pub from: String,
    /// The envelope's recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message: headers and MIME body, dot-unstuffed.
    pub data: String,
}

impl ReceivedMail {
    /// A header's value (the first of that name, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }

    /// The decoded body of the MIME part of `content_type` (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> Option<String> {
        let boundary = self.data.split("boundary=\"").nth(1)?.split('"').next()?.to_owned();
        self.data.split(&format!("--{boundary}")).find_map(|part| {
            let (head, body) = part.split_once("\r\n\r\n")?;
            let head = head.to_ascii_lowercase();
            if !head.contains(&format!("content-type: {content_type}")) {
                return None;
            }
            Some(if head.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable(body)
            } else {
                assert!(!head.contains("base64"), "a base64 part; these tests send ASCII: {head}");
                body.replace("\r\n", "\n")
            })
        })
    }
}

/// Decodes quoted-printable (RFC 2045): soft line breaks and `=XX`.
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("\r\n", "\n");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(byte) = joined.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8")
}

/// An SMTP server on loopback.
pub struct SmtpServer {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    logins: Arc<Mutex<Vec<(String, String)>>>,
    task: JoinHandle<()>,
}

#[derive(Clone)]
struct Recorder {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    logins: Arc<Mutex<Vec<(String, String)>>>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        (self.from, self.to) = (from.to_owned(), to.to_vec());
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let data = String::from_utf8_lossy(&self.data).into_owned();
        self.mails.lock().unwrap().push(ReceivedMail { from: self.from.clone(), to: self.to.clone(), data });
        response::OK
    }

    fn auth_plain(&mut self, _authorization: &str, user: &str, password: &str) -> Response {
        self.logins.lock().unwrap().push((user.to_owned(), password.to_owned()));
        response::AUTH_OK
    }
}

impl SmtpServer {
    /// A server on a free loopback port, without TLS or authentication.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), false).await
    }

    /// A server on `addr`; with `login`, it offers AUTH PLAIN (over plain text: a test server).
    pub async fn start_on(addr: SocketAddr, login: bool) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP server");
        let addr = listener.local_addr().unwrap();
        let mut builder = SessionBuilder::new("smtp.test");
        if login {
            builder.enable_auth(mailin::AuthMechanism::Plain).insecure_enable_plaintext_auth();
        }
        let recorder = Recorder {
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
            mails: Arc::default(),
            logins: Arc::default(),
        };
        let (mails, logins) = (recorder.mails.clone(), recorder.logins.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else { continue };
                let mut session = builder.build(peer.ip(), recorder.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut read = BufReader::new(read);
                    let greeting = session.greeting().buffer().unwrap();
                    if write.write_all(&greeting).await.is_err() {
                        return;
                    }
                    let mut line = Vec::new();
                    loop {
                        line.clear();
                        if read.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let answer = session.process(&line);
                        match answer.action {
                            Action::NoReply => {}
                            Action::Reply | Action::UpgradeTls => {
                                if write.write_all(&answer.buffer().unwrap()).await.is_err() {
                                    return;
                                }
                            }
                            Action::Close => {
                                let _ = write.write_all(&answer.buffer().unwrap()).await;
                                return;
                            }
                        }
                    }
                });
            }
        });
        SmtpServer { addr, mails, logins, task }
    }

    /// The mails received so far.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }

    /// The AUTH PLAIN logins received so far, as (user, password).
    pub fn logins(&self) -> Vec<(String, String)> {
        self.logins.lock().unwrap().clone()
    }

    /// Waits until `n` mails arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        eventually(&format!("{n} mails"), || async { self.mails().len() >= n }).await;
        self.mails()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

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
