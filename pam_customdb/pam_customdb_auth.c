/* pam_customdb_auth.c: the auth service group (authenticate, setcred). */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <string.h>
#include <syslog.h>

#include "pam_customdb.h"
#include "protocol.h"
#include "secret.h"

/* Get the password: from the stack (use_first_pass, try_first_pass) or by
 * asking. pam_get_authtok reads those options itself and stores what it
 * asked in PAM_AUTHTOK for the modules after us. */
static int get_password(pam_handle_t *pamh, const struct pam_args *a, const char **pw)
{
	const void *item = NULL;
	int rc;

	*pw = NULL;
	if (a->use_first_pass || a->try_first_pass) {
		rc = pam_get_item(pamh, PAM_AUTHTOK, &item);
		if (rc == PAM_SUCCESS && item != NULL) {
			*pw = item;
			return PAM_SUCCESS;
		}
		if (a->use_first_pass)
			return PAM_AUTH_ERR;
	}
	return pam_get_authtok(pamh, PAM_AUTHTOK, pw, NULL);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_args a;
	const char *user = NULL, *pw = NULL;
	char msg[256];
	struct wbuf w;
	int rc, st;

	(void)flags;
	pam_args_parse(pamh, argc, argv, &a);
	wbuf_init(&w);
	rc = pam_customdb_user(pamh, &a, &user);
	if (rc != PAM_SUCCESS)
		goto out;
	rc = get_password(pamh, &a, &pw);
	if (rc != PAM_SUCCESS || pw == NULL) {
		rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_AUTH_ERR;
		goto out;
	}
	if (pam_customdb_too_long(pw)) {
		pam_syslog(pamh, LOG_NOTICE, "password for %s refused: longer than %u bytes", user,
			   CDB_MAX_PASSWORD);
		rc = PAM_AUTH_ERR;
		goto out;
	}
	wbuf_begin(&w, CDB_OP_AUTHENTICATE);
	wbuf_put_str(&w, user);
	wbuf_put_str(&w, pw);
	wbuf_put_str(&w, pam_customdb_service(pamh));
	st = pam_customdb_call(pamh, &a, &w, msg, sizeof(msg));
	rc = pam_customdb_rc(pamh, STEP_AUTHENTICATE, st);
	if (msg[0] != '\0')
		pam_info(pamh, "%s", msg);
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "authenticate %s: %s", user, pam_strerror(pamh, rc));
out:
	/* the request held the password; wbuf_free wipes it */
	wbuf_free(&w);
	return rc;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
