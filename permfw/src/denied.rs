//! `PermissionDenied`: why a guarded function refused to run.

use std::borrow::Cow;
use std::fmt;

/// Why a check failed: Django's two outcomes, a login redirect or a 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenialReason {
    /// The user is anonymous: logging in may help.
    NotAuthenticated,
    /// The user is logged in but lacks a permission (or is inactive).
    Forbidden,
}

/// A refused permission check: which permissions were missing, and whether the user was not
/// authenticated or was forbidden. `#[permission_required]` returns it (converted with `From`)
/// instead of running the function.
///
/// ```
/// use permfw::{permission_required, AnonymousUser, HasPerms, PermissionDenied, User};
///
/// #[permission_required("auth.change_user", login_url = "/login/")]
/// fn deactivate(user: &impl HasPerms, target: &str) -> Result<String, PermissionDenied> {
///     Ok(format!("{target} deactivated"))
/// }
///
/// let denied = deactivate(&AnonymousUser, "bob").unwrap_err();
/// assert!(denied.is_not_authenticated());
/// assert_eq!(denied.missing(), ["auth.change_user"]);
/// assert_eq!(denied.login_url(), Some("/login/"));
///
/// let carol = User::builder("carol").build();
/// assert!(deactivate(&carol, "bob").unwrap_err().is_forbidden());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionDenied {
    reason: DenialReason,
    missing: Vec<Cow<'static, str>>,
    raise_exception: bool,
    login_url: Option<&'static str>,
}

impl PermissionDenied {
    /// A denial for a logged-in user who lacks `missing`.
    pub fn forbidden<I>(missing: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Cow<'static, str>>,
    {
        Self::new(DenialReason::Forbidden, missing)
    }

    /// A denial for an anonymous user.
    pub fn not_authenticated<I>(missing: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Cow<'static, str>>,
    {
        Self::new(DenialReason::NotAuthenticated, missing)
    }

    fn new<I>(reason: DenialReason, missing: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Cow<'static, str>>,
    {
        Self { reason, missing: missing.into_iter().map(Into::into).collect(), raise_exception: false, login_url: None }
    }

    /// Django's `raise_exception`: answer 403 even to an anonymous user instead of redirecting.
    #[must_use]
    pub fn with_raise_exception(mut self, raise_exception: bool) -> Self {
        self.raise_exception = raise_exception;
        self
    }

    /// Django's `login_url`: where the HTTP integration redirects to log in.
    #[must_use]
    pub fn with_login_url(mut self, login_url: &'static str) -> Self {
        self.login_url = Some(login_url);
        self
    }

    /// Why the check failed.
    #[must_use]
    pub fn reason(&self) -> DenialReason {
        self.reason
    }

    /// Whether the user was anonymous.
    #[must_use]
    pub fn is_not_authenticated(&self) -> bool {
        self.reason == DenialReason::NotAuthenticated
    }

    /// Whether the user was logged in but lacked a permission.
    #[must_use]
    pub fn is_forbidden(&self) -> bool {
        self.reason == DenialReason::Forbidden
    }

    /// The permissions that were missing, as `"app_label.codename"` (for an `any(...)` group
    /// none of which was held, each of them).
    #[must_use]
    pub fn missing(&self) -> &[Cow<'static, str>] {
        &self.missing
    }

    /// Whether the guard asked for `raise_exception = true`.
    #[must_use]
    pub fn raise_exception(&self) -> bool {
        self.raise_exception
    }

    /// The guard's `login_url`, if it gave one.
    #[must_use]
    pub fn login_url(&self) -> Option<&'static str> {
        self.login_url
    }
}

impl fmt::Display for PermissionDenied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let missing = self.missing.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
        match self.reason {
            DenialReason::NotAuthenticated => {
                write!(f, "not authenticated: log in as a user with {missing}")
            }
            DenialReason::Forbidden => write!(f, "permission denied: missing {missing}"),
        }
    }
}

impl std::error::Error for PermissionDenied {}
