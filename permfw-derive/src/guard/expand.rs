//! Inserts the check as the first statement and keeps the body, in its own block, as written.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

use super::args::{Args, Required};
use super::item::Guarded;
use crate::crate_path;

struct Expander<'a> {
    fn_name: &'a str,
    /// A `static` guard site per permission string, registered for `permfw::check()`.
    sites: Vec<TokenStream>,
    /// The arrays of `any(...)` groups, bound to locals before the list that refers to them.
    groups: Vec<TokenStream>,
}

impl Expander<'_> {
    /// A `permfw::__private::Required` for one requirement.
    fn required(&mut self, required: &Required) -> TokenStream {
        match required {
            Required::Path(path) => {
                quote_spanned!(path.span()=> __permfw::required(#path))
            }
            Required::Str(lit) => {
                let site = format_ident!("__PERMFW_SITE_{}", self.sites.len());
                let fn_name = self.fn_name;
                let line = quote_spanned!(lit.span()=> ::core::line!());
                let column = quote_spanned!(lit.span()=> ::core::column!());
                self.sites.push(quote! {
                    static #site: __permfw::GuardSite = __permfw::GuardSite::new(
                        #lit, #fn_name, ::core::module_path!(), ::core::file!(), #line, #column,
                    );
                    __permfw::inventory::submit! {
                        __permfw::GuardEntry::new(&#site)
                    }
                });
                quote!(__permfw::Required::Site(&#site))
            }
            Required::Any(group) => {
                let members: Vec<TokenStream> = group.iter().map(|r| self.required(r)).collect();
                let local = Ident::new(&format!("__permfw_any_{}", self.groups.len()), Span::mixed_site());
                self.groups.push(quote!(let #local = [#(#members),*];));
                quote!(__permfw::Required::Any(&#local))
            }
        }
    }
}

pub fn expand(args: &Args, guarded: Guarded) -> TokenStream {
    let Guarded { func, user, user_span } = guarded;
    let required_var = Ident::new("__permfw_required", Span::mixed_site());
    let fn_name = func.sig.ident.to_string();
    let mut expander = Expander { fn_name: &fn_name, sites: Vec::new(), groups: Vec::new() };
    let required: Vec<TokenStream> = args.required.iter().map(|r| expander.required(r)).collect();
    let Expander { sites, groups, .. } = expander;

    let raise_exception = args.raise_exception.as_ref().is_some_and(syn::LitBool::value);
    let login_url = match &args.login_url {
        Some(url) => quote!(::core::option::Option::Some(#url)),
        None => quote!(::core::option::Option::None),
    };
    let return_span = match &func.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => func.sig.ident.span(),
    };
    let denied = Ident::new("__permfw_denied", Span::mixed_site());
    let check = quote_spanned! {user_span=>
        __permfw::check(
            &#user,
            &#required_var,
            &__permfw::Options { raise_exception: #raise_exception, login_url: #login_url },
        )
    };
    let from_denied = quote_spanned!(return_span=> __permfw::Guarded::from_denied(#denied));
    let use_private = crate_path::use_private(args.krate.as_ref());
    func.with_prologue(quote! {
        {
            #use_private
            #(#sites)*
            #(#groups)*
            let #required_var = [#(#required),*];
            if let ::core::result::Result::Err(#denied) = #check {
                return #from_denied;
            }
        }
    })
}
