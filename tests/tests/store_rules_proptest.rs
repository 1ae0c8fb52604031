//! A property test of the delegation rules: random sequences of operations by random actors,
//! some released two at a time, never let a non-superuser reach, through its own rights or the
//! accounts it controls (their passwords or tokens), a permission it did not hold, except by a
//! superuser's act; nor make a superuser, grant `auth.change_user`, or make two superusers.
//!
//! `PERMFW_PROPTEST_CASES` sets the number of sequences (default 1,000).

use std::collections::{BTreeMap, BTreeSet};

use permfw::store::{Actor, Store};
use permfw::{HasPerms, Model};
use proptest::prelude::*;

/// The blog's post, whose permissions the operations hand around.
#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

const USERS: [&str; 5] = ["root", "u1", "u2", "u3", "u4"];
const GROUPS: [&str; 2] = ["g0", "g1"];
const PERMS: [&str; 7] = [
    "blog.view_post",
    "blog.publish_post",
    "auth.change_user",
    "auth.change_group",
    "auth.view_user",
    "auth.delete_group",
    "auth.add_group",
];

#[derive(Clone, Debug)]
enum Op {
    GrantUser(usize, usize, usize),
    RevokeUser(usize, usize, usize),
    GrantGroup(usize, usize, usize),
    AddMember(usize, usize, usize),
    RemoveMember(usize, usize, usize),
    SetSuperuser(usize, usize, bool),
    SetActive(usize, usize, bool),
    SetPassword(usize, usize),
    CreateToken(usize, usize),
    DeleteGroup(usize, usize),
    CreateGroup(usize, usize),
    /// Two operations released at once.
    Together(Box<Op>, Box<Op>),
}

impl Op {
    fn actor(&self) -> usize {
        match self {
            Op::GrantUser(a, ..)
            | Op::RevokeUser(a, ..)
            | Op::GrantGroup(a, ..)
            | Op::AddMember(a, ..)
            | Op::RemoveMember(a, ..)
            | Op::SetSuperuser(a, ..)
            | Op::SetActive(a, ..)
            | Op::SetPassword(a, _)
            | Op::CreateToken(a, _)
            | Op::DeleteGroup(a, _)
            | Op::CreateGroup(a, _) => *a,
            Op::Together(first, _) => first.actor(),
        }
    }

    /// Whom the actor controls after this succeeds.
    fn takes_control_of(&self) -> Option<usize> {
        match self {
            Op::SetPassword(_, u) | Op::CreateToken(_, u) => Some(*u),
            _ => None,
        }
    }
}

/// An actor index: 0..5 are the users, 5 is the system.
fn actor(index: usize) -> Actor {
    USERS.get(index).map_or(Actor::System, |name| Actor::User((*name).to_owned()))
}

fn single() -> impl Strategy<Value = Op> {
    let (a, u, p, g) = (0..6usize, 0..5usize, 0..PERMS.len(), 0..2usize);
    prop_oneof![
        3 => (a.clone(), u.clone(), p.clone()).prop_map(|(a, u, p)| Op::GrantUser(a, u, p)),
        1 => (a.clone(), u.clone(), p.clone()).prop_map(|(a, u, p)| Op::RevokeUser(a, u, p)),
        2 => (a.clone(), g.clone(), p).prop_map(|(a, g, p)| Op::GrantGroup(a, g, p)),
        2 => (a.clone(), u.clone(), g.clone()).prop_map(|(a, u, g)| Op::AddMember(a, u, g)),
        1 => (a.clone(), u.clone(), g.clone()).prop_map(|(a, u, g)| Op::RemoveMember(a, u, g)),
        1 => (a.clone(), u.clone(), any::<bool>()).prop_map(|(a, u, b)| Op::SetSuperuser(a, u, b)),
        1 => (a.clone(), u.clone(), any::<bool>()).prop_map(|(a, u, b)| Op::SetActive(a, u, b)),
        1 => (a.clone(), u.clone()).prop_map(|(a, u)| Op::SetPassword(a, u)),
        1 => (a.clone(), u).prop_map(|(a, u)| Op::CreateToken(a, u)),
        1 => (a.clone(), g.clone()).prop_map(|(a, g)| Op::DeleteGroup(a, g)),
        1 => (a, g).prop_map(|(a, g)| Op::CreateGroup(a, g)),
    ]
}

fn ops() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => single(),
        1 => (single(), single()).prop_map(|(first, second)| Op::Together(Box::new(first), Box::new(second))),
    ]
}

async fn setup() -> Store {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let system = Actor::System;
    store.create_superuser(&system, "root", "", "root-password").await.unwrap();
    for name in &USERS[1..] {
        store.create_user(&system, name, "", None).await.unwrap();
    }
    for group in GROUPS {
        store.create_group(&system, group).await.unwrap();
    }
    store.grant_user(&system, "u1", ["auth.change_user", "blog.view_post", "blog.publish_post"]).await.unwrap();
    store.grant_user(&system, "u2", ["auth.change_group", "blog.view_post"]).await.unwrap();
    store.grant_user(&system, "u3", ["auth.change_user", "auth.change_group", "auth.view_user"]).await.unwrap();
    store
}

/// Each user's permissions (held directly or through groups, active or not: whoever may
/// reactivate an account reaches them) and whether it is a superuser, as the store holds them.
async fn state(store: &Store) -> BTreeMap<usize, (bool, BTreeSet<String>)> {
    let mut out = BTreeMap::new();
    for (index, name) in USERS.iter().enumerate() {
        let user = store.get_user(name).await.unwrap();
        let perms = user.permission_set().iter().map(|p| p.as_str().to_owned()).collect();
        out.insert(index, (user.is_superuser(), perms));
    }
    out
}

/// What `user` reaches: its own permissions and those of every account it controls (it set the
/// password or holds a token of). Not through those accounts' own controls in turn: a token's
/// secret is shown once to whoever minted it, and a password reset gives the account, not the
/// secrets its owner saw before.
fn reach(
    user: usize,
    controls: &BTreeMap<usize, BTreeSet<usize>>,
    state: &BTreeMap<usize, (bool, BTreeSet<String>)>,
) -> BTreeSet<String> {
    let controlled = controls.get(&user).into_iter().flatten();
    std::iter::once(&user).chain(controlled).flat_map(|u| state[u].1.iter().cloned()).collect()
}

async fn apply(store: &Store, op: &Op) -> bool {
    let who = actor(op.actor());
    match op {
        Op::GrantUser(_, u, p) => store.grant_user(&who, USERS[*u], [PERMS[*p]]).await.is_ok(),
        Op::RevokeUser(_, u, p) => store.revoke_user(&who, USERS[*u], [PERMS[*p]]).await.is_ok(),
        Op::GrantGroup(_, g, p) => store.grant_group(&who, GROUPS[*g], [PERMS[*p]]).await.is_ok(),
        Op::AddMember(_, u, g) => store.add_to_group(&who, USERS[*u], GROUPS[*g]).await.is_ok(),
        Op::RemoveMember(_, u, g) => store.remove_from_group(&who, USERS[*u], GROUPS[*g]).await.is_ok(),
        Op::SetSuperuser(_, u, b) => store.set_superuser(&who, USERS[*u], *b).await.is_ok(),
        Op::SetActive(_, u, b) => store.set_active(&who, USERS[*u], *b).await.is_ok(),
        Op::SetPassword(_, u) => store.set_password(&who, USERS[*u], "taken-over-1").await.is_ok(),
        Op::CreateToken(_, u) => store.create_token(&who, USERS[*u], "taken", None).await.is_ok(),
        Op::DeleteGroup(_, g) => store.delete_group(&who, GROUPS[*g]).await.is_ok(),
        Op::CreateGroup(_, g) => store.create_group(&who, GROUPS[*g]).await.is_ok(),
        Op::Together(..) => unreachable!("pairs are split by the caller"),
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let store = setup().await;
    // Who controls whom: the system (index 5) and root are left out, being unrestricted.
    let mut controls: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for op in ops {
        let before = state(&store).await;
        let singles: Vec<Op> = match op.clone() {
            Op::Together(first, second) => vec![*first, *second],
            single => vec![single],
        };
        let outcomes: Vec<bool> = if let [first, second] = singles.as_slice() {
            let (a, b) = tokio::join!(apply(&store, first), apply(&store, second));
            vec![a, b]
        } else {
            vec![apply(&store, &singles[0]).await]
        };
        let after = state(&store).await;
        let acted: Vec<(&Op, usize)> =
            singles.iter().zip(&outcomes).filter(|(_, ok)| **ok).map(|(op, _)| (op, op.actor())).collect();
        // A superuser's (or the system's) act may give anything: the invariant restarts from it.
        // (An inactive superuser's acts are refused, so a superuser that acted was active.)
        let unrestricted_acted = acted.iter().any(|(_, a)| *a == 5 || before[a].0);
        let controlled_before = controls.clone();
        for (op, a) in &acted {
            if let Some(target) = op.takes_control_of() {
                controls.entry(*a).or_default().insert(target);
            }
        }
        if !unrestricted_acted {
            let restricted_actors: BTreeSet<usize> = acted.iter().map(|(_, a)| *a).collect();
            let handed: BTreeSet<String> = restricted_actors.iter().flat_map(|a| before[a].1.iter().cloned()).collect();
            for user in 0..USERS.len() {
                // Nobody gains what no acting user held, nor auth.change_user.
                for gained in after[&user].1.difference(&before[&user].1) {
                    prop_assert!(handed.contains(gained), "{op:?}: {} gained {gained}", USERS[user]);
                    prop_assert!(gained != "auth.change_user", "{op:?}: {} gained auth.change_user", USERS[user]);
                }
                prop_assert!(
                    after[&user].0 == before[&user].0 || !after[&user].0,
                    "{op:?}: a non-superuser made {} a superuser",
                    USERS[user]
                );
            }
            // No acting user reaches, through the accounts it controls, more than it did plus
            // what the other acting user held.
            for a in &restricted_actors {
                let reached_before = reach(*a, &controlled_before, &before);
                for perm in reach(*a, &controls, &after).difference(&reached_before) {
                    prop_assert!(handed.contains(perm), "{op:?}: {} reaches {perm}", USERS[*a]);
                }
                if singles.len() == 1 {
                    let own_before = &before[a].1;
                    for perm in reach(*a, &controls, &after).difference(&reached_before) {
                        prop_assert!(own_before.contains(perm), "{op:?}: {} reaches {perm} it did not hold", USERS[*a]);
                    }
                }
            }
        }
        let superusers = after.values().filter(|(superuser, _)| *superuser).count();
        prop_assert!(superusers <= 1, "{op:?}: {superusers} superusers");
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PERMFW_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_one_reaches_what_it_did_not_hold(ops in prop::collection::vec(ops(), 1..30)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(run(ops))?;
    }
}
