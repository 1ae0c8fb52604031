//! Access requests, the guide's promotion workflow: a user asks for a policy's target with a
//! justification; the approvers are notified (through the outbox, in the same transaction); an
//! approver's right is checked at the moment of the decision, and the final approval applies
//! the change in the decision's transaction, once.

use std::time::Duration;

use serde_json::json;

use super::audit::AuditRecord;
use super::built::Built;
use super::error::{Result, Rule, StoreError};
use super::grants::{Change, UserGrant};
use super::groups::{Membership, group};
use super::policies::{self, PolicyRecord};
use super::rules::Acting;
use super::tx::Tx;
use super::{Actor, Store, now_micros};
use crate::{HasPerms, Permission, registry};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum RequestStatus {
    /// Waiting for decisions.
    Open,
    /// Approved: the change was applied.
    Approved,
    /// Denied by an approver.
    Denied,
    /// Cancelled by the requester.
    Cancelled,
    /// Unanswered for the policy's days.
    Expired,
}

impl RequestStatus {
    fn parse(text: &str) -> Self {
        match text {
            "approved" => Self::Approved,
            "denied" => Self::Denied,
            "cancelled" => Self::Cancelled,
            "expired" => Self::Expired,
            _ => Self::Open,
        }
    }

    /// Its name: `open`, `approved`, ...
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }
}

/// One approver's decision on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Decision {
    /// The approver.
    pub approver: String,
    /// Approved (or denied).
    pub approve: bool,
    /// The approver's comment.
    pub comment: String,
    /// When, in microseconds since the Unix epoch.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub decided_at: i64,
}

/// An access request; see [`Store::request_access`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AccessRequest {
    /// Its id.
    pub id: i64,
    /// The policy it was made under.
    pub policy: String,
    /// Who asked.
    pub requester: String,
    /// Why.
    pub justification: String,
    /// For how long, in seconds (`None`: for good).
    pub duration_secs: Option<i64>,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it was made, in microseconds since the Unix epoch.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub created_at: i64,
    /// When it expires if unanswered.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub expires_at: i64,
    /// When it was closed, if it was.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize_opt"))]
    pub decided_at: Option<i64>,
    /// How many approvals it has.
    pub approvals: i64,
    /// The decisions, in order (filled by [`Store::get_request`]; empty in lists).
    pub decisions: Vec<Decision>,
}

/// id, policy, requester, justification, duration, status, created, expires, decided, approvals.
type RequestRow = (i64, String, String, String, Option<i64>, String, i64, i64, Option<i64>, i64);

fn request(row: RequestRow) -> AccessRequest {
    let (id, policy, requester, justification, duration_secs, status, created_at, expires_at, decided_at, approvals) =
        row;
    AccessRequest {
        id,
        policy,
        requester,
        justification,
        duration_secs,
        status: RequestStatus::parse(&status),
        created_at,
        expires_at,
        decided_at,
        approvals,
        decisions: Vec::new(),
    }
}

/// Filters of [`Store::list_requests`]: newest first, keyset pages by id.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequestQuery {
    status: Option<RequestStatus>,
    requester: Option<String>,
    policy: Option<String>,
    before_id: Option<i64>,
    limit: Option<u32>,
}

impl RequestQuery {
    /// Every request, newest first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only requests in this status.
    pub fn status(mut self, status: RequestStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only requests by this user.
    pub fn requester(mut self, username: impl Into<String>) -> Self {
        self.requester = Some(username.into());
        self
    }

    /// Only requests under this policy.
    pub fn policy(mut self, name: impl Into<String>) -> Self {
        self.policy = Some(name.into());
        self
    }

    /// The page of requests older than this id.
    pub fn before_id(mut self, id: i64) -> Self {
        self.before_id = Some(id);
        self
    }

    /// At most this many (default 100, at most 1,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// What [`Store::sweep_expired`] removed or closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SweepReport {
    /// Direct grants past their expiry, removed.
    pub grants: u64,
    /// Memberships past their expiry, removed.
    pub memberships: u64,
    /// Open requests past their expiry, closed as expired.
    pub requests: u64,
}

/// The longest justification.
const MAX_JUSTIFICATION: usize = 2_000;

/// What approving a request under `policy` hands over, read inside the decision's transaction.
async fn handed_over(tx: &mut Tx, policy: &PolicyRecord) -> Result<(Option<(String, i64)>, Vec<Permission>)> {
    match &policy.target_group {
        Some(name) => {
            let (id, perms) = group(tx, name).await?;
            Ok((Some((name.clone(), id)), perms))
        }
        None => {
            let registry = registry();
            Ok((None, policy.target_permissions.iter().filter_map(|p| registry.get(p)).collect()))
        }
    }
}

/// Whether `acting` may decide under `policy`, now: a member of its approvers' group or a
/// holder of its approvers' permission (an active superuser, or the system, always may).
fn may_decide(acting: &Acting, policy: &PolicyRecord, requester_id: i64) -> std::result::Result<(), Rule> {
    let Acting::User(user) = acting else { return Ok(()) };
    if !user.is_active() {
        return Err(Rule::ActorInactive);
    }
    if user.id() == Some(requester_id) {
        return Err(Rule::OwnRequest);
    }
    if policy.approves(user) { Ok(()) } else { Err(Rule::NotAnApprover { policy: policy.name.clone() }) }
}

impl Store {
    /// Asks for a policy's target, as the acting user, with a justification (1 to 2,000
    /// characters) and optionally a duration (required, and at most the policy's maximum, when
    /// the policy has one). The approvers are notified in the same transaction. One open request
    /// per user and policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::PolicyNotFound`], [`StoreError::InvalidRequest`],
    /// [`StoreError::RequestAlreadyOpen`], [`StoreError::Refused`] (an inactive requester, or
    /// one the policy does not allow).
    pub async fn request_access(
        &self,
        actor: &Actor,
        policy: &str,
        justification: &str,
        duration: Option<Duration>,
    ) -> Result<AccessRequest> {
        let justification = justification.trim();
        if justification.is_empty() || justification.chars().count() > MAX_JUSTIFICATION {
            return Err(StoreError::InvalidRequest(format!(
                "the justification must say why, in 1 to {MAX_JUSTIFICATION} characters"
            )));
        }
        let duration = duration.map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let Actor::User(username) = actor else {
            return Err(StoreError::InvalidRequest("a request is made by a user, not by the system".into()));
        };
        let mut tx = self.inner.backend.begin().await?;
        let requester = match tx.acting(actor).await? {
            Acting::User(user) if user.is_active() => user,
            _ => return Err(StoreError::Refused(Rule::ActorInactive)),
        };
        let requester_id = requester.id().unwrap_or_default();
        let (policy_id, policy) = policies::load(&mut tx, policy).await?;
        if !policy.lets_request(&requester) {
            return Err(StoreError::Refused(Rule::NotARequester { policy: policy.name }));
        }
        match (policy.max_duration_secs, duration) {
            (Some(max), Some(asked)) if asked > max || asked <= 0 => {
                return Err(StoreError::InvalidRequest(format!("ask for 1 to {max} seconds, the policy's longest")));
            }
            (Some(max), None) => {
                return Err(StoreError::InvalidRequest(format!(
                    "this policy grants for at most {max} seconds: say how long"
                )));
            }
            (None, Some(asked)) if asked <= 0 => {
                return Err(StoreError::InvalidRequest("a duration must be at least one second".into()));
            }
            _ => {}
        }
        let sql = tx.sql();
        let open: Option<(i64,)> =
            tx.conn().fetch_optional(sql.open_request, &[requester_id.into(), policy_id.into()]).await?;
        if let Some((open,)) = open {
            return Err(StoreError::RequestAlreadyOpen(open));
        }
        let now = now_micros();
        let expires_at = now.saturating_add(policy.expire_after_days.saturating_mul(86_400_000_000));
        let args = [
            policy_id.into(),
            requester_id.into(),
            justification.into(),
            duration.into(),
            now.into(),
            expires_at.into(),
        ];
        let (id,): (i64,) = tx.conn().fetch_one(sql.insert_request, &args).await?;
        let payload = json!({
            "request_id": id, "policy": policy.name, "requester": username, "target": policy.target(),
            "justification": justification, "duration_secs": duration,
        })
        .to_string();
        let (statement, approvers) = match (&policy.approver_group, &policy.approver_permission) {
            (Some(group), _) => (sql.notify_group_approvers, tx_group_id(&mut tx, group).await?),
            (None, Some(perm)) => {
                let perm = registry().get(perm).ok_or_else(|| StoreError::UnknownPermission(perm.clone()))?;
                (sql.notify_permission_approvers, tx.permission_id(&self.inner.cache, perm).await?)
            }
            (None, None) => return Err(StoreError::InvalidPolicy("it names no approvers".into())),
        };
        tx.execute(statement, &[now.into(), payload.as_str().into(), approvers.into(), requester_id.into()]).await?;
        let detail = format!("request #{id} under policy {}: {justification}", policy.name);
        tx.audit(actor, AuditRecord::new("request_access").user(username).detail(&detail)).await?;
        tx.commit().await?;
        self.wake_outbox();
        self.get_request(id).await
    }

    /// Cancels an open request: its requester (or a superuser, or the system) may.
    ///
    /// # Errors
    ///
    /// [`StoreError::RequestNotFound`], [`StoreError::RequestClosed`], [`StoreError::Refused`].
    pub async fn cancel_request(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let state = State::load(&mut tx, id).await?;
        if let Acting::User(user) = &acting
            && user.id() != Some(state.requester_id)
        {
            acting.require_superuser().map_err(|_| StoreError::Refused(Rule::NotTheRequester))?;
        }
        state.ensure_open(id)?;
        let sql = tx.sql().close_request;
        tx.execute(sql, &["cancelled".into(), now_micros().into(), id.into()]).await?;
        let detail = format!("request #{id}");
        tx.audit(actor, AuditRecord::new("cancel_request").detail(&detail)).await?;
        tx.commit().await
    }

    /// Approves a request, as an approver of its policy at this moment, with a comment. The
    /// approval hands over only permissions the approver holds (the delegation rules still
    /// bind it; the policy spares it only `auth.change_user`). The final approval (the policy's
    /// count of distinct approvers) applies the change in this transaction, once, and notifies
    /// the requester.
    ///
    /// # Errors
    ///
    /// [`StoreError::RequestNotFound`], [`StoreError::RequestClosed`],
    /// [`StoreError::AlreadyDecided`], [`StoreError::Refused`] (own request, not an approver,
    /// a permission the approver lacks).
    pub async fn approve_request(&self, actor: &Actor, id: i64, comment: &str) -> Result<AccessRequest> {
        self.decide(actor, id, true, comment).await
    }

    /// Denies a request, as an approver of its policy at this moment, with a comment; the
    /// requester is notified.
    ///
    /// # Errors
    ///
    /// As [`approve_request`](Self::approve_request).
    pub async fn deny_request(&self, actor: &Actor, id: i64, comment: &str) -> Result<AccessRequest> {
        self.decide(actor, id, false, comment).await
    }

    async fn decide(&self, actor: &Actor, id: i64, approve: bool, comment: &str) -> Result<AccessRequest> {
        if comment.chars().count() > MAX_JUSTIFICATION {
            return Err(StoreError::InvalidRequest(format!("a comment has {MAX_JUSTIFICATION} characters at most")));
        }
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let state = State::load(&mut tx, id).await?;
        let policy = policies::load_by_id(&mut tx, state.policy_id).await?;
        may_decide(&acting, &policy, state.requester_id).map_err(StoreError::Refused)?;
        let State { requester_id, duration, .. } = state.ensure_open(id)?;
        let requester = requester_name(&mut tx, requester_id).await?;
        let approver_id = match &acting {
            Acting::User(user) => user.id().unwrap_or_default(),
            Acting::System => 0,
        };
        let sql = tx.sql();
        if approver_id != 0
            && tx.conn().fetch_optional::<(i64,)>(sql.has_decided, &[id.into(), approver_id.into()]).await?.is_some()
        {
            return Err(StoreError::AlreadyDecided(id));
        }
        let (group, perms) = handed_over(&mut tx, &policy).await?;
        if approve {
            for perm in &perms {
                acting.may_hand_over(*perm).map_err(StoreError::Refused)?;
            }
        }
        let now = now_micros();
        if approver_id != 0 {
            let args = [id.into(), approver_id.into(), approve.into(), comment.into(), now.into()];
            tx.execute(sql.insert_decision, &args).await?;
        }
        let verdict = if approve { "approved" } else { "denied" };
        let detail = format!("request #{id} {verdict} under policy {}: {comment}", policy.name);
        tx.audit(actor, AuditRecord::new("decide_request").user(&requester).detail(&detail)).await?;
        let (approvals,): (i64,) = tx.conn().fetch_one(sql.count_approvals, &[id.into()]).await?;
        let done = !approve || approver_id == 0 || approvals >= policy.approvals_needed;
        if done {
            if approve {
                let until = duration.map(|secs| now.saturating_add(secs.saturating_mul(1_000_000)));
                let detail = format!("request #{id} under policy {}", policy.name);
                apply(&mut tx, &self.inner.cache, actor, &requester, requester_id, group, &perms, until, &detail)
                    .await?;
            }
            tx.execute(sql.close_request, &[verdict.into(), now.into(), id.into()]).await?;
            let payload = json!({
                "request_id": id, "policy": policy.name, "target": policy.target(),
                "decided_by": actor.label(), "comment": comment,
            });
            let email = requester_email(&mut tx, &requester).await?;
            tx.notify(&format!("request_{verdict}"), &requester, &email, &payload).await?;
        }
        if done && approve {
            self.commit_change(tx).await?;
        } else {
            tx.commit().await?;
        }
        self.wake_outbox();
        self.get_request(id).await
    }

    /// A request with its decisions.
    ///
    /// # Errors
    ///
    /// [`StoreError::RequestNotFound`], or a database error.
    pub async fn get_request(&self, id: i64) -> Result<AccessRequest> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        let mut built = Built::new(sql.select_requests);
        built.push(" AND r.id = ").push_bind(id);
        let row: Option<RequestRow> = conn.fetch_built(&built).await?.into_iter().next();
        let mut found = row.map(request).ok_or(StoreError::RequestNotFound(id))?;
        let decisions: Vec<(String, bool, String, i64)> = conn.fetch_all(sql.decisions, &[id.into()]).await?;
        found.decisions = decisions
            .into_iter()
            .map(|(approver, approve, comment, decided_at)| Decision { approver, approve, comment, decided_at })
            .collect();
        Ok(found)
    }

    /// Requests, newest first, filtered; pages by id.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn list_requests(&self, query: RequestQuery) -> Result<Vec<AccessRequest>> {
        let limit = i64::from(query.limit.unwrap_or(100).clamp(1, 1_000));
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let mut built = Built::new(conn.sql().select_requests);
        if let Some(status) = query.status {
            built.push(" AND r.status = ").push_bind(status.as_str());
        }
        if let Some(requester) = &query.requester {
            built.push(" AND u.username = ").push_bind(requester);
        }
        if let Some(policy) = &query.policy {
            built.push(" AND p.name = ").push_bind(policy);
        }
        if let Some(before) = query.before_id {
            built.push(" AND r.id < ").push_bind(before);
        }
        built.push(" ORDER BY r.id DESC LIMIT ").push_bind(limit);
        let rows: Vec<RequestRow> = conn.fetch_built(&built).await?;
        Ok(rows.into_iter().map(request).collect())
    }

    /// Removes grants and memberships past their expiry, auditing each as `expired` and
    /// notifying its user, and closes open requests past theirs as `expired`, notifying the
    /// requester; one transaction. Run it now and then (the notifier's worker does): an expired
    /// grant is not held from its expiry on whether or not it was swept.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn sweep_expired(&self) -> Result<SweepReport> {
        let now = now_micros();
        let mut tx = self.inner.backend.begin().await?;
        let sql = tx.sql();
        let args = [now.into()];
        for statement in [
            sql.audit_expired_grants,
            sql.notify_expired_grants,
            sql.audit_expired_memberships,
            sql.notify_expired_memberships,
            sql.audit_expired_requests,
            sql.notify_expired_requests,
        ] {
            tx.execute(statement, &args).await?;
        }
        let report = SweepReport {
            grants: tx.execute(sql.delete_expired_grants, &args).await?,
            memberships: tx.execute(sql.delete_expired_memberships, &args).await?,
            requests: tx.execute(sql.expire_requests, &args).await?,
        };
        if report == SweepReport::default() {
            return Ok(report);
        }
        self.commit_change(tx).await?;
        self.wake_outbox();
        Ok(report)
    }
}

/// A request's state, read inside a transaction.
struct State {
    policy_id: i64,
    requester_id: i64,
    status: String,
    expires_at: i64,
    duration: Option<i64>,
}

impl State {
    async fn load(tx: &mut Tx, id: i64) -> Result<Self> {
        let sql = tx.sql().request_state;
        let row: Option<(i64, i64, String, i64, Option<i64>)> = tx.conn().fetch_optional(sql, &[id.into()]).await?;
        let (policy_id, requester_id, status, expires_at, duration) = row.ok_or(StoreError::RequestNotFound(id))?;
        Ok(Self { policy_id, requester_id, status, expires_at, duration })
    }

    /// Open and not expired, or why not. Checked after the caller's right, so that someone who
    /// may not act on the request learns nothing of where it stands.
    fn ensure_open(self, id: i64) -> Result<Self> {
        if self.status != "open" {
            return Err(StoreError::RequestClosed { id, status: self.status });
        }
        if self.expires_at <= now_micros() {
            return Err(StoreError::RequestClosed { id, status: "expired".into() });
        }
        Ok(self)
    }
}

/// The username of a request's requester.
async fn requester_name(tx: &mut Tx, requester_id: i64) -> Result<String> {
    let snapshot = super::snapshot::Snapshot::load_by_id(&mut tx.conn(), requester_id).await?;
    Ok(snapshot.map(|s| s.into_user().username().to_owned()).unwrap_or_default())
}

async fn tx_group_id(tx: &mut Tx, name: &str) -> Result<i64> {
    Ok(group(tx, name).await?.0)
}

async fn requester_email(tx: &mut Tx, username: &str) -> Result<String> {
    Ok(tx.target(username).await?.into_user().email().to_owned())
}

/// Applies an approved request: the membership, or each permission, with its expiry, audited
/// with the approver as actor and the request as detail.
#[allow(clippy::too_many_arguments)]
async fn apply(
    tx: &mut Tx,
    cache: &super::cache::Cache,
    actor: &Actor,
    username: &str,
    user_id: i64,
    group: Option<(String, i64)>,
    perms: &[Permission],
    until: Option<i64>,
    detail: &str,
) -> Result<()> {
    let change = Change::Grant { until };
    if let Some((name, group_id)) = group {
        Membership { username, user_id, group: &name, group_id, detail }.write(tx, actor, change).await?;
        return Ok(());
    }
    for perm in perms {
        let permission_id = tx.permission_id(cache, *perm).await?;
        UserGrant { username, user_id, perm: *perm, permission_id, detail }.write(tx, actor, change).await?;
    }
    Ok(())
}
