//! `AsPermission`: what names a permission in a check, a `Permission`, a string, or a guard site.

use crate::guard_site::GuardSite;
use crate::permission::Permission;

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
}

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
