-- permfw schema version 3 (SQLite): substring search over usernames and emails through an FTS5
-- trigram index, kept in step with auth_user by triggers.
CREATE VIRTUAL TABLE auth_user_search USING fts5(
    username, email, content = 'auth_user', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO auth_user_search (auth_user_search) VALUES ('rebuild');
CREATE TRIGGER auth_user_search_insert AFTER INSERT ON auth_user BEGIN
    INSERT INTO auth_user_search (rowid, username, email) VALUES (new.id, new.username, new.email);
END;
CREATE TRIGGER auth_user_search_delete AFTER DELETE ON auth_user BEGIN
    INSERT INTO auth_user_search (auth_user_search, rowid, username, email)
    VALUES ('delete', old.id, old.username, old.email);
END;
CREATE TRIGGER auth_user_search_update AFTER UPDATE OF username, email ON auth_user BEGIN
    INSERT INTO auth_user_search (auth_user_search, rowid, username, email)
    VALUES ('delete', old.id, old.username, old.email);
    INSERT INTO auth_user_search (rowid, username, email) VALUES (new.id, new.username, new.email);
END;
