//! CSV exports (RFC 4180): fields quoted when they need it, and a response that streams the
//! rows as a task produces them, a page at a time, so that an export of a million rows never
//! sits in memory.

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::store::StoreError;

/// One field: quoted when it holds a comma, a quote or a line break (quotes doubled); a field
/// that a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
pub(super) fn field(text: &str) -> Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || text.contains([',', '"', '\n', '\r']);
    if !quoted {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 3);
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// Appends one record, its fields escaped, ended by CRLF.
pub(super) fn record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, text) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(text));
    }
    out.push_str("\r\n");
}

/// Where a producer sends the export, a chunk (some records) at a time.
#[derive(Debug)]
pub(super) struct Chunks(mpsc::Sender<Result<Bytes, std::io::Error>>);

impl Chunks {
    /// Sends a chunk; false when the client went away (stop producing then).
    pub(super) async fn send(&self, chunk: String) -> bool {
        self.0.send(Ok(Bytes::from(chunk))).await.is_ok()
    }
}

/// A `text/csv` attachment named `filename`, whose body `produce` writes on a task of its own;
/// a store error cuts the body short (the client sees an incomplete download) and is logged.
pub(super) fn attachment<F>(filename: &str, produce: impl FnOnce(Chunks) -> F) -> Response
where
    F: Future<Output = Result<(), StoreError>> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(4);
    let errors = sender.clone();
    let work = produce(Chunks(sender));
    tokio::spawn(async move {
        if let Err(err) = work.await {
            tracing::error!(error = %err, "a CSV export failed in the store");
            let _ = errors.send(Err(std::io::Error::other(err.to_string()))).await;
        }
    });
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(Received(receiver)),
    )
        .into_response()
}

/// The receiving end as a stream of chunks.
struct Received(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Received {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let cases = [
            ("alice", "alice"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=SUM(A1)", "\"'=SUM(A1)\""),
            ("-1", "\"'-1\""),
            ("@x", "\"'@x\""),
            ("blog.publish_post", "blog.publish_post"),
        ];
        for (text, csv) in cases {
            assert_eq!(field(text), csv, "{text}");
        }
        let mut out = String::new();
        record(&mut out, ["a", "b,c", ""]);
        assert_eq!(out, "a,\"b,c\",\r\n");
    }
}
