/* stats.h: the daemon's counters, for `customdb status` (CDB_OP_STATUS).
 *
 * Plain atomic counters, bumped where a request is dispatched (server_dispatch.c) and
 * where a look-up meets the negative cache or goes to the database
 * (handle_passwd.c, handle_group.c). Bumping never blocks and never fails;
 * the figures are a snapshot, not a transaction (a request may be counted
 * between two reads). */
#ifndef CUSTOMDB_STATS_H
#define CUSTOMDB_STATS_H

#include <stdint.h>
#include <time.h>

/* Opcodes at or above this are counted under 0 ("other"). */
#define STATS_MAX_OP 32

/* Remember when the daemon started serving (server_run). */
void stats_start(void);

/* One request answered with status st (enum cdb_status; -1 when it was
 * malformed). name: the opcode's name, a string that lives as long as the
 * process (server_dispatch.c's table), or NULL for a request that named no
 * known opcode (counted under 0). Failures are ERROR, UNAVAIL and malformed
 * requests; DENIED is counted apart. */
void stats_served(uint16_t op, const char *name, int st);

/* A passwd or group look-up answered from the negative cache, or sent to
 * the connector (the database or the store). */
void stats_negative_hit(void);
void stats_db_lookup(void);

struct stats_snapshot {
	time_t started;                 /* epoch seconds; 0 before stats_start */
	uint64_t served, failed, denied;
	uint64_t negative_hits, db_lookups;
	uint64_t op_served[STATS_MAX_OP];
	uint64_t op_failed[STATS_MAX_OP];
	const char *op_name[STATS_MAX_OP];  /* NULL for an opcode never served */
};

void stats_read(struct stats_snapshot *s);

#endif
