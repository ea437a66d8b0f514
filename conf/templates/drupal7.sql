-- drupal7.sql: Drupal 7's user tables (MariaDB or MySQL), for
-- conf/templates/drupal7.conf where no Drupal 7 site is at hand (a test, a
-- copy of a site's users, a site being moved off Drupal).
--
--   mariadb drupal < drupal7.sql
--
-- A real Drupal 7 site has these tables already (its installer makes them):
-- do not run this there; give customdb's account what it needs:
--
--   GRANT SELECT ON drupal.users TO 'customdb'@'localhost';
--   GRANT SELECT ON drupal.role TO 'customdb'@'localhost';
--   GRANT SELECT ON drupal.users_roles TO 'customdb'@'localhost';
--   GRANT UPDATE (pass) ON drupal.users TO 'customdb'@'localhost';
--
-- Where it comes from: the user module's hook_schema() of Drupal 7.x
-- (modules/user/user.install, user_schema(): users, role, users_roles,
-- authmap), written out as Drupal 7's MySQL driver types them ('int'
-- unsigned is INT UNSIGNED, 'serial' AUTO_INCREMENT, 'size' tiny TINYINT,
-- a big 'blob' LONGBLOB; tables InnoDB, utf8), with the rows
-- user_install() adds (the anonymous user, uid 0, and the built-in roles
-- 'anonymous user' and 'authenticated user', rids 1 and 2, Drupal's
-- DRUPAL_ANONYMOUS_RID and DRUPAL_AUTHENTICATED_RID) and the role the
-- standard install profile adds (profiles/standard/standard.install:
-- 'administrator', rid 3, given to uid 1). Made from that definition, not
-- by Drupal's code, which does not run here. No table prefix ($databases'
-- 'prefix' in settings.php: put it before each table name). A site's
-- uid 1 is the account its installer's form made; add it, and the others,
-- as rows of users (and users_roles for roles other than the two
-- built-in ones).

CREATE TABLE users (
    uid              INT UNSIGNED NOT NULL DEFAULT 0,
    name             VARCHAR(60) NOT NULL DEFAULT '',
    pass             VARCHAR(128) NOT NULL DEFAULT '',
    mail             VARCHAR(254) NULL DEFAULT '',
    theme            VARCHAR(255) NOT NULL DEFAULT '',
    signature        VARCHAR(255) NOT NULL DEFAULT '',
    signature_format VARCHAR(255) NULL DEFAULT NULL,
    created          INT NOT NULL DEFAULT 0,
    access           INT NOT NULL DEFAULT 0,
    login            INT NOT NULL DEFAULT 0,
    status           TINYINT NOT NULL DEFAULT 0,    -- 1 active, 0 blocked
    timezone         VARCHAR(32) NULL DEFAULT NULL,
    language         VARCHAR(12) NOT NULL DEFAULT '',
    picture          INT NOT NULL DEFAULT 0,
    init             VARCHAR(254) NULL DEFAULT '',
    data             LONGBLOB NULL,
    PRIMARY KEY (uid),
    UNIQUE KEY name (name),
    INDEX access (access),
    INDEX created (created),
    INDEX mail (mail)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8;

CREATE TABLE role (
    rid    INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name   VARCHAR(64) NOT NULL DEFAULT '',
    weight INT NOT NULL DEFAULT 0,
    PRIMARY KEY (rid),
    UNIQUE KEY name (name),
    INDEX name_weight (name, weight)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8;

CREATE TABLE users_roles (
    uid INT UNSIGNED NOT NULL DEFAULT 0,
    rid INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, rid),
    INDEX rid (rid)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8;

-- external logins (OpenID and the like): those users have no password here
CREATE TABLE authmap (
    aid      INT UNSIGNED NOT NULL AUTO_INCREMENT,
    uid      INT NOT NULL DEFAULT 0,
    authname VARCHAR(128) NOT NULL DEFAULT '',
    module   VARCHAR(128) NOT NULL DEFAULT '',
    PRIMARY KEY (aid),
    UNIQUE KEY authname (authname)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8;

-- user_install(): the anonymous user is a row of its own, uid 0, no name
INSERT INTO users (uid, name, mail) VALUES (0, '', '');
INSERT INTO role (rid, name, weight) VALUES
    (1, 'anonymous user', 0),
    (2, 'authenticated user', 1),
    (3, 'administrator', 2);
