//! Opening a fresh store on each backend for the conformance suites.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use permfw::store::{AuditQuery, Rule, Store, StoreError, StoreOptions};

/// The benches' pool type, shared by path: linking `permfw-benches` would also link its models,
/// whose `blog` app would then be declared twice in these tests' registry.
#[path = "../../../benches/src/db.rs"]
mod db;
pub use db::Db;

pub mod web;

/// A store under test, and the pool it runs on, for statements no API call makes.
#[derive(Clone, Debug)]
pub struct TestStore {
    pub store: Store,
    pub db: Db,
}

impl std::ops::Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A fresh in-memory SQLite store, migrated: every statement through sqlx.
pub async fn sqlite(options: impl FnOnce(StoreOptions) -> StoreOptions) -> TestStore {
    opened("sqlite::memory:", options).await
}

/// A fresh SQLite file in WAL mode, migrated: snapshots and write transactions on the store's
/// synchronous connections, the rest through sqlx.
pub async fn sqlite_file(options: impl FnOnce(StoreOptions) -> StoreOptions) -> TestStore {
    opened(&sqlite_file_url(), options).await
}

async fn opened(url: &str, options: impl FnOnce(StoreOptions) -> StoreOptions) -> TestStore {
    let db = Db::open(url).await.expect("open the test database");
    let store = db.store(options).await.expect("open the store");
    store.migrate().await.expect("migrate");
    TestStore { store, db }
}

/// A fresh SQLite file (for tests that open it twice), and its URL.
pub fn sqlite_file_url() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("permfw-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("store-{}.db", N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}", path.display())
}

/// The PostgreSQL URL tests use, or `None` (with a loud note) when it is not set. CI sets
/// `PERMFW_REQUIRE_POSTGRES=1`, which turns a missing URL into a failure.
pub fn postgres_url() -> Option<String> {
    match std::env::var("PERMFW_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("PERMFW_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PERMFW_REQUIRE_POSTGRES=1 but PERMFW_TEST_POSTGRES_URL is not set"
            );
            eprintln!("SKIPPED: the PostgreSQL half of this test: set PERMFW_TEST_POSTGRES_URL to run it");
            None
        }
    }
}

/// A fresh PostgreSQL database (created from the test URL's server), migrated, and its URL.
pub async fn postgres_database() -> Option<String> {
    let url = postgres_url()?;
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!("permfw_t{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let admin = sqlx::PgPool::connect(&url).await.expect("connect to PERMFW_TEST_POSTGRES_URL");
    static CLEANED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !CLEANED.swap(true, Ordering::Relaxed) {
        // Databases left by earlier runs: those of test processes that are gone (never those of
        // a run going on beside this one, such as another test binary or another checkout's).
        let old: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'permfw\\_t%'")
            .fetch_all(&admin)
            .await
            .unwrap_or_default();
        let gone = |db: &String| {
            let pid = db.trim_start_matches("permfw_t").split('_').next().unwrap_or_default();
            !std::path::Path::new("/proc").join(pid).exists()
        };
        for db in old.into_iter().filter(gone) {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")))
                .execute(&admin)
                .await;
        }
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&admin).await.expect("drop");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
    Some(with_database(&url, &name))
}

/// `url` pointed at database `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    match query {
        Some(query) => format!("{scheme}://{host}/{name}?{query}"),
        None => format!("{scheme}://{host}/{name}"),
    }
}

/// A fresh PostgreSQL store, migrated.
pub async fn postgres(options: impl FnOnce(StoreOptions) -> StoreOptions) -> Option<TestStore> {
    let url = postgres_database().await?;
    Some(opened(&url, options).await)
}

/// Declares each test once per backend: `sqlite::name` (in memory), `sqlite_file::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::sqlite(|o| o).await).await;
                }
            )*
        }
        mod sqlite_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::sqlite_file(|o| o).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(store) = super::support::postgres(|o| o).await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

/// How many entries the audit log holds.
pub async fn audit_len(store: &Store) -> usize {
    store.audit(AuditQuery::new().limit(10_000)).await.unwrap().len()
}

/// The rule that refused a change; panics when it was not refused.
pub fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> Rule {
    match result {
        Err(StoreError::Refused(rule)) => rule,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
