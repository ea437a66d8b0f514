-- aspnet-identity.sql: what customdb adds to an ASP.NET Core Identity
-- database (see aspnet-identity.conf). Identity's tables stay as EF Core
-- made them ("AspNetUsers", "AspNetRoles", "AspNetUserRoles"): their ids
-- are strings (GUIDs), and Linux needs numbers, so one small table gives
-- each user a uid and each role a gid. The same SQL runs on SQL Server and
-- on PostgreSQL (Npgsql's EF Core provider makes the same tables, quoted).
--
-- Give the customdb login SELECT on the four tables, nothing more: the
-- template reads only (customdb cannot write Identity v3 hashes).

CREATE TABLE "CustomdbIds" (
  "Id" VARCHAR(450) NOT NULL PRIMARY KEY,   -- AspNetUsers.Id or AspNetRoles.Id
  "Num" INTEGER NOT NULL UNIQUE             -- its uid (users) or gid (roles)
);

-- Number the users and roles there are now: uids from 10001, gids from
-- 50001. Users added later need a row too (the application, a trigger, or
-- this statement again with the numbers already taken left out).
INSERT INTO "CustomdbIds" ("Id", "Num")
  SELECT "Id", 10000 + ROW_NUMBER() OVER (ORDER BY "Id") FROM "AspNetUsers";
INSERT INTO "CustomdbIds" ("Id", "Num")
  SELECT "Id", 50000 + ROW_NUMBER() OVER (ORDER BY "Id") FROM "AspNetRoles";
