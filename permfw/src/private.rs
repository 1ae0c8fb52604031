//! Items that only generated code uses. Not part of the public API.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU32, Ordering};

pub use inventory;

pub use crate::guard::{Guarded, IntoRequired, Options, Required, check, required};

pub use crate::model::{FirstId, ModelEntry, ModelInfo, PermissionInfo};
pub use crate::permission::permission;
use crate::registry::registry;

/// A permission string written in a `#[permission_required]`, registered so that
/// `permfw::check()` can report it when no model declares it.
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
#[derive(Debug)]
pub struct GuardEntry(pub(crate) &'static GuardSite);

impl GuardEntry {
    #[must_use]
    pub const fn new(site: &'static GuardSite) -> Self {
        Self(site)
    }
}

inventory::collect!(GuardEntry);
