//! Guard sites: where a `#[permission_required]` names a permission as a string, registered so
//! that [`check()`](crate::check()) can report it, with the registry id it resolves to, cached.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::registry::registry;

/// A permission string written in a `#[permission_required]`, and where. Generated code declares
/// one `static` per string and submits a [`GuardEntry`] for it.
#[doc(hidden)]
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
    /// The site of `perm`, written in `function` at `file:line:column`.
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
#[doc(hidden)]
#[derive(Debug)]
pub struct GuardEntry(&'static GuardSite);

impl GuardEntry {
    /// The entry for `site`, which generated code submits to `inventory`.
    #[must_use]
    pub const fn new(site: &'static GuardSite) -> Self {
        Self(site)
    }
}

inventory::collect!(GuardEntry);

/// Every guard site linked into this binary, by file, line and column.
pub(crate) fn guard_sites() -> Vec<&'static GuardSite> {
    let mut sites: Vec<&'static GuardSite> = inventory::iter::<GuardEntry>.into_iter().map(|e| e.0).collect();
    sites.sort_by_key(|s| (s.file(), s.line(), s.column()));
    sites
}
