//! Builds the scale data set of the store benches in a few set-based statements: users,
//! 20 groups of about 25 permissions, and about 5 million grants and memberships for 1 million
//! users. The blog's permissions are left ungranted, for the grant benches.

use std::time::Instant;

use permfw::store::{AuditQuery, Store, StoreError, UserPage};

use crate::db::Db;

/// Opens `url`, migrates, and seeds `users` users unless they are there already; returns the
/// store and the pool it shares.
///
/// # Errors
///
/// A database error.
pub async fn seed(url: &str, users: u64, verbose: bool) -> Result<(Store, Db), StoreError> {
    let db = Db::open(url).await?;
    let store = db.store(|options| options).await?;
    store.migrate().await?;
    let last = format!("user{users:07}");
    if store.get_user(&last).await.is_ok() {
        if verbose {
            println!("{url}: already seeded with {users} users");
        }
        audit_history(&store, &db, url, verbose).await?;
        return Ok((store, db));
    }
    let numbers = if store.is_postgres() {
        format!("SELECT i FROM generate_series(1, {users}) AS s(i)")
    } else {
        format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {users}) SELECT i FROM s")
    };
    let filler = "(SELECT MIN(id) FROM auth_permission WHERE app_label = 'filler')";
    let filler_count = "(SELECT COUNT(*) FROM auth_permission WHERE app_label = 'filler')";
    let padded = if store.is_postgres() { "lpad(i::text, 7, '0')" } else { "printf('%07d', i)" };
    let steps = [
        (
            "users",
            format!(
                "INSERT INTO auth_user (username, email, password, is_active, is_staff, is_superuser, date_joined) \
                 SELECT 'user' || {padded}, 'user' || {padded} || '@example.com', '', TRUE, FALSE, FALSE, 0 FROM ({numbers}) AS n"
            ),
        ),
        (
            "groups",
            "INSERT INTO auth_group (name) SELECT 'group' || i FROM (SELECT DISTINCT id % 20 + 1 AS i FROM auth_permission) AS g".to_owned(),
        ),
        (
            "group permissions",
            "INSERT INTO auth_group_permissions (group_id, permission_id) SELECT g.id, p.id FROM auth_group g \
             JOIN auth_permission p ON p.app_label = 'filler' AND p.id % 20 = g.id % 20"
                .to_owned(),
        ),
        (
            "memberships",
            "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, 1 + id % 20 FROM auth_user".to_owned(),
        ),
        (
            "second memberships",
            "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, 1 + (id / 20 + 7) % 20 FROM auth_user \
             WHERE id % 2 = 0 ON CONFLICT DO NOTHING"
                .to_owned(),
        ),
    ];
    let grants = (0..4).map(|k| {
        let half = if k == 3 { "WHERE id % 2 = 1" } else { "WHERE TRUE" };
        (
            "direct grants",
            format!(
                "INSERT INTO auth_user_user_permissions (user_id, permission_id) \
                 SELECT id, {filler} + (id * 7 + {k} * 131) % {filler_count} FROM auth_user {half} ON CONFLICT DO NOTHING"
            ),
        )
    });
    for (what, sql) in steps.into_iter().chain(grants).chain([("statistics", "ANALYZE".to_owned())]) {
        let started = Instant::now();
        db.execute(&sql).await?;
        if verbose {
            println!("{url}: {what} in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    // Checkpoints the seeding's WAL too.
    audit_history(&store, &db, url, verbose).await?;
    let _ = store.list_users(UserPage::first().limit(1)).await?;
    Ok((store, db))
}

/// The audit log that a store which made every seeded grant and membership would hold: one row
/// each (about 5,000,000 at 1,000,000 users), written once, by the actor `seed`. Measurements of
/// writes depend on it: each change adds a row to the log and its indexes, and the benches remove
/// the rows they add, so that every run starts from this log.
async fn audit_history(store: &Store, db: &Db, url: &str, verbose: bool) -> Result<(), StoreError> {
    let seeded = store.audit(AuditQuery::new().actor("seed").limit(1)).await?;
    if !seeded.is_empty() {
        return Ok(());
    }
    let steps = [
        "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
         SELECT 0, 'seed', 'grant_user', u.username, p.app_label || '.' || p.codename, '' FROM auth_user_user_permissions up \
         JOIN auth_user u ON u.id = up.user_id JOIN auth_permission p ON p.id = up.permission_id ORDER BY up.user_id",
        "INSERT INTO permfw_audit (at, actor, action, target_user, target_group, detail) \
         SELECT 0, 'seed', 'add_member', u.username, g.name, '' FROM auth_user_groups ug \
         JOIN auth_user u ON u.id = ug.user_id JOIN auth_group g ON g.id = ug.group_id ORDER BY ug.user_id",
    ];
    let started = Instant::now();
    for sql in steps {
        db.execute(sql).await?;
    }
    if !store.is_postgres() {
        // The WAL (hundreds of megabytes) back into the database, so that measurements start
        // from a settled file.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    if verbose {
        println!(
            "{url}: the audit log of the seeded grants and memberships in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
