//! Where a SQLite statement's time goes, and the designs weighed for the store's hot paths
//! (README, "The store at scale"), on the store benches' 1,000,000-user database:
//!
//! - one statement through sqlx, which runs each on a worker thread, against the same statement
//!   on a synchronous connection (rusqlite) run inline, on a dedicated thread, and through
//!   `spawn_blocking`;
//! - a committed grant as the store wrote it (six statements: `BEGIN IMMEDIATE`, the target's
//!   snapshot, the grant, the audit row, the revision bump, `COMMIT`), the same batched into
//!   fewer sqlx calls, and the same inline.
//!
//! `cargo bench -p permfw-benches --bench driver` (after `--bench store` has seeded the database,
//! or `PERMFW_BENCH_SQLITE_URL`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use permfw_benches::seed::seed;
use sqlx::Row;

const SNAPSHOT: &str = "\
    SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, \
    (SELECT revision FROM permfw_revision WHERE id = 1), \
    (SELECT group_concat(p.app_label || '.' || p.codename, ' ') FROM auth_user_user_permissions up \
     JOIN auth_permission p ON p.id = up.permission_id \
     WHERE up.user_id = u.id AND (up.expires_at IS NULL OR up.expires_at > $2)), \
    (SELECT group_concat(g.name || char(31) || COALESCE((SELECT group_concat(p.app_label || '.' || p.codename, ' ') \
     FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = g.id), ''), \
     char(30)) FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
     WHERE ug.user_id = u.id AND (ug.expires_at IS NULL OR ug.expires_at > $2)), \
    (SELECT MIN(e.expires_at) FROM (SELECT up.expires_at FROM auth_user_user_permissions up \
     WHERE up.user_id = u.id AND up.expires_at > $2 UNION ALL SELECT ug.expires_at FROM auth_user_groups ug \
     WHERE ug.user_id = u.id AND ug.expires_at > $2) AS e) \
    FROM auth_user u WHERE u.username = $1";
const GRANT: &str =
    "INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
const AUDIT: &str = "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
    VALUES ($3, '<system>', 'grant_user', $4, 'blog.feature_post', '')";
const BUMP: &str = "UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision";

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

fn open_sync(path: &str) -> rusqlite::Connection {
    open_sync_with(path, 0)
}

fn open_sync_with(path: &str, mmap: i64) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "mmap_size", mmap).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn.pragma_update(None, "journal_mode", "wal").unwrap();
    conn.pragma_update(None, "synchronous", "normal").unwrap();
    conn
}

fn sync_snapshot(conn: &rusqlite::Connection, name: &str) -> Snapshot {
    let mut statement = conn.prepare_cached(SNAPSHOT).unwrap();
    statement.raw_bind_parameter(c"$1", name).unwrap();
    statement.raw_bind_parameter(c"$2", now()).unwrap();
    let mut rows = statement.raw_query();
    let row = rows.next().unwrap().unwrap();
    Snapshot::try_from(row).unwrap()
}

fn sync_grant(conn: &rusqlite::Connection, name: &str, permission: i64) -> i64 {
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let snapshot = sync_snapshot(conn, name);
    conn.prepare_cached(GRANT).unwrap().execute((snapshot.0, permission)).unwrap();
    let mut audit = conn.prepare_cached(AUDIT).unwrap();
    audit.raw_bind_parameter(c"$3", now()).unwrap();
    audit.raw_bind_parameter(c"$4", name).unwrap();
    audit.raw_execute().unwrap();
    let revision = conn.prepare_cached(BUMP).unwrap().query_row((), |row| row.get(0)).unwrap();
    conn.execute_batch("COMMIT").unwrap();
    revision
}

fn driver(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let users: u64 = std::env::var("PERMFW_BENCH_USERS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let path = format!("{}/../target/permfw-bench.db", env!("CARGO_MANIFEST_DIR"));
    let url = std::env::var("PERMFW_BENCH_SQLITE_URL").unwrap_or_else(|_| format!("sqlite://{path}"));
    let path = url.strip_prefix("sqlite://").unwrap_or(&path).to_owned();
    runtime.block_on(seed(&url, users, true)).expect("seed");
    let pool = runtime
        .block_on(
            sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).test_before_acquire(false).connect_with(
                url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                    .unwrap()
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30)),
            ),
        )
        .unwrap();
    let mapped_pool = runtime
        .block_on(
            sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).test_before_acquire(false).connect_with(
                url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                    .unwrap()
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .pragma("mmap_size", "1073741824")
                    .busy_timeout(Duration::from_secs(30)),
            ),
        )
        .unwrap();
    let sync = open_sync(&path);
    let permission: i64 = sync
        .query_row("SELECT id FROM auth_permission WHERE app_label = 'blog' AND codename = 'feature_post'", (), |r| {
            r.get(0)
        })
        .unwrap();
    let cleanup = permfw_benches::CLEANUP;

    let mut group = c.benchmark_group("driver/one statement");
    group.bench_function("sqlx: SELECT 1", |b| {
        b.to_async(&runtime)
            .iter(|| async { sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap().get::<i64, _>(0) });
    });
    group.bench_function("inline rusqlite: SELECT 1", |b| {
        b.iter(|| sync.prepare_cached("SELECT 1").unwrap().query_row((), |row| row.get::<_, i64>(0)).unwrap());
    });
    let counter = AtomicU64::new(0);
    group.bench_function("sqlx: a snapshot", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let pool = &pool;
            async move { sqlx::query_as::<_, Snapshot>(SNAPSHOT).bind(name).bind(now()).fetch_one(pool).await.unwrap() }
        });
    });
    let counter = AtomicU64::new(0);
    group.bench_function("inline rusqlite: a snapshot", |b| {
        b.iter(|| sync_snapshot(&sync, &username(next_user(&counter, users))));
    });
    let (requests, receive) = std::sync::mpsc::channel::<(String, tokio::sync::oneshot::Sender<Snapshot>)>();
    let thread_path = path.clone();
    let worker = std::thread::spawn(move || {
        let conn = open_sync(&thread_path);
        while let Ok((name, reply)) = receive.recv() {
            let _ = reply.send(sync_snapshot(&conn, &name));
        }
    });
    let counter = AtomicU64::new(0);
    group.bench_function("rusqlite on a dedicated thread: a snapshot", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let (reply, answer) = tokio::sync::oneshot::channel();
            requests.send((name, reply)).unwrap();
            async move { answer.await.unwrap() }
        });
    });
    drop(requests);
    worker.join().unwrap();
    let mapped = open_sync_with(&path, 1 << 30);
    let counter = AtomicU64::new(0);
    group.bench_function("inline rusqlite, mmap: a snapshot", |b| {
        b.iter(|| sync_snapshot(&mapped, &username(next_user(&counter, users))));
    });
    let counter = AtomicU64::new(0);
    group.bench_function("sqlx, mmap: a snapshot", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let pool = &mapped_pool;
            async move { sqlx::query_as::<_, Snapshot>(SNAPSHOT).bind(name).bind(now()).fetch_one(pool).await.unwrap() }
        });
    });
    let blocking = std::sync::Arc::new(std::sync::Mutex::new(open_sync(&path)));
    let counter = AtomicU64::new(0);
    let blocking_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    group.bench_function("rusqlite through spawn_blocking: a snapshot", |b| {
        b.to_async(&blocking_runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let conn = std::sync::Arc::clone(&blocking);
            async move {
                tokio::task::spawn_blocking(move || sync_snapshot(&conn.lock().unwrap(), &name)).await.unwrap()
            }
        });
    });
    group.finish();

    let mut group = c.benchmark_group("driver/a committed grant");
    let counter = AtomicU64::new(11);
    group.bench_function("sqlx: six statements", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let pool = &pool;
            async move {
                let mut conn = pool.acquire().await.unwrap();
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
                let snapshot: Snapshot =
                    sqlx::query_as(SNAPSHOT).bind(&name).bind(now()).fetch_one(&mut *conn).await.unwrap();
                sqlx::query(GRANT).bind(snapshot.0).bind(permission).execute(&mut *conn).await.unwrap();
                let audit = "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
                    VALUES ($1, '<system>', 'grant_user', $2, 'blog.feature_post', '')";
                sqlx::query(audit).bind(now()).bind(&name).execute(&mut *conn).await.unwrap();
                let revision: (i64,) = sqlx::query_as(BUMP).fetch_one(&mut *conn).await.unwrap();
                sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
                revision
            }
        });
    });
    runtime.block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(cleanup)).execute(&pool)).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("sqlx: batched into three calls", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let pool = &pool;
            async move {
                let mut conn = pool.acquire().await.unwrap();
                let begin_and_read = format!("BEGIN IMMEDIATE; {SNAPSHOT}");
                let snapshot: Snapshot = sqlx::query_as(sqlx::AssertSqlSafe(begin_and_read))
                    .bind(&name)
                    .bind(now())
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                let writes = format!("{GRANT}; {AUDIT}; {BUMP}");
                let revision: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(writes))
                    .bind(snapshot.0)
                    .bind(permission)
                    .bind(now())
                    .bind(&name)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
                revision
            }
        });
    });
    runtime.block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(cleanup)).execute(&pool)).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("inline rusqlite: six statements", |b| {
        b.iter(|| sync_grant(&sync, &username(next_user(&counter, users)), permission));
    });
    sync.execute_batch(cleanup).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("inline rusqlite, mmap: six statements", |b| {
        b.iter(|| sync_grant(&mapped, &username(next_user(&counter, users)), permission));
    });
    sync.execute_batch(cleanup).unwrap();
    let unchecked = open_sync_with(&path, 1 << 30);
    unchecked.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("inline rusqlite, mmap, no checkpoint on commit: six statements", |b| {
        b.iter(|| sync_grant(&unchecked, &username(next_user(&counter, users)), permission));
    });
    unchecked.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    sync.execute_batch(cleanup).unwrap();
    let unchecked_unmapped = open_sync(&path);
    unchecked_unmapped.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("inline rusqlite, no checkpoint on commit: six statements", |b| {
        b.iter(|| sync_grant(&unchecked_unmapped, &username(next_user(&counter, users)), permission));
    });
    unchecked.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    sync.execute_batch(cleanup).unwrap();
    let counter = AtomicU64::new(11);
    group.bench_function("inline rusqlite, mmap: five statements, rolled back", |b| {
        b.iter(|| {
            mapped.execute_batch("BEGIN IMMEDIATE").unwrap();
            let name = username(next_user(&counter, users));
            let snapshot = sync_snapshot(&mapped, &name);
            mapped.prepare_cached(GRANT).unwrap().execute((snapshot.0, permission)).unwrap();
            let mut audit = mapped.prepare_cached(AUDIT).unwrap();
            audit.raw_bind_parameter(c"$3", now()).unwrap();
            audit.raw_bind_parameter(c"$4", name.as_str()).unwrap();
            audit.raw_execute().unwrap();
            let revision: i64 = mapped.prepare_cached(BUMP).unwrap().query_row((), |row| row.get(0)).unwrap();
            mapped.execute_batch("ROLLBACK").unwrap();
            revision
        });
    });
    let counter = AtomicU64::new(11);
    group.bench_function("sqlx, mmap: batched into three calls", |b| {
        b.to_async(&runtime).iter(|| {
            let name = username(next_user(&counter, users));
            let pool = &mapped_pool;
            async move {
                let mut conn = pool.acquire().await.unwrap();
                let begin_and_read = format!("BEGIN IMMEDIATE; {SNAPSHOT}");
                let snapshot: Snapshot = sqlx::query_as(sqlx::AssertSqlSafe(begin_and_read))
                    .bind(&name)
                    .bind(now())
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                let writes = format!("{GRANT}; {AUDIT}; {BUMP}");
                let revision: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(writes))
                    .bind(snapshot.0)
                    .bind(permission)
                    .bind(now())
                    .bind(&name)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
                revision
            }
        });
    });
    sync.execute_batch(cleanup).unwrap();
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = driver
}
criterion_main!(benches);
