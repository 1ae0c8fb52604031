//! Parses `#[permission_required(...)]`: permissions (strings or const paths), `any(...)`
//! groups, and the options `user`, `raise_exception`, `login_url` and `crate`.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprPath, Ident, Lit, LitBool, LitStr, Path, Token};

use crate::ctxt::Ctxt;
use crate::{codename, crate_path};

/// One required permission, or a group of which any one suffices.
pub enum Required {
    Str(LitStr),
    Path(ExprPath),
    Any(Vec<Required>),
}

#[derive(Default)]
pub struct Args {
    pub required: Vec<Required>,
    pub user: Option<Ident>,
    pub raise_exception: Option<LitBool>,
    pub login_url: Option<LitStr>,
    /// `crate = path`: where the generated code finds permfw.
    pub krate: Option<Path>,
    /// Whether any permission was written, valid or not (to avoid a second error for a bad one).
    written: bool,
}

const OPTIONS: &str = "`user = name`, `raise_exception = true`, `login_url = \"...\"` or `crate = path`";
const PERMISSION_FORMS: &str = "expected a permission: a string such as \"blog.publish_post\", a const such as `Post::PUBLISH_POST`, or `any(...)`";

pub fn parse(cx: &Ctxt, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            match input.parse::<Expr>() {
                Ok(expr) => entry(cx, expr, &mut args),
                Err(err) => {
                    args.written = true;
                    cx.push(syn::Error::new(err.span(), PERMISSION_FORMS));
                    while !input.is_empty() && !input.peek(Token![,]) {
                        input.parse::<TokenTree>()?;
                    }
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(err) = parser.parse2(tokens) {
        cx.push(err);
    }
    if !args.written {
        cx.error_at(
            Span::call_site(),
            "`#[permission_required]` needs at least one permission, e.g. \
             `#[permission_required(\"blog.publish_post\")]`; an empty list would let everyone through",
        );
    }
    args
}

fn entry(cx: &Ctxt, expr: Expr, args: &mut Args) {
    match expr {
        Expr::Assign(assign) => option(cx, *assign.left, *assign.right, args),
        other => {
            args.written = true;
            if let Some(required) = permission(cx, other, true) {
                args.required.push(required);
            }
        }
    }
}

/// A permission, or `any(...)` when `allow_any`.
fn permission(cx: &Ctxt, expr: Expr, allow_any: bool) -> Option<Required> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) => check_string(cx, &lit).then_some(Required::Str(lit)),
        Expr::Path(path) => Some(Required::Path(path)),
        Expr::Call(call) if is_ident(&call.func, "any") => {
            if !allow_any {
                cx.error_spanned_by(&call.func, "`any(...)` cannot be nested; list the alternatives in one `any(...)`");
                return None;
            }
            if call.args.is_empty() {
                cx.error_spanned_by(
                    &call,
                    "`any()` needs at least one permission, e.g. `any(Post::CHANGE_POST, Post::PUBLISH_POST)`",
                );
                return None;
            }
            let mut group = Vec::new();
            for arg in call.args {
                if let Expr::Assign(assign) = &arg {
                    cx.error_spanned_by(&assign.left, "options go outside `any(...)`, after the permissions");
                } else if let Some(required) = permission(cx, arg, false) {
                    group.push(required);
                }
            }
            Some(Required::Any(group))
        }
        other => {
            cx.error_spanned_by(&other, PERMISSION_FORMS);
            None
        }
    }
}

/// `"app_label.codename"`, each half in its character set.
fn check_string(cx: &Ctxt, lit: &LitStr) -> bool {
    let value = lit.value();
    let well_formed =
        value.split_once('.').is_some_and(|(app, code)| codename::is_label(app) && codename::is_codename(code));
    if !well_formed {
        let advice = match value.split_once('.') {
            None if codename::is_codename(&value) => {
                format!("; add the app label, e.g. \"blog.{value}\"")
            }
            Some((app, code)) if !codename::is_label(app) && codename::is_codename(code) => {
                match codename::suggest_label(app) {
                    Some(fixed) => format!("; write \"{fixed}.{code}\""),
                    None => ", e.g. \"blog.publish_post\"".to_string(),
                }
            }
            _ => ", e.g. \"blog.publish_post\"".to_string(),
        };
        cx.error_at(
            lit.span(),
            format_args!("expected \"app_label.codename\" (lower case, digits and underscores){advice}"),
        );
    }
    well_formed
}

fn option(cx: &Ctxt, left: Expr, right: Expr, args: &mut Args) {
    let Some(key) = as_ident(&left) else {
        cx.error_spanned_by(&left, format_args!("expected an option: {OPTIONS}"));
        return;
    };
    match key.to_string().as_str() {
        "user" => match as_ident(&right) {
            Some(name) => set_once(cx, &key, &mut args.user, name),
            None => cx.error_spanned_by(&right, "`user` names an argument of the function, e.g. `user = viewer`"),
        },
        "raise_exception" => match right {
            Expr::Lit(syn::ExprLit { lit: Lit::Bool(b), .. }) => set_once(cx, &key, &mut args.raise_exception, b),
            other => cx.error_spanned_by(&other, "expected `raise_exception = true` or `raise_exception = false`"),
        },
        "login_url" => match right {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(url), .. }) if !url.value().is_empty() => {
                set_once(cx, &key, &mut args.login_url, url);
            }
            other => cx.error_spanned_by(&other, "expected a URL string, e.g. `login_url = \"/accounts/login/\"`"),
        },
        "crate" => match crate_path::from_expr(&right) {
            Ok(path) => set_once(cx, &key, &mut args.krate, path),
            Err(err) => cx.push(err),
        },
        _ => cx.error_spanned_by(&key, format_args!("unknown option `{key}`; expected {OPTIONS}")),
    }
}

fn set_once<T>(cx: &Ctxt, key: &Ident, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(key, format_args!("option `{key}` is given twice; keep one"));
    } else {
        *slot = Some(value);
    }
}

fn as_ident(expr: &Expr) -> Option<Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => p.path.get_ident().cloned(),
        _ => None,
    }
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    as_ident(expr).is_some_and(|ident| ident == name)
}
