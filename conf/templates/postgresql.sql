-- postgresql.sql: the legacy application's tables, as
-- conf/templates/postgresql.conf expects them (PostgreSQL 11 or later).
-- Tables only, no data.
--
--   psql -d shop -f postgresql.sql
--
-- customdb reads these tables; it writes `users` only through the writing
-- queries of postgresql.conf (create, verify, change_password,
-- change_email, delete: customdb user ..., password changes), when they are
-- configured. It derives the Linux ids in SQL: uid = 10000 + users.id,
-- gid = 20000 + groups.id. Give the role customdb connects as SELECT, and
-- the writes only if you configure those queries, for example:
--
--   CREATE ROLE customdb LOGIN PASSWORD '...';
--   GRANT SELECT ON users, groups, user_groups TO customdb;
--   GRANT INSERT, UPDATE, DELETE ON users TO customdb;
--   GRANT USAGE ON SEQUENCE users_id_seq TO customdb;

CREATE TABLE users (
    id          serial       PRIMARY KEY,          -- uid = 10000 + id
    username    varchar(64)  NOT NULL UNIQUE,      -- the login name
    password    varchar(255) NOT NULL,             -- hash: bcrypt, sha512crypt, argon2id ...
    email       varchar(255),
    full_name   varchar(255),                      -- shown as the GECOS field
    active      boolean      NOT NULL DEFAULT true, -- false: the account is disabled
    email_verified boolean   NOT NULL DEFAULT false,
    must_change_password boolean NOT NULL DEFAULT false  -- set: a new password at the next login
);

CREATE TABLE groups (
    id          serial       PRIMARY KEY,          -- gid = 20000 + id
    name        varchar(64)  NOT NULL UNIQUE
);

CREATE TABLE user_groups (
    user_id     integer      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id    integer      NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

CREATE INDEX user_groups_group_id ON user_groups (group_id);
