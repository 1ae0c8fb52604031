//! Turns the parsed attributes into the model's names and permissions, checking each rule of the
//! contract (Django's auth.E005 to E012 and ours) and reporting every failure on its own token.

use std::collections::HashSet;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput};

use super::attr::{Attrs, Spanned};
use crate::codename::{self, CODENAME_MAX, DEFAULT_ACTIONS, LABEL_MAX, NAME_MAX};
use crate::ctxt::Ctxt;

/// One permission as the expansion emits it.
pub struct Perm {
    pub codename: String,
    pub name: String,
    pub span: Span,
}

/// The model as it will be registered. When errors were reported, `perms` holds only the
/// permissions whose codenames are valid and unique, so that the fallback expansion still
/// declares their consts.
pub struct Model {
    pub type_name: String,
    pub app_label: String,
    pub model_name: String,
    pub verbose_name: String,
    pub perms: Vec<Perm>,
    /// `#[model(crate = ...)]`; `::permfw` when not given.
    pub root: Option<syn::Path>,
}

pub fn resolve(cx: &Ctxt, input: &DeriveInput, attrs: Attrs) -> Model {
    check_shape(cx, input);
    let type_name = input.ident.unraw().to_string();
    let ident_span = input.ident.span();

    let app_label = resolve_app_label(cx, attrs.app_label, ident_span);
    let label = format!("{app_label}.{type_name}");
    let (model_name, model_name_span) = resolve_model_name(cx, attrs.model_name, &type_name, ident_span);
    let (verbose_name, verbose_span) = match attrs.verbose_name {
        Some(v) => {
            if v.value.trim().is_empty() {
                cx.error_at(v.span, "`verbose_name` is empty; write the model's name in words, e.g. \"blog post\"");
            }
            (v.value, v.span)
        }
        None => (codename::verbose_name(&type_name), ident_span),
    };

    let actions = resolve_actions(cx, attrs.default_permissions, ident_span);
    let defaults: Vec<Perm> = actions
        .iter()
        .map(|action| Perm {
            codename: codename::default_codename(&action.value, &model_name),
            name: codename::default_name(&action.value, &verbose_name),
            span: action.span,
        })
        .collect();
    check_default_lengths(cx, &defaults, &label, (&model_name, model_name_span), (&verbose_name, verbose_span));
    let default_codenames: HashSet<String> = defaults.iter().map(|p| p.codename.clone()).collect();
    // Defaults built from an invalid model name cannot become consts; that error is reported.
    let mut perms = if codename::is_label(&model_name) { defaults } else { Vec::new() };

    let mut seen = HashSet::new();
    for custom in attrs.permissions {
        let (codename, name) = (custom.codename, custom.name);
        let valid = check_codename(cx, &codename, &label);
        check_name(cx, &name, &codename.value, &label);
        if default_codenames.contains(&codename.value) {
            cx.error_at(
                codename.span,
                format_args!(
                    "custom permission `{}` clashes with a default permission of `{label}`; \
                     rename it, or leave its action out of `default_permissions`",
                    codename.value
                ),
            );
        } else if !seen.insert(codename.value.clone()) {
            cx.error_at(
                codename.span,
                format_args!("permission `{}` is listed twice for `{label}`; remove one", codename.value),
            );
        } else if valid {
            perms.push(Perm { codename: codename.value, name: name.value, span: codename.span });
        }
    }

    Model { type_name, app_label, model_name, verbose_name, perms, root: attrs.krate }
}

fn check_shape(cx: &Ctxt, input: &DeriveInput) {
    if let Data::Union(data) = &input.data {
        cx.error_spanned_by(
            data.union_token,
            "`Model` cannot be derived for a union; derive it on a struct or an enum",
        );
    }
    if !input.generics.params.is_empty() {
        cx.error_at(
            input.generics.span(),
            "a model cannot have type, lifetime or const parameters: it is registered once, \
             for one type; derive `Model` on a concrete type instead",
        );
    }
}

fn resolve_app_label(cx: &Ctxt, explicit: Option<Spanned<String>>, ident_span: Span) -> String {
    if let Some(app_label) = explicit {
        if !codename::is_label(&app_label.value) || codename::len(&app_label.value) > LABEL_MAX {
            let fix = codename::suggest_label(&app_label.value).map_or_else(String::new, |s| format!(", e.g. \"{s}\""));
            cx.error_at(
                app_label.span,
                format_args!(
                    "app label \"{}\" must match `[a-z_][a-z0-9_]*` and be at most {LABEL_MAX} characters; \
                     write it in lower case with underscores{fix}",
                    app_label.value
                ),
            );
        }
        return app_label.value;
    }
    match std::env::var("CARGO_CRATE_NAME") {
        Ok(crate_name) if codename::is_label(&crate_name) && crate_name.len() <= LABEL_MAX => crate_name,
        Ok(crate_name) => {
            let fix = codename::suggest_label(&crate_name).unwrap_or_else(|| "my_app".into());
            cx.error_at(
                ident_span,
                format_args!(
                    "the app label `{crate_name}` taken from the crate name must match `[a-z_][a-z0-9_]*`; \
                     set one with `#[model(app_label = \"{fix}\")]`"
                ),
            );
            crate_name
        }
        Err(_) => {
            cx.error_at(
                ident_span,
                "the crate name is unknown (not built by cargo), so there is no default app label; \
                 set one with `#[model(app_label = \"...\")]`",
            );
            String::new()
        }
    }
}

fn resolve_model_name(
    cx: &Ctxt,
    explicit: Option<Spanned<String>>,
    type_name: &str,
    ident_span: Span,
) -> (String, Span) {
    let (model_name, span, derived) = match explicit {
        Some(m) => (m.value, m.span, false),
        None => (codename::model_name(type_name), ident_span, true),
    };
    if !codename::is_label(&model_name) {
        let fix = codename::suggest_label(&model_name).unwrap_or_else(|| "my_model".into());
        let msg = if derived && !model_name.is_ascii() {
            format!(
                "the model name `{model_name}` derived from `{type_name}` is not ASCII; \
                 set one in lower-case ASCII with `#[model(model_name = \"...\")]`"
            )
        } else if derived {
            format!(
                "the model name `{model_name}` derived from `{type_name}` must match `[a-z_][a-z0-9_]*`; \
                 set one with `#[model(model_name = \"{fix}\")]`"
            )
        } else {
            format!("model name \"{model_name}\" must match `[a-z_][a-z0-9_]*`; write it as \"{fix}\"")
        };
        cx.error_at(span, msg);
    }
    (model_name, span)
}

fn resolve_actions(
    cx: &Ctxt,
    explicit: Option<Spanned<Vec<Spanned<String>>>>,
    ident_span: Span,
) -> Vec<Spanned<String>> {
    let Some(actions) = explicit else {
        return DEFAULT_ACTIONS.iter().map(|a| Spanned { value: (*a).to_string(), span: ident_span }).collect();
    };
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    for action in actions.value {
        if !DEFAULT_ACTIONS.contains(&action.value.as_str()) {
            cx.error_at(
                action.span,
                format_args!(
                    "unknown default action \"{}\"; expected \"add\", \"change\", \"delete\" or \"view\" \
                     (declare other actions in `#[permissions(...)]`)",
                    action.value
                ),
            );
        } else if !seen.insert(action.value.clone()) {
            cx.error_at(action.span, format_args!("action \"{}\" is listed twice; remove one", action.value));
        } else {
            valid.push(action);
        }
    }
    valid
}

/// Django's auth.E011 and E007 (and contenttypes.E005), with its formulas.
fn check_default_lengths(
    cx: &Ctxt,
    defaults: &[Perm],
    label: &str,
    (model_name, model_name_span): (&str, Span),
    (verbose_name, verbose_span): (&str, Span),
) {
    let longest_codename = defaults.iter().map(|p| codename::len(&p.codename)).max();
    match longest_codename {
        Some(longest) if longest > CODENAME_MAX => {
            let max = CODENAME_MAX - (longest - codename::len(model_name));
            cx.error_at(
                model_name_span,
                format_args!(
                    "the name of model `{label}` must be at most {max} characters for its default permission \
                     codenames to be at most {CODENAME_MAX} characters; set a shorter `#[model(model_name = \"...\")]`"
                ),
            );
        }
        _ if codename::len(model_name) > LABEL_MAX => {
            cx.error_at(
                model_name_span,
                format_args!(
                    "model names must be at most {LABEL_MAX} characters (got {}); \
                     set a shorter `#[model(model_name = \"...\")]`",
                    codename::len(model_name)
                ),
            );
        }
        _ => {}
    }
    let longest_name = defaults.iter().map(|p| codename::len(&p.name)).max();
    if let Some(longest) = longest_name.filter(|&n| n > NAME_MAX) {
        let max = NAME_MAX - (longest - codename::len(verbose_name));
        cx.error_at(
            verbose_span,
            format_args!(
                "the verbose name of model `{label}` must be at most {max} characters for its default permission \
                 names to be at most {NAME_MAX} characters; set a shorter `#[model(verbose_name = \"...\")]`"
            ),
        );
    }
}

/// The codename's character set and Django's auth.E012. Returns whether it can become a const.
fn check_codename(cx: &Ctxt, codename: &Spanned<String>, label: &str) -> bool {
    let value = &codename.value;
    if !codename::is_codename(value) {
        let fix = codename::suggest_label(value)
            .map(|s| s.trim_start_matches('_').to_string())
            .filter(|s| codename::is_codename(s))
            .map_or_else(String::new, |s| format!("; write it as `{s}`"));
        cx.error_at(
            codename.span,
            format_args!("codename `{value}` must match `[a-z][a-z0-9_]*` (lower case, digits, underscores){fix}"),
        );
        return false;
    }
    if codename::len(value) > CODENAME_MAX {
        cx.error_at(
            codename.span,
            format_args!(
                "the permission codenamed `{value}` of model `{label}` is longer than {CODENAME_MAX} characters; shorten it"
            ),
        );
    }
    true
}

/// An empty name (ours) and Django's auth.E008.
fn check_name(cx: &Ctxt, name: &Spanned<String>, codename: &str, label: &str) {
    if name.value.trim().is_empty() {
        cx.error_at(
            name.span,
            format_args!("the name of permission `{codename}` is empty; say what it allows, e.g. \"Can publish post\""),
        );
    } else if codename::len(&name.value) > NAME_MAX {
        cx.error_at(
            name.span,
            format_args!(
                "the permission named \"{}...\" of model `{label}` is longer than {NAME_MAX} characters ({}); shorten it",
                name.value.chars().take(20).collect::<String>(),
                codename::len(&name.value)
            ),
        );
    }
}
