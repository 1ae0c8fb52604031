-- permfw schema version 3 (PostgreSQL): substring search over usernames and emails through
-- trigram indexes (pg_trgm, a trusted extension).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX auth_user_username_trgm ON auth_user USING gin (username gin_trgm_ops);
CREATE INDEX auth_user_email_trgm ON auth_user USING gin (email gin_trgm_ops);
