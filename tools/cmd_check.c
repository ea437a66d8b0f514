/* cmd_check.c: customdb check: parse the config, run every read query with a
 * probe value, and report what is missing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "connector.h"
#include "output.h"
#include "store.h"
#include "tool.h"


struct probe {
	enum query_id id;
	const char *required[4];
	const char *known[18];
};

#define USER_COLS { "username", "uid", "gid", "gecos", "home", "shell", "password", "salt", \
		    "email", "email_verified", "disabled", "disabled_until", "expires", \
		    "must_change_password", "password_expires", NULL }

static const struct probe probes[] = {
	{ Q_LOGIN, { "username", "uid", "password", NULL }, USER_COLS },
	{ Q_GET_USER, { "username", "uid", NULL }, USER_COLS },
	{ Q_GET_USER_BY_UID, { "username", "uid", NULL }, USER_COLS },
	{ Q_GET_GROUP, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
	{ Q_GET_GROUP_BY_GID, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
	{ Q_USER_GROUPS, { "gid", NULL }, { "group", "gid", NULL } },
	{ Q_LIST_USERS, { "username", "uid", NULL }, USER_COLS },
	{ Q_COUNT_USERS, { "count", NULL }, { "count", NULL } },
	{ Q_LIST_GROUPS, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
};

/* Does the driver name a result's columns when it has no row? A JSON
 * answer of no rows (json_row.h) says nothing about the fields a row has. */
static bool names_columns_without_rows(const char *driver)
{
	return strcmp(driver, "http") != 0 && strcmp(driver, "exec") != 0;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, name) == 0)
			return true;
	return false;
}

/* Migrate and store modes: can the store be opened (schema created or upgraded), and
 * what does it hold? */
static void check_store(const struct config *c, struct out *out, int *problems,
			int *unavailable)
{
	const char *driver = c->store_driver != NULL ? c->store_driver : "sqlite";
	struct store_stats st;
	struct store *sp;
	char err[1024];
	int rc;

	out_obj_begin(out, "store");
	out_str(out, "driver", driver);
	if (strcmp(driver, "sqlite") == 0)
		out_str(out, "path", c->store_path);
	rc = store_check(c, err, sizeof(err));
	if (rc == STORE_OK && (sp = store_open(c, err, sizeof(err))) != NULL) {
		rc = store_stats(sp, &st);
		store_close(sp);
		if (rc != STORE_OK)
			snprintf(err, sizeof(err), "cannot read the store: %s", store_rc_name(rc));
	} else if (rc == STORE_OK) {
		rc = STORE_UNAVAIL;
	}
	if (rc == STORE_OK) {
		out_str(out, "status", "ok");
		out_int(out, "users", st.users);
		out_int(out, "imported_not_logged_in", st.imported_pending);
		out_int(out, "tombstones", st.tombstones);
		out_int(out, "groups", st.groups);
	} else {
		out_str(out, "status", rc == STORE_UNAVAIL ? "unavailable" : "error");
		out_str(out, "error", err);
		if (rc == STORE_UNAVAIL)
			(*unavailable)++;
		else
			(*problems)++;
	}
	out_obj_end(out);
}

/* Run one query of the config with the probe's values; say how it went and
 * which columns it lacks or does not know. */
static void check_query(const struct config *c, struct session *s, const struct probe *p,
			const char *probe_id, struct out *out, int *problems, int *unavailable)
{
	struct query_args a = { .v = { "customdb-probe", probe_id, probe_id, "customdb-probe", "",
				       "probe@invalid" } };
	struct result *r = NULL;
	char err[1024];
	size_t k;
	int rc;

	out_obj_begin(out, NULL);
	out_str(out, "query", query_id_name(p->id));
	rc = session_query(s, p->id, &a, &r, err, sizeof(err));
	/* a source that checks passwords refuses the probe's: it answered */
	if (rc == CONN_AUTH_ERR && p->id == Q_LOGIN && connector_login_checks_password(c)) {
		out_str(out, "status", "ok");
		out_str(out, "note", "the source checks the password itself; it refused "
			"the probe's");
		out_obj_end(out);
		return;
	}
	if (rc != CONN_OK) {
		out_str(out, "status", rc == CONN_UNAVAIL ? "unavailable" : "error");
		out_str(out, "error", err);
		if (rc == CONN_UNAVAIL)
			(*unavailable)++;
		else
			(*problems)++;
		out_obj_end(out);
		return;
	}
	out_str(out, "status", "ok");
	if (r->nrows == 0 && !names_columns_without_rows(c->driver)) {
		out_str(out, "note", "no row for the probe, so its fields are not checked: "
			"customdb try get-user shows a real user's");
		out_obj_end(out);
		result_free(r);
		return;
	}
	out_arr_begin(out, "missing");
	for (k = 0; p->required[k] != NULL; k++)
		if (result_column(r, p->required[k]) < 0 &&
		    !(p->id == Q_LOGIN && strcmp(p->required[k], "password") == 0 &&
		      connector_login_checks_password(c))) {
			out_item(out, p->required[k]);
			(*problems)++;
		}
	out_arr_end(out);
	out_arr_begin(out, "unknown");
	for (k = 0; k < r->ncols; k++)
		if (!in_list(p->known, r->colnames[k]))
			out_item(out, r->colnames[k]);
	out_arr_end(out);
	out_obj_end(out);
	result_free(r);
}

int cmd_check(const struct opts *o, const struct tool_call *call)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct out out;
	size_t i;
	int problems = 0, unavailable = 0, rc;
	char probe_id[24];

	(void)call;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	/* an id the daemon could really be asked for, so casts in SQL hold */
	snprintf(probe_id, sizeof(probe_id), "%lu", (unsigned long)c->max_uid);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "config", c->path);
	out_str(&out, "mode", config_mode_name(c->mode));
	/* store mode: the legacy database is retired, never asked */
	out_str(&out, "driver", c->mode == MODE_STORE ? "none (mode = store)" : c->driver);
	out_arr_begin(&out, "queries");
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (c->q[probes[i].id].sql != NULL && c->mode != MODE_STORE)
			check_query(c, &s, &probes[i], probe_id, &out, &problems, &unavailable);
	out_arr_end(&out);
	out_arr_begin(&out, "not_run");
	for (i = Q_CREATE; i < Q_COUNT_; i++)
		if (c->q[i].sql != NULL && c->mode != MODE_STORE)
			out_item(&out, query_id_name((enum query_id)i));
	out_arr_end(&out);
	if (c->mode != MODE_LEGACY)
		check_store(c, &out, &problems, &unavailable);
	out_int(&out, "problems", problems);
	out_str(&out, "result", unavailable ? "unavailable" : problems ? "problems" : "ok");
	out_obj_end(&out);
	out_end(&out);
	tool_close_session(c, &s);
	if (unavailable)
		return EXIT_UNAVAIL;
	return problems ? EXIT_NO : EXIT_YES;
}
