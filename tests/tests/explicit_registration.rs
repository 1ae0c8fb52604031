//! The registration path that does not need `inventory`: `permfw::register_models`, called before
//! the first check. The models here are described by hand, as on a platform where the derive's
//! link-time registration never ran. One test only: the registry is built once per process.

use permfw::__private::{FirstId, ModelInfo, PermissionInfo};
use permfw::{HasPerms, RegistryError, User};

static LEDGER: ModelInfo = ModelInfo::new(
    "books",
    "ledger",
    "ledger",
    "Ledger",
    "explicit_registration",
    &[PermissionInfo::new("close_ledger", "Can close ledger", "books.close_ledger")],
    || {
        static ID: FirstId = FirstId::new();
        &ID
    },
);

static LATE: ModelInfo = ModelInfo::new(
    "books",
    "late",
    "late",
    "Late",
    "explicit_registration",
    &[PermissionInfo::new("view_late", "Can view late", "books.view_late")],
    || {
        static ID: FirstId = FirstId::new();
        &ID
    },
);

#[test]
fn models_registered_before_the_first_check_are_in_the_registry() {
    let registry = permfw::register_models(&[&LEDGER]).expect("registered before the first check");
    let close = registry.get("books.close_ledger").expect("explicitly registered");
    assert_eq!(close.name(), "Can close ledger");
    let user = User::builder("keeper").permission(close).build();
    assert!(user.has_perm("books.close_ledger") && user.has_perm(close));

    // Registering again is harmless; registering a new model after the build is refused.
    assert!(permfw::register_models(&[&LEDGER]).is_ok());
    let err = permfw::register_models(&[&LATE]).unwrap_err();
    assert_eq!(err, RegistryError::AlreadyBuilt { missing: vec!["books.Late".into()] });
    assert!(err.to_string().contains("call `permfw::register_models` at the start of `main`"), "{err}");

    // A permission of a model that is not registered still works when granted by value.
    let late = LATE.permissions().next().unwrap();
    let reader = User::builder("reader").permission(late).build();
    assert!(reader.has_perm(late) && reader.has_perm("books.view_late"));
    assert!(!user.has_perm(late));
}
