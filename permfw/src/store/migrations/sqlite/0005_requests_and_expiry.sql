-- permfw schema version 5 (SQLite): grants and memberships that expire, access requests under
-- policies with their decisions, and the outbox of notifications.
ALTER TABLE auth_user_user_permissions ADD COLUMN expires_at INTEGER;
ALTER TABLE auth_user_groups ADD COLUMN expires_at INTEGER;
CREATE INDEX auth_user_user_permissions_expiry ON auth_user_user_permissions (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX auth_user_groups_expiry ON auth_user_groups (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE permfw_request_policy (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    target_group_id INTEGER REFERENCES auth_group (id) ON DELETE CASCADE,
    target_permissions TEXT NOT NULL DEFAULT '',
    requester_group_id INTEGER REFERENCES auth_group (id) ON DELETE CASCADE,
    approver_group_id INTEGER REFERENCES auth_group (id) ON DELETE CASCADE,
    approver_permission TEXT,
    approvals_needed INTEGER NOT NULL DEFAULT 1,
    max_duration_secs INTEGER,
    expire_after_days INTEGER NOT NULL DEFAULT 14,
    created_at INTEGER NOT NULL
);

CREATE TABLE permfw_access_request (
    id INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL REFERENCES permfw_request_policy (id) ON DELETE CASCADE,
    requester_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    justification TEXT NOT NULL,
    duration_secs INTEGER,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE UNIQUE INDEX permfw_access_request_one_open ON permfw_access_request (requester_id, policy_id) WHERE status = 'open';
CREATE INDEX permfw_access_request_status ON permfw_access_request (status, id);

CREATE TABLE permfw_request_decision (
    request_id INTEGER NOT NULL REFERENCES permfw_access_request (id) ON DELETE CASCADE,
    approver_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    approve BOOLEAN NOT NULL,
    comment TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, approver_id)
);

CREATE TABLE permfw_outbox (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    event TEXT NOT NULL,
    recipient TEXT NOT NULL,
    email TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT
);
CREATE INDEX permfw_outbox_due ON permfw_outbox (next_attempt_at) WHERE delivered_at IS NULL;
