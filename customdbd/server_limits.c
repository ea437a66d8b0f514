/* server_limits.c: who holds how many connections, and how many the
 * process may hold at all (server_int.h). */
#include "server_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "log.h"

/* Connections open at once; the last CONNS_ROOT_RESERVE of them only for
 * root; and at most CONNS_PER_UID for any other uid. Lowered to fit when
 * RLIMIT_NOFILE cannot be raised to hold them. */
#define CONNS_MAX 4096
#define CONNS_ROOT_RESERVE 256
#define CONNS_PER_UID 64
/* Descriptors kept beside the connections: database sessions, files. */
#define FDS_SPARE 64
#define FDS_PER_WORKER 8

/* Who holds how many connections. Taken by the loop on accept and by whoever
 * releases a connection (the loop or a worker). */
#define UID_BUCKETS 256

struct uid_count {
	uid_t uid;
	int n;
	struct uid_count *next;
};

static struct {
	pthread_mutex_t lock;
	struct uid_count *bucket[UID_BUCKETS];
	int total;
	int max, root_reserve;       /* set by server_run from RLIMIT_NOFILE */
} conns = { .lock = PTHREAD_MUTEX_INITIALIZER };

int conns_admit(uid_t uid, const char **why)
{
	struct uid_count **b = &conns.bucket[uid % UID_BUCKETS], *u;
	int rc = -1;

	pthread_mutex_lock(&conns.lock);
	for (u = *b; u != NULL && u->uid != uid; u = u->next)
		;
	if (conns.total >= conns.max) {
		*why = "the daemon's connection limit is reached";
	} else if (uid != 0 && conns.total >= conns.max - conns.root_reserve) {
		*why = "the connections left are kept for root";
	} else if (uid != 0 && u != NULL && u->n >= CONNS_PER_UID) {
		*why = "this uid holds the most connections one uid may";
	} else {
		if (u == NULL) {
			u = calloc(1, sizeof(*u));
			if (u == NULL) {
				*why = "out of memory";
				goto out;
			}
			u->uid = uid;
			u->next = *b;
			*b = u;
		}
		u->n++;
		conns.total++;
		rc = 0;
	}
out:
	pthread_mutex_unlock(&conns.lock);
	return rc;
}

void conns_leave(uid_t uid)
{
	struct uid_count **p = &conns.bucket[uid % UID_BUCKETS], *u;

	pthread_mutex_lock(&conns.lock);
	for (; (u = *p) != NULL; p = &u->next) {
		if (u->uid != uid)
			continue;
		if (--u->n == 0) {
			*p = u->next;
			free(u);
		}
		break;
	}
	conns.total--;
	pthread_mutex_unlock(&conns.lock);
}

void conns_clear(void)
{
	struct uid_count *u, *next;
	size_t i;

	for (i = 0; i < UID_BUCKETS; i++) {
		for (u = conns.bucket[i]; u != NULL; u = next) {
			next = u->next;
			free(u);
		}
		conns.bucket[i] = NULL;
	}
	conns.total = 0;
}

void limits_init(int nworkers)
{
	long want = CONNS_MAX + FDS_SPARE + (long)nworkers * FDS_PER_WORKER, have;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)want ?
			(rlim_t)want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	have = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
		(long)rl.rlim_cur : want;
	conns.max = CONNS_MAX;
	if (have - FDS_SPARE - (long)nworkers * FDS_PER_WORKER < conns.max)
		conns.max = (int)(have - FDS_SPARE - (long)nworkers * FDS_PER_WORKER);
	if (conns.max < 16)
		conns.max = 16;
	conns.root_reserve = conns.max / 16 < CONNS_ROOT_RESERVE ? conns.max / 16 :
		CONNS_ROOT_RESERVE;
	if (conns.root_reserve < 4)
		conns.root_reserve = 4;
	if (conns.max < CONNS_MAX)
		log_msg(LOG_WARNING, "RLIMIT_NOFILE allows %ld descriptors: at most %d "
			"connections (%d kept for root)", have, conns.max, conns.root_reserve);
}
