/* pam_customdb_acct.c: the account service group. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <string.h>
#include <syslog.h>

#include "pam_customdb.h"
#include "protocol.h"

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_args a;
	const char *user = NULL;
	char msg[256];
	struct wbuf w;
	int rc, st;

	pam_args_parse(pamh, argc, argv, &a);
	wbuf_init(&w);
	rc = pam_customdb_user(pamh, &a, &user);
	if (rc != PAM_SUCCESS)
		goto out;
	wbuf_begin(&w, CDB_OP_ACCOUNT);
	wbuf_put_str(&w, user);
	wbuf_put_str(&w, pam_customdb_service(pamh));
	st = pam_customdb_call(pamh, &a, &w, msg, sizeof(msg));
	rc = pam_customdb_rc(pamh, STEP_ACCOUNT, st);
	if (msg[0] != '\0' && !(flags & PAM_SILENT))
		pam_error(pamh, "%s", msg);
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "account %s: %s", user, pam_strerror(pamh, rc));
out:
	wbuf_free(&w);
	return rc;
}

/* No session work: a session line with this module is harmless. */
PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
