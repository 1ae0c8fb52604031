//! Freshness across processes: two `Store`s on one database (as two application servers), where
//! a revoke committed by one is seen by the other's next load within a second.

mod support;

use std::time::{Duration, Instant};

use permfw::HasPerms;
use permfw::store::{Actor, Store};

async fn revoke_in_one_is_seen_by_the_other(url: &str) {
    let writer = Store::open(url).await.unwrap();
    writer.migrate().await.unwrap();
    let reader = Store::open(url).await.unwrap();
    writer.create_user(&Actor::System, "bob", "", None).await.unwrap();
    writer.grant_user(&Actor::System, "bob", ["auth.view_user"]).await.unwrap();

    // The reader loads and caches bob, holding the permission.
    let deadline = Instant::now() + Duration::from_secs(1);
    while !reader.get_user("bob").await.unwrap().has_perm("auth.view_user") {
        assert!(Instant::now() < deadline, "the grant never showed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(reader.get_user("bob").await.unwrap().has_perm("auth.view_user"), "served from the cache");

    let revoked_at = Instant::now();
    writer.revoke_user(&Actor::System, "bob", ["auth.view_user"]).await.unwrap();
    loop {
        if !reader.get_user("bob").await.unwrap().has_perm("auth.view_user") {
            break;
        }
        assert!(revoked_at.elapsed() < Duration::from_secs(1), "the other store still serves the revoked permission");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_shared_by_two_stores() {
    revoke_in_one_is_seen_by_the_other(&support::sqlite_file_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_shared_by_two_stores_through_listen_notify() {
    let Some(url) = support::postgres_database().await else {
        return;
    };
    revoke_in_one_is_seen_by_the_other(&url).await;
}
