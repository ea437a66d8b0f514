/* config_check.c: the checks made once the whole config file is read (the
 * rules between keys, the defaults that depend on others, the queries
 * parsed), apart from the keys and the parser (config.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "hash.h"

/* password_scheme must be a scheme customdb writes, password_scheme_read a
 * list of schemes that exist and are read by name only. */
static bool check_schemes(struct parse *p)
{
	struct config *c = p->c;
	const struct hash_family *f;
	char *list, *tok, *save;
	bool ok = true;

	p->line = seen_line(p, "legacy", "password_scheme");
	f = hash_family_by_name(c->password_scheme);
	if (f == NULL || f->generate == NULL) {
		perr(p, "legacy", "password_scheme", "'%s' is not a scheme customdb writes (bcrypt, "
		     "sha512crypt, yescrypt, argon2id, ...; see customdb.conf(5))", c->password_scheme);
		return false;
	}
	if (c->password_scheme_read == NULL)
		return true;
	p->line = seen_line(p, "legacy", "password_scheme_read");
	list = strdup(c->password_scheme_read);
	if (list == NULL) {
		perr(p, "legacy", "password_scheme_read", "out of memory");
		return false;
	}
	for (tok = strtok_r(list, ", ", &save); tok != NULL && ok; tok = strtok_r(NULL, ", ", &save)) {
		f = hash_family_by_name(tok);
		if (f == NULL) {
			perr(p, "legacy", "password_scheme_read", "unknown scheme '%s'", tok);
			ok = false;
		} else if (!f->by_name_only) {
			perr(p, "legacy", "password_scheme_read", "'%s' is recognised by its form "
			     "already; list only schemes such as sha1-hex or plaintext", tok);
			ok = false;
		}
	}
	free(list);
	return ok;
}

/* A password_scheme that keeps its salt in a column of its own (redmine):
 * the queries that write a hash must write :salt too, or the hash written
 * would never match. */
static bool check_salt_written(struct parse *p)
{
	static const int writers[] = { Q_CHANGE_PASSWORD, Q_CREATE };
	const struct hash_family *f = hash_family_by_name(p->c->password_scheme);
	const struct query *q;
	size_t i, k;

	if (f == NULL || !f->writes_salt)
		return true;
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		q = &p->c->q[writers[i]];
		if (q->sql == NULL)
			continue;
		for (k = 0; k < q->nparams && q->params[k] != QP_SALT; k++)
			;
		if (k == q->nparams) {
			p->line = p->c->q_line[writers[i]];
			perr(p, "queries", query_id_name(writers[i]), "password_scheme %s keeps its "
			     "salt in a column of its own: write :salt along with :password_hash",
			     f->name);
			return false;
		}
	}
	return true;
}

/* [store]: defaults, and what migrate and store modes need of it. In legacy
 * mode the section is read but not used. */
static bool store_finish(struct parse *p)
{
	struct config *c = p->c;
	size_t n;

	if (c->store_connect_timeout == 0)
		c->store_connect_timeout = c->connect_timeout;
	if (c->store_query_timeout == 0)
		c->store_query_timeout = c->query_timeout;
	if (c->mode == MODE_LEGACY)
		return true;
	if (strcmp(c->store_driver, "postgresql") == 0) {
		p->line = seen_line(p, "store", "driver");
		if (c->store_connection == NULL || c->store_connection[0] == '\0') {
			perr(p, "store", "connection", "missing: driver = postgresql needs a libpq "
			     "connection string for the store");
			return false;
		}
		return true;
	}
	if (c->store_path == NULL) {
		n = strlen(c->state_dir) + sizeof("/store.db");
		c->store_path = malloc(n);
		if (c->store_path == NULL) {
			perr(p, "store", "path", "out of memory");
			return false;
		}
		snprintf(c->store_path, n, "%s/store.db", c->state_dir);
	}
	return true;
}

/* uid_offset and gid_offset past max_uid: every id of the database would
 * be out of range, a config that can answer for nobody. */
static bool check_offsets(struct parse *p)
{
	const struct config *c = p->c;
	const char *key = c->uid_offset > c->max_uid ? "uid_offset" :
			  c->gid_offset > c->max_uid ? "gid_offset" : NULL;

	if (key == NULL)
		return true;
	p->line = seen_line(p, "legacy", key);
	perr(p, "legacy", key, "%lu is above max_uid (%lu): no id of the database could be "
	     "answered for", key[0] == 'u' ? c->uid_offset : c->gid_offset,
	     (unsigned long)c->max_uid);
	return false;
}

/* Checks that need the whole file; err names the line of the key. */
bool config_finish(struct parse *p)
{
	struct config *c = p->c;
	char qerr[256];
	int i;

	if (c->min_uid > c->max_uid) {
		/* name the key that is in the file (the later one if both are) */
		int lmin = seen_line(p, "customdb", "min_uid"), lmax = seen_line(p, "customdb", "max_uid");

		p->line = lmax > lmin ? lmax : lmin;
		if (lmax > lmin)
			perr(p, "customdb", "max_uid", "%lu is below min_uid (%lu)",
			     (unsigned long)c->max_uid, (unsigned long)c->min_uid);
		else
			perr(p, "customdb", "min_uid", "%lu is above max_uid (%lu)",
			     (unsigned long)c->min_uid, (unsigned long)c->max_uid);
		return false;
	}
	if (!check_offsets(p))
		return false;
	if (!store_finish(p))
		return false;
	p->line = 0;
	if (c->driver == NULL && c->mode != MODE_STORE) {
		perr(p, "legacy", "driver", "missing (postgresql, mysql, sqlite, odbc, http or exec)");
		return false;
	}
	if (!check_schemes(p))
		return false;
	p->line = 0;
	if (c->driver != NULL && strcmp(c->driver, "exec") == 0) {
		/* action scripts: no connection; an unprivileged user to run them */
		if (c->run_as == NULL || strcmp(c->run_as, "root") == 0 ||
		    strspn(c->run_as, "0") == strlen(c->run_as)) {
			p->line = seen_line(p, "legacy", "run_as");
			perr(p, "legacy", "run_as", c->run_as == NULL ?
			     "missing: driver = exec runs its scripts as this user" :
			     "action scripts never run as root");
			return false;
		}
		if (c->connection == NULL && (c->connection = strdup("")) == NULL) {
			perr(p, "legacy", "connection", "out of memory");
			return false;
		}
	} else if (c->connection == NULL && c->mode != MODE_STORE) {
		perr(p, "legacy", "connection", "missing");
		return false;
	}
	for (i = 0; i < Q_COUNT_; i++) {
		if (p->qtext[i] == NULL)
			continue;
		p->line = c->q_line[i];
		if (query_parse(&c->q[i], query_id_name(i), p->qtext[i], qerr, sizeof(qerr)) != 0) {
			perr(p, "queries", query_id_name(i), "%s", qerr);
			return false;
		}
	}
	if (!check_salt_written(p))
		return false;
	p->line = 0;
	if (c->mode == MODE_STORE)
		return true;  /* the legacy database is retired: never opened */
	if (c->q[Q_LOGIN].sql == NULL) {
		perr(p, "queries", "login", "missing: it is how users log in");
		return false;
	}
	if (c->q[Q_GET_USER].sql == NULL) {
		perr(p, "queries", "get_user", "missing: it is how users are looked up by name");
		return false;
	}
	return true;
}

