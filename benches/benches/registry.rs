//! Building the registry: 1,000 models with 6 permissions each (6,000 permissions).
//! `cargo bench -p permfw-benches --bench registry`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use permfw::__private::{FirstId, ModelInfo, PermissionInfo};
use permfw::Registry;

fn first_id() -> &'static FirstId {
    static ID: FirstId = FirstId::new();
    &ID
}

/// 1,000 model descriptions as the derive would write them, in scrambled order.
fn models() -> Vec<&'static ModelInfo> {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    (0..1000)
        .map(|i| (i * 7919) % 1000)
        .map(|i| {
            let app = leak(format!("app{}", i % 50));
            let model = leak(format!("model{i}"));
            let perms: Vec<PermissionInfo> = ["add", "change", "delete", "view", "publish", "archive"]
                .iter()
                .map(|action| {
                    let codename = leak(format!("{action}_{model}"));
                    PermissionInfo::new(
                        codename,
                        leak(format!("Can {action} {model}")),
                        leak(format!("{app}.{codename}")),
                    )
                })
                .collect();
            let info = ModelInfo::new(app, model, model, model, "bench", Box::leak(perms.into_boxed_slice()), first_id);
            &*Box::leak(Box::new(info))
        })
        .collect()
}

fn registry(c: &mut Criterion) {
    let models = models();
    let built = Registry::build(models.iter().copied(), false);
    assert_eq!(built.len(), 6000);
    c.bench_function("registry first build, 1,000 models / 6,000 permissions", |b| {
        b.iter_batched(|| models.clone(), |models| black_box(Registry::build(models, false)), BatchSize::SmallInput);
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(3));
    targets = registry
}
criterion_main!(benches);
