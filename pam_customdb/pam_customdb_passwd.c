/* pam_customdb_passwd.c: the password service group (passwd, and the forced
 * change sshd or login run after the account step said
 * PAM_NEW_AUTHTOK_REQD).
 *
 * As pam_unix: in the prelim phase a caller that is not root gives the old
 * password, checked by the daemon without writing anything; in the update
 * phase the new one is asked twice (pam_get_authtok, which honours
 * use_authtok for a stack behind pam_pwquality) and sent with the old one.
 * Root (the real uid, so `passwd` run by a user is not root here) changes any
 * password without the old one, except when the change is the forced one of
 * a login (PAM_CHANGE_EXPIRED_AUTHTOK): then the user is asked as anyone. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pam_customdb.h"
#include "protocol.h"

/* Send one CDB_OP_CHPASS; the daemon's status, or -1 (unreachable). */
static int chpass_call(pam_handle_t *pamh, const struct pam_args *a, const char *user,
		       uint32_t flags, const char *old, const char *new_pw, char *msg,
		       size_t msglen)
{
	struct wbuf w;
	int st;

	wbuf_init(&w);
	wbuf_begin(&w, CDB_OP_CHPASS);
	wbuf_put_str(&w, user);
	wbuf_put_u32(&w, flags);
	wbuf_put_str(&w, old != NULL ? old : "");
	wbuf_put_str(&w, new_pw != NULL ? new_pw : "");
	wbuf_put_str(&w, pam_customdb_service(pamh));
	st = pam_customdb_call(pamh, a, &w, msg, msglen);
	/* the request held the passwords; wbuf_free wipes it */
	wbuf_free(&w);
	return st;
}

/* Prelim phase: is the user ours, is the daemon there, is the old password
 * right? Nothing is written. */
static int prelim(pam_handle_t *pamh, const struct pam_args *a, const char *user, bool iamroot)
{
	const char *old = NULL;
	char msg[256];
	int rc, st;

	if (iamroot) {
		/* no old password: only whether the user is ours */
		st = chpass_call(pamh, a, user, CDB_CHPASS_CHECK, NULL, NULL, msg, sizeof(msg));
	} else {
		rc = pam_get_authtok(pamh, PAM_OLDAUTHTOK, &old, "Current password: ");
		if (rc != PAM_SUCCESS || old == NULL)
			return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_AUTH_ERR;
		if (pam_customdb_too_long(old)) {
			pam_syslog(pamh, LOG_NOTICE, "old password for %s refused: longer than %u bytes",
				   user, CDB_MAX_PASSWORD);
			pam_set_item(pamh, PAM_OLDAUTHTOK, NULL);
			return PAM_AUTH_ERR;
		}
		st = chpass_call(pamh, a, user, CDB_CHPASS_CHECK | CDB_CHPASS_OLD, old, NULL, msg,
				 sizeof(msg));
	}
	rc = pam_customdb_rc(pamh, STEP_CHPASS_CHECK, st);
	if (rc != PAM_SUCCESS && old != NULL)
		pam_set_item(pamh, PAM_OLDAUTHTOK, NULL);
	if (msg[0] != '\0')
		pam_error(pamh, "%s", msg);
	return rc;
}

/* Update phase: the new password, twice, then the change. */
static int update(pam_handle_t *pamh, const struct pam_args *a, const char *user, bool iamroot)
{
	const void *item = NULL;
	const char *old = NULL, *new_pw = NULL;
	char msg[256];
	int rc, st;

	if (!iamroot) {
		rc = pam_get_item(pamh, PAM_OLDAUTHTOK, &item);
		if (rc != PAM_SUCCESS || item == NULL) {
			pam_syslog(pamh, LOG_NOTICE, "no old password for %s from the prelim phase",
				   user);
			return PAM_AUTHTOK_ERR;
		}
		old = item;
	}
	rc = pam_get_authtok(pamh, PAM_AUTHTOK, &new_pw, NULL);
	if (rc != PAM_SUCCESS || new_pw == NULL) {
		if (rc == PAM_CONV_AGAIN)
			return PAM_INCOMPLETE;
		pam_syslog(pamh, LOG_NOTICE, "new password for %s not given: %s", user,
			   pam_strerror(pamh, rc));
		return rc != PAM_SUCCESS ? rc : PAM_AUTHTOK_ERR;
	}
	if (pam_customdb_too_long(new_pw)) {
		pam_error(pamh, "The new password is too long (at most %u bytes).", CDB_MAX_PASSWORD);
		pam_set_item(pamh, PAM_AUTHTOK, NULL);
		return PAM_AUTHTOK_ERR;
	}
	if (old != NULL && strcmp(old, new_pw) == 0) {
		pam_error(pamh, "The new password is the same as the old one.");
		pam_set_item(pamh, PAM_AUTHTOK, NULL);
		return PAM_AUTHTOK_ERR;
	}
	st = chpass_call(pamh, a, user, old != NULL ? CDB_CHPASS_OLD : 0, old, new_pw, msg,
			 sizeof(msg));
	rc = pam_customdb_rc(pamh, STEP_CHPASS, st);
	if (msg[0] != '\0')
		pam_error(pamh, "%s", msg);
	if (rc == PAM_SUCCESS)
		pam_syslog(pamh, LOG_NOTICE, "password changed for %s", user);
	else
		pam_set_item(pamh, PAM_AUTHTOK, NULL);
	return rc;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_args a;
	const char *user = NULL;
	bool iamroot = getuid() == 0 && !(flags & PAM_CHANGE_EXPIRED_AUTHTOK);
	int rc;

	pam_args_parse(pamh, argc, argv, &a);
	rc = pam_customdb_user(pamh, &a, &user);
	if (rc != PAM_SUCCESS)
		return rc;
	if (flags & PAM_PRELIM_CHECK)
		rc = prelim(pamh, &a, user, iamroot);
	else if (flags & PAM_UPDATE_AUTHTOK)
		rc = update(pamh, &a, user, iamroot);
	else
		rc = PAM_SERVICE_ERR;
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "chauthtok %s (%s): %s", user,
			   (flags & PAM_PRELIM_CHECK) ? "prelim" : "update", pam_strerror(pamh, rc));
	return rc;
}
