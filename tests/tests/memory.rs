//! Memory budgets of EXPECTATIONS.md, measured with a counting allocator: a user holding 50 of
//! 500 registered permissions, the registry per permission, and no allocation in a check.
//! Run with `--nocapture` to see the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use permfw::{HasPerms, User};
use permfw_benches::{Post, user_with_50_permissions};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// One test: the registry is built once per process, and the figures must not mix.
#[test]
fn memory_budgets() {
    let before = live();
    let registry = permfw::registry();
    let per_permission = (live() - before) as f64 / registry.len() as f64;
    println!("registry: {} permissions, {per_permission:.0} bytes each", registry.len());
    assert!(registry.len() >= 500);
    assert!(per_permission <= 200.0, "{per_permission} bytes per permission");

    let group_names = "Bench".len();
    let before = live();
    let user = user_with_50_permissions();
    let heap = live() - before - user.username().len() - group_names - std::mem::size_of::<String>();
    println!("user holding 50 of {} permissions: {heap} bytes on the heap besides its strings", registry.len());
    assert_eq!(user.get_all_permissions().len(), 50);
    assert!(heap <= 256, "{heap} bytes");

    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        black_box(black_box(&user).has_perm(Post::PUBLISH_POST));
        black_box(black_box(&user).has_perm(Post::FEATURE_POST));
        black_box(black_box(&user).has_perm("blog.publish_post"));
        black_box(black_box(&user).has_perms([Post::PUBLISH_POST, Post::VIEW_POST]));
        black_box(black_box(&user).has_module_perms("blog"));
    }
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), allocations, "a permission check allocates nothing");
    drop(user);
    let _ = User::builder("x").build();

    cached_snapshots();
}

/// The store's snapshot cache: bytes per cached user besides its strings (budget 300), with
/// users holding 50 of the registered permissions, 25 directly and 25 through a group.
fn cached_snapshots() {
    use permfw::store::{Actor, Store};

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::options("sqlite::memory:").cache_capacity(100_000).open().await.unwrap();
        store.migrate().await.unwrap();
        let names: Vec<String> = (0..1000).map(|i| format!("user{i:04}")).collect();
        for name in &names {
            store.create_user(&Actor::System, name, "", None).await.unwrap();
        }
        let picked: Vec<String> = user_with_50_permissions().get_all_permissions().into_iter().collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for perm in &picked[..25] {
            store.grant_user_bulk(&Actor::System, perm.as_str(), &refs).await.unwrap();
        }
        store.create_group(&Actor::System, "G").await.unwrap();
        store.grant_group(&Actor::System, "G", picked[25..].iter().map(String::as_str)).await.unwrap();
        for name in &names {
            store.add_to_group(&Actor::System, name, "G").await.unwrap();
        }
        let _ = store.get_user("user0000").await.unwrap(); // warm the pool and the statement cache
        let before = live();
        for name in &names {
            let user = store.get_user(name).await.unwrap();
            assert_eq!(user.get_all_permissions().len(), 50);
        }
        // Strings: the cache's key, the username, the email (empty) and the group's name.
        let strings = names.iter().map(|n| 2 * n.len() + "G".len() + std::mem::size_of::<String>()).sum::<usize>();
        let per_user = (live() - before).saturating_sub(strings) / names.len();
        println!("store cache: {per_user} bytes per cached user besides its strings");
        assert!(per_user <= 300, "{per_user} bytes per cached user (budget 300)");
    });
}
