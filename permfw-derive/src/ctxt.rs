//! Collects every error of one item, so that all of them are reported in one pass.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// An error accumulator in the shape of serde_derive's `Ctxt`.
#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Self::default()
    }

    /// An error spanned on the tokens of `obj`.
    pub fn error_spanned_by<T: ToTokens>(&self, obj: T, msg: impl Display) {
        self.push(syn::Error::new_spanned(obj.into_token_stream(), msg));
    }

    /// An error at `span`.
    pub fn error_at(&self, span: Span, msg: impl Display) {
        self.push(syn::Error::new(span, msg));
    }

    pub fn push(&self, err: syn::Error) {
        self.errors.borrow_mut().push(err);
    }

    /// All errors combined into one, or `Ok` when there were none.
    pub fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.into_inner().into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            combined.combine(err);
        }
        Err(combined)
    }
}
