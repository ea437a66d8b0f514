-- aspnet-membership.sql (T-SQL): what customdb adds to a SQL Server database
-- of ASP.NET's SqlMembershipProvider (aspnet_regsql: aspnet_Applications,
-- aspnet_Users, aspnet_Membership, aspnet_Roles, aspnet_UsersInRoles); see
-- aspnet-membership.conf. Its ids are uniqueidentifiers and Linux needs
-- numbers: one small table gives each user a uid and each role a gid.
--
-- Give the customdb login SELECT on the tables the queries read, nothing
-- more: the template reads only.

CREATE TABLE dbo.customdb_ids (
  Id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY,   -- aspnet_Users.UserId or aspnet_Roles.RoleId
  Num INT NOT NULL UNIQUE                     -- its uid (users) or gid (roles)
);

-- Number the users and roles there are now: uids from 10001, gids from
-- 50001. Users added later need a row too (a trigger on aspnet_Users, or
-- this statement again with the numbers already taken left out).
INSERT INTO dbo.customdb_ids (Id, Num)
  SELECT UserId, 10000 + ROW_NUMBER() OVER (ORDER BY UserId) FROM dbo.aspnet_Users;
INSERT INTO dbo.customdb_ids (Id, Num)
  SELECT RoleId, 50000 + ROW_NUMBER() OVER (ORDER BY RoleId) FROM dbo.aspnet_Roles;
