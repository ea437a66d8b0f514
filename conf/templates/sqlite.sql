-- sqlite.sql: the legacy application's tables, as conf/templates/sqlite.conf
-- expects them (SQLite 3). Tables only, no data.
--
--   sqlite3 /srv/app/users.db < sqlite.sql
--
-- customdb reads these tables; it writes `users` only through the writing
-- queries of sqlite.conf (create, verify, change_password, change_email,
-- delete: customdb user ..., password changes), when they are configured,
-- and then needs to write the file (and its directory, for the journal). It
-- derives the Linux ids in SQL: uid = 10000 + users.id, gid = 20000 +
-- groups.id. AUTOINCREMENT: the id (and so the uid) of a deleted user is
-- never given to a new one, who would own the files left behind.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- uid = 10000 + id
    username    TEXT    NOT NULL UNIQUE,        -- the login name
    password    TEXT    NOT NULL,               -- hash: bcrypt, sha512crypt, argon2id ...
    email       TEXT,
    full_name   TEXT,                           -- shown as the GECOS field
    active      INTEGER NOT NULL DEFAULT 1,     -- 0: the account is disabled
    email_verified INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0  -- 1: a new password at the next login
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,            -- gid = 20000 + id
    name        TEXT    NOT NULL UNIQUE
);

CREATE TABLE user_groups (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

CREATE INDEX user_groups_group_id ON user_groups (group_id);

-- customdb does not switch foreign keys on (PRAGMA foreign_keys): a deleted
-- user's memberships go by this trigger, whoever deletes the user.
CREATE TRIGGER users_delete_memberships AFTER DELETE ON users
BEGIN
    DELETE FROM user_groups WHERE user_id = old.id;
END;
