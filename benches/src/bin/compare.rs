//! permfw's half of `benches/compare/run.sh`: seeds the store benches' data set (see
//! `permfw_benches::seed`) and prints, one JSON object a line, the median of each operation that
//! the Django half measures too.
//!
//! `cargo run --release -p permfw-benches --bin compare -- URL USERS QUERY`

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use permfw::HasPerms;
use permfw::store::{Actor, Store, WithPerm};
use tower::ServiceExt;

/// The median of `runs` timings of `f`, in microseconds.
async fn median<F, Fut>(runs: usize, mut f: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i).await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn print(what: &str, micros: f64) {
    println!("{{\"what\": \"{what}\", \"median_us\": {micros:.4}}}");
}

fn user(n: usize, users: u64) -> String {
    format!("user{:07}", 1 + (n as u64 + 11).wrapping_mul(2_654_435_761) % users)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("URL");
    let users: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let query = args.next().unwrap_or_else(|| "0012345".to_owned());
    let (_, db) = permfw_benches::seed::seed(&url, users, false).await.expect("seed");
    // Measured as an application opens it, with the store's own settings.
    let store = Store::options(&url).allow_multiple_superusers(true).open().await.expect("open");
    let feature = "blog.feature_post";
    let cleanup = permfw_benches::CLEANUP;
    db.execute(cleanup).await.expect("clean up");

    let checked = store.get_user("user0000050").await.expect("a seeded user");
    let rounds = 1_000_000;
    let started = Instant::now();
    let mut held = 0;
    for _ in 0..rounds {
        held += usize::from(std::hint::black_box(&checked).has_perm(std::hint::black_box("filler.view_f050")));
    }
    std::hint::black_box(held);
    print("warm has_perm (string)", started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds));

    let cold = Store::options(&url).cache_capacity(0).open().await.expect("open");
    print(
        "cold load + first has_perm",
        median(2000, |i| {
            let (cold, name) = (&cold, user(i, users));
            async move {
                std::hint::black_box(cold.get_user(&name).await.expect("load").has_perm("filler.view_f050"));
            }
        })
        .await,
    );
    print(
        "grant one permission, committed",
        median(2000, |i| {
            let (store, name) = (&store, user(i + 5000, users));
            async move {
                store.grant_user(&Actor::System, &name, [feature]).await.expect("grant");
            }
        })
        .await,
    );
    db.execute(cleanup).await.expect("clean up");
    print(
        "with_perm, first 100",
        median(200, |_| async {
            let found =
                store.users_with_perm("filler.view_f050", WithPerm::default().limit(100)).await.expect("with_perm");
            assert_eq!(found.len(), 100);
        })
        .await,
    );

    let admin = match store.get_user("compare-admin").await {
        Ok(admin) => admin,
        Err(_) => store.create_superuser(&Actor::System, "compare-admin", "", "compare-password").await.expect("admin"),
    };
    let session = store.create_session(&admin, 3600).await.expect("session");
    let cookie = format!("{}={}", permfw::http::SESSION_COOKIE, session.key);
    let app: axum::Router = permfw::http::admin_router(store.clone());
    let page = |path: String| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let request = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
            let response = app.oneshot(request).await.expect("response");
            assert_eq!(response.status(), StatusCode::OK);
            std::hint::black_box(axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body"));
        }
    };
    print("admin: user list", median(200, |_| page("/admin/users".to_owned())).await);
    print("admin: search", median(200, |_| page(format!("/admin/users?q={query}"))).await);
    print("admin: a user's page", median(200, |i| page(format!("/admin/users/{}", user(i, users)))).await);
    // The pages Django's admin has too: the list filtered by a flag and by a group, the groups,
    // and a group's page (Django's shows its permissions; ours its permissions and members).
    print("admin: user list, staff only", median(200, |_| page("/admin/users?staff=yes".to_owned())).await);
    print("admin: user list, one group", median(200, |_| page("/admin/users?group=group3".to_owned())).await);
    print("admin: groups", median(200, |_| page("/admin/groups".to_owned())).await);
    print("admin: a group's page", median(200, |_| page("/admin/groups/group3".to_owned())).await);
}
