//! An SMTP server on loopback: mailin's protocol engine (the one inside mailin-embedded) over a
//! tokio listener, so that a test can start it on a chosen port and stop it by dropping it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use mailin::{Action, Handler, Response, SessionBuilder, response};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::eventually;

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
