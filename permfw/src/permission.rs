//! A permission and the description of the model that declares it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

/// The value of [`ModelInfo`]'s first id before the registry assigns it.
pub(crate) const UNASSIGNED: u32 = u32::MAX;

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
///   `verbose_name` (default: the type name split into words, `BlogPost` -> `blog post`) and
///   `default_permissions` (default `["add", "change", "delete", "view"]`; `[]` for none);
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

/// What `#[derive(Model)]` records about one model: Django's `Model._meta` for permissions.
pub struct ModelInfo {
    app_label: &'static str,
    model_name: &'static str,
    verbose_name: &'static str,
    type_name: &'static str,
    module_path: &'static str,
    permissions: &'static [PermissionInfo],
    /// The registry id of the model's first permission, assigned once. Reached through a
    /// function so that `ModelInfo`, and so `Permission`, hold no interior mutability: a
    /// `HashSet<Permission>` must not trip clippy's `mutable_key_type`.
    first_id: fn() -> &'static FirstId,
}

/// Where the registry writes a model's first permission id, once. Generated code declares one
/// `static` per model.
#[doc(hidden)]
#[derive(Debug)]
pub struct FirstId(AtomicU32);

impl FirstId {
    #[doc(hidden)]
    #[must_use]
    pub const fn new() -> Self {
        Self(AtomicU32::new(UNASSIGNED))
    }
}

impl Default for FirstId {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelInfo {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        app_label: &'static str,
        model_name: &'static str,
        verbose_name: &'static str,
        type_name: &'static str,
        module_path: &'static str,
        permissions: &'static [PermissionInfo],
        first_id: fn() -> &'static FirstId,
    ) -> Self {
        Self { app_label, model_name, verbose_name, type_name, module_path, permissions, first_id }
    }

    /// The app label, the first half of `"blog.publish_post"`.
    #[must_use]
    pub fn app_label(&self) -> &'static str {
        self.app_label
    }

    /// The model name used in default codenames (`blogpost`).
    #[must_use]
    pub fn model_name(&self) -> &'static str {
        self.model_name
    }

    /// The verbose name used in default permission names (`blog post`).
    #[must_use]
    pub fn verbose_name(&self) -> &'static str {
        self.verbose_name
    }

    /// The Rust type's name (`BlogPost`).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The module that declares the type.
    #[must_use]
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// Django's `opts.label`: `"blog.BlogPost"`.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{}.{}", self.app_label, self.type_name)
    }

    /// The model's permissions, in declaration order.
    pub fn permissions(&'static self) -> impl ExactSizeIterator<Item = Permission> + Clone {
        (0..self.permissions.len()).map(move |index| Permission { model: self, index: index as u32 })
    }

    /// The permission with this codename, if the model declares it.
    #[must_use]
    pub fn permission(&'static self, codename: &str) -> Option<Permission> {
        self.permissions().find(|p| p.codename() == codename)
    }

    pub(crate) fn assign_first_id(&self, first_id: u32) -> bool {
        (self.first_id)()
            .0
            .compare_exchange(UNASSIGNED, first_id, AtomicOrdering::Relaxed, AtomicOrdering::Relaxed)
            .is_ok()
    }
}

impl fmt::Debug for ModelInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelInfo")
            .field("app_label", &self.app_label)
            .field("model_name", &self.model_name)
            .field("verbose_name", &self.verbose_name)
            .field("type_name", &self.type_name)
            .field("permissions", &self.permissions.len())
            .finish()
    }
}

/// One permission as the derive writes it down. Generated code builds these.
#[doc(hidden)]
#[derive(Debug)]
pub struct PermissionInfo {
    codename: &'static str,
    name: &'static str,
    full: &'static str,
}

impl PermissionInfo {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(codename: &'static str, name: &'static str, full: &'static str) -> Self {
        Self { codename, name, full }
    }
}

static UNKNOWN: PermissionInfo = PermissionInfo::new("", "", "");

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
    pub(crate) const fn from_model(model: &'static ModelInfo, index: u32) -> Self {
        Self { model, index }
    }

    fn info(self) -> &'static PermissionInfo {
        self.model.permissions.get(self.index as usize).unwrap_or(&UNKNOWN)
    }

    /// The app label: `blog` in `blog.publish_post`.
    #[must_use]
    pub fn app_label(self) -> &'static str {
        self.model.app_label
    }

    /// The name of the model that declares it: `post`.
    #[must_use]
    pub fn model_name(self) -> &'static str {
        self.model.model_name
    }

    /// The codename: `publish_post`.
    #[must_use]
    pub fn codename(self) -> &'static str {
        self.info().codename
    }

    /// The human name: `Can publish post`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// `"blog.publish_post"`, the string form `has_perm` takes (Django's `user_perm_str`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.info().full
    }

    /// The model that declares it.
    #[must_use]
    pub fn model(self) -> &'static ModelInfo {
        self.model
    }

    /// The permission's dense id in the registry, or `None` when its model is not registered.
    #[inline]
    pub(crate) fn id(self) -> Option<u32> {
        let first = (self.model.first_id)().0.load(AtomicOrdering::Relaxed);
        if first == UNASSIGNED { None } else { first.checked_add(self.index) }
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
