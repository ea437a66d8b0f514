-- mysql.sql: the legacy application's tables, as conf/templates/mysql.conf
-- expects them (MariaDB 10.3 or later, MySQL 5.7 or later). Tables only, no
-- data.
--
--   mariadb shop < mysql.sql
--
-- customdb reads these tables; it writes `users` only through the writing
-- queries of mysql.conf (create, verify, change_password, change_email,
-- delete: customdb user ..., password changes), when they are configured.
-- It derives the Linux ids in SQL: uid = 10000 + users.id, gid = 20000 +
-- groups.id. Give the account customdb connects as SELECT, and the writes
-- only if you configure those queries, for example:
--
--   CREATE USER 'customdb'@'localhost' IDENTIFIED BY '...';
--   GRANT SELECT ON shop.* TO 'customdb'@'localhost';
--   GRANT INSERT, UPDATE, DELETE ON shop.users TO 'customdb'@'localhost';
--
-- `groups` is quoted: it is a reserved word in MySQL 8.

CREATE TABLE users (
    id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,  -- uid = 10000 + id
    username    VARCHAR(64)  NOT NULL UNIQUE,                      -- the login name
    password    VARCHAR(255) NOT NULL,          -- hash: bcrypt, sha512crypt, argon2id ...
    email       VARCHAR(255),
    full_name   VARCHAR(255),                   -- shown as the GECOS field
    active      TINYINT(1)   NOT NULL DEFAULT 1, -- 0: the account is disabled
    email_verified TINYINT(1) NOT NULL DEFAULT 0,
    must_change_password TINYINT(1) NOT NULL DEFAULT 0  -- 1: a new password at the next login
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `groups` (
    id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,  -- gid = 20000 + id
    name        VARCHAR(64)  NOT NULL UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE user_groups (
    user_id     INT UNSIGNED NOT NULL,
    group_id    INT UNSIGNED NOT NULL,
    PRIMARY KEY (user_id, group_id),
    KEY user_groups_group_id (group_id),
    CONSTRAINT user_groups_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_groups_group FOREIGN KEY (group_id) REFERENCES `groups` (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
