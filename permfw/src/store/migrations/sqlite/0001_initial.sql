-- permfw schema version 1 (SQLite). Never edit: add a new migration instead.
CREATE TABLE permfw_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO permfw_revision (id, revision) VALUES (1, 0);

CREATE TABLE auth_permission (
    id INTEGER PRIMARY KEY,
    app_label TEXT NOT NULL,
    model TEXT NOT NULL,
    codename TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (app_label, codename)
);

CREATE TABLE auth_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 150),
    email TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT 1,
    is_staff BOOLEAN NOT NULL DEFAULT 0,
    is_superuser BOOLEAN NOT NULL DEFAULT 0,
    date_joined INTEGER NOT NULL,
    last_login INTEGER
);
CREATE INDEX auth_user_superusers ON auth_user (id) WHERE is_superuser;

CREATE TABLE auth_group (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 150)
);

CREATE TABLE auth_user_groups (
    user_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES auth_group (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX auth_user_groups_group ON auth_user_groups (group_id, user_id);

CREATE TABLE auth_user_user_permissions (
    user_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    permission_id INTEGER NOT NULL REFERENCES auth_permission (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, permission_id)
) WITHOUT ROWID;
CREATE INDEX auth_user_user_permissions_permission ON auth_user_user_permissions (permission_id, user_id);

CREATE TABLE auth_group_permissions (
    group_id INTEGER NOT NULL REFERENCES auth_group (id) ON DELETE CASCADE,
    permission_id INTEGER NOT NULL REFERENCES auth_permission (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, permission_id)
) WITHOUT ROWID;
CREATE INDEX auth_group_permissions_permission ON auth_group_permissions (permission_id, group_id);

CREATE TABLE permfw_audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_user TEXT,
    target_group TEXT,
    permission TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX permfw_audit_actor ON permfw_audit (actor, id);
CREATE INDEX permfw_audit_target_user ON permfw_audit (target_user, id);
CREATE INDEX permfw_audit_at ON permfw_audit (at);
