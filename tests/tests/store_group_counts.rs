//! A group's member count, kept by the database (migration 8's triggers on auth_user_groups),
//! stays equal to its memberships through every path that adds or removes one: the store's calls,
//! a request's approval, the expiry sweep, deleting a group, deleting a user (a cascade), pruning
//! stale permissions, another program's SQL, and many writers at once; and the migration
//! backfills it for existing data.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use permfw::store::{Actor, MemberPage, RequestPolicy, Store};
use support::{Db, TestStore};
use tokio::sync::Barrier;

on_every_backend!(
    the_count_follows_the_stores_calls,
    the_count_follows_approvals_the_sweep_and_deletions,
    the_count_follows_other_programs_sql,
    the_count_holds_under_many_writers_at_once,
    the_migration_backfills_the_count,
    members_are_searched_and_paged_by_key,
    a_deletion_shows_what_each_member_would_lose,
);

const SYSTEM: &Actor = &Actor::System;

/// Each group's kept count, and the memberships counted, by group name.
async fn counts(store: &TestStore) -> Vec<(String, i64, i64)> {
    let sql = "SELECT g.name, g.member_count, (SELECT COUNT(*) FROM auth_user_groups ug WHERE ug.group_id = g.id) \
               FROM auth_group g ORDER BY g.name";
    match &store.db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// Asserts every group's kept count equals its memberships, and `group`'s is `expected`.
async fn assert_count(store: &TestStore, group: &str, expected: i64) {
    let counts = counts(store).await;
    for (name, kept, counted) in &counts {
        assert_eq!(kept, counted, "{name}: kept {kept}, counted {counted} ({counts:?})");
    }
    let listed = store.list_groups().await.unwrap();
    let members = listed.iter().find(|g| g.name == group).map(|g| g.members);
    assert_eq!(members, Some(expected), "{group} in {listed:?}");
    assert_eq!(store.group_record(group).await.unwrap().members, expected);
}

async fn users(store: &Store, names: impl IntoIterator<Item = String>) {
    for name in names {
        store.create_user(SYSTEM, &name, &format!("{name}@example.com"), None).await.unwrap();
    }
}

async fn the_count_follows_the_stores_calls(store: TestStore) {
    store.create_group(SYSTEM, "Writers").await.unwrap();
    assert_count(&store, "Writers", 0).await;
    users(&store, ["alice", "bob", "carol"].map(String::from)).await;
    for name in ["alice", "bob", "carol"] {
        assert!(store.add_to_group(SYSTEM, name, "Writers").await.unwrap());
    }
    assert_count(&store, "Writers", 3).await;
    assert!(!store.add_to_group(SYSTEM, "alice", "Writers").await.unwrap(), "already a member");
    assert_count(&store, "Writers", 3).await;
    // A temporary membership, then extended (an update of the row, not a new one).
    store.remove_from_group(SYSTEM, "bob", "Writers").await.unwrap();
    let later = SystemTime::now() + Duration::from_secs(3600);
    store.add_to_group_until(SYSTEM, "bob", "Writers", later).await.unwrap();
    store.add_to_group_until(SYSTEM, "bob", "Writers", later + Duration::from_secs(60)).await.unwrap();
    assert_count(&store, "Writers", 3).await;
    assert!(store.remove_from_group(SYSTEM, "carol", "Writers").await.unwrap());
    assert!(!store.remove_from_group(SYSTEM, "carol", "Writers").await.unwrap(), "not a member");
    assert_count(&store, "Writers", 2).await;
    store.rename_group(SYSTEM, "Writers", "Authors").await.unwrap();
    assert_count(&store, "Authors", 2).await;
}

async fn the_count_follows_approvals_the_sweep_and_deletions(store: TestStore) {
    for group in ["Writers", "Editors", "Senior Writers"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    users(&store, ["alice", "bob", "grace"].map(String::from)).await;
    for (name, group) in [("alice", "Writers"), ("bob", "Writers"), ("grace", "Editors"), ("bob", "Editors")] {
        store.add_to_group(SYSTEM, name, group).await.unwrap();
    }
    let promotion = RequestPolicy::group("promotion", "Senior Writers")
        .requested_by_members_of("Writers")
        .approved_by_members_of("Editors");
    store.create_policy(SYSTEM, &promotion).await.unwrap();
    let asked = store.request_access(&Actor::User("alice".into()), "promotion", "40 posts", None).await.unwrap();
    store.approve_request(&Actor::User("grace".into()), asked.id, "").await.unwrap();
    assert_count(&store, "Senior Writers", 1).await;

    // An expired membership, removed by the sweep.
    store.add_to_group(SYSTEM, "bob", "Senior Writers").await.unwrap();
    store.db.execute("UPDATE auth_user_groups SET expires_at = 1 WHERE user_id = (SELECT id FROM auth_user WHERE username = 'bob') AND group_id = (SELECT id FROM auth_group WHERE name = 'Senior Writers')").await.unwrap();
    assert_count(&store, "Senior Writers", 2).await;
    store.sweep_expired().await.unwrap();
    assert_count(&store, "Senior Writers", 1).await;

    // Deleting a group leaves the others' counts as they were.
    store.delete_group(SYSTEM, "Writers").await.unwrap();
    assert_count(&store, "Editors", 2).await;
    assert!(!store.list_groups().await.unwrap().iter().any(|g| g.name == "Writers"));

    // Deleting a user (no store call does yet: a cascade from SQL) takes it out of each group.
    store.db.execute("DELETE FROM auth_user WHERE username = 'bob'").await.unwrap();
    assert_count(&store, "Editors", 1).await;

    // Pruning stale permissions touches no membership.
    store.migrate_pruning_stale().await.unwrap();
    assert_count(&store, "Editors", 1).await;
    assert_count(&store, "Senior Writers", 1).await;
}

async fn the_count_follows_other_programs_sql(store: TestStore) {
    for group in ["A", "B"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    users(&store, (0..10).map(|n| format!("u{n}"))).await;
    // One statement adding many members to both groups.
    store
        .db
        .execute("INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u, auth_group g")
        .await
        .unwrap();
    assert_count(&store, "A", 10).await;
    assert_count(&store, "B", 10).await;
    // Moving members from one group to another.
    store
        .db
        .execute(
            "DELETE FROM auth_user_groups WHERE group_id = (SELECT id FROM auth_group WHERE name = 'B') \
             AND user_id IN (SELECT id FROM auth_user WHERE username IN ('u0', 'u1'))",
        )
        .await
        .unwrap();
    store
        .db
        .execute(
            "UPDATE auth_user_groups SET group_id = (SELECT id FROM auth_group WHERE name = 'B') \
             WHERE group_id = (SELECT id FROM auth_group WHERE name = 'A') \
             AND user_id IN (SELECT id FROM auth_user WHERE username IN ('u0', 'u1'))",
        )
        .await
        .unwrap();
    assert_count(&store, "A", 8).await;
    assert_count(&store, "B", 10).await;
    store.db.execute("DELETE FROM auth_user WHERE username LIKE 'u%'").await.unwrap();
    assert_count(&store, "A", 0).await;
    assert_count(&store, "B", 0).await;
}

async fn the_count_holds_under_many_writers_at_once(store: TestStore) {
    for group in ["Writers", "Editors"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    users(&store, (0..32).map(|n| format!("u{n}"))).await;
    for n in 16..32 {
        store.add_to_group(SYSTEM, &format!("u{n}"), "Writers").await.unwrap();
    }
    // 48 writers released at once: adds, removals, users deleted by SQL, memberships added by
    // SQL outside the store (on PostgreSQL, outside its write lock), and sweeps. (A `DELETE FROM
    // auth_user` on a pool connection that still held the schema from before the last migration
    // used to fail here with "no such table: auth_user": see `Backend::refresh_schemas`.)
    let writers = 48;
    let barrier = Arc::new(Barrier::new(writers));
    let tasks: Vec<_> = (0..writers)
        .map(|n| {
            let (store, barrier) = (store.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let done: Result<(), String> = match n {
                    0..16 => store
                        .add_to_group(SYSTEM, &format!("u{n}"), "Writers")
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    16..24 => store
                        .remove_from_group(SYSTEM, &format!("u{n}"), "Writers")
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    24 => store
                        .db
                        .execute("DELETE FROM auth_user WHERE username IN ('u24', 'u25', 'u26', 'u27')")
                        .await
                        .map_err(|e| e.to_string()),
                    25..28 => store.sweep_expired().await.map(drop).map_err(|e| e.to_string()),
                    28..44 => store
                        .db
                        .execute(&format!(
                            "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u, \
                             auth_group g WHERE u.username = 'u{}' AND g.name = 'Editors'",
                            n - 28
                        ))
                        .await
                        .map_err(|e| e.to_string()),
                    _ => store.sweep_expired().await.map(drop).map_err(|e| e.to_string()),
                };
                if let Err(err) = done {
                    panic!("writer {n}: {err}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    // Writers: u0..u15 added, u16..u23 removed, u24..u27 deleted, u28..u31 stay.
    assert_count(&store, "Writers", 16 + 4).await;
    assert_count(&store, "Editors", 16).await;
    assert_eq!(store.group_members("Writers").await.unwrap().len(), 20);
}

async fn the_migration_backfills_the_count(store: TestStore) {
    for group in ["A", "B", "Empty"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    users(&store, (0..5).map(|n| format!("u{n}"))).await;
    for n in 0..5 {
        store.add_to_group(SYSTEM, &format!("u{n}"), "A").await.unwrap();
    }
    store.add_to_group(SYSTEM, "u0", "B").await.unwrap();
    // Without migration 8 (the count and its triggers gone; the later ones stay), with memberships
    // made meanwhile: `migrate` applies the one migration the database lacks.
    let undo = match &store.db {
        Db::Sqlite(_) => {
            "DROP TRIGGER auth_user_groups_count_insert; DROP TRIGGER auth_user_groups_count_delete; \
             DROP TRIGGER auth_user_groups_count_move; ALTER TABLE auth_group DROP COLUMN member_count; \
             DELETE FROM permfw_migrations WHERE version = 8"
        }
        Db::Postgres(_) => {
            "DROP TRIGGER auth_user_groups_count_insert ON auth_user_groups; \
             DROP TRIGGER auth_user_groups_count_delete ON auth_user_groups; \
             DROP TRIGGER auth_user_groups_count_move ON auth_user_groups; \
             DROP FUNCTION permfw_count_members_added(); DROP FUNCTION permfw_count_members_removed(); \
             DROP FUNCTION permfw_count_members_moved(); ALTER TABLE auth_group DROP COLUMN member_count; \
             DELETE FROM permfw_migrations WHERE version = 8"
        }
    };
    store.db.execute(undo).await.unwrap();
    store
        .db
        .execute("INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u, auth_group g WHERE u.username = 'u1' AND g.name = 'B'")
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), Store::latest_schema_version());
    assert_count(&store, "A", 5).await;
    assert_count(&store, "B", 2).await;
    assert_count(&store, "Empty", 0).await;
}

async fn members_are_searched_and_paged_by_key(store: TestStore) {
    store.create_group(SYSTEM, "Support").await.unwrap();
    let names: Vec<String> = (0..25).map(|n| format!("agent{n:02}")).chain(["zoe_smith".into()]).collect();
    users(&store, names.clone()).await;
    users(&store, ["outsider".to_owned()]).await;
    for name in &names {
        store.add_to_group(SYSTEM, name, "Support").await.unwrap();
    }
    let mut seen = Vec::new();
    let mut page = MemberPage::first().limit(10);
    loop {
        let rows = store.group_member_page("Support", page.clone()).await.unwrap();
        seen.extend(rows.iter().map(|u| u.username.clone()));
        match rows.last() {
            Some(last) if rows.len() == 10 => page = page.after_id(last.id),
            _ => break,
        }
    }
    assert_eq!(seen, names, "every member once, in the order accounts were made");
    let found = store.group_member_page("Support", MemberPage::first().search("AGENT1")).await.unwrap();
    let found: Vec<&str> = found.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(found, (10..20).map(|n| format!("agent{n}")).collect::<Vec<_>>());
    let short = store.group_member_page("Support", MemberPage::first().search("e_")).await.unwrap();
    assert_eq!(short.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["zoe_smith"], "`_` is literal");
    let by_email = store.group_member_page("Support", MemberPage::first().search("smith@example")).await.unwrap();
    assert_eq!(by_email.len(), 1);
    assert!(store.group_member_page("Support", MemberPage::first().search("outsider")).await.unwrap().is_empty());
    assert!(store.group_member_page("Nope", MemberPage::first()).await.is_err());
}

async fn a_deletion_shows_what_each_member_would_lose(store: TestStore) {
    use permfw::{Group, User};
    store.create_superuser(SYSTEM, "root", "", "root-password").await.unwrap();
    for group in ["Support", "Viewers"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    store.grant_group(SYSTEM, "Support", [User::VIEW_USER, Group::VIEW_GROUP]).await.unwrap();
    store.grant_group(SYSTEM, "Viewers", [Group::VIEW_GROUP]).await.unwrap();
    users(&store, ["alice", "bob", "carol", "dave"].map(String::from)).await;
    for name in ["alice", "bob", "carol", "dave", "root"] {
        store.add_to_group(SYSTEM, name, "Support").await.unwrap();
    }
    store.add_to_group(SYSTEM, "bob", "Viewers").await.unwrap();
    store.grant_user(SYSTEM, "carol", [User::VIEW_USER, Group::VIEW_GROUP]).await.unwrap();
    let preview = store.group_deletion("Support", 4).await.unwrap();
    assert_eq!(preview.group.permissions, ["auth.view_group", "auth.view_user"]);
    assert_eq!(preview.group.members, 5);
    let losses: Vec<(&str, Vec<&str>)> =
        preview.members.iter().map(|m| (m.username.as_str(), m.loses.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        losses,
        [
            ("root", vec![]),
            ("alice", vec!["auth.view_group", "auth.view_user"]),
            ("bob", vec!["auth.view_user"]),
            ("carol", vec![]),
        ]
    );
    assert!(preview.members[0].is_superuser);
    assert_eq!(preview.more, 1, "dave is not shown");
}
