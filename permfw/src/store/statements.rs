//! The statements the store runs, one table per dialect: each dialect's complete SQL lives in its
//! own file ([`sqlite`](super::sqlite), [`postgres`](super::postgres)), to be read whole. Each
//! field documents its binds (`$1`, `$2`, ...) and the columns it returns.

use super::built::Built;

/// The store's SQL in one dialect.
#[derive(Debug)]
pub(crate) struct Statements {
    /// The schema migrations, in order: (version, script).
    pub(crate) migrations: &'static [(i64, &'static str)],
    /// Creates the migration ledger when missing.
    pub(crate) create_ledger: &'static str,
    /// -> the newest applied version, or NULL.
    pub(crate) schema_version: &'static str,
    /// -> (version) of every migration applied.
    pub(crate) applied_migrations: &'static str,
    /// `$1` version, `$2` applied at.
    pub(crate) record_migration: &'static str,

    /// `$1` username, `$2` now -> id, username, email, is_active, is_staff, is_superuser, the
    /// database's revision, the count of changes to `auth_permission`, its direct permissions
    /// (space-separated row ids), its groups (name, unit separator, permission ids; record
    /// separator between groups), and the earliest expiry of a grant or membership it holds (or
    /// NULL). Expired grants are left out. One row, because each row costs a round trip to the
    /// driver; ids, not names, because joining `auth_permission` for each grant cost a cold
    /// snapshot half its time (see [`snapshot`](super::snapshot)).
    pub(crate) snapshot_by_name: &'static str,
    /// `$1` user id, `$2` now -> as `snapshot_by_name`.
    pub(crate) snapshot_by_id: &'static str,
    /// `$1` username, `$2` now -> (permission or NULL, group or NULL): a row of two NULLs says
    /// the user exists; a direct grant has no group. Expired grants are left out.
    pub(crate) effective_permissions: &'static str,
    /// -> the database's revision.
    pub(crate) revision: &'static str,
    /// -> the new revision, after bumping it (and, on PostgreSQL, announcing it at commit).
    pub(crate) bump_revision: &'static str,
    /// `$1` app label, `$2` codename -> the permission's row id.
    pub(crate) permission_id: &'static str,
    /// `$1` at, `$2` actor, `$3` action, `$4` target user, `$5` target group, `$6` permission,
    /// `$7` detail.
    pub(crate) insert_audit: &'static str,
    /// The audit log's columns, up to `WHERE`: filters follow as `AND ...`.
    pub(crate) select_audit: &'static str,
    /// Adds "`column` = `value`" to the audit log's filters: `lead` for the first filter given,
    /// whose index is read in id order, the others kept from leading the plan.
    pub(crate) audit_filter: for<'a> fn(&mut Built<'a>, &'static str, &'a str, bool),
    /// Adds "at or after `since`" and "before `until`" to the audit log's filters, each with the
    /// first or last id of the range found through the index of times, so that the log is read
    /// in id order from there.
    pub(crate) audit_dates: for<'a> fn(&mut Built<'a>, Option<i64>, Option<i64>),
    /// `$1` username, `$2` its groups as a JSON array -> (id, action, group, permission, actor,
    /// at, detail) of the latest `grant_user` of each permission to the user, `add_member` of
    /// the user to each group, `create_superuser` and `set_superuser` of the user, and
    /// `grant_group` of each permission to each of the groups.
    pub(crate) audit_provenance: &'static str,
    /// `$1` user id, `$2` permission id, `$3` username, `$4` permission -> (kind, name, at,
    /// actor): `direct` (its expiry in `at`, expired or not) when the user has a direct grant
    /// row; `member` and the group (its expiry in `at`) for each membership row of the user;
    /// `holder` and the group for each group that has the permission; and the latest audit
    /// entry of the user's direct grant (`grant_user`, `revoke_user`, `expired`) as its action,
    /// detail, time and actor.
    pub(crate) why_not: &'static str,
    /// `$1` user ids as a JSON array -> (id, username, is_active, is_superuser), by id.
    pub(crate) users_by_ids: &'static str,
    /// `$1` user ids as a JSON array, `$2` now -> (user id, permission, group or NULL) of every
    /// live direct grant (NULL group) and every permission of a live membership of the users.
    pub(crate) users_permissions: &'static str,

    /// -> the username of a superuser, if any.
    pub(crate) any_superuser: &'static str,
    /// `$1` username -> id.
    pub(crate) user_id: &'static str,
    /// `$1` username -> (id, is_superuser).
    pub(crate) user_target: &'static str,
    /// `$1` username, `$2` email, `$3` password hash, `$4` superuser (and staff), `$5` joined.
    pub(crate) insert_user: &'static str,
    /// `$1` username -> (password hash, is_active).
    pub(crate) user_password: &'static str,
    /// `$1` at, `$2` username.
    pub(crate) touch_last_login: &'static str,
    /// `$1` password hash, `$2` user id.
    pub(crate) set_password: &'static str,
    /// `$1` email, `$2` user id.
    pub(crate) set_email: &'static str,
    /// `$1` value, `$2` user id.
    pub(crate) set_active: &'static str,
    /// `$1` value, `$2` user id.
    pub(crate) set_staff: &'static str,
    /// `$1` value, `$2` user id.
    pub(crate) set_superuser: &'static str,
    /// The user list's columns, up to `WHERE`: filters follow as `AND ...`.
    pub(crate) select_users: &'static str,
    /// Adds "username or email contains `$pattern`" (a `LIKE` pattern, escaped with `\`) to the
    /// user list; `phrase`, for three characters or more, may go through an index; without it,
    /// each row the rest of the statement reads is checked.
    pub(crate) search_users: for<'a> fn(&mut Built<'a>, &'a str, Option<&'a str>),
    /// Adds "`u.id` is one of these" (a JSON array of ids) to the user list.
    pub(crate) user_ids_in: for<'a> fn(&mut Built<'a>, &'a str),

    /// `$1` user id, `$2` permission id, `$3` expiry or NULL (permanent), and the audit row's
    /// `$4` at, `$5` actor, `$6` username, `$7` permission, `$8` detail: a permanent grant stays
    /// permanent, a temporary one is extended, no row changes for a grant already permanent; the
    /// audit row is written and the revision bumped (as `bump_revision`) when a row changed. Run
    /// in order (one statement on PostgreSQL, one round trip); the last one returns the new
    /// revision when a row changed, and no row otherwise.
    pub(crate) grant_user: &'static [&'static str],
    /// `$1` user id, `$2` permission id, and the audit row's `$3` at, `$4` actor, `$5` username,
    /// `$6` permission, `$7` detail: as `grant_user`.
    pub(crate) revoke_user: &'static [&'static str],
    /// `$1` usernames as a JSON array -> how many exist.
    pub(crate) count_named_users: &'static str,
    /// `$1` usernames as a JSON array -> those that exist.
    pub(crate) named_users: &'static str,
    /// `$1` usernames as a JSON array, `$2` the actor's id -> (id, is_superuser) of one of them
    /// that is a superuser or the actor, if any.
    pub(crate) named_off_limits: &'static str,
    /// Grants one permission to many users for good (a temporary grant becomes permanent), with
    /// an audit row for each change: run in order, each with `$1` at, `$2` actor, `$3`
    /// permission, `$4` usernames as a JSON array, `$5` permission id; the last one's count is
    /// the number of changes.
    pub(crate) bulk_grant: &'static [&'static str],
    /// `$1` usernames as a JSON array, `$2` a group id (or 0), `$3` a permission id (or 0) ->
    /// (id, username, is_superuser, is_active, a permanent member of the group, granted the
    /// permission directly for good) of those that exist.
    pub(crate) bulk_targets: &'static str,
    /// Puts many users in one group for good, with an audit row for each change: as
    /// `bulk_grant`, with `$3` the group's name and `$5` its id.
    pub(crate) bulk_add_member: &'static [&'static str],
    /// Deactivates many users, ending their sessions and revoking their tokens, with an audit
    /// row for each change: run in order, each with `$1` at, `$2` actor, `$3` usernames as a
    /// JSON array; the last one's count is the number of changes.
    pub(crate) bulk_deactivate: &'static [&'static str],
    /// The superusers' (id, username), up to `WHERE`: filters follow.
    pub(crate) select_superusers: &'static str,
    /// Holders of a permission granted directly, (id, username), up to the permission's bind.
    pub(crate) select_direct_holders: &'static str,
    /// Members of a group, (id, username), up to the group's bind.
    pub(crate) select_group_members: &'static str,
    /// `$1` permission id -> the ids of the groups that have it.
    pub(crate) groups_with_permission: &'static str,

    /// `$1` name -> id.
    pub(crate) group_id: &'static str,
    /// `$1` group id -> its permissions as `app_label.codename`.
    pub(crate) group_permissions: &'static str,
    /// `$1` name -> one row per permission (NULL for none); no row for no group.
    pub(crate) group_by_name: &'static str,
    /// -> (name, member count, permission or NULL), by name.
    pub(crate) list_groups: &'static str,
    /// `$1` name, `$2` now -> the current members' usernames, sorted.
    pub(crate) group_member_names: &'static str,
    /// `$1` name -> (id, member count).
    pub(crate) group_summary: &'static str,
    /// A group's members, (id, username, email, is_active, is_staff, is_superuser, date_joined),
    /// up to the group id's bind: filters follow as `AND ...` (the user columns unqualified, as
    /// `search_users` writes them).
    pub(crate) select_group_member_page: &'static str,
    /// `$1` group id, `$2` now, `$3` how many members -> (user id, username, is_superuser,
    /// permission or NULL) for the group's first current members by id: each of the group's
    /// permissions the member holds no other way (directly, through another group, as
    /// superuser), or one row of NULL when it holds them all otherwise.
    pub(crate) group_losses: &'static str,
    /// `$1` name.
    pub(crate) insert_group: &'static str,
    /// `$1` new name, `$2` group id.
    pub(crate) rename_group: &'static str,
    /// `$1` group id.
    pub(crate) delete_group: &'static str,
    /// `$1` group id -> a member's id, if any.
    pub(crate) group_has_members: &'static str,
    /// `$1` group id, `$2` the actor's id -> (id, is_superuser) of a member that is a superuser
    /// or the actor, if any.
    pub(crate) group_member_off_limits: &'static str,
    /// Audits each member of a group being deleted: `$1` at, `$2` actor, `$3` group name, `$4`
    /// group id.
    pub(crate) audit_deleted_group_members: &'static str,
    /// Audits each permission of a group being deleted: binds as `audit_deleted_group_members`.
    pub(crate) audit_deleted_group_permissions: &'static str,
    /// `$1` user id, `$2` group id, `$3` expiry or NULL: as `grant_user`.
    pub(crate) add_member: &'static str,
    /// `$1` user id, `$2` group id.
    pub(crate) remove_member: &'static str,
    /// `$1` user id, `$2` group id -> the user id when a member.
    pub(crate) is_member: &'static str,
    /// `$1` group id, `$2` permission id.
    pub(crate) grant_group: &'static str,
    /// `$1` group id, `$2` permission id.
    pub(crate) revoke_group: &'static str,

    /// `$1` key hash, `$2` user id, `$3` CSRF token, `$4` created at, `$5` expires at.
    pub(crate) insert_session: &'static str,
    /// `$1` key hash, `$2` now -> (username, CSRF token) of a live session.
    pub(crate) session_user: &'static str,
    /// `$1` key hash.
    pub(crate) delete_session: &'static str,
    /// `$1` user id: ends every session of the user.
    pub(crate) end_sessions: &'static str,
    /// `$1` at, `$2` user id: revokes every live token of the user.
    pub(crate) revoke_tokens: &'static str,
    /// `$1` user id -> (id, name, created at, last used at, expires at, revoked at), newest first.
    pub(crate) list_tokens: &'static str,
    /// `$1` at, `$2` token id: records a use, at most once a minute.
    pub(crate) touch_token: &'static str,
    /// `$1` user id, `$2` name, `$3` token hash, `$4` created at, `$5` expires at -> id.
    pub(crate) insert_token: &'static str,
    /// `$1` token id -> (username, id, is_superuser) of its owner.
    pub(crate) token_owner: &'static str,
    /// `$1` at, `$2` token id.
    pub(crate) revoke_token: &'static str,
    /// `$1` token hash, `$2` now -> (id, username, last used at, expires at) of a live token.
    pub(crate) token_user: &'static str,

    /// `$1` key, `$2` now, `$3` the window's start -> the attempts counted in the window,
    /// this one included.
    pub(crate) count_login_attempt: &'static str,
    /// `$1` key.
    pub(crate) clear_login_attempts: &'static str,
    /// `$1` key: takes one attempt back.
    pub(crate) refund_login_attempt: &'static str,

    /// `$1` token hash, `$2` user id, `$3` created at, `$4` expires at.
    pub(crate) insert_invitation: &'static str,
    /// `$1` token hash, `$2` now -> (id, username) of the active user of a live invitation.
    pub(crate) invitation_user: &'static str,
    /// `$1` user id: every invitation of the user.
    pub(crate) delete_invitations: &'static str,
    /// `$1` user id, `$2` now -> (group name, expires at or NULL) of its current memberships, by
    /// group name.
    pub(crate) user_memberships: &'static str,
    /// `$1` limit -> the groups' names, sorted.
    pub(crate) group_names: &'static str,

    /// `$1` created at, `$2` event, `$3` recipient, `$4` email, `$5` payload (JSON).
    pub(crate) insert_outbox: &'static str,
    /// `$1` the lease's end, `$2` now, `$3` limit -> (id, created at, event, recipient, email,
    /// payload, attempts) of the due notifications it claimed.
    pub(crate) claim_outbox: &'static str,
    /// `$1` now, `$2` id.
    pub(crate) outbox_delivered: &'static str,
    /// `$1` next attempt, `$2` error, `$3` id.
    pub(crate) outbox_failed: &'static str,
    /// -> how many are not delivered.
    pub(crate) count_undelivered: &'static str,

    /// `$1` name, `$2` target group id, `$3` target permissions (space-separated), `$4`
    /// requester group id, `$5` approver group id, `$6` approver permission, `$7` approvals
    /// needed, `$8` longest duration in seconds, `$9` days before an open request expires, `$10`
    /// created at.
    pub(crate) insert_policy: &'static str,
    /// `$1` name.
    pub(crate) delete_policy: &'static str,
    /// `$1` name -> (id, name, target group, target permissions, requester group, approver
    /// group, approver permission, approvals needed, longest duration, expiry days).
    pub(crate) policy_by_name: &'static str,
    /// `$1` id -> as `policy_by_name`.
    pub(crate) policy_by_id: &'static str,
    /// -> as `policy_by_name`, every policy by name.
    pub(crate) list_policies: &'static str,
    /// `$1` requester id, `$2` policy id -> the id of its open request, if any.
    pub(crate) open_request: &'static str,
    /// `$1` policy id, `$2` requester id, `$3` justification, `$4` duration in seconds, `$5`
    /// created at, `$6` expires at -> id.
    pub(crate) insert_request: &'static str,
    /// The requests' columns (id, policy, requester, justification, duration, status, created,
    /// expires, decided, approvals so far), up to `WHERE`: filters follow as `AND ...`.
    pub(crate) select_requests: &'static str,
    /// `$1` request id -> (policy id, requester id, status, expires at, duration).
    pub(crate) request_state: &'static str,
    /// `$1` request id -> (approver, approve, comment, decided at), in order.
    pub(crate) decisions: &'static str,
    /// `$1` request id, `$2` approver id, `$3` approve, `$4` comment, `$5` at.
    pub(crate) insert_decision: &'static str,
    /// `$1` request id, `$2` approver id -> a row when the approver already decided.
    pub(crate) has_decided: &'static str,
    /// `$1` request id -> how many approved it.
    pub(crate) count_approvals: &'static str,
    /// `$1` status, `$2` at, `$3` request id: closes an open request.
    pub(crate) close_request: &'static str,
    /// `$1` at, `$2` payload, `$3` group id, `$4` requester id: a `request_created` notification
    /// to each active member of the approvers' group but the requester.
    pub(crate) notify_group_approvers: &'static str,
    /// `$1` at, `$2` payload, `$3` permission id, `$4` requester id: the same to each active
    /// holder of the approvers' permission.
    pub(crate) notify_permission_approvers: &'static str,

    /// `$1` now: audits each expired direct grant as `expired`.
    pub(crate) audit_expired_grants: &'static str,
    /// `$1` now: audits each expired membership as `expired`.
    pub(crate) audit_expired_memberships: &'static str,
    /// `$1` now: a `grant_expired` notification to each user whose grant expired.
    pub(crate) notify_expired_grants: &'static str,
    /// `$1` now: the same for memberships.
    pub(crate) notify_expired_memberships: &'static str,
    /// `$1` now.
    pub(crate) delete_expired_grants: &'static str,
    /// `$1` now.
    pub(crate) delete_expired_memberships: &'static str,
    /// `$1` now: audits each open request past its expiry as `request_expired`.
    pub(crate) audit_expired_requests: &'static str,
    /// `$1` now: a `request_expired` notification to each requester.
    pub(crate) notify_expired_requests: &'static str,
    /// `$1` now: closes them as `expired`.
    pub(crate) expire_requests: &'static str,

    /// -> (id, app label, model, codename, name) of every permission row.
    pub(crate) all_permissions: &'static str,
    /// -> (id, `app_label.codename`, the count of changes to `auth_permission`) of every
    /// permission row, in one statement so that the rows and the count agree; one row of NULLs
    /// and the count when there is none.
    pub(crate) permission_map: &'static str,
    /// -> (the count of changes to `auth_permission`), read by every lookup of a permission's
    /// row id before it trusts the cached ids; `None` where those ids cannot change meaning (see
    /// `tx::permission_id`).
    pub(crate) permission_changes: Option<&'static str>,
    /// `$1` app label, `$2` model, `$3` codename, `$4` name.
    pub(crate) insert_permission: &'static str,
    /// `$1` name, `$2` model, `$3` id.
    pub(crate) update_permission: &'static str,
    /// `$1` id.
    pub(crate) delete_permission: &'static str,
    /// Audits each user's direct grant of a permission being pruned: `$1` at, `$2` permission,
    /// `$3` permission id.
    pub(crate) audit_pruned_user_grants: &'static str,
    /// Audits each group's grant of a permission being pruned: binds as
    /// `audit_pruned_user_grants`.
    pub(crate) audit_pruned_group_grants: &'static str,
}
