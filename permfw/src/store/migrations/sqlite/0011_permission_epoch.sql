-- permfw schema version 11 (SQLite): a count of the changes to auth_permission's ids and names,
-- kept by triggers, which the store's snapshots read beside the revision. Snapshots name their
-- permissions by row id (no join of auth_permission per grant), and each store names the ids from
-- its map of the table; SQLite hands out the id of a deleted last row again, so the map is good
-- only while this count stays what it was when the map was read. Every path that changes the
-- table (`migrate`, another program's SQL) moves it.
ALTER TABLE permfw_revision ADD COLUMN permissions INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER auth_permission_epoch_insert AFTER INSERT ON auth_permission
BEGIN
    UPDATE permfw_revision SET permissions = permissions + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_permission_epoch_delete AFTER DELETE ON auth_permission
BEGIN
    UPDATE permfw_revision SET permissions = permissions + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_permission_epoch_update AFTER UPDATE OF id, app_label, codename ON auth_permission
BEGIN
    UPDATE permfw_revision SET permissions = permissions + 1 WHERE id = 1;
END;
