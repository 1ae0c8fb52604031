-- permfw schema version 7 (SQLite): invitations, each a one-time link that lets a new user set
-- its own password, stored only as the SHA-256 hash of its random secret.
CREATE TABLE permfw_invitation (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX permfw_invitation_user ON permfw_invitation (user_id);
