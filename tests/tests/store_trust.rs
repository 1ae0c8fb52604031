//! Delegation tried as an attacker would, on SQLite and on PostgreSQL: taking control of a
//! stronger account, deleting a group as a mass revoke, a refused part of a change that still
//! writes, and races between writers released at once.

mod support;

use std::sync::Arc;

use permfw::store::{Actor, AuditQuery, Rule, Store, StoreError, UserUpdate};
use permfw::{Group, HasPerms, Model, User};
use support::{TestStore, audit_len, refused};
use tokio::sync::Barrier;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    control_of_an_account_needs_everything_it_holds,
    deleting_a_group_needs_what_emptying_it_needs,
    the_audit_keeps_what_a_deleted_group_gave,
    a_refused_part_of_a_change_writes_nothing,
    a_password_change_or_deactivation_ends_sessions_and_tokens,
    tokens_are_listed_without_secrets,
    login_attempts_are_counted_before_the_password,
    concurrent_superusers_stay_one,
    a_member_added_while_the_group_gains_a_permission,
    a_grant_racing_the_revocation_of_change_user,
);

const SYSTEM: &Actor = &Actor::System;

/// `manager` holds `auth.change_user`, `auth.view_user` and `blog.view_post`; `weak` holds
/// `blog.view_post`; `strong` holds `blog.publish_post` besides.
async fn accounts(store: &Store) -> Actor {
    store.create_superuser(SYSTEM, "root", "", "root-password").await.unwrap();
    for name in ["manager", "weak", "strong"] {
        store.create_user(SYSTEM, name, "", Some("first-password")).await.unwrap();
    }
    store.grant_user(SYSTEM, "manager", [User::CHANGE_USER, User::VIEW_USER, Post::VIEW_POST]).await.unwrap();
    store.grant_user(SYSTEM, "weak", [Post::VIEW_POST]).await.unwrap();
    store.grant_user(SYSTEM, "strong", [Post::VIEW_POST, Post::PUBLISH_POST]).await.unwrap();
    Actor::User("manager".into())
}

async fn control_of_an_account_needs_everything_it_holds(store: TestStore) {
    let manager = accounts(&store).await;
    let before = audit_len(&store).await;
    let takeover = Rule::TargetHoldsMore { perm: "blog.publish_post".into() };
    assert_eq!(refused(store.set_password(&manager, "strong", "mine-now-123").await), takeover);
    assert_eq!(refused(store.set_email(&manager, "strong", "attacker@example.com").await), takeover);
    assert_eq!(refused(store.create_token(&manager, "strong", "mine", None).await), takeover);
    assert_eq!(refused(store.list_tokens(&manager, "strong").await), takeover);
    assert_eq!(audit_len(&store).await, before, "a refusal writes nothing");
    assert!(store.authenticate("strong", "first-password").await.unwrap().is_some());
    assert_eq!(store.get_user("strong").await.unwrap().email(), "");

    // An account that holds nothing the actor lacks may be taken in hand, as the guide allows.
    store.set_password(&manager, "weak", "reset-by-manager").await.unwrap();
    store.set_email(&manager, "weak", "weak@example.com").await.unwrap();
    store.create_token(&manager, "weak", "for weak", None).await.unwrap();
    assert!(store.authenticate("weak", "reset-by-manager").await.unwrap().is_some());
    // The other rules stay as they are: a change_user holder still changes the stronger user.
    store.set_staff(&manager, "strong", true).await.unwrap();
    // Through a group, the target's permissions count as well.
    store.create_group(SYSTEM, "Publishers").await.unwrap();
    store.grant_group(SYSTEM, "Publishers", [Post::PUBLISH_POST]).await.unwrap();
    store.add_to_group(SYSTEM, "weak", "Publishers").await.unwrap();
    assert_eq!(refused(store.set_password(&manager, "weak", "again-123").await), takeover);
}

async fn deleting_a_group_needs_what_emptying_it_needs(store: TestStore) {
    accounts(&store).await;
    store.create_group(SYSTEM, "Publishers").await.unwrap();
    store.grant_group(SYSTEM, "Publishers", [Post::PUBLISH_POST]).await.unwrap();
    store.add_to_group(SYSTEM, "weak", "Publishers").await.unwrap();
    // A deleter who lacks the group's permission strips it from nobody.
    store.grant_user(SYSTEM, "manager", [Group::DELETE_GROUP, Group::CHANGE_GROUP]).await.unwrap();
    let manager = Actor::User("manager".into());
    assert_eq!(
        refused(store.delete_group(&manager, "Publishers").await),
        Rule::GrantsOnlyHeld { perm: "blog.publish_post".into() }
    );
    // Nor does a member, even holding it.
    store.grant_user(SYSTEM, "manager", [Post::PUBLISH_POST]).await.unwrap();
    store.add_to_group(SYSTEM, "manager", "Publishers").await.unwrap();
    assert_eq!(refused(store.delete_group(&manager, "Publishers").await), Rule::OwnRights);
    // Nor one whose members include a superuser.
    store.remove_from_group(SYSTEM, "manager", "Publishers").await.unwrap();
    store.add_to_group(SYSTEM, "root", "Publishers").await.unwrap();
    assert_eq!(refused(store.delete_group(&manager, "Publishers").await), Rule::SuperuserOnly);
    assert!(store.get_user("weak").await.unwrap().has_perm(Post::PUBLISH_POST), "nothing was written");
    // Holding everything the group gives, and changing every member, the deleter may.
    store.remove_from_group(SYSTEM, "root", "Publishers").await.unwrap();
    store.delete_group(&manager, "Publishers").await.unwrap();
    assert!(!store.get_user("weak").await.unwrap().has_perm(Post::PUBLISH_POST));
}

async fn the_audit_keeps_what_a_deleted_group_gave(store: TestStore) {
    accounts(&store).await;
    store.create_group(SYSTEM, "Editors").await.unwrap();
    store.grant_group(SYSTEM, "Editors", [Post::PUBLISH_POST, Post::CHANGE_POST]).await.unwrap();
    for member in ["weak", "strong"] {
        store.add_to_group(SYSTEM, member, "Editors").await.unwrap();
    }
    store.delete_group(SYSTEM, "Editors").await.unwrap();
    let log = store.audit(AuditQuery::new().limit(100)).await.unwrap();
    let lost: Vec<(String, Option<String>, Option<String>)> = log
        .iter()
        .filter(|e| e.detail == "group deleted" && e.target_group.as_deref() == Some("Editors"))
        .map(|e| (e.action.clone(), e.target_user.clone(), e.permission.clone()))
        .collect();
    let mut lost = lost;
    lost.sort();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        lost,
        [
            ("remove_member".to_owned(), some("strong"), None),
            ("remove_member".to_owned(), some("weak"), None),
            ("revoke_group".to_owned(), None, some("blog.change_post")),
            ("revoke_group".to_owned(), None, some("blog.publish_post")),
        ]
    );
}

async fn a_refused_part_of_a_change_writes_nothing(store: TestStore) {
    let manager = accounts(&store).await;
    let before = audit_len(&store).await;
    let change = UserUpdate::new().is_staff(true).email("weak@example.com").is_superuser(true);
    assert_eq!(refused(store.update_user(&manager, "weak", change).await), Rule::SuperuserOnly);
    let weak = store.get_user("weak").await.unwrap();
    assert!(!weak.is_staff() && weak.email().is_empty(), "the first parts were not applied");
    assert_eq!(audit_len(&store).await, before);
    // Applied whole, each part is audited.
    store.update_user(&manager, "weak", UserUpdate::new().is_staff(true).email("weak@example.com")).await.unwrap();
    let weak = store.get_user("weak").await.unwrap();
    assert!(weak.is_staff() && weak.email() == "weak@example.com");
    assert_eq!(audit_len(&store).await, before + 2);
}

async fn a_password_change_or_deactivation_ends_sessions_and_tokens(store: TestStore) {
    let manager = accounts(&store).await;
    let weak = store.get_user("weak").await.unwrap();
    let session = store.create_session(&weak, 3600).await.unwrap();
    let token = store.create_token(&Actor::User("weak".into()), "weak", "laptop", None).await.unwrap();
    store.set_password(&manager, "weak", "reset-by-manager").await.unwrap();
    assert!(store.session_user(&session.key).await.unwrap().is_none(), "the session ended");
    assert!(store.token_user(&token.token).await.unwrap().is_none(), "the token was revoked");

    let session = store.create_session(&weak, 3600).await.unwrap();
    let token = store.create_token(SYSTEM, "weak", "laptop", None).await.unwrap();
    store.set_active(&manager, "weak", false).await.unwrap();
    assert!(store.session_user(&session.key).await.unwrap().is_none());
    assert!(store.token_user(&token.token).await.unwrap().is_none());
}

async fn tokens_are_listed_without_secrets(store: TestStore) {
    let manager = accounts(&store).await;
    let first = store.create_token(SYSTEM, "weak", "laptop", None).await.unwrap();
    let second = store.create_token(&manager, "weak", "phone", Some(i64::MAX)).await.unwrap();
    assert!(store.token_user(&first.token).await.unwrap().is_some());
    store.revoke_token(&manager, second.id).await.unwrap();
    let tokens = store.list_tokens(&manager, "weak").await.unwrap();
    let shown: Vec<(i64, &str, bool, bool)> =
        tokens.iter().map(|t| (t.id, t.name.as_str(), t.last_used_at.is_some(), t.revoked_at.is_some())).collect();
    assert_eq!(shown, [(second.id, "phone", false, true), (first.id, "laptop", true, false)]);
    assert_eq!(store.list_tokens(&Actor::User("weak".into()), "weak").await.unwrap().len(), 2, "its own");
    let log = store.audit(AuditQuery::new().action("create_token")).await.unwrap();
    assert!(log.iter().any(|e| e.detail == format!("token #{} phone", second.id)), "the audit names the token");
}

async fn login_attempts_are_counted_before_the_password(store: TestStore) {
    accounts(&store).await;
    let attempts: Vec<bool> = futures_join((0..50).map(|_| {
        let store = store.store.clone();
        async move { store.count_login_attempt("weak", Some("10.0.0.7")).await.unwrap() }
    }))
    .await;
    assert_eq!(attempts.iter().filter(|allowed| **allowed).count(), 5, "50 at once, 5 get through");
    // Another user from another address is not held back; the same address is.
    assert!(store.count_login_attempt("strong", Some("10.0.0.8")).await.unwrap());
    assert!(!store.count_login_attempt("strong", Some("10.0.0.7")).await.unwrap());
    // A success clears the username's count, and takes back only its own attempt from the
    // address's, whose failures still count.
    store.clear_login_attempts("weak", Some("10.0.0.7")).await.unwrap();
    assert!(store.count_login_attempt("weak", None).await.unwrap());
    assert!(!store.count_login_attempt("weak", Some("10.0.0.7")).await.unwrap());
    // Many people behind one address who log in rightly are not held back.
    for n in 0..12 {
        let name = format!("colleague{n}");
        assert!(store.count_login_attempt(&name, Some("192.0.2.1")).await.unwrap(), "{name}");
        store.clear_login_attempts(&name, Some("192.0.2.1")).await.unwrap();
    }
}

/// Runs futures on the runtime's threads at once and collects their outputs in order.
async fn futures_join<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

async fn concurrent_superusers_stay_one(store: TestStore) {
    store.create_superuser(SYSTEM, "root", "", "root-password").await.unwrap();
    store.set_superuser(SYSTEM, "root", false).await.unwrap();
    for n in 0..16 {
        store.create_user(SYSTEM, &format!("u{n}"), "", None).await.unwrap();
    }
    let barrier = Arc::new(Barrier::new(16));
    let results = futures_join((0..16).map(|n| {
        let (store, barrier) = (store.store.clone(), Arc::clone(&barrier));
        async move {
            barrier.wait().await;
            if n % 2 == 0 {
                store.set_superuser(SYSTEM, &format!("u{n}"), true).await
            } else {
                store.create_superuser(SYSTEM, &format!("new{n}"), "", "a-password").await.map(drop)
            }
        }
    }))
    .await;
    let made = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(made, 1, "{results:?}");
    assert!(results.iter().all(|r| matches!(r, Ok(()) | Err(StoreError::SecondSuperuser { .. }))), "{results:?}");
    let superusers = store.users_with_perm("auth.anything", Default::default()).await.unwrap();
    assert_eq!(superusers.len(), 1);
}

async fn a_member_added_while_the_group_gains_a_permission(store: TestStore) {
    let manager = accounts(&store).await;
    store.grant_user(SYSTEM, "manager", [Group::CHANGE_GROUP]).await.unwrap();
    store.create_group(SYSTEM, "Readers").await.unwrap();
    store.grant_group(SYSTEM, "Readers", [Post::VIEW_POST]).await.unwrap();
    for round in 0..8 {
        let member = format!("m{round}");
        store.create_user(SYSTEM, &member, "", None).await.unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let (add, grant) = {
            let (s1, b1, manager, member) =
                (store.store.clone(), Arc::clone(&barrier), manager.clone(), member.clone());
            let (s2, b2) = (store.store.clone(), Arc::clone(&barrier));
            let add = tokio::spawn(async move {
                b1.wait().await;
                s1.add_to_group(&manager, &member, "Readers").await
            });
            let grant = tokio::spawn(async move {
                b2.wait().await;
                s2.grant_group(&Actor::User("root".into()), "Readers", [Post::PUBLISH_POST]).await
            });
            (add.await.unwrap(), grant.await.unwrap())
        };
        grant.unwrap();
        // As if one at a time: the member was added before the group gained the permission, or
        // the addition was refused because the manager lacks it.
        match add {
            Ok(_) => {
                let added = store.audit(AuditQuery::new().action("add_member").user(&member)).await.unwrap();
                let granted = store.audit(AuditQuery::new().action("grant_group")).await.unwrap();
                assert!(added[0].id < granted[0].id, "round {round}: added after the grant it could not give");
            }
            Err(err) => {
                assert_eq!(refused(Err::<(), _>(err)), Rule::GrantsOnlyHeld { perm: "blog.publish_post".into() })
            }
        }
        store.revoke_group(SYSTEM, "Readers", [Post::PUBLISH_POST]).await.unwrap();
        store.remove_from_group(SYSTEM, &member, "Readers").await.unwrap();
    }
}

async fn a_grant_racing_the_revocation_of_change_user(store: TestStore) {
    let manager = accounts(&store).await;
    for round in 0..8 {
        store.grant_user(SYSTEM, "manager", [User::CHANGE_USER]).await.unwrap();
        store.revoke_user(SYSTEM, "weak", [Post::VIEW_POST]).await.unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let (s1, b1, m) = (store.store.clone(), Arc::clone(&barrier), manager.clone());
        let (s2, b2) = (store.store.clone(), Arc::clone(&barrier));
        let grant = tokio::spawn(async move {
            b1.wait().await;
            s1.grant_user(&m, "weak", [Post::VIEW_POST]).await
        });
        let revoke = tokio::spawn(async move {
            b2.wait().await;
            s2.revoke_user(SYSTEM, "manager", [User::CHANGE_USER]).await
        });
        let (grant, revoke) = (grant.await.unwrap(), revoke.await.unwrap());
        revoke.unwrap();
        match grant {
            Ok(_) => {
                let log = store.audit(AuditQuery::new().action("grant_user").actor("manager").limit(1)).await.unwrap();
                let revoked =
                    store.audit(AuditQuery::new().action("revoke_user").user("manager").limit(1)).await.unwrap();
                assert!(log[0].id < revoked[0].id, "round {round}: granted after losing change_user");
            }
            Err(err) => assert_eq!(
                refused(Err::<(), _>(err)),
                Rule::NeedsPermission { perm: "auth.change_user" },
                "round {round}"
            ),
        }
    }
}
