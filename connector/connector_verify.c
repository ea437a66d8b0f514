/* connector_verify.c: verifying a password against a stored hash, and the
 * dummy verification that makes an unknown user cost what a real one does.
 * Both modes use it: see connector_verify_user (connector.h). */
#include "mode.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "names.h"
#include "secret.h"

/* An unknown user (and a row whose hash cannot be used) costs one dummy
 * verification, which must cost what a real user's does. Which hash it
 * imitates is chosen from a sample of real users' hashes: one slot per user
 * name (a user who logs in again only refreshes their own), and the most
 * common cost in the sample wins (ties: the slot filled first). So one user
 * with a hash of an odd cost -- or the last one to log in -- does not set it,
 * and in a table of mixed formats an unknown user costs what most real users
 * cost. Hashes over a ceiling never enter. Until a user has been verified,
 * the write scheme at its configured cost stands in ([legacy]
 * password_scheme, password_cost: what the application writes). Kept in the
 * daemon's memory only. */
#define DUMMY_SLOTS 32
#define DUMMY_SIG 96

struct dummy_slot {
	char name[CDB_NAME_MAX + 1];
	char sig[DUMMY_SIG];       /* family and parameters: what the cost depends on */
	char like[HASH_MAX];
};

static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dummy_slot dummy_slots[DUMMY_SLOTS];
static size_t dummy_n, dummy_next;
static char dummy_written[HASH_MAX];   /* the write scheme's stand-in */
static bool dummy_written_tried;

/* What a hash's verification cost depends on: its family and parameters. */
static void dummy_signature(const struct hash_family *f, const char *stored, char *sig,
			    size_t siglen)
{
	char params[DUMMY_SIG] = "";

	if (f->describe != NULL)
		f->describe(stored, params, sizeof(params));
	snprintf(sig, siglen, "%s %s", f->name, params);
}

static void dummy_remember(const char *name, const struct hash_ctx *ctx, const char *stored)
{
	const struct hash_family *f = hash_identify_ctx(ctx, stored);
	struct dummy_slot *slot = NULL;
	size_t i;

	/* by-name-only and salted forms depend on a context the dummy lacks */
	if (f == NULL || f->by_name_only || f->needs_salt || strlen(stored) >= HASH_MAX ||
	    hash_over_ceiling(ctx, f, stored, NULL, 0))
		return;
	pthread_mutex_lock(&dummy_lock);
	for (i = 0; i < dummy_n && slot == NULL; i++)
		if (strcmp(dummy_slots[i].name, name) == 0)
			slot = &dummy_slots[i];
	if (slot == NULL && dummy_n < DUMMY_SLOTS)
		slot = &dummy_slots[dummy_n++];
	if (slot == NULL) {
		/* full: replace the slots in turn, so the sample follows the table */
		slot = &dummy_slots[dummy_next];
		dummy_next = (dummy_next + 1) % DUMMY_SLOTS;
	}
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	dummy_signature(f, stored, slot->sig, sizeof(slot->sig));
	snprintf(slot->like, sizeof(slot->like), "%s", stored);
	pthread_mutex_unlock(&dummy_lock);
}

/* The hash the dummy imitates into like (HASH_MAX bytes), "" for the
 * built-in one. Called with dummy_lock held. */
static void dummy_choose(const struct connector *cn, char *like)
{
	size_t i, j, best = 0, best_n = 0, n;
	char err[128];

	like[0] = '\0';
	for (i = 0; i < dummy_n; i++) {
		for (n = 0, j = 0; j < dummy_n; j++)
			n += strcmp(dummy_slots[i].sig, dummy_slots[j].sig) == 0;
		if (n > best_n) {
			best_n = n;
			best = i;
		}
	}
	if (best_n > 0) {
		memcpy(like, dummy_slots[best].like, HASH_MAX);
		return;
	}
	if (!dummy_written_tried && cn->cfg->password_scheme != NULL) {
		unsigned char rnd[16];
		char pw[33];

		dummy_written_tried = true;
		hash_random(rnd, sizeof(rnd));
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(pw + 2 * i, 3, "%02x", rnd[i]);
		if (hash_generate(cn->cfg->password_scheme, cn->cfg->password_cost, pw,
				  dummy_written, sizeof(dummy_written), err, sizeof(err)) != 0)
			dummy_written[0] = '\0';
		secret_wipe_array(pw);
		secret_wipe_array(rnd);
	}
	memcpy(like, dummy_written, HASH_MAX);
}

void dummy_verify(const struct connector *cn, const char *password)
{
	char like[HASH_MAX];
	const struct hash_family *f;

	pthread_mutex_lock(&dummy_lock);
	dummy_choose(cn, like);
	pthread_mutex_unlock(&dummy_lock);
	if (log_debug_enabled()) {
		f = like[0] != '\0' ? hash_identify(like) : NULL;
		log_msg(LOG_DEBUG, "dummy verification as %s", f != NULL ? f->name : "sha512crypt (built in)");
	}
	hash_dummy_verify(&cn->cfg->hash_limits, like[0] != '\0' ? like : NULL, password);
	secret_wipe_array(like);
}

/* "Unusable hash" is said once per user, not at every attempt: a table
 * full of them must not flood the log. Bounded; a full list stays full. */
static pthread_mutex_t unusable_lock = PTHREAD_MUTEX_INITIALIZER;
static char unusable_seen[256][CDB_NAME_MAX + 1];
static size_t unusable_n;

static bool unusable_first_time(const char *name)
{
	bool first = true;
	size_t i;

	pthread_mutex_lock(&unusable_lock);
	for (i = 0; i < unusable_n && first; i++)
		if (strcmp(unusable_seen[i], name) == 0)
			first = false;
	/* once the table is full, no more: a log line per attempt is what
	 * this table is there to prevent */
	if (first && unusable_n < sizeof(unusable_seen) / sizeof(unusable_seen[0]))
		snprintf(unusable_seen[unusable_n++], sizeof(unusable_seen[0]), "%s", name);
	else if (first)
		first = false;
	pthread_mutex_unlock(&unusable_lock);
	return first;
}

int connector_verify_user(const struct connector *cn, const struct user *u, const char *password)
{
	const struct hash_ctx ctx = {
		.salt = u->salt,
		.scheme_read = cn->cfg->password_scheme_read,
		.allow_empty = cn->cfg->allow_empty_password,
		.limits = &cn->cfg->hash_limits,
	};
	char why[160];
	int h;

	h = hash_verify_ctx(&ctx, u->password, password);
	if (h == HASH_MATCH || h == HASH_MISMATCH) {
		dummy_remember(u->name, &ctx, u->password);
		return h == HASH_MATCH ? CONN_OK : CONN_AUTH_ERR;
	}
	/* Unusable (a lock marker, no known form, over a ceiling): cost what a
	 * real verification does, and say why once per user -- never the hash
	 * itself: it is a secret too. */
	dummy_verify(cn, password);
	if (unusable_first_time(u->name)) {
		hash_explain(&ctx, u->password, why, sizeof(why));
		log_msg(LOG_WARNING, "user %s: the stored password hash is %s (customdb hash identify "
			"tells which)", u->name, why[0] != '\0' ? why :
			"malformed, truncated or in a form customdb cannot use");
	}
	return CONN_AUTH_ERR;
}
