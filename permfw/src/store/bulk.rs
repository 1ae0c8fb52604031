//! Bulk actions, as Django's admin actions: one change (add to a group, grant a permission,
//! deactivate) for many users, each checked under the rules as the actor, previewed without
//! writing, then applied in one transaction. See [`Store::bulk_preview`] and
//! [`Store::bulk_apply`].

use std::collections::{HashMap, HashSet};

use super::arg::Arg;
use super::arg::json_array;
use super::error::{Result, Rule};
use super::grants::resolve;
use super::groups::group;
use super::rules::{Acting, Target};
use super::{Actor, Store, now_micros};

/// One change for every selected user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BulkAction {
    /// Puts each user in this group, for good (a temporary membership becomes permanent); the
    /// rules of [`Store::add_to_group`].
    AddToGroup(String),
    /// Grants each user this permission directly, for good (a temporary grant becomes
    /// permanent); the rules of [`Store::grant_user`].
    Grant(String),
    /// Deactivates each user, ending its sessions and revoking its API tokens; the rules of
    /// [`Store::set_active`].
    Deactivate,
}

impl BulkAction {
    /// For people: `add to the group Editors`, `grant blog.publish_post`, `deactivate`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            BulkAction::AddToGroup(group) => format!("add to the group {group}"),
            BulkAction::Grant(perm) => format!("grant {perm}"),
            BulkAction::Deactivate => "deactivate".to_owned(),
        }
    }
}

/// What a bulk action does (or did) to one user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkOutcome {
    /// It changes the user (applied: it changed it).
    Changes,
    /// It is so already: nothing to do.
    AlreadySo,
    /// The rules refuse it, for this reason; nothing is written for this user.
    Refused(Rule),
    /// No user has this username.
    NotFound,
}

/// One selected user and what the action does to it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkLine {
    /// The username, as selected.
    pub username: String,
    /// What the action does to it.
    pub outcome: BulkOutcome,
}

/// A bulk action's outcome for each selected user, in the order they were given (each once).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkReport {
    /// The action.
    pub action: BulkAction,
    /// One line per user.
    pub lines: Vec<BulkLine>,
    /// Whether it was applied (else a preview: nothing was written).
    pub applied: bool,
}

impl BulkReport {
    /// How many lines have this kind of outcome (a refusal of any rule counts as a refusal).
    fn count(&self, wanted: fn(&BulkOutcome) -> bool) -> usize {
        self.lines.iter().filter(|line| wanted(&line.outcome)).count()
    }

    /// How many users it changes (or changed).
    #[must_use]
    pub fn changes(&self) -> usize {
        self.count(|o| *o == BulkOutcome::Changes)
    }

    /// How many are so already.
    #[must_use]
    pub fn already(&self) -> usize {
        self.count(|o| *o == BulkOutcome::AlreadySo)
    }

    /// How many the rules refuse.
    #[must_use]
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Refused(_)))
    }

    /// How many do not exist.
    #[must_use]
    pub fn not_found(&self) -> usize {
        self.count(|o| *o == BulkOutcome::NotFound)
    }
}

/// The action as the transaction resolved it: its row and the rule it puts on each user.
enum Resolved<'a> {
    Group { name: &'a str, id: i64, perms: Vec<crate::Permission> },
    Grant { perm: crate::Permission, id: i64 },
    Deactivate,
}

impl Resolved<'_> {
    /// The rules of the one-user change, for `target`.
    fn check(&self, acting: &Acting, target: Target) -> std::result::Result<(), Rule> {
        match self {
            Resolved::Group { perms, .. } => acting.may_change_membership(target, perms),
            Resolved::Grant { perm, .. } => {
                acting.may_change_user(target)?;
                acting.may_hand_over(*perm)
            }
            Resolved::Deactivate => acting.may_change_user(target),
        }
    }
}

impl Store {
    /// What [`bulk_apply`](Self::bulk_apply) would do to each user now, writing nothing: what
    /// changes, what is so already, what the rules refuse and why, who does not exist.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`](super::StoreError::GroupNotFound),
    /// [`StoreError::MalformedPermission`](super::StoreError::MalformedPermission),
    /// [`StoreError::UnknownPermission`](super::StoreError::UnknownPermission), or a database
    /// error.
    pub async fn bulk_preview(&self, actor: &Actor, action: &BulkAction, usernames: &[&str]) -> Result<BulkReport> {
        self.bulk(actor, action, usernames, false).await
    }

    /// Applies a bulk action to each user the rules allow and that it changes, in one
    /// transaction: an audit row per change, one revision bump; the users the rules refuse are
    /// left as they are. Everything is checked again at this moment, as the actor stands now:
    /// if things changed since a [`bulk_preview`](Self::bulk_preview), it does what is allowed
    /// and needed now, and the report says so, user by user. A failure of the database writes
    /// nothing at all.
    ///
    /// # Errors
    ///
    /// As `bulk_preview`.
    pub async fn bulk_apply(&self, actor: &Actor, action: &BulkAction, usernames: &[&str]) -> Result<BulkReport> {
        self.bulk(actor, action, usernames, true).await
    }

    async fn bulk(&self, actor: &Actor, action: &BulkAction, usernames: &[&str], apply: bool) -> Result<BulkReport> {
        let mut seen = HashSet::new();
        let usernames: Vec<&str> = usernames.iter().copied().filter(|name| seen.insert(*name)).collect();
        let mut tx = self.inner.backend.begin().await?;
        let sql = tx.sql();
        let acting = tx.acting(actor).await?;
        let resolved = match action {
            BulkAction::AddToGroup(name) => {
                let (id, perms) = group(&mut tx, name).await?;
                Resolved::Group { name, id, perms }
            }
            BulkAction::Grant(perm) => {
                let perm = resolve(&perm.as_str())?;
                Resolved::Grant { perm, id: tx.permission_id(&self.inner.cache, perm).await? }
            }
            BulkAction::Deactivate => Resolved::Deactivate,
        };
        let (group_id, permission_id) = match &resolved {
            Resolved::Group { id, .. } => (*id, 0),
            Resolved::Grant { id, .. } => (0, *id),
            Resolved::Deactivate => (0, 0),
        };
        let names = json_array(&usernames);
        let args = [names.as_str().into(), group_id.into(), permission_id.into()];
        let rows: Vec<(i64, String, bool, bool, bool, bool)> = tx.conn().fetch_all(sql.bulk_targets, &args).await?;
        let found: HashMap<String, (i64, bool, bool, bool, bool)> = rows
            .into_iter()
            .map(|(id, name, su, active, member, granted)| (name, (id, su, active, member, granted)))
            .collect();
        let lines: Vec<BulkLine> = usernames
            .iter()
            .map(|username| {
                let outcome = match found.get(*username) {
                    None => BulkOutcome::NotFound,
                    Some(&(id, superuser, active, member, granted)) => {
                        let already = match resolved {
                            Resolved::Group { .. } => member,
                            Resolved::Grant { .. } => granted,
                            Resolved::Deactivate => !active,
                        };
                        match resolved.check(&acting, Target { id, superuser }) {
                            Err(rule) => BulkOutcome::Refused(rule),
                            Ok(()) if already => BulkOutcome::AlreadySo,
                            Ok(()) => BulkOutcome::Changes,
                        }
                    }
                };
                BulkLine { username: (*username).to_owned(), outcome }
            })
            .collect();
        let report = BulkReport { action: action.clone(), lines, applied: apply };
        if !apply || report.changes() == 0 {
            return Ok(report);
        }
        let changing: Vec<&str> =
            report.lines.iter().filter(|l| l.outcome == BulkOutcome::Changes).map(|l| l.username.as_str()).collect();
        let changing = json_array(&changing);
        let (at, label) = (now_micros(), actor.label());
        match &resolved {
            Resolved::Group { name, id, .. } => {
                let args: [Arg<'_>; 5] =
                    [at.into(), label.into(), (*name).into(), changing.as_str().into(), (*id).into()];
                tx.execute_all_blocking(sql.bulk_add_member, &args).await?;
            }
            Resolved::Grant { perm, id } => {
                let args: [Arg<'_>; 5] =
                    [at.into(), label.into(), perm.as_str().into(), changing.as_str().into(), (*id).into()];
                tx.execute_all_blocking(sql.bulk_grant, &args).await?;
            }
            Resolved::Deactivate => {
                let args: [Arg<'_>; 3] = [at.into(), label.into(), changing.as_str().into()];
                tx.execute_all_blocking(sql.bulk_deactivate, &args).await?;
            }
        }
        self.commit_change(tx).await?;
        Ok(report)
    }
}
