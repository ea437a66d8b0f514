/* test_modes.c: the connector's legacy and migrate logic over an in-memory
 * fake legacy database, without root and without a server.
 *
 * The fake is a struct backend_ops (backend.h) answering each configured
 * query by its config key from tables the test fills, and counting the
 * queries it is asked. The connector is set up from a config whose [legacy]
 * driver is sqlite, then given the fake's ops: everything above the backend
 * (rules of mapping.h, verification, the account step, password changes,
 * the migrate mode's store, here a temporary SQLite file) is the real code.
 * The integration suites drive the same logic through real servers and
 * clients; these tests pin the rules down in milliseconds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend.h"
#include "config.h"
#include "connector.h"
#include "log.h"
#include "mapping.h"
#include "query.h"

/* {SHA} (RFC 2307 style) of "test" */
#define SHA_TEST "{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="
#define PW_TEST "test"

/* ---- the fake legacy database ---------------------------------------------- */

struct fake_user {
	const char *name, *uid, *gid, *password, *disabled, *expires, *must_change;
};

struct fake_group {
	const char *name, *gid, *members; /* members: comma-separated */
};

#define FAKE_MAX 8
static struct fake_user fake_users[FAKE_MAX];
static size_t fake_nusers;
static struct fake_group fake_groups[FAKE_MAX];
static size_t fake_ngroups;
static bool fake_down;                /* every query: BACKEND_UNAVAILABLE */
static unsigned fake_calls[Q_COUNT_]; /* by query id */
static char fake_written[256];        /* last change_password :password_hash */
static char fake_written_user[64];    /* and its :username */
static bool fake_ci;                  /* names compared as a _ci collation does */

/* The fake's comparison of names. */
static int name_cmp(const char *a, const char *b)
{
	return fake_ci ? strcasecmp(a, b) : strcmp(a, b);
}

struct backend {
	int unused;
};

static struct backend fake_conn;

static struct backend *fake_open(const struct backend_params *p, char *err, size_t errlen)
{
	(void)p;
	if (fake_down) {
		snprintf(err, errlen, "fake: down");
		return NULL;
	}
	return &fake_conn;
}

static void fake_close(struct backend *b)
{
	(void)b;
}

static enum query_id id_of(const struct query *q)
{
	static const char *const names[] = {
		[Q_LOGIN] = "login", [Q_GET_USER] = "get_user",
		[Q_GET_USER_BY_UID] = "get_user_by_uid", [Q_GET_GROUP] = "get_group",
		[Q_GET_GROUP_BY_GID] = "get_group_by_gid", [Q_USER_GROUPS] = "user_groups",
		[Q_CHANGE_PASSWORD] = "change_password",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] != NULL && strcmp(names[i], q->name) == 0)
			return (enum query_id)i;
	ck_abort_msg("fake: query %s not expected", q->name);
	return Q_COUNT_;
}

/* The value bound for the first occurrence of parameter kind p, or NULL. */
static const char *param(const struct query *q, const char *const *params, enum query_param p)
{
	for (size_t i = 0; i < q->nparams; i++)
		if (q->params[i] == p)
			return params[i];
	return NULL;
}

static bool is_member(const struct fake_group *g, const char *name)
{
	size_t n = strlen(name);
	const char *m = g->members;

	while (m != NULL && *m != '\0') {
		const char *end = strchr(m, ',');
		size_t len = end ? (size_t)(end - m) : strlen(m);

		if (len == n && (fake_ci ? strncasecmp(m, name, n) : strncmp(m, name, n)) == 0)
			return true;
		m = end ? end + 1 : NULL;
	}
	return false;
}

static struct result *user_rows(const char *name, const char *uid)
{
	static const char *const cols[] = { "username", "uid", "gid", "password", "disabled",
					    "expires", "must_change_password" };
	struct result *r = result_new(7);

	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < 7; i++)
		r->colnames[i] = strdup(cols[i]);
	for (size_t i = 0; i < fake_nusers; i++) {
		const struct fake_user *u = &fake_users[i];
		const char *row[] = { u->name, u->uid, u->gid, u->password, u->disabled,
				      u->expires, u->must_change };

		if ((name != NULL && name_cmp(u->name, name) == 0) ||
		    (uid != NULL && strcmp(u->uid, uid) == 0))
			ck_assert_int_eq(result_add_row(r, row, NULL), 0);
	}
	return r;
}

static struct result *group_rows(const char *name, const char *gid, const char *member)
{
	static const char *const cols[] = { "group", "gid", "members" };
	struct result *r = result_new(3);

	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < 3; i++)
		r->colnames[i] = strdup(cols[i]);
	for (size_t i = 0; i < fake_ngroups; i++) {
		const struct fake_group *g = &fake_groups[i];
		const char *row[] = { g->name, g->gid, g->members };

		if ((name != NULL && name_cmp(g->name, name) == 0) ||
		    (gid != NULL && strcmp(g->gid, gid) == 0) ||
		    (member != NULL && is_member(g, member)))
			ck_assert_int_eq(result_add_row(r, row, NULL), 0);
	}
	return r;
}

static int fake_query(struct backend *b, const struct query *q, const char *const *params,
		      struct result **out, char *err, size_t errlen)
{
	enum query_id id = id_of(q);
	const char *name = param(q, params, QP_USERNAME);

	(void)b;
	fake_calls[id]++;
	if (fake_down) {
		snprintf(err, errlen, "fake: down");
		return BACKEND_UNAVAILABLE;
	}
	switch (id) {
	case Q_LOGIN:
	case Q_GET_USER:
		*out = user_rows(name, NULL);
		break;
	case Q_GET_USER_BY_UID:
		*out = user_rows(NULL, param(q, params, QP_UID));
		break;
	case Q_GET_GROUP:
		*out = group_rows(param(q, params, QP_GROUP), NULL, NULL);
		break;
	case Q_GET_GROUP_BY_GID:
		*out = group_rows(NULL, param(q, params, QP_GID), NULL);
		break;
	case Q_USER_GROUPS:
		*out = group_rows(NULL, NULL, name);
		break;
	case Q_CHANGE_PASSWORD:
		*out = result_new(0);
		(*out)->affected = 0;
		for (size_t i = 0; i < fake_nusers; i++)
			if (name_cmp(fake_users[i].name, name) == 0)
				(*out)->affected = 1;
		snprintf(fake_written, sizeof(fake_written), "%s",
			 param(q, params, QP_PASSWORD_HASH));
		snprintf(fake_written_user, sizeof(fake_written_user), "%s", name);
		break;
	default:
		ck_abort_msg("fake: query %s not answered", q->name);
	}
	return BACKEND_OK;
}

static const struct backend_ops fake_ops = {
	.driver = "fake", .open = fake_open, .query = fake_query, .close = fake_close,
};

/* ---- fixtures --------------------------------------------------------------- */

static char dir[64];
static struct config *cfg;
static struct connector cn;
static struct session s;
/* what start() puts into the config beyond its own keys */
static const char *start_ids;     /* min_uid and max_uid */
static const char *start_legacy;

static void add_user(const char *name, const char *uid, const char *password)
{
	ck_assert_uint_lt(fake_nusers, FAKE_MAX);
	fake_users[fake_nusers++] = (struct fake_user){ name, uid, NULL, password, "0", NULL, "0" };
}

static struct fake_user *fake_user(const char *name)
{
	for (size_t i = 0; i < fake_nusers; i++)
		if (strcmp(fake_users[i].name, name) == 0)
			return &fake_users[i];
	ck_abort_msg("no fake user %s", name);
	return NULL;
}

static void start(const char *mode)
{
	char text[2048], err[512] = "";

	snprintf(dir, sizeof(dir), "/tmp/test_modes.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(text, sizeof(text),
		 "[customdb]\nmode = %s\nstate_dir = %s\n%s"
		 "default_gid = 100\n"
		 "[legacy]\ndriver = sqlite\nconnection = /nonexistent.db\n"
		 "password_scheme = sha512crypt\n%s"
		 "[queries]\n"
		 "login = login :username\n"
		 "get_user = get_user :username\n"
		 "get_user_by_uid = get_user_by_uid :uid\n"
		 "get_group = get_group :group\n"
		 "get_group_by_gid = get_group_by_gid :gid\n"
		 "user_groups = user_groups :username\n"
		 "change_password = change_password :password_hash :username\n",
		 mode, dir, start_ids, start_legacy);
	cfg = config_parse_string(text, "test.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_msg(connector_init(&cn, cfg, err, sizeof(err)) == 0, "%s", err);
	cn.ops = &fake_ops;
	session_init(&s, &cn);
}

static void setup(void)
{
	log_init("test_modes", true, false);
	fake_nusers = fake_ngroups = 0;
	fake_down = false;
	fake_ci = false;
	start_ids = "min_uid = 10000\nmax_uid = 60000\n";
	start_legacy = "";
	memset(fake_calls, 0, sizeof(fake_calls));
	fake_written[0] = fake_written_user[0] = '\0';
	add_user("alice", "10001", SHA_TEST);
	add_user("bob", "10002", SHA_TEST);
	fake_groups[fake_ngroups++] = (struct fake_group){ "staff", "20001", "alice,bob" };
	fake_groups[fake_ngroups++] = (struct fake_group){ "admins", "20002", "alice" };
}

static void teardown(void)
{
	char cmd[128];

	session_close(&s);
	config_free(cfg);
	cfg = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- legacy mode -------------------------------------------------------------- */

START_TEST(legacy_lookups)
{
	struct user u = { 0 };
	struct group g = { 0 };
	gid_t *gids = NULL;
	size_t n = 0;

	start("legacy");
	ck_assert_int_eq(connector_user_by_name(&s, "alice", &u), CONN_OK);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_uint_eq(u.uid, 10001);
	ck_assert_uint_eq(u.gid, 100);             /* default_gid */
	ck_assert_str_eq(u.home, "/home/alice");   /* the home template */
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_uid(&s, 10002, &u), CONN_OK);
	ck_assert_str_eq(u.name, "bob");
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_name(&s, "carol", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_group_by_gid(&s, 20001, &g), CONN_OK);
	ck_assert_str_eq(g.name, "staff");
	ck_assert_uint_eq(g.nmembers, 2);
	group_clear(&g);
	ck_assert_int_eq(connector_user_groups(&s, "alice", &gids, &n), CONN_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
}
END_TEST

/* The rules of mapping.h hold whatever the database says. */
START_TEST(legacy_rules)
{
	struct user u = { 0 };

	add_user("low", "500", SHA_TEST);            /* below min_uid */
	add_user("rooty", "0", SHA_TEST);
	add_user("sudoer", "10003", SHA_TEST);
	fake_user("sudoer")->gid = "27";             /* not an allowed primary gid */
	start("legacy");
	ck_assert_int_eq(connector_user_by_name(&s, "low", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_name(&s, "rooty", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_uid(&s, 0, &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_name(&s, "sudoer", &u), CONN_NOTFOUND);
	ck_assert_uint_eq(fake_calls[Q_GET_USER_BY_UID], 0); /* uid 0: never asked */
}
END_TEST

START_TEST(legacy_login_and_account)
{
	char why[256];
	bool denied = false;

	add_user("off", "10010", SHA_TEST);
	fake_user("off")->disabled = "1";
	add_user("old", "10011", SHA_TEST);
	fake_user("old")->expires = "2001-01-01";
	add_user("renew", "10012", SHA_TEST);
	fake_user("renew")->must_change = "1";
	start("legacy");
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 0, &denied, NULL), CONN_OK);
	ck_assert_int_eq(connector_authenticate(&s, "alice", "wrong", 0, &denied, NULL),
			 CONN_AUTH_ERR);
	ck_assert_int_eq(connector_authenticate(&s, "carol", PW_TEST, 0, &denied, NULL),
			 CONN_NOTFOUND);
	/* a caller that is not root authenticates only as itself */
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 10002, &denied, NULL),
			 CONN_AUTH_ERR);
	ck_assert(denied);
	ck_assert_int_eq(connector_account(&s, "alice", 0, why, sizeof(why)), CONN_OK);
	ck_assert_int_eq(connector_account(&s, "off", 0, why, sizeof(why)), CONN_DISABLED);
	ck_assert_int_eq(connector_account(&s, "old", 0, why, sizeof(why)), CONN_EXPIRED);
	ck_assert_int_eq(connector_account(&s, "renew", 0, why, sizeof(why)), CONN_NEW_AUTHTOK);
	ck_assert_int_eq(connector_account(&s, "alice", 10002, why, sizeof(why)), CONN_DENIED);
	ck_assert_int_eq(connector_account(&s, "carol", 0, why, sizeof(why)), CONN_NOTFOUND);
}
END_TEST

START_TEST(legacy_unavailable)
{
	struct user u = { 0 };
	bool denied = false;

	start("legacy");
	fake_down = true;
	ck_assert_int_eq(connector_user_by_name(&s, "alice", &u), CONN_UNAVAIL);
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 0, &denied, NULL),
			 CONN_UNAVAIL);
}
END_TEST

/* A changed password goes to change_password in password_scheme, and the
 * hash written verifies with the new password only. */
START_TEST(legacy_change_password)
{
	char why[256] = "";
	struct user u = { 0 };

	start("legacy");
	ck_assert_int_eq(connector_change_password(&s, "alice", "wrong", "n3w-Secret", 0, false,
						   why, sizeof(why)), CONN_AUTH_ERR);
	ck_assert_str_eq(fake_written, "");
	ck_assert_int_eq(connector_change_password(&s, "alice", PW_TEST, "n3w-Secret", 0, false,
						   why, sizeof(why)), CONN_OK);
	ck_assert_str_eq(fake_written_user, "alice");
	ck_assert_msg(strncmp(fake_written, "$6$", 3) == 0, "written: %s", fake_written);
	u.name = (char *)"alice";
	u.password = fake_written;
	ck_assert_int_eq(connector_verify_user(&cn, &u, "n3w-Secret"), CONN_OK);
	ck_assert_int_eq(connector_verify_user(&cn, &u, PW_TEST), CONN_AUTH_ERR);
	/* someone else's, as a user who is not root: refused, nothing written */
	fake_written[0] = '\0';
	ck_assert_int_ne(connector_change_password(&s, "alice", PW_TEST, "x-Other-1", 10002,
						   false, why, sizeof(why)), CONN_OK);
	ck_assert_str_eq(fake_written, "");
}
END_TEST

/* ---- migrate mode ------------------------------------------------------------ */

/* The first right login copies the user into the store; from then on the
 * store answers, even with the legacy database gone. */
START_TEST(migrate_first_login)
{
	struct user u = { 0 };
	bool denied = false;
	gid_t *gids = NULL;
	size_t n = 0;

	start("migrate");
	ck_assert_int_eq(connector_authenticate(&s, "alice", "wrong", 0, &denied, NULL),
			 CONN_AUTH_ERR);
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 0, &denied, NULL), CONN_OK);
	ck_assert_uint_eq(fake_calls[Q_LOGIN], 2);
	fake_down = true;
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 0, &denied, NULL), CONN_OK);
	ck_assert_int_eq(connector_authenticate(&s, "alice", "wrong", 0, &denied, NULL),
			 CONN_AUTH_ERR);
	ck_assert_uint_eq(fake_calls[Q_LOGIN], 2);          /* the store answered */
	ck_assert_int_eq(connector_user_by_name(&s, "alice", &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 10001);
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_uid(&s, 10001, &u), CONN_OK);
	ck_assert_str_eq(u.name, "alice");
	user_clear(&u);
	ck_assert_int_eq(connector_user_groups(&s, "alice", &gids, &n), CONN_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
	/* a user never migrated needs the legacy database */
	ck_assert_int_eq(connector_user_by_name(&s, "bob", &u), CONN_UNAVAIL);
	ck_assert_int_eq(connector_authenticate(&s, "bob", PW_TEST, 0, &denied, NULL),
			 CONN_UNAVAIL);
}
END_TEST

/* A wrong password, a disabled account: nothing is copied. */
START_TEST(migrate_refused_not_copied)
{
	struct user u = { 0 };
	bool denied = false;

	add_user("off", "10010", SHA_TEST);
	fake_user("off")->disabled = "1";
	start("migrate");
	ck_assert_int_eq(connector_authenticate(&s, "bob", "wrong", 0, &denied, NULL),
			 CONN_AUTH_ERR);
	ck_assert_int_eq(connector_authenticate(&s, "off", PW_TEST, 0, &denied, NULL), CONN_OK);
	fake_down = true;
	ck_assert_int_eq(connector_user_by_name(&s, "bob", &u), CONN_UNAVAIL);
	ck_assert_int_eq(connector_user_by_name(&s, "off", &u), CONN_UNAVAIL);
}
END_TEST

/* customdb try: a dry run answers as a login would and writes nothing. */
START_TEST(migrate_dry_run_writes_nothing)
{
	struct user u = { 0 };
	bool denied = false;

	start("migrate");
	s.dry_run = true;
	ck_assert_int_eq(connector_authenticate(&s, "alice", PW_TEST, 0, &denied, NULL), CONN_OK);
	ck_assert_uint_ne(s.held, 0);
	s.dry_run = false;
	fake_down = true;
	ck_assert_int_eq(connector_user_by_name(&s, "alice", &u), CONN_UNAVAIL);
}
END_TEST

/* A password change of a user not yet migrated migrates them with the new
 * password; the legacy change_password query is not used. */
START_TEST(migrate_change_password)
{
	char why[256] = "";
	bool denied = false;

	start("migrate");
	ck_assert_int_eq(connector_change_password(&s, "bob", PW_TEST, "n3w-Secret", 0, false,
						   why, sizeof(why)), CONN_OK);
	ck_assert_uint_eq(fake_calls[Q_CHANGE_PASSWORD], 0);
	fake_down = true;
	ck_assert_int_eq(connector_authenticate(&s, "bob", "n3w-Secret", 0, &denied, NULL),
			 CONN_OK);
	ck_assert_int_eq(connector_authenticate(&s, "bob", PW_TEST, 0, &denied, NULL),
			 CONN_AUTH_ERR);
}
END_TEST

/* ---- the name and id mapping of [legacy] (namemap.h) ------------------------- */

/* Ids stored small, as the application numbers its rows. */
static void small_ids(void)
{
	fake_nusers = fake_ngroups = 0;
	add_user("alice", "1", SHA_TEST);
	add_user("bob", "2", SHA_TEST);
	fake_user("bob")->gid = "3";
	fake_groups[fake_ngroups++] = (struct fake_group){ "staff", "1", "alice,bob" };
	fake_groups[fake_ngroups++] = (struct fake_group){ "admins", "2", "alice" };
	start_ids = "min_uid = 1000\nmax_uid = 60000\n";
	start_legacy = "uid_offset = 10000\ngid_offset = 20000\n";
}

/* uid_offset and gid_offset: added to the ids a query returns, taken off
 * :uid and :gid; an id below the offset is not the database's to answer. */
START_TEST(legacy_offsets)
{
	struct user u = { 0 };
	struct group g = { 0 };
	gid_t *gids = NULL;
	bool denied = false;
	size_t n = 0;

	small_ids();
	start("legacy");
	ck_assert_int_eq(connector_user_by_name(&s, "alice", &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 10001);
	ck_assert_uint_eq(u.gid, 100);             /* NULL: default_gid, no offset */
	ck_assert_str_eq(u.home, "/home/alice");
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_uid(&s, 10002, &u), CONN_OK);
	ck_assert_str_eq(u.name, "bob");
	ck_assert_uint_eq(u.uid, 10002);
	ck_assert_uint_eq(u.gid, 20003);           /* a gid column is a gid */
	user_clear(&u);
	ck_assert_int_eq(connector_group_by_gid(&s, 20001, &g), CONN_OK);
	ck_assert_str_eq(g.name, "staff");
	ck_assert_uint_eq(g.nmembers, 2);
	group_clear(&g);
	ck_assert_int_eq(connector_group_by_name(&s, "admins", &g), CONN_OK);
	ck_assert_uint_eq(g.gid, 20002);
	group_clear(&g);
	ck_assert_int_eq(connector_user_groups(&s, "alice", &gids, &n), CONN_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(gids[0] + gids[1], 20001 + 20002);
	free(gids);
	ck_assert_int_eq(connector_authenticate(&s, "bob", PW_TEST, 0, &denied, &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 10002);
	user_clear(&u);
	/* inside [min_uid, max_uid] but below the offsets: never asked */
	ck_assert_uint_eq(fake_calls[Q_GET_USER_BY_UID], 1);
	ck_assert_uint_eq(fake_calls[Q_GET_GROUP_BY_GID], 1);
	ck_assert_int_eq(connector_user_by_uid(&s, 5001, &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_group_by_gid(&s, 5001, &g), CONN_NOTFOUND);
	ck_assert_int_eq(connector_group_by_gid(&s, 10001, &g), CONN_NOTFOUND);
	ck_assert_uint_eq(fake_calls[Q_GET_USER_BY_UID], 1);
	ck_assert_uint_eq(fake_calls[Q_GET_GROUP_BY_GID], 1);
}
END_TEST

/* An id that the offset takes past the last uid is refused, as any id out
 * of range is, never wrapped around. */
START_TEST(legacy_offset_overflow)
{
	struct user u = { 0 };

	fake_nusers = 0;
	add_user("edge", "294967294", SHA_TEST);     /* 4294967294: the last uid */
	add_user("past", "294967295", SHA_TEST);     /* (uid_t)-1 */
	add_user("wrap", "4294967296", SHA_TEST);    /* would wrap to 10000 */
	add_user("zeros", "00000000000000000000294967293", SHA_TEST); /* read as 294967293 */
	start_ids = "min_uid = 1000\nmax_uid = 4294967294\n";
	start_legacy = "uid_offset = 4000000000\n";
	start("legacy");
	ck_assert_int_eq(connector_user_by_name(&s, "edge", &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 4294967294U);
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_name(&s, "past", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_name(&s, "wrap", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_name(&s, "zeros", &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 4294967293U);       /* offset too, however long */
	user_clear(&u);
}
END_TEST

/* Migrate mode: the store holds the uids Linux sees; the offsets are the
 * legacy queries' alone. */
START_TEST(migrate_offsets)
{
	struct user u = { 0 };
	bool denied = false;

	small_ids();
	start("migrate");
	ck_assert_int_eq(connector_authenticate(&s, "bob", PW_TEST, 0, &denied, NULL), CONN_OK);
	fake_down = true;
	ck_assert_int_eq(connector_user_by_uid(&s, 10002, &u), CONN_OK);
	ck_assert_str_eq(u.name, "bob");
	ck_assert_uint_eq(u.gid, 20003);
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_name(&s, "bob", &u), CONN_OK);
	ck_assert_uint_eq(u.uid, 10002);
	user_clear(&u);
}
END_TEST

/* case_sensitive = false over a case-insensitive collation: any spelling
 * finds the user, who is named in lower case; ROOT is root, never ours. */
START_TEST(legacy_case_folding)
{
	struct user u = { 0 };
	struct group g = { 0 };
	gid_t *gids = NULL;
	bool denied = false;
	char why[256] = "";
	size_t n = 0;

	fake_nusers = fake_ngroups = 0;
	add_user("Alice", "10001", SHA_TEST);
	add_user("Root", "10005", SHA_TEST);
	fake_groups[fake_ngroups++] = (struct fake_group){ "Staff", "20001", "Alice,Root" };
	fake_ci = true;
	start_legacy = "case_sensitive = false\n";
	start("legacy");
	ck_assert_int_eq(connector_user_by_name(&s, "ALICE", &u), CONN_OK);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_str_eq(u.home, "/home/alice");
	user_clear(&u);
	ck_assert_int_eq(connector_user_by_uid(&s, 10001, &u), CONN_OK);
	ck_assert_str_eq(u.name, "alice");
	user_clear(&u);
	ck_assert_int_eq(connector_authenticate(&s, "Alice", PW_TEST, 0, &denied, &u), CONN_OK);
	ck_assert_str_eq(u.name, "alice");
	user_clear(&u);
	ck_assert_int_eq(connector_account(&s, "aLiCe", 0, why, sizeof(why)), CONN_OK);
	ck_assert_int_eq(connector_change_password(&s, "ALICE", PW_TEST, "n3w-Secret", 0, false,
						   why, sizeof(why)), CONN_OK);
	ck_assert_str_eq(fake_written_user, "alice");
	ck_assert_int_eq(connector_group_by_name(&s, "STAFF", &g), CONN_OK);
	ck_assert_str_eq(g.name, "staff");
	ck_assert_uint_eq(g.nmembers, 1);            /* root is no member of ours */
	ck_assert_str_eq(g.members[0], "alice");
	group_clear(&g);
	ck_assert_int_eq(connector_user_groups(&s, "Alice", &gids, &n), CONN_OK);
	ck_assert_uint_eq(n, 1);
	free(gids);
	ck_assert_int_eq(connector_user_by_name(&s, "ROOT", &u), CONN_NOTFOUND);
	ck_assert_int_eq(connector_user_by_uid(&s, 10005, &u), CONN_NOTFOUND);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *su = suite_create("modes");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, legacy_lookups);
	tcase_add_test(tc, legacy_rules);
	tcase_add_test(tc, legacy_login_and_account);
	tcase_add_test(tc, legacy_unavailable);
	tcase_add_test(tc, legacy_change_password);
	tcase_add_test(tc, migrate_first_login);
	tcase_add_test(tc, migrate_refused_not_copied);
	tcase_add_test(tc, migrate_dry_run_writes_nothing);
	tcase_add_test(tc, migrate_change_password);
	tcase_add_test(tc, legacy_offsets);
	tcase_add_test(tc, legacy_offset_overflow);
	tcase_add_test(tc, migrate_offsets);
	tcase_add_test(tc, legacy_case_folding);
	suite_add_tcase(su, tc);
	return su;
}

#include "check_main.h"
