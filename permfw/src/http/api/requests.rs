//! Access requests and their policies: `/access-requests` and `/request-policies`. Any logged-in
//! user may ask and see its own requests; an approver sees the requests it may decide; the store
//! checks every rule as the caller.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::super::extract::{Json, Path, Query};
use super::super::{ApiError, CurrentUser};
use super::actor;
use crate::store::time::parse_duration;
use crate::store::{AccessRequest, PolicyRecord, RequestPolicy, RequestQuery, RequestStatus, Store};
use crate::{HasPerms, User};

/// A duration as people write it (`4h`), or a 400 naming the field.
fn duration(field: &str, text: Option<&str>) -> Result<Option<std::time::Duration>, ApiError> {
    text.map(|text| {
        parse_duration(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-input",
                format!("{field}: `{text}` is not a duration; write a number and a unit: 90s, 30m, 4h, 2d"),
            )
        })
    })
    .transpose()
}

/// Whether the caller may see `request`: its own, one it may decide, or any with `auth.view_user`.
fn may_see(user: &CurrentUser, policies: &[PolicyRecord], request: &AccessRequest) -> bool {
    let Some(caller) = user.user() else { return false };
    if caller.username() == request.requester || caller.has_perm(User::VIEW_USER) {
        return true;
    }
    policies.iter().filter(|p| p.name == request.policy).any(|policy| policy.approves(caller))
}

/// `GET /access-requests?status=&requester=&policy=&before=&limit=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    status: Option<Status>,
    requester: Option<String>,
    policy: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

/// A status in a query string.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    Open,
    Approved,
    Denied,
    Cancelled,
    Expired,
}

impl From<Status> for RequestStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Open => RequestStatus::Open,
            Status::Approved => RequestStatus::Approved,
            Status::Denied => RequestStatus::Denied,
            Status::Cancelled => RequestStatus::Cancelled,
            Status::Expired => RequestStatus::Expired,
        }
    }
}

/// A page of requests, and the `before` of the next page while there may be one.
#[derive(Debug, Serialize)]
pub(super) struct RequestList {
    requests: Vec<AccessRequest>,
    next: Option<i64>,
}

pub(super) async fn list(
    user: CurrentUser,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Json<RequestList>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1_000);
    let mut filter = RequestQuery::new().limit(limit);
    if let Some(status) = query.status {
        filter = filter.status(status.into());
    }
    if let Some(requester) = query.requester {
        filter = filter.requester(requester);
    }
    if let Some(policy) = query.policy {
        filter = filter.policy(policy);
    }
    if let Some(before) = query.before {
        filter = filter.before_id(before);
    }
    let page = store.list_requests(filter).await?;
    let full = page.len() == usize::try_from(limit).unwrap_or(usize::MAX);
    let next = page.last().filter(|_| full).map(|r| r.id);
    let policies = store.list_policies().await?;
    let requests = page.into_iter().filter(|r| may_see(&user, &policies, r)).collect();
    Ok(Json(RequestList { requests, next }))
}

pub(super) async fn show(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<Json<AccessRequest>, ApiError> {
    let request = store.get_request(id).await?;
    if !may_see(&user, &store.list_policies().await?, &request) {
        // The same answer as for a request that does not exist.
        return Err(crate::store::StoreError::RequestNotFound(id).into());
    }
    Ok(Json(request))
}

/// `POST /access-requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRequest {
    policy: String,
    justification: String,
    duration: Option<String>,
}

pub(super) async fn create(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<NewRequest>,
) -> Result<(StatusCode, Json<AccessRequest>), ApiError> {
    let duration = duration("duration", body.duration.as_deref())?;
    let request = store.request_access(&actor(&user)?, &body.policy, &body.justification, duration).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// `POST /access-requests/{id}/approve` and `/deny`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Verdict {
    #[serde(default)]
    comment: String,
}

pub(super) async fn approve(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
    Json(body): Json<Verdict>,
) -> Result<Json<AccessRequest>, ApiError> {
    Ok(Json(store.approve_request(&actor(&user)?, id, &body.comment).await?))
}

pub(super) async fn deny(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
    Json(body): Json<Verdict>,
) -> Result<Json<AccessRequest>, ApiError> {
    Ok(Json(store.deny_request(&actor(&user)?, id, &body.comment).await?))
}

pub(super) async fn cancel(
    user: CurrentUser,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    store.cancel_request(&actor(&user)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn policies(
    _user: CurrentUser,
    State(store): State<Store>,
) -> Result<Json<Vec<PolicyRecord>>, ApiError> {
    Ok(Json(store.list_policies().await?))
}

/// `POST /request-policies`: a group or permissions, who asks, who approves.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewPolicy {
    name: String,
    group: Option<String>,
    #[serde(default)]
    permissions: Vec<String>,
    requested_by_group: Option<String>,
    approved_by_group: Option<String>,
    approved_by_permission: Option<String>,
    approvals: Option<u32>,
    max_duration: Option<String>,
    expire_after_days: Option<u32>,
}

pub(super) async fn create_policy(
    user: CurrentUser,
    State(store): State<Store>,
    Json(body): Json<NewPolicy>,
) -> Result<StatusCode, ApiError> {
    let invalid = |detail: &str| Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid-input", detail.to_owned()));
    let mut policy = match (body.group, body.permissions.is_empty()) {
        (Some(group), true) => RequestPolicy::group(body.name, group),
        (None, false) => RequestPolicy::permissions(body.name, body.permissions),
        _ => return invalid("give either `group` or `permissions`, not both"),
    };
    policy = match (body.approved_by_group, body.approved_by_permission) {
        (Some(group), None) => policy.approved_by_members_of(group),
        (None, Some(perm)) => policy.approved_by_holders_of(perm),
        _ => return invalid("give either `approved_by_group` or `approved_by_permission`"),
    };
    if let Some(group) = body.requested_by_group {
        policy = policy.requested_by_members_of(group);
    }
    if let Some(approvals) = body.approvals {
        policy = policy.approvals(approvals);
    }
    if let Some(max) = duration("max_duration", body.max_duration.as_deref())? {
        policy = policy.max_duration(max);
    }
    if let Some(days) = body.expire_after_days {
        policy = policy.expire_after_days(days);
    }
    store.create_policy(&actor(&user)?, &policy).await?;
    Ok(StatusCode::CREATED)
}

pub(super) async fn delete_policy(
    user: CurrentUser,
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    store.delete_policy(&actor(&user)?, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
