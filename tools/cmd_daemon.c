/* cmd_daemon.c: customdb cache show|verify|flush, customdb status.
 *
 * `cache show` and `cache verify` read the host cache file itself, as the
 * NSS module does, so they need no daemon; `cache flush` and `status` are
 * requests to the running daemon (root only: the daemon refuses anyone
 * else). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "hostcache.h"
#include "io.h"
#include "names.h"
#include "protocol.h"
#include "record.h"
#include "tool.h"

/* The most pairs a status reply may hold: far more than the daemon sends. */
#define STATUS_PAIRS_MAX 256

static void cache_usage(FILE *f)
{
	fprintf(f,
		"Usage: customdb [-c FILE] cache show NAME [--json]\n"
		"       customdb [-c FILE] cache verify [--json]\n"
		"       customdb [-c FILE] cache flush [NAME]\n\n"
		"  show NAME    what the host cache file holds for a user: their passwd\n"
		"               entry and group list, and whether each is fresh, expired\n"
		"               or never expires (no daemon needed)\n"
		"  verify       check the whole host cache file: every entry in bounds and\n"
		"               found by its own key (no daemon needed)\n"
		"  flush [NAME] make the running daemon drop the user's entries (every\n"
		"               entry without NAME) and rewrite the file (root only)\n\n"
		"Exit status: 0 done (show: something is cached; verify: the file is\n"
		"whole), 1 nothing cached, the file is damaged, or not allowed, 2 usage or\n"
		"config error, 3 no daemon answers.\n");
}

static void status_usage(FILE *f)
{
	fprintf(f,
		"Usage: customdb [-c FILE] status [--json]\n\n"
		"Ask the running daemon how it is doing (root only): uptime, workers, mode,\n"
		"requests served (in all and per request), failures, the negative cache's\n"
		"hit rate, host cache entries, the legacy database's reachability and\n"
		"latency (one cheap query; none in store mode), and in migrate and store\n"
		"modes the store's, with the number of users migrated so far.\n\n"
		"Exit status: 0 answered, 1 not allowed, 2 usage or config error, 3 no daemon\n"
		"answers, or it cannot reach the database or the store.\n");
}

/* Pick out --json and --help; the rest, in order, into args (at most max).
 * -1: an unknown option or too many arguments (said on stderr); 1: --help
 * given; else 0. */
static int parse_args(struct opts *o, int argc, char **argv, const char **args, int max,
		      int *nargs)
{
	int i;

	*nargs = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			return 1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "customdb: %s: unknown option %s\n", argv[0], argv[i]);
			return -1;
		} else if (*nargs == max) {
			fprintf(stderr, "customdb: %s: too many arguments\n", argv[0]);
			return -1;
		} else {
			args[(*nargs)++] = argv[i];
		}
	}
	return 0;
}

/* The config, for its socket and state_dir; NULL when it cannot be read
 * (said on stderr). */
static struct config *load_config(const struct opts *o)
{
	char err[1024];
	struct config *c = config_load(o->config, geteuid() == 0, err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "customdb: %s\n", err);
	return c;
}

/* --- talking to the daemon ------------------------------------------------- */

struct reply {
	int status;
	struct rbuf fields;
	unsigned char *body;
	size_t len;
};

/* Send the finished request to the daemon at path, waiting timeout_ms at
 * most. 0 with the reply (free it with io_free_message), or -1 with errno
 * as cdb_call sets it. */
static int daemon_call(const char *path, struct wbuf *req, int timeout_ms, struct reply *r)
{
	int rc;

	if (wbuf_end(req) != 0) {
		wbuf_free(req);
		errno = EMSGSIZE;
		return -1;
	}
	rc = cdb_call(path, req, timeout_ms, &r->status, &r->fields, &r->body, &r->len);
	wbuf_free(req);
	return rc;
}

/* Why the daemon could not be asked, on stderr. */
static void say_no_daemon(const char *cmd, const char *path)
{
	switch (errno) {
	case ENOENT:
	case ECONNREFUSED:
		fprintf(stderr, "customdb: %s: no daemon answers on %s: is customdbd running?\n",
			cmd, path);
		break;
	case EPERM:
		fprintf(stderr, "customdb: %s: %s does not belong to root: not asking it\n", cmd,
			path);
		break;
	case ETIMEDOUT:
		fprintf(stderr, "customdb: %s: customdbd on %s did not answer in time\n", cmd,
			path);
		break;
	default:
		fprintf(stderr, "customdb: %s: customdbd on %s: %s\n", cmd, path, strerror(errno));
		break;
	}
}

/* An answer other than OK, on stderr; the exit status. */
static int say_refused(const char *cmd, int status)
{
	if (status == CDB_STATUS_DENIED) {
		fprintf(stderr, "customdb: %s: the daemon answers this for root only\n", cmd);
		return EXIT_NO;
	}
	fprintf(stderr, "customdb: %s: the daemon answered \"%s\" (an older customdbd?)\n", cmd,
		cdb_status_name(status));
	return EXIT_UNAVAIL;
}

/* CDB_OP_CACHE_FLUSH: 0 with *dropped, or -1 (errno set; EACCES when the
 * daemon refused, EPROTO for another answer). */
static int flush_call(const char *path, const char *name, uint32_t *dropped, int *status)
{
	struct wbuf req;
	struct reply r;
	int rc = -1;

	wbuf_init(&req);
	wbuf_begin(&req, CDB_OP_CACHE_FLUSH);
	wbuf_put_str(&req, name != NULL ? name : "");
	/* dropping entries takes no database call: no need to wait long */
	if (daemon_call(path, &req, CDB_NSS_TIMEOUT_MS, &r) != 0)
		return -1;
	*status = r.status;
	if (r.status == CDB_STATUS_OK && rbuf_get_u32(&r.fields, dropped) == 0)
		rc = 0;
	else
		errno = r.status == CDB_STATUS_DENIED ? EACCES : EPROTO;
	io_free_message(r.body, r.len);
	return rc;
}

int tool_daemon_flush(const struct config *c, const char *name)
{
	uint32_t dropped;
	int status;

	if (flush_call(c->socket_path, name, &dropped, &status) != 0)
		return -1;
	return dropped > INT32_MAX ? INT32_MAX : (int)dropped;
}

/* --- cache show -------------------------------------------------------------- */

/* The entry kind + key of the cache file: 0 with its expiry and a cursor
 * over its record, 1 when there is none, -1 when it is malformed. */
static int cache_entry(const struct hostcache_map *m, char kind, const char *key,
		       uint64_t *expires, struct rbuf *rec)
{
	unsigned char k[HOSTCACHE_KEY_MAX];
	const unsigned char *v;
	size_t n = strlen(key), vlen;
	int rc;

	if (n + 1 > sizeof(k))
		return 1;
	k[0] = (unsigned char)kind;
	memcpy(k + 1, key, n);
	rc = hostcache_find(m, k, n + 1, &v, &vlen);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	if (vlen < 8)
		return -1;
	*expires = hostcache_expiry(v);
	rbuf_init(rec, v + 8, vlen - 8);
	return 0;
}

/* "fresh", "expired" or "never", and the time it expires (UTC) when set. */
static void print_expiry(struct out *out, uint64_t expires)
{
	char when[64];
	struct tm tm;
	time_t t = (time_t)expires;

	if (expires == 0) {
		out_str(out, "expiry", "never");
		return;
	}
	out_str(out, "expiry", (uint64_t)time(NULL) < expires ? "fresh" : "expired");
	if (gmtime_r(&t, &tm) != NULL && strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		out_str(out, "expires", when);
}

static char *strref_dup(struct strref r)
{
	char *s = malloc(r.n + 1);

	if (s != NULL) {
		memcpy(s, r.s, r.n);
		s[r.n] = '\0';
	}
	return s;
}

/* The user's passwd entry, as getent(1) prints it. true when cached. */
static bool show_passwd(struct out *out, const struct hostcache_map *db, const char *name)
{
	struct cdb_passwd_ref p;
	struct rbuf rec;
	uint64_t expires;
	char *line = NULL;
	size_t len;
	int rc;

	out_obj_begin(out, "passwd");
	rc = cache_entry(db, 'p', name, &expires, &rec);
	if (rc == 0 && record_get_passwd(&rec, &p) != 0)
		rc = -1;
	out_bool(out, "cached", rc == 0);
	if (rc < 0)
		out_str(out, "error", "malformed entry");
	if (rc == 0) {
		len = p.name.n + p.gecos.n + p.home.n + p.shell.n + 64;
		line = malloc(len);
		if (line != NULL) {
			snprintf(line, len, "%.*s:x:%lu:%lu:%.*s:%.*s:%.*s", (int)p.name.n, p.name.s,
				 (unsigned long)p.uid, (unsigned long)p.gid, (int)p.gecos.n, p.gecos.s,
				 (int)p.home.n, p.home.s, (int)p.shell.n, p.shell.s);
			out_str(out, "entry", line);
		}
		print_expiry(out, expires);
	}
	out_obj_end(out);
	free(line);
	return rc == 0;
}

/* The user's supplementary groups ("i" entry), each gid with its name when
 * the cache holds the group too. true when cached. */
static bool show_groups(struct out *out, const struct hostcache_map *db, const char *name)
{
	struct cdb_group_ref g;
	struct rbuf rec, grec;
	uint64_t expires, gexp;
	uint32_t n, i, gid;
	gid_t *gids = NULL;
	char key[16], item[CDB_NAME_MAX + 32], *gname;
	int rc;

	out_obj_begin(out, "groups");
	rc = cache_entry(db, 'i', name, &expires, &rec);
	if (rc == 0 && (rbuf_get_u32(&rec, &n) != 0 || n > CDB_MAX_GROUPS ||
			(gids = calloc(n > 0 ? n : 1, sizeof(*gids))) == NULL))
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (rbuf_get_u32(&rec, &gid) != 0)
			rc = -1;
		else
			gids[i] = gid;
	out_bool(out, "cached", rc == 0);
	if (rc < 0)
		out_str(out, "error", "malformed entry");
	if (rc == 0) {
		out_arr_begin(out, "gids");
		for (i = 0; i < n; i++)
			out_int_item(out, (long long)gids[i]);
		out_arr_end(out);
		out_arr_begin(out, "names");
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "%lu", (unsigned long)gids[i]);
			gname = NULL;
			if (cache_entry(db, 'G', key, &gexp, &grec) == 0 &&
			    record_get_group(&grec, &g) == 0)
				gname = strref_dup(g.name);
			snprintf(item, sizeof(item), "%lu(%s)", (unsigned long)gids[i],
				 gname != NULL ? gname : "?");
			out_item(out, item);
			free(gname);
		}
		out_arr_end(out);
		print_expiry(out, expires);
	}
	out_obj_end(out);
	free(gids);
	return rc == 0;
}

/* The host cache file of the config o names, mapped into m. 0; 1 when
 * there is none (path still set); else a message and EXIT_USAGE. */
static int open_cache(const struct opts *o, const char *what, char *path, size_t pathlen,
		      struct hostcache_map *m)
{
	struct config *c = load_config(o);

	memset(m, 0, sizeof(*m));
	if (c == NULL)
		return EXIT_USAGE;
	snprintf(path, pathlen, "%s/%s", c->state_dir, HOSTCACHE_FILE);
	config_free(c);
	if (hostcache_open(path, m) == 0)
		return 0;
	if (errno == ENOENT)
		return 1;
	fprintf(stderr, "customdb: cache %s: %s: %s\n", what, path,
		errno == EINVAL ? "not a host cache file (or one of another version)"
				: strerror(errno));
	return EXIT_USAGE;
}

static int run_cache_show(const struct opts *o, const char *name)
{
	struct hostcache_map db;
	struct out out;
	char path[4096];
	bool any;
	int rc;

	if (!cdb_name_valid(name, strlen(name))) {
		fprintf(stderr, "customdb: cache show: '%s' is not a user name customdb answers for\n",
			name);
		return EXIT_USAGE;
	}
	rc = open_cache(o, "show", path, sizeof(path), &db);
	if (rc > 1)
		return rc;
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "name", name);
	out_str(&out, "cache", path);
	if (rc == 1) {
		out_bool(&out, "cached", false);
		out_str(&out, "note", "there is no host cache file (yet)");
		any = false;
	} else {
		any = show_passwd(&out, &db, name);
		any = show_groups(&out, &db, name) || any;
		out_bool(&out, "cached", any);
		hostcache_close(&db);
	}
	out_obj_end(&out);
	out_end(&out);
	return any ? EXIT_YES : EXIT_NO;
}

/* --- cache verify ------------------------------------------------------------ */

static int run_cache_verify(const struct opts *o)
{
	struct hostcache_map db;
	struct out out;
	char path[4096], err[256];
	uint64_t entries = 0;
	int rc;

	rc = open_cache(o, "verify", path, sizeof(path), &db);
	if (rc > 1)
		return rc;
	if (rc == 1) {
		fprintf(stderr, "customdb: cache verify: %s: there is no host cache file (yet)\n",
			path);
		return EXIT_NO;
	}
	rc = hostcache_verify(&db, &entries, err, sizeof(err));
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "cache", path);
	out_bool(&out, "whole", rc == 0);
	if (rc == 0)
		out_int(&out, "entries", (long long)entries);
	else
		out_str(&out, "error", err);
	out_int(&out, "bytes", (long long)db.size);
	out_obj_end(&out);
	out_end(&out);
	hostcache_close(&db);
	return rc == 0 ? EXIT_YES : EXIT_NO;
}

/* --- cache flush ------------------------------------------------------------- */

static int run_cache_flush(const struct opts *o, const char *name)
{
	struct config *c;
	struct out out;
	uint32_t dropped;
	int status, rc;

	if (name != NULL && !cdb_name_valid(name, strlen(name))) {
		fprintf(stderr, "customdb: cache flush: '%s' is not a user name customdb answers "
			"for\n", name);
		return EXIT_USAGE;
	}
	c = load_config(o);
	if (c == NULL)
		return EXIT_USAGE;
	status = CDB_STATUS_OK;
	if (flush_call(c->socket_path, name, &dropped, &status) != 0) {
		if (errno == EACCES || errno == EPROTO)
			rc = say_refused("cache flush", status);
		else {
			say_no_daemon("cache flush", c->socket_path);
			rc = EXIT_UNAVAIL;
		}
		config_free(c);
		return rc;
	}
	config_free(c);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "flushed", name != NULL ? name : "(every entry)");
	out_int(&out, "entries_dropped", (long long)dropped);
	out_obj_end(&out);
	out_end(&out);
	return EXIT_YES;
}

int cmd_cache(struct opts *o, int argc, char **argv)
{
	const char *args[3];
	int n, rc;

	rc = parse_args(o, argc, argv, args, 3, &n);
	if (rc != 0) {
		cache_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_YES : EXIT_USAGE;
	}
	if (n == 2 && strcmp(args[0], "show") == 0)
		return run_cache_show(o, args[1]);
	if (n == 1 && strcmp(args[0], "verify") == 0)
		return run_cache_verify(o);
	if ((n == 1 || n == 2) && strcmp(args[0], "flush") == 0)
		return run_cache_flush(o, n == 2 ? args[1] : NULL);
	fprintf(stderr, "customdb: cache: %s\n",
		n == 0 ? "show, verify or flush?" : "unknown subcommand or wrong arguments");
	cache_usage(stderr);
	return EXIT_USAGE;
}

/* --- status ------------------------------------------------------------------ */

/* An unsigned decimal value the daemon sent: a number in JSON. */
static bool is_count(const char *v)
{
	size_t n = strspn(v, "0123456789");

	return n > 0 && n < 19 && v[n] == '\0';
}

int cmd_status(struct opts *o, int argc, char **argv)
{
	char key[128], value[CDB_MAX_STRING + 1];
	const char *args[1];
	struct config *c;
	struct wbuf req;
	struct reply r;
	struct out out;
	uint32_t n, i;
	int nargs, rc;

	rc = parse_args(o, argc, argv, args, 0, &nargs);
	if (rc != 0) {
		status_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_YES : EXIT_USAGE;
	}
	c = load_config(o);
	if (c == NULL)
		return EXIT_USAGE;
	wbuf_init(&req);
	wbuf_begin(&req, CDB_OP_STATUS);
	/* the daemon runs a query on the database and one on the store */
	if (daemon_call(c->socket_path, &req, CDB_PAM_TIMEOUT_MS, &r) != 0) {
		say_no_daemon("status", c->socket_path);
		config_free(c);
		return EXIT_UNAVAIL;
	}
	config_free(c);
	if (r.status != CDB_STATUS_OK) {
		io_free_message(r.body, r.len);
		return say_refused("status", r.status);
	}
	if (rbuf_get_u32(&r.fields, &n) != 0 || n > STATUS_PAIRS_MAX) {
		io_free_message(r.body, r.len);
		fprintf(stderr, "customdb: status: a malformed answer\n");
		return EXIT_UNAVAIL;
	}
	rc = EXIT_YES;
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	for (i = 0; i < n; i++) {
		if (rbuf_get_str(&r.fields, key, sizeof(key)) != 0 ||
		    rbuf_get_str(&r.fields, value, sizeof(value)) != 0)
			break;
		if (is_count(value))
			out_int(&out, key, strtoll(value, NULL, 10));
		else
			out_str(&out, key, value);
		/* a daemon that cannot reach its data is not all right */
		if ((strcmp(key, "database") == 0 || strcmp(key, "store") == 0) &&
		    strcmp(value, "unreachable") == 0)
			rc = EXIT_UNAVAIL;
	}
	out_obj_end(&out);
	out_end(&out);
	io_free_message(r.body, r.len);
	if (i < n) {
		fprintf(stderr, "customdb: status: a malformed answer\n");
		return EXIT_UNAVAIL;
	}
	return rc;
}
