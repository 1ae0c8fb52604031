//! The worker against a webhook receiver on loopback, on SQLite and on PostgreSQL: signed JSON
//! that the receiver checks with its own HMAC; retries that wait longer each time while the
//! receiver is down, then one delivery once it is up; giving up with the error kept; a worker
//! that dies after claiming; several workers on one database delivering each notification once.

mod notify_support;
mod support;

use std::time::Duration;

use notify_support::webhook::WebhookServer;
use notify_support::{enqueue, enqueue_many, eventually, nothing_undelivered, outbox_row, outbox_rows};
use permfw::notify::{NotifierConfig, verify_webhook};
use serde_json::json;
use support::{Db, TestStore};

on_every_backend!(
    the_webhook_receives_signed_json,
    retries_wait_longer_each_time_until_the_receiver_is_up,
    after_the_last_attempt_it_gives_up_keeping_the_error,
    a_worker_that_dies_after_claiming_loses_nothing,
);

const SECRET: &str = "32 bytes of a secret shared, ok!";

fn webhook(hook: &WebhookServer) -> NotifierConfig {
    NotifierConfig::new(&hook.url).webhook_secret(SECRET).admin_url("https://blog.test/admin")
}

/// A few more rounds of a worker, to show that they change nothing.
async fn a_few_more_rounds() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}

async fn the_webhook_receives_signed_json(store: TestStore) {
    let hook = WebhookServer::start(SECRET, true, Duration::ZERO).await;
    let worker = webhook(&hook).build().unwrap().spawn(store.store.clone());
    let payload = json!({"request_id": 5, "policy": "promotion", "target": "group Senior Writers",
                         "decided_by": "grace", "comment": "welcome <aboard>"});
    let id = enqueue(&store.db, "request_approved", "alice", "alice@example.com", payload.clone()).await;
    eventually("the notification delivered", || nothing_undelivered(&store)).await;
    a_few_more_rounds().await;
    worker.abort();

    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hit = &hits[0];
    assert!(hit.signed && hit.status == 200, "the receiver's own check of the signature: {hit:?}");
    assert!(verify_webhook(SECRET.as_bytes(), &hit.timestamp, &hit.signature, &hit.raw, Duration::from_secs(300)));
    assert!(!verify_webhook(
        b"not the shared secret",
        &hit.timestamp,
        &hit.signature,
        &hit.raw,
        Duration::from_secs(300)
    ));
    let body = &hit.body;
    assert_eq!(body["id"], id);
    assert_eq!((body["event"].as_str(), body["recipient"].as_str()), (Some("request_approved"), Some("alice")));
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["payload"], payload);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339: {body}");
    assert_eq!(body["subject"], "Access request #5 approved: group Senior Writers");
    assert_eq!(body["link"], "https://blog.test/admin/requests/5");
    assert!(body["text"].as_str().unwrap().contains("> welcome <aboard>"));
}

async fn retries_wait_longer_each_time_until_the_receiver_is_up(store: TestStore) {
    let hook = WebhookServer::start(SECRET, false, Duration::ZERO).await;
    let worker = webhook(&hook).build().unwrap().spawn(store.store.clone());
    let id = enqueue(&store.db, "request_expired", "alice", "alice@example.com", json!({"request_id": 1})).await;
    eventually("three refused tries", || async { hook.hits().len() >= 3 }).await;
    let row = outbox_row(&store.db, id).await;
    assert!(
        row.delivered_at.is_none() && row.last_error.as_deref() == Some("the webhook answered HTTP 503"),
        "{row:?}"
    );

    hook.set_up(true);
    eventually("the notification delivered once the receiver is up", || nothing_undelivered(&store)).await;
    a_few_more_rounds().await;
    worker.abort();
    let hits = hook.hits();
    assert_eq!(hook.accepted().len(), 1, "delivered once: {hits:?}");
    assert_eq!(hits.last().unwrap().status, 200);
    assert!(hits.iter().all(|hit| hit.signed && hit.body["id"] == id));
    // After the n-th failure the next try waits 2^(n-1) s at least (lower bounds only: a slow
    // machine makes the waits longer, never shorter).
    for (n, pair) in hits.windows(2).enumerate() {
        let (waited, backoff) = (pair[1].at - pair[0].at, Duration::from_secs(1 << n));
        assert!(waited >= backoff.mul_f64(0.9), "try {} came {waited:?} after the one before, not {backoff:?}", n + 2);
    }
    let row = outbox_row(&store.db, id).await;
    assert_eq!(usize::try_from(row.attempts).unwrap(), hits.len(), "every try reached the receiver: {row:?}");
    assert!(row.delivered_at.is_some() && row.last_error.is_none(), "{row:?}");
}

async fn after_the_last_attempt_it_gives_up_keeping_the_error(store: TestStore) {
    let hook = WebhookServer::start(SECRET, false, Duration::ZERO).await;
    let notifier = webhook(&hook).max_attempts(2).build().unwrap();
    let worker = notifier.spawn(store.store.clone());
    let id = enqueue(&store.db, "request_expired", "alice", "alice@example.com", json!({"request_id": 1})).await;
    eventually("the notification given up", || async { outbox_row(&store.db, id).await.next_attempt_at == i64::MAX })
        .await;
    a_few_more_rounds().await;
    worker.abort();
    assert_eq!(hook.hits().len(), 2, "tried twice, then never again");
    let row = outbox_row(&store.db, id).await;
    assert_eq!((row.attempts, row.last_error.as_deref()), (2, Some("the webhook answered HTTP 503")));
    assert_eq!(store.undelivered_notifications().await.unwrap(), 1, "kept, for an operator to read");
    hook.set_up(true);
    assert_eq!(notifier.deliver_due(&store).await.unwrap().claimed, 0);
}

async fn a_worker_that_dies_after_claiming_loses_nothing(store: TestStore) {
    let hook = WebhookServer::start(SECRET, true, Duration::ZERO).await;
    let id = enqueue(&store.db, "request_expired", "alice", "alice@example.com", json!({"request_id": 1})).await;
    // A worker claims it and dies before sending or recording anything.
    let claimed = store.claim_notifications(50, Duration::from_secs(3)).await.unwrap();
    assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), [id]);
    drop(claimed);
    // Within the lease nobody else takes it.
    let notifier = webhook(&hook).build().unwrap();
    assert_eq!(notifier.deliver_due(&store).await.unwrap().claimed, 0);
    // After it, the next worker delivers it, once.
    let worker = notifier.spawn(store.store.clone());
    eventually("the notification delivered after the lease", || nothing_undelivered(&store)).await;
    a_few_more_rounds().await;
    worker.abort();
    assert_eq!(hook.hits().len(), 1);
    assert_eq!(outbox_row(&store.db, id).await.attempts, 2, "the dead worker's claim and the delivery");
}

async fn open(url: &str) -> TestStore {
    let db = Db::open(url).await.unwrap();
    let store = db.store(|o| o).await.unwrap();
    store.migrate().await.unwrap();
    TestStore { store, db }
}

/// Three workers, on two stores (as two processes would have) over one database, deliver each
/// of many notifications exactly once.
async fn several_workers_deliver_each_once(url: &str) {
    let (first, second) = (open(url).await, open(url).await);
    const N: usize = 150;
    enqueue_many(&first.db, N).await;
    let hook = WebhookServer::start(SECRET, true, Duration::from_millis(2)).await;
    let config = webhook(&hook).batch_size(7);
    let workers = [
        config.clone().build().unwrap().spawn(first.store.clone()),
        config.clone().build().unwrap().spawn(second.store.clone()),
        config.build().unwrap().spawn(second.store.clone()),
    ];
    eventually("every notification delivered", || nothing_undelivered(&first)).await;
    a_few_more_rounds().await;
    workers.iter().for_each(|worker| worker.abort());
    let mut ids: Vec<i64> = hook.hits().iter().map(|hit| hit.body["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), N, "as many requests as notifications");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), N, "none twice");
    assert!(outbox_rows(&second.db).await.iter().all(|row| row.attempts == 1 && row.delivered_at.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_workers_on_sqlite_deliver_each_once() {
    several_workers_deliver_each_once(&support::sqlite_file_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_workers_on_postgres_deliver_each_once() {
    if let Some(url) = support::postgres_database().await {
        several_workers_deliver_each_once(&url).await;
    }
}
