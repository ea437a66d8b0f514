/* handle_pam.c: authentication, the account step and password changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "handlers.h"
#include "record.h"
#include "log.h"
#include "names.h"
#include "protocol.h"
#include "secret.h"

/* In migrate mode a user who just logged in (or changed their password) is
 * in the store: put their passwd entry and group list into the host cache,
 * never to expire, so that they resolve on this host even while the daemon
 * is down; their groups follow, fetched by the store loader. */
static void cache_migrated_user(struct request *rq, const char *name)
{
	struct user u;
	gid_t *gids = NULL;
	size_t n = 0;

	if (rq->cfg->mode == MODE_LEGACY || connector_user_by_name(rq->session, name, &u) != CONN_OK)
		return;
	cache_refresh_groups(&u.gid, 1);
	if (connector_user_groups(rq->session, name, &gids, &n) == CONN_OK) {
		cache_put_user(&u, gids, n, 0);
		cache_refresh_groups(gids, n);
	} else {
		cache_put_user(&u, NULL, 0, 0);
	}
	free(gids);
	user_clear(&u);
}

/* Copy a password field into buf (CDB_MAX_PASSWORD + 1 bytes). 0, or -1 when it
 * is longer than any application allowed or holds a NUL byte (the hashes
 * read a C string: it would be checked cut short). */
static int take_password(const char *p, size_t n, char *buf)
{
	if (n > CDB_MAX_PASSWORD || memchr(p, '\0', n) != NULL) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

int handle_authenticate(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2], service[64];
	const char *pw;
	char password[CDB_MAX_PASSWORD + 1];
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
	snprintf(rq->what, sizeof(rq->what), "authenticate %s (%s, uid %lu)", name, service,
		 (unsigned long)rq->peer_uid);
	/* A password longer than any application allowed, or with a NUL in it,
	 * is a wrong one, not a broken request: refused whole, never cut short
	 * (nor checked as the empty one, which allow_empty_password accepts). */
	if (take_password(pw, pwlen, password) != 0) {
		st = CDB_STATUS_AUTH_ERR;
		log_msg(LOG_NOTICE, "authentication failure for %s (%s): password over %u bytes "
			"or with a NUL byte", name, service, CDB_MAX_PASSWORD);
		goto reply;
	}
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
reply:
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

int handle_chpass(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2], service[64], why[256] = "";
	char old[CDB_MAX_PASSWORD + 1], new_pw[CDB_MAX_PASSWORD + 1];
	const char *p, *q;
	size_t plen, qlen;
	uint32_t flags;
	bool check, has_old;
	int rc, st = -1;

	old[0] = new_pw[0] = '\0';
	if (rbuf_get_str(in, name, sizeof(name)) != 0) {
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		wbuf_put_str(out, "");
		return CDB_STATUS_NOTFOUND;
	}
	if (rbuf_get_u32(in, &flags) != 0 || rbuf_get_strref(in, &p, &plen) != 0 ||
	    rbuf_get_strref(in, &q, &qlen) != 0 || rbuf_get_str(in, service, sizeof(service)) != 0 ||
	    rbuf_end(in) != 0)
		goto out;
	check = (flags & CDB_CHPASS_CHECK) != 0;
	has_old = (flags & CDB_CHPASS_OLD) != 0;
	snprintf(rq->what, sizeof(rq->what), "%s %s (%s, uid %lu)",
		 check ? "check old password of" : "change password of", name, service,
		 (unsigned long)rq->peer_uid);
	/* an old password longer than any application allowed is a wrong one:
	 * refused, never checked as the empty one */
	if (take_password(p, plen, old) != 0) {
		st = CDB_STATUS_AUTH_ERR;
		goto reply;
	}
	if (take_password(q, qlen, new_pw) != 0) {
		st = CDB_STATUS_AUTH_ERR;
		snprintf(why, sizeof(why), "The new password is too long (at most %u bytes).",
			 CDB_MAX_PASSWORD);
		goto reply;
	}
	if (!has_old && rq->peer_uid != 0) {
		st = CDB_STATUS_DENIED;
		goto reply;
	}
	rc = connector_change_password(rq->session, name, has_old ? old : NULL, new_pw,
				       rq->peer_uid, check, why, sizeof(why));
	st = status_of(rc);
	if (rc == CONN_OK && !check) {
		log_msg(LOG_NOTICE, "password of %s changed (%s, uid %lu)", name, service,
			(unsigned long)rq->peer_uid);
		cache_migrated_user(rq, name);
	} else if (rc == CONN_AUTH_ERR) {
		log_msg(LOG_NOTICE, "password change for %s refused: %s (%s)", name,
			why[0] != '\0' ? why : "wrong password", service);
	} else if (rc != CONN_OK) {
		log_msg(rc == CONN_NOTFOUND ? LOG_INFO : LOG_WARNING,
			"password change for %s failed: %s (%s)", name, conn_rc_name(rc), service);
	}
reply:
	if (st == CDB_STATUS_DENIED)
		log_msg(LOG_WARNING, "uid %lu may not change the password of %s",
			(unsigned long)rq->peer_uid, name);
	wbuf_begin(out, (uint16_t)st);
	wbuf_put_str(out, why);
out:
	secret_wipe_array(old);
	secret_wipe_array(new_pw);
	return st;
}
