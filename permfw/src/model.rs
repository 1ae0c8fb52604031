//! What `#[derive(Model)]` records about a model, and the entry that registers it.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

/// The value of a model's first id before the registry assigns it: so far past any registry
/// that `UNASSIGNED + index` is past every permission set too, which lets a check test the bit
/// and learn that the model is unregistered with one bounds check (`PermissionSet::contains`).
const UNASSIGNED: u32 = 1 << 31;

/// What `#[derive(Model)]` records about one model: Django's `Model._meta` for permissions.
/// [`Model::INFO`](crate::Model::INFO) is a model's own; [`registry()`](crate::registry()) lists
/// every linked one.
///
/// ```
/// # use permfw::Model;
/// # #[derive(Model)]
/// # #[model(app_label = "blog")]
/// # pub struct BlogPost;
/// let info = BlogPost::INFO;
/// assert_eq!((info.app_label(), info.model_name(), info.verbose_name()), ("blog", "blogpost", "blog post"));
/// assert_eq!(info.label(), "blog.BlogPost");
/// assert_eq!(info.permission("view_blogpost"), Some(BlogPost::VIEW_BLOGPOST));
/// ```
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
    #[inline]
    #[must_use]
    pub fn app_label(&self) -> &'static str {
        self.app_label
    }

    /// The model name used in default codenames (`blogpost`).
    #[inline]
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

    /// The permissions as the derive wrote them down, in declaration order.
    #[inline]
    pub(crate) fn permission_infos(&self) -> &'static [PermissionInfo] {
        self.permissions
    }

    /// The registry id of the model's first permission, once the registry assigned it.
    #[inline]
    pub(crate) fn first_id(&self) -> Option<u32> {
        let first = self.first_id_or_unassigned();
        if first == UNASSIGNED { None } else { Some(first) }
    }

    /// The first id, or `UNASSIGNED` (`1 << 31`, past every permission set).
    #[inline]
    pub(crate) fn first_id_or_unassigned(&self) -> u32 {
        (self.first_id)().0.load(Ordering::Relaxed)
    }

    pub(crate) fn assign_first_id(&self, first_id: u32) -> bool {
        (self.first_id)().0.compare_exchange(UNASSIGNED, first_id, Ordering::Relaxed, Ordering::Relaxed).is_ok()
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

    /// The one a permission whose index is out of range reads: all names empty.
    pub(crate) const UNKNOWN: &'static Self = &Self::new("", "", "");

    /// `publish_post`.
    #[inline]
    pub(crate) fn codename(&self) -> &'static str {
        self.codename
    }

    /// `Can publish post`.
    #[inline]
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// `blog.publish_post`.
    #[inline]
    pub(crate) fn full(&self) -> &'static str {
        self.full
    }
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

/// A model registered by `#[derive(Model)]`, collected by the registry.
#[doc(hidden)]
#[derive(Debug)]
pub struct ModelEntry(pub(crate) &'static ModelInfo);

impl ModelEntry {
    /// The entry for `model`, which generated code submits to `inventory`.
    #[must_use]
    pub const fn new(model: &'static ModelInfo) -> Self {
        Self(model)
    }
}

inventory::collect!(ModelEntry);
