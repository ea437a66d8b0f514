/* pam_customdb.h: what the module's service groups share. */
#ifndef CUSTOMDB_PAM_CUSTOMDB_H
#define CUSTOMDB_PAM_CUSTOMDB_H

#include <security/pam_modules.h>
#include <stdbool.h>

#include "wire.h"

struct pam_args {
	const char *socket;   /* socket=PATH */
	bool debug;
	bool use_first_pass;
	bool try_first_pass;
	bool use_authtok;
};

/* Parse the module arguments; unknown ones are logged and ignored. */
void pam_args_parse(pam_handle_t *pamh, int argc, const char **argv, struct pam_args *a);

/* Send the finished request w to the daemon (bounded by CDB_PAM_TIMEOUT_MS)
 * and return its status, with the reply's message (may be empty) copied into
 * msg. Returns -1 when the daemon cannot be reached (logged). */
int pam_customdb_call(pam_handle_t *pamh, const struct pam_args *a, struct wbuf *w,
		      char *msg, size_t msglen);

/* The user the application names, when it is one customdb may answer for:
 * PAM_SUCCESS, else PAM_USER_UNKNOWN (so [user_unknown=ignore] stacks go on
 * to the next module). */
int pam_customdb_user(pam_handle_t *pamh, const struct pam_args *a, const char **user);

/* Is pw longer than CDB_MAX_PASSWORD bytes? Such a password is refused by
 * the module itself: never sent, cut or emptied. */
bool pam_customdb_too_long(const char *pw);

/* What the module asked the daemon, for pam_customdb_rc. */
enum pam_customdb_step {
	STEP_AUTHENTICATE,  /* CDB_OP_AUTHENTICATE */
	STEP_ACCOUNT,       /* CDB_OP_ACCOUNT */
	STEP_CHPASS_CHECK,  /* CDB_OP_CHPASS, prelim phase: the old password */
	STEP_CHPASS,        /* CDB_OP_CHPASS, update phase: the change */
	STEP_COUNT
};

/* The PAM result of a step for the daemon's status st (-1: not reached),
 * as nslcd's nslcd2pam_rc: one table for every service group. A refusal
 * because the caller is not root is logged here. */
int pam_customdb_rc(pam_handle_t *pamh, enum pam_customdb_step step, int st);

/* The PAM service name, or "" (never NULL). */
const char *pam_customdb_service(pam_handle_t *pamh);

#endif
