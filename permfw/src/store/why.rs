//! "Why (not)?": whether a user holds a permission, and every reason, as support reads it:
//! inactive, superuser, granted directly, through which groups, or why not (not granted
//! directly, revoked, expired, in none of the groups that have it, no such permission). The
//! store gathers the facts in one query ([`Store::why_not`]); [`Verdict::of`] is the reasoning,
//! a pure function.

use super::audit::Stamp;
use super::error::Result;
use super::tx::permission_id;
use super::{Store, now_micros};
use crate::{AsPermission, HasPerms};

/// (kind, name, at, actor) of `why_not`.
type FactRow = (String, Option<String>, Option<i64>, Option<String>);

/// What the store knows about one user and one permission: the input of [`Verdict::of`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessFacts {
    /// The username.
    pub username: String,
    /// The permission, as asked (`blog.publish_post`).
    pub permission: String,
    /// Whether a linked model declares it.
    pub known: bool,
    /// Whether the account is active.
    pub is_active: bool,
    /// Whether the user is a superuser.
    pub is_superuser: bool,
    /// A direct grant row, with its expiry (`None` for good), expired or not.
    pub direct: Option<Option<i64>>,
    /// The user's memberships, with their expiries, expired or not.
    pub memberships: Vec<(String, Option<i64>)>,
    /// The groups that have the permission, sorted.
    pub groups_with_it: Vec<String>,
    /// The latest audit entry of the user's direct grant: its action (`grant_user`,
    /// `revoke_user`, `expired`) and who and when.
    pub last_direct_change: Option<(String, Stamp)>,
}

/// One reason a user holds a permission, or lacks it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// No linked model declares the permission.
    UnknownPermission,
    /// The account is inactive, and an inactive account holds nothing.
    Inactive,
    /// A superuser holds every permission.
    Superuser,
    /// Granted directly, until this time or for good.
    Direct {
        /// The grant's expiry.
        until: Option<i64>,
    },
    /// Through these groups (sorted), each with its membership's expiry.
    Groups {
        /// (group, membership's expiry).
        groups: Vec<(String, Option<i64>)>,
    },
    /// The direct grant expired at this time.
    DirectExpired {
        /// When.
        at: i64,
    },
    /// The membership of a group that has the permission expired at this time.
    MembershipExpired {
        /// The group.
        group: String,
        /// When.
        at: i64,
    },
    /// Not granted directly; `revoked` says who revoked it last, when it was.
    NotGrantedDirectly {
        /// The last revocation, if the log has one.
        revoked: Option<Stamp>,
    },
    /// In none of the groups that have it (none when the list is empty).
    NoGroup {
        /// The groups that have it, sorted.
        groups_with_it: Vec<String>,
    },
}

/// Whether a user holds a permission, and why (not).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// The username.
    pub username: String,
    /// The permission, as asked.
    pub permission: String,
    /// Whether the user holds it now, as `has_perm` says.
    pub holds: bool,
    /// Every reason: where it comes from when held; why not otherwise (an inactive account's
    /// grants are listed after [`Reason::Inactive`], since they count once it is active again).
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// The reasoning: `facts` at time `now` (microseconds since the Unix epoch).
    #[must_use]
    pub fn of(facts: &AccessFacts, now: i64) -> Self {
        let live = |until: &Option<i64>| until.is_none_or(|until| until > now);
        let mut reasons = Vec::new();
        if !facts.known {
            reasons.push(Reason::UnknownPermission);
            return Verdict {
                username: facts.username.clone(),
                permission: facts.permission.clone(),
                holds: false,
                reasons,
            };
        }
        if !facts.is_active {
            reasons.push(Reason::Inactive);
        }
        let mut sources = Vec::new();
        if facts.is_superuser {
            sources.push(Reason::Superuser);
        }
        if let Some(until) = facts.direct.filter(live) {
            sources.push(Reason::Direct { until });
        }
        let mut through: Vec<(String, Option<i64>)> = facts
            .memberships
            .iter()
            .filter(|(group, until)| live(until) && facts.groups_with_it.contains(group))
            .cloned()
            .collect();
        through.sort();
        if !through.is_empty() {
            sources.push(Reason::Groups { groups: through });
        }
        let holds = facts.is_active && !sources.is_empty();
        if sources.is_empty() {
            match (facts.direct, &facts.last_direct_change) {
                (Some(Some(at)), _) => reasons.push(Reason::DirectExpired { at }),
                (None, Some((action, stamp))) if action == "expired" => {
                    reasons.push(Reason::DirectExpired { at: stamp.at });
                }
                (_, Some((action, stamp))) if action == "revoke_user" => {
                    reasons.push(Reason::NotGrantedDirectly { revoked: Some(stamp.clone()) });
                }
                _ => reasons.push(Reason::NotGrantedDirectly { revoked: None }),
            }
            let mut expired: Vec<(&String, i64)> = facts
                .memberships
                .iter()
                .filter(|(group, _)| facts.groups_with_it.contains(group))
                .filter_map(|(group, until)| until.map(|at| (group, at)))
                .collect();
            expired.sort();
            reasons
                .extend(expired.into_iter().map(|(group, at)| Reason::MembershipExpired { group: group.clone(), at }));
            reasons.push(Reason::NoGroup { groups_with_it: facts.groups_with_it.clone() });
        } else {
            reasons.extend(sources);
        }
        Verdict { username: facts.username.clone(), permission: facts.permission.clone(), holds, reasons }
    }
}

impl Store {
    /// Whether `username` holds `permission` now, and every reason (see [`Verdict`]); the
    /// facts read in one query. A permission no linked model declares (or a malformed name) is
    /// answered with [`Reason::UnknownPermission`].
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`](super::StoreError::UserNotFound), or a database error.
    pub async fn why_not(&self, username: &str, permission: &str) -> Result<Verdict> {
        let user = self.get_user(username).await?;
        let mut facts = AccessFacts {
            username: user.username().to_owned(),
            permission: permission.to_owned(),
            is_active: user.is_active(),
            is_superuser: user.is_superuser(),
            ..AccessFacts::default()
        };
        let now = now_micros();
        let Ok(perm) = permission.lookup() else { return Ok(Verdict::of(&facts, now)) };
        facts.known = true;
        facts.permission = perm.as_str().to_owned();
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let perm_id = permission_id(&mut conn, &self.inner.cache, perm).await?;
        let sql = conn.sql().why_not;
        let args = [user.id().unwrap_or(0).into(), perm_id.into(), username.into(), perm.as_str().into()];
        let rows: Vec<FactRow> = conn.fetch_all(sql, &args).await?;
        for (kind, name, at, actor) in rows {
            match (kind.as_str(), name) {
                ("direct", _) => facts.direct = Some(at),
                ("member", Some(group)) => facts.memberships.push((group, at)),
                ("holder", Some(group)) => facts.groups_with_it.push(group),
                (action, detail) => {
                    let stamp = Stamp {
                        actor: actor.unwrap_or_default(),
                        at: at.unwrap_or(0),
                        detail: detail.unwrap_or_default(),
                    };
                    facts.last_direct_change = Some((action.to_owned(), stamp));
                }
            }
        }
        facts.groups_with_it.sort();
        Ok(Verdict::of(&facts, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn alice() -> AccessFacts {
        AccessFacts {
            username: "alice".into(),
            permission: "blog.publish_post".into(),
            known: true,
            is_active: true,
            ..AccessFacts::default()
        }
    }

    fn stamp(actor: &str, at: i64) -> Stamp {
        Stamp { actor: actor.into(), at, detail: String::new() }
    }

    #[test]
    fn an_unknown_permission_is_the_only_reason() {
        let facts = AccessFacts { known: false, is_superuser: true, ..alice() };
        let verdict = Verdict::of(&facts, NOW);
        assert!(!verdict.holds);
        assert_eq!(verdict.reasons, [Reason::UnknownPermission]);
    }

    #[test]
    fn held_directly_and_through_groups_lists_every_source() {
        let facts = AccessFacts {
            direct: Some(None),
            memberships: vec![("Writers".into(), None), ("Editors".into(), Some(NOW + 5)), ("Staff".into(), None)],
            groups_with_it: vec!["Editors".into(), "Writers".into()],
            ..alice()
        };
        let verdict = Verdict::of(&facts, NOW);
        assert!(verdict.holds);
        let groups = vec![("Editors".into(), Some(NOW + 5)), ("Writers".into(), None)];
        assert_eq!(verdict.reasons, [Reason::Direct { until: None }, Reason::Groups { groups }]);
    }

    #[test]
    fn a_superuser_holds_everything_while_active() {
        let verdict = Verdict::of(&AccessFacts { is_superuser: true, ..alice() }, NOW);
        assert!(verdict.holds);
        assert_eq!(verdict.reasons, [Reason::Superuser]);
        let inactive = Verdict::of(&AccessFacts { is_superuser: true, is_active: false, ..alice() }, NOW);
        assert!(!inactive.holds);
        assert_eq!(inactive.reasons, [Reason::Inactive, Reason::Superuser]);
    }

    #[test]
    fn an_inactive_account_holds_nothing_and_says_what_would_count() {
        let facts = AccessFacts { is_active: false, direct: Some(None), ..alice() };
        let verdict = Verdict::of(&facts, NOW);
        assert!(!verdict.holds);
        assert_eq!(verdict.reasons, [Reason::Inactive, Reason::Direct { until: None }]);
        let nothing = Verdict::of(&AccessFacts { is_active: false, ..alice() }, NOW);
        assert_eq!(
            nothing.reasons,
            [
                Reason::Inactive,
                Reason::NotGrantedDirectly { revoked: None },
                Reason::NoGroup { groups_with_it: vec![] }
            ]
        );
    }

    #[test]
    fn not_granted_and_in_none_of_the_groups_that_have_it() {
        let facts = AccessFacts {
            memberships: vec![("Writers".into(), None)],
            groups_with_it: vec!["Editors".into(), "Senior Writers".into()],
            last_direct_change: Some(("revoke_user".into(), stamp("grace", 7))),
            ..alice()
        };
        let verdict = Verdict::of(&facts, NOW);
        assert!(!verdict.holds);
        assert_eq!(
            verdict.reasons,
            [
                Reason::NotGrantedDirectly { revoked: Some(stamp("grace", 7)) },
                Reason::NoGroup { groups_with_it: vec!["Editors".into(), "Senior Writers".into()] },
            ]
        );
    }

    #[test]
    fn expired_grants_and_memberships_say_when() {
        // Expired but not swept yet: the rows are still there.
        let facts = AccessFacts {
            direct: Some(Some(NOW - 10)),
            memberships: vec![("Editors".into(), Some(NOW)), ("Writers".into(), Some(NOW - 3))],
            groups_with_it: vec!["Editors".into()],
            ..alice()
        };
        let verdict = Verdict::of(&facts, NOW);
        assert!(!verdict.holds);
        assert_eq!(
            verdict.reasons,
            [
                Reason::DirectExpired { at: NOW - 10 },
                Reason::MembershipExpired { group: "Editors".into(), at: NOW },
                Reason::NoGroup { groups_with_it: vec!["Editors".into()] },
            ]
        );
        // Swept: only the audit log remembers.
        let swept = AccessFacts { last_direct_change: Some(("expired".into(), stamp("<system>", 42))), ..alice() };
        assert_eq!(Verdict::of(&swept, NOW).reasons[0], Reason::DirectExpired { at: 42 });
        // A grant since the expiry is not "expired".
        let regranted = AccessFacts { last_direct_change: Some(("grant_user".into(), stamp("root", 50))), ..alice() };
        assert_eq!(Verdict::of(&regranted, NOW).reasons[0], Reason::NotGrantedDirectly { revoked: None });
    }
}
