//! Django's model permissions for Rust, checked by the compiler where Django checks nothing.
//!
//! Declare a model's permissions with `#[derive(Model)]`, check them with
//! [`has_perm`](HasPerms::has_perm), and guard functions with `#[permission_required]`:
//!
//! ```rust,standalone_crate
//! use permfw::{permission_required, Group, HasPerms, Model, PermissionDenied, User};
//!
//! #[derive(Model)]
//! #[model(app_label = "blog")]
//! #[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
//! pub struct Post {
//!     pub title: String,
//!     pub published: bool,
//! }
//!
//! #[permission_required(Post::PUBLISH_POST)]
//! fn publish(user: &User, post: &mut Post) -> Result<(), PermissionDenied> {
//!     post.published = true;
//!     Ok(())
//! }
//!
//! let editors = Group::new("Editors").with_permissions([Post::CHANGE_POST, Post::PUBLISH_POST]);
//! let bob = User::builder("bob").group(&editors).permission(Post::VIEW_POST).build();
//! let alice = User::builder("alice").build();
//!
//! assert!(bob.has_perm("blog.publish_post") && bob.has_perm(Post::VIEW_POST));
//! let mut post = Post { title: "Hello".into(), published: false };
//! assert!(publish(&alice, &mut post).is_err() && !post.published);
//! publish(&bob, &mut post)?;
//! assert!(post.published);
//! assert!(permfw::check().is_empty());
//! # Ok::<(), PermissionDenied>(())
//! ```
//!
//! The parts, in the order a permission travels:
//!
//! - [`Model`] (the trait and its derive) declares permissions; [`Permission`] is one of them;
//! - [`registry()`] lists every linked model and permission, with dense ids assigned once;
//!   [`check()`] reports what only shows once crates are linked together;
//! - [`HasPerms`] answers "who has what", for [`User`], [`AnonymousUser`] and an application's
//!   own user types; [`Group`]s carry permissions that their members inherit;
//! - [`permission_required`] guards a function and returns [`PermissionDenied`] instead of
//!   running it.
//!
//! A crate whose models are never named by the binary must still be linked for its models to be
//! registered: `use that_crate as _;`. Where link-time registration does not run, register
//! models explicitly with [`register_models`].
//!
//! Beyond the core (which needs no feature, no async runtime and no I/O), cargo features add:
//!
//! | feature | module | what |
//! |---|---|---|
//! | `sqlite` (default), `postgres` | `store` | users, groups and grants in a database, Django's delegation rules, the audit log |
//! | `cli` | `cli` | `manage`, the command line an application embeds |
//! | `axum` | `http` | the caller in axum handlers, sessions, API tokens, the REST API |
//! | `admin` | `http` | the admin pages for staff |
//! | `notify` | `notify` | the outbox's notifications delivered by SMTP, a signed webhook or the log |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

extern crate self as permfw;

mod as_permission;
#[cfg(all(feature = "cli", any(feature = "sqlite", feature = "postgres")))]
pub mod cli;
mod denied;
mod group;
mod guard;
mod guard_site;
mod has_perms;
#[cfg(all(feature = "axum", any(feature = "sqlite", feature = "postgres")))]
pub mod http;
mod model;
#[cfg(all(feature = "notify", any(feature = "sqlite", feature = "postgres")))]
pub mod notify;
mod permission;
mod permission_set;
mod registry;
#[cfg(feature = "serde")]
mod serialize;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod store;
mod system_check;

#[cfg(all(feature = "store", not(any(feature = "sqlite", feature = "postgres"))))]
compile_error!(
    "permfw's store (used by the `store`, `cli`, `axum` and `admin` features) needs a database: \
     add the feature `sqlite` (embedded, no setup) or `postgres`, e.g. \
     `permfw = { version = \"0.1\", default-features = false, features = [\"cli\", \"sqlite\"] }`"
);
mod user;

#[doc(hidden)]
pub mod __private {
    pub use crate::private::*;
}
mod private;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

pub use crate::as_permission::{AsPermission, LookupError};
pub use crate::denied::{DenialReason, PermissionDenied};
pub use crate::group::Group;
pub use crate::has_perms::HasPerms;
pub use crate::model::ModelInfo;
pub use crate::permission::{Model, Permission};
pub use crate::permission_set::{PackedPermissions, PermissionSet};
pub use crate::registry::{Registry, RegistryError, register_models, registry};
pub use crate::system_check::{CheckMessage, Level, check};
pub use crate::user::{AnonymousUser, User, UserBuilder};

/// Derives [`Model`](trait@Model): the default and custom permissions of a model, one const per
/// permission, and its registration. See the trait for the attributes.
pub use permfw_derive::Model;

/// Guards a function: the permission check runs before the body, and when it fails the function
/// returns `Err(denied.into())` with a [`PermissionDenied`] instead of running.
///
/// ```
/// use permfw::{permission_required, HasPerms, Model, PermissionDenied, User};
///
/// #[derive(Model)]
/// #[model(app_label = "blog")]
/// #[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
/// pub struct Post;
///
/// #[permission_required("blog.publish_post")]
/// fn publish(user: &User, post: &Post) -> Result<(), PermissionDenied> { Ok(()) }
///
/// #[permission_required(Post::PUBLISH_POST, Post::FEATURE_POST)] // all of them
/// async fn feature(user: &User, id: i64) -> Result<i64, PermissionDenied> { Ok(id) }
///
/// struct Desk;
/// impl Desk {
///     #[permission_required(any(Post::CHANGE_POST, Post::PUBLISH_POST), user = viewer)]
///     fn edit(&self, id: i64, viewer: &User) -> Result<(), PermissionDenied> { Ok(()) }
/// }
///
/// let writer = User::builder("writer").permission(Post::CHANGE_POST).build();
/// assert!(Desk.edit(1, &writer).is_ok());
/// assert_eq!(publish(&writer, &Post).unwrap_err().missing(), ["blog.publish_post"]);
/// ```
///
/// - Permissions: strings `"app_label.codename"` (registered at the guard site and checked by
///   [`check()`]) or `Permission` consts (checked by the compiler); all must be held, and
///   `any(...)` holds when one of its permissions is held. An empty list is a compile error.
/// - The user is the first argument that is not a receiver, or the one `user = name` names; its
///   type implements [`HasPerms`], by value or by reference.
/// - The check runs before the body (for an `async fn`, when the future is first polled). The
///   function returns `Result<_, E>` with `E: From<PermissionDenied>`.
/// - Django's `raise_exception = true` and `login_url = "/accounts/login/"` are kept in the
///   denial for the HTTP integration (a 403, or a redirect to log in).
/// - `crate = my_app::permfw` names permfw where an application reaches it through a re-export
///   or under another name, as `#[model(crate = ...)]` does.
pub use permfw_derive::permission_required;
