/* stats.c: see stats.h. Relaxed atomics: each counter only has to be exact
 * by itself, nothing is ordered by them. */
#include "stats.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"

static _Atomic int64_t started;
static _Atomic uint64_t served, failed, denied, negative_hits, db_lookups;
static _Atomic uint64_t op_served[STATS_MAX_OP], op_failed[STATS_MAX_OP];
static const char *_Atomic op_name[STATS_MAX_OP];

#define BUMP(c) atomic_fetch_add_explicit(&(c), 1, memory_order_relaxed)
#define READ(c) atomic_load_explicit(&(c), memory_order_relaxed)

void stats_start(void)
{
	atomic_store_explicit(&started, (int64_t)time(NULL), memory_order_relaxed);
}

void stats_served(uint16_t op, const char *name, int st)
{
	bool bad = st < 0 || st == CDB_STATUS_ERROR || st == CDB_STATUS_UNAVAIL;

	if (name == NULL || op >= STATS_MAX_OP)
		op = 0;
	if (name != NULL && op != 0 && READ(op_name[op]) == NULL)
		atomic_store_explicit(&op_name[op], name, memory_order_relaxed);
	BUMP(served);
	BUMP(op_served[op]);
	if (bad) {
		BUMP(failed);
		BUMP(op_failed[op]);
	}
	if (st == CDB_STATUS_DENIED)
		BUMP(denied);
}

void stats_negative_hit(void)
{
	BUMP(negative_hits);
}

void stats_db_lookup(void)
{
	BUMP(db_lookups);
}

void stats_read(struct stats_snapshot *s)
{
	size_t i;

	s->started = (time_t)READ(started);
	s->served = READ(served);
	s->failed = READ(failed);
	s->denied = READ(denied);
	s->negative_hits = READ(negative_hits);
	s->db_lookups = READ(db_lookups);
	for (i = 0; i < STATS_MAX_OP; i++) {
		s->op_served[i] = READ(op_served[i]);
		s->op_failed[i] = READ(op_failed[i]);
		s->op_name[i] = READ(op_name[i]);
	}
}
