-- permfw schema version 10 (SQLite): the audit log's filters each read an index in id order (by
-- group, by permission, by action; actor and target user have theirs since version 1), and a
-- group's grants of permissions, for "who gave this group that permission", have a small one.
-- (A date range goes through permfw_audit_at, whose rows SQLite keeps in (at, id) order.)
CREATE INDEX permfw_audit_target_group ON permfw_audit (target_group, id);
CREATE INDEX permfw_audit_permission ON permfw_audit (permission, id);
CREATE INDEX permfw_audit_action ON permfw_audit (action, id);
CREATE INDEX permfw_audit_group_grants ON permfw_audit (target_group, permission, id) WHERE action = 'grant_group';
