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
}
