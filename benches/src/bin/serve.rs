//! Serves the admin and the REST API over a seeded database, with the benches' models linked,
//! for load tests from another process (`wrk`): see the README's figures.
//!
//! `cargo run --release -p permfw-benches --bin serve -- URL [ADDRESS]`

use std::net::SocketAddr;

use permfw::store::{Actor, Store};

#[tokio::main]
async fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite://target/permfw-bench.db".to_owned());
    let address = args.next().unwrap_or_else(|| "127.0.0.1:8077".to_owned());
    let store = Store::options(&url).allow_multiple_superusers(true).open().await.expect("open the database");
    store.migrate().await.expect("migrate");
    if store.get_user("admin").await.is_err() {
        store.create_superuser(&Actor::System, "admin", "", "bench-password").await.expect("create the superuser");
    }
    // Plain http on loopback for wrk and curl (`scripts/load.sh` sends `permfw_session`).
    let options = permfw::http::HttpOptions::new().insecure_cookies(true);
    let app: axum::Router = axum::Router::new()
        .nest("/api/v1", permfw::http::api::router_with(store.clone(), &options))
        .nest("/admin", permfw::http::admin::router_with(store, &options));
    println!("permfw: insecure cookies for plain-http development (the load test's loopback)");
    let listener = tokio::net::TcpListener::bind(&address).await.expect("bind");
    println!("serving {url} on http://{address} (log in as admin / bench-password)");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    let _ = permfw_benches::Post::PUBLISH_POST;
}
