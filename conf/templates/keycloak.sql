-- keycloak.sql: the tables of a Keycloak database that keycloak.conf reads
-- and writes, on PostgreSQL, for trying the template without a Keycloak
-- (tests/integration/keycloak.sh), and the grants customdb's role needs.
--
-- On a real Keycloak database the tables exist (Keycloak makes them with
-- Liquibase at its first start): run only the GRANTs at the end.
--
-- The tables and columns are those a database made by Keycloak 26's
-- Liquibase changelogs (model/jpa/src/main/resources/META-INF/
-- jpa-changelog-*.xml, from 1.0.0.Final on) has: names, types, NOT NULL and
-- defaults as there; keycloak_group.type and
-- user_group_membership.membership_type come from jpa-changelog-26.0.0.xml
-- (older Keycloaks lack them; the template does not read them). credential
-- holds the JSON columns secret_data and credential_data that replaced its
-- value, salt and hash_iterations columns (salt is left, unused); a
-- top-level group's parent_group is ' '. realm keeps only the columns the
-- template reads (Keycloak's has many more); of the constraints only the
-- keys and the unique ones the template relies on. Written from the
-- changelogs' column lists; no Keycloak code or SQL is copied.

CREATE TABLE realm (
  id varchar(36) NOT NULL PRIMARY KEY,
  name varchar(255) UNIQUE,
  enabled boolean NOT NULL DEFAULT false,
  password_policy varchar(2550)
);

CREATE TABLE user_entity (
  id varchar(36) NOT NULL PRIMARY KEY,
  email varchar(255),
  email_constraint varchar(255),
  email_verified boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT false,
  federation_link varchar(255),
  first_name varchar(255),
  last_name varchar(255),
  realm_id varchar(255),
  username varchar(255),
  created_timestamp bigint,
  service_account_client_link varchar(255),
  not_before integer NOT NULL DEFAULT 0,
  CONSTRAINT uk_dykn684sl8up1crfei6eckhd7 UNIQUE (realm_id, email_constraint),
  CONSTRAINT uk_ru8tt6t700s9v50bu18ws5ha6 UNIQUE (realm_id, username)
);

CREATE TABLE credential (
  id varchar(36) NOT NULL PRIMARY KEY,
  salt bytea,
  type varchar(255),
  user_id varchar(36) REFERENCES user_entity (id),
  created_date bigint,
  user_label varchar(255),
  secret_data text,
  credential_data text,
  priority integer
);

CREATE TABLE user_attribute (
  name varchar(255) NOT NULL,
  value varchar(255),
  user_id varchar(36) NOT NULL REFERENCES user_entity (id),
  id varchar(36) NOT NULL DEFAULT 'sybase-needs-something-here' PRIMARY KEY,
  long_value_hash bytea,
  long_value_hash_lower_case bytea,
  long_value text
);

CREATE TABLE user_required_action (
  user_id varchar(36) NOT NULL REFERENCES user_entity (id),
  required_action varchar(255) NOT NULL DEFAULT ' ',
  PRIMARY KEY (required_action, user_id)
);

CREATE TABLE keycloak_group (
  id varchar(36) NOT NULL PRIMARY KEY,
  name varchar(255),
  parent_group varchar(36) NOT NULL,
  realm_id varchar(36),
  type integer NOT NULL DEFAULT 0,
  CONSTRAINT sibling_names UNIQUE (realm_id, parent_group, name)
);

CREATE TABLE group_attribute (
  id varchar(36) NOT NULL DEFAULT 'sybase-needs-something-here' PRIMARY KEY,
  name varchar(255) NOT NULL,
  value varchar(255),
  group_id varchar(36) NOT NULL REFERENCES keycloak_group (id)
);

CREATE TABLE user_group_membership (
  group_id varchar(36) NOT NULL,
  user_id varchar(36) NOT NULL REFERENCES user_entity (id),
  membership_type varchar(255) NOT NULL,
  PRIMARY KEY (group_id, user_id)
);

-- customdb's role: it reads these, writes the password credential and
-- clears an UPDATE_PASSWORD required action (change_password).
GRANT SELECT ON realm, user_entity, credential, user_attribute, user_required_action,
  keycloak_group, group_attribute, user_group_membership TO customdb;
GRANT INSERT, UPDATE ON credential TO customdb;
GRANT DELETE ON user_required_action TO customdb;
