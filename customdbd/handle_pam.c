/* handle_pam.c: authentication and the account step. */
#include <stdio.h>

#include "handlers.h"
#include "log.h"
#include "names.h"
#include "protocol.h"
#include "secret.h"

#define PASSWORD_MAX 1024

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
