//! `#[derive(Model)]`: `attr` parses, `check` validates and resolves names, `expand` generates.

mod attr;
mod check;
mod expand;

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::ctxt::Ctxt;

/// The whole derive. Never panics: on errors it emits them together with a fallback expansion
/// (the same consts and impl, without registration) so that one mistake does not cascade.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = attr::parse(&cx, &input.attrs);
    let model = check::resolve(&cx, input, attrs);
    match cx.check() {
        Ok(()) => expand::expand(input, &model, true),
        Err(errors) => {
            let fallback = expand::expand(input, &model, false);
            let errors = errors.into_compile_error();
            quote::quote!(#errors #fallback)
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn expand(input: TokenStream) -> String {
        let file: syn::File = syn::parse2(derive(&syn::parse2(input).unwrap())).unwrap();
        prettyplease::unparse(&file)
    }

    fn errors(input: TokenStream) -> Vec<String> {
        let cx = Ctxt::new();
        let input: DeriveInput = syn::parse2(input).unwrap();
        let attrs = attr::parse(&cx, &input.attrs);
        check::resolve(&cx, &input, attrs);
        cx.check().err().map_or_else(Vec::new, |e| e.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn generates_defaults_then_customs_with_consts_and_registration() {
        let out = expand(quote! {
            #[model(app_label = "blog")]
            #[permissions(publish_post = "Can publish post", ("feature_post", "Can feature post"))]
            pub struct Post { title: String }
        });
        let infos: Vec<_> = out.match_indices("PermissionInfo::new(").collect();
        assert_eq!(infos.len(), 6, "{out}");
        let order = [
            "\"add_post\"",
            "\"change_post\"",
            "\"delete_post\"",
            "\"view_post\"",
            "\"publish_post\"",
            "\"feature_post\"",
        ];
        let positions: Vec<_> = order.iter().map(|c| out.find(c).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{out}");
        for name in ["Can add post", "Can view post", "Can feature post", "blog.publish_post"] {
            assert!(out.contains(name), "missing {name} in {out}");
        }
        for konst in ["ADD_POST", "CHANGE_POST", "DELETE_POST", "VIEW_POST", "PUBLISH_POST", "FEATURE_POST"] {
            assert!(out.contains(&format!("pub const {konst}: __permfw::Permission")), "{konst} in {out}");
        }
        assert!(out.contains("const _: () = {\n    use ::permfw::__private as __permfw;"), "{out}");
        assert!(out.contains("impl __permfw::Model for Post"), "{out}");
        assert!(out.contains("inventory::submit!"), "{out}");
        assert!(out.contains("const _: () ="), "{out}");
    }

    #[test]
    fn default_permissions_subset_order_and_verbose_name() {
        let out = expand(quote! {
            #[model(app_label = "blog", default_permissions = ["view", "add"])]
            struct BlogPost;
        });
        assert!(out.find("\"view_blogpost\"").unwrap() < out.find("\"add_blogpost\"").unwrap());
        assert!(out.contains("Can view blog post"));
        assert!(!out.contains("change_blogpost"));
    }

    #[test]
    fn every_error_of_an_item_is_reported_at_once() {
        let errs = errors(quote! {
            #[model(app_label = "Blog", colour = "red")]
            #[permissions(add_post = "dup of default", Publish = "x", a = "", b = "B", b = "B again")]
            struct Post<T>(T);
        });
        assert_eq!(errs.len(), 7, "{errs:#?}");
        assert!(errs.iter().any(|e| e.contains("unknown key `colour`")));
        assert!(errs.iter().any(|e| e.contains("app label \"Blog\"")));
        assert!(errs.iter().any(|e| e.contains("clashes with a default permission")));
        assert!(errs.iter().any(|e| e.contains("codename `Publish` must match")));
        assert!(errs.iter().any(|e| e.contains("permission `a` is empty")));
        assert!(errs.iter().any(|e| e.contains("`b` is listed twice")));
        assert!(errs.iter().any(|e| e.contains("cannot have type, lifetime or const parameters")));
    }

    #[test]
    fn django_length_checks_use_djangos_formulas() {
        let long_name = "X".repeat(94);
        let ident = syn::Ident::new(&long_name, proc_macro2::Span::call_site());
        let errs = errors(quote!(#[model(app_label = "t")] struct #ident;));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("must be at most 93 characters for its default permission codenames"), "{errs:?}");

        let verbose = "v".repeat(290);
        let errs = errors(quote!(
            #[model(app_label = "t", verbose_name = #verbose)]
            struct Checked;
        ));
        assert!(errs[0].contains("must be at most 244 characters for its default permission names"), "{errs:?}");

        let codename = syn::Ident::new(&"x".repeat(101), proc_macro2::Span::call_site());
        let errs = errors(quote!(
            #[model(app_label = "t")]
            #[permissions(#codename = "ok")]
            struct Checked;
        ));
        assert!(errs[0].contains("longer than 100 characters"), "{errs:?}");
    }

    #[test]
    fn crate_names_where_permfw_is() {
        let out = expand(quote! {
            #[model(app_label = "blog", crate = app::reexported)]
            struct Post;
        });
        assert!(out.contains("use app::reexported::__private as __permfw;"), "{out}");
        assert!(!out.contains("::permfw"), "{out}");
        let out = expand(quote! {
            #[model(crate = "crate::reexport::permfw", app_label = "blog")]
            struct Post;
        });
        assert!(out.contains("use crate::reexport::permfw::__private as __permfw;"), "{out}");

        let errs = errors(quote! {
            #[model(app_label = "blog", crate = 5, crate = "not a path", crate = permfw, crate = permfw)]
            struct Post;
        });
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert!(errs[0].starts_with("expected a path to permfw, e.g. `crate = my_app::permfw`"), "{errs:#?}");
        assert!(errs[1].ends_with("; \"not a path\" is not a path"), "{errs:#?}");
        assert_eq!(errs[2], "`crate` is given twice; keep one");
    }

    #[test]
    fn empty_default_permissions_allow_any_custom_codename() {
        assert!(
            errors(quote! {
                #[model(app_label = "t", default_permissions = [])]
                #[permissions(add_checked = "Can add checked")]
                struct Checked;
            })
            .is_empty()
        );
    }

    #[test]
    fn a_wrong_model_still_declares_its_valid_consts_but_registers_nothing() {
        let out = derive(
            &syn::parse2(quote! {
                #[model(app_label = "blog")]
                #[permissions(publish_post = "Can publish post", Bad = "x")]
                struct Post;
            })
            .unwrap(),
        )
        .to_string();
        assert!(out.contains("compile_error"));
        assert!(out.contains("PUBLISH_POST"));
        assert!(!out.contains("submit"));
    }
}
