/* pam_quality_stub.c: a stand-in, for the tests, for a password quality
 * module such as pam_pwquality (whose Debian package rewrites the host's
 * /etc/pam.d on installation, which the tests must never do).
 *
 * Password group only: in the update phase it asks for the new password
 * twice (pam_get_authtok), refuses one shorter than 8 bytes, and leaves the
 * accepted one on the stack (PAM_AUTHTOK) for the next module, which takes
 * it with use_authtok, as after pam_pwquality. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <string.h>

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *pw = NULL;
	int rc;

	(void)argc;
	(void)argv;
	if (flags & PAM_PRELIM_CHECK)
		return PAM_SUCCESS;
	rc = pam_get_authtok(pamh, PAM_AUTHTOK, &pw, NULL);
	if (rc != PAM_SUCCESS)
		return rc;
	if (pw == NULL || strlen(pw) < 8) {
		pam_error(pamh, "BAD PASSWORD: it is shorter than 8 characters");
		pam_set_item(pamh, PAM_AUTHTOK, NULL);
		return PAM_AUTHTOK_ERR;
	}
	return PAM_SUCCESS;
}
