//! `AsPermission`: what names a permission in a check, a `Permission`, a string, or a guard site.

use crate::guard_site::GuardSite;
use crate::permission::Permission;
use crate::registry::registry;

/// What [`HasPerms::has_perm`](crate::HasPerms::has_perm) takes: a [`Permission`] (checked by the
/// compiler, one bit test), or an `"app_label.codename"` string (looked up in the registry; an
/// unknown one is not held).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a permission",
    label = "expected a `Permission` such as `Post::PUBLISH_POST`, or a string \"app_label.codename\"",
    note = "`#[derive(Model)]` generates one `Permission` const per permission of the model"
)]
pub trait AsPermission: sealed::Sealed {
    #[doc(hidden)]
    fn key(&self) -> Key<'_>;

    /// The registered permission this names: itself for a `Permission`; for a string, the
    /// registry's permission of that `app_label.codename`.
    ///
    /// ```
    /// use permfw::{AsPermission, LookupError, User};
    ///
    /// assert_eq!("auth.view_user".lookup(), Ok(User::VIEW_USER));
    /// assert_eq!("auth.nope".lookup(), Err(LookupError::Unknown("auth.nope".into())));
    /// assert_eq!("view_user".lookup(), Err(LookupError::Malformed("view_user".into())));
    /// ```
    ///
    /// # Errors
    ///
    /// [`LookupError::Malformed`] for a string that is not `app_label.codename`,
    /// [`LookupError::Unknown`] for one no linked model declares.
    fn lookup(&self) -> Result<Permission, LookupError> {
        let name = match self.key() {
            Key::Perm(perm) => return Ok(perm),
            Key::Str(name) => name,
            Key::Site(site) => site.perm(),
        };
        let well_formed =
            name.split_once('.').is_some_and(|(app, code)| !app.is_empty() && !code.is_empty() && !code.contains('.'));
        if !well_formed {
            return Err(LookupError::Malformed(name.to_owned()));
        }
        registry().get(name).ok_or_else(|| LookupError::Unknown(name.to_owned()))
    }
}

/// Why [`AsPermission::lookup`] found no permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// The string is not `app_label.codename`.
    Malformed(String),
    /// No linked model declares it.
    Unknown(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::Malformed(name) => {
                write!(f, "`{name}` is not a permission string; write it as \"app_label.codename\"")
            }
            LookupError::Unknown(name) => write!(f, "no linked model declares the permission `{name}`"),
        }
    }
}

impl std::error::Error for LookupError {}

/// How a permission argument is looked up: a permission set tests a `Perm`'s bit, and looks a
/// `Str` up in the registry; a `Site` is a string whose registry id its guard site caches.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    Perm(Permission),
    Str(&'a str),
    Site(&'static GuardSite),
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! as_permission {
    ($($ty:ty => |$this:ident| $key:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl AsPermission for $ty {
            #[inline]
            fn key(&self) -> Key<'_> {
                let $this = self;
                $key
            }
        }
    )*};
}

as_permission! {
    Permission => |p| Key::Perm(*p);
    &Permission => |p| Key::Perm(**p);
    &str => |s| Key::Str(s);
    &&str => |s| Key::Str(s);
    String => |s| Key::Str(s);
    &String => |s| Key::Str(s);
    &'static GuardSite => |site| Key::Site(site);
}
