/* tool.c: see tool.h. */
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int tool_exit_of(int rc)
{
	switch (rc) {
	case CONN_OK: return EXIT_YES;
	case CONN_UNAVAIL: return EXIT_UNAVAIL;
	case CONN_ERROR: return EXIT_USAGE;
	}
	return EXIT_NO;
}

int tool_read_password(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;
	int rc = -1;

	if (tty) {
		/* echo off before the prompt, and nothing typed is thrown away:
		 * what is typed right after the prompt is neither shown nor lost */
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0)
			return -1;
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
	}
	if (fgets(buf, (int)len, stdin) != NULL) {
		n = strcspn(buf, "\n");
		buf[n] = '\0';
		rc = 0;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	return rc;
}

int tool_open_session(const struct opts *o, struct config **c, struct connector *cn,
		      struct session *s)
{
	char err[1024];

	*c = config_load(o->config, geteuid() == 0, err, sizeof(err));
	if (*c == NULL) {
		fprintf(stderr, "customdb: %s\n", err);
		return EXIT_USAGE;
	}
	if (connector_init(cn, *c, err, sizeof(err)) != 0) {
		fprintf(stderr, "customdb: %s\n", err);
		config_free(*c);
		*c = NULL;
		return EXIT_USAGE;
	}
	session_init(s, cn);
	return 0;
}

void tool_close_session(struct config *c, struct session *s)
{
	session_close(s);
	config_free(c);
}

void tool_print_user(struct out *out, const struct user *u)
{
	out_str(out, "username", u->name);
	out_int(out, "uid", (long long)u->uid);
	out_int(out, "gid", (long long)u->gid);
	out_str(out, "gecos", u->gecos);
	out_str(out, "home", u->home);
	out_str(out, "shell", u->shell);
	out_str(out, "email", u->email);
	out_bool(out, "disabled", u->disabled);
	if (u->email_verified >= 0)
		out_bool(out, "email_verified", u->email_verified == 1);
	out_bool(out, "must_change_password", u->must_change_password);
	out_int(out, "expires", (long long)u->expires);
}

int tool_parse_id(const char *v, uint32_t *id)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0 || n > 4294967294ULL)
		return -1;
	*id = (uint32_t)n;
	return 0;
}
