//! A user's part in the access-request workflow, for what the pages show: the policies it may
//! ask under, those whose requests it may decide, and the requests it may see. The store decides
//! every change again, at the moment of the change; these only choose what to offer.

use crate::store::{AccessRequest, PolicyRecord};
use crate::{HasPerms, User};

/// Whether `user` may ask under `policy`: any active user, or a member of its requesters' group.
pub(super) fn may_request(user: &User, policy: &PolicyRecord) -> bool {
    policy.lets_request(user)
}

/// Whether `user` may decide requests under `policy`, as the store checks it: an active member of
/// its approvers' group, holder of its approvers' permission, or superuser.
pub(super) fn may_decide(user: &User, policy: &PolicyRecord) -> bool {
    policy.approves(user)
}

/// Whether `user` may see `request` (under `policy`, if it still exists): its requester, one who
/// may decide it or did, and staff who may view users (the audit log shows them the same).
pub(super) fn may_see(user: &User, request: &AccessRequest, policy: Option<&PolicyRecord>) -> bool {
    let me = user.username();
    request.requester == me
        || request.decisions.iter().any(|decision| decision.approver == me)
        || policy.is_some_and(|policy| may_decide(user, policy))
        || (user.is_staff() && user.has_perm(User::VIEW_USER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Group;

    fn policy(requesters: Option<&str>, approvers: &str, permission: Option<&str>) -> PolicyRecord {
        PolicyRecord {
            name: "promotion".into(),
            target_group: Some("Senior Writers".into()),
            target_permissions: Vec::new(),
            requester_group: requesters.map(str::to_owned),
            approver_group: permission.is_none().then(|| approvers.to_owned()),
            approver_permission: permission.map(str::to_owned),
            approvals_needed: 1,
            max_duration_secs: None,
            expire_after_days: 14,
        }
    }

    fn user(name: &str, groups: &[&str]) -> User {
        groups.iter().fold(User::builder(name).id(1), |b, g| b.group(&Group::new(*g))).build()
    }

    #[test]
    fn who_may_ask_and_who_may_decide() {
        let promotion = policy(Some("Writers"), "Editors", None);
        let (alice, grace) = (user("alice", &["Writers"]), user("grace", &["Editors"]));
        assert!(may_request(&alice, &promotion) && !may_request(&grace, &promotion));
        assert!(may_request(&grace, &policy(None, "Editors", None)), "any active user");
        assert!(may_decide(&grace, &promotion) && !may_decide(&alice, &promotion));
        let gone = User::builder("gone").group(&Group::new("Editors")).active(false).build();
        assert!(!may_decide(&gone, &promotion) && !may_request(&gone, &policy(None, "Editors", None)));
        let root = User::builder("root").superuser(true).build();
        assert!(may_decide(&root, &promotion));
        let on_call = policy(None, "", Some("auth.change_group"));
        let holder = User::builder("ops").permission(crate::Group::CHANGE_GROUP).build();
        assert!(may_decide(&holder, &on_call) && !may_decide(&grace, &on_call));
    }
}
