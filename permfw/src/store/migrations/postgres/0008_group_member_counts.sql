-- permfw schema version 8 (PostgreSQL): each group's member count, kept in auth_group by
-- triggers on auth_user_groups, so that listing groups counts no membership. Every path that adds
-- or removes a membership (the store's, a cascade from deleting a user or a group, the expiry
-- sweep, another program's SQL) keeps it right. The triggers run once per statement over its
-- transition table: a statement that adds 1,000 members updates each group's row once. Counts
-- every row, a temporary membership until the sweep removes it.
ALTER TABLE auth_group ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE auth_group g SET member_count = c.n
FROM (SELECT group_id, COUNT(*) AS n FROM auth_user_groups GROUP BY group_id) c WHERE c.group_id = g.id;

CREATE FUNCTION permfw_count_members_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_group g SET member_count = g.member_count + c.n
    FROM (SELECT group_id, COUNT(*) AS n FROM permfw_added GROUP BY group_id) c WHERE g.id = c.group_id;
    RETURN NULL;
END
$$;
CREATE FUNCTION permfw_count_members_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_group g SET member_count = g.member_count - c.n
    FROM (SELECT group_id, COUNT(*) AS n FROM permfw_removed GROUP BY group_id) c WHERE g.id = c.group_id;
    RETURN NULL;
END
$$;
CREATE FUNCTION permfw_count_members_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_group g SET member_count = g.member_count + c.n
    FROM (SELECT group_id, SUM(n) AS n FROM (
        SELECT group_id, 1 AS n FROM permfw_added UNION ALL SELECT group_id, -1 AS n FROM permfw_removed
    ) d GROUP BY group_id HAVING SUM(n) <> 0) c WHERE g.id = c.group_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_user_groups_count_insert AFTER INSERT ON auth_user_groups
    REFERENCING NEW TABLE AS permfw_added FOR EACH STATEMENT EXECUTE FUNCTION permfw_count_members_added();
CREATE TRIGGER auth_user_groups_count_delete AFTER DELETE ON auth_user_groups
    REFERENCING OLD TABLE AS permfw_removed FOR EACH STATEMENT EXECUTE FUNCTION permfw_count_members_removed();
CREATE TRIGGER auth_user_groups_count_move AFTER UPDATE ON auth_user_groups
    REFERENCING OLD TABLE AS permfw_removed NEW TABLE AS permfw_added
    FOR EACH STATEMENT EXECUTE FUNCTION permfw_count_members_moved();
