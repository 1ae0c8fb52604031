-- permfw schema version 4 (SQLite): login attempts shared by every process, and when each API
-- token was last used.
CREATE TABLE permfw_login_attempt (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    window_start INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE permfw_token ADD COLUMN last_used_at INTEGER;
