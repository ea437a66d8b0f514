/* nss_client.c: talking to customdbd from inside any process.
 *
 * This code runs in every process on the host, so it links nothing but libc
 * and the shared codec, never blocks for long, never raises SIGPIPE and
 * leaves errno as it found it, but for the answer it gives in *errnop (the
 * entry points do that). */
#include "nss_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hostcache.h"
#include "io.h"
#include "names.h"
#include "protocol.h"

#ifndef CUSTOMDB_DEFAULT_SOCKET
#define CUSTOMDB_DEFAULT_SOCKET "/run/customdb/socket"
#endif
#ifndef CUSTOMDB_DEFAULT_STATE_DIR
#define CUSTOMDB_DEFAULT_STATE_DIR "/var/lib/customdb"
#endif

int _nss_customdb_enablelookups = 1;

static const char *socket_path(void)
{
	const char *p = secure_getenv("CUSTOMDB_SOCKET");

	return (p != NULL && p[0] == '/') ? p : CUSTOMDB_DEFAULT_SOCKET;
}

/* Read once per process: the environment does not change under a program
 * that looks users up, and scanning it costs more than a cache hit. */
static pthread_once_t state_dir_once = PTHREAD_ONCE_INIT;
static const char *state_dir = CUSTOMDB_DEFAULT_STATE_DIR;
static atomic_bool state_dir_ready;

static void state_dir_init(void)
{
	const char *p = secure_getenv("CUSTOMDB_STATE_DIR");

	if (p != NULL && p[0] == '/')
		state_dir = p;
	atomic_store_explicit(&state_dir_ready, true, memory_order_release);
}

const char *nss_state_dir(void)
{
	/* a load instead of a call to pthread_once, once it has run */
	if (!atomic_load_explicit(&state_dir_ready, memory_order_acquire))
		pthread_once(&state_dir_once, state_dir_init);
	return state_dir;
}

/* How long to poll for the daemon's reply before blocking, fitted to the
 * replies so far (cdb_call_spin); a program's first look-up already polls,
 * and a slow daemon soon brings it to 0. */
static atomic_int reply_spin_us = CDB_REPLY_SPIN_MAX_US;

enum nss_status nss_call(struct wbuf *w, struct nss_reply *rp, int *errnop)
{
	enum nss_status st = NSS_STATUS_UNAVAIL;

	memset(rp, 0, sizeof(*rp));
	if (!_nss_customdb_enablelookups) {
		*errnop = ENOENT;
		goto out;
	}
	if (wbuf_end(w) != 0) {
		*errnop = ENOENT;
		goto out;
	}
	if (cdb_call_spin(socket_path(), w, CDB_NSS_TIMEOUT_MS, &reply_spin_us, &rp->status,
			  &rp->fields, &rp->body, &rp->len) != 0) {
		/* no daemon: let the stack go on; a slow one: the same, with EAGAIN */
		*errnop = (errno == ETIMEDOUT || errno == EAGAIN) ? EAGAIN : ENOENT;
		goto out;
	}
	st = NSS_STATUS_SUCCESS;
out:
	wbuf_free(w);
	return st;
}

void nss_reply_free(struct nss_reply *rp)
{
	io_free_message(rp->body, rp->len);
	memset(rp, 0, sizeof(*rp));
}

enum nss_status nss_status_of(int status, int *errnop)
{
	switch (status) {
	case CDB_STATUS_NOTFOUND:
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	case CDB_STATUS_UNAVAIL:
		*errnop = EAGAIN;
		return NSS_STATUS_UNAVAIL;
	default:
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
}

char *nss_put_str(char **pos, const struct strref *s)
{
	char *start = *pos;

	memcpy(start, s->s, s->n);
	start[s->n] = '\0';
	*pos += s->n + 1;
	return start;
}

static enum nss_status answer(enum nss_status st, struct nss_reply *rp, nss_pack_fn pack,
			      void *record, char *buf, size_t buflen, int *errnop)
{
	if (st != NSS_STATUS_SUCCESS)
		return st;
	if (rp->status == CDB_STATUS_OK)
		st = pack(&rp->fields, record, buf, buflen, errnop);
	else
		st = nss_status_of(rp->status, errnop);
	nss_reply_free(rp);
	return st;
}

/* What a cached entry is packed with. */
struct cache_pack {
	nss_pack_fn pack;
	void *record;
	char *buf;
	size_t buflen;
	int *errnop;
};

static int cache_pack_cb(struct rbuf *value, void *arg)
{
	struct cache_pack *cp = arg;

	return (int)cp->pack(value, cp->record, cp->buf, cp->buflen, cp->errnop);
}

/* A request made of opcode and one key, a name or an id. */
struct request_key {
	uint16_t op;
	const char *name;   /* or NULL: then id */
	uint32_t id;
};

/* After a cache miss (or a stale entry): a name customdb cannot answer for
 * is refused here, without asking anyone (the cache is written by the
 * daemon, which checked its names, in a directory only root can write, so
 * a hit needs no more than the root and id 0 checks of the packers); then the daemon is asked, and
 * a stale entry is served as it is when the daemon (or its database)
 * cannot answer. Apart from the hit path, so that the code a hit runs
 * stays small: after glibc's stat() of nsswitch.conf it is fetched anew. */
static __attribute__((cold, noinline)) enum nss_status
ask_daemon(const struct request_key *rk, int hc, const char *key, size_t keylen,
	   struct cache_pack *cp)
{
	char kind = nss_cache_kind(rk->op);
	struct nss_reply rp;
	enum nss_status st;
	struct wbuf w;
	int packed = NSS_STATUS_UNAVAIL;

	if (rk->name != NULL && !cdb_name_valid(rk->name, keylen)) {
		*cp->errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	wbuf_init(&w);
	wbuf_begin(&w, rk->op);
	if (rk->name != NULL)
		wbuf_put_str(&w, rk->name);
	else
		wbuf_put_u32(&w, rk->id);
	st = nss_call(&w, &rp, cp->errnop);
	if (hc == HC_STALE && (st != NSS_STATUS_SUCCESS || rp.status == CDB_STATUS_UNAVAIL)) {
		if (st == NSS_STATUS_SUCCESS)
			nss_reply_free(&rp);
		if (hostcache_lookup(nss_state_dir(), kind, key, keylen, cache_pack_cb, cp,
				     &packed) != HC_MISS)
			return (enum nss_status)packed;
		*cp->errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	return answer(st, &rp, cp->pack, cp->record, cp->buf, cp->buflen, cp->errnop);
}

/* The host cache first: a fresh entry is the answer, with no socket and no
 * system call. The request is built only when the daemon has to be asked. */
static enum nss_status lookup(const struct request_key *rk, const char *key, size_t keylen,
			      nss_pack_fn pack, void *record, char *buf, size_t buflen,
			      int *errnop)
{
	struct cache_pack cp = { pack, record, buf, buflen, errnop };
	int hc, packed = NSS_STATUS_UNAVAIL;

	if (__builtin_expect(!_nss_customdb_enablelookups, 0)) {
		/* in customdbd itself: not even the host cache */
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	hc = hostcache_lookup(nss_state_dir(), nss_cache_kind(rk->op), key, keylen, cache_pack_cb,
			      &cp, &packed);
	if (__builtin_expect(hc == HC_HIT, 1))
		return (enum nss_status)packed;
	return ask_daemon(rk, hc, key, keylen, &cp);
}

/* Give errno back the value the caller had, except that the answer in
 * *errnop wins: glibc passes &errno itself and reads ERANGE there to retry
 * with a bigger buffer. */
static void restore_errno(int saved, int *errnop)
{
	int answer = *errnop;

	errno = saved;
	*errnop = answer;
}

enum nss_status nss_lookup_name(uint16_t op, const char *name, nss_pack_fn pack, void *record,
				char *buf, size_t buflen, int *errnop)
{
	const struct request_key rk = { op, name, 0 };
	enum nss_status st;
	size_t n;
	int saved = errno;

	if (buf == NULL || buflen == 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	/* too long, empty or root: no need to ask anyone, not even the cache
	 * (the rest of the name's checks come after a cache miss, in
	 * ask_daemon) */
	n = name != NULL ? strnlen(name, CDB_NAME_MAX + 1) : 0;
	if (n == 0 || n > CDB_NAME_MAX || (n == 4 && memcmp(name, "root", 4) == 0)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	st = lookup(&rk, name, n, pack, record, buf, buflen, errnop);
	restore_errno(saved, errnop);
	return st;
}

/* id in decimal, written backwards from end; where it starts. snprintf
 * would cost more than the whole cache look-up. */
static char *id_to_text(uint32_t id, char *end)
{
	char *p = end;

	do {
		*--p = (char)('0' + id % 10);
		id /= 10;
	} while (id != 0);
	return p;
}

enum nss_status nss_lookup_id(uint16_t op, uint32_t id, nss_pack_fn pack, void *record,
			      char *buf, size_t buflen, int *errnop)
{
	const struct request_key rk = { op, NULL, id };
	enum nss_status st;
	char key[16], *k;
	int saved = errno;

	if (buf == NULL || buflen == 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	if (id == 0) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	k = id_to_text(id, key + sizeof(key));
	st = lookup(&rk, k, (size_t)(key + sizeof(key) - k), pack, record, buf, buflen, errnop);
	restore_errno(saved, errnop);
	return st;
}

char nss_cache_kind(uint16_t op)
{
	switch (op) {
	case CDB_OP_GETPWNAM: return 'p';
	case CDB_OP_GETPWUID: return 'u';
	case CDB_OP_GETGRNAM: return 'g';
	case CDB_OP_GETGRGID: return 'G';
	case CDB_OP_INITGROUPS: return 'i';
	}
	return '?';
}
