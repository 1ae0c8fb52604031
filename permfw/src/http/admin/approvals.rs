//! The approvals dashboard: the open requests the caller may decide (who, what, why, since
//! when, the requester's groups now), approve or deny with a comment, and the history of decided
//! requests; and one request with its decisions. Open to every active user: the policies say who
//! approves, and the store checks the approver's right at the moment of the decision.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::{Form, Path, Query};
use super::flash::Flash;
use super::pages::{ApprovalsPage, RequestPage, render};
use super::request_rows::{next_before, row, rows};
use super::roles::{may_decide, may_see};
use super::session::admin_page;
use super::{AdminError, Member};
use crate::HasPerms;
use crate::store::{AccessRequest, PolicyRecord, RequestQuery, RequestStatus, Store, StoreError};

/// Requests each list of the dashboard holds.
const PAGE: u32 = 25;

/// `GET /approvals?open_before=&decided_before=`: each list's page of requests older than an id.
#[derive(Debug, Deserialize)]
pub(super) struct DashboardQuery {
    open_before: Option<i64>,
    decided_before: Option<i64>,
}

/// The requests under `policies` in `status`, newest first, older than `before`: one keyset
/// page over them all, merged from each policy's page (a superuser's, every policy at once).
async fn under(
    store: &Store,
    policies: Option<&[&PolicyRecord]>,
    status: RequestStatus,
    before: Option<i64>,
) -> Result<Vec<AccessRequest>, StoreError> {
    let query = |policy: Option<&str>| {
        let mut query = RequestQuery::new().status(status).limit(PAGE);
        if let Some(policy) = policy {
            query = query.policy(policy);
        }
        if let Some(before) = before {
            query = query.before_id(before);
        }
        query
    };
    let Some(policies) = policies else { return store.list_requests(query(None)).await };
    let mut merged = Vec::new();
    for policy in policies {
        merged.extend(store.list_requests(query(Some(&policy.name))).await?);
    }
    merged.sort_by_key(|request| std::cmp::Reverse(request.id));
    merged.truncate(PAGE as usize);
    Ok(merged)
}

pub(super) async fn dashboard(
    member: Member,
    State(store): State<Store>,
    Query(page): Query<DashboardQuery>,
) -> Result<Response, AdminError> {
    let me = member.user()?;
    let policies = store.list_policies().await?;
    let mine: Vec<&PolicyRecord> = policies.iter().filter(|policy| may_decide(me, policy)).collect();
    let approver = !mine.is_empty();
    let (mut open, mut decided) = (Vec::new(), Vec::new());
    if approver {
        let scope = (!me.is_superuser()).then_some(mine.as_slice());
        open = under(&store, scope, RequestStatus::Open, page.open_before).await?;
        decided = under(&store, scope, RequestStatus::Approved, page.decided_before).await?;
        decided.extend(under(&store, scope, RequestStatus::Denied, page.decided_before).await?);
        decided.sort_by_key(|request| std::cmp::Reverse(request.id));
        decided.truncate(PAGE as usize);
    }
    let (open_next, decided_next) = (next_before(&open, PAGE), next_before(&decided, PAGE));
    let open = rows(&store, me, open, &policies).await?;
    Ok(render(&ApprovalsPage {
        frame: member.frame(),
        approver,
        // Its own requests, and those past their expiry, are not the caller's to decide.
        open: open.into_iter().filter(|row| row.open && row.requester != me.username()).collect(),
        open_next,
        decided: rows(&store, me, decided, &policies).await?,
        decided_next,
        back: format!("{}/approvals", member.base()),
    }))
}

pub(super) async fn show(
    member: Member,
    State(store): State<Store>,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    let me = member.user()?;
    // One answer for a request that does not exist and one the caller may not see.
    let unseen = || AdminError::Page(StatusCode::NOT_FOUND, format!("There is no access request #{id} you may see."));
    let request = match store.get_request(id).await {
        Ok(request) => request,
        Err(StoreError::RequestNotFound(_)) => return Err(unseen()),
        Err(err) => return Err(err.into()),
    };
    let policies = store.list_policies().await?;
    let policy = policies.iter().find(|policy| policy.name == request.policy);
    if !may_see(me, &request, policy) {
        return Err(unseen());
    }
    let groups = match store.get_user(&request.requester).await {
        Ok(user) => super::request_rows::groups_of(&user),
        Err(StoreError::UserNotFound(_)) => "(deleted)".to_owned(),
        Err(err) => return Err(err.into()),
    };
    let row = row(request, policy, me, groups);
    let may_cancel = row.open && (row.requester == me.username() || me.is_superuser());
    let back = format!("{}/requests/{id}", member.base());
    Ok(render(&RequestPage { frame: member.frame(), row, may_cancel, back }))
}

/// The approve and deny forms: the session's CSRF token, a comment, and the admin's page to go
/// back to (the dashboard by default).
#[derive(Debug, Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
    next: Option<String>,
}

pub(super) async fn approve(
    member: Member,
    State(store): State<Store>,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AdminError> {
    decide(&member, &store, id, &form, true).await
}

pub(super) async fn deny(
    member: Member,
    State(store): State<Store>,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AdminError> {
    decide(&member, &store, id, &form, false).await
}

/// Approves or denies as the caller; the store checks its right now, and its refusal is the
/// message the next page shows.
async fn decide(
    member: &Member,
    store: &Store,
    id: i64,
    form: &DecisionForm,
    approve: bool,
) -> Result<Response, AdminError> {
    member.check_csrf(&form.csrf)?;
    let actor = member.actor()?;
    let comment = form.comment.trim();
    let decided = if approve {
        store.approve_request(&actor, id, comment).await
    } else {
        store.deny_request(&actor, id, comment).await
    };
    let flash = match decided {
        Ok(request) => {
            let policies = store.list_policies().await?;
            Flash::done(outcome(&request, policies.iter().find(|policy| policy.name == request.policy)))
        }
        Err(err) => Flash::refusal(err)?,
    };
    let back =
        admin_page(member.base(), form.next.as_deref()).unwrap_or_else(|| format!("{}/approvals", member.base()));
    Ok((flash, Redirect::to(&back)).into_response())
}

/// What a decision came to, for its message.
fn outcome(request: &AccessRequest, policy: Option<&PolicyRecord>) -> String {
    let (id, who) = (request.id, &request.requester);
    let target = policy.map_or_else(|| format!("policy {}", request.policy), PolicyRecord::target);
    match request.status {
        RequestStatus::Approved => format!("Approved request #{id}: {who} now has {target}."),
        RequestStatus::Denied => format!("Denied request #{id}: {who} does not get {target}."),
        _ => {
            let missing = policy.map_or(1, |policy| policy.approvals_needed - request.approvals).max(1);
            let more = if missing == 1 { "one more approval".to_owned() } else { format!("{missing} more approvals") };
            format!("Approved request #{id}; it needs {more} before {who} has {target}.")
        }
    }
}
