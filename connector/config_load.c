/* config_load.c: the config file read from disk: it and its folder checked
 * (owned by root, not writable by others, not readable when it holds a
 * password), [legacy] password_file read; and a config freed, its secrets
 * wiped. The parsing is config.c's. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"
#include "secret.h"

/* Refuse a file or directory that someone other than root (or us) could
 * change, and, when it holds a secret, one that others could read. */
static bool check_file_perms(const char *path, const struct stat *st, bool secret,
			     char *err, size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %lu, must be owned by root", path,
			 (unsigned long)st->st_uid);
		return false;
	}
	if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0)) {
		snprintf(err, errlen, "%s: writable by others (mode %04o); run chmod go-w", path,
			 (unsigned)(st->st_mode & 07777));
		return false;
	}
	if (secret && ((st->st_mode & S_IROTH) || ((st->st_mode & S_IRGRP) && st->st_gid != 0))) {
		snprintf(err, errlen, "%s: holds a database password but is readable by others "
			 "(mode %04o); run chmod 600", path, (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

/* Does the connection string carry a password? */
static bool connection_has_password(const char *conn)
{
	const char *at, *scheme;

	if (strstr(conn, "password") != NULL || strcasestr(conn, "pwd=") != NULL)
		return true;
	scheme = strstr(conn, "://");
	if (scheme != NULL) {
		at = strchr(scheme + 3, '@');
		if (at != NULL && memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL)
			return true;
	}
	return false;
}

static bool read_password_file(struct config *c, bool check_perms, char *err, size_t errlen)
{
	char buf[1024];
	struct stat st;
	size_t n;
	FILE *f;
	bool ok = false;

	f = fopen(c->password_file, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: [legacy] password_file: cannot open %s: %s", c->path,
			 c->password_file, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", c->password_file, strerror(errno));
		goto out;
	}
	if (check_perms && !check_file_perms(c->password_file, &st, true, err, errlen))
		goto out;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		snprintf(err, errlen, "%s: empty; it must hold the password on one line",
			 c->password_file);
		goto out;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	c->password = strdup(buf);
	if (c->password == NULL) {
		snprintf(err, errlen, "%s: out of memory", c->password_file);
		goto out;
	}
	ok = true;
out:
	secret_wipe_array(buf);
	fclose(f);
	return ok;
}

struct config *config_load(const char *path, bool check_perms, char *err, size_t errlen)
{
	struct config *c = NULL;
	struct stat st;
	char *dircopy = NULL;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(f == NULL ? -1 : fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	c = config_parse_file(f, path, err, errlen);
	if (c == NULL)
		goto out;
	c->path = strdup(path);
	dircopy = strdup(path);
	if (c->path == NULL || dircopy == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (check_perms) {
		struct stat dst;
		const char *dir = dirname(dircopy);
		bool secret = (c->connection != NULL && connection_has_password(c->connection)) ||
			      (c->store_connection != NULL &&
			       connection_has_password(c->store_connection));

		if (!check_file_perms(path, &st, secret, err, errlen))
			goto fail;
		if (stat(dir, &dst) != 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			goto fail;
		}
		if (!check_file_perms(dir, &dst, false, err, errlen))
			goto fail;
	}
	if (c->password_file != NULL && !read_password_file(c, check_perms, err, errlen))
		goto fail;
	goto out;
fail:
	config_free(c);
	c = NULL;
out:
	free(dircopy);
	fclose(f);
	return c;
}

void config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->default_shell);
	free(c->allowed_gids);
	free(c->home);
	free(c->socket_path);
	free(c->state_dir);
	free(c->driver);
	if (c->connection != NULL)
		secret_wipe_str(c->connection);
	free(c->connection);
	free(c->password_file);
	free(c->ca_file);
	free(c->run_as);
	if (c->password != NULL)
		secret_wipe_str(c->password);
	free(c->password);
	free(c->password_scheme);
	free(c->password_scheme_read);
	free(c->space_in_names);
	free(c->store_driver);
	free(c->store_path);
	if (c->store_connection != NULL)
		secret_wipe_str(c->store_connection);
	free(c->store_connection);
	for (i = 0; i < Q_COUNT_; i++)
		query_clear(&c->q[i]);
	free(c);
}
