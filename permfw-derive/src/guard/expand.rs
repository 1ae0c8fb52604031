//! Inserts the check as the first statement and keeps the body, in its own block, as written.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

use super::args::{Args, Required};
use super::item::Guarded;

/// What one requirement becomes: the test on the fast path, and its description for the denial.
struct Parts {
    test: TokenStream,
    described: TokenStream,
}

struct Expander<'a> {
    user: &'a Ident,
    fn_name: String,
    /// A `static` guard site per permission string, registered for `permfw::check()`.
    sites: Vec<TokenStream>,
}

impl Expander<'_> {
    fn required(&mut self, required: &Required) -> Parts {
        let user = self.user;
        match required {
            Required::Path(path) => Parts {
                test: quote_spanned!(path.span()=> ::permfw::HasPerms::has_perm(#user, #path)),
                described: quote_spanned!(path.span()=> ::permfw::__private::Required::Perm(#path)),
            },
            Required::Str(lit) => {
                let site = format_ident!("__PERMFW_SITE_{}", self.sites.len());
                let fn_name = &self.fn_name;
                let line = quote_spanned!(lit.span()=> ::core::line!());
                let column = quote_spanned!(lit.span()=> ::core::column!());
                self.sites.push(quote! {
                    static #site: ::permfw::__private::GuardSite = ::permfw::__private::GuardSite::new(
                        #lit, #fn_name, ::core::module_path!(), ::core::file!(), #line, #column,
                    );
                    ::permfw::__private::inventory::submit! {
                        ::permfw::__private::GuardEntry::new(&#site)
                    }
                });
                Parts {
                    test: quote!(::permfw::HasPerms::has_perm(#user, &#site)),
                    described: quote!(::permfw::__private::Required::Site(&#site)),
                }
            }
            Required::Any(group) => {
                let parts: Vec<Parts> = group.iter().map(|r| self.required(r)).collect();
                let tests = parts.iter().map(|p| &p.test);
                let described = parts.iter().map(|p| &p.described);
                Parts {
                    test: quote!((#(#tests)||*)),
                    described: quote!(::permfw::__private::Required::Any(&[#(#described),*])),
                }
            }
        }
    }
}

pub fn expand(args: &Args, guarded: Guarded) -> TokenStream {
    let Guarded { mut func, user, user_span } = guarded;
    let user_var = Ident::new("__permfw_user", Span::mixed_site());
    let mut expander = Expander { user: &user_var, fn_name: func.sig.ident.to_string(), sites: Vec::new() };
    let parts: Vec<Parts> = args.required.iter().map(|r| expander.required(r)).collect();
    let tests = parts.iter().map(|p| &p.test);
    let described = parts.iter().map(|p| &p.described);
    let sites = &expander.sites;

    let raise_exception = args.raise_exception.as_ref().is_some_and(syn::LitBool::value);
    let login_url = match &args.login_url {
        Some(url) => quote!(::core::option::Option::Some(#url)),
        None => quote!(::core::option::Option::None),
    };
    let return_span = match &func.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => func.sig.ident.span(),
    };
    let subject = quote_spanned!(user_span=> ::permfw::__private::subject(&#user));
    let denied = quote_spanned! {return_span=>
        ::permfw::__private::Guarded::from_denied(::permfw::__private::deny(
            #user_var,
            &[#(#described),*],
            &::permfw::__private::Options { raise_exception: #raise_exception, login_url: #login_url },
        ))
    };
    let body = &func.block;
    func.block = Box::new(syn::parse_quote!({
        {
            #(#sites)*
            let #user_var = #subject;
            if !(#(#tests)&&*) {
                return #denied;
            }
        }
        #body
    }));
    quote!(#func)
}
