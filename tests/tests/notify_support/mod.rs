//! What the notification tests share: the outbox written and read with raw SQL, and loopback
//! servers, each started by a test and stopped when dropped: an SMTP server (mailin's protocol
//! engine over a tokio listener) that records each mail, and a webhook receiver (axum) that
//! checks each signature itself, with its own HMAC.

#![allow(dead_code)]

pub mod smtp;
pub mod webhook;

use std::future::Future;
use std::time::{Duration, Instant};

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
