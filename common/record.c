/* record.c: see record.h. */
#include "record.h"

#include <string.h>

#include "protocol.h"

/* A string field's bytes on the wire; 0 when it is over CDB_MAX_STRING. */
static size_t str_size(const char *s)
{
	size_t n = strlen(s);

	return n <= CDB_MAX_STRING ? 4 + n : 0;
}

size_t record_passwd_size(const struct cdb_passwd *p)
{
	size_t a = str_size(p->name), b = str_size(p->gecos), c = str_size(p->home),
	       d = str_size(p->shell);

	if (a == 0 || b == 0 || c == 0 || d == 0)
		return 0;
	return a + 5 + 8 + b + c + d;    /* name, "x", uid, gid, gecos, home, shell */
}

size_t record_group_size(const struct cdb_group *g)
{
	size_t n = str_size(g->name), i, m;

	if (n == 0 || g->nmembers > CDB_MAX_MEMBERS)
		return 0;
	n += 5 + 8;                      /* "x", gid, member count */
	for (i = 0; i < g->nmembers; i++) {
		m = str_size(g->members[i]);
		if (m == 0)
			return 0;
		n += m;
	}
	return n;
}

int record_put_passwd(struct wbuf *w, const struct cdb_passwd *p)
{
	wbuf_put_str(w, p->name);
	wbuf_put_str(w, "x");
	wbuf_put_u32(w, p->uid);
	wbuf_put_u32(w, p->gid);
	wbuf_put_str(w, p->gecos);
	wbuf_put_str(w, p->home);
	wbuf_put_str(w, p->shell);
	return w->failed ? -1 : 0;
}

int record_put_group(struct wbuf *w, const struct cdb_group *g)
{
	size_t i;

	if (g->nmembers > CDB_MAX_MEMBERS) {
		w->failed = 1;
		return -1;
	}
	wbuf_put_str(w, g->name);
	wbuf_put_str(w, "x");
	wbuf_put_u32(w, g->gid);
	wbuf_put_u32(w, (uint32_t)g->nmembers);
	for (i = 0; i < g->nmembers; i++)
		wbuf_put_str(w, g->members[i]);
	return w->failed ? -1 : 0;
}

static int get_ref(struct rbuf *r, struct strref *s)
{
	return rbuf_get_strref(r, &s->s, &s->n);
}

int record_get_passwd(struct rbuf *r, struct cdb_passwd_ref *p)
{
	if (get_ref(r, &p->name) != 0 || get_ref(r, &p->passwd) != 0 ||
	    rbuf_get_u32(r, &p->uid) != 0 || rbuf_get_u32(r, &p->gid) != 0 ||
	    get_ref(r, &p->gecos) != 0 || get_ref(r, &p->home) != 0 ||
	    get_ref(r, &p->shell) != 0)
		return -1;
	return p->name.n > 0 ? 0 : -1;
}

int record_get_group(struct rbuf *r, struct cdb_group_ref *g)
{
	struct strref m;
	uint32_t i;

	if (get_ref(r, &g->name) != 0 || get_ref(r, &g->passwd) != 0 ||
	    rbuf_get_u32(r, &g->gid) != 0 || rbuf_get_u32(r, &g->nmembers) != 0)
		return -1;
	if (g->name.n == 0 || g->nmembers > CDB_MAX_MEMBERS)
		return -1;
	g->members = *r;
	for (i = 0; i < g->nmembers; i++)
		if (get_ref(r, &m) != 0 || m.n == 0)
			return -1;
	return 0;
}
