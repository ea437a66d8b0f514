-- sqlite.sql: the legacy application's tables, as conf/templates/sqlite.conf
-- expects them (SQLite 3). Tables only, no data.
--
--   sqlite3 /srv/app/users.db < sqlite.sql
--
-- customdb only reads these tables. It derives the Linux ids in SQL:
-- uid = 10000 + users.id, gid = 20000 + groups.id.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,            -- uid = 10000 + id
    username    TEXT    NOT NULL UNIQUE,        -- the login name
    password    TEXT    NOT NULL,               -- hash: bcrypt, sha512crypt, argon2id ...
    email       TEXT,
    full_name   TEXT,                           -- shown as the GECOS field
    active      INTEGER NOT NULL DEFAULT 1      -- 0: the account is disabled
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
