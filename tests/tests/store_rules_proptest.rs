//! A property test of the delegation rules: random sequences of operations by random actors
//! never leave a state where a non-superuser granted something it did not hold, made a
//! superuser, or granted `auth.change_user`, nor one with two superusers.

use permfw::store::{Actor, Store};
use permfw::{HasPerms, Model, User};
use proptest::prelude::*;

/// The blog's post, whose permissions the operations hand around.
#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

const USERS: [&str; 5] = ["root", "u1", "u2", "u3", "u4"];
const GROUPS: [&str; 2] = ["g0", "g1"];
const PERMS: [&str; 5] =
    ["blog.view_post", "blog.publish_post", "auth.change_user", "auth.change_group", "auth.view_user"];

#[derive(Clone, Debug)]
enum Op {
    GrantUser(usize, usize, usize),
    RevokeUser(usize, usize, usize),
    GrantGroup(usize, usize, usize),
    AddMember(usize, usize, usize),
    RemoveMember(usize, usize, usize),
    SetSuperuser(usize, usize, bool),
    SetActive(usize, usize, bool),
}

/// An actor index: 0..5 are the users, 5 is the system.
fn actor(index: usize) -> Actor {
    USERS.get(index).map_or(Actor::System, |name| Actor::User((*name).to_owned()))
}

fn ops() -> impl Strategy<Value = Op> {
    let (a, u, p, g) = (0..6usize, 0..5usize, 0..5usize, 0..2usize);
    prop_oneof![
        3 => (a.clone(), u.clone(), p.clone()).prop_map(|(a, u, p)| Op::GrantUser(a, u, p)),
        1 => (a.clone(), u.clone(), p.clone()).prop_map(|(a, u, p)| Op::RevokeUser(a, u, p)),
        2 => (a.clone(), g.clone(), p).prop_map(|(a, g, p)| Op::GrantGroup(a, g, p)),
        2 => (a.clone(), u.clone(), g.clone()).prop_map(|(a, u, g)| Op::AddMember(a, u, g)),
        1 => (a.clone(), u.clone(), g).prop_map(|(a, u, g)| Op::RemoveMember(a, u, g)),
        1 => (a.clone(), u.clone(), any::<bool>()).prop_map(|(a, u, b)| Op::SetSuperuser(a, u, b)),
        1 => (a, u, any::<bool>()).prop_map(|(a, u, b)| Op::SetActive(a, u, b)),
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

async fn snapshot(store: &Store, actor: &Actor) -> Option<User> {
    match actor {
        Actor::System => None,
        Actor::User(name) => Some(store.get_user(name).await.unwrap()),
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let store = setup().await;
    for op in ops {
        let (actor_index, perms_handed): (usize, Vec<String>) = match &op {
            Op::GrantUser(a, _, p) | Op::GrantGroup(a, _, p) => (*a, vec![PERMS[*p].to_owned()]),
            Op::AddMember(a, _, g) => {
                (*a, store.list_groups().await.unwrap().into_iter().find(|x| x.name == GROUPS[*g]).unwrap().permissions)
            }
            Op::RevokeUser(a, ..) | Op::RemoveMember(a, ..) | Op::SetSuperuser(a, ..) | Op::SetActive(a, ..) => {
                (*a, Vec::new())
            }
        };
        let who = actor(actor_index);
        let before = snapshot(&store, &who).await;
        let outcome = match &op {
            Op::GrantUser(_, u, p) => store.grant_user(&who, USERS[*u], [PERMS[*p]]).await.map(drop),
            Op::RevokeUser(_, u, p) => store.revoke_user(&who, USERS[*u], [PERMS[*p]]).await.map(drop),
            Op::GrantGroup(_, g, p) => store.grant_group(&who, GROUPS[*g], [PERMS[*p]]).await.map(drop),
            Op::AddMember(_, u, g) => store.add_to_group(&who, USERS[*u], GROUPS[*g]).await.map(drop),
            Op::RemoveMember(_, u, g) => store.remove_from_group(&who, USERS[*u], GROUPS[*g]).await.map(drop),
            Op::SetSuperuser(_, u, b) => store.set_superuser(&who, USERS[*u], *b).await,
            Op::SetActive(_, u, b) => store.set_active(&who, USERS[*u], *b).await,
        };
        let restricted = before.as_ref().is_some_and(|u| !(u.is_active() && u.is_superuser()));
        if outcome.is_ok() && restricted {
            let actor = before.as_ref().unwrap();
            prop_assert!(!matches!(op, Op::SetSuperuser(..)), "{op:?}: a non-superuser changed a superuser flag");
            for perm in &perms_handed {
                prop_assert!(perm != "auth.change_user", "{op:?}: a non-superuser granted auth.change_user");
                prop_assert!(
                    actor.has_perm(perm.as_str()),
                    "{op:?}: {} granted {perm} without holding it",
                    actor.username()
                );
            }
        }
        let superusers =
            store.list_users(permfw::store::UserPage::first()).await.unwrap().iter().filter(|u| u.is_superuser).count();
        prop_assert!(superusers <= 1, "{op:?}: {superusers} superusers");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn delegation_rules_hold_for_any_sequence(ops in prop::collection::vec(ops(), 1..30)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(ops))?;
    }
}
