-- permfw schema version 8 (SQLite): each group's member count, kept in auth_group by triggers on
-- auth_user_groups, so that listing groups counts no membership. Every path that adds or removes
-- a membership (the store's, a cascade from deleting a user or a group, the expiry sweep, another
-- program's SQL) keeps it right. Counts every row, a temporary membership until the sweep removes
-- it. (An `INSERT OR REPLACE` into auth_user_groups would skip the delete trigger unless
-- `recursive_triggers` is on; permfw writes none.)
ALTER TABLE auth_group ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE auth_group SET member_count = (SELECT COUNT(*) FROM auth_user_groups ug WHERE ug.group_id = auth_group.id);
CREATE TRIGGER auth_user_groups_count_insert AFTER INSERT ON auth_user_groups BEGIN
    UPDATE auth_group SET member_count = member_count + 1 WHERE id = new.group_id;
END;
CREATE TRIGGER auth_user_groups_count_delete AFTER DELETE ON auth_user_groups BEGIN
    UPDATE auth_group SET member_count = member_count - 1 WHERE id = old.group_id;
END;
CREATE TRIGGER auth_user_groups_count_move AFTER UPDATE OF group_id ON auth_user_groups
WHEN old.group_id <> new.group_id BEGIN
    UPDATE auth_group SET member_count = member_count - 1 WHERE id = old.group_id;
    UPDATE auth_group SET member_count = member_count + 1 WHERE id = new.group_id;
END;
