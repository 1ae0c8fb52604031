//! Items that only generated code uses. Not part of the public API.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU32, Ordering};

pub use inventory;

use crate::denied::PermissionDenied;
use crate::has_perms::HasPerms;
use crate::permission::Permission;
pub use crate::permission::{FirstId, ModelInfo, PermissionInfo};
use crate::registry::registry;

/// The `Permission` at `index` of `model`'s permissions; `index` is in range.
#[must_use]
pub const fn permission(model: &'static ModelInfo, index: u32) -> Permission {
    Permission::from_model(model, index)
}

/// A model registered by `#[derive(Model)]`.
#[derive(Debug)]
pub struct ModelEntry(pub(crate) &'static ModelInfo);

impl ModelEntry {
    #[must_use]
    pub const fn new(model: &'static ModelInfo) -> Self {
        Self(model)
    }
}

inventory::collect!(ModelEntry);

/// A permission string written in a `#[permission_required]`, registered so that
/// `permfw::check()` can report it when no model declares it.
#[derive(Debug)]
pub struct GuardSite {
    perm: &'static str,
    function: &'static str,
    module_path: &'static str,
    file: &'static str,
    line: u32,
    column: u32,
    /// The resolved registry id, or one of the states below.
    resolved: AtomicU32,
}

const UNRESOLVED: u32 = u32::MAX;
const NOT_ONE: u32 = u32::MAX - 1;

impl GuardSite {
    #[must_use]
    pub const fn new(
        perm: &'static str,
        function: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
        column: u32,
    ) -> Self {
        Self { perm, function, module_path, file, line, column, resolved: AtomicU32::new(UNRESOLVED) }
    }

    /// The id of the one registered permission of this name, resolved once; `None` when it is
    /// unknown or ambiguous, and the string is then looked up.
    #[inline]
    pub(crate) fn id(&self) -> Option<u32> {
        match self.resolved.load(Ordering::Relaxed) {
            UNRESOLVED => self.resolve(),
            NOT_ONE => None,
            id => Some(id),
        }
    }

    #[cold]
    fn resolve(&self) -> Option<u32> {
        let id = match registry().ids(self.perm) {
            [id] => *id,
            _ => NOT_ONE,
        };
        self.resolved.store(id, Ordering::Relaxed);
        (id != NOT_ONE).then_some(id)
    }

    pub(crate) fn perm(&self) -> &'static str {
        self.perm
    }

    pub(crate) fn function(&self) -> &'static str {
        self.function
    }

    pub(crate) fn module_path(&self) -> &'static str {
        self.module_path
    }

    pub(crate) fn file(&self) -> &'static str {
        self.file
    }

    pub(crate) fn line(&self) -> u32 {
        self.line
    }

    pub(crate) fn column(&self) -> u32 {
        self.column
    }
}

/// A guard site registered by `#[permission_required]`.
#[derive(Debug)]
pub struct GuardEntry(pub(crate) &'static GuardSite);

impl GuardEntry {
    #[must_use]
    pub const fn new(site: &'static GuardSite) -> Self {
        Self(site)
    }
}

inventory::collect!(GuardEntry);

/// Django's decorator options, carried into the denial.
#[derive(Debug)]
pub struct Options {
    pub raise_exception: bool,
    pub login_url: Option<&'static str>,
}

/// One requirement of a guard.
#[derive(Clone, Copy, Debug)]
pub enum Required<'a> {
    Perm(Permission),
    Str(&'static str),
    Site(&'static GuardSite),
    Any(&'a [Required<'a>]),
}

/// What a guard accepts as a permission written as a path: a `Permission` const (or a string
/// const). The bound sits here so that a wrong path gives one error, on the path.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a permission",
    label = "expected a `Permission` such as `Post::PUBLISH_POST`, or a string \"app_label.codename\"",
    note = "`#[derive(Model)]` generates one `Permission` const per permission of the model"
)]
pub trait IntoRequired {
    fn into_required(self) -> Required<'static>;
}

impl IntoRequired for Permission {
    #[inline(always)]
    fn into_required(self) -> Required<'static> {
        Required::Perm(self)
    }
}

impl IntoRequired for &'static str {
    #[inline(always)]
    fn into_required(self) -> Required<'static> {
        Required::Str(self)
    }
}

#[inline(always)]
pub fn required<P: IntoRequired>(perm: P) -> Required<'static> {
    perm.into_required()
}

/// The guard: `Ok` when every requirement holds, otherwise the denial. One call takes the user,
/// so a user type that is not `HasPerms` is reported once, on the argument.
#[inline(always)]
pub fn check<U: HasPerms + ?Sized>(
    user: &U,
    required: &[Required<'_>],
    options: &Options,
) -> Result<(), PermissionDenied> {
    if holds_all(user, required) { Ok(()) } else { Err(deny(user, required, options)) }
}

/// Whether every requirement holds.
#[inline(always)]
pub fn holds_all<U: HasPerms + ?Sized>(user: &U, required: &[Required<'_>]) -> bool {
    required.iter().all(|r| holds(user, r))
}

#[inline(always)]
fn holds<U: HasPerms + ?Sized>(user: &U, required: &Required<'_>) -> bool {
    match *required {
        Required::Perm(perm) => user.has_perm(perm),
        Required::Str(perm) => user.has_perm(perm),
        Required::Site(site) => user.has_perm(site),
        Required::Any(group) => group.iter().any(|r| holds(user, r)),
    }
}

/// What a guarded function returns when the check fails.
#[diagnostic::on_unimplemented(
    message = "`#[permission_required]` needs the function to return `Result<_, E>` with `E: From<PermissionDenied>`, found `{Self}`",
    label = "this return type cannot carry a `PermissionDenied`",
    note = "return `Result<T, permfw::PermissionDenied>`, or `Result<T, E>` where `E` implements `From<permfw::PermissionDenied>`"
)]
pub trait Guarded {
    fn from_denied(denied: PermissionDenied) -> Self;
}

impl<T, E: From<PermissionDenied>> Guarded for Result<T, E> {
    #[inline]
    fn from_denied(denied: PermissionDenied) -> Self {
        Err(E::from(denied))
    }
}

/// Builds the denial: which requirements were missing, and why.
#[cold]
#[inline(never)]
pub fn deny<U: HasPerms + ?Sized>(user: &U, required: &[Required<'_>], options: &Options) -> PermissionDenied {
    let mut missing = Vec::new();
    collect_missing(user, required, &mut missing);
    let denied = if user.is_authenticated() {
        PermissionDenied::forbidden(missing)
    } else {
        PermissionDenied::not_authenticated(missing)
    };
    let denied = denied.with_raise_exception(options.raise_exception);
    match options.login_url {
        Some(url) => denied.with_login_url(url),
        None => denied,
    }
}

fn collect_missing<U: HasPerms + ?Sized>(user: &U, required: &[Required<'_>], missing: &mut Vec<&'static str>) {
    for requirement in required {
        if holds(user, requirement) {
            continue;
        }
        match *requirement {
            Required::Perm(perm) => missing.push(perm.as_str()),
            Required::Str(perm) => missing.push(perm),
            Required::Site(site) => missing.push(site.perm()),
            Required::Any(group) => collect_missing(user, group, missing),
        }
    }
}
