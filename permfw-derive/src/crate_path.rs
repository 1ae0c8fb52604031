//! `crate = path` (serde's `crate = "..."`): where generated code finds permfw, for an
//! application that renames or re-exports it. Generated code reaches everything through one
//! `use <path>::__private as __permfw;`, so a path that does not resolve is one error, not ten.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Path, Token};

const EXPECTED: &str = "expected a path to permfw, e.g. `crate = my_app::permfw` or `crate = \"my_app::permfw\"`";

/// The path after `crate =` in an attribute's tokens.
pub fn parse(input: ParseStream<'_>) -> syn::Result<Path> {
    if input.peek(LitStr) {
        from_lit(&input.parse()?)
    } else if input.peek(Token![::]) || input.peek(Ident::peek_any) {
        input.call(Path::parse_mod_style)
    } else {
        let span = input.cursor().token_tree().map_or_else(|| input.span(), |(tt, _)| tt.span());
        Err(syn::Error::new(span, EXPECTED))
    }
}

/// The path after `crate =` where the arguments were parsed as expressions.
pub fn from_expr(expr: &Expr) -> syn::Result<Path> {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
            let tokens = quote!(#p);
            Path::parse_mod_style.parse2(tokens).map_err(|_| syn::Error::new_spanned(p, EXPECTED))
        }
        Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) => from_lit(lit),
        other => Err(syn::Error::new_spanned(other, EXPECTED)),
    }
}

fn from_lit(lit: &LitStr) -> syn::Result<Path> {
    lit.parse_with(Path::parse_mod_style)
        .map_err(|_| syn::Error::new(lit.span(), format_args!("{EXPECTED}; \"{}\" is not a path", lit.value())))
}

/// The `use` that opens generated code: `__permfw` names permfw's `__private` module.
pub fn use_private(root: Option<&Path>) -> TokenStream {
    match root {
        // Spanned on the path, so that a path to another crate is reported on it.
        Some(root) => quote_spanned!(root.span()=> use #root::__private as __permfw;),
        None => quote!(
            use ::permfw::__private as __permfw;
        ),
    }
}
