/* cmd_migrate_ready.c: the part of customdb migrate status that says
 * whether mode = store is safe yet (tool.h): which users and groups the
 * legacy database still holds that the store does not, and what happens to
 * imported users who never logged in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "tool.h"

/* Names shown for each kind left behind. */
#define READY_FIRST 5
/* Names asked of the store at once. */
#define READY_BATCH 256

struct left {
	long long n;
	char first[READY_FIRST][CDB_NAME_MAX + 1];
};

static void left_add(struct left *l, const char *name)
{
	if (l->n < READY_FIRST)
		snprintf(l->first[l->n], sizeof(l->first[0]), "%s", name);
	l->n++;
}

/* Users of list_users customdb answers for and the store does not know. */
static int users_left(struct session *s, struct store *st, struct left *l, char *err,
		      size_t errlen)
{
	const char *names[READY_BATCH];
	struct user u[READY_BATCH];
	bool known[READY_BATCH];
	struct result *r = NULL;
	size_t row, k = 0, i;
	int rc;

	rc = session_query(s, Q_LIST_USERS, &(struct query_args){ 0 }, &r, err, errlen);
	for (row = 0; rc == CONN_OK && row <= r->nrows; row++) {
		if (row < r->nrows) {
			if (map_user(s->conn->cfg, r, row, false, &u[k], NULL, 0) != MAP_OK) {
				user_clear(&u[k]);
				continue;
			}
			names[k] = u[k].name;
			k++;
		}
		if (k < READY_BATCH && row < r->nrows)
			continue;
		memset(known, 0, sizeof(known));
		if (k > 0 && store_names_known(st, names, k, known) != STORE_OK) {
			snprintf(err, errlen, "the store: %s", store_rc_name(STORE_UNAVAIL));
			rc = CONN_UNAVAIL;
		}
		for (i = 0; i < k; i++) {
			if (rc == CONN_OK && !known[i])
				left_add(l, u[i].name);
			user_clear(&u[i]);
		}
		k = 0;
	}
	result_free(r);
	return rc;
}

/* Groups of list_groups customdb answers for that the store does not hold
 * under the same name and gid. */
static int groups_left(struct session *s, struct store *st, struct left *l, char *err,
		       size_t errlen)
{
	struct result *r = NULL;
	struct group g, sg;
	size_t row;
	int rc, src;

	rc = session_query(s, Q_LIST_GROUPS, &(struct query_args){ 0 }, &r, err, errlen);
	for (row = 0; rc == CONN_OK && row < r->nrows; row++) {
		if (map_group(s->conn->cfg, r, row, &g, NULL, 0) != MAP_OK) {
			group_clear(&g);
			continue;
		}
		src = store_group_by_name(st, g.name, &sg);
		if (src == STORE_NOTFOUND || (src == STORE_OK && sg.gid != g.gid))
			left_add(l, g.name);
		else if (src != STORE_OK)
			rc = CONN_UNAVAIL;
		group_clear(&sg);
		group_clear(&g);
	}
	if (rc == CONN_UNAVAIL && r != NULL)
		snprintf(err, errlen, "the store: %s", store_rc_name(STORE_UNAVAIL));
	result_free(r);
	return rc;
}

static void print_left(struct out *out, const char *key, int rc, const struct left *l,
		       const char *err)
{
	long long i;

	out_obj_begin(out, key);
	if (rc == CONN_OK) {
		out_int(out, "count", l->n);
		out_arr_begin(out, "first");
		for (i = 0; i < l->n && i < READY_FIRST; i++)
			out_item(out, l->first[i]);
		out_arr_end(out);
	} else {
		out_str(out, "count", rc == CONN_NOTFOUND ? "unknown (query not configured)"
			: "unavailable");
		out_str(out, "error", err);
	}
	out_obj_end(out);
}

bool migrate_switch_report(struct session *s, struct store *st, const struct store_stats *stats,
			   struct out *out)
{
	struct left lu = { 0 }, lg = { 0 };
	char uerr[512] = "", gerr[512] = "", why[256];
	int urc, grc;
	bool safe;

	urc = users_left(s, st, &lu, uerr, sizeof(uerr));
	grc = groups_left(s, st, &lg, gerr, sizeof(gerr));
	safe = urc == CONN_OK && grc == CONN_OK && lu.n == 0 && lg.n == 0;
	out_obj_begin(out, "switch_to_store");
	if (safe)
		snprintf(why, sizeof(why), "safe: the store holds every user and group the legacy "
			 "database lists");
	else if (urc != CONN_OK || grc != CONN_OK)
		snprintf(why, sizeof(why), "unknown: list_users and list_groups must both answer "
			 "to compare the legacy database with the store");
	else
		snprintf(why, sizeof(why), "not yet: run customdb migrate import (users left "
			 "behind would no longer log in or resolve)");
	out_str(out, "verdict", why);
	print_left(out, "users_left_in_legacy", urc, &lu, uerr);
	print_left(out, "groups_left_in_legacy", grc, &lg, gerr);
	out_int(out, "imported_not_logged_in", stats->imported_pending);
	if (stats->imported_pending > 0)
		out_str(out, "imported_not_logged_in_then", "they keep their legacy hashes: in "
			"store mode the hash module verifies them at their first login, which "
			"re-hashes them to argon2id");
	out_obj_end(out);
	return safe;
}
