//! Request policies: which group (or set of permissions) may be requested, by whom, approved by
//! whom, by how many, and for how long. Set by a superuser (or the system), audited like every
//! change.

use std::time::Duration;

use super::audit::AuditRecord;
use super::error::{Result, StoreError};
use super::grants::resolve;
use super::tx::Tx;
use super::{Actor, Store, now_micros};
use crate::{HasPerms, Permission, User};

/// What a policy lets users request, who may ask, who approves: see [`Store::create_policy`].
///
/// ```
/// use std::time::Duration;
/// use permfw::store::RequestPolicy;
///
/// // The guide's promotion: Writers ask for Senior Writers, an Editor approves.
/// let promotion = RequestPolicy::group("promotion", "Senior Writers")
///     .requested_by_members_of("Writers")
///     .approved_by_members_of("Editors");
/// // Break-glass: on call for 4 hours at most, two approvers.
/// let on_call = RequestPolicy::permissions("on-call", ["auth.change_user"])
///     .approved_by_holders_of("auth.change_group")
///     .approvals(2)
///     .max_duration(Duration::from_secs(4 * 3600));
/// # let _ = (promotion, on_call);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RequestPolicy {
    name: String,
    target: Target,
    requester_group: Option<String>,
    approvers: Option<Approvers>,
    approvals: u32,
    max_duration: Option<Duration>,
    expire_after_days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Group(String),
    Permissions(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Approvers {
    MembersOf(String),
    HoldersOf(String),
}

impl RequestPolicy {
    fn new(name: impl Into<String>, target: Target) -> Self {
        Self {
            name: name.into(),
            target,
            requester_group: None,
            approvers: None,
            approvals: 1,
            max_duration: None,
            expire_after_days: 14,
        }
    }

    /// A policy named `name` under which users request membership of `group`.
    pub fn group(name: impl Into<String>, group: impl Into<String>) -> Self {
        Self::new(name, Target::Group(group.into()))
    }

    /// A policy named `name` under which users request these permissions, granted directly.
    pub fn permissions<S: Into<String>>(name: impl Into<String>, perms: impl IntoIterator<Item = S>) -> Self {
        Self::new(name, Target::Permissions(perms.into_iter().map(Into::into).collect()))
    }

    /// Only members of `group` may request (by default any active user may).
    pub fn requested_by_members_of(mut self, group: impl Into<String>) -> Self {
        self.requester_group = Some(group.into());
        self
    }

    /// Members of `group` approve.
    pub fn approved_by_members_of(mut self, group: impl Into<String>) -> Self {
        self.approvers = Some(Approvers::MembersOf(group.into()));
        self
    }

    /// Holders of `perm` (`app_label.codename`) approve.
    pub fn approved_by_holders_of(mut self, perm: impl Into<String>) -> Self {
        self.approvers = Some(Approvers::HoldersOf(perm.into()));
        self
    }

    /// How many distinct approvals a request needs (default 1; 2 for a two-person rule).
    pub fn approvals(mut self, approvals: u32) -> Self {
        self.approvals = approvals;
        self
    }

    /// The longest time access may be granted for (default none: permanent access may be
    /// requested). With a maximum, every request must name a duration.
    pub fn max_duration(mut self, max: Duration) -> Self {
        self.max_duration = Some(max);
        self
    }

    /// How many days a request may stay unanswered before it expires (default 14).
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = days;
        self
    }
}

/// A policy as stored; see [`Store::list_policies`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PolicyRecord {
    /// Its name.
    pub name: String,
    /// The group that may be requested, if that is the target.
    pub target_group: Option<String>,
    /// The permissions that may be requested, if those are the target.
    pub target_permissions: Vec<String>,
    /// Who may request: members of this group, or (`None`) any active user.
    pub requester_group: Option<String>,
    /// Who approves: members of this group...
    pub approver_group: Option<String>,
    /// ...or holders of this permission.
    pub approver_permission: Option<String>,
    /// How many distinct approvals a request needs.
    pub approvals_needed: i64,
    /// The longest duration, in seconds, if any.
    pub max_duration_secs: Option<i64>,
    /// Days before an unanswered request expires.
    pub expire_after_days: i64,
}

impl PolicyRecord {
    /// Whether `user` may ask under this policy: an active user, in its requesters' group if it
    /// names one. The store checks it again at the moment of the request.
    #[must_use]
    pub fn lets_request(&self, user: &User) -> bool {
        user.is_active() && self.requester_group.as_deref().is_none_or(|group| user.groups().any(|g| g == group))
    }

    /// Whether `user` may decide requests under this policy: an active member of its approvers'
    /// group, holder of its approvers' permission, or superuser. The store checks it again at the
    /// moment of the decision.
    #[must_use]
    pub fn approves(&self, user: &User) -> bool {
        let member = self.approver_group.as_deref().is_some_and(|group| user.groups().any(|g| g == group));
        let holder = self.approver_permission.as_deref().is_some_and(|perm| user.has_perm(perm));
        user.is_active() && (member || holder || user.is_superuser())
    }

    /// What the policy grants, for people: `group Senior Writers` or `permissions blog.x blog.y`.
    #[must_use]
    pub fn target(&self) -> String {
        match &self.target_group {
            Some(group) => format!("group {group}"),
            None => format!("permissions {}", self.target_permissions.join(" ")),
        }
    }
}

/// id, name, target group, target permissions, requester group, approver group, approver
/// permission, approvals needed, longest duration, expiry days.
pub(crate) type PolicyRow =
    (i64, String, Option<String>, String, Option<String>, Option<String>, Option<String>, i64, Option<i64>, i64);

pub(crate) fn record(row: PolicyRow) -> (i64, PolicyRecord) {
    let (id, name, target_group, perms, requester_group, approver_group, approver_permission, approvals, max, days) =
        row;
    let target_permissions = perms.split(' ').filter(|p| !p.is_empty()).map(str::to_owned).collect();
    let record = PolicyRecord {
        name,
        target_group,
        target_permissions,
        requester_group,
        approver_group,
        approver_permission,
        approvals_needed: approvals,
        max_duration_secs: max,
        expire_after_days: days,
    };
    (id, record)
}

/// A policy and its id, read inside a transaction.
pub(crate) async fn load(tx: &mut Tx, name: &str) -> Result<(i64, PolicyRecord)> {
    let sql = tx.sql().policy_by_name;
    let row: Option<PolicyRow> = tx.conn().fetch_optional(sql, &[name.into()]).await?;
    row.map(record).ok_or_else(|| StoreError::PolicyNotFound(name.to_owned()))
}

/// A policy by id, read inside a transaction.
pub(crate) async fn load_by_id(tx: &mut Tx, id: i64) -> Result<PolicyRecord> {
    let sql = tx.sql().policy_by_id;
    let row: Option<PolicyRow> = tx.conn().fetch_optional(sql, &[id.into()]).await?;
    row.map(|row| record(row).1).ok_or_else(|| StoreError::PolicyNotFound(format!("#{id}")))
}

/// The id of a group named by a policy, or a clear error.
async fn group_id(tx: &mut Tx, name: &str) -> Result<i64> {
    let sql = tx.sql().group_id;
    let id: Option<(i64,)> = tx.conn().fetch_optional(sql, &[name.into()]).await?;
    id.map(|(id,)| id).ok_or_else(|| StoreError::GroupNotFound(name.to_owned()))
}

impl Store {
    /// Creates a request policy. Only the system or a superuser may.
    ///
    /// # Errors
    ///
    /// [`StoreError::Refused`], [`StoreError::PolicyNameTaken`], [`StoreError::GroupNotFound`]
    /// for a group it names, [`StoreError::UnknownPermission`], [`StoreError::InvalidPolicy`]
    /// (no approvers, no permission, zero approvals).
    pub async fn create_policy(&self, actor: &Actor, policy: &RequestPolicy) -> Result<()> {
        let invalid = |why: &str| Err(StoreError::InvalidPolicy(why.to_owned()));
        if policy.name.trim().is_empty() || policy.name.chars().count() > 150 {
            return invalid("give it a name of 1 to 150 characters");
        }
        let Some(approvers) = &policy.approvers else {
            return invalid("say who approves: `approved_by_members_of(group)` or `approved_by_holders_of(perm)`");
        };
        if policy.approvals == 0 {
            return invalid("a request needs at least one approval");
        }
        let perms: Vec<Permission> = match &policy.target {
            Target::Permissions(perms) if perms.is_empty() => return invalid("name at least one permission"),
            Target::Permissions(perms) => perms.iter().map(resolve).collect::<Result<_>>()?,
            Target::Group(_) => Vec::new(),
        };
        let approver_permission = match approvers {
            Approvers::HoldersOf(perm) => Some(resolve(perm)?.as_str()),
            Approvers::MembersOf(_) => None,
        };
        let mut tx = self.inner.backend.begin().await?;
        tx.acting(actor).await?.require_superuser().map_err(StoreError::Refused)?;
        if load(&mut tx, &policy.name).await.is_ok() {
            return Err(StoreError::PolicyNameTaken(policy.name.clone()));
        }
        let target_group = match &policy.target {
            Target::Group(group) => Some(group_id(&mut tx, group).await?),
            Target::Permissions(_) => None,
        };
        let requester_group = match &policy.requester_group {
            Some(group) => Some(group_id(&mut tx, group).await?),
            None => None,
        };
        let approver_group = match approvers {
            Approvers::MembersOf(group) => Some(group_id(&mut tx, group).await?),
            Approvers::HoldersOf(_) => None,
        };
        let perms = perms.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ");
        let max = policy.max_duration.map(|max| i64::try_from(max.as_secs()).unwrap_or(i64::MAX));
        let args = [
            policy.name.as_str().into(),
            target_group.into(),
            perms.as_str().into(),
            requester_group.into(),
            approver_group.into(),
            approver_permission.into(),
            i64::from(policy.approvals).into(),
            max.into(),
            i64::from(policy.expire_after_days).into(),
            now_micros().into(),
        ];
        let sql = tx.sql().insert_policy;
        tx.execute(sql, &args).await?;
        tx.audit(actor, AuditRecord::new("create_policy").detail(&policy.name)).await?;
        tx.commit().await
    }

    /// Deletes a request policy, and with it its requests. Only the system or a superuser may.
    ///
    /// # Errors
    ///
    /// [`StoreError::Refused`], [`StoreError::PolicyNotFound`].
    pub async fn delete_policy(&self, actor: &Actor, name: &str) -> Result<()> {
        let mut tx = self.inner.backend.begin().await?;
        tx.acting(actor).await?.require_superuser().map_err(StoreError::Refused)?;
        let sql = tx.sql().delete_policy;
        if tx.execute(sql, &[name.into()]).await? == 0 {
            return Err(StoreError::PolicyNotFound(name.to_owned()));
        }
        tx.audit(actor, AuditRecord::new("delete_policy").detail(name)).await?;
        tx.commit().await
    }

    /// Every request policy, by name.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn list_policies(&self) -> Result<Vec<PolicyRecord>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().list_policies;
        let rows: Vec<PolicyRow> = conn.fetch_all(sql, &[]).await?;
        Ok(rows.into_iter().map(|row| record(row).1).collect())
    }
}
