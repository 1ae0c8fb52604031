//! Parses `#[model(...)]` and `#[permissions(...)]`. Never fails: every problem is reported
//! through the `Ctxt` on its own token, and parsing goes on with the next key or entry.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, LitStr, Path, Token};

use crate::crate_path;
use crate::ctxt::Ctxt;

/// A value with the span of the tokens it came from.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl Spanned<String> {
    fn from_lit(lit: &LitStr) -> Self {
        Spanned { value: lit.value(), span: lit.span() }
    }
}

/// A custom permission as written.
pub struct Custom {
    pub codename: Spanned<String>,
    pub name: Spanned<String>,
}

/// Everything the two attributes say; `None` where a key was not given.
#[derive(Default)]
pub struct Attrs {
    pub app_label: Option<Spanned<String>>,
    pub model_name: Option<Spanned<String>>,
    pub verbose_name: Option<Spanned<String>>,
    pub default_permissions: Option<Spanned<Vec<Spanned<String>>>>,
    pub permissions: Vec<Custom>,
    /// `crate = path`: where the generated code finds permfw.
    pub krate: Option<Path>,
}

const MODEL_KEYS: &str = "`app_label`, `model_name`, `verbose_name`, `default_permissions` or `crate`";

pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs {
        if attr.path().is_ident("model") {
            parse_list(cx, attr, "#[model(app_label = \"blog\")]", |input| parse_model_entry(cx, input, &mut out));
        } else if attr.path().is_ident("permissions") {
            parse_list(cx, attr, "#[permissions(publish_post = \"Can publish post\")]", |input| {
                parse_permission_entry(input, &mut out.permissions)
            });
        }
    }
    out
}

/// Runs `entry` on each comma-separated entry of `#[name(...)]`; an entry that fails is reported
/// and skipped up to the next comma.
fn parse_list(cx: &Ctxt, attr: &Attribute, example: &str, mut entry: impl FnMut(ParseStream<'_>) -> syn::Result<()>) {
    let syn::Meta::List(list) = &attr.meta else {
        cx.error_spanned_by(attr, format_args!("expected a list in parentheses, e.g. `{example}`"));
        return;
    };
    let parsed = list.parse_args_with(|input: ParseStream<'_>| {
        while !input.is_empty() {
            if let Err(err) = entry(input) {
                cx.push(err);
                skip_to_comma(input);
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    });
    if let Err(err) = parsed {
        cx.push(err);
    }
}

fn skip_to_comma(input: ParseStream<'_>) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

fn parse_model_entry(cx: &Ctxt, input: ParseStream<'_>, out: &mut Attrs) -> syn::Result<()> {
    let key = input
        .call(Ident::parse_any)
        .map_err(|err| syn::Error::new(err.span(), format_args!("expected a key: {MODEL_KEYS}")))?;
    let slot = match key.to_string().as_str() {
        "app_label" => &mut out.app_label,
        "model_name" => &mut out.model_name,
        "verbose_name" => &mut out.verbose_name,
        "default_permissions" => {
            let actions = parse_actions(cx, &key, input)?;
            set_once(cx, &key, &mut out.default_permissions, actions);
            return Ok(());
        }
        "crate" => {
            let path = parse_crate_path(&key, input)?;
            set_once(cx, &key, &mut out.krate, path);
            return Ok(());
        }
        "permissions" => {
            return Err(syn::Error::new(
                key.span(),
                "custom permissions go in their own attribute: \
                 `#[permissions(publish_post = \"Can publish post\")]`",
            ));
        }
        _ => {
            return Err(syn::Error::new(
                key.span(),
                format_args!("unknown key `{key}` in `#[model(...)]`; expected {MODEL_KEYS}"),
            ));
        }
    };
    let value = parse_string_value(&key, input)?;
    set_once(cx, &key, slot, value);
    Ok(())
}

/// Stores `value` unless the key was given before, which is reported on the second key.
fn set_once<T>(cx: &Ctxt, key: &Ident, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(key, format_args!("`{key}` is given twice; keep one"));
    } else {
        *slot = Some(value);
    }
}

fn parse_string_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<Spanned<String>> {
    expect_eq(key, input)?;
    if input.peek(LitStr) {
        return Ok(Spanned::from_lit(&input.parse()?));
    }
    Err(wrong_kind(input, format_args!("expected a string literal, e.g. `{key} = \"blog\"`")))
}

/// `crate = my_app::permfw`, or serde's `crate = "my_app::permfw"`.
fn parse_crate_path(key: &Ident, input: ParseStream<'_>) -> syn::Result<Path> {
    expect_eq(key, input)?;
    crate_path::parse(input)
}

fn expect_eq(key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(())
    } else {
        Err(syn::Error::new(key.span(), format_args!("expected `=` and a value after `{key}`")))
    }
}

/// An error on the next token of `input` (or its end).
fn wrong_kind(input: ParseStream<'_>, msg: impl std::fmt::Display) -> syn::Error {
    let span = input.fork().parse::<TokenTree>().map_or_else(|_| input.span(), |tt| tt.span());
    syn::Error::new(span, msg)
}

fn parse_actions(cx: &Ctxt, key: &Ident, input: ParseStream<'_>) -> syn::Result<Spanned<Vec<Spanned<String>>>> {
    expect_eq(key, input)?;
    let content;
    let span = if input.peek(syn::token::Bracket) {
        syn::bracketed!(content in input).span.join()
    } else if input.peek(syn::token::Paren) {
        syn::parenthesized!(content in input).span.join()
    } else {
        return Err(wrong_kind(
            input,
            "expected a list of actions, e.g. `default_permissions = [\"add\", \"view\"]` \
             (or `[]` for none)",
        ));
    };
    let mut actions = Vec::new();
    while !content.is_empty() {
        if content.peek(LitStr) {
            actions.push(Spanned::from_lit(&content.parse()?));
        } else {
            cx.push(wrong_kind(
                &content,
                "expected a string literal naming an action: \
                 `\"add\"`, `\"change\"`, `\"delete\"` or `\"view\"`",
            ));
            skip_to_comma(&content);
        }
        if content.is_empty() {
            break;
        }
        if let Err(err) = content.parse::<Token![,]>() {
            skip_rest(&content);
            return Err(err);
        }
    }
    Ok(Spanned { value: actions, span })
}

/// Consumes what is left of a delimited group, so that syn adds no "unexpected token" error
/// after ours.
fn skip_rest(content: ParseStream<'_>) {
    while !content.is_empty() {
        if content.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

const PERMISSION_FORMS: &str = "expected `codename = \"Human name\"` or `(\"codename\", \"Human name\")`";

fn parse_permission_entry(input: ParseStream<'_>, out: &mut Vec<Custom>) -> syn::Result<()> {
    if input.peek(syn::token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        let parsed = parse_tuple(&content, parens.span.join());
        skip_rest(&content);
        out.push(parsed?);
        return Ok(());
    }
    let Ok(codename) = input.call(Ident::parse_any) else {
        return Err(wrong_kind(input, PERMISSION_FORMS));
    };
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            codename.span(),
            format_args!("expected `= \"Human name\"` after `{codename}`, e.g. `{codename} = \"Can ...\"`"),
        ));
    }
    input.parse::<Token![=]>()?;
    if !input.peek(LitStr) {
        return Err(wrong_kind(
            input,
            format_args!("expected a string literal with the permission's human name, e.g. `{codename} = \"Can ...\"`"),
        ));
    }
    let name = Spanned::from_lit(&input.parse()?);
    out.push(Custom { codename: Spanned { value: codename.unraw().to_string(), span: codename.span() }, name });
    Ok(())
}

fn parse_tuple(content: ParseStream<'_>, parens: Span) -> syn::Result<Custom> {
    let codename = tuple_string(content, parens, "the codename")?;
    content.parse::<Token![,]>().map_err(|_| tuple_error(content))?;
    let name = tuple_string(content, parens, "the human name")?;
    if content.peek(Token![,]) {
        content.parse::<Token![,]>()?;
    }
    if !content.is_empty() {
        return Err(tuple_error(content));
    }
    Ok(Custom { codename, name })
}

fn tuple_string(content: ParseStream<'_>, parens: Span, what: &str) -> syn::Result<Spanned<String>> {
    if content.peek(LitStr) {
        Ok(Spanned::from_lit(&content.parse()?))
    } else if content.is_empty() {
        Err(syn::Error::new(parens, format_args!("missing {what}; {PERMISSION_FORMS}")))
    } else {
        Err(wrong_kind(content, format_args!("expected a string literal for {what}; {PERMISSION_FORMS}")))
    }
}

fn tuple_error(content: ParseStream<'_>) -> syn::Error {
    wrong_kind(content, format_args!("a permission tuple has two strings; {PERMISSION_FORMS}"))
}
