/* The daemon's dispatch table (customdbd/server_dispatch.c, compiled in):
 * each opcode of protocol.h reaches its own handler at its documented cost
 * and policy, and anything else is refused. The handlers here only say that
 * they ran: what they do is the integration suites' business. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "handlers.h"
#include "log.h"
#include "protocol.h"
#include "server_int.h"
#include "wire.h"

/* The opcode whose handler ran last; 0 for none. */
static uint16_t ran;

#define HANDLER(fn, op)                                                       \
	int fn(struct request *rq, struct rbuf *in, struct wbuf *out)         \
	{                                                                     \
		(void)rq;                                                     \
		(void)in;                                                     \
		ran = (op);                                                   \
		wbuf_begin(out, CDB_STATUS_OK);                               \
		return CDB_STATUS_OK;                                         \
	}

HANDLER(handle_getpwnam, CDB_OP_GETPWNAM)
HANDLER(handle_getpwuid, CDB_OP_GETPWUID)
HANDLER(handle_getgrnam, CDB_OP_GETGRNAM)
HANDLER(handle_getgrgid, CDB_OP_GETGRGID)
HANDLER(handle_initgroups, CDB_OP_INITGROUPS)
HANDLER(handle_authenticate, CDB_OP_AUTHENTICATE)
HANDLER(handle_account, CDB_OP_ACCOUNT)
HANDLER(handle_chpass, CDB_OP_CHPASS)
HANDLER(handle_list_users, CDB_OP_LIST_USERS)
HANDLER(handle_list_groups, CDB_OP_LIST_GROUPS)
HANDLER(handle_status, CDB_OP_STATUS)
HANDLER(handle_cache_flush, CDB_OP_CACHE_FLUSH)

/* protocol.h's last opcode: a new one goes here too */
#define LAST_OP CDB_OP_CACHE_FLUSH

/* As server_int.h and customdbd(8) say: only password checks cost HASHES. */
static enum cost documented_cost(uint16_t op)
{
	return op == CDB_OP_AUTHENTICATE || op == CDB_OP_CHPASS ? HASHES : QUICK;
}

static bool root_only(uint16_t op)
{
	return op == CDB_OP_STATUS || op == CDB_OP_CACHE_FLUSH;
}

static void request(unsigned char body[4], uint16_t version, uint16_t op)
{
	body[0] = (unsigned char)(version >> 8);
	body[1] = (unsigned char)version;
	body[2] = (unsigned char)(op >> 8);
	body[3] = (unsigned char)op;
}

/* Serve body as uid; the reply's status, and whose handler ran in *who. */
static uint16_t serve(unsigned char body[4], uid_t uid, uint16_t *who)
{
	struct connector cn = { 0 };
	struct session s = { .conn = &cn };
	struct conn c = { .fd = -1, .body = body, .body_len = 4 };
	struct rbuf r;
	uint32_t len;
	uint16_t status = 0xffff;

	c.cred.uid = uid;
	c.cred.pid = 1;
	c.d = dispatch_find(body, 4);
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	wbuf_init(&c.out);
	ran = 0;
	serve_one(&s, &c);
	*who = ran;
	rbuf_init(&r, c.out.data, c.out.len);
	ck_assert_int_eq(rbuf_get_u32(&r, &len), 0);
	ck_assert_uint_eq(len, c.out.len - 4);
	ck_assert_int_eq(rbuf_begin(&r, &status), 0);
	wbuf_free(&c.out);
	return status;
}

START_TEST(test_every_opcode_once)
{
	const struct dispatch *seen[LAST_OP + 1] = { 0 };
	unsigned char body[4];
	uint16_t op, k, who;

	for (op = 1; op <= LAST_OP; op++) {
		request(body, CDB_PROTOCOL_VERSION, op);
		seen[op] = dispatch_find(body, sizeof(body));
		ck_assert_msg(seen[op] != NULL, "opcode %u has no entry", op);
		for (k = 1; k < op; k++)
			ck_assert_msg(seen[k] != seen[op], "opcodes %u and %u share an entry", k, op);
		ck_assert_msg(dispatch_cost(seen[op]) == documented_cost(op),
			      "opcode %u: not the documented cost", op);
		/* root reaches the opcode's own handler */
		ck_assert_uint_eq(serve(body, 0, &who), CDB_STATUS_OK);
		ck_assert_msg(who == op, "opcode %u ran the handler of %u", op, who);
	}
}
END_TEST

START_TEST(test_root_only)
{
	unsigned char body[4];
	uint16_t op, who, st;

	for (op = 1; op <= LAST_OP; op++) {
		request(body, CDB_PROTOCOL_VERSION, op);
		st = serve(body, 1000, &who);
		if (root_only(op)) {
			ck_assert_msg(st == CDB_STATUS_DENIED && who == 0,
				      "opcode %u answered a caller that is not root", op);
		} else {
			ck_assert_msg(st == CDB_STATUS_OK && who == op,
				      "opcode %u refused a caller that is not root", op);
		}
	}
}
END_TEST

START_TEST(test_unknown_refused)
{
	const uint16_t unknown[] = { 0, LAST_OP + 1, 0x7fff, 0xffff };
	unsigned char body[4];
	uint16_t who;
	size_t i;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		request(body, CDB_PROTOCOL_VERSION, unknown[i]);
		ck_assert_ptr_null(dispatch_find(body, sizeof(body)));
		ck_assert_int_eq(dispatch_cost(NULL), QUICK);
		ck_assert_uint_eq(serve(body, 0, &who), CDB_STATUS_ERROR);
		ck_assert_uint_eq(who, 0);
	}
	/* a known opcode of another protocol version, and a cut request */
	request(body, CDB_PROTOCOL_VERSION + 1, CDB_OP_GETPWNAM);
	ck_assert_ptr_null(dispatch_find(body, sizeof(body)));
	ck_assert_uint_eq(serve(body, 0, &who), CDB_STATUS_ERROR);
	ck_assert_uint_eq(who, 0);
	request(body, CDB_PROTOCOL_VERSION, CDB_OP_GETPWNAM);
	ck_assert_ptr_null(dispatch_find(body, 3));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("table");

	log_init("test_dispatch", true, false);
	tcase_add_test(tc, test_every_opcode_once);
	tcase_add_test(tc, test_root_only);
	tcase_add_test(tc, test_unknown_refused);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
