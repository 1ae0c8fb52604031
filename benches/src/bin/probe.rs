use sqlx::Connection;
use std::time::Instant;
async fn run() {
    let url = format!("sqlite://{}/target/permfw-bench.db", std::env::current_dir().unwrap().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let t = Instant::now();
    for _ in 0..2000 {
        let _: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await.unwrap();
    }
    println!("pool prepared SELECT 1: {:?}/op", t.elapsed() / 2000);
    let mut conn = pool.acquire().await.unwrap();
    let t = Instant::now();
    for _ in 0..2000 {
        let _: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&mut *conn).await.unwrap();
    }
    println!("held conn SELECT 1: {:?}/op", t.elapsed() / 2000);
    let mut c2 = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let t = Instant::now();
    for _ in 0..2000 {
        let _: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&mut c2).await.unwrap();
    }
    println!("plain conn SELECT 1: {:?}/op", t.elapsed() / 2000);
}
fn main() {
    for (name, rt) in [
        ("current_thread", tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()),
        ("multi_thread", tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()),
    ] {
        println!("{name}");
        rt.block_on(run());
        rt.block_on(run());
    }
}
