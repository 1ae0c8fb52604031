//! "Explain" on a user's page: who granted each permission and when, from the audit log (one
//! query for the page), and the "why (not)?" box, which answers for any permission whether the
//! user holds it and every reason, in sentences for support ([`Verdict`] is the reasoning).

use std::collections::HashMap;

use serde::Deserialize;

use super::AdminError;
use super::pages::permission_label;
use super::when::moment;
use crate::store::{Provenance, Reason, Stamp, Store, UserDetail, Verdict, now_micros};

/// The page's query: `?why=blog.publish_post` asks the "why (not)?" box.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Ask {
    #[serde(default)]
    why: String,
}

/// What the permissions section shows besides the table's rows.
#[derive(Debug)]
pub(super) struct Explain {
    /// Per permission, who gave it through each of its sources, and when.
    origins: HashMap<String, Vec<String>>,
    /// For a superuser: that it holds every permission, and who made it one.
    pub(super) superuser: Option<String>,
    /// The permission asked about, as typed.
    pub(super) asked: String,
    /// The answer, when one was asked.
    pub(super) answer: Option<Answer>,
}

/// The "why (not)?" box's answer.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) holds: bool,
    /// `Yes: alice has Can publish post (blog.publish_post).`
    pub(super) headline: String,
    pub(super) reasons: Vec<String>,
}

impl Explain {
    /// Who gave `perm` through each of its sources, and when.
    pub(super) fn origins(&self, perm: &str) -> &[String] {
        self.origins.get(perm).map_or(&[], Vec::as_slice)
    }
}

/// The section for `user`, and the answer to `ask`.
pub(super) async fn section(store: &Store, user: &UserDetail, ask: Ask) -> Result<Explain, AdminError> {
    let now = now_micros();
    let provenance = store.provenance(&user.username, &user.groups).await?;
    let origins = user
        .permissions
        .iter()
        .map(|p| (p.permission.as_str().to_owned(), origins(&user.username, p, &provenance, now)))
        .collect();
    let superuser = user.is_superuser.then(|| {
        let made = provenance.superuser.as_ref().map(|s| format!(" (made one by {})", by(s, now))).unwrap_or_default();
        format!("{} is a superuser and holds every permission{made}.", user.username)
    });
    let asked = ask.why.trim().to_owned();
    let answer = if asked.is_empty() {
        None
    } else {
        let verdict = store.why_not(&user.username, &asked).await?;
        Some(answer(&verdict, now))
    };
    Ok(Explain { origins, superuser, asked, answer })
}

/// `grace on 2026-11-30 14:02 UTC, 3 days ago (request #4)`.
fn by(stamp: &Stamp, now: i64) -> String {
    let actor = if stamp.actor == "<system>" { "the system" } else { &stamp.actor };
    let detail = if stamp.detail.is_empty() || stamp.detail.starts_with("until ") {
        String::new()
    } else {
        format!(" ({})", stamp.detail)
    };
    format!("{actor} on {}{detail}", moment(stamp.at, now))
}

/// One line per source of a permission: who gave it, and when.
fn origins(user: &str, p: &crate::store::EffectivePermission, provenance: &Provenance, now: i64) -> Vec<String> {
    let perm = p.permission.as_str();
    let unknown = "no entry in the audit log";
    let mut lines = Vec::new();
    if p.direct {
        let grant = provenance.direct.get(perm).map_or_else(|| unknown.to_owned(), |s| format!("by {}", by(s, now)));
        lines.push(format!("Granted directly {grant}"));
    }
    for group in &p.groups {
        let added = provenance.memberships.get(group).map_or_else(|| unknown.to_owned(), |s| by(s, now));
        let given = provenance
            .group_grants
            .get(&(group.clone(), perm.to_owned()))
            .map_or_else(|| unknown.to_owned(), |s| by(s, now));
        lines.push(format!("Group {group}: {user} added by {added}; {group} given it by {given}"));
    }
    lines
}

/// The verdict in sentences.
fn answer(verdict: &Verdict, now: i64) -> Answer {
    let user = &verdict.username;
    let label = permission_label(&verdict.permission);
    let headline =
        if verdict.holds { format!("Yes: {user} has {label}.") } else { format!("No: {user} does not have {label}.") };
    let reasons = verdict.reasons.iter().map(|reason| sentence(verdict, reason, now)).collect();
    Answer { holds: verdict.holds, headline, reasons }
}

/// One reason, as a sentence.
fn sentence(verdict: &Verdict, reason: &Reason, now: i64) -> String {
    let user = &verdict.username;
    let until = |until: &Option<i64>| until.map(|at| format!(" until {}", moment(at, now))).unwrap_or_default();
    let unless_inactive = if verdict.holds { "" } else { ", which counts once the account is active again" };
    match reason {
        Reason::UnknownPermission => {
            format!("`{}` is not a permission this application declares; pick one from the list.", verdict.permission)
        }
        Reason::Inactive => format!("{user}'s account is inactive, and an inactive account holds no permission."),
        Reason::Superuser => format!("{user} is a superuser, and a superuser holds every permission{unless_inactive}."),
        Reason::Direct { until: expiry } => {
            format!("It is granted to {user} directly{}{unless_inactive}.", until(expiry))
        }
        Reason::Groups { groups } => {
            let names: Vec<String> = groups.iter().map(|(group, expiry)| format!("{group}{}", until(expiry))).collect();
            let noun = if names.len() == 1 { "group" } else { "groups" };
            format!("{user} has it through {noun} {}{unless_inactive}.", and(&names))
        }
        Reason::DirectExpired { at } => format!("{user}'s direct grant of it expired on {}.", moment(*at, now)),
        Reason::MembershipExpired { group, at } => {
            format!("{user}'s membership of {group}, which has it, expired on {}.", moment(*at, now))
        }
        Reason::NotGrantedDirectly { revoked: None } => format!("It is not granted to {user} directly."),
        Reason::NotGrantedDirectly { revoked: Some(stamp) } => {
            format!("It is not granted to {user} directly: revoked by {}.", by(stamp, now))
        }
        Reason::NoGroup { groups_with_it } => match groups_with_it.as_slice() {
            [] => "No group has it.".to_owned(),
            [one] => format!("{one} has it; {user} is not a member."),
            [_, _] => format!("{} have it; {user} is in neither.", and(groups_with_it)),
            _ => format!("{} have it; {user} is in none of them.", and(groups_with_it)),
        },
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(holds: bool, reasons: Vec<Reason>) -> Verdict {
        let facts = crate::store::AccessFacts {
            username: "alice".into(),
            permission: "blog.publish_post".into(),
            ..Default::default()
        };
        let mut verdict = Verdict::of(&facts, 0);
        verdict.holds = holds;
        verdict.reasons = reasons;
        verdict
    }

    #[test]
    fn lists_read_as_english() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(and(&names(&["Editors"])), "Editors");
        assert_eq!(and(&names(&["Editors", "Senior Writers"])), "Editors and Senior Writers");
        assert_eq!(and(&names(&["A", "B", "C"])), "A, B and C");
    }

    #[test]
    fn each_reason_is_a_sentence_support_can_read() {
        let groups = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let lacks = verdict(false, vec![]);
        let cases = [
            (Reason::NoGroup { groups_with_it: vec![] }, "No group has it."),
            (Reason::NoGroup { groups_with_it: groups(&["Editors"]) }, "Editors has it; alice is not a member."),
            (
                Reason::NoGroup { groups_with_it: groups(&["Editors", "Senior Writers"]) },
                "Editors and Senior Writers have it; alice is in neither.",
            ),
            (
                Reason::NoGroup { groups_with_it: groups(&["A", "B", "C"]) },
                "A, B and C have it; alice is in none of them.",
            ),
            (Reason::Inactive, "alice's account is inactive, and an inactive account holds no permission."),
            (
                Reason::Direct { until: None },
                "It is granted to alice directly, which counts once the account is active again.",
            ),
            (Reason::NotGrantedDirectly { revoked: None }, "It is not granted to alice directly."),
        ];
        for (reason, text) in cases {
            assert_eq!(sentence(&lacks, &reason, 0), text);
        }
        let holds = verdict(true, vec![]);
        let two = Reason::Groups { groups: vec![("Editors".into(), None), ("Writers".into(), None)] };
        assert_eq!(sentence(&holds, &two, 0), "alice has it through groups Editors and Writers.");
        let revoked = Stamp { actor: "grace".into(), at: 0, detail: String::new() };
        let text = sentence(&lacks, &Reason::NotGrantedDirectly { revoked: Some(revoked) }, 180_000_000);
        assert_eq!(
            text,
            "It is not granted to alice directly: revoked by grace on 1970-01-01 00:00 UTC, 3 minutes ago."
        );
    }
}
