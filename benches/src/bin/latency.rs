//! The latency of the store's hot paths as a distribution (criterion reports means, which a few
//! slow outliers on a busy machine dominate): 2,000 cold snapshot loads and 2,000 committed
//! grants, three rounds, on a database seeded by `seed`.
//!
//! `cargo run --release -p permfw-benches --bin latency -- URL`

use std::time::Instant;

use permfw::store::{Actor, Store};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "sqlite://target/permfw-bench.db".to_owned());
    let users: u64 = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let db = permfw_benches::db::Db::open(&url).await.expect("open");
    let cleanup = permfw_benches::CLEANUP;
    db.execute(cleanup).await.expect("clean up");
    let store = Store::options(&url).open().await.expect("open");
    let cold = Store::options(&url).cache_capacity(0).open().await.expect("open");
    let feature = permfw_benches::Post::FEATURE_POST;
    for round in 0..3 {
        let mut grant = Vec::new();
        let mut load = Vec::new();
        for i in 0..2000u64 {
            let name = format!("user{:07}", 1 + (i + round * 7919).wrapping_mul(2_654_435_761) % users);
            let started = Instant::now();
            cold.get_user(&name).await.expect("load");
            load.push(started.elapsed().as_secs_f64() * 1e6);
            let started = Instant::now();
            store.grant_user(&Actor::System, &name, [feature]).await.expect("grant");
            grant.push(started.elapsed().as_secs_f64() * 1e6);
        }
        for (what, mut times) in [("cold load", load), ("grant", grant)] {
            let mean = times.iter().sum::<f64>() / times.len() as f64;
            times.sort_by(f64::total_cmp);
            let at = |q: usize| times[times.len() * q / 100];
            println!("{what}: median {:.1} µs, p90 {:.1}, p99 {:.1}, mean {mean:.1}", at(50), at(90), at(99),);
        }
        db.execute(cleanup).await.expect("clean up");
    }
}
