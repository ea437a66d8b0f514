/* cmd_hash.c: customdb hash identify|verify: what a stored hash is, and
 * whether a password matches it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "hash.h"
#include "output.h"
#include "secret.h"
#include "tool.h"


/* The hash settings of the config, if there is one to read; hash commands
 * work without a config too (no by-name-only schemes then). */
static struct config *load_quietly(const struct opts *o, bool explicit_config)
{
	char err[1024];
	struct config *c;

	if (!explicit_config && access(o->config, R_OK) != 0)
		return NULL;
	c = config_load(o->config, geteuid() == 0, err, sizeof(err));
	if (c == NULL && explicit_config)
		fprintf(stderr, "customdb: %s\n", err);
	return c;
}

int cmd_hash_identify(const struct opts *o, const struct tool_call *a)
{
	const char *stored = a->args[0];
	bool explicit_config = o->explicit_config;
	struct config *c = load_quietly(o, explicit_config);
	struct hash_ctx ctx = { 0 };
	const struct hash_family *f, *const *all;
	struct out out;
	char params[256] = "", ceiling[160] = "";
	bool over = false;
	size_t n, i;

	if (c == NULL && explicit_config)
		return EXIT_USAGE;
	if (c != NULL) {
		ctx.scheme_read = c->password_scheme_read;
		ctx.limits = &c->hash_limits;
	}
	f = hash_identify_ctx(&ctx, stored);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "format", f != NULL ? f->name : hash_is_lock_marker(stored) ?
		"lock marker" : "unknown");
	if (f != NULL) {
		over = hash_over_ceiling(&ctx, f, stored, ceiling, sizeof(ceiling));
		if (f->describe != NULL)
			f->describe(stored, params, sizeof(params));
		out_str(&out, "origin", f->origin);
		out_str(&out, "parameters", params[0] != '\0' ? params : NULL);
		/* over a ceiling: never verified, never matches (customdb.conf(5)) */
		out_str(&out, "over_ceiling", over ? ceiling : "no");
		out_bool(&out, "verify", !over);
		out_bool(&out, "needs_salt_column", f->needs_salt);
		out_bool(&out, "write", f->generate != NULL);
	} else {
		/* say which by-name-only schemes it could be, and how to name them */
		all = hash_families(&n);
		out_arr_begin(&out, "could_be_if_named_in_password_scheme_read");
		for (i = 0; i < n; i++) {
			/* as the daemon would pick it: never a lock marker, nor a cut hash */
			struct hash_ctx one = { .scheme_read = all[i]->name };

			if (all[i]->by_name_only && hash_identify_ctx(&one, stored) == all[i])
				out_item(&out, all[i]->name);
		}
		out_arr_end(&out);
	}
	out_obj_end(&out);
	out_end(&out);
	config_free(c);
	return f != NULL && !over ? EXIT_YES : EXIT_NO;
}

int cmd_hash_verify(const struct opts *o, const struct tool_call *a)
{
	const char *stored = a->args[0], *salt = a->salt;
	bool explicit_config = o->explicit_config;
	struct config *c = load_quietly(o, explicit_config);
	struct hash_ctx ctx = { .salt = salt };
	const struct hash_family *f;
	struct out out;
	char pw[1024], why[160], result[200];
	int h;

	if (c == NULL && explicit_config)
		return EXIT_USAGE;
	if (c != NULL) {
		ctx.scheme_read = c->password_scheme_read;
		ctx.allow_empty = c->allow_empty_password;
		ctx.limits = &c->hash_limits;
	}
	f = hash_identify_ctx(&ctx, stored);
	if (tool_read_password("Password: ", pw, sizeof(pw)) != 0) {
		fprintf(stderr, "customdb: no password given\n");
		config_free(c);
		return EXIT_USAGE;
	}
	h = hash_verify_ctx(&ctx, stored, pw);
	secret_wipe_array(pw);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "format", f != NULL ? f->name : "unknown");
	if (h != HASH_MATCH && h != HASH_MISMATCH) {
		hash_explain(&ctx, stored, why, sizeof(why));
		snprintf(result, sizeof(result), "unusable%s%s", why[0] != '\0' ? ": " : "", why);
	}
	out_str(&out, "result", h == HASH_MATCH ? "match" : h == HASH_MISMATCH ? "no match" :
		result);
	out_obj_end(&out);
	out_end(&out);
	config_free(c);
	return h == HASH_MATCH ? EXIT_YES : EXIT_NO;
}
