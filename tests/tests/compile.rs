//! Compile-time checks: every compile error a user can meet, with its message and span
//! (`tests/ui/fail`), and the shapes that must compile (`tests/ui/pass`). Regenerate the
//! snapshots with `TRYBUILD=overwrite cargo test -p permfw-tests --test compile`, then read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
