//! The permission check, its anchors, and the guard's overhead over a hand-written check.
//! `cargo bench -p permfw-benches --bench checks`

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use permfw::{HasPerms, PermissionDenied, User, permission_required};
use permfw_benches::{Post, user_with_50_permissions};

#[permission_required(Post::PUBLISH_POST)]
fn guarded(user: &User, value: u64) -> Result<u64, PermissionDenied> {
    Ok(value + 1)
}

#[permission_required("blog.publish_post")]
fn guarded_by_string(user: &User, value: u64) -> Result<u64, PermissionDenied> {
    Ok(value + 1)
}

fn by_hand(user: &User, value: u64) -> Result<u64, PermissionDenied> {
    if !user.has_perm(Post::PUBLISH_POST) {
        return Err(PermissionDenied::forbidden(["blog.publish_post"]));
    }
    Ok(value + 1)
}

fn checks(c: &mut Criterion) {
    let user = user_with_50_permissions();
    assert_eq!(user.get_all_permissions().len(), 50);
    assert!(permfw::registry().len() >= 500, "{} registered", permfw::registry().len());
    assert!(user.has_perm(Post::PUBLISH_POST) && !user.has_perm(Post::FEATURE_POST));

    let mut group = c.benchmark_group("has_perm");
    group.bench_function("const as written, hit", |b| b.iter(|| black_box(&user).has_perm(Post::PUBLISH_POST)));
    group.bench_function("const as written, miss", |b| b.iter(|| black_box(&user).has_perm(Post::FEATURE_POST)));
    group.bench_function("registry().get", |b| b.iter(|| permfw::registry().get(black_box("blog.publish_post"))));
    group.bench_function("opaque const hit", |b| b.iter(|| black_box(&user).has_perm(black_box(Post::PUBLISH_POST))));
    group.bench_function("opaque const miss", |b| b.iter(|| black_box(&user).has_perm(black_box(Post::FEATURE_POST))));
    group.bench_function("str hit", |b| b.iter(|| black_box(&user).has_perm(black_box("blog.publish_post"))));
    group.bench_function("str miss", |b| b.iter(|| black_box(&user).has_perm(black_box("blog.feature_post"))));
    group.bench_function("has_perms of 3 consts", |b| {
        b.iter(|| black_box(&user).has_perms(black_box([Post::PUBLISH_POST, Post::VIEW_POST, Post::FEATURE_POST])))
    });
    group.finish();

    let mut group = c.benchmark_group("anchor");
    let bits: Vec<u64> = (0..8).map(|i| 0x0101_0101_0101_0101_u64.rotate_left(i)).collect();
    group.bench_function("bit test in a Vec<u64>", |b| {
        b.iter(|| {
            let id = black_box(300_usize);
            black_box(&bits).get(id / 64).is_some_and(|w| w >> (id % 64) & 1 == 1)
        });
    });
    let names: Vec<String> = permfw::registry().permissions().take(50).map(|p| p.as_str().to_owned()).collect();
    let set: HashSet<&str> = names.iter().map(String::as_str).chain(["blog.publish_post"]).collect();
    group.bench_function("HashSet<&str>::contains", |b| {
        b.iter(|| black_box(&set).contains(black_box("blog.publish_post")))
    });
    group.finish();

    let mut group = c.benchmark_group("guard");
    group.bench_function("guarded call", |b| b.iter(|| guarded(black_box(&user), black_box(1))));
    group.bench_function("guarded call, string permission", |b| {
        b.iter(|| guarded_by_string(black_box(&user), black_box(1)))
    });
    group.bench_function("hand-written check", |b| b.iter(|| by_hand(black_box(&user), black_box(1))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = checks
}
criterion_main!(benches);
