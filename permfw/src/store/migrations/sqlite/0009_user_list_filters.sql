-- permfw schema version 9 (SQLite): the user list's orders and rare filters walk an index in
-- their order: by date joined (ties by id, the rowid every index carries), and the partial
-- indexes of inactive and of staff users by username and by date joined (superusers have
-- auth_user_superusers). Members of a group and holders of a permission use the indexes of
-- migration 6.
CREATE INDEX auth_user_date_joined ON auth_user (date_joined, id);
CREATE INDEX auth_user_inactive_username ON auth_user (username) WHERE NOT is_active;
CREATE INDEX auth_user_inactive_joined ON auth_user (date_joined, id) WHERE NOT is_active;
CREATE INDEX auth_user_staff_username ON auth_user (username) WHERE is_staff;
CREATE INDEX auth_user_staff_joined ON auth_user (date_joined, id) WHERE is_staff;
