//! The audit log, newest first.

use axum::extract::State;
use axum::response::Response;

use super::pages::{AuditPage, AuditRow, render};
use super::{AdminError, Staff};
use crate::store::time::rfc3339;
use crate::store::{AuditQuery, Store};
use crate::{User, permission_required};

#[permission_required(User::VIEW_USER)]
pub(super) async fn page(staff: Staff, State(store): State<Store>) -> Result<Response, AdminError> {
    let entries = store.audit(AuditQuery::new().limit(200)).await?;
    let rows = entries.into_iter().map(|entry| AuditRow { at: rfc3339(entry.at), entry }).collect();
    Ok(render(&AuditPage { frame: staff.frame(), rows }))
}
