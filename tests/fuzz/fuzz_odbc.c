/* fuzz_odbc.c: odbc_connstr_build over arbitrary text. The input is the
 * connection string; when it holds a NUL, what follows is the password
 * from password_file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "odbc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* backend.h's, which lives in backend.c with the driver table */
void backend_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out, *inline_pw = NULL, err[256];
	const char *password = NULL;
	size_t clen;

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	clen = strlen(in);
	if (clen < size)
		password = in + clen + 1;
	out = odbc_connstr_build(in, password, &inline_pw, err, sizeof(err));
	if (out != NULL) {
		/* the file's password goes last, braced, whatever the string held */
		if (password != NULL && (strlen(out) < strlen(password) + 6 ||
					 out[strlen(out) - 1] != '}'))
			abort();
		if (inline_pw != NULL && strlen(inline_pw) > clen)
			abort();
	} else if (inline_pw != NULL) {
		abort();
	}
	backend_free_secret(out);
	backend_free_secret(inline_pw);
	free(in);
	return 0;
}
