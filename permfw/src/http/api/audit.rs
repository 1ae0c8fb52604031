//! The audit log.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Query};
use super::super::{ApiError, CurrentUser};
use crate::store::{AuditEntry, AuditQuery, Store};
use crate::{User, permission_required};

/// `GET /audit?user=&before=&limit=`.
#[derive(Debug, Deserialize)]
pub(super) struct AuditFilter {
    user: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

/// A page of entries, newest first, and the `before` of the next page.
#[derive(Debug, Serialize)]
pub(super) struct AuditPage {
    entries: Vec<AuditEntry>,
    next: Option<i64>,
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn list(
    user: CurrentUser,
    State(store): State<Store>,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<AuditPage>, ApiError> {
    let mut query = AuditQuery::new().limit(filter.limit.unwrap_or(100));
    if let Some(username) = filter.user {
        query = query.user(username);
    }
    if let Some(before) = filter.before {
        query = query.before_id(before);
    }
    let entries = store.audit(query).await?;
    let next = entries.last().map(|e| e.id);
    Ok(Json(AuditPage { entries, next }))
}
