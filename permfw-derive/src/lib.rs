//! The procedural macros of [permfw](https://docs.rs/permfw): `#[derive(Model)]` and
//! `#[permission_required]`. Depend on `permfw`, which re-exports both; this crate is not meant
//! to be used on its own.

#![forbid(unsafe_code)]

mod codename;
mod crate_path;
mod ctxt;
mod guard;
mod model;

use proc_macro::TokenStream;

/// Declares a model's permissions. See `permfw::Model` for the attributes and what is generated.
#[proc_macro_derive(Model, attributes(model, permissions))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    model::derive(&input).into()
}

/// Guards a function with permission checks. See `permfw::permission_required`.
#[proc_macro_attribute]
pub fn permission_required(args: TokenStream, item: TokenStream) -> TokenStream {
    guard::expand(args.into(), item.into()).into()
}
