//! The guard's runtime: the code that `#[permission_required]` generates calls [`check`] with
//! the user and the required permissions before the body, and returns the denial when it fails.

use crate::denied::PermissionDenied;
use crate::guard_site::GuardSite;
use crate::has_perms::HasPerms;
use crate::permission::Permission;

/// Django's decorator options, carried into the denial.
#[derive(Debug)]
pub struct Options {
    /// Django's `raise_exception`: a 403 even for an anonymous user.
    pub raise_exception: bool,
    /// Django's `login_url`: where to log in.
    pub login_url: Option<&'static str>,
}

/// One requirement of a guard.
#[derive(Clone, Copy, Debug)]
pub enum Required<'a> {
    /// A `Permission` const.
    Perm(Permission),
    /// A string const named by a path.
    Str(&'static str),
    /// A string literal, registered at its guard site.
    Site(&'static GuardSite),
    /// `any(...)`: one of them suffices.
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
    /// The requirement.
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

/// The requirement for a permission written as a path.
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
fn holds_all<U: HasPerms + ?Sized>(user: &U, required: &[Required<'_>]) -> bool {
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
    /// The return value for a denial.
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
fn deny<U: HasPerms + ?Sized>(user: &U, required: &[Required<'_>], options: &Options) -> PermissionDenied {
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
