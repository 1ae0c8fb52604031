//! Items that only generated code uses, re-exported for it. Not part of the public API.

pub use inventory;

pub use crate::guard::{Guarded, IntoRequired, Options, Required, check, required};
pub use crate::guard_site::{GuardEntry, GuardSite};
pub use crate::model::{FirstId, ModelEntry, ModelInfo, PermissionInfo};
pub use crate::permission::{Model, Permission, permission};
