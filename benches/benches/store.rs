//! The store at scale: 1,000,000 users, 20 groups, about 500 permissions and about 5,000,000
//! grants and memberships (see `permfw_benches::seed`), on SQLite and, when
//! `PERMFW_BENCH_POSTGRES_URL` is set, on PostgreSQL.
//!
//! `cargo bench -p permfw-benches --bench store` (the first run seeds `target/permfw-bench.db`;
//! `PERMFW_BENCH_USERS` sets another size).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use permfw::store::{Actor, RequestQuery, RequestStatus, Store, WithPerm};
use permfw_benches::Post;
use permfw_benches::seed::seed;

fn username(n: u64) -> String {
    format!("user{n:07}")
}

/// A fixed pseudo-random walk over user numbers, so runs compare.
fn next_user(counter: &AtomicU64, users: u64) -> u64 {
    let step = counter.fetch_add(1, Ordering::Relaxed);
    1 + step.wrapping_mul(2_654_435_761) % users
}

fn store_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let users: u64 = std::env::var("PERMFW_BENCH_USERS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let mut backends = vec![(
        "sqlite",
        std::env::var("PERMFW_BENCH_SQLITE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}/../target/permfw-bench.db", env!("CARGO_MANIFEST_DIR"))),
    )];
    if let Ok(url) = std::env::var("PERMFW_BENCH_POSTGRES_URL") {
        backends.push(("postgres", url));
    }
    for (label, url) in backends {
        let (store, db) = runtime.block_on(seed(&url, users, true)).expect("seed");
        let cold = runtime.block_on(Store::options(&url).cache_capacity(0).open()).expect("open");
        let feature = Post::FEATURE_POST.as_str();
        let cleanup = permfw_benches::CLEANUP.to_owned();
        runtime.block_on(db.execute(&cleanup)).unwrap();

        let mut group = c.benchmark_group(format!("store/{label}"));
        let counter = AtomicU64::new(0);
        group.bench_function("load a user snapshot, cold, by username", |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, users));
                let cold = &cold;
                async move { cold.get_user(&name).await.unwrap() }
            });
        });
        let counter = AtomicU64::new(7);
        group.bench_function("grant one permission to one user, committed", |b| {
            b.to_async(&runtime).iter(|| {
                let name = username(next_user(&counter, users));
                let store = &store;
                async move { store.grant_user(&Actor::System, &name, [feature]).await.unwrap() }
            });
        });
        runtime.block_on(db.execute(&cleanup)).unwrap();
        group.bench_function("users_with_perm, first page of 100", |b| {
            b.to_async(&runtime).iter(|| {
                let store = &store;
                async move { store.users_with_perm("filler.view_f050", WithPerm::default().limit(100)).await.unwrap() }
            });
        });
        // The approvals dashboard's read: 10,000 open requests (one per user, under one policy),
        // the newest page of 50.
        let open_requests = "INSERT INTO permfw_request_policy (name, target_group_id, target_permissions, \
             approver_group_id, approvals_needed, expire_after_days, created_at) \
             SELECT 'bench', (SELECT MIN(id) FROM auth_group), '', (SELECT MAX(id) FROM auth_group), 1, 14, 0 \
             WHERE NOT EXISTS (SELECT 1 FROM permfw_request_policy WHERE name = 'bench'); \
             INSERT INTO permfw_access_request (policy_id, requester_id, justification, status, created_at, expires_at) \
             SELECT (SELECT id FROM permfw_request_policy WHERE name = 'bench'), u.id, 'bench', 'open', 0, 9000000000000000 \
             FROM auth_user u WHERE u.id <= 10000 \
             AND NOT EXISTS (SELECT 1 FROM permfw_access_request r WHERE r.requester_id = u.id)";
        runtime.block_on(db.execute(open_requests)).unwrap();
        group.bench_function("approvals dashboard: newest 50 of 10,000 open requests", |b| {
            b.to_async(&runtime).iter(|| {
                let store = &store;
                async move {
                    let query = RequestQuery::new().status(RequestStatus::Open).policy("bench").limit(50);
                    store.list_requests(query).await.unwrap()
                }
            });
        });
        group.sample_size(10).measurement_time(Duration::from_secs(20));
        let bulk: Vec<String> = (1..=100_000).map(|n| username(n * (users / 100_000).max(1))).collect();
        let bulk: Vec<&str> = bulk.iter().map(String::as_str).collect();
        group.bench_function("bulk-grant one permission to 100,000 users", |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (store, db, bulk, cleanup) = (&store, &db, &bulk, &cleanup);
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        db.execute(cleanup).await.unwrap();
                        let started = Instant::now();
                        let granted = store.grant_user_bulk(&Actor::System, feature, bulk).await.unwrap();
                        total += started.elapsed();
                        assert_eq!(granted, 100_000);
                    }
                    total
                }
            });
        });
        runtime.block_on(db.execute(&cleanup)).unwrap();
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    targets = store_benches
}
criterion_main!(benches);
