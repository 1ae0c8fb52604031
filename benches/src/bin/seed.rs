//! Seeds a database with the store benches' data set.
//!
//! `cargo run --release -p permfw-benches --bin seed -- sqlite://target/permfw-bench.db 1000000`

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite://target/permfw-bench.db".to_owned());
    let users = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    if let Err(err) = permfw_benches::seed::seed(&url, users, true).await {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}
