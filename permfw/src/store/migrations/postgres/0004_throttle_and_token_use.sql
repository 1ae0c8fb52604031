-- permfw schema version 4 (PostgreSQL): login attempts shared by every process, and when each
-- API token was last used.
CREATE TABLE permfw_login_attempt (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

ALTER TABLE permfw_token ADD COLUMN last_used_at BIGINT;
