//! The store's conformance suite, run on SQLite and on PostgreSQL: Django's ModelBackend
//! semantics through the store, registry sync, every delegation rule (tried, refused, nothing
//! written), the audit log, freshness and bad input.

mod support;

use support::{TestStore, audit_len, refused};

use permfw::store::{Actor, AuditQuery, NewToken, PermissionStatus, Rule, Store, StoreError, UserPage, WithPerm};
use permfw::{HasPerms, Model, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
pub struct Post;

on_every_backend!(
    migrate_syncs_the_registry,
    sync_updates_names_reports_and_prunes_stale_rows,
    model_backend_semantics_through_the_store,
    users_with_perm_is_djangos_with_perm,
    superusers_and_change_user_holders,
    grants_only_what_the_actor_holds,
    only_superusers_grant_change_user_or_make_superusers,
    there_can_only_be_one_superuser_by_default,
    group_editors_add_only_what_they_hold,
    nobody_raises_their_own_rights,
    inactive_and_unknown_actors_are_refused,
    a_refused_multi_row_change_writes_nothing,
    the_audit_log_records_every_change_newest_first,
    a_change_shows_in_the_next_load,
    a_permission_row_that_changes_meaning_is_named_afresh,
    bad_input_is_a_typed_error_and_writes_nothing,
    groups_rename_delete_and_members,
    passwords_and_authentication,
    listing_users_pages_and_searches,
    concurrent_grants_and_revokes_agree_with_the_audit_log,
    a_newer_schema_is_refused,
    sessions_and_tokens,
    effective_permissions_say_where_each_comes_from,
);

const SYSTEM: &Actor = &Actor::System;

async fn setup(store: &Store) -> (User, User) {
    let root = store.create_superuser(SYSTEM, "root", "root@example.com", "root-password").await.unwrap();
    let manager = store.create_user(SYSTEM, "manager", "m@example.com", None).await.unwrap();
    store.grant_user(SYSTEM, "manager", ["auth.change_user", "auth.view_user", "blog.publish_post"]).await.unwrap();
    let manager = store.get_user(manager.username()).await.unwrap();
    for name in ["alice", "bob", "carol"] {
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), None).await.unwrap();
    }
    (root, manager)
}

async fn migrate_syncs_the_registry(store: TestStore) {
    assert_eq!(store.schema_version().await.unwrap(), Store::latest_schema_version());
    let again = store.migrate().await.unwrap();
    assert!(again.is_unchanged(), "{again:?}");
    let statuses = store.permission_statuses().await.unwrap();
    let publish = statuses.iter().find(|p| p.permission == "blog.publish_post").unwrap();
    assert_eq!((publish.name.as_str(), publish.status), ("Can publish post", PermissionStatus::Synced));
    assert!(statuses.iter().any(|p| p.permission == "auth.change_user" && p.status == PermissionStatus::Synced));
}

async fn sync_updates_names_reports_and_prunes_stale_rows(store: TestStore) {
    store.db.execute("UPDATE auth_permission SET name = 'Old name' WHERE codename = 'publish_post'").await.unwrap();
    store.db.execute("INSERT INTO auth_permission (app_label, model, codename, name) VALUES ('blog', 'post', 'archive_post', 'Can archive post')").await.unwrap();
    store.create_user(SYSTEM, "alice", "", None).await.unwrap();
    store.db.execute("INSERT INTO auth_user_user_permissions (user_id, permission_id) SELECT u.id, p.id FROM auth_user u, auth_permission p WHERE u.username = 'alice' AND p.codename = 'archive_post'").await.unwrap();
    // A stale row grants nothing: deny by default.
    assert!(!store.get_user("alice").await.unwrap().has_perm("blog.archive_post"));

    let report = store.migrate().await.unwrap();
    assert_eq!(report.updated, ["blog.publish_post"]);
    assert_eq!(report.stale, ["blog.archive_post"]);
    assert!(report.pruned.is_empty());
    let statuses = store.permission_statuses().await.unwrap();
    assert!(statuses.iter().any(|p| p.permission == "blog.archive_post" && p.status == PermissionStatus::Stale));

    let report = store.migrate_pruning_stale().await.unwrap();
    assert_eq!(report.pruned, ["blog.archive_post"]);
    assert!(store.migrate().await.unwrap().stale.is_empty());
    let audit = store.audit(AuditQuery::new().action("prune_permission")).await.unwrap();
    assert_eq!(audit[0].permission.as_deref(), Some("blog.archive_post"));
}

async fn model_backend_semantics_through_the_store(store: TestStore) {
    let (root, _) = setup(&store).await;
    store.create_group(SYSTEM, "Editors").await.unwrap();
    store.grant_group(SYSTEM, "Editors", [Post::CHANGE_POST, Post::PUBLISH_POST]).await.unwrap();
    store.add_to_group(SYSTEM, "bob", "Editors").await.unwrap();
    store.grant_user(SYSTEM, "bob", [Post::VIEW_POST]).await.unwrap();

    let bob = store.get_user("bob").await.unwrap();
    assert!(bob.id().is_some());
    assert!(bob.has_perm("blog.publish_post") && bob.has_perm(Post::VIEW_POST));
    assert!(!bob.has_perm(Post::DELETE_POST) && !bob.has_perm("blog.nope"));
    assert_eq!(bob.get_user_permissions(), ["blog.view_post".to_string()].into());
    assert_eq!(bob.get_group_permissions().len(), 2);
    assert_eq!(bob.groups().collect::<Vec<_>>(), ["Editors"]);
    assert!(bob.has_module_perms("blog") && !bob.has_module_perms("auth"));

    assert!(root.is_superuser() && root.is_staff() && root.has_perm("nope.nothing"));
    assert_eq!(root.get_all_permissions().len(), permfw::registry().len());

    store.set_active(SYSTEM, "bob", false).await.unwrap();
    let bob = store.get_user("bob").await.unwrap();
    assert!(!bob.is_active() && !bob.has_perm(Post::VIEW_POST) && bob.get_all_permissions().is_empty());
    let carol = store.get_user("carol").await.unwrap();
    assert!(carol.is_active() && !carol.is_staff() && !carol.is_superuser() && carol.get_all_permissions().is_empty());
}

async fn users_with_perm_is_djangos_with_perm(store: TestStore) {
    setup(&store).await;
    store.create_group(SYSTEM, "Editors").await.unwrap();
    store.grant_group(SYSTEM, "Editors", ["blog.publish_post"]).await.unwrap();
    store.add_to_group(SYSTEM, "bob", "Editors").await.unwrap();
    store.add_to_group(SYSTEM, "carol", "Editors").await.unwrap();
    store.set_active(SYSTEM, "carol", false).await.unwrap();
    let names = |rows: Vec<permfw::store::UserRef>| rows.into_iter().map(|u| u.username).collect::<Vec<_>>();

    let all = names(store.users_with_perm("blog.publish_post", WithPerm::default()).await.unwrap());
    assert_eq!(all, ["root", "manager", "bob"]);
    let no_super =
        names(store.users_with_perm(Post::PUBLISH_POST, WithPerm::default().include_superusers(false)).await.unwrap());
    assert_eq!(no_super, ["manager", "bob"]);
    let inactive =
        names(store.users_with_perm("blog.publish_post", WithPerm::default().is_active(Some(false))).await.unwrap());
    assert_eq!(inactive, ["carol"]);
    let any = names(store.users_with_perm("blog.publish_post", WithPerm::default().is_active(None)).await.unwrap());
    assert_eq!(any.len(), 4);
    let page = store.users_with_perm("blog.publish_post", WithPerm::default().limit(2)).await.unwrap();
    let next =
        names(store.users_with_perm("blog.publish_post", WithPerm::default().after_id(page[1].id)).await.unwrap());
    assert_eq!(next, ["bob"]);
    // Django: superusers are returned even for a permission that does not exist.
    assert_eq!(names(store.users_with_perm("auth.perm", WithPerm::default()).await.unwrap()), ["root"]);
    for malformed in ["nodots", "too.many.dots", "...", ""] {
        assert!(
            matches!(
                store.users_with_perm(malformed, WithPerm::default()).await,
                Err(StoreError::MalformedPermission(_))
            ),
            "{malformed}"
        );
    }
}

async fn superusers_and_change_user_holders(store: TestStore) {
    let (root, manager) = setup(&store).await;
    store.grant_user(&Actor::user(&root), "alice", ["blog.feature_post", "auth.change_user"]).await.unwrap();
    store.grant_user(&Actor::user(&manager), "bob", ["blog.publish_post"]).await.unwrap();
    store.set_staff(&Actor::user(&manager), "bob", true).await.unwrap();
    store.set_active(&Actor::user(&manager), "carol", false).await.unwrap();
    let bob = store.get_user("bob").await.unwrap();
    assert!(bob.has_perm(Post::PUBLISH_POST) && bob.is_staff());
    assert!(!store.get_user("carol").await.unwrap().is_active());
    // A change_user holder may not touch a superuser.
    let before = audit_len(&store).await;
    assert_eq!(refused(store.set_active(&Actor::user(&manager), "root", false).await), Rule::SuperuserOnly);
    assert_eq!(
        refused(store.grant_user(&Actor::user(&manager), "root", ["blog.publish_post"]).await),
        Rule::SuperuserOnly
    );
    assert!(store.get_user("root").await.unwrap().is_active());
    assert_eq!(audit_len(&store).await, before);
    // Without change_user nothing changes.
    let alice_less = store.get_user("bob").await.unwrap();
    assert_eq!(
        refused(store.grant_user(&Actor::user(&alice_less), "carol", ["blog.publish_post"]).await),
        Rule::NeedsPermission { perm: "auth.change_user" }
    );
}

async fn grants_only_what_the_actor_holds(store: TestStore) {
    let (_, manager) = setup(&store).await;
    let before = audit_len(&store).await;
    assert_eq!(
        refused(store.grant_user(&Actor::user(&manager), "bob", ["blog.delete_post"]).await),
        Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() }
    );
    assert_eq!(
        refused(store.revoke_user(&Actor::user(&manager), "bob", ["blog.delete_post"]).await),
        Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() }
    );
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.delete_post"));
    assert_eq!(audit_len(&store).await, before);
    // Nor through a group it puts the user in.
    store.create_group(SYSTEM, "Deleters").await.unwrap();
    store.grant_group(SYSTEM, "Deleters", ["blog.delete_post"]).await.unwrap();
    assert_eq!(
        refused(store.add_to_group(&Actor::user(&manager), "bob", "Deleters").await),
        Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() }
    );
    assert!(store.get_user("bob").await.unwrap().groups().next().is_none());
}

async fn only_superusers_grant_change_user_or_make_superusers(store: TestStore) {
    let (root, manager) = setup(&store).await;
    let before = audit_len(&store).await;
    assert_eq!(
        refused(store.grant_user(&Actor::user(&manager), "bob", ["auth.change_user"]).await),
        Rule::ChangeUserIsSuperuserOnly
    );
    assert_eq!(refused(store.set_superuser(&Actor::user(&manager), "bob", true).await), Rule::SuperuserOnly);
    assert_eq!(
        refused(store.create_superuser(&Actor::user(&manager), "root2", "", "pw-pw-pw-pw").await),
        Rule::SuperuserOnly
    );
    store.create_group(SYSTEM, "Managers").await.unwrap();
    store.grant_group(SYSTEM, "Managers", ["auth.change_user"]).await.unwrap();
    let before_group = audit_len(&store).await;
    assert_eq!(
        refused(store.add_to_group(&Actor::user(&manager), "bob", "Managers").await),
        Rule::ChangeUserIsSuperuserOnly
    );
    assert_eq!(audit_len(&store).await, before_group);
    assert!(before < before_group);
    let bob = store.get_user("bob").await.unwrap();
    assert!(!bob.has_perm("auth.change_user") && !bob.is_superuser());
    // The superuser may.
    store.grant_user(&Actor::user(&root), "bob", ["auth.change_user"]).await.unwrap();
    assert!(store.get_user("bob").await.unwrap().has_perm(User::CHANGE_USER));
}

async fn there_can_only_be_one_superuser_by_default(store: TestStore) {
    let (root, _) = setup(&store).await;
    let err = store.create_superuser(&Actor::user(&root), "root2", "", "another-password").await.unwrap_err();
    assert!(matches!(&err, StoreError::SecondSuperuser { existing } if existing == "root"), "{err}");
    assert!(err.to_string().contains("allow_multiple_superusers(true)"), "{err}");
    assert!(matches!(store.set_superuser(SYSTEM, "bob", true).await, Err(StoreError::SecondSuperuser { .. })));
    assert!(matches!(store.get_user("root2").await, Err(StoreError::UserNotFound(_))));
    assert!(!store.get_user("bob").await.unwrap().is_superuser());
    // Unmaking the one superuser, then making another, is fine.
    store.set_superuser(SYSTEM, "root", false).await.unwrap();
    store.set_superuser(SYSTEM, "bob", true).await.unwrap();
    assert!(store.get_user("bob").await.unwrap().is_superuser());
}

async fn group_editors_add_only_what_they_hold(store: TestStore) {
    setup(&store).await;
    store.create_user(SYSTEM, "editor", "", None).await.unwrap();
    store.grant_user(SYSTEM, "editor", ["auth.change_group", "blog.view_post"]).await.unwrap();
    let editor = store.get_user("editor").await.unwrap();
    store.create_group(SYSTEM, "Visitors").await.unwrap();
    store.grant_group(&Actor::user(&editor), "Visitors", ["blog.view_post"]).await.unwrap();
    let before = audit_len(&store).await;
    assert_eq!(
        refused(store.grant_group(&Actor::user(&editor), "Visitors", ["blog.view_post", "blog.delete_post"]).await),
        Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() }
    );
    assert_eq!(
        refused(store.grant_group(&Actor::user(&editor), "Visitors", ["auth.change_user"]).await),
        Rule::ChangeUserIsSuperuserOnly
    );
    assert_eq!(audit_len(&store).await, before);
    assert_eq!(store.get_group("Visitors").await.unwrap().permissions().count(), 1);
    let alice = store.get_user("alice").await.unwrap();
    assert_eq!(
        refused(store.grant_group(&Actor::user(&alice), "Visitors", ["blog.view_post"]).await),
        Rule::NeedsPermission { perm: "auth.change_group" }
    );
}

async fn nobody_raises_their_own_rights(store: TestStore) {
    let (_, manager) = setup(&store).await;
    let before = audit_len(&store).await;
    assert_eq!(
        refused(store.grant_user(&Actor::user(&manager), "manager", ["blog.publish_post"]).await),
        Rule::OwnRights
    );
    assert_eq!(refused(store.set_staff(&Actor::user(&manager), "manager", true).await), Rule::OwnRights);
    store.create_group(SYSTEM, "Publishers").await.unwrap();
    let after_create = audit_len(&store).await;
    assert_eq!(refused(store.add_to_group(&Actor::user(&manager), "manager", "Publishers").await), Rule::OwnRights);
    // A group editor that belongs to a group may not edit it.
    store.create_user(SYSTEM, "editor", "", None).await.unwrap();
    store.grant_user(SYSTEM, "editor", ["auth.change_group", "blog.view_post"]).await.unwrap();
    store.add_to_group(SYSTEM, "editor", "Publishers").await.unwrap();
    let editor = store.get_user("editor").await.unwrap();
    let before_edit = audit_len(&store).await;
    assert_eq!(
        refused(store.grant_group(&Actor::user(&editor), "Publishers", ["blog.view_post"]).await),
        Rule::OwnRights
    );
    assert_eq!(audit_len(&store).await, before_edit);
    assert_eq!(after_create, before + 1);
    assert!(!store.get_user("manager").await.unwrap().is_staff());
}

async fn inactive_and_unknown_actors_are_refused(store: TestStore) {
    let (_, manager) = setup(&store).await;
    store.set_active(SYSTEM, "manager", false).await.unwrap();
    assert_eq!(
        refused(store.grant_user(&Actor::user(&manager), "bob", ["blog.publish_post"]).await),
        Rule::ActorInactive
    );
    assert_eq!(
        refused(store.grant_user(&Actor::User("ghost".into()), "bob", ["blog.publish_post"]).await),
        Rule::ActorInactive
    );
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.publish_post"));
}

async fn a_refused_multi_row_change_writes_nothing(store: TestStore) {
    let (_, manager) = setup(&store).await;
    let before = audit_len(&store).await;
    // The first permission is granted inside the transaction, the second is refused: both roll back.
    let result = store.grant_user(&Actor::user(&manager), "bob", ["blog.publish_post", "blog.delete_post"]).await;
    assert!(matches!(result, Err(StoreError::Refused(_))));
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.publish_post"));
    assert_eq!(audit_len(&store).await, before);
    // The same with a bulk grant: one refused user, nobody gains it.
    let result = store.grant_user_bulk(&Actor::user(&manager), "blog.publish_post", &["alice", "root", "bob"]).await;
    assert!(matches!(result, Err(StoreError::Refused(Rule::SuperuserOnly))));
    assert!(!store.get_user("alice").await.unwrap().has_perm("blog.publish_post"));
    assert_eq!(audit_len(&store).await, before);
    assert_eq!(store.grant_user_bulk(&Actor::user(&manager), "blog.publish_post", &["alice", "bob"]).await.unwrap(), 2);
}

async fn the_audit_log_records_every_change_newest_first(store: TestStore) {
    let (root, manager) = setup(&store).await;
    let t0 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
    store.grant_user(&Actor::user(&manager), "bob", ["blog.publish_post"]).await.unwrap();
    store.revoke_user(&Actor::user(&root), "bob", ["blog.publish_post"]).await.unwrap();
    store.create_group(&Actor::user(&root), "Editors").await.unwrap();
    store.add_to_group(&Actor::user(&root), "bob", "Editors").await.unwrap();
    // A no-op is not a change.
    assert_eq!(store.revoke_user(&Actor::user(&root), "bob", ["blog.publish_post"]).await.unwrap(), 0);

    let bob = store.audit(AuditQuery::new().user("bob")).await.unwrap();
    let actions: Vec<_> = bob.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["add_member", "revoke_user", "grant_user", "create_user"]);
    assert!(bob.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!(bob[0].target_group.as_deref(), Some("Editors"));
    assert_eq!(bob[1].actor, "root");
    assert_eq!(bob[2].actor, "manager");
    assert_eq!(bob[2].permission.as_deref(), Some("blog.publish_post"));
    assert_eq!(bob[3].actor, "<system>");
    let by_manager = store.audit(AuditQuery::new().actor("manager")).await.unwrap();
    assert_eq!(by_manager.len(), 1);
    let recent = store.audit(AuditQuery::new().since(t0)).await.unwrap();
    assert_eq!(recent.len(), 4);
    let page = store.audit(AuditQuery::new().user("bob").limit(2)).await.unwrap();
    let rest = store.audit(AuditQuery::new().user("bob").before_id(page[1].id)).await.unwrap();
    assert_eq!(rest.len(), 2);
}

/// Snapshots name permissions by row id from each store's map of `auth_permission`; a row id
/// that comes to name another permission (SQLite gives a deleted last row's id out again; an
/// explicit id or a rename does the same anywhere) is named afresh, not from the map.
async fn a_permission_row_that_changes_meaning_is_named_afresh(store: TestStore) {
    setup(&store).await;
    store.grant_user(SYSTEM, "alice", [Post::FEATURE_POST]).await.unwrap();
    let cold = store.db.store(|o| o.cache_capacity(0)).await.unwrap();
    let alice = cold.get_user("alice").await.unwrap();
    assert!(alice.has_perm(Post::FEATURE_POST) && !alice.has_perm(Post::PUBLISH_POST));

    // Another program swaps the two rows' names: alice's row now names blog.publish_post.
    for (from, to) in [("feature_post", "swapping"), ("publish_post", "feature_post"), ("swapping", "publish_post")] {
        let sql =
            format!("UPDATE auth_permission SET codename = '{to}' WHERE app_label = 'blog' AND codename = '{from}'");
        store.db.execute(&sql).await.unwrap();
    }
    let alice = cold.get_user("alice").await.unwrap();
    assert!(alice.has_perm(Post::PUBLISH_POST), "named from the table as it is now");
    assert!(!alice.has_perm(Post::FEATURE_POST), "not from the map read before");
    // A write names the permission it was given, not the row the store found for it before. (On
    // PostgreSQL only another program's SQL renames rows, and writes trust the ids they found:
    // see `Tx::permission_id`.)
    let sqlite = !store.is_postgres();
    if sqlite {
        store.grant_user(SYSTEM, "carol", [Post::FEATURE_POST]).await.unwrap();
        let carol = cold.get_user("carol").await.unwrap();
        assert!(carol.has_perm(Post::FEATURE_POST) && !carol.has_perm(Post::PUBLISH_POST));
    }

    // The last row deleted and its id given to a new one.
    let last = "(SELECT MAX(id) FROM auth_permission)";
    store.db.execute(&format!("DELETE FROM auth_user_user_permissions WHERE permission_id = {last}")).await.unwrap();
    store.db.execute(&format!("INSERT INTO auth_user_user_permissions (user_id, permission_id) SELECT u.id, {last} FROM auth_user u WHERE u.username = 'bob'")).await.unwrap();
    let bob = cold.get_user("bob").await.unwrap();
    let held = bob.get_user_permissions();
    assert_eq!(held.len(), 1, "{held:?}");
    let name = held.into_iter().next().unwrap();
    store.grant_user(SYSTEM, "carol", [name.as_str()]).await.unwrap();
    store.db.execute(&format!("DELETE FROM auth_user_user_permissions WHERE permission_id = {last}")).await.unwrap();
    store.db.execute(&format!("DELETE FROM auth_group_permissions WHERE permission_id = {last}")).await.unwrap();
    store.db.execute(&format!("DELETE FROM auth_permission WHERE id = {last}")).await.unwrap();
    let reused = "INSERT INTO auth_permission (id, app_label, model, codename, name) \
        SELECT MAX(id) + 1, 'blog', 'post', 'archive_post', 'Can archive post' FROM auth_permission";
    store.db.execute(reused).await.unwrap();
    store.db.execute(&format!("INSERT INTO auth_user_user_permissions (user_id, permission_id) SELECT u.id, {last} FROM auth_user u WHERE u.username = 'bob'")).await.unwrap();
    let bob = cold.get_user("bob").await.unwrap();
    assert!(!bob.has_perm(name.as_str()), "{name} was deleted; its id now names a row no model declares");
    assert!(bob.get_user_permissions().is_empty());
    if sqlite {
        // SQLite gave the deleted row's id to a new one: the deleted permission is not in the
        // database any more (no list of the rows that held an id), and granting it is refused,
        // not a grant of the row that has its id now.
        let listed = store.users_with_perm(name.as_str(), WithPerm::default()).await;
        assert!(matches!(listed, Err(StoreError::UnknownPermission(_))), "{listed:?}");
        let granted = store.grant_user(SYSTEM, "alice", [name.as_str()]).await;
        assert!(matches!(granted, Err(StoreError::UnknownPermission(_))), "{granted:?}");
    }
}

async fn a_change_shows_in_the_next_load(store: TestStore) {
    setup(&store).await;
    store.grant_user(SYSTEM, "bob", ["blog.publish_post"]).await.unwrap();
    let cached = store.get_user("bob").await.unwrap();
    assert!(cached.has_perm("blog.publish_post"));
    assert!(store.get_user("bob").await.unwrap().has_perm("blog.publish_post"));
    store.revoke_user(SYSTEM, "bob", ["blog.publish_post"]).await.unwrap();
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.publish_post"));
    assert!(cached.has_perm("blog.publish_post"), "a loaded user is a snapshot");
    // Through a group's grant, too.
    store.create_group(SYSTEM, "G").await.unwrap();
    store.add_to_group(SYSTEM, "bob", "G").await.unwrap();
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.feature_post"));
    store.grant_group(SYSTEM, "G", ["blog.feature_post"]).await.unwrap();
    assert!(store.get_user("bob").await.unwrap().has_perm("blog.feature_post"));
    store.delete_group(SYSTEM, "G").await.unwrap();
    assert!(!store.get_user("bob").await.unwrap().has_perm("blog.feature_post"));
}

async fn bad_input_is_a_typed_error_and_writes_nothing(store: TestStore) {
    setup(&store).await;
    let before = audit_len(&store).await;
    let long = "x".repeat(151);
    for bad in ["", long.as_str(), "has space", "semi;colon"] {
        assert!(
            matches!(
                store.create_user(SYSTEM, bad, "", None).await,
                Err(StoreError::InvalidName { what: "username", .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(store.create_user(SYSTEM, "bob", "", None).await, Err(StoreError::UsernameTaken(_))));
    assert!(matches!(store.create_group(SYSTEM, "").await, Err(StoreError::InvalidName { .. })));
    assert!(matches!(store.create_group(SYSTEM, &long).await, Err(StoreError::InvalidName { .. })));
    store.create_group(SYSTEM, "G").await.unwrap();
    let after_group = audit_len(&store).await;
    assert!(matches!(store.create_group(SYSTEM, "G").await, Err(StoreError::GroupNameTaken(_))));
    assert!(matches!(store.grant_user(SYSTEM, "bob", ["blog.nope"]).await, Err(StoreError::UnknownPermission(_))));
    assert!(matches!(store.grant_user(SYSTEM, "bob", ["nodot"]).await, Err(StoreError::MalformedPermission(_))));
    assert!(matches!(store.grant_user(SYSTEM, "nobody", ["blog.view_post"]).await, Err(StoreError::UserNotFound(_))));
    assert!(matches!(
        store.grant_group(SYSTEM, "nogroup", ["blog.view_post"]).await,
        Err(StoreError::GroupNotFound(_))
    ));
    assert!(matches!(store.add_to_group(SYSTEM, "bob", "nogroup").await, Err(StoreError::GroupNotFound(_))));
    assert!(matches!(store.get_user("nobody").await, Err(StoreError::UserNotFound(_))));
    assert_eq!(audit_len(&store).await, after_group);
    assert_eq!(after_group, before + 1);
    let message = store.grant_user(SYSTEM, "bob", ["blog.nope"]).await.unwrap_err().to_string();
    assert!(message.contains("blog.nope"), "{message}");
}

async fn groups_rename_delete_and_members(store: TestStore) {
    setup(&store).await;
    store.create_group(SYSTEM, "Writers").await.unwrap();
    store.grant_group(SYSTEM, "Writers", [Post::ADD_POST, Post::CHANGE_POST]).await.unwrap();
    assert!(store.add_to_group(SYSTEM, "alice", "Writers").await.unwrap());
    assert!(!store.add_to_group(SYSTEM, "alice", "Writers").await.unwrap(), "already a member");
    store.add_to_group(SYSTEM, "bob", "Writers").await.unwrap();
    assert_eq!(store.group_members("Writers").await.unwrap(), ["alice", "bob"]);
    store.rename_group(SYSTEM, "Writers", "Senior Writers").await.unwrap();
    assert_eq!(store.get_user("alice").await.unwrap().groups().collect::<Vec<_>>(), ["Senior Writers"]);
    let groups = store.list_groups().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].name.as_str(), groups[0].members), ("Senior Writers", 2));
    assert_eq!(groups[0].permissions, ["blog.add_post", "blog.change_post"]);
    assert!(store.remove_from_group(SYSTEM, "bob", "Senior Writers").await.unwrap());
    assert!(!store.get_user("bob").await.unwrap().has_perm(Post::ADD_POST));
    store.revoke_group(SYSTEM, "Senior Writers", [Post::CHANGE_POST]).await.unwrap();
    assert!(!store.get_user("alice").await.unwrap().has_perm(Post::CHANGE_POST));
    store.delete_group(SYSTEM, "Senior Writers").await.unwrap();
    assert!(matches!(store.get_group("Senior Writers").await, Err(StoreError::GroupNotFound(_))));
    assert!(store.get_user("alice").await.unwrap().groups().next().is_none());
}

async fn passwords_and_authentication(store: TestStore) {
    let (root, manager) = setup(&store).await;
    assert!(store.check_password("root", "root-password").await.unwrap());
    assert!(!store.check_password("root", "wrong").await.unwrap());
    assert!(store.authenticate("root", "root-password").await.unwrap().is_some());
    assert!(store.authenticate("root", "wrong").await.unwrap().is_none());
    assert!(store.authenticate("ghost", "whatever").await.unwrap().is_none());
    assert!(store.authenticate("bob", "").await.unwrap().is_none(), "no password: unusable");
    store.set_password(&Actor::user(&manager), "bob", "bob-password").await.unwrap();
    assert!(store.authenticate("bob", "bob-password").await.unwrap().is_some());
    let bob = store.get_user("bob").await.unwrap();
    store.set_password(&Actor::user(&bob), "bob", "new-password").await.unwrap();
    assert_eq!(
        refused(store.set_password(&Actor::user(&bob), "alice", "x-x-x-x").await),
        Rule::NeedsPermission { perm: "auth.change_user" }
    );
    assert_eq!(refused(store.set_password(&Actor::user(&manager), "root", "x-x-x-x").await), Rule::SuperuserOnly);
    store.set_active(&Actor::user(&root), "bob", false).await.unwrap();
    assert!(store.authenticate("bob", "new-password").await.unwrap().is_none(), "inactive users do not log in");
    assert!(matches!(store.set_password(SYSTEM, "bob", "").await, Err(StoreError::Password(_))));
}

async fn listing_users_pages_and_searches(store: TestStore) {
    setup(&store).await;
    for (name, email) in
        [("d_1", "d1@mail.test"), ("d2", "d%2@mail.test"), ("dave.smith", "ds@mail.test"), ("ünïcode", "u@mail.test")]
    {
        store.create_user(SYSTEM, name, email, None).await.unwrap();
    }
    let first = store.list_users(UserPage::first().limit(3)).await.unwrap();
    assert_eq!(first.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["alice", "bob", "carol"]);
    let next = store.list_users(UserPage::first().after("carol").limit(3)).await.unwrap();
    assert_eq!(next[0].username, "d2");
    let search = |q: &'static str| {
        let store = store.clone();
        async move {
            store
                .list_users(UserPage::first().search(q))
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.username)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("_").await, ["d_1"], "`_` is matched literally");
    assert_eq!(search("%").await, ["d2"], "`%` is matched literally");
    assert_eq!(search("ünï").await, ["ünïcode"]);
    assert_eq!(search("mail.test").await.len(), 4);
    assert_eq!(search("'; DROP TABLE auth_user; --").await.len(), 0);
    assert!(search(&*"x".repeat(10_000).leak()).await.is_empty());
    assert_eq!(store.list_users(UserPage::first()).await.unwrap().len(), 9);
}

async fn concurrent_grants_and_revokes_agree_with_the_audit_log(store: TestStore) {
    setup(&store).await;
    let users = ["alice", "bob", "carol"];
    let perms = ["blog.view_post", "blog.publish_post", "blog.feature_post"];
    let mut tasks = Vec::new();
    for task in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for step in 0..12 {
                let user = users[(task + step) % users.len()];
                let perm = perms[(task * 7 + step) % perms.len()];
                if (task + step) % 2 == 0 {
                    store.grant_user(SYSTEM, user, [perm]).await.unwrap();
                } else {
                    store.revoke_user(SYSTEM, user, [perm]).await.unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Replaying the audit log from the start gives the state the database holds.
    let mut log = store.audit(AuditQuery::new().limit(10_000)).await.unwrap();
    log.reverse();
    let mut replayed = std::collections::HashSet::new();
    for entry in log.iter().filter(|e| e.action == "grant_user" || e.action == "revoke_user") {
        let key = (entry.target_user.clone().unwrap(), entry.permission.clone().unwrap());
        if entry.action == "grant_user" {
            assert!(replayed.insert(key), "a grant of something already held was logged");
        } else {
            assert!(replayed.remove(&key), "a revoke of something not held was logged");
        }
    }
    for user in users {
        let held = store.get_user(user).await.unwrap().get_user_permissions();
        let expected: std::collections::HashSet<String> =
            replayed.iter().filter(|(u, p)| u == user && p.starts_with("blog.")).map(|(_, p)| p.clone()).collect();
        assert_eq!(held, expected, "{user}");
    }
}

async fn a_newer_schema_is_refused(store: TestStore) {
    store.db.execute("INSERT INTO permfw_migrations (version, applied_at) VALUES (99, 0)").await.unwrap();
    let err = store.migrate().await.unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("upgrade permfw"), "{err}");
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_says_why() {
    let err = Store::open("mysql://localhost/app").await.unwrap_err();
    assert!(matches!(&err, StoreError::Open { .. }) && err.to_string().contains("sqlite://"), "{err}");
    let err = Store::open("sqlite:///nonexistent-dir/sub/blog.db").await.unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    let err = Store::open("postgres://nobody:secret@127.0.0.1:1/none").await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }) && !message.contains("secret"), "{message}");
}

#[tokio::test]
async fn a_sqlite_file_is_created_when_missing() {
    let url = support::sqlite_file_url();
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), 0);
    store.migrate().await.unwrap();
    drop(store);
    let again = Store::open(&url).await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), Store::latest_schema_version());
}

async fn sessions_and_tokens(store: TestStore) {
    let (_, manager) = setup(&store).await;
    let bob = store.get_user("bob").await.unwrap();
    let session = store.create_session(&bob, 3600).await.unwrap();
    let live = store.session_user(&session.key).await.unwrap().unwrap();
    assert_eq!((live.user.username(), live.csrf_token.as_str()), ("bob", session.csrf_token.as_str()));
    assert_ne!(store.create_session(&bob, 3600).await.unwrap().key, session.key, "a new key each login");
    store.end_session(&session.key).await.unwrap();
    assert!(store.session_user(&session.key).await.unwrap().is_none(), "a session ends at logout");
    let expired = store.create_session(&bob, 0).await.unwrap();
    assert!(store.session_user(&expired.key).await.unwrap().is_none());
    assert!(store.session_user("made-up").await.unwrap().is_none());

    let NewToken { id, token, .. } = store.create_token(&Actor::user(&bob), "bob", "laptop", None).await.unwrap();
    assert!(token.starts_with("pfw_"));
    assert_eq!(store.token_user(&token).await.unwrap().unwrap().user.username(), "bob");
    assert_eq!(
        refused(store.create_token(&Actor::user(&bob), "carol", "x", None).await),
        Rule::NeedsPermission { perm: "auth.change_user" }
    );
    store.create_token(&Actor::user(&manager), "carol", "for carol", None).await.unwrap();
    store.revoke_token(&Actor::user(&bob), id).await.unwrap();
    assert!(store.token_user(&token).await.unwrap().is_none(), "a revoked token is refused");
    let old = store.create_token(SYSTEM, "bob", "old", Some(1)).await.unwrap().token;
    assert!(store.token_user(&old).await.unwrap().is_none(), "an expired token is refused");
    assert!(store.token_user("pfw_made_up").await.unwrap().is_none());
    let log = store.audit(AuditQuery::new().action("create_token")).await.unwrap();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|e| !e.detail.contains("pfw_")), "tokens never reach the audit log");
}

async fn effective_permissions_say_where_each_comes_from(store: TestStore) {
    setup(&store).await;
    for group in ["Editors", "Writers"] {
        store.create_group(SYSTEM, group).await.unwrap();
        store.grant_group(SYSTEM, group, [Post::CHANGE_POST]).await.unwrap();
        store.add_to_group(SYSTEM, "bob", group).await.unwrap();
    }
    store.grant_group(SYSTEM, "Editors", [Post::PUBLISH_POST]).await.unwrap();
    store.grant_user(SYSTEM, "bob", [Post::PUBLISH_POST, Post::VIEW_POST]).await.unwrap();

    let effective = store.effective_permissions("bob").await.unwrap();
    let shown: Vec<(String, bool, Vec<String>)> =
        effective.iter().map(|e| (e.permission.to_string(), e.direct, e.groups.clone())).collect();
    let groups = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        shown,
        [
            ("blog.change_post".to_owned(), false, groups(&["Editors", "Writers"])),
            ("blog.publish_post".to_owned(), true, groups(&["Editors"])),
            ("blog.view_post".to_owned(), true, groups(&[])),
        ]
    );
    // The same set the snapshot holds.
    let bob = store.get_user("bob").await.unwrap();
    assert_eq!(effective.len(), bob.get_all_permissions().len());
    assert!(store.effective_permissions("alice").await.unwrap().is_empty());
    assert!(matches!(store.effective_permissions("nobody").await, Err(StoreError::UserNotFound(_))));
}
