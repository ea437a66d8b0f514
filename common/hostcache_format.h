/* hostcache_format.h: the host cache file's format, the one thing its
 * reader (common/hostcache.c, in every process through the NSS module) and
 * its writer (customdbd/hostcache_write.c, in the daemon alone) share.
 *
 * Files, under the state directory:
 *   hostcache.db   the cache, mode 0644, never holding a secret. Immutable
 *                  once written: the daemon writes a new one under a name
 *                  of its own (hostcache.db.tmp.XXXXXX, created with
 *                  O_EXCL), fsyncs, and renames it into place, so a reader
 *                  sees the old file or the new one, never a torn one.
 *   hostcache.gen  a u64 generation counter (native byte order, at offset
 *                  0, mapped read-only by readers); the daemon increments
 *                  it after every rename. A reader remembers the
 *                  generation it opened and reopens when the counter moved.
 *
 * Keys (bytes, no NUL, at most HOSTCACHE_KEY_MAX):
 *   "p" name        passwd record by user name
 *   "u" uid         passwd record by uid (decimal text)
 *   "g" name        group record by group name
 *   "G" gid         group record by gid (decimal text)
 *   "i" name        the user's supplementary gids
 * Values:
 *   u64 expires (epoch seconds, network byte order; 0 = never: migrated users)
 *   then the record, encoded as on the wire (record.h): passwd, group, or
 *   for "i" a u32 count and that many u32 gids.
 *
 * Why not a cdb: a cdb look-up reads a hash slot and then, elsewhere in the
 * file, the record: two dependent cache misses, each of which costs about
 * 200 ns on a host whose cache holds a million users. Here the record sits
 * in the hash bucket itself, so a look-up touches one 256-byte bucket (one
 * page, four cache lines fetched together).
 *
 * Layout (integers in the host's byte order: the file never leaves the host
 * that wrote it):
 *   header (struct hc_header): magic "CDBHOST\1", u32 format version, u32
 *     header size, u64 file size, u64 entries, u64 offset and u64 size of
 *     the far area, then per kind ("p", "u", "g", "G", "i" in that order)
 *     u64 table offset, u64 home buckets, u64 buckets in all (homes and the
 *     overflow after them).
 *   per kind, a table of HC_BUCKET-byte buckets (offsets multiples of
 *     HC_BUCKET, so a bucket never straddles a page). A key's home bucket is
 *     hc_home_of(hc_hash(key), nbuckets).
 *     A bucket starts with
 *       u32 first   bytes from this bucket to the first entry whose home it
 *                   is (0: none), u16 count of those entries,
 *       u16 used    payload bytes in use in this bucket,
 *     then HC_BUCKET - 8 bytes of payload holding entries back to back. The
 *     entries of one home are consecutive; an entry never straddles two
 *     buckets, so when one does not fit it starts the next bucket's payload.
 *     Entry: u8 key length, u8 flags, u16 value length, the key, the value.
 *     Flags: bit 0 "far"; bits 1-7 the tag, hc_tag_of(hash), which rules
 *     most keys out before their bytes are compared. With "far" the value
 *     is a u64 offset into the far area and a u64 length: values too big
 *     for a bucket (large groups, long group lists) are stored there, after
 *     the tables.
 */
#ifndef CUSTOMDB_HOSTCACHE_FORMAT_H
#define CUSTOMDB_HOSTCACHE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define HOSTCACHE_FILE "hostcache.db"
#define HOSTCACHE_GEN_FILE "hostcache.gen"

#define HOSTCACHE_KEY_MAX 128    /* kind letter included */
#define HOSTCACHE_VALUE_MAX (8u + 1024u * 1024u)  /* expiry + a wire message */
#define HC_KINDS 5
#define HC_KIND_LETTERS "pugGi"  /* table order */

#define HC_MAGIC "CDBHOST\1"
#define HC_VERSION 1u
#define HC_BUCKET 256u                  /* bytes; a multiple of the cache line */
#define HC_BUCKET_HEAD 8u               /* u32 first, u16 count, u16 used */
#define HC_PAYLOAD (HC_BUCKET - HC_BUCKET_HEAD)
#define HC_ENTRY_HEAD 4u                /* u8 key length, u8 flags, u16 value length */
#define HC_FAR 1u                       /* in flags; the other 7 bits: the tag */
#define HC_TAG_MASK 0xfeu
#define HC_FAR_VALUE 16u                /* u64 offset, u64 length */

/* The header as it is in the file. */
struct hc_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t file_size;
	uint64_t entries;
	uint64_t far_offset, far_size;
	struct {
		uint64_t offset, nbuckets, nspan;
	} table[HC_KINDS];
};

/* Where table 0 starts: the header, rounded up to a bucket. */
#define HC_TABLES_START ((sizeof(struct hc_header) + HC_BUCKET - 1) / HC_BUCKET * HC_BUCKET)

/* The table of a kind letter, or -1. */
static inline int hc_kind_index(unsigned char kind)
{
	switch (kind) {
	case 'p': return 0;
	case 'u': return 1;
	case 'g': return 2;
	case 'G': return 3;
	case 'i': return 4;
	}
	return -1;
}

static inline uint16_t hc_ld16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t hc_ld32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t hc_ld64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* One round: the word in, multiplied through. */
static inline uint64_t hc_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* The hash of the kind letter and the key: eight bytes a round (keys are
 * names and ids, rarely over 16 bytes), the last word read so that it ends
 * with the key, then MurmurHash3's final mix, so that the high bits, which
 * pick the bucket, depend on every byte. Native byte order: the file never
 * leaves the host. */
static inline uint64_t hc_hash(unsigned char kind, const unsigned char *k, size_t n)
{
	uint64_t h = 0x6a09e667f3bcc909ULL ^ ((uint64_t)kind << 56) ^ n, w;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			h = hc_mix(h, hc_ld64(k + i));
		h = hc_mix(h, hc_ld64(k + n - 8));
	} else if (n >= 4) {
		w = hc_ld32(k) | (uint64_t)hc_ld32(k + n - 4) << 32;
		h = hc_mix(h, w);
	} else if (n > 0) {
		w = k[0] | (uint64_t)k[n / 2] << 8 | (uint64_t)k[n - 1] << 16;
		h = hc_mix(h, w);
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The 7 bits of an entry's flags that rule most other keys out before
 * their bytes are compared (the bucket comes from the high bits). */
static inline unsigned char hc_tag_of(uint64_t hash)
{
	return (unsigned char)(hash << 1) & HC_TAG_MASK;
}

/* A key's home bucket among nbuckets. */
static inline uint64_t hc_home_of(uint64_t hash, uint64_t nbuckets)
{
	return ((hash >> 32) * nbuckets) >> 32;
}

/* Write expires as the 8 bytes that start a value (big-endian). */
static inline void hostcache_encode_expiry(uint64_t expires, unsigned char out[8])
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(expires >> (56 - 8 * i));
}

#endif
