/* namemap.h: how the names and ids Linux sees differ from the ones the
 * legacy database holds, as [legacy] configures it, so that the queries need
 * not spell it out in each of them: space_in_names, case_sensitive,
 * uid_offset and gid_offset. session_query() applies it both ways around
 * every query; the connector's entry points fold a name they are asked
 * about with namemap_name(), so that what they compare, cache and copy into
 * the store is the name as Linux spells it. */
#ifndef CUSTOMDB_NAMEMAP_H
#define CUSTOMDB_NAMEMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "config.h"
#include "query.h"

/* Longest name namemap copies; a longer one is left as it is (it is no
 * valid Linux name anyway). */
#define NAMEMAP_NAME_MAX 255

/* Does c map anything at all? */
bool namemap_active(const struct config *c);

/* name as the connector compares it: lower-cased (ASCII only) into buf when
 * case_sensitive = false, else name itself. buf holds NAMEMAP_NAME_MAX + 1
 * bytes. Returns buf or name. */
const char *namemap_name(const struct config *c, const char *name, char *buf);

/* The same, in place: name (NUL-terminated) lower-cased when
 * case_sensitive = false. For keys the daemon looks up and caches. */
void namemap_fold(const struct config *c, char *name);

/* The arguments of a query, as the database spells them. */
struct namemap_args {
	struct query_args a;
	char names[2][NAMEMAP_NAME_MAX + 1];   /* :username, :group */
	char ids[2][24];                       /* :uid, :gid */
};

/* Map a into out (out->a is what to bind): names folded and their spaces
 * put back, the offsets taken off :uid and :gid. 0; or -1 when :uid or :gid
 * is below its offset, an id the database cannot hold (err says so). */
int namemap_to_db(const struct config *c, const struct query_args *a, struct namemap_args *out,
		  char *err, size_t errlen);

/* Map a result in place, as Linux spells it: the username, group and
 * members columns with spaces turned into space_in_names and folded; the
 * offsets added to every uid and gid that is a number (a sum past the
 * largest id then fails the range checks of mapping.c, as any id out of
 * range does). 0, or -1 when out of memory. */
int namemap_to_linux(const struct config *c, struct result *r);

#endif
