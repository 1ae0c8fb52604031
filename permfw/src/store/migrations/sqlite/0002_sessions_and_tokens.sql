-- permfw schema version 2 (SQLite): login sessions and API tokens, both stored only as hashes.
CREATE TABLE permfw_session (
    key_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX permfw_session_user ON permfw_session (user_id);
CREATE INDEX permfw_session_expiry ON permfw_session (expires_at);

CREATE TABLE permfw_token (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX permfw_token_user ON permfw_token (user_id);
