-- permfw schema version 10 (PostgreSQL): the audit log's filters each read an index in id order
-- (by group, by permission, by action; actor and target user have theirs since version 1), a
-- date range finds its first and last ids through (at, id), and a group's grants of
-- permissions, for "who gave this group that permission", have a small index.
CREATE INDEX permfw_audit_target_group ON permfw_audit (target_group, id);
CREATE INDEX permfw_audit_permission ON permfw_audit (permission, id);
CREATE INDEX permfw_audit_action ON permfw_audit (action, id);
CREATE INDEX permfw_audit_group_grants ON permfw_audit (target_group, permission, id) WHERE action = 'grant_group';
DROP INDEX permfw_audit_at;
CREATE INDEX permfw_audit_at ON permfw_audit (at, id);
