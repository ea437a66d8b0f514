/* handle_pam.c: authentication and the account step. */
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "handlers.h"
#include "record.h"
#include "log.h"
#include "names.h"
#include "protocol.h"
#include "secret.h"

#define PASSWORD_MAX 1024

/* In migrate mode a user who just logged in is in the store: put their
 * passwd entry and group list into the host cache, never to expire, so that
 * they resolve on this host even while the daemon is down. */
static void cache_migrated_user(struct request *rq, const char *name)
{
	struct user u;
	struct cdb_passwd p;
	struct wbuf w;
	gid_t *gids = NULL;
	size_t n = 0, i;
	char uid[16];

	if (rq->cfg->mode != MODE_MIGRATE || connector_user_by_name(rq->session, name, &u) != CONN_OK)
		return;
	wbuf_init(&w);
	p.name = u.name;
	p.uid = u.uid;
	p.gid = u.gid;
	p.gecos = u.gecos;
	p.home = u.home;
	p.shell = u.shell;
	if (record_put_passwd(&w, &p) == 0) {
		snprintf(uid, sizeof(uid), "%lu", (unsigned long)u.uid);
		cache_put('p', u.name, 0, w.data, w.len);
		cache_put('u', uid, 0, w.data, w.len);
	}
	if (connector_user_groups(rq->session, name, &gids, &n) == CONN_OK) {
		wbuf_free(&w);
		wbuf_init(&w);
		wbuf_put_u32(&w, (uint32_t)n);
		for (i = 0; i < n; i++)
			wbuf_put_u32(&w, (uint32_t)gids[i]);
		if (!w.failed)
			cache_put('i', name, 0, w.data, w.len);
	}
	free(gids);
	wbuf_free(&w);
	user_clear(&u);
}

int handle_authenticate(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2], service[64];
	const char *pw;
	char password[PASSWORD_MAX + 1];
	size_t pwlen;
	bool denied = false;
	int rc, st = -1;

	if (rbuf_get_str(in, name, sizeof(name)) != 0) {
		/* too long to be ours */
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		wbuf_put_str(out, "");
		return CDB_STATUS_NOTFOUND;
	}
	if (rbuf_get_strref(in, &pw, &pwlen) != 0 ||
	    rbuf_get_str(in, service, sizeof(service)) != 0 || rbuf_end(in) != 0)
		goto out;
	/* A password longer than any application allowed is a wrong one, not a
	 * broken request: it is checked as an empty one, which never matches. */
	if (pwlen > PASSWORD_MAX)
		pwlen = 0;
	memcpy(password, pw, pwlen);
	password[pwlen] = '\0';
	snprintf(rq->what, sizeof(rq->what), "authenticate %s (%s, uid %lu)", name, service,
		 (unsigned long)rq->peer_uid);
	rc = connector_authenticate(rq->session, name, password, rq->peer_uid, &denied, NULL);
	st = denied ? CDB_STATUS_DENIED : status_of(rc);
	if (denied)
		log_msg(LOG_WARNING, "uid %lu may not authenticate as %s", (unsigned long)rq->peer_uid,
			name);
	else if (st == CDB_STATUS_AUTH_ERR)
		log_msg(LOG_NOTICE, "authentication failure for %s (%s)", name, service);
	else if (st == CDB_STATUS_OK)
		log_msg(LOG_INFO, "authenticated %s (%s)", name, service);
	if (st == CDB_STATUS_OK)
		cache_migrated_user(rq, name);
	wbuf_begin(out, (uint16_t)st);
	wbuf_put_str(out, "");
out:
	secret_wipe_array(password);
	return st;
}

int handle_account(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2], service[64], why[256];
	int rc, st;

	if (rbuf_get_str(in, name, sizeof(name)) != 0) {
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		wbuf_put_str(out, "");
		return CDB_STATUS_NOTFOUND;
	}
	if (rbuf_get_str(in, service, sizeof(service)) != 0 || rbuf_end(in) != 0)
		return -1;
	snprintf(rq->what, sizeof(rq->what), "account %s (%s)", name, service);
	rc = connector_account(rq->session, name, rq->peer_uid, why, sizeof(why));
	st = status_of(rc);
	if (rc == CONN_DENIED) {
		st = CDB_STATUS_DENIED;
		log_msg(LOG_WARNING, "uid %lu may not ask about the account of %s",
			(unsigned long)rq->peer_uid, name);
	}
	if (st == CDB_STATUS_ACCT_DISABLED || st == CDB_STATUS_ACCT_EXPIRED)
		log_msg(LOG_NOTICE, "account %s refused: %s", name, conn_rc_name(rc));
	wbuf_begin(out, (uint16_t)st);
	wbuf_put_str(out, st == CDB_STATUS_OK ? "" : why);
	return st;
}
