/* fuzz_wire.c: reply decoding as the NSS module does it, over arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "protocol.h"
#include "record.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdb_passwd_ref p;
	struct cdb_group_ref g;
	struct rbuf r, body;
	const char *s;
	uint32_t n, i, gid;
	uint16_t status;
	size_t len;

	rbuf_init(&r, data, size);
	if (rbuf_begin(&r, &status) != 0)
		return 0;
	body = r;
	if (record_get_passwd(&body, &p) == 0)
		(void)rbuf_end(&body);
	body = r;
	if (record_get_group(&body, &g) == 0) {
		/* record_get_group promises that walking the members cannot fail */
		for (i = 0; i < g.nmembers; i++)
			if (rbuf_get_strref(&g.members, &s, &len) != 0 || len == 0)
				abort();
		(void)rbuf_end(&body);
	}
	body = r;   /* the INITGROUPS reply: u32 n, then n gids */
	if (rbuf_get_u32(&body, &n) == 0 && n <= CDB_MAX_GROUPS)
		for (i = 0; i < n && rbuf_get_u32(&body, &gid) == 0; i++)
			;
	return 0;
}
