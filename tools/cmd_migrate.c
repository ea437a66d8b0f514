/* cmd_migrate.c: customdb migrate status|import.
 *
 * status: how far the migration has come (the store's figures against the
 * legacy count_users). import: copy every user the store does not know yet
 * from the legacy list_users into the store, with the legacy hash kept as it
 * is; the user's first login verifies it with the hash module and re-hashes
 * it to argon2id (mode_migrate.c). The import runs in batches, each committed
 * alone: a run that stops half-way is finished by running it again, and a
 * second run imports nothing. Until the legacy database is retired it is the
 * truth for groups: every run copies each user's groups and primary group,
 * makes the memberships of users already in the store the legacy
 * database's again, and removes store groups it no longer has. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "store.h"
#include "tool.h"

#define BATCH_DEFAULT 1000
#define BATCH_MAX 100000
/* Names shown for each kind of row that was not imported. */
#define REPORT_FIRST 5

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: customdb [-c FILE] migrate status [--json]\n"
		"       customdb [-c FILE] migrate import [--batch N] [--json]\n\n"
		"  status   users in the store against count_users in the legacy database,\n"
		"           imported users not logged in since, tombstones, migrations per\n"
		"           day (last %d days) and the most recent logins; in migrate mode\n"
		"           also whether mode = store is safe yet (switch_to_store: the users\n"
		"           and groups list_users and list_groups hold that the store does not)\n"
		"  import   copy every user of list_users that the store does not know into\n"
		"           the store, legacy hash kept (re-hashed to argon2id at the first\n"
		"           login), N users per transaction (default %d); run it again to\n"
		"           finish an interrupted import: it skips users already there.\n"
		"           Each user's groups come along (user_groups) with the primary\n"
		"           group (get_group_by_gid), members or none; users already in\n"
		"           the store get their memberships from the legacy database again\n"
		"           (gained and lost), and a store group no user is in any more\n"
		"           that get_group_by_gid no longer finds is removed.\n"
		"           Users whose hash no format of customdb reads, disabled or\n"
		"           expired accounts and rows the rules refuse are left out and\n"
		"           reported. Shows a progress bar on a terminal.\n\n"
		"Exit status: 0 done, 2 usage or config error (mode = legacy or store for import),\n"
		"3 the legacy database or the store is unreachable (status: the figures\n"
		"that could be read are shown; import: what was committed stays).\n",
		STORE_STATS_DAYS, BATCH_DEFAULT);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* t as a UTC date, with the time of day or without. */
static void utc_date(int64_t t, bool with_time, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&tt, &tm) != NULL)
		n = with_time ? strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm)
			      : strftime(buf, len, "%Y-%m-%d", &tm);
	if (n == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* --- status ---------------------------------------------------------------- */

/* count_users: CONN_OK with *count, CONN_NOTFOUND when not configured,
 * CONN_UNAVAIL, CONN_ERROR (err says why). */
static int legacy_count(struct session *s, long long *count, char *err, size_t errlen)
{
	struct query_args a = { 0 };
	struct result *r = NULL;
	const char *v;
	char *end;
	int rc, col;

	rc = session_query(s, Q_COUNT_USERS, &a, &r, err, errlen);
	if (rc != CONN_OK)
		return rc;
	col = result_column(r, "count");
	if (col < 0 && r->ncols == 1)
		col = 0;
	v = col >= 0 && r->nrows == 1 ? result_cell(r, 0, (size_t)col) : NULL;
	errno = 0;
	*count = v != NULL ? strtoll(v, &end, 10) : -1;
	if (v == NULL || errno != 0 || end == v || *end != '\0' || *count < 0) {
		snprintf(err, errlen, "count_users must return one row with a 'count' column");
		rc = CONN_ERROR;
	}
	result_free(r);
	return rc;
}

static void print_legacy_count(struct out *out, int rc, long long count, const char *err)
{
	if (rc == CONN_OK) {
		out_int(out, "legacy_users", count);
		return;
	}
	if (out->json)
		out_str(out, "legacy_users", NULL);
	else
		out_str(out, "legacy_users", rc == CONN_NOTFOUND ? "unknown (no count_users query)"
			: "unavailable");
	out_str(out, "legacy_error", err);
}

static void print_store_stats(struct out *out, const struct store_stats *st, int lrc,
			      long long legacy)
{
	char day[32], pct[32], when[64];
	size_t i;

	out_int(out, "store_users", st->users);
	if (lrc == CONN_OK && legacy > 0) {
		snprintf(pct, sizeof(pct), "%.2f%%", 100.0 * (double)st->users / (double)legacy);
		out_str(out, "migrated", pct);
	}
	out_int(out, "imported_not_logged_in", st->imported_pending);
	out_int(out, "tombstones", st->tombstones);
	out_int(out, "groups", st->groups);
	out_obj_begin(out, "migrations_per_day");
	for (i = 0; i < STORE_STATS_DAYS; i++) {
		utc_date((int64_t)time(NULL) - (int64_t)i * 86400, false, day, sizeof(day));
		out_int(out, day, st->per_day[i]);
	}
	out_obj_end(out);
	out_obj_begin(out, "recent_logins");
	for (i = 0; i < st->nrecent && i < STORE_STATS_RECENT; i++) {
		utc_date(st->recent[i].at, true, when, sizeof(when));
		out_str(out, st->recent[i].name, when);
	}
	out_obj_end(out);
}

static int migrate_status(const struct opts *o)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct store *store = NULL;
	struct store_stats st;
	struct out out;
	char err[512] = "", serr[512] = "";
	long long legacy = -1;
	int rc, lrc, src = STORE_OK;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	lrc = c->mode == MODE_STORE ? CONN_OK : legacy_count(&s, &legacy, err, sizeof(err));
	if (c->mode != MODE_LEGACY) {
		memset(&st, 0, sizeof(st));
		store = store_open(c, serr, sizeof(serr));
		src = store != NULL ? store_stats(store, &st) : STORE_UNAVAIL;
		if (store != NULL && src != STORE_OK)
			snprintf(serr, sizeof(serr), "store: %s", store_rc_name(src));
	}
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "mode", config_mode_name(c->mode));
	if (c->mode == MODE_LEGACY)
		out_str(&out, "migration", "not in use (mode = legacy): every user lives in the "
			"legacy database");
	else if (c->mode == MODE_STORE)
		out_str(&out, "migration", "done (mode = store): the legacy database is retired; "
			"the store answers for every user");
	if (c->mode != MODE_STORE)
		print_legacy_count(&out, lrc, legacy, err);
	if (c->mode != MODE_LEGACY && src == STORE_OK)
		print_store_stats(&out, &st, lrc, legacy);
	else if (c->mode != MODE_LEGACY)
		out_str(&out, "store_error", serr);
	/* a legacy database that cannot be reached would only be waited for again */
	if (c->mode == MODE_MIGRATE && src == STORE_OK && lrc != CONN_UNAVAIL)
		migrate_switch_report(&s, store, &st, &out);
	out_obj_end(&out);
	out_end(&out);
	store_close(store);
	tool_close_session(c, &s);
	if (lrc == CONN_UNAVAIL || src != STORE_OK)
		return EXIT_UNAVAIL;
	return lrc == CONN_ERROR ? EXIT_USAGE : EXIT_YES;
}

/* --- import ------------------------------------------------------------------ */

/* The kinds of rows that were not imported, each reported by count and the
 * first few names. */
enum skip {
	SKIP_EXISTS,      /* the store knows the name (a user or a tombstone) */
	SKIP_CONFLICT,    /* the uid is held in the store by another name */
	SKIP_TOMBSTONE,   /* deleted on purpose while the import ran */
	SKIP_UNUSABLE,    /* no hash, or one no format of customdb reads */
	SKIP_ACCOUNT,     /* disabled, expired, unverified: left in the legacy
			   * database, as a trickle migration leaves them */
	SKIP_REJECTED,    /* breaks the rules (root, uid 0, ids out of range) */
	SKIP_ERROR,       /* a row the store refused */
	SKIP_COUNT_
};

static const char *const skip_key[SKIP_COUNT_] = {
	"already_there", "conflicts", "deleted_on_purpose", "unusable",
	"left_in_legacy", "rejected", "store_errors",
};

struct import {
	const struct opts *o;
	struct config *c;
	struct session s;
	struct store *store;
	size_t batch;
	bool tty;

	size_t rows, done, imported;
	size_t synced;          /* users already there whose groups were re-read */
	size_t groups_removed;  /* store groups the legacy database has no more */
	size_t skipped[SKIP_COUNT_];
	char first[SKIP_COUNT_][REPORT_FIRST][CDB_NAME_MAX + 96];
	struct timespec t0;
	double last_bar;
};

static void skip(struct import *im, enum skip k, const char *name, const char *why)
{
	size_t i = im->skipped[k]++;

	if (i >= REPORT_FIRST)
		return;
	if (why != NULL && why[0] != '\0')
		snprintf(im->first[k][i], sizeof(im->first[k][i]), "%.64s (%.80s)", name, why);
	else
		snprintf(im->first[k][i], sizeof(im->first[k][i]), "%.64s", name);
}

/* The progress bar on stderr (a terminal only), at most ten times a second. */
static void progress(struct import *im, bool last)
{
	double t = seconds_since(&im->t0), rate, eta;
	int width = 30, fill, i;

	if (!im->tty || (!last && t - im->last_bar < 0.1))
		return;
	im->last_bar = t;
	rate = t > 0 ? (double)im->done / t : 0;
	eta = rate > 0 ? (double)(im->rows - im->done) / rate : 0;
	fill = im->rows > 0 ? (int)((double)width * (double)im->done / (double)im->rows) : width;
	fputs("\r[", stderr);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%  %zu/%zu  %.0f users/s  ETA %d:%02d ",
		im->rows > 0 ? (int)(100 * im->done / im->rows) : 100, im->done, im->rows, rate,
		(int)eta / 60, (int)eta % 60);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Could a login verify this user's stored hash? NULL, or why not. */
static const char *hash_unusable(const struct config *c, const struct user *u)
{
	struct hash_ctx ctx = { .salt = u->salt, .scheme_read = c->password_scheme_read,
				.allow_empty = c->allow_empty_password, .limits = &c->hash_limits };
	const struct hash_family *f;

	if (u->password == NULL || u->password[0] == '\0')
		return "no password hash";
	if (hash_is_lock_marker(u->password))
		return "a lock marker";
	f = hash_identify_ctx(&ctx, u->password);
	if (f == NULL)
		return "a hash of no format customdb reads";
	if (f->needs_salt && (u->salt == NULL || u->salt[0] == '\0'))
		return "the hash needs the salt column";
	if (hash_over_ceiling(&ctx, f, u->password, NULL, 0))
		return "a hash over a ceiling (hash_max_*)";
	return NULL;
}

/* Would a trickle migration leave this account where it is? NULL, or why. */
static const char *account_stays(const struct config *c, const struct user *u)
{
	if (u->disabled)
		return "disabled";
	if (u->expires != 0 && u->expires <= (int64_t)time(NULL))
		return "expired";
	if (c->require_verified && u->email_verified == 0)
		return "e-mail not verified";
	return NULL;
}

/* The username cell of a row, for reports. */
static const char *row_name(const struct result *r, size_t row)
{
	int col = result_column(r, "username");
	const char *v = col >= 0 ? result_cell(r, row, (size_t)col) : NULL;

	return v != NULL ? v : "(no name)";
}

/* Map rows [from, to) of r into users; rows that are not to be imported
 * are counted and cleared. *n gets the users kept. EXIT_YES, or EXIT_USAGE
 * for a query that does not map (said on stderr). */
static int map_rows(struct import *im, const struct result *r, size_t from, size_t to,
		    struct user *users, size_t *n)
{
	const char *why_not;
	char why[256];
	size_t row;
	int m;

	*n = 0;
	for (row = from; row < to; row++) {
		struct user *u = &users[*n];

		why[0] = '\0';
		m = map_user(im->c, r, row, true, u, why, sizeof(why));
		if (m == MAP_REJECTED) {
			skip(im, SKIP_REJECTED, row_name(r, row), why);
			user_clear(u);
			continue;
		}
		if (m != MAP_OK) {
			fprintf(stderr, "customdb: migrate import: query list_users: %s\n",
				m == MAP_NOMEM ? "out of memory" : why);
			user_clear(u);
			return EXIT_USAGE;
		}
		why_not = hash_unusable(im->c, u);
		if (why_not != NULL) {
			skip(im, SKIP_UNUSABLE, u->name, why_not);
			user_clear(u);
			continue;
		}
		why_not = account_stays(im->c, u);
		if (why_not != NULL) {
			skip(im, SKIP_ACCOUNT, u->name, why_not);
			user_clear(u);
			continue;
		}
		(*n)++;
	}
	return EXIT_YES;
}

/* Count what store_import_users said of user u: imported, or skipped and
 * why. */
static void count_written(struct import *im, const struct user *u, int rc)
{
	char why[64];

	switch (rc) {
	case STORE_OK:
		im->imported++;
		break;
	case STORE_EXISTS:
		skip(im, SKIP_EXISTS, u->name, NULL);
		break;
	case STORE_CONFLICT:
		snprintf(why, sizeof(why), "uid %lu is another user's in the store",
			 (unsigned long)u->uid);
		skip(im, SKIP_CONFLICT, u->name, why);
		break;
	case STORE_TOMBSTONE:
		skip(im, SKIP_TOMBSTONE, u->name, NULL);
		break;
	default:
		skip(im, SKIP_ERROR, u->name, store_rc_name(rc));
		break;
	}
}

/* The legacy groups of row->u: those it is a member of (user_groups) and
 * its primary group (get_group_by_gid), into row and *primary. EXIT_YES, or
 * why not (said on stderr). */
static int read_groups(struct import *im, struct store_import *row, struct group **groups,
		       struct group *primary)
{
	bool found = false;
	int r;

	r = legacy_group_list(&im->s, row->u->name, groups, &row->ngroups);
	row->groups = *groups;
	if (r == CONN_OK)
		r = legacy_group_of_gid(&im->s, row->u->gid, primary, &found);
	row->primary = found ? primary : NULL;
	if (r == CONN_OK)
		return EXIT_YES;
	fprintf(stderr, "customdb: migrate import: the groups of %s cannot be read from the "
		"legacy database (%s)\n", row->u->name, conn_rc_name(r));
	return r == CONN_UNAVAIL ? EXIT_UNAVAIL : EXIT_USAGE;
}

/* Users already in the store: their memberships made the legacy
 * database's again (a re-run of import picks up groups gained and lost). */
static int sync_known(struct import *im, const struct store_import *rows, size_t n, int *rc)
{
	size_t i;
	int r;

	if (n == 0)
		return EXIT_YES;
	r = store_sync_groups(im->store, rows, n, rc);
	if (r != STORE_OK) {
		fprintf(stderr, "customdb: migrate import: the groups of a batch of %zu users "
			"already in the store could not be written (%s); none were\n", n,
			store_rc_name(r));
		return EXIT_UNAVAIL;
	}
	for (i = 0; i < n; i++)
		if (rc[i] == STORE_OK)
			im->synced++;
	return EXIT_YES;
}

/* One batch: users[0..n) mapped and usable, each with its legacy groups.
 * Those the store does not know are written in one transaction; those it
 * has get their groups synced in another. EXIT_YES, or EXIT_UNAVAIL when
 * the legacy database or the store went away (said on stderr; what earlier
 * batches wrote stays). */
static int import_batch(struct import *im, struct user *users, size_t n)
{
	const char **names = NULL;
	bool *known = NULL;
	struct store_import *rows = NULL;
	struct group **groups = NULL, *primary = NULL;
	int *rc = NULL;
	size_t i, k = 0, nknown = 0, at, j;
	int r, exit_rc = EXIT_YES;

	if (n == 0)
		return EXIT_YES;
	names = calloc(n, sizeof(*names));
	known = calloc(n, sizeof(*known));
	rows = calloc(n, sizeof(*rows));     /* new users first, known ones from the end */
	groups = calloc(n, sizeof(*groups));
	primary = calloc(n, sizeof(*primary));
	rc = calloc(n, sizeof(*rc));
	if (names == NULL || known == NULL || rows == NULL || groups == NULL || primary == NULL ||
	    rc == NULL) {
		fprintf(stderr, "customdb: migrate import: out of memory\n");
		exit_rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < n; i++)
		names[i] = users[i].name;
	if (store_names_known(im->store, names, n, known) != STORE_OK) {
		fprintf(stderr, "customdb: migrate import: the store cannot be read\n");
		exit_rc = EXIT_UNAVAIL;
		goto out;
	}
	for (i = 0; i < n && exit_rc == EXIT_YES; i++) {
		if (known[i])
			skip(im, SKIP_EXISTS, users[i].name, NULL);
		at = known[i] ? n - 1 - nknown++ : k++;
		rows[at].u = &users[i];
		exit_rc = read_groups(im, &rows[at], &groups[at], &primary[at]);
	}
	if (exit_rc != EXIT_YES)
		goto out;
	if (k > 0) {
		r = store_import_users(im->store, rows, k, rc);
		if (r != STORE_OK) {
			fprintf(stderr, "customdb: migrate import: a batch of %zu users could not be "
				"written (%s); nothing of it was\n", k, store_rc_name(r));
			exit_rc = EXIT_UNAVAIL;
			goto out;
		}
		for (i = 0; i < k; i++)
			count_written(im, rows[i].u, rc[i]);
	}
	exit_rc = sync_known(im, rows + n - nknown, nknown, rc);
out:
	for (i = 0; groups != NULL && primary != NULL && i < n; i++) {
		for (j = 0; groups[i] != NULL && j < rows[i].ngroups; j++)
			group_clear(&groups[i][j]);
		free(groups[i]);
		group_clear(&primary[i]);
	}
	free(names);
	free(known);
	free(rows);
	free(groups);
	free(primary);
	free(rc);
	return exit_rc;
}

/* After a complete run: a store group that no store user is a member of any
 * more and whose gid the legacy database no longer has goes, so that a
 * group removed there is not answered from the store. Needs
 * get_group_by_gid (else nothing is removed). EXIT_YES or EXIT_UNAVAIL. */
static int prune_groups(struct import *im)
{
	struct group *list = NULL, lg;
	size_t n = 0, i;
	bool found;
	int r, exit_rc = EXIT_YES;

	if (im->c->q[Q_GET_GROUP_BY_GID].sql == NULL)
		return EXIT_YES;
	if (store_list_groups(im->store, SIZE_MAX, &list, &n) != STORE_OK) {
		fprintf(stderr, "customdb: migrate import: the store's groups cannot be read\n");
		return EXIT_UNAVAIL;
	}
	for (i = 0; i < n && exit_rc == EXIT_YES; i++) {
		if (list[i].nmembers > 0)
			continue;
		r = legacy_group_of_gid(&im->s, list[i].gid, &lg, &found);
		group_clear(&lg);
		if (r != CONN_OK) {
			fprintf(stderr, "customdb: migrate import: group %s cannot be looked up in "
				"the legacy database (%s)\n", list[i].name, conn_rc_name(r));
			exit_rc = r == CONN_UNAVAIL ? EXIT_UNAVAIL : EXIT_USAGE;
		} else if (!found && store_prune_group(im->store, list[i].name) == STORE_OK) {
			im->groups_removed++;
		}
	}
	for (i = 0; i < n; i++)
		group_clear(&list[i]);
	free(list);
	return exit_rc;
}

static void print_summary(struct import *im, bool complete)
{
	double t = seconds_since(&im->t0);
	struct out out;
	size_t k, i;
	int flushed = -1;

	/* the daemon's cached group lists and groups are the store's no more */
	if (im->imported + im->synced + im->groups_removed > 0)
		flushed = tool_daemon_flush(im->c, NULL);

	out_begin(&out, im->o->json);
	out_obj_begin(&out, NULL);
	out_bool(&out, "complete", complete);
	out_int(&out, "rows", (long long)im->rows);
	out_int(&out, "imported", (long long)im->imported);
	out_int(&out, "groups_synced", (long long)im->synced);
	out_int(&out, "groups_removed", (long long)im->groups_removed);
	for (k = 0; k < SKIP_COUNT_; k++) {
		if (im->skipped[k] == 0 && !im->o->json)
			continue;
		out_obj_begin(&out, skip_key[k]);
		out_int(&out, "count", (long long)im->skipped[k]);
		out_arr_begin(&out, "first");
		for (i = 0; i < im->skipped[k] && i < REPORT_FIRST; i++)
			out_item(&out, im->first[k][i]);
		out_arr_end(&out);
		out_obj_end(&out);
	}
	if (flushed >= 0)
		out_int(&out, "cache_flushed", flushed);
	else
		out_str(&out, "cache_flushed", im->o->json ? NULL : "no daemon reached");
	out_int(&out, "elapsed_ms", (long long)(t * 1000));
	out_int(&out, "imported_per_second", t > 0 ? (long long)((double)im->imported / t) : 0);
	out_int(&out, "rows_per_second", t > 0 ? (long long)((double)im->done / t) : 0);
	out_obj_end(&out);
	out_end(&out);
}

/* The rows of list_users, im->batch at a time: mapped, then written; the
 * summary printed. EXIT_YES, or why it stopped. */
static int import_rows(struct import *im, const struct result *r)
{
	struct user *users;
	size_t from, to, n, i;
	int rc = EXIT_YES;

	im->rows = r->nrows;
	users = calloc(im->batch, sizeof(*users));
	if (users == NULL)
		return EXIT_USAGE;
	for (from = 0; from < r->nrows && rc == EXIT_YES; from = to) {
		to = from + im->batch < r->nrows ? from + im->batch : r->nrows;
		rc = map_rows(im, r, from, to, users, &n);
		if (rc == EXIT_YES)
			rc = import_batch(im, users, n);
		for (i = 0; i < n; i++)
			user_clear(&users[i]);
		if (rc == EXIT_YES)
			im->done = to;
		progress(im, to == r->nrows || rc != EXIT_YES);
	}
	if (rc == EXIT_YES)
		rc = prune_groups(im);
	print_summary(im, rc == EXIT_YES);
	free(users);
	return rc;
}

static int migrate_import(const struct opts *o, size_t batch)
{
	struct import *im = calloc(1, sizeof(*im));
	struct connector cn;
	struct result *r = NULL;
	char err[512];
	int rc;

	if (im == NULL)
		return EXIT_USAGE;
	im->o = o;
	im->batch = batch;
	im->tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &im->t0);
	rc = tool_open_session(o, &im->c, &cn, &im->s);
	if (rc != 0) {
		free(im);
		return rc;
	}
	if (im->c->mode != MODE_MIGRATE) {
		fprintf(stderr, "customdb: migrate import: %s says mode = %s: %s\n", im->c->path,
			config_mode_name(im->c->mode), im->c->mode == MODE_STORE ?
			"the legacy database is retired, there is nothing to import from" :
			"there is no store to import into (set mode = migrate and [store] first)");
		rc = EXIT_USAGE;
		goto out;
	}
	if (im->c->q[Q_LIST_USERS].sql == NULL) {
		fprintf(stderr, "customdb: migrate import: %s has no list_users query: nothing to "
			"import from\n", im->c->path);
		rc = EXIT_USAGE;
		goto out;
	}
	im->store = store_open(im->c, err, sizeof(err));
	if (im->store == NULL) {
		fprintf(stderr, "customdb: migrate import: %s\n", err);
		rc = EXIT_UNAVAIL;
		goto out;
	}
	if (im->tty)
		fprintf(stderr, "reading list_users...");
	rc = session_query(&im->s, Q_LIST_USERS, &(struct query_args){ 0 }, &r, err, sizeof(err));
	if (im->tty)
		fputs("\r\033[K", stderr);
	if (rc != CONN_OK) {
		fprintf(stderr, "customdb: migrate import: query list_users: %s\n", err);
		rc = rc == CONN_UNAVAIL ? EXIT_UNAVAIL : EXIT_USAGE;
		goto out;
	}
	if (result_column(r, "password") < 0) {
		fprintf(stderr, "customdb: migrate import: list_users returns no 'password' column: "
			"the legacy hashes cannot be carried over (add it, and 'salt' for schemes "
			"that keep the salt apart)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = import_rows(im, r);
out:
	result_free(r);
	store_close(im->store);
	tool_close_session(im->c, &im->s);
	free(im);
	return rc;
}

int cmd_migrate(struct opts *o, int argc, char **argv)
{
	const char *sub = NULL;
	unsigned long batch = BATCH_DEFAULT;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_YES;
		} else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			errno = 0;
			batch = strtoul(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || batch == 0 || batch > BATCH_MAX) {
				fprintf(stderr, "customdb: migrate: --batch: a number from 1 to %d\n",
					BATCH_MAX);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' || sub != NULL) {
			fprintf(stderr, "customdb: migrate: unexpected %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			sub = argv[i];
		}
	}
	if (sub != NULL && strcmp(sub, "status") == 0)
		return migrate_status(o);
	if (sub != NULL && strcmp(sub, "import") == 0)
		return migrate_import(o, batch);
	fprintf(stderr, "customdb: migrate: %s\n", sub == NULL ? "status or import?"
		: "unknown subcommand");
	usage(stderr);
	return EXIT_USAGE;
}
