//! Where a PostgreSQL statement's and commit's time goes (README, "The store at scale"), on the
//! store benches' 1,000,000-user database named by `PERMFW_BENCH_POSTGRES_URL`:
//!
//! - one round trip through sqlx (`SELECT 1`), and a user's snapshot by name as the store read it
//!   before (each permission's name joined from `auth_permission`) and as it reads it now (the
//!   permission ids, named from the store's map of them);
//! - a committed transaction that writes nothing but its commit record (so its time is the round
//!   trips and the WAL flush), with `synchronous_commit` on and off;
//! - a grant's statements as the store ran them before (`BEGIN` with the write lock, the
//!   target's snapshot, the grant with its audit row, the revision's bump, `COMMIT`) and now (the
//!   target's id only, and the bump in the grant's statement: four round trips).
//!
//! `PERMFW_BENCH_POSTGRES_URL=postgres://... cargo bench -p permfw-benches --bench pg_driver`
//! (after `--bench store` has seeded the database).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sqlx::Row;

const SNAPSHOT_NAMES: &str = "\
    SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, \
    (SELECT revision FROM permfw_revision WHERE id = 1), \
    (SELECT string_agg(p.app_label || '.' || p.codename, ' ') FROM auth_user_user_permissions up \
     JOIN auth_permission p ON p.id = up.permission_id \
     WHERE up.user_id = u.id AND (up.expires_at IS NULL OR up.expires_at > $2)), \
    (SELECT string_agg(g.name || chr(31) || COALESCE((SELECT string_agg(p.app_label || '.' || p.codename, ' ') \
     FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = g.id), ''), \
     chr(30)) FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
     WHERE ug.user_id = u.id AND (ug.expires_at IS NULL OR ug.expires_at > $2)), \
    (SELECT MIN(e.expires_at) FROM (SELECT up.expires_at FROM auth_user_user_permissions up \
     WHERE up.user_id = u.id AND up.expires_at > $2 UNION ALL SELECT ug.expires_at FROM auth_user_groups ug \
     WHERE ug.user_id = u.id AND ug.expires_at > $2) AS e) \
    FROM auth_user u WHERE u.username = $1";
const SNAPSHOT_IDS: &str = "\
    SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, \
    (SELECT revision FROM permfw_revision WHERE id = 1), \
    (SELECT string_agg(up.permission_id::text, ' ') FROM auth_user_user_permissions up \
     WHERE up.user_id = u.id AND (up.expires_at IS NULL OR up.expires_at > $2)), \
    (SELECT string_agg(g.name || chr(31) || COALESCE((SELECT string_agg(gp.permission_id::text, ' ') \
     FROM auth_group_permissions gp WHERE gp.group_id = g.id), ''), chr(30)) \
     FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
     WHERE ug.user_id = u.id AND (ug.expires_at IS NULL OR ug.expires_at > $2)), \
    (SELECT MIN(e.expires_at) FROM (SELECT up.expires_at FROM auth_user_user_permissions up \
     WHERE up.user_id = u.id AND up.expires_at > $2 UNION ALL SELECT ug.expires_at FROM auth_user_groups ug \
     WHERE ug.user_id = u.id AND ug.expires_at > $2) AS e) \
    FROM auth_user u WHERE u.username = $1";
const BEGIN_WRITE: &str = "BEGIN; SELECT pg_advisory_xact_lock(7021946323297660791)";
const TARGET: &str = "SELECT id, is_superuser FROM auth_user WHERE username = $1";
const GRANT: &str = "WITH changed AS (INSERT INTO auth_user_user_permissions (user_id, permission_id) \
    VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1) \
    INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
    SELECT $3, '<system>', 'grant_user', $4, 'blog.feature_post', '' FROM changed";
const GRANT_BUMP: &str = "WITH changed AS (INSERT INTO auth_user_user_permissions (user_id, permission_id) \
    VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1), \
    audited AS (INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
    SELECT $3, '<system>', 'grant_user', $4, 'blog.feature_post', '' FROM changed), \
    bumped AS (UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM changed) \
    RETURNING revision) \
    SELECT revision, pg_notify('permfw_changes', revision::text) FROM bumped";
const BUMP: &str = "WITH bumped AS (UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision) \
    SELECT revision, pg_notify('permfw_changes', revision::text) FROM bumped";

type Snapshot = (i64, String, String, bool, bool, bool, i64, Option<String>, Option<String>, Option<i64>);

fn username(n: u64) -> String {
    format!("user{n:07}")
}

fn next_user(counter: &AtomicU64, users: u64) -> u64 {
    1 + counter.fetch_add(1, Ordering::Relaxed).wrapping_mul(2_654_435_761) % users
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

fn pg_driver(c: &mut Criterion) {
    let Ok(url) = std::env::var("PERMFW_BENCH_POSTGRES_URL") else {
        eprintln!("pg_driver: set PERMFW_BENCH_POSTGRES_URL");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let users: u64 = std::env::var("PERMFW_BENCH_USERS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let pool = runtime
        .block_on(sqlx::postgres::PgPoolOptions::new().max_connections(1).test_before_acquire(false).connect(&url))
        .unwrap();
    let permission: i64 = runtime
        .block_on(
            sqlx::query_scalar("SELECT id FROM auth_permission WHERE app_label = 'blog' AND codename = 'feature_post'")
                .fetch_one(&pool),
        )
        .unwrap();
    let cleanup = permfw_benches::CLEANUP;
    runtime.block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(cleanup)).execute(&pool)).unwrap();

    let mut group = c.benchmark_group("pg_driver/one statement");
    group.bench_function("sqlx: SELECT 1", |b| {
        b.to_async(&runtime)
            .iter(|| async { sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap().get::<i32, _>(0) });
    });
    // The same on a connection held outside the pool: sqlx's pool pings each connection it gets
    // back (a Sync and its ReadyForQuery), a second round trip that the next use of a busy or
    // one-connection pool waits for.
    let held = tokio::sync::Mutex::new(runtime.block_on(pool.acquire()).unwrap().detach());
    group.bench_function("sqlx: SELECT 1, a connection held outside the pool", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut held = held.lock().await;
            sqlx::query("SELECT 1").fetch_one(&mut *held).await.unwrap().get::<i32, _>(0)
        });
    });
    for (label, sql) in [("permission names joined", SNAPSHOT_NAMES), ("permission ids", SNAPSHOT_IDS)] {
        let counter = AtomicU64::new(0);
        group.bench_function(format!("sqlx: a cold snapshot, {label}"), |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, users));
                let pool = &pool;
                async move { sqlx::query_as::<_, Snapshot>(sql).bind(name).bind(now()).fetch_one(pool).await.unwrap() }
            });
        });
        let counter = AtomicU64::new(0);
        group.bench_function(format!("sqlx: a snapshot of one of 100 users, {label}"), |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, 100));
                let pool = &pool;
                async move { sqlx::query_as::<_, Snapshot>(sql).bind(name).bind(now()).fetch_one(pool).await.unwrap() }
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pg_driver/a commit");
    for (label, setting) in [("synchronous_commit on", "on"), ("synchronous_commit off", "off")] {
        let begin = format!("BEGIN; SET LOCAL synchronous_commit = {setting}");
        let begin = &*begin;
        group.bench_function(format!("BEGIN, an xid, COMMIT, {label}"), |b| {
            b.to_async(&runtime).iter(|| {
                let pool = &pool;
                async move {
                    let mut tx = pool.begin_with(sqlx::AssertSqlSafe(begin.to_owned())).await.unwrap();
                    let _: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            });
        });
        let begin = format!("{BEGIN_WRITE}; SET LOCAL synchronous_commit = {setting}");
        let begin = &*begin;
        let counter = AtomicU64::new(11);
        group.bench_function(format!("a grant as before (five round trips, the target's snapshot), {label}"), |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, users));
                let pool = &pool;
                async move {
                    let mut tx = pool.begin_with(sqlx::AssertSqlSafe(begin.to_owned())).await.unwrap();
                    let target: Snapshot =
                        sqlx::query_as(SNAPSHOT_NAMES).bind(&name).bind(now()).fetch_one(&mut *tx).await.unwrap();
                    sqlx::query(GRANT)
                        .bind(target.0)
                        .bind(permission)
                        .bind(now())
                        .bind(&name)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    let _: (i64,) = sqlx::query_as(BUMP).fetch_one(&mut *tx).await.unwrap();
                    tx.commit().await.unwrap();
                }
            });
        });
        let counter = AtomicU64::new(1_000_011);
        group.bench_function(format!("a grant now (four round trips, the target's id), {label}"), |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, users));
                let pool = &pool;
                async move {
                    let mut tx = pool.begin_with(sqlx::AssertSqlSafe(begin.to_owned())).await.unwrap();
                    let (id, _): (i64, bool) = sqlx::query_as(TARGET).bind(&name).fetch_one(&mut *tx).await.unwrap();
                    let _: Option<(i64,)> = sqlx::query_as(GRANT_BUMP)
                        .bind(id)
                        .bind(permission)
                        .bind(now())
                        .bind(&name)
                        .fetch_optional(&mut *tx)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            });
        });
        runtime.block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(cleanup)).execute(&pool)).unwrap();
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    targets = pg_driver
}
criterion_main!(benches);
