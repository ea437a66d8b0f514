/* cmd_group.c: customdb group add|delete|show|add-member|remove-member. The
 * store's groups (mode = migrate or store) are changed through the connector
 * (connector_admin.h); show answers in any mode, as getent group would.
 * After every change a running daemon drops what it caches of the group and
 * of the users whose group lists change (tool_daemon_flush). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector_admin.h"
#include "tool.h"

static void usage(FILE *f)
{
	fputs("Usage: customdb [-c FILE] [--json] group COMMAND ...\n"
	      "Manage the store's groups (mode = migrate or store; in legacy mode the\n"
	      "groups are the legacy database's, and only show works).\n\n"
	      "group add NAME [--gid GID]\n"
	      "  A new group with no members; GID inside [min_uid, max_uid], by default\n"
	      "  one above the store's highest. The name and the gid must be free\n"
	      "  (in migrate mode in the legacy database too).\n"
	      "group delete NAME\n"
	      "  The group and its memberships go (in migrate mode a legacy group of the\n"
	      "  name is answered again).\n"
	      "group show NAME|GID\n"
	      "  The group as getent group would show it.\n"
	      "group add-member GROUP USER\n"
	      "group remove-member GROUP USER\n"
	      "  USER (a store user) joins or leaves GROUP (a store group).\n\n"
	      "Exit status: 0 done, 1 no (no such group or user, taken, a member\n"
	      "already), 2 usage or config error (bad input, legacy mode), 3 the store\n"
	      "is unreachable.\n", f);
}

static int failed(const char *sub, int rc, const char *why)
{
	fprintf(stderr, "customdb: group %s: %s\n", sub, why[0] != '\0' ? why : conn_rc_name(rc));
	return tool_exit_of(rc);
}

static void print_group(struct out *out, const struct group *g)
{
	size_t i;

	out_str(out, "group", g->name);
	out_int(out, "gid", (long long)g->gid);
	out_arr_begin(out, "members");
	for (i = 0; i < g->nmembers; i++)
		out_item(out, g->members[i]);
	out_arr_end(out);
}

static int group_show(struct session *s, const struct opts *o, const char *key)
{
	struct group g;
	struct out out;
	gid_t gid;
	int rc;

	rc = tool_parse_id(key, &gid) == 0 ? connector_group_by_gid(s, gid, &g)
				       : connector_group_by_name(s, key, &g);
	if (rc != CONN_OK) {
		group_clear(&g);
		fprintf(stderr, "customdb: group show: %s: %s\n", key,
			rc == CONN_NOTFOUND ? "no such group" : conn_rc_name(rc));
		return tool_exit_of(rc);
	}
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	print_group(&out, &g);
	out_obj_end(&out);
	out_end(&out);
	group_clear(&g);
	return EXIT_YES;
}

/* The outcome of a change, and the daemon's entries of the group, of user
 * and of the group's members in old dropped. */
static void report(const struct opts *o, const struct config *c, const char *result,
		   const char *group, gid_t gid, const char *user, const struct group *old)
{
	struct out out;
	int n = tool_daemon_flush(c, group), k;
	size_t i;

	if (n >= 0 && user != NULL && (k = tool_daemon_flush(c, user)) > 0)
		n += k;
	for (i = 0; n >= 0 && i < old->nmembers; i++)
		if ((k = tool_daemon_flush(c, old->members[i])) > 0)
			n += k;

	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "result", result);
	out_str(&out, "group", group);
	if (gid != 0)
		out_int(&out, "gid", (long long)gid);
	if (user != NULL)
		out_str(&out, "user", user);
	if (n >= 0)
		out_int(&out, "cache_flushed", n);
	else
		out_str(&out, "cache_flushed", out.json ? NULL : "no daemon reached");
	out_obj_end(&out);
	out_end(&out);
}

int cmd_group(struct opts *o, int argc, char **argv)
{
	struct config *c;
	struct connector cn;
	struct session s;
	const char *sub, *args[3];
	struct group old = { 0 };
	char why[1024];
	gid_t gid = 0;
	int i, n = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_YES;
		} else if (strcmp(argv[i], "--gid") == 0 && i + 1 < argc) {
			if (tool_parse_id(argv[++i], &gid) != 0) {
				fprintf(stderr, "customdb: group: --gid: '%s' is not a gid (1 to "
					"4294967294)\n", argv[i]);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' || n == 3) {
			fprintf(stderr, "customdb: group: unexpected '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			args[n++] = argv[i];
		}
	}
	sub = n > 0 ? args[0] : "";
	if (!((strcmp(sub, "add") == 0 && n == 2) ||
	      (gid == 0 && ((strcmp(sub, "delete") == 0 && n == 2) ||
			    (strcmp(sub, "show") == 0 && n == 2) ||
			    (strcmp(sub, "add-member") == 0 && n == 3) ||
			    (strcmp(sub, "remove-member") == 0 && n == 3))))) {
		fprintf(stderr, "customdb: group: unknown command or wrong arguments\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	if (strcmp(sub, "show") == 0) {
		rc = group_show(&s, o, args[1]);
		goto out;
	}
	if (strcmp(sub, "add") == 0) {
		rc = connector_group_add(&s, args[1], &gid, why, sizeof(why));
	} else if (strcmp(sub, "delete") == 0) {
		/* its members' group lists change: their entries go too */
		if (connector_group_by_name(&s, args[1], &old) != CONN_OK)
			group_clear(&old);
		rc = connector_group_delete(&s, args[1], why, sizeof(why));
	} else {
		rc = connector_group_member(&s, args[1], args[2], strcmp(sub, "add-member") == 0,
					    why, sizeof(why));
	}
	if (rc != CONN_OK) {
		rc = failed(sub, rc, why);
		goto out;
	}
	report(o, c, strcmp(sub, "add") == 0 ? "added" : strcmp(sub, "delete") == 0 ? "deleted"
		     : strcmp(sub, "add-member") == 0 ? "member added" : "member removed",
	       args[1], gid, n == 3 ? args[2] : NULL, &old);
	rc = EXIT_YES;
out:
	group_clear(&old);
	tool_close_session(c, &s);
	return rc;
}
