//! The blog's `manage`: permfw's command line, with every model of the blog linked.
//!
//! `cargo run --bin manage -- --help`

// Links the blog's models, so that `manage` knows their permissions.
use permfw_examples as _;

fn main() {
    permfw::cli::main_with_default_database("sqlite://blog.db")
}
