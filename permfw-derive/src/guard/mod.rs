//! `#[permission_required]`: `args` parses the attribute, `item` finds the function and its user
//! argument, `expand` inserts the check before the body.

mod args;
mod expand;
mod item;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

/// The whole attribute. Never panics: on errors it gives back the item unchanged with the errors,
/// so that the function still exists for the rest of the crate.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = args::parse(&cx, args);
    let guarded = item::parse(&cx, item.clone(), args.user.as_ref());
    match (cx.check(), guarded) {
        (Ok(()), Some(guarded)) => expand::expand(&args, guarded),
        (Err(errors), Some(mut guarded)) => {
            // The function stays, unguarded, so the rest of the crate compiles; its user argument
            // would now look unused, which is not worth a warning next to the error.
            guarded.func.attrs.push(syn::parse_quote!(#[allow(unused_variables)]));
            let (errors, func) = (errors.into_compile_error(), guarded.func);
            quote::quote!(#errors #func)
        }
        (Err(errors), None) => {
            let errors = errors.into_compile_error();
            quote::quote!(#errors #item)
        }
        (Ok(()), None) => item,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn expand_ok(args: TokenStream, item: TokenStream) -> String {
        let out = expand(args, item);
        assert!(!out.to_string().contains("compile_error"), "{out}");
        prettyplease::unparse(&syn::parse2(out).unwrap())
    }

    fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
        let out = expand(args, item).to_string();
        out.match_indices("compile_error ! {").map(|(i, _)| out[i..].split('"').nth(1).unwrap().to_string()).collect()
    }

    #[test]
    fn the_check_is_the_first_statement_and_the_body_stays_nested() {
        let out = expand_ok(
            quote!("blog.publish_post"),
            quote!(
                pub fn publish(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
                    post.publish();
                    Ok(())
                }
            ),
        );
        let body = out.split_once("-> Result<(), PermissionDenied> {").unwrap().1.trim_start();
        assert!(body.starts_with('{'), "{out}");
        assert!(out.contains("{\n        use ::permfw::__private as __permfw;\n"), "{out}");
        assert!(out.contains("static __PERMFW_SITE_0: __permfw::GuardSite"), "{out}");
        assert!(out.contains("\"blog.publish_post\""));
        assert!(out.contains("__permfw::check(\n            &user,"), "{out}");
        assert!(out.contains("Required::Site(&__PERMFW_SITE_0)"), "{out}");
        assert!(out.find("Guarded::from_denied").unwrap() < out.find("post.publish()").unwrap());
        assert!(out.contains("pub fn publish(user: &User, post: &mut Post)"));
    }

    #[test]
    fn the_body_is_kept_as_written_even_when_it_does_not_parse() {
        let out = expand(
            quote!("blog.publish_post"),
            quote!(
                fn publish(user: &User) -> Result<(), PermissionDenied> {
                    #![allow(unused_mut)]
                    let x = ;
                    Ok(())
                }
            ),
        )
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
        let inner = out.find("# ! [allow (unused_mut)]").unwrap();
        assert!(inner < out.find("__PERMFW_SITE_0").unwrap(), "{out}");
        assert!(out.contains("{ let x = ; Ok (()) }"), "{out}");
    }

    #[test]
    fn consts_any_and_options() {
        let out = expand_ok(
            quote!(
                any(Post::CHANGE_POST, "blog.publish_post"),
                Post::VIEW_POST,
                user = viewer,
                raise_exception = true,
                login_url = "/login/"
            ),
            quote!(
                async fn edit(&self, id: i64, viewer: &User) -> Result<(), AppError> {
                    Ok(())
                }
            ),
        );
        assert!(out.contains("&viewer,"), "{out}");
        assert!(out.contains("Required::Any(&__permfw_any_0)"), "{out}");
        assert!(out.contains("__permfw::required(Post::VIEW_POST)"), "{out}");
        assert!(out.contains("raise_exception: true"), "{out}");
        assert!(out.contains("::core::option::Option::Some(\"/login/\")"), "{out}");
    }

    #[test]
    fn crate_names_where_permfw_is() {
        let item = quote!(
            fn f(u: &User) -> Result<(), E> {
                Ok(())
            }
        );
        let out = expand_ok(quote!("a.b", crate = app::reexported), item.clone());
        assert!(out.contains("use app::reexported::__private as __permfw;"), "{out}");
        assert!(!out.contains("::permfw"), "{out}");
        let out = expand_ok(quote!("a.b", crate = "crate::reexport::permfw"), item.clone());
        assert!(out.contains("use crate::reexport::permfw::__private as __permfw;"), "{out}");

        let bad = quote!("a.b", crate = 5, crate = "not a path", crate = Vec::<u8>);
        let errs = errors(bad.clone(), item.clone());
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert!(errs.iter().all(|e| e.starts_with("expected a path to permfw")), "{errs:#?}");
        assert!(expand(bad, item.clone()).to_string().contains(r#"; \"not a path\" is not a path"#));
        let errs = errors(quote!("a.b", crate = permfw, crate = permfw), item);
        assert_eq!(errs, ["option `crate` is given twice; keep one"]);
    }

    #[test]
    fn argument_errors_are_reported_together() {
        let errs = errors(
            quote!("nodot", "Blog.x", colour = 1, user = nobody),
            quote!(
                const fn f(a: i32) -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        assert_eq!(errs.len(), 5, "{errs:#?}");
        assert!(errs[0].starts_with("expected"), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("unknown option `colour`")));
        assert!(errs.iter().any(|e| e.contains("names no argument")));
        assert!(errs.iter().any(|e| e.contains("`const fn`")));
    }

    #[test]
    fn empty_lists_are_refused() {
        assert!(
            errors(
                quote!(),
                quote!(
                    fn f(u: &User) -> Result<(), E> {
                        Ok(())
                    }
                )
            )[0]
            .contains("at least one permission")
        );
        assert!(
            errors(
                quote!(any()),
                quote!(
                    fn f(u: &User) -> Result<(), E> {
                        Ok(())
                    }
                )
            )[0]
            .contains("`any()`")
        );
        assert!(
            errors(
                quote!(user = u),
                quote!(
                    fn f(u: &User) -> Result<(), E> {
                        Ok(())
                    }
                )
            )[0]
            .contains("at least one permission")
        );
    }

    #[test]
    fn user_argument_rules() {
        let item = quote!(
            fn f(&self) -> Result<(), E> {
                Ok(())
            }
        );
        assert!(errors(quote!("a.b"), item)[0].contains("no argument to take the user from"));
        let item = quote!(
            fn f((a, b): (User, User)) -> Result<(), E> {
                Ok(())
            }
        );
        assert!(errors(quote!("a.b"), item)[0].contains("plain name"));
        let item = quote!(
            struct S;
        );
        assert!(errors(quote!("a.b"), item)[0].contains("can only guard a function"));
        let item = quote!(
            fn f(&self, u: &User) -> Result<(), E>;
        );
        assert!(errors(quote!("a.b"), item)[0].contains("body"));
    }
}
