/* handle_passwd.c: the passwd map, by name and by uid. */
#include "handlers.h"

static int fetch_user(struct session *s, const char *name, uint32_t uid, union lookup_rec *r)
{
	if (name != NULL)
		return connector_user_by_name(s, name, &r->user);
	return connector_user_by_uid(s, (uid_t)uid, &r->user);
}

static int pack_user(struct wbuf *out, const union lookup_rec *r, const char **name, uint32_t *uid)
{
	struct cdb_passwd p;

	passwd_record_of(&r->user, &p);
	*name = p.name;
	*uid = p.uid;
	return record_put_passwd(out, &p);
}

static void clear_user(union lookup_rec *r)
{
	user_clear(&r->user);
}

static const struct lookup_map passwd_map = { 'p', 'u', fetch_user, pack_user, clear_user };

int handle_getpwnam(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_lookup(&passwd_map, "getpwnam", false, rq, in, out);
}

int handle_getpwuid(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_lookup(&passwd_map, "getpwuid", true, rq, in, out);
}
