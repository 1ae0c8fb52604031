//! The store's SQL on SQLite, whole. Binds are numbered (`$1`), as on PostgreSQL; SQLite binds
//! them by number, so a statement of a list may use a subset of the list's arguments.

use super::built::Built;
use super::statements::Statements;

pub(crate) static STATEMENTS: Statements = Statements {
    migrations: &[
        (1, include_str!("migrations/sqlite/0001_initial.sql")),
        (2, include_str!("migrations/sqlite/0002_sessions_and_tokens.sql")),
        (3, include_str!("migrations/sqlite/0003_user_search.sql")),
        (4, include_str!("migrations/sqlite/0004_throttle_and_token_use.sql")),
        (5, include_str!("migrations/sqlite/0005_requests_and_expiry.sql")),
        (6, include_str!("migrations/sqlite/0006_expiry_in_holder_indexes.sql")),
        (7, include_str!("migrations/sqlite/0007_invitations.sql")),
        (8, include_str!("migrations/sqlite/0008_group_member_counts.sql")),
        (9, include_str!("migrations/sqlite/0009_user_list_filters.sql")),
        (10, include_str!("migrations/sqlite/0010_audit_filters.sql")),
        (11, include_str!("migrations/sqlite/0011_permission_epoch.sql")),
    ],
    create_ledger: "CREATE TABLE IF NOT EXISTS permfw_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    schema_version: "SELECT MAX(version) FROM permfw_migrations",
    applied_migrations: "SELECT version FROM permfw_migrations",
    record_migration: "INSERT INTO permfw_migrations (version, applied_at) VALUES ($1, $2)",

    // The revision row is read by subqueries, not joined: with a second table in the FROM clause
    // SQLite's planner weighs the bound username (STAT4) and re-prepares the statement for each
    // new one, which tripled a cold snapshot's time (seen as sqlite3Reprepare in a profile).
    snapshot_by_name: "\
        SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, \
        (SELECT revision FROM permfw_revision WHERE id = 1), (SELECT permissions FROM permfw_revision WHERE id = 1), \
        (SELECT group_concat(up.permission_id, ' ') FROM auth_user_user_permissions up \
         WHERE up.user_id = u.id AND (up.expires_at IS NULL OR up.expires_at > $2)), \
        (SELECT group_concat(g.name || char(31) || COALESCE((SELECT group_concat(gp.permission_id, ' ') \
         FROM auth_group_permissions gp WHERE gp.group_id = g.id), ''), char(30)) \
         FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
         WHERE ug.user_id = u.id AND (ug.expires_at IS NULL OR ug.expires_at > $2)), \
        (SELECT MIN(e.expires_at) FROM (SELECT up.expires_at FROM auth_user_user_permissions up \
         WHERE up.user_id = u.id AND up.expires_at > $2 UNION ALL SELECT ug.expires_at FROM auth_user_groups ug \
         WHERE ug.user_id = u.id AND ug.expires_at > $2) AS e) \
        FROM auth_user u WHERE u.username = $1",
    snapshot_by_id: "\
        SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, \
        (SELECT revision FROM permfw_revision WHERE id = 1), (SELECT permissions FROM permfw_revision WHERE id = 1), \
        (SELECT group_concat(up.permission_id, ' ') FROM auth_user_user_permissions up \
         WHERE up.user_id = u.id AND (up.expires_at IS NULL OR up.expires_at > $2)), \
        (SELECT group_concat(g.name || char(31) || COALESCE((SELECT group_concat(gp.permission_id, ' ') \
         FROM auth_group_permissions gp WHERE gp.group_id = g.id), ''), char(30)) \
         FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
         WHERE ug.user_id = u.id AND (ug.expires_at IS NULL OR ug.expires_at > $2)), \
        (SELECT MIN(e.expires_at) FROM (SELECT up.expires_at FROM auth_user_user_permissions up \
         WHERE up.user_id = u.id AND up.expires_at > $2 UNION ALL SELECT ug.expires_at FROM auth_user_groups ug \
         WHERE ug.user_id = u.id AND ug.expires_at > $2) AS e) \
        FROM auth_user u WHERE u.id = $1",
    effective_permissions: "\
        SELECT NULL, NULL FROM auth_user WHERE username = $1 \
        UNION ALL \
        SELECT p.app_label || '.' || p.codename, NULL FROM auth_user u \
        JOIN auth_user_user_permissions up ON up.user_id = u.id JOIN auth_permission p ON p.id = up.permission_id \
        WHERE u.username = $1 AND (up.expires_at IS NULL OR up.expires_at > $2) \
        UNION ALL \
        SELECT p.app_label || '.' || p.codename, g.name FROM auth_user u \
        JOIN auth_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id \
        JOIN auth_group_permissions gp ON gp.group_id = g.id JOIN auth_permission p ON p.id = gp.permission_id \
        WHERE u.username = $1 AND (ug.expires_at IS NULL OR ug.expires_at > $2)",
    revision: "SELECT revision FROM permfw_revision WHERE id = 1",
    bump_revision: "UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision",
    permission_id: "SELECT id FROM auth_permission WHERE app_label = $1 AND codename = $2",
    insert_audit: "INSERT INTO permfw_audit (at, actor, action, target_user, target_group, permission, detail) \
        VALUES ($1, $2, $3, $4, $5, $6, $7)",
    select_audit: "SELECT id, at, actor, action, target_user, target_group, permission, detail FROM permfw_audit WHERE TRUE",
    audit_filter,
    audit_dates,
    audit_provenance: "SELECT id, action, target_group, permission, actor, at, detail FROM permfw_audit WHERE id IN ( \
        SELECT MAX(id) FROM permfw_audit INDEXED BY permfw_audit_target_user WHERE target_user = $1 \
        AND action IN ('grant_user', 'add_member', 'create_superuser', 'set_superuser') \
        GROUP BY action, target_group, permission \
        UNION ALL \
        SELECT MAX(id) FROM permfw_audit INDEXED BY permfw_audit_group_grants WHERE action = 'grant_group' \
        AND target_group IN (SELECT value FROM json_each($2)) GROUP BY target_group, permission)",
    why_not: "\
        SELECT 'direct', NULL, up.expires_at, NULL FROM auth_user_user_permissions up \
        WHERE up.user_id = $1 AND up.permission_id = $2 \
        UNION ALL \
        SELECT 'member', g.name, ug.expires_at, NULL FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
        WHERE ug.user_id = $1 \
        UNION ALL \
        SELECT 'holder', g.name, NULL, NULL FROM auth_group_permissions gp JOIN auth_group g ON g.id = gp.group_id \
        WHERE gp.permission_id = $2 \
        UNION ALL \
        SELECT * FROM (SELECT action, detail, at, actor FROM permfw_audit INDEXED BY permfw_audit_target_user \
        WHERE target_user = $3 AND permission = $4 \
        AND action IN ('grant_user', 'revoke_user', 'expired') ORDER BY id DESC LIMIT 1)",
    users_by_ids: "SELECT id, username, is_active, is_superuser FROM auth_user \
        WHERE id IN (SELECT value FROM json_each($1)) ORDER BY id",
    users_permissions: "\
        SELECT up.user_id, p.app_label || '.' || p.codename, NULL FROM auth_user_user_permissions up \
        JOIN auth_permission p ON p.id = up.permission_id \
        WHERE up.user_id IN (SELECT value FROM json_each($1)) AND (up.expires_at IS NULL OR up.expires_at > $2) \
        UNION ALL \
        SELECT ug.user_id, p.app_label || '.' || p.codename, g.name FROM auth_user_groups ug \
        JOIN auth_group g ON g.id = ug.group_id JOIN auth_group_permissions gp ON gp.group_id = g.id \
        JOIN auth_permission p ON p.id = gp.permission_id \
        WHERE ug.user_id IN (SELECT value FROM json_each($1)) AND (ug.expires_at IS NULL OR ug.expires_at > $2)",

    any_superuser: "SELECT username FROM auth_user WHERE is_superuser LIMIT 1",
    user_id: "SELECT id FROM auth_user WHERE username = $1",
    user_target: "SELECT id, is_superuser FROM auth_user WHERE username = $1",
    insert_user: "INSERT INTO auth_user (username, email, password, is_active, is_staff, is_superuser, date_joined) \
        VALUES ($1, $2, $3, TRUE, $4, $4, $5)",
    user_password: "SELECT password, is_active FROM auth_user WHERE username = $1",
    touch_last_login: "UPDATE auth_user SET last_login = $1 WHERE username = $2",
    set_password: "UPDATE auth_user SET password = $1 WHERE id = $2",
    set_email: "UPDATE auth_user SET email = $1 WHERE id = $2",
    set_active: "UPDATE auth_user SET is_active = $1 WHERE id = $2",
    set_staff: "UPDATE auth_user SET is_staff = $1 WHERE id = $2",
    set_superuser: "UPDATE auth_user SET is_superuser = $1 WHERE id = $2",
    select_users: "SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, u.date_joined \
        FROM auth_user u WHERE TRUE",
    search_users,
    user_ids_in,

    grant_user: &[
        "INSERT INTO auth_user_user_permissions AS t (user_id, permission_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, permission_id) DO UPDATE SET expires_at = \
         CASE WHEN excluded.expires_at IS NULL THEN NULL ELSE max(t.expires_at, excluded.expires_at) END \
         WHERE t.expires_at IS NOT NULL",
        "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
         SELECT $4, $5, 'grant_user', $6, $7, $8 WHERE changes() > 0",
        "UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 AND changes() > 0 RETURNING revision",
    ],
    revoke_user: &[
        "DELETE FROM auth_user_user_permissions WHERE user_id = $1 AND permission_id = $2",
        "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
         SELECT $3, $4, 'revoke_user', $5, $6, $7 WHERE changes() > 0",
        "UPDATE permfw_revision SET revision = revision + 1 WHERE id = 1 AND changes() > 0 RETURNING revision",
    ],
    count_named_users: "SELECT COUNT(*) FROM auth_user WHERE username IN (SELECT value FROM json_each($1))",
    named_users: "SELECT username FROM auth_user WHERE username IN (SELECT value FROM json_each($1))",
    named_off_limits: "SELECT id, is_superuser FROM auth_user WHERE username IN (SELECT value FROM json_each($1)) \
        AND (is_superuser OR id = $2) LIMIT 1",
    bulk_grant: &[
        "INSERT INTO permfw_audit (at, actor, action, target_user, permission) \
         SELECT $1, $2, 'grant_user', u.username, $3 FROM auth_user u \
         WHERE u.username IN (SELECT value FROM json_each($4)) AND NOT EXISTS \
         (SELECT 1 FROM auth_user_user_permissions up WHERE up.user_id = u.id AND up.permission_id = $5 \
         AND up.expires_at IS NULL)",
        "INSERT INTO auth_user_user_permissions AS t (user_id, permission_id) \
         SELECT id, $5 FROM auth_user WHERE username IN (SELECT value FROM json_each($4)) \
         ON CONFLICT (user_id, permission_id) DO UPDATE SET expires_at = NULL WHERE t.expires_at IS NOT NULL",
    ],
    bulk_targets: "SELECT u.id, u.username, u.is_superuser, u.is_active, \
        EXISTS (SELECT 1 FROM auth_user_groups ug WHERE ug.user_id = u.id AND ug.group_id = $2 AND ug.expires_at IS NULL), \
        EXISTS (SELECT 1 FROM auth_user_user_permissions up WHERE up.user_id = u.id AND up.permission_id = $3 \
        AND up.expires_at IS NULL) \
        FROM auth_user u WHERE u.username IN (SELECT value FROM json_each($1))",
    bulk_add_member: &[
        "INSERT INTO permfw_audit (at, actor, action, target_user, target_group) \
         SELECT $1, $2, 'add_member', u.username, $3 FROM auth_user u \
         WHERE u.username IN (SELECT value FROM json_each($4)) AND NOT EXISTS \
         (SELECT 1 FROM auth_user_groups ug WHERE ug.user_id = u.id AND ug.group_id = $5 AND ug.expires_at IS NULL)",
        "INSERT INTO auth_user_groups AS t (user_id, group_id) \
         SELECT id, $5 FROM auth_user WHERE username IN (SELECT value FROM json_each($4)) \
         ON CONFLICT (user_id, group_id) DO UPDATE SET expires_at = NULL WHERE t.expires_at IS NOT NULL",
    ],
    bulk_deactivate: &[
        "DELETE FROM permfw_session WHERE user_id IN \
         (SELECT id FROM auth_user WHERE username IN (SELECT value FROM json_each($3)))",
        "UPDATE permfw_token SET revoked_at = $1 WHERE revoked_at IS NULL AND user_id IN \
         (SELECT id FROM auth_user WHERE username IN (SELECT value FROM json_each($3)))",
        "INSERT INTO permfw_audit (at, actor, action, target_user, detail) \
         SELECT $1, $2, 'set_active', username, 'false' FROM auth_user \
         WHERE username IN (SELECT value FROM json_each($3)) AND is_active",
        "UPDATE auth_user SET is_active = FALSE WHERE username IN (SELECT value FROM json_each($3)) AND is_active",
    ],
    select_superusers: "SELECT id, username FROM auth_user u WHERE is_superuser",
    select_direct_holders: "SELECT u.id, u.username FROM auth_user_user_permissions up \
        JOIN auth_user u ON u.id = up.user_id WHERE up.permission_id = ",
    select_group_members: "SELECT u.id, u.username FROM auth_user_groups ug \
        JOIN auth_user u ON u.id = ug.user_id WHERE ug.group_id = ",
    groups_with_permission: "SELECT group_id FROM auth_group_permissions WHERE permission_id = $1",

    group_id: "SELECT id FROM auth_group WHERE name = $1",
    group_permissions: "SELECT p.app_label || '.' || p.codename FROM auth_group_permissions gp \
        JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = $1",
    group_by_name: "SELECT p.app_label || '.' || p.codename FROM auth_group g \
        LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id \
        LEFT JOIN auth_permission p ON p.id = gp.permission_id WHERE g.name = $1",
    list_groups: "SELECT g.name, g.member_count, p.app_label || '.' || p.codename FROM auth_group g \
        LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id \
        LEFT JOIN auth_permission p ON p.id = gp.permission_id ORDER BY g.name",
    group_member_names: "SELECT u.username FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id \
        JOIN auth_user u ON u.id = ug.user_id WHERE g.name = $1 \
        AND (ug.expires_at IS NULL OR ug.expires_at > $2) ORDER BY u.username",
    insert_group: "INSERT INTO auth_group (name) VALUES ($1)",
    group_summary: "SELECT id, member_count FROM auth_group WHERE name = $1",
    select_group_member_page: "SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, u.date_joined \
        FROM auth_user_groups ug JOIN auth_user u ON u.id = ug.user_id WHERE ug.group_id = ",
    group_losses: "SELECT u.id, u.username, u.is_superuser, p.app_label || '.' || p.codename \
        FROM (SELECT ug.user_id FROM auth_user_groups ug WHERE ug.group_id = $1 \
        AND (ug.expires_at IS NULL OR ug.expires_at > $2) ORDER BY ug.user_id LIMIT $3) m \
        JOIN auth_user u ON u.id = m.user_id \
        LEFT JOIN auth_group_permissions gp ON gp.group_id = $1 AND NOT u.is_superuser \
        AND NOT EXISTS (SELECT 1 FROM auth_user_user_permissions up WHERE up.user_id = u.id \
        AND up.permission_id = gp.permission_id AND (up.expires_at IS NULL OR up.expires_at > $2)) \
        AND NOT EXISTS (SELECT 1 FROM auth_user_groups og JOIN auth_group_permissions ogp ON ogp.group_id = og.group_id \
        WHERE og.user_id = u.id AND og.group_id <> $1 AND ogp.permission_id = gp.permission_id \
        AND (og.expires_at IS NULL OR og.expires_at > $2)) \
        LEFT JOIN auth_permission p ON p.id = gp.permission_id ORDER BY u.id, 4",
    rename_group: "UPDATE auth_group SET name = $1 WHERE id = $2",
    delete_group: "DELETE FROM auth_group WHERE id = $1",
    group_has_members: "SELECT user_id FROM auth_user_groups WHERE group_id = $1 LIMIT 1",
    group_member_off_limits: "SELECT u.id, u.is_superuser FROM auth_user_groups ug JOIN auth_user u ON u.id = ug.user_id \
        WHERE ug.group_id = $1 AND (u.is_superuser OR u.id = $2) LIMIT 1",
    audit_deleted_group_members: "INSERT INTO permfw_audit (at, actor, action, target_user, target_group, detail) \
        SELECT $1, $2, 'remove_member', u.username, $3, 'group deleted' FROM auth_user_groups ug \
        JOIN auth_user u ON u.id = ug.user_id WHERE ug.group_id = $4",
    audit_deleted_group_permissions: "INSERT INTO permfw_audit (at, actor, action, target_group, permission, detail) \
        SELECT $1, $2, 'revoke_group', $3, p.app_label || '.' || p.codename, 'group deleted' \
        FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = $4",
    add_member: "INSERT INTO auth_user_groups AS t (user_id, group_id, expires_at) VALUES ($1, $2, $3) \
        ON CONFLICT (user_id, group_id) DO UPDATE SET expires_at = \
        CASE WHEN excluded.expires_at IS NULL THEN NULL ELSE max(t.expires_at, excluded.expires_at) END \
        WHERE t.expires_at IS NOT NULL",
    remove_member: "DELETE FROM auth_user_groups WHERE user_id = $1 AND group_id = $2",
    is_member: "SELECT user_id FROM auth_user_groups WHERE user_id = $1 AND group_id = $2",
    grant_group: "INSERT INTO auth_group_permissions (group_id, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    revoke_group: "DELETE FROM auth_group_permissions WHERE group_id = $1 AND permission_id = $2",

    insert_session: "INSERT INTO permfw_session (key_hash, user_id, csrf_token, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5)",
    session_user: "SELECT u.username, s.csrf_token FROM permfw_session s JOIN auth_user u ON u.id = s.user_id \
        WHERE s.key_hash = $1 AND s.expires_at > $2",
    delete_session: "DELETE FROM permfw_session WHERE key_hash = $1",
    end_sessions: "DELETE FROM permfw_session WHERE user_id = $1",
    revoke_tokens: "UPDATE permfw_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    list_tokens: "SELECT id, name, created_at, last_used_at, expires_at, revoked_at FROM permfw_token \
        WHERE user_id = $1 ORDER BY id DESC",
    touch_token: "UPDATE permfw_token SET last_used_at = $1 WHERE id = $2 \
        AND (last_used_at IS NULL OR last_used_at < $1 - 60000000)",
    insert_token: "INSERT INTO permfw_token (user_id, name, token_hash, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5) RETURNING id",
    token_owner: "SELECT u.username, u.id, u.is_superuser FROM permfw_token t JOIN auth_user u ON u.id = t.user_id \
        WHERE t.id = $1",
    revoke_token: "UPDATE permfw_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    token_user: "SELECT t.id, u.username, t.last_used_at, t.expires_at FROM permfw_token t \
        JOIN auth_user u ON u.id = t.user_id \
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",

    insert_invitation: "INSERT INTO permfw_invitation (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    invitation_user: "SELECT u.id, u.username FROM permfw_invitation i JOIN auth_user u ON u.id = i.user_id \
        WHERE i.token_hash = $1 AND i.expires_at > $2 AND u.is_active",
    delete_invitations: "DELETE FROM permfw_invitation WHERE user_id = $1",
    user_memberships: "SELECT g.name, ug.expires_at FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id \
        WHERE ug.user_id = $1 AND (ug.expires_at IS NULL OR ug.expires_at > $2) ORDER BY g.name",
    group_names: "SELECT name FROM auth_group ORDER BY name LIMIT $1",

    insert_outbox: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        VALUES ($1, $2, $3, $4, $5, $1)",
    claim_outbox: "UPDATE permfw_outbox SET next_attempt_at = $1, attempts = attempts + 1 WHERE id IN \
        (SELECT id FROM permfw_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $2 ORDER BY id LIMIT $3) \
        RETURNING id, created_at, event, recipient, email, payload, attempts",
    outbox_delivered: "UPDATE permfw_outbox SET delivered_at = $1, last_error = NULL, \
        payload = CASE WHEN event = 'invitation' THEN json_remove(payload, '$.token') ELSE payload END WHERE id = $2",
    outbox_failed: "UPDATE permfw_outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3",
    count_undelivered: "SELECT COUNT(*) FROM permfw_outbox WHERE delivered_at IS NULL",

    insert_policy: "INSERT INTO permfw_request_policy (name, target_group_id, target_permissions, requester_group_id, \
        approver_group_id, approver_permission, approvals_needed, max_duration_secs, expire_after_days, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    delete_policy: "DELETE FROM permfw_request_policy WHERE name = $1",
    policy_by_name: "SELECT p.id, p.name, tg.name, p.target_permissions, rg.name, ag.name, p.approver_permission, \
        p.approvals_needed, p.max_duration_secs, p.expire_after_days FROM permfw_request_policy p \
        LEFT JOIN auth_group tg ON tg.id = p.target_group_id LEFT JOIN auth_group rg ON rg.id = p.requester_group_id \
        LEFT JOIN auth_group ag ON ag.id = p.approver_group_id WHERE p.name = $1",
    policy_by_id: "SELECT p.id, p.name, tg.name, p.target_permissions, rg.name, ag.name, p.approver_permission, \
        p.approvals_needed, p.max_duration_secs, p.expire_after_days FROM permfw_request_policy p \
        LEFT JOIN auth_group tg ON tg.id = p.target_group_id LEFT JOIN auth_group rg ON rg.id = p.requester_group_id \
        LEFT JOIN auth_group ag ON ag.id = p.approver_group_id WHERE p.id = $1",
    list_policies: "SELECT p.id, p.name, tg.name, p.target_permissions, rg.name, ag.name, p.approver_permission, \
        p.approvals_needed, p.max_duration_secs, p.expire_after_days FROM permfw_request_policy p \
        LEFT JOIN auth_group tg ON tg.id = p.target_group_id LEFT JOIN auth_group rg ON rg.id = p.requester_group_id \
        LEFT JOIN auth_group ag ON ag.id = p.approver_group_id ORDER BY p.name",
    open_request: "SELECT id FROM permfw_access_request WHERE requester_id = $1 AND policy_id = $2 AND status = 'open'",
    insert_request: "INSERT INTO permfw_access_request (policy_id, requester_id, justification, duration_secs, status, \
        created_at, expires_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
    select_requests: "SELECT r.id, p.name, u.username, r.justification, r.duration_secs, r.status, r.created_at, r.expires_at, \
        r.decided_at, (SELECT COUNT(*) FROM permfw_request_decision d WHERE d.request_id = r.id AND d.approve) \
        FROM permfw_access_request r JOIN permfw_request_policy p ON p.id = r.policy_id \
        JOIN auth_user u ON u.id = r.requester_id WHERE TRUE",
    request_state: "SELECT policy_id, requester_id, status, expires_at, duration_secs FROM permfw_access_request WHERE id = $1",
    decisions: "SELECT u.username, d.approve, d.comment, d.decided_at FROM permfw_request_decision d \
        JOIN auth_user u ON u.id = d.approver_id WHERE d.request_id = $1 ORDER BY d.decided_at, u.username",
    insert_decision: "INSERT INTO permfw_request_decision (request_id, approver_id, approve, comment, decided_at) \
        VALUES ($1, $2, $3, $4, $5)",
    has_decided: "SELECT approver_id FROM permfw_request_decision WHERE request_id = $1 AND approver_id = $2",
    count_approvals: "SELECT COUNT(*) FROM permfw_request_decision WHERE request_id = $1 AND approve",
    close_request: "UPDATE permfw_access_request SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'open'",
    notify_group_approvers: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        SELECT $1, 'request_created', u.username, u.email, $2, $1 FROM auth_user_groups ug \
        JOIN auth_user u ON u.id = ug.user_id WHERE ug.group_id = $3 AND u.is_active AND u.id <> $4 \
        AND (ug.expires_at IS NULL OR ug.expires_at > $1)",
    notify_permission_approvers: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        SELECT $1, 'request_created', u.username, u.email, $2, $1 FROM auth_user u WHERE u.is_active AND u.id <> $4 \
        AND (u.id IN (SELECT up.user_id FROM auth_user_user_permissions up WHERE up.permission_id = $3 \
        AND (up.expires_at IS NULL OR up.expires_at > $1)) \
        OR u.id IN (SELECT ug.user_id FROM auth_user_groups ug JOIN auth_group_permissions gp ON gp.group_id = ug.group_id \
        WHERE gp.permission_id = $3 AND (ug.expires_at IS NULL OR ug.expires_at > $1)))",
    audit_expired_grants: "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
        SELECT $1, '<system>', 'expired', u.username, p.app_label || '.' || p.codename, '' \
        FROM auth_user_user_permissions up JOIN auth_user u ON u.id = up.user_id \
        JOIN auth_permission p ON p.id = up.permission_id WHERE up.expires_at <= $1",
    audit_expired_memberships: "INSERT INTO permfw_audit (at, actor, action, target_user, target_group, detail) \
        SELECT $1, '<system>', 'expired', u.username, g.name, '' FROM auth_user_groups ug \
        JOIN auth_user u ON u.id = ug.user_id JOIN auth_group g ON g.id = ug.group_id WHERE ug.expires_at <= $1",
    notify_expired_grants: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        SELECT $1, 'grant_expired', u.username, u.email, \
        json_object('target', 'permission ' || p.app_label || '.' || p.codename, 'expired_at', up.expires_at), $1 \
        FROM auth_user_user_permissions up JOIN auth_user u ON u.id = up.user_id \
        JOIN auth_permission p ON p.id = up.permission_id WHERE up.expires_at <= $1",
    notify_expired_memberships: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        SELECT $1, 'grant_expired', u.username, u.email, \
        json_object('target', 'group ' || g.name, 'expired_at', ug.expires_at), $1 \
        FROM auth_user_groups ug JOIN auth_user u ON u.id = ug.user_id JOIN auth_group g ON g.id = ug.group_id \
        WHERE ug.expires_at <= $1",
    delete_expired_grants: "DELETE FROM auth_user_user_permissions WHERE expires_at <= $1",
    delete_expired_memberships: "DELETE FROM auth_user_groups WHERE expires_at <= $1",
    audit_expired_requests: "INSERT INTO permfw_audit (at, actor, action, target_user, detail) \
        SELECT $1, '<system>', 'request_expired', u.username, 'request #' || r.id \
        FROM permfw_access_request r JOIN auth_user u ON u.id = r.requester_id \
        WHERE r.status = 'open' AND r.expires_at <= $1",
    notify_expired_requests: "INSERT INTO permfw_outbox (created_at, event, recipient, email, payload, next_attempt_at) \
        SELECT $1, 'request_expired', u.username, u.email, \
        json_object('request_id', r.id, 'policy', p.name, 'target', CASE WHEN p.target_group_id IS NOT NULL THEN 'group ' || g.name ELSE 'permissions ' || p.target_permissions END), $1 \
        FROM permfw_access_request r JOIN auth_user u ON u.id = r.requester_id \
        JOIN permfw_request_policy p ON p.id = r.policy_id LEFT JOIN auth_group g ON g.id = p.target_group_id \
        WHERE r.status = 'open' AND r.expires_at <= $1",
    expire_requests: "UPDATE permfw_access_request SET status = 'expired', decided_at = $1 WHERE status = 'open' AND expires_at <= $1",

    all_permissions: "SELECT id, app_label, model, codename, name FROM auth_permission",
    permission_map: "SELECT p.id, p.app_label || '.' || p.codename, r.permissions FROM permfw_revision r \
        LEFT JOIN auth_permission p ON TRUE WHERE r.id = 1",
    permission_changes: Some("SELECT permissions FROM permfw_revision WHERE id = 1"),
    insert_permission: "INSERT INTO auth_permission (app_label, model, codename, name) VALUES ($1, $2, $3, $4)",
    update_permission: "UPDATE auth_permission SET name = $1, model = $2 WHERE id = $3",
    delete_permission: "DELETE FROM auth_permission WHERE id = $1",
    count_login_attempt: "INSERT INTO permfw_login_attempt AS a (key, attempts, window_start) VALUES ($1, 1, $2) \
        ON CONFLICT (key) DO UPDATE SET \
        attempts = CASE WHEN a.window_start < $3 THEN 1 ELSE a.attempts + 1 END, \
        window_start = CASE WHEN a.window_start < $3 THEN $2 ELSE a.window_start END \
        RETURNING attempts",
    clear_login_attempts: "DELETE FROM permfw_login_attempt WHERE key = $1",
    refund_login_attempt: "UPDATE permfw_login_attempt SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    audit_pruned_user_grants: "INSERT INTO permfw_audit (at, actor, action, target_user, permission, detail) \
        SELECT $1, '<system>', 'revoke_user', u.username, $2, 'stale permission pruned' \
        FROM auth_user_user_permissions up JOIN auth_user u ON u.id = up.user_id WHERE up.permission_id = $3",
    audit_pruned_group_grants: "INSERT INTO permfw_audit (at, actor, action, target_group, permission, detail) \
        SELECT $1, '<system>', 'revoke_group', g.name, $2, 'stale permission pruned' \
        FROM auth_group_permissions gp JOIN auth_group g ON g.id = gp.group_id WHERE gp.permission_id = $3",
};

/// Three characters or more go through the trigram index (FTS5) as one phrase, then `LIKE`
/// keeps Django's `icontains` exactly.
fn search_users<'a>(query: &mut Built<'a>, pattern: &'a str, phrase: Option<&'a str>) {
    if let Some(phrase) = phrase {
        query.push(" AND id IN (SELECT rowid FROM auth_user_search WHERE auth_user_search MATCH ");
        query.push_bind(phrase).push(")");
    }
    query.push(" AND (username LIKE ").push_bind(pattern).push(" ESCAPE '\\' OR email LIKE ");
    query.push_bind(pattern).push(" ESCAPE '\\')");
}

/// A date range of the audit log: the first and last ids of the range (through the index of
/// times, kept in (at, id) order), so that the log is read in id order from there instead of
/// sorting the whole range; and the times themselves, written `+at` to keep that index out of
/// the main plan.
fn audit_dates(query: &mut Built<'_>, since: Option<i64>, until: Option<i64>) {
    if let Some(since) = since {
        query.push(" AND +at >= ").push_bind(since);
        query.push(" AND id >= (SELECT id FROM permfw_audit WHERE at >= ").push_bind(since);
        query.push(" ORDER BY at, id LIMIT 1)");
    }
    if let Some(until) = until {
        query.push(" AND +at < ").push_bind(until);
        query.push(" AND id <= (SELECT id FROM permfw_audit WHERE at < ").push_bind(until);
        query.push(" ORDER BY at DESC, id DESC LIMIT 1)");
    }
}

/// The first filter leads through its index (`column, id`); the others carry SQLite's unary
/// `+`, which keeps their indexes out of the plan (a common action or permission read through
/// its index would scan millions of rows to find a user's few).
fn audit_filter<'a>(query: &mut Built<'a>, column: &'static str, value: &'a str, lead: bool) {
    query.push(if lead { " AND " } else { " AND +" }).push(column).push(" = ").push_bind(value);
}

/// The user list's small sets of ids (a group's members, a permission's holders), bound as one
/// JSON array.
fn user_ids_in<'a>(query: &mut Built<'a>, ids: &'a str) {
    query.push(" AND u.id IN (SELECT value FROM json_each(").push_bind(ids).push("))");
}
