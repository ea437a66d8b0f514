-- aspnet-membership-pg.sql: the tables of ASP.NET's SqlMembershipProvider
-- and SqlRoleProvider on PostgreSQL (see aspnet-membership-pg.conf), for a
-- Membership database moved off SQL Server, and what customdb adds to them.
--
-- The tables are aspnet_regsql's (InstallCommon.sql, InstallMembership.sql,
-- InstallRoles.sql) with the same names and columns, their types mapped:
-- uniqueidentifier is uuid, nvarchar(n) varchar(n), bit boolean, datetime
-- timestamp, ntext text. The names are unquoted, as in aspnet_regsql's
-- T-SQL, so PostgreSQL folds them to lower case (aspnet_users.username);
-- a copy made by a tool that kept the case in quoted names
-- ("aspnet_Users"."UserName") needs the template's names quoted alike.
-- A database already moved needs only the part from customdb_ids on.

CREATE TABLE aspnet_Applications (
  ApplicationName varchar(256) NOT NULL UNIQUE,
  LoweredApplicationName varchar(256) NOT NULL UNIQUE,
  ApplicationId uuid NOT NULL PRIMARY KEY DEFAULT gen_random_uuid(),
  Description varchar(256)
);

CREATE TABLE aspnet_Users (
  ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
  UserId uuid NOT NULL PRIMARY KEY DEFAULT gen_random_uuid(),
  UserName varchar(256) NOT NULL,
  LoweredUserName varchar(256) NOT NULL,
  MobileAlias varchar(16) DEFAULT NULL,
  IsAnonymous boolean NOT NULL DEFAULT false,
  LastActivityDate timestamp NOT NULL,
  UNIQUE (ApplicationId, LoweredUserName)
);

CREATE TABLE aspnet_Membership (
  ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
  UserId uuid NOT NULL PRIMARY KEY REFERENCES aspnet_Users (UserId),
  Password varchar(128) NOT NULL,
  PasswordFormat integer NOT NULL DEFAULT 0,   -- 0 Clear, 1 Hashed, 2 Encrypted
  PasswordSalt varchar(128) NOT NULL,
  MobilePIN varchar(16),
  Email varchar(256),
  LoweredEmail varchar(256),
  PasswordQuestion varchar(256),
  PasswordAnswer varchar(128),
  IsApproved boolean NOT NULL,
  IsLockedOut boolean NOT NULL,
  CreateDate timestamp NOT NULL,
  LastLoginDate timestamp NOT NULL,
  LastPasswordChangedDate timestamp NOT NULL,
  LastLockoutDate timestamp NOT NULL,
  FailedPasswordAttemptCount integer NOT NULL,
  FailedPasswordAttemptWindowStart timestamp NOT NULL,
  FailedPasswordAnswerAttemptCount integer NOT NULL,
  FailedPasswordAnswerAttemptWindowStart timestamp NOT NULL,
  Comment text
);

CREATE TABLE aspnet_Roles (
  ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
  RoleId uuid NOT NULL PRIMARY KEY DEFAULT gen_random_uuid(),
  RoleName varchar(256) NOT NULL,
  LoweredRoleName varchar(256) NOT NULL,
  Description varchar(256),
  UNIQUE (ApplicationId, LoweredRoleName)
);

CREATE TABLE aspnet_UsersInRoles (
  UserId uuid NOT NULL REFERENCES aspnet_Users (UserId),
  RoleId uuid NOT NULL REFERENCES aspnet_Roles (RoleId),
  PRIMARY KEY (UserId, RoleId)
);

-- What customdb adds: the ids are uuids and Linux needs numbers, so one
-- small table gives each user a uid and each role a gid. Give the customdb
-- login SELECT on these six tables, nothing more: the template reads only.
CREATE TABLE customdb_ids (
  Id uuid NOT NULL PRIMARY KEY,   -- aspnet_Users.UserId or aspnet_Roles.RoleId
  Num integer NOT NULL UNIQUE     -- its uid (users) or gid (roles)
);

-- uids from 10001 and gids from 50001, from two sequences: the users and
-- roles there are now get theirs here, those the application adds later
-- from the triggers (which run as the application's role).
CREATE SEQUENCE customdb_uids START 10001;
CREATE SEQUENCE customdb_gids START 50001;
INSERT INTO customdb_ids (Id, Num)
  SELECT UserId, nextval('customdb_uids') FROM aspnet_Users ORDER BY UserId;
INSERT INTO customdb_ids (Id, Num)
  SELECT RoleId, nextval('customdb_gids') FROM aspnet_Roles ORDER BY RoleId;

CREATE FUNCTION customdb_number_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customdb_ids (Id, Num) VALUES (NEW.UserId, nextval('customdb_uids'));
  RETURN NEW;
END $$;
CREATE FUNCTION customdb_number_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customdb_ids (Id, Num) VALUES (NEW.RoleId, nextval('customdb_gids'));
  RETURN NEW;
END $$;
CREATE TRIGGER customdb_number AFTER INSERT ON aspnet_Users
  FOR EACH ROW EXECUTE FUNCTION customdb_number_user();
CREATE TRIGGER customdb_number AFTER INSERT ON aspnet_Roles
  FOR EACH ROW EXECUTE FUNCTION customdb_number_role();
