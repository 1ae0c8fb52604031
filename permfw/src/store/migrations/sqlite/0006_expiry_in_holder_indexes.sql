-- permfw schema version 6 (SQLite): the indexes that list a permission's holders and a group's
-- members carry each row's expiry, so that leaving out expired rows reads no table row.
DROP INDEX auth_user_user_permissions_permission;
CREATE INDEX auth_user_user_permissions_permission ON auth_user_user_permissions (permission_id, user_id, expires_at);
DROP INDEX auth_user_groups_group;
CREATE INDEX auth_user_groups_group ON auth_user_groups (group_id, user_id, expires_at);
