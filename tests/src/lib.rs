//! permfw's cross-crate suites and compile-error cases live in `tests/`; this library is empty.
