/* server_queue.c: the queues of complete requests and the workers that
 * answer them, each with its own database session, taking turns to lead
 * the event loop (server_int.h).
 *
 * Leader/follower: one worker at a time leads the loop (server.c,
 * loop_lead); once it has read a request it may serve, it gives up the
 * lead (waking a follower to take it) and serves that request itself, so a
 * request is read, run and answered by one thread, with no hand-off between
 * threads. A worker done with a request takes the next it may from the
 * queues, else leads if no one does, else waits.
 *
 * The bounded queues of complete requests, one per caller (root or not) and
 * cost. A worker takes the first request it may, in this order: root's quick
 * ones, root's password checks, the others' quick ones, the others' password
 * checks; and the caps keep one worker for root (at most other_max busy on
 * other callers' requests) and one for quick requests (at most hash_max busy
 * checking passwords). Both hold with three workers or more (a request of
 * another caller that checks a password needs a worker beyond both, at most
 * other_hash_max); with two, only root's; with one, neither. The worker the
 * caps keep free leads the loop meanwhile. */
#include "server_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "connector.h"
#include "log.h"
#include "reload.h"
#include "secret.h"

/* Complete requests waiting for a worker, in four queues: root's and the
 * others', each for password checks and for the rest. */
#define QUEUE_ROOT_MAX 1024
#define QUEUE_OTHER_MAX 256

struct ring {
	struct conn **slot;
	size_t cap, head, count;
};

/* each caller's quick queue, then its password checks' (queue_push) */
enum { Q_ROOT_QUICK, Q_ROOT_HASHES, Q_OTHER_QUICK, Q_OTHER_HASHES, Q_COUNT };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ring q[Q_COUNT];
	struct conn *root_quick[QUEUE_ROOT_MAX], *root_hashes[QUEUE_ROOT_MAX];
	struct conn *other_quick[QUEUE_OTHER_MAX], *other_hashes[QUEUE_OTHER_MAX];
	int other_busy, hash_busy, other_hash_busy;
	atomic_int hashing;          /* hash_busy, for queue_hashing */
	int other_max, hash_max, other_hash_max;
	bool stopping;
	bool led;                    /* a worker leads the event loop */
	struct conn *handed_back;    /* replies for the loop to finish writing */
	int wake_fd;                 /* eventfd: the loop reads handed_back */
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.q = {
		[Q_ROOT_QUICK] = { queue.root_quick, QUEUE_ROOT_MAX, 0, 0 },
		[Q_ROOT_HASHES] = { queue.root_hashes, QUEUE_ROOT_MAX, 0, 0 },
		[Q_OTHER_QUICK] = { queue.other_quick, QUEUE_OTHER_MAX, 0, 0 },
		[Q_OTHER_HASHES] = { queue.other_hashes, QUEUE_OTHER_MAX, 0, 0 },
	},
	.wake_fd = -1,
};

/* Set the caps for n workers. */
static void queue_caps(int n)
{
	queue.other_max = n > 1 ? n - 1 : 1;
	queue.hash_max = n > 2 ? n - 1 : n;
	queue.other_hash_max = n > 2 ? n - 2 : 1;
}

static bool is_other(const struct conn *c)
{
	return c->cred.uid != 0;
}

static bool hashes(const struct conn *c)
{
	return dispatch_cost(c->d) == HASHES;
}

static int ring_push(struct ring *r, struct conn *c)
{
	if (r->count == r->cap)
		return -1;
	r->slot[(r->head + r->count) % r->cap] = c;
	r->count++;
	return 0;
}

static struct conn *ring_pop(struct ring *r)
{
	struct conn *c = r->slot[r->head];

	r->head = (r->head + 1) % r->cap;
	r->count--;
	return c;
}

/* No worker is woken here: the leader serves a request itself, and wakes
 * followers for the rest when it gives up the lead (queue_resign). */
int queue_push(struct conn *c)
{
	int rc;

	c->state = CONN_QUEUED;
	pthread_mutex_lock(&queue.lock);
	rc = ring_push(&queue.q[(is_other(c) ? Q_OTHER_QUICK : Q_ROOT_QUICK) + hashes(c)], c);
	pthread_mutex_unlock(&queue.lock);
	return rc;
}

/* Whether a worker may take a request of queue i now. */
static bool queue_may_take(int i)
{
	bool other = i == Q_OTHER_QUICK || i == Q_OTHER_HASHES;
	bool hash = i == Q_ROOT_HASHES || i == Q_OTHER_HASHES;

	return (!other || queue.other_busy < queue.other_max) &&
	       (!hash || queue.hash_busy < queue.hash_max) &&
	       (!other || !hash || queue.other_hash_busy < queue.other_hash_max);
}

static size_t queue_count(void)
{
	size_t n = 0;
	int i;

	for (i = 0; i < Q_COUNT; i++)
		n += queue.q[i].count;
	return n;
}

/* The first request the caps let a worker take, counted busy; NULL when
 * none. Under the lock. */
static struct conn *queue_take(void)
{
	struct conn *c;
	int i;

	for (i = 0; i < Q_COUNT; i++)
		if (queue.q[i].count > 0 && queue_may_take(i))
			break;
	if (i == Q_COUNT)
		return NULL;
	c = ring_pop(&queue.q[i]);
	queue.other_busy += is_other(c);
	queue.hash_busy += hashes(c);
	queue.other_hash_busy += is_other(c) && hashes(c);
	atomic_store_explicit(&queue.hashing, queue.hash_busy, memory_order_relaxed);
	return c;
}

int queue_hashing(void)
{
	return atomic_load_explicit(&queue.hashing, memory_order_relaxed);
}

static pthread_t *tids;
static int started;

struct conn *queue_resign(void)
{
	struct conn *c;
	size_t wake = 0;

	pthread_mutex_lock(&queue.lock);
	c = queue_take();
	if (c != NULL) {
		queue.led = false;
		/* one follower to lead, one for each request left */
		wake = 1 + queue_count();
		if (wake > (size_t)started)
			wake = (size_t)started;
	}
	pthread_mutex_unlock(&queue.lock);
	while (wake-- > 0)
		pthread_cond_signal(&queue.cond);
	return c;
}

void queue_stop(void)
{
	pthread_mutex_lock(&queue.lock);
	queue.stopping = true;
	queue.led = false;
	pthread_cond_broadcast(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
}

/* The next request for a worker, counted busy: one it may take from the
 * queues, else, while no other worker leads, one it reads as the leader;
 * NULL once stopping and nothing is left. */
static struct conn *queue_next(void)
{
	struct conn *c;

	pthread_mutex_lock(&queue.lock);
	for (;;) {
		c = queue_take();
		if (c != NULL || (queue.stopping && queue_count() == 0))
			break;
		if (!queue.led && !queue.stopping) {
			queue.led = true;
			pthread_mutex_unlock(&queue.lock);
			c = loop_lead();
			if (c != NULL)
				return c;
			/* stopping: what is queued is still answered */
			pthread_mutex_lock(&queue.lock);
			continue;
		}
		pthread_cond_wait(&queue.cond, &queue.lock);
	}
	pthread_mutex_unlock(&queue.lock);
	return c;
}

/* A worker is done with a request of that caller and cost: hand_back is its
 * connection when the reply is not all written (NULL when it was released
 * already). */
static void queue_done(struct conn *hand_back, bool other, bool hash)
{
	bool wake = false;
	uint64_t one = 1;

	pthread_mutex_lock(&queue.lock);
	queue.other_busy -= other;
	queue.hash_busy -= hash;
	queue.other_hash_busy -= other && hash;
	atomic_store_explicit(&queue.hashing, queue.hash_busy, memory_order_relaxed);
	if (other || hash) {
		/* when stopping, the workers waiting for this slot may now exit;
		 * else a request it held back may now go to a waiting worker
		 * (this one takes the first it may itself) */
		if (queue.stopping)
			pthread_cond_broadcast(&queue.cond);
		else if (queue_count() > 1)
			pthread_cond_signal(&queue.cond);
	}
	if (hand_back != NULL) {
		wake = queue.handed_back == NULL;
		hand_back->handed_back = queue.handed_back;
		queue.handed_back = hand_back;
	}
	pthread_mutex_unlock(&queue.lock);
	if (wake && write(queue.wake_fd, &one, sizeof(one)) < 0)
		log_msg(LOG_ERR, "eventfd: %s", strerror(errno));
}

struct conn *queue_take_handed_back(void)
{
	struct conn *c;

	pthread_mutex_lock(&queue.lock);
	c = queue.handed_back;
	queue.handed_back = NULL;
	pthread_mutex_unlock(&queue.lock);
	return c;
}

/* The workers run at nice WORKER_NICE, and a password check at the
 * daemon's own nice value, so that threads that hash (each for up to a
 * second or more) never keep the leader of the loop, or a look-up, waiting
 * for a time slice. Only when the daemon may lower its nice value
 * (CAP_SYS_NICE, or RLIMIT_NICE: customdbd.service sets LimitNICE=-10).
 * -10 and not -5: with 200 logins and an idle-connection flood at once, at
 * -5 the seven threads that hash still outweighed the one left for the loop
 * and look-ups (look-ups fell to 0.89 of their rate, p50 3 s; at -10 0.999,
 * p50 1 ms: bench/results/load.txt). */
#define WORKER_NICE -10
static bool hash_renice;
static int base_nice;

static void renice(int nice)
{
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice) != 0)
		log_msg(LOG_DEBUG, "setpriority: %s", strerror(errno));
}

/* A worker: its own database session, on the config generation of its
 * last request (reload.h). */
static void *worker(void *arg)
{
	struct generation *gen = gen_hold(), *old;
	struct session s;
	struct conn *c;
	bool other, hash;
	int w;

	(void)arg;
	session_init(&s, gen_connector(gen));
	while ((c = queue_next()) != NULL) {
		other = is_other(c);
		hash = hashes(c);
		old = gen_enter(&gen);
		if (old != NULL) {
			/* reloaded: this request on the new config */
			session_close(&s);
			gen_release(old);
			session_init(&s, gen_connector(gen));
		}
		if (hash && hash_renice)
			renice(base_nice);
		serve_one(&s, c);
		if (hash && hash_renice)
			renice(WORKER_NICE);
		gen_leave(gen);
		secret_wipe(c->body, c->body_len);
		free(c->body);
		c->body = NULL;
		w = conn_write(c);
		if (w != 0) {
			conn_release(c);
			c = NULL;
		} else {
			c->state = CONN_WRITING;
		}
		queue_done(c, other, hash);
	}
	session_close(&s);
	gen_release(gen);
	return NULL;
}

int queue_open(void)
{
	queue.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return queue.wake_fd;
}

void queue_ack_wake(void)
{
	uint64_t n;

	if (read(queue.wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "eventfd: %s", strerror(errno));
}

int workers_start(int nworkers)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int i, e;

	tids = calloc((size_t)nworkers, sizeof(*tids));
	if (tids == NULL)
		return -1;
	/* the workers inherit this thread's nice value (the thread only waits
	 * for them from now on) */
	errno = 0;
	base_nice = getpriority(PRIO_PROCESS, tid);
	hash_renice = errno == 0 && base_nice > WORKER_NICE &&
		      setpriority(PRIO_PROCESS, tid, WORKER_NICE) == 0;
	if (!hash_renice && errno != 0)
		log_msg(LOG_DEBUG, "setpriority: %s", strerror(errno));
	/* they wait for the lock until the caps fit those that started */
	pthread_mutex_lock(&queue.lock);
	for (i = 0; i < nworkers; i++) {
		e = pthread_create(&tids[i], NULL, worker, NULL);
		if (e != 0) {
			log_msg(LOG_ERR, "cannot start worker %d: %s", i, strerror(e));
			break;
		}
		started++;
	}
	queue_caps(started);
	pthread_mutex_unlock(&queue.lock);
	return started;
}

void workers_join(void)
{
	int i;

	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	tids = NULL;
	started = 0;
}

void queue_close(void)
{
	if (queue.wake_fd >= 0)
		close(queue.wake_fd);
	queue.wake_fd = -1;
}
