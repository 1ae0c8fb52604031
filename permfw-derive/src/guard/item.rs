//! Finds the function to guard and the argument the user is taken from.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, Pat, Signature, Visibility, token};

use crate::ctxt::Ctxt;

/// A function that can be guarded, with the name of its user argument.
pub struct Guarded {
    pub func: Function,
    pub user: Ident,
    /// Where a user type that is not `HasPerms` is reported: the user argument.
    pub user_span: Span,
}

/// A function as written: attributes, visibility and signature parsed, the body kept as tokens
/// (tracing-attributes' `MaybeItemFn`). The guard needs nothing from the body, and a syntax error
/// in it is left for rustc to report in its own words.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    brace: token::Brace,
    inner_attrs: Vec<Attribute>,
    body: TokenStream,
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let brace = syn::braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let body = content.parse()?;
        Ok(Self { attrs, vis, sig, brace, inner_attrs, body })
    }
}

impl Function {
    /// The function with `prologue` run first, and its body kept as written in a block of its own.
    pub fn with_prologue(self, prologue: TokenStream) -> TokenStream {
        let Self { attrs, vis, sig, brace, inner_attrs, body } = self;
        let mut nested = TokenStream::new();
        brace.surround(&mut nested, |tokens| tokens.extend(body));
        quote::quote! {
            #(#attrs)*
            #vis #sig {
                #(#inner_attrs)*
                #prologue
                #nested
            }
        }
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.brace.surround(tokens, |tokens| {
            tokens.append_all(&self.inner_attrs);
            tokens.extend(self.body.clone());
        });
    }
}

pub fn parse(cx: &Ctxt, item: TokenStream, named: Option<&Ident>) -> Option<Guarded> {
    let func = match syn::parse2::<Function>(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            not_a_function(cx, item);
            return None;
        }
    };
    if let Some(constness) = &func.sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[permission_required]` cannot guard a `const fn`: permissions are checked at run time; remove `const`",
        );
    }
    let (user, user_span) = user_argument(cx, &func.sig, named)?;
    Some(Guarded { func, user, user_span })
}

fn not_a_function(cx: &Ctxt, item: TokenStream) {
    if let Ok(decl) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        let span = decl.semi_token.map_or_else(|| decl.sig.span(), |semi| semi.span);
        cx.error_at(
            span,
            "`#[permission_required]` needs a function body to guard; put it on the implementation, not on the declaration",
        );
        return;
    }
    let span = match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Struct(s)) => s.struct_token.span,
        Ok(syn::Item::Enum(e)) => e.enum_token.span,
        Ok(syn::Item::Impl(i)) => i.impl_token.span,
        Ok(syn::Item::Trait(t)) => t.trait_token.span,
        Ok(syn::Item::Mod(m)) => m.mod_token.span,
        Ok(syn::Item::Const(c)) => c.const_token.span,
        Ok(syn::Item::Static(s)) => s.static_token.span,
        Ok(syn::Item::ForeignMod(f)) => f.abi.extern_token.span,
        Ok(other) => other.span(),
        Err(err) => err.span(),
    };
    cx.error_at(span, "`#[permission_required]` can only guard a function with a body");
}

fn user_argument(cx: &Ctxt, sig: &Signature, named: Option<&Ident>) -> Option<(Ident, Span)> {
    if let Some(name) = named {
        if name == "self"
            && let Some(receiver) = sig.receiver()
        {
            return Some((name.clone(), receiver.span()));
        }
        for arg in &sig.inputs {
            if let FnArg::Typed(typed) = arg
                && let Pat::Ident(pat) = &*typed.pat
                && pat.ident == *name
            {
                return Some((pat.ident.clone(), typed.ty.span()));
            }
        }
        let names: Vec<String> = sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Receiver(_) => Some("`self`".to_string()),
                FnArg::Typed(typed) => match &*typed.pat {
                    Pat::Ident(pat) => Some(format!("`{}`", pat.ident)),
                    _ => None,
                },
            })
            .collect();
        let known = if names.is_empty() { "it has none".to_string() } else { format!("it has {}", names.join(", ")) };
        cx.error_spanned_by(name, format_args!("`user = {name}` names no argument of `{}`; {known}", sig.ident));
        return None;
    }
    let first = sig.inputs.iter().find_map(|arg| match arg {
        FnArg::Typed(typed) => Some(typed),
        FnArg::Receiver(_) => None,
    });
    let Some(first) = first else {
        cx.error_at(
            sig.paren_token.span.join(),
            format_args!(
                "`{}` has no argument to take the user from; add one, e.g. `user: &User`, or name one with `user = ...`",
                sig.ident
            ),
        );
        return None;
    };
    match &*first.pat {
        Pat::Ident(pat) if pat.subpat.is_none() => Some((pat.ident.clone(), first.ty.span())),
        other => {
            cx.error_spanned_by(
                other,
                "the user argument must be a plain name such as `user: &User`; bind it to a name, \
                 or pick another argument with `user = name`",
            );
            None
        }
    }
}
