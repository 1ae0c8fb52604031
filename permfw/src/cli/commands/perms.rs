//! `manage perms list` and `manage who-can`.

use super::super::Result;
use super::super::output::{Out, Row};
use crate::store::{PermissionRecord, PermissionStatus, Store, UserRef, WithPerm};

impl Row for PermissionRecord {
    const COLUMNS: &'static [&'static str] = &["permission", "name", "status"];

    fn cells(&self) -> Vec<String> {
        let status = match self.status {
            PermissionStatus::Synced => "synced",
            PermissionStatus::Missing => "missing",
            PermissionStatus::Stale => "stale",
        };
        vec![self.permission.clone(), self.name.clone(), status.to_owned()]
    }
}

impl Row for UserRef {
    const COLUMNS: &'static [&'static str] = &["id", "username"];

    fn cells(&self) -> Vec<String> {
        vec![self.id.to_string(), self.username.clone()]
    }
}

/// Every permission with its status, or those of one app label.
pub(super) async fn list(out: &Out, store: &Store, app: Option<&str>) -> Result<u8> {
    let in_app =
        |p: &PermissionRecord| app.is_none_or(|app| p.permission.split_once('.').is_some_and(|(a, _)| a == app));
    let statuses: Vec<PermissionRecord> = store.permission_statuses().await?.into_iter().filter(in_app).collect();
    out.rows(&statuses)?;
    Ok(0)
}

/// Who holds a permission (Django's `with_perm`).
pub(super) async fn who_can(
    out: &Out,
    store: &Store,
    permission: &str,
    no_superusers: bool,
    inactive: bool,
    limit: u32,
) -> Result<u8> {
    let options = WithPerm::default().include_superusers(!no_superusers).is_active(Some(!inactive)).limit(limit);
    out.rows(&store.users_with_perm(permission, options).await?)?;
    Ok(0)
}
