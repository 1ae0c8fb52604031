//! The registry of every linked model, built once on first use, with dense permission ids.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::model::{ModelEntry, ModelInfo};
use crate::permission::Permission;

static REGISTRY: OnceLock<Registry> = OnceLock::new();
static EXPLICIT: Mutex<Vec<&'static ModelInfo>> = Mutex::new(Vec::new());

/// The registry of every model linked into this binary, built on first use.
///
/// ```
/// # use permfw::Model;
/// # #[derive(Model)]
/// # #[model(app_label = "blog")]
/// # #[permissions(publish_post = "Can publish post")]
/// # pub struct Post;
/// let registry = permfw::registry();
/// assert_eq!(registry.get("blog.publish_post"), Some(Post::PUBLISH_POST));
/// assert!(registry.get("blog.nope").is_none());
/// assert!(registry.permissions().any(|p| p.as_str() == "auth.change_user"));
/// ```
#[must_use]
pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| {
        let explicit = EXPLICIT.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let linked = inventory::iter::<ModelEntry>.into_iter().map(|entry| entry.0);
        Registry::build(linked.chain(explicit), true)
    })
}

/// Registers models without `inventory`, for platforms where link-time registration does not run
/// (or to be explicit). Call it at the start of `main`, before the first permission check; models
/// that `inventory` already registered may be listed again.
///
/// ```
/// # use permfw::Model;
/// # #[derive(Model)]
/// # #[model(app_label = "blog")]
/// # pub struct Post;
/// permfw::register_models(&[Post::INFO]).expect("registered before the first check");
/// ```
///
/// # Errors
///
/// [`RegistryError::AlreadyBuilt`] when the registry was built before and lacks some of them;
/// its ids are fixed once built.
pub fn register_models(models: &[&'static ModelInfo]) -> Result<&'static Registry, RegistryError> {
    EXPLICIT.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(models);
    let registry = registry();
    let missing: Vec<String> =
        models.iter().filter(|m| !registry.models.iter().any(|r| std::ptr::eq(*r, **m))).map(|m| m.label()).collect();
    if missing.is_empty() { Ok(registry) } else { Err(RegistryError::AlreadyBuilt { missing }) }
}

/// Why models could not be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The registry was built (by a permission check or a call to `registry()`) before these
    /// models were registered.
    AlreadyBuilt {
        /// The labels of the models left out, such as `blog.Post`.
        missing: Vec<String>,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyBuilt { missing } => write!(
                f,
                "the permission registry was built before {} could be registered; \
                 call `permfw::register_models` at the start of `main`, before any permission check",
                missing.join(", ")
            ),
        }
    }
}

impl std::error::Error for RegistryError {}

/// Every registered model and permission. See [`registry()`].
pub struct Registry {
    /// Sorted by app label, model name, then type path.
    models: Vec<&'static ModelInfo>,
    /// Indexed by id: by app label, model, then declaration.
    permissions: Vec<Permission>,
    lookup: HashMap<&'static str, IdsOfName, BuildHasherDefault<FxHasher>>,
    /// Sorted by label; ids of one app are contiguous.
    apps: Vec<(&'static str, Range<u32>)>,
}

/// The ids of one `app_label.codename`: one, unless two models declare it.
enum IdsOfName {
    One(u32),
    Many(Vec<u32>),
}

impl IdsOfName {
    fn as_slice(&self) -> &[u32] {
        match self {
            IdsOfName::One(id) => std::slice::from_ref(id),
            IdsOfName::Many(ids) => ids,
        }
    }
}

impl Registry {
    /// Builds a registry from `models`. Only the global one (`install`) assigns the models' ids.
    #[doc(hidden)]
    pub fn build(models: impl IntoIterator<Item = &'static ModelInfo>, install: bool) -> Self {
        let mut seen = std::collections::HashSet::new();
        let mut models: Vec<&'static ModelInfo> =
            models.into_iter().filter(|m| seen.insert(std::ptr::from_ref(*m))).collect();
        models.sort_by_key(|m| (m.app_label(), m.model_name(), m.module_path(), m.type_name()));

        let total = models.iter().map(|m| m.permissions().len()).sum();
        let mut permissions = Vec::with_capacity(total);
        let mut lookup = HashMap::with_capacity_and_hasher(total, BuildHasherDefault::default());
        let mut apps: Vec<(&'static str, Range<u32>)> = Vec::new();
        for model in &models {
            let first = permissions.len() as u32;
            if install {
                model.assign_first_id(first);
            }
            for (offset, perm) in model.permissions().enumerate() {
                let id = first + offset as u32;
                permissions.push(perm);
                lookup
                    .entry(perm.as_str())
                    .and_modify(|ids: &mut IdsOfName| match ids {
                        IdsOfName::One(one) => *ids = IdsOfName::Many(vec![*one, id]),
                        IdsOfName::Many(many) => many.push(id),
                    })
                    .or_insert(IdsOfName::One(id));
            }
            let end = permissions.len() as u32;
            match apps.last_mut() {
                Some((label, range)) if *label == model.app_label() => range.end = end,
                _ => apps.push((model.app_label(), first..end)),
            }
        }
        Self { models, permissions, lookup, apps }
    }

    /// Every registered permission: by app label, model, then declaration order.
    pub fn permissions(&self) -> impl ExactSizeIterator<Item = Permission> + '_ {
        self.permissions.iter().copied()
    }

    /// Every registered model, by app label then model name.
    pub fn models(&self) -> impl ExactSizeIterator<Item = &'static ModelInfo> + '_ {
        self.models.iter().copied()
    }

    /// The app labels that have at least one permission, sorted.
    pub fn app_labels(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.apps.iter().map(|(label, _)| *label)
    }

    /// The permission named `"app_label.codename"`. When two models declare the same one (which
    /// [`check()`](crate::check()) reports), the first in registry order.
    #[must_use]
    pub fn get(&self, perm: &str) -> Option<Permission> {
        let id = *self.ids(perm).first()?;
        self.permission(id)
    }

    /// The number of registered permissions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.permissions.len()
    }

    /// Whether no permission is registered (never true: permfw registers its `auth` app).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.permissions.is_empty()
    }

    #[inline]
    pub(crate) fn ids(&self, perm: &str) -> &[u32] {
        self.lookup.get(perm).map_or(&[], IdsOfName::as_slice)
    }

    pub(crate) fn permission(&self, id: u32) -> Option<Permission> {
        self.permissions.get(id as usize).copied()
    }

    pub(crate) fn app_ids(&self, app_label: &str) -> Option<Range<u32>> {
        let index = self.apps.binary_search_by(|(label, _)| (*label).cmp(app_label)).ok()?;
        Some(self.apps[index].1.clone())
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("models", &self.models.len())
            .field("permissions", &self.permissions.len())
            .finish()
    }
}

/// The Firefox/rustc hash (FxHash): a multiply-rotate over 8-byte words (the last one read
/// overlapping the one before, so no byte is copied one at a time), finished with a folded
/// multiply so that the low bits the table indexes by are well mixed. Registry keys are our own
/// strings, so no collision attack applies, and a lookup costs a fifth of SipHash's on the 10-30
/// byte keys of a permission string. Written here to keep the core's dependency list at
/// `inventory` (see docs/ARCHITECTURE.md, "Why each dependency").
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if let Some(last) = bytes.last_chunk::<8>() {
            let mut rest = bytes;
            while let Some((word, tail)) = rest.split_first_chunk::<8>() {
                if tail.is_empty() {
                    break;
                }
                self.add(u64::from_le_bytes(*word));
                rest = tail;
            }
            self.add(u64::from_le_bytes(*last));
        } else {
            let word = bytes.iter().rev().fold(0, |word, &byte| word << 8 | u64::from(byte));
            self.add(word);
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn finish(&self) -> u64 {
        let product = u128::from(self.hash) * u128::from(SEED);
        (product as u64) ^ ((product >> 64) as u64)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn the_hash_tells_short_long_and_overlapping_strings_apart() {
        let hash = |s: &str| BuildHasherDefault::<FxHasher>::default().hash_one(s);
        let keys =
            ["", "a", "ab", "blog.add", "blog.add_", "blog.publish_post", "blog.publish_posts", "auth.view_user"];
        let hashes: std::collections::HashSet<u64> = keys.iter().map(|k| hash(k)).collect();
        assert_eq!(hashes.len(), keys.len());
        assert_eq!(hash("blog.publish_post"), hash("blog.publish_post"));
    }

    #[test]
    fn low_bits_spread_over_similar_keys() {
        let hash = |s: &str| BuildHasherDefault::<FxHasher>::default().hash_one(s);
        let keys: Vec<String> = (0..512).map(|i| format!("filler.change_model{i:03}")).collect();
        let buckets: std::collections::HashSet<u64> = keys.iter().map(|k| hash(k) & 1023).collect();
        assert!(buckets.len() > 350, "{} distinct buckets of 1024 for 512 keys", buckets.len());
    }
}
