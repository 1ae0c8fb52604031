//! Access requests as the pages show them: what each asks for (its policy's target), since
//! when, the requester's groups now, its decisions, and whether the viewer may decide it.

use std::collections::HashMap;

use super::AdminError;
use super::pages::{DecisionRow, RequestRow};
use super::roles::may_decide;
use super::when::{ago, length};
use crate::User;
use crate::store::time::rfc3339;
use crate::store::{AccessRequest, PolicyRecord, RequestStatus, Store, StoreError, now_micros};

/// A user's groups for people: `Writers, Senior Writers`, or `none`.
pub(super) fn groups_of(user: &User) -> String {
    let groups: Vec<&str> = user.groups().collect();
    if groups.is_empty() { "none".to_owned() } else { groups.join(", ") }
}

/// The `before` of the page after `requests`, a page of at most `limit`, while it is full.
pub(super) fn next_before(requests: &[AccessRequest], limit: u32) -> Option<i64> {
    requests.last().filter(|_| requests.len() >= limit as usize).map(|request| request.id)
}

/// The rows of `requests` for `viewer`, under `policies` (every policy, as listed). Lists come
/// without decisions: those of a request that has some are read with it.
pub(super) async fn rows(
    store: &Store,
    viewer: &User,
    requests: Vec<AccessRequest>,
    policies: &[PolicyRecord],
) -> Result<Vec<RequestRow>, AdminError> {
    let mut groups: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(requests.len());
    for mut request in requests {
        let decided = request.approvals > 0 || request.status == RequestStatus::Denied;
        if decided && request.decisions.is_empty() {
            request = store.get_request(request.id).await?;
        }
        if !groups.contains_key(&request.requester) {
            let now = match store.get_user(&request.requester).await {
                Ok(user) => groups_of(&user),
                Err(StoreError::UserNotFound(_)) => "(deleted)".to_owned(),
                Err(err) => return Err(err.into()),
            };
            groups.insert(request.requester.clone(), now);
        }
        let requester_groups = groups[&request.requester].clone();
        let policy = policies.iter().find(|policy| policy.name == request.policy);
        rows.push(row(request, policy, viewer, requester_groups));
    }
    Ok(rows)
}

/// One request's row for `viewer`.
pub(super) fn row(
    request: AccessRequest,
    policy: Option<&PolicyRecord>,
    viewer: &User,
    requester_groups: String,
) -> RequestRow {
    let now = now_micros();
    let seconds_since = |micros: i64| (now - micros) / 1_000_000;
    // An open request past its expiry is closed for the store, swept or not.
    let expired = request.status == RequestStatus::Open && request.expires_at <= now;
    let open = request.status == RequestStatus::Open && !expired;
    let me = viewer.username();
    let decidable = open
        && request.requester != me
        && !request.decisions.iter().any(|decision| decision.approver == me)
        && policy.is_some_and(|policy| may_decide(viewer, policy));
    let needed = policy.map_or(1, |policy| policy.approvals_needed);
    RequestRow {
        id: request.id,
        target: policy.map_or_else(|| format!("(policy {} was deleted)", request.policy), PolicyRecord::target),
        status: if expired { "expired" } else { request.status.as_str() },
        approvals: format!("{} of {needed}", request.approvals),
        duration: request.duration_secs.map_or_else(|| "for good".to_owned(), length),
        at: rfc3339(request.created_at),
        since: ago(seconds_since(request.created_at)),
        closed: request.decided_at.map(|at| ago(seconds_since(at))).unwrap_or_default(),
        decisions: request
            .decisions
            .into_iter()
            .map(|decision| DecisionRow {
                verdict: if decision.approve { "approved" } else { "denied" },
                at: rfc3339(decision.decided_at),
                approver: decision.approver,
                comment: decision.comment,
            })
            .collect(),
        requester: request.requester,
        requester_groups,
        policy: request.policy,
        justification: request.justification,
        open,
        decidable,
    }
}
