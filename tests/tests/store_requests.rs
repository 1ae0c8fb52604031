//! The guide's promotion workflow through the store, on SQLite and on PostgreSQL: request
//! policies, access requests and their decisions, grants that expire, and the notifications each
//! step writes to the outbox in its own transaction.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use permfw::store::{Actor, AuditQuery, RequestPolicy, RequestQuery, RequestStatus, Rule, Store, StoreError};
use permfw::{HasPerms, Model, User};
use support::{TestStore, audit_len, refused};
use tokio::sync::Barrier;

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

on_every_backend!(
    the_guides_promotion_end_to_end,
    every_rule_of_a_request_refused,
    two_person_rule,
    two_approvers_at_once_apply_the_change_once,
    requests_expire_unanswered,
    grants_expire_in_every_process,
    bad_input_is_refused_and_writes_nothing,
);

const SYSTEM: &Actor = &Actor::System;

fn user(name: &str) -> Actor {
    Actor::User(name.to_owned())
}

/// The guide's blog: Writers (change_post), Editors (change_post, publish_post), Senior Writers
/// (Writers' permissions plus publish_post); alice and bob write, grace and heidi edit.
async fn newsroom(store: &Store) {
    store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    for (group, perms) in [
        ("Writers", vec![Post::CHANGE_POST]),
        ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
    ] {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, perms).await.unwrap();
    }
    for (name, group) in [("alice", "Writers"), ("bob", "Writers"), ("grace", "Editors"), ("heidi", "Editors")] {
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), None).await.unwrap();
        store.add_to_group(SYSTEM, name, group).await.unwrap();
    }
}

fn promotion() -> RequestPolicy {
    RequestPolicy::group("promotion", "Senior Writers")
        .requested_by_members_of("Writers")
        .approved_by_members_of("Editors")
}

/// Undelivered outbox messages of `event`, as (recipient, email).
async fn outbox(store: &Store, event: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = store
        .claim_notifications(1_000, Duration::from_secs(3_600))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event == event)
        .map(|m| (m.recipient, m.email))
        .collect();
    found.sort();
    found
}

async fn the_guides_promotion_end_to_end(store: TestStore) {
    newsroom(&store).await;
    store.create_policy(SYSTEM, &promotion()).await.unwrap();
    let request = store.request_access(&user("alice"), "promotion", "I have written 40 posts", None).await.unwrap();
    assert_eq!((request.status, request.requester.as_str()), (RequestStatus::Open, "alice"));
    let notified = store
        .claim_notifications(100, Duration::from_secs(3_600))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event == "request_created")
        .collect::<Vec<_>>();
    let mut to: Vec<&str> = notified.iter().map(|m| m.recipient.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["grace", "heidi"], "the Editors are notified");
    assert_eq!(notified[0].payload["request_id"], request.id);
    assert_eq!(notified[0].payload["target"], "group Senior Writers");
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST));

    let open = store.list_requests(RequestQuery::new().status(RequestStatus::Open)).await.unwrap();
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [request.id], "the dashboard's open requests");

    let approved = store.approve_request(&user("grace"), request.id, "well deserved").await.unwrap();
    assert_eq!(approved.status, RequestStatus::Approved);
    assert_eq!(approved.decisions[0].approver, "grace");
    let alice = store.get_user("alice").await.unwrap();
    assert!(alice.has_perm(Post::PUBLISH_POST) && alice.groups().any(|g| g == "Senior Writers"));
    assert_eq!(outbox(&store, "request_approved").await, [("alice".to_owned(), "alice@example.com".to_owned())]);

    let log = store.audit(AuditQuery::new().limit(5)).await.unwrap();
    let steps: Vec<(&str, &str)> = log.iter().rev().map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    assert_eq!(
        steps[steps.len() - 3..],
        [("alice", "request_access"), ("grace", "decide_request"), ("grace", "add_member")]
    );
    assert!(log[0].detail.contains(&format!("request #{}", request.id)) && log[0].detail.contains("promotion"));
}

async fn every_rule_of_a_request_refused(store: TestStore) {
    newsroom(&store).await;
    store.create_policy(SYSTEM, &promotion()).await.unwrap();
    store.create_user(SYSTEM, "mallory", "", None).await.unwrap();
    let before = audit_len(&store).await;
    // A user the policy does not allow.
    assert_eq!(
        refused(store.request_access(&user("mallory"), "promotion", "please", None).await),
        Rule::NotARequester { policy: "promotion".into() }
    );
    assert_eq!(audit_len(&store).await, before, "a refusal writes nothing");
    let request = store.request_access(&user("alice"), "promotion", "40 posts", None).await.unwrap();
    // One open request per user and target.
    assert!(matches!(
        store.request_access(&user("alice"), "promotion", "again", None).await,
        Err(StoreError::RequestAlreadyOpen(id)) if id == request.id
    ));
    // Nobody approves their own request, nor does a non-approver.
    assert_eq!(
        refused(store.approve_request(&user("bob"), request.id, "sure").await),
        Rule::NotAnApprover { policy: "promotion".into() }
    );
    store.add_to_group(SYSTEM, "alice", "Editors").await.unwrap();
    assert_eq!(refused(store.approve_request(&user("alice"), request.id, "me").await), Rule::OwnRequest);
    store.remove_from_group(SYSTEM, "alice", "Editors").await.unwrap();
    // The right is checked at the moment of the decision: heidi left the Editors.
    store.remove_from_group(SYSTEM, "heidi", "Editors").await.unwrap();
    assert_eq!(
        refused(store.approve_request(&user("heidi"), request.id, "ok").await),
        Rule::NotAnApprover { policy: "promotion".into() }
    );
    // The delegation rules still bind the approver: one who lacks a permission the group gives.
    store.grant_group(SYSTEM, "Senior Writers", [Post::DELETE_POST]).await.unwrap();
    assert_eq!(
        refused(store.approve_request(&user("grace"), request.id, "ok").await),
        Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() }
    );
    store.revoke_group(SYSTEM, "Senior Writers", [Post::DELETE_POST]).await.unwrap();
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST), "nothing applied");
    // A decision on a closed request.
    store.deny_request(&user("grace"), request.id, "not yet").await.unwrap();
    assert!(matches!(
        store.approve_request(&user("grace"), request.id, "changed my mind").await,
        Err(StoreError::RequestClosed { status, .. }) if status == "denied"
    ));
    assert_eq!(outbox(&store, "request_denied").await.len(), 1);
    // A duration above the policy's maximum.
    let break_glass = RequestPolicy::permissions("on-call", ["blog.publish_post"])
        .approved_by_holders_of("blog.publish_post")
        .max_duration(Duration::from_secs(4 * 3_600));
    store.create_policy(SYSTEM, &break_glass).await.unwrap();
    assert!(matches!(
        store.request_access(&user("bob"), "on-call", "incident", Some(Duration::from_secs(5 * 3_600))).await,
        Err(StoreError::InvalidRequest(_))
    ));
    assert!(matches!(
        store.request_access(&user("bob"), "on-call", "incident", None).await,
        Err(StoreError::InvalidRequest(_))
    ));
    // Only a superuser sets policies.
    assert_eq!(refused(store.create_policy(&user("grace"), &promotion()).await), Rule::SuperuserOnly);
    // The requester may cancel; another may not.
    let again = store.request_access(&user("alice"), "promotion", "once more", None).await.unwrap();
    assert_eq!(refused(store.cancel_request(&user("bob"), again.id).await), Rule::NotTheRequester);
    store.cancel_request(&user("alice"), again.id).await.unwrap();
    assert_eq!(store.get_request(again.id).await.unwrap().status, RequestStatus::Cancelled);
}

async fn two_person_rule(store: TestStore) {
    newsroom(&store).await;
    store.create_policy(SYSTEM, &promotion().approvals(2)).await.unwrap();
    let request = store.request_access(&user("alice"), "promotion", "40 posts", None).await.unwrap();
    let first = store.approve_request(&user("grace"), request.id, "yes").await.unwrap();
    assert_eq!((first.status, first.approvals), (RequestStatus::Open, 1));
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST), "one approval is not enough");
    assert!(matches!(
        store.approve_request(&user("grace"), request.id, "yes!").await,
        Err(StoreError::AlreadyDecided(_))
    ));
    let second = store.approve_request(&user("heidi"), request.id, "yes").await.unwrap();
    assert_eq!((second.status, second.approvals), (RequestStatus::Approved, 2));
    assert!(store.get_user("alice").await.unwrap().has_perm(Post::PUBLISH_POST));
}

async fn two_approvers_at_once_apply_the_change_once(store: TestStore) {
    newsroom(&store).await;
    store.create_policy(SYSTEM, &promotion()).await.unwrap();
    let request = store.request_access(&user("alice"), "promotion", "40 posts", None).await.unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let clicks: Vec<_> = ["grace", "heidi"]
        .into_iter()
        .map(|approver| {
            let (store, barrier) = (store.store.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store.approve_request(&user(approver), request.id, "yes").await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for click in clicks {
        outcomes.push(click.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::RequestClosed { .. }))), "{outcomes:?}");
    let added = store.audit(AuditQuery::new().action("add_member").user("alice")).await.unwrap();
    assert_eq!(added.iter().filter(|e| e.target_group.as_deref() == Some("Senior Writers")).count(), 1);
}

async fn requests_expire_unanswered(store: TestStore) {
    newsroom(&store).await;
    store.create_policy(SYSTEM, &promotion().expire_after_days(0)).await.unwrap();
    let request = store.request_access(&user("alice"), "promotion", "40 posts", None).await.unwrap();
    assert!(matches!(
        store.approve_request(&user("grace"), request.id, "late").await,
        Err(StoreError::RequestClosed { status, .. }) if status == "expired"
    ));
    let report = store.sweep_expired().await.unwrap();
    assert_eq!(report.requests, 1);
    assert_eq!(store.get_request(request.id).await.unwrap().status, RequestStatus::Expired);
    assert_eq!(outbox(&store, "request_expired").await, [("alice".to_owned(), "alice@example.com".to_owned())]);
    assert_eq!(store.audit(AuditQuery::new().action("request_expired")).await.unwrap().len(), 1);
}

async fn grants_expire_in_every_process(store: TestStore) {
    newsroom(&store).await;
    let other = store.db.store(|o| o).await.unwrap(); // a second process's store on the same database
    let soon = SystemTime::now() + Duration::from_millis(400);
    store.grant_user_until(SYSTEM, "bob", [Post::DELETE_POST], soon).await.unwrap();
    store.add_to_group_until(SYSTEM, "bob", "Editors", soon).await.unwrap();
    for each in [&store.store, &other] {
        let bob = each.get_user("bob").await.unwrap();
        assert!(bob.has_perm(Post::DELETE_POST) && bob.has_perm(Post::PUBLISH_POST));
    }
    // Held until the expiry, and from then on by no store, cached or not, swept or not.
    let deadline = Instant::now() + Duration::from_secs(10);
    for each in [&store.store, &other] {
        while each.get_user("bob").await.unwrap().has_perm(Post::DELETE_POST) {
            assert!(Instant::now() < deadline, "an expired grant is still held");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let bob = each.get_user("bob").await.unwrap();
        assert!(!bob.has_perm(Post::PUBLISH_POST) && !bob.groups().any(|g| g == "Editors"));
        assert!(each.effective_permissions("bob").await.unwrap().iter().all(|e| e.permission != Post::DELETE_POST));
    }
    let report = store.sweep_expired().await.unwrap();
    assert_eq!((report.grants, report.memberships), (1, 1));
    let expired = store.audit(AuditQuery::new().action("expired")).await.unwrap();
    assert_eq!(expired.len(), 2);
    assert_eq!(outbox(&store, "grant_expired").await.len(), 2);
    // A permanent grant is not shortened by a temporary one.
    store.grant_user(SYSTEM, "bob", [User::VIEW_USER]).await.unwrap();
    store.grant_user_until(SYSTEM, "bob", [User::VIEW_USER], SystemTime::now()).await.unwrap();
    assert!(store.get_user("bob").await.unwrap().has_perm(User::VIEW_USER));
}

async fn bad_input_is_refused_and_writes_nothing(store: TestStore) {
    newsroom(&store).await;
    let before = audit_len(&store).await;
    let unknown_group = RequestPolicy::group("p", "Nobody").approved_by_members_of("Editors");
    assert!(matches!(store.create_policy(SYSTEM, &unknown_group).await, Err(StoreError::GroupNotFound(_))));
    let no_approvers = RequestPolicy::group("p", "Editors");
    assert!(matches!(store.create_policy(SYSTEM, &no_approvers).await, Err(StoreError::InvalidPolicy(_))));
    let unknown_perm = RequestPolicy::permissions("p", ["blog.nope"]).approved_by_members_of("Editors");
    assert!(matches!(store.create_policy(SYSTEM, &unknown_perm).await, Err(StoreError::UnknownPermission(_))));
    assert!(matches!(
        store.request_access(&user("alice"), "no-such-policy", "why", None).await,
        Err(StoreError::PolicyNotFound(_))
    ));
    store.create_policy(SYSTEM, &promotion()).await.unwrap();
    for justification in ["", "   ", &"x".repeat(2_001)] {
        assert!(matches!(
            store.request_access(&user("alice"), "promotion", justification, None).await,
            Err(StoreError::InvalidRequest(_))
        ));
    }
    assert!(matches!(store.approve_request(&user("grace"), 999, "?").await, Err(StoreError::RequestNotFound(999))));
    assert_eq!(audit_len(&store).await, before + 1, "only the policy was written");
    assert!(store.list_policies().await.unwrap().iter().all(|p| p.name == "promotion"));
}
