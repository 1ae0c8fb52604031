-- permfw schema version 11 (PostgreSQL): a count of the changes to auth_permission's ids and
-- names, kept by a trigger, which the store's snapshots read beside the revision. Snapshots name
-- their permissions by row id, and each store names the ids from its map of the table; the
-- identity column never hands an id out twice, but an explicit id can be inserted, so the map is
-- good only while this count stays what it was when the map was read. Every path that changes the
-- table (`migrate`, another program's SQL) moves it, once per statement.
ALTER TABLE permfw_revision ADD COLUMN permissions BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION permfw_count_permission_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE permfw_revision SET permissions = permissions + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_permission_epoch AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, app_label, codename
    ON auth_permission FOR EACH STATEMENT EXECUTE FUNCTION permfw_count_permission_changes();
