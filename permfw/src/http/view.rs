//! Read models that more than one surface shows, loaded once and serialized one way: the REST
//! API, the admin and `manage --json` show the same shapes for the same things.
//!
//! The file lives with the API; without the `axum` feature the command line compiles it itself.

use serde::Serialize;

use crate::store::{EffectivePermission, Store, StoreError};
use crate::{HasPerms, User};

/// A user, its groups, and each permission it holds with where it comes from (directly, through
/// which groups): `GET /users/{username}`, `manage users show`, the admin's user page.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct UserDetail {
    pub(crate) id: Option<i64>,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) is_active: bool,
    pub(crate) is_staff: bool,
    pub(crate) is_superuser: bool,
    pub(crate) groups: Vec<String>,
    pub(crate) permissions: Vec<EffectivePermission>,
}

impl UserDetail {
    /// The user's snapshot and its effective permissions (one query, whatever its groups).
    pub(crate) async fn load(store: &Store, username: &str) -> Result<Self, StoreError> {
        let user = store.get_user(username).await?;
        let permissions = store.effective_permissions(username).await?;
        Ok(Self::new(&user, permissions))
    }

    fn new(user: &User, permissions: Vec<EffectivePermission>) -> Self {
        Self {
            id: user.id(),
            username: user.username().to_owned(),
            email: user.email().to_owned(),
            is_active: user.is_active(),
            is_staff: user.is_staff(),
            is_superuser: user.is_superuser(),
            groups: user.groups().map(str::to_owned).collect(),
            permissions,
        }
    }
}

/// Where a permission comes from, for people: `direct`, then each group (`direct, group Editors`).
#[cfg(any(feature = "admin", feature = "cli"))]
pub(crate) fn sources(permission: &EffectivePermission) -> String {
    let direct = permission.direct.then(|| "direct".to_owned());
    let groups = permission.groups.iter().map(|group| format!("group {group}"));
    direct.into_iter().chain(groups).collect::<Vec<_>>().join(", ")
}
