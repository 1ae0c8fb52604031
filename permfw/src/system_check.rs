//! `permfw::check()`: Django-style system checks of what only shows once crates are linked.

use std::collections::HashMap;
use std::fmt;

use crate::guard_site::guard_sites;
use crate::permission::Permission;
use crate::registry::{Registry, registry};

/// How serious a check message is (Django's levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Details for debugging.
    Debug,
    /// Information.
    Info,
    /// Probably a mistake.
    Warning,
    /// A mistake: something will not work as written.
    Error,
    /// A mistake that stops the application from working at all.
    Critical,
}

/// One finding of [`check()`], printed as Django prints its checks:
/// `blog.Post: (permfw.E002) ...` then a `HINT:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckMessage {
    id: &'static str,
    level: Level,
    obj: String,
    msg: String,
    hint: Option<String>,
}

impl CheckMessage {
    /// The stable id, such as `permfw.E001`.
    #[must_use]
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// How serious it is.
    #[must_use]
    pub fn level(&self) -> Level {
        self.level
    }

    /// What it is about: a model label or a guarded function.
    #[must_use]
    pub fn obj(&self) -> &str {
        &self.obj
    }

    /// What is wrong.
    #[must_use]
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// What to do about it.
    #[must_use]
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Whether it is an error (or worse), which `manage check` turns into a failing exit code.
    #[must_use]
    pub fn is_serious(&self) -> bool {
        self.level >= Level::Error
    }
}

impl fmt::Display for CheckMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ({}) {}", self.obj, self.id, self.msg)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n\tHINT: {hint}")?;
        }
        Ok(())
    }
}

/// The system checks, over every model and guard linked into this binary:
///
/// | id | level | finding |
/// |---|---|---|
/// | `permfw.E001` | error | two models registered under one `app_label.model_name` |
/// | `permfw.E002` | error | one `app_label.codename` declared by two models, which a string check cannot tell apart |
/// | `permfw.E003` | error | a `#[permission_required("...")]` naming a permission no model declares, with a "did you mean" hint |
///
/// An application's own tests can assert that it is empty:
///
/// ```rust,standalone_crate
/// assert!(permfw::check().is_empty(), "{:#?}", permfw::check());
/// ```
#[must_use]
pub fn check() -> Vec<CheckMessage> {
    registry().check()
}

impl Registry {
    /// The system checks of this registry; see [`check()`].
    #[must_use]
    pub fn check(&self) -> Vec<CheckMessage> {
        let mut messages = Vec::new();
        self.check_model_names(&mut messages);
        self.check_codenames(&mut messages);
        self.check_guard_sites(&mut messages);
        messages
    }

    fn check_model_names(&self, messages: &mut Vec<CheckMessage>) {
        let mut by_name: HashMap<(&str, &str), Vec<String>> = HashMap::new();
        for model in self.models() {
            by_name.entry((model.app_label(), model.model_name())).or_default().push(format!(
                "{}::{}",
                model.module_path(),
                model.type_name()
            ));
        }
        let mut clashes: Vec<_> = by_name.into_iter().filter(|(_, types)| types.len() > 1).collect();
        clashes.sort();
        for ((app_label, model_name), types) in clashes {
            messages.push(CheckMessage {
                id: "permfw.E001",
                level: Level::Error,
                obj: format!("{app_label}.{model_name}"),
                msg: format!("{} are all registered as model `{app_label}.{model_name}`", types.join(" and ")),
                hint: Some(
                    "give each its own name with `#[model(model_name = \"...\")]` or `#[model(app_label = \"...\")]`"
                        .into(),
                ),
            });
        }
    }

    fn check_codenames(&self, messages: &mut Vec<CheckMessage>) {
        let mut by_perm: HashMap<&str, Vec<Permission>> = HashMap::new();
        for perm in self.permissions() {
            by_perm.entry(perm.as_str()).or_default().push(perm);
        }
        let mut clashes: Vec<_> = by_perm.into_iter().filter(|(_, perms)| perms.len() > 1).collect();
        clashes.sort_by_key(|(name, _)| *name);
        for (name, perms) in clashes {
            let mut models: Vec<String> = perms.iter().map(|p| p.model().label()).collect();
            models.dedup();
            // Two models under one name are E001's finding already.
            if perms.iter().all(|p| p.model_name() == perms[0].model_name()) {
                continue;
            }
            messages.push(CheckMessage {
                id: "permfw.E002",
                level: Level::Error,
                obj: name.to_owned(),
                msg: format!(
                    "permission `{name}` is declared by {}; `has_perm(\"{name}\")` cannot tell them apart",
                    models.join(" and ")
                ),
                hint: Some(format!(
                    "rename the codename on all but one of them, e.g. `{}_{}`",
                    perms[0].codename(),
                    perms[1].model_name()
                )),
            });
        }
    }

    fn check_guard_sites(&self, messages: &mut Vec<CheckMessage>) {
        for site in guard_sites() {
            if !self.ids(site.perm()).is_empty() {
                continue;
            }
            let hint = match suggestion(site.perm(), self.permissions().map(|p| p.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "declare it on a model with `#[permissions(...)]`, or link the crate that declares it \
                         (`use that_crate as _;`, see the README)"
                    .to_owned(),
            };
            messages.push(CheckMessage {
                id: "permfw.E003",
                level: Level::Error,
                obj: format!("{}::{}", site.module_path(), site.function()),
                msg: format!(
                    "`#[permission_required]` on `{}` ({}:{}:{}) names `{}`, which no registered model declares",
                    site.function(),
                    site.file(),
                    site.line(),
                    site.column(),
                    site.perm()
                ),
                hint: Some(hint),
            });
        }
    }
}

/// The closest candidate within a few edits, if any.
fn suggestion<'a>(target: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (target.chars().count() / 3).max(2);
    candidates.map(|c| (edit_distance(target, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

/// Levenshtein distance over characters (a dozen lines; not worth a dependency in the core).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("blog.publsh_post", "blog.publish_post"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions_stay_close() {
        let names = ["blog.publish_post", "blog.feature_post", "auth.change_user"];
        assert_eq!(suggestion("blog.publsh_post", names.into_iter()), Some("blog.publish_post"));
        assert_eq!(suggestion("shop.refund_order", names.into_iter()), None);
    }
}
