//! A permission, and `Model`: the trait of the types that declare them.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::model::{ModelInfo, PermissionInfo};

/// A model: a type that declares permissions with `#[derive(Model)]`.
///
/// ```
/// use permfw::Model;
///
/// #[derive(Model)]
/// #[model(app_label = "blog")]
/// #[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
/// pub struct Post {
///     pub title: String,
/// }
///
/// assert_eq!(Post::PUBLISH_POST.to_string(), "blog.publish_post");
/// assert_eq!(Post::INFO.verbose_name(), "post");
/// let codenames: Vec<_> = Post::PERMISSIONS.iter().map(|p| p.codename()).collect();
/// assert_eq!(codenames, ["add_post", "change_post", "delete_post", "view_post", "publish_post", "feature_post"]);
/// ```
///
/// The derive reads two attributes:
///
/// - `#[model(...)]`, Django's `Meta` options, every key optional: `app_label` (default: the
///   crate's name), `model_name` (default: the type name lower-cased, `BlogPost` -> `blogpost`),
///   `verbose_name` (default: the type name split into words, `BlogPost` -> `blog post`),
///   `default_permissions` (default `["add", "change", "delete", "view"]`; `[]` for none), and
///   `crate = my_app::permfw` (or serde's `crate = "my_app::permfw"`) where an application
///   reaches permfw through a re-export or under another name;
/// - `#[permissions(...)]`, the custom permissions, as `codename = "Human name"` or
///   `("codename", "Human name")`; several attributes add up, in order.
///
/// It generates one associated const per permission (`Post::PUBLISH_POST`), this trait's impl,
/// and the model's registration, so that [`registry()`](crate::registry()) lists it in every
/// binary that links it. Mistakes are compile errors spanned on the offending token.
pub trait Model {
    /// The model's description: names and permissions.
    const INFO: &'static ModelInfo;
    /// The model's permissions: the default ones in `default_permissions` order, then the custom
    /// ones in declaration order.
    const PERMISSIONS: &'static [Permission];
}

// `ModelInfo` lies below `Permission` (a permission points into it), so the methods that hand
// out its permissions are written here.
impl ModelInfo {
    /// The model's permissions, in declaration order.
    pub fn permissions(&'static self) -> impl ExactSizeIterator<Item = Permission> + Clone {
        (0..self.permission_infos().len()).map(move |index| Permission { model: self, index: index as u32 })
    }

    /// The permission with this codename, if the model declares it.
    #[must_use]
    pub fn permission(&'static self, codename: &str) -> Option<Permission> {
        self.permissions().find(|p| p.codename() == codename)
    }
}

/// The `Permission` at `index` of `model`'s permissions, for the consts that `#[derive(Model)]`
/// generates; `index` is in range.
#[doc(hidden)]
#[must_use]
pub const fn permission(model: &'static ModelInfo, index: u32) -> Permission {
    Permission { model, index }
}

/// A permission declared by a model, such as `Post::PUBLISH_POST`.
///
/// It is `Copy`, compares, hashes and orders by (app label, model name, codename), and displays
/// as `app_label.codename`, the string that [`has_perm`](crate::HasPerms::has_perm) also takes.
///
/// ```
/// # use permfw::Model;
/// # #[derive(Model)]
/// # #[model(app_label = "blog")]
/// # #[permissions(publish_post = "Can publish post")]
/// # pub struct Post;
/// let p = Post::PUBLISH_POST;
/// assert_eq!((p.app_label(), p.model_name(), p.codename()), ("blog", "post", "publish_post"));
/// assert_eq!(p.name(), "Can publish post");
/// assert_eq!(format!("{p}"), "blog.publish_post");
/// assert_eq!(permfw::registry().get("blog.publish_post"), Some(p));
/// ```
///
/// It is also the model of permfw's `auth` app: `Permission::ADD_PERMISSION`, ...
#[derive(Clone, Copy, permfw_derive::Model)]
#[model(app_label = "auth")]
pub struct Permission {
    model: &'static ModelInfo,
    index: u32,
}

impl Permission {
    fn info(self) -> &'static PermissionInfo {
        self.model.permission_infos().get(self.index as usize).unwrap_or(PermissionInfo::UNKNOWN)
    }

    /// The app label: `blog` in `blog.publish_post`.
    #[must_use]
    pub fn app_label(self) -> &'static str {
        self.model.app_label()
    }

    /// The name of the model that declares it: `post`.
    #[must_use]
    pub fn model_name(self) -> &'static str {
        self.model.model_name()
    }

    /// The codename: `publish_post`.
    #[must_use]
    pub fn codename(self) -> &'static str {
        self.info().codename()
    }

    /// The human name: `Can publish post`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.info().name()
    }

    /// `"blog.publish_post"`, the string form `has_perm` takes (Django's `user_perm_str`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.info().full()
    }

    /// The model that declares it.
    #[must_use]
    pub fn model(self) -> &'static ModelInfo {
        self.model
    }

    /// The permission's dense id in the registry, or `None` when its model is not registered.
    #[inline]
    pub(crate) fn id(self) -> Option<u32> {
        self.model.first_id()?.checked_add(self.index)
    }

    /// Its id, or for a permission of an unregistered model one past every permission set (a
    /// model's index stays far below `1 << 31`): what a check tests the bit of.
    #[inline]
    pub(crate) fn bit_index(self) -> u32 {
        self.model.first_id_or_unassigned().wrapping_add(self.index)
    }

    fn key(self) -> (&'static str, &'static str, &'static str) {
        (self.app_label(), self.model_name(), self.codename())
    }
}

impl PartialEq for Permission {
    fn eq(&self, other: &Self) -> bool {
        (std::ptr::eq(self.model, other.model) && self.index == other.index) || self.key() == other.key()
    }
}

impl Eq for Permission {}

impl Hash for Permission {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for Permission {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Permission {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permission({:?})", self.as_str())
    }
}
