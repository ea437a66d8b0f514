/* pam_customdb.c: arguments and the talk with customdbd, for every service
 * group of the module. */
#include "pam_customdb.h"

#include <errno.h>
#include <security/pam_ext.h>
#include <string.h>
#include <syslog.h>

#include "client.h"
#include "io.h"
#include "names.h"
#include "protocol.h"

#ifndef CUSTOMDB_DEFAULT_SOCKET
#define CUSTOMDB_DEFAULT_SOCKET "/run/customdb/socket"
#endif

void pam_args_parse(pam_handle_t *pamh, int argc, const char **argv, struct pam_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->socket = CUSTOMDB_DEFAULT_SOCKET;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "socket=", 7) == 0 && argv[i][7] == '/')
			a->socket = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else if (strcmp(argv[i], "use_first_pass") == 0)
			a->use_first_pass = true;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			a->try_first_pass = true;
		else if (strcmp(argv[i], "use_authtok") == 0)
			a->use_authtok = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option: %s", argv[i]);
	}
}

int pam_customdb_user(pam_handle_t *pamh, const struct pam_args *a, const char **user)
{
	int rc = pam_get_user(pamh, user, NULL);

	if (rc != PAM_SUCCESS || *user == NULL || (*user)[0] == '\0')
		return PAM_USER_UNKNOWN;
	if (!cdb_name_valid(*user, strnlen(*user, CDB_NAME_MAX + 1))) {
		if (a->debug)
			pam_syslog(pamh, LOG_DEBUG, "not a name customdb answers for");
		return PAM_USER_UNKNOWN;
	}
	return PAM_SUCCESS;
}

const char *pam_customdb_service(pam_handle_t *pamh)
{
	const void *s = NULL;

	if (pam_get_item(pamh, PAM_SERVICE, &s) != PAM_SUCCESS || s == NULL)
		return "";
	return s;
}

int pam_customdb_call(pam_handle_t *pamh, const struct pam_args *a, struct wbuf *w,
		      char *msg, size_t msglen)
{
	unsigned char *body = NULL;
	size_t len = 0;
	struct rbuf f;
	int status = -1;

	msg[0] = '\0';
	if (wbuf_end(w) != 0) {
		pam_syslog(pamh, LOG_ERR, "request too large");
		return -1;
	}
	if (cdb_call(a->socket, w, CDB_PAM_TIMEOUT_MS, &status, &f, &body, &len) != 0) {
		pam_syslog(pamh, LOG_ERR, "customdbd at %s: %m", a->socket);
		return -1;
	}
	/* a message follows every PAM reply; a missing one is not fatal */
	if (rbuf_get_str(&f, msg, msglen) != 0)
		msg[0] = '\0';
	io_free_message(body, len);
	if (a->debug)
		pam_syslog(pamh, LOG_DEBUG, "customdbd says %s", cdb_status_name(status));
	return status;
}

bool pam_customdb_too_long(const char *pw)
{
	return strnlen(pw, CDB_MAX_PASSWORD + 1) > CDB_MAX_PASSWORD;
}

/* The table of pam_customdb_rc; a status not in it is PAM_AUTHINFO_UNAVAIL. */
#define UNAVAIL PAM_AUTHINFO_UNAVAIL
static const struct {
	int status;
	int rc[STEP_COUNT];
} rc_of[] = {
	/*                            authenticate           account               chpass check      chpass */
	{ CDB_STATUS_OK,            { PAM_SUCCESS,           PAM_SUCCESS,          PAM_SUCCESS,      PAM_SUCCESS } },
	{ CDB_STATUS_NOTFOUND,      { PAM_USER_UNKNOWN,      PAM_USER_UNKNOWN,     PAM_USER_UNKNOWN, PAM_USER_UNKNOWN } },
	{ CDB_STATUS_UNAVAIL,       { UNAVAIL,               UNAVAIL,              UNAVAIL,          UNAVAIL } },
	{ CDB_STATUS_DENIED,        { PAM_CRED_INSUFFICIENT, PAM_PERM_DENIED,      PAM_PERM_DENIED,  PAM_PERM_DENIED } },
	{ CDB_STATUS_ERROR,         { UNAVAIL,               UNAVAIL,              PAM_AUTHTOK_ERR,  PAM_AUTHTOK_ERR } },
	{ CDB_STATUS_AUTH_ERR,      { PAM_AUTH_ERR,          UNAVAIL,              PAM_AUTH_ERR,     PAM_AUTHTOK_ERR } },
	{ CDB_STATUS_ACCT_DISABLED, { UNAVAIL,               PAM_PERM_DENIED,      PAM_AUTH_ERR,     PAM_AUTHTOK_ERR } },
	{ CDB_STATUS_ACCT_EXPIRED,  { UNAVAIL,               PAM_ACCT_EXPIRED,     PAM_AUTH_ERR,     PAM_AUTHTOK_ERR } },
	/* the application runs the password stack next (sshd, login) */
	{ CDB_STATUS_NEW_AUTHTOK,   { UNAVAIL,               PAM_NEW_AUTHTOK_REQD, UNAVAIL,          UNAVAIL } },
};

/* Why the daemon said CDB_STATUS_DENIED, per step. */
static const char *const denied_why[STEP_COUNT] = {
	[STEP_AUTHENTICATE] = "a caller that is not root may authenticate only as itself",
	[STEP_ACCOUNT] = "a caller that is not root may check only its own account",
	[STEP_CHPASS_CHECK] = "a caller that is not root may change only its own password, "
			      "and must give the old one",
	[STEP_CHPASS] = "a caller that is not root may change only its own password, "
			"and must give the old one",
};

int pam_customdb_rc(pam_handle_t *pamh, enum pam_customdb_step step, int st)
{
	size_t i;

	if (st == CDB_STATUS_DENIED)
		pam_syslog(pamh, LOG_NOTICE, "%s", denied_why[step]);
	for (i = 0; i < sizeof(rc_of) / sizeof(rc_of[0]); i++)
		if (rc_of[i].status == st)
			return rc_of[i].rc[step];
	return UNAVAIL;
}
#undef UNAVAIL
