-- postfixadmin.sql: what conf/templates/postfixadmin.conf needs beside
-- postfixadmin's own tables (MariaDB or MySQL): Linux ids for mailboxes
-- and domains, which postfixadmin keys by address and name alone.
--
--   mariadb postfixadmin < postfixadmin.sql
--
-- Each mailbox gets the next uid from 10001 and each domain the next gid
-- from 20001, at once (the triggers) and for good: a mailbox deleted and
-- made again keeps its uid, and no uid is ever handed to another address
-- (its files on disk stay its own). Run it after postfixadmin's setup.php
-- has made its tables; it numbers the mailboxes and domains already there.
-- Give the account customdb connects as:
--
--   GRANT SELECT ON postfixadmin.* TO 'customdb'@'localhost';
--   GRANT UPDATE (password, password_expiry, modified)
--     ON postfixadmin.mailbox TO 'customdb'@'localhost';

CREATE TABLE customdb_mailbox_uid (
    uid      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(255) NOT NULL UNIQUE           -- mailbox.username
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 AUTO_INCREMENT=10001;

CREATE TABLE customdb_domain_gid (
    gid    INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    domain VARCHAR(255) NOT NULL UNIQUE              -- domain.domain
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 AUTO_INCREMENT=20001;

INSERT IGNORE INTO customdb_mailbox_uid (username)
    SELECT username FROM mailbox ORDER BY created, username;
INSERT IGNORE INTO customdb_domain_gid (domain)
    SELECT domain FROM domain WHERE domain <> 'ALL' ORDER BY created, domain;

CREATE TRIGGER customdb_mailbox_uid_new AFTER INSERT ON mailbox FOR EACH ROW
    INSERT IGNORE INTO customdb_mailbox_uid (username) VALUES (NEW.username);
CREATE TRIGGER customdb_domain_gid_new AFTER INSERT ON domain FOR EACH ROW
    INSERT IGNORE INTO customdb_domain_gid (domain) VALUES (NEW.domain);
