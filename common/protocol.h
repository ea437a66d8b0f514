/* protocol.h: the whole wire protocol between the modules and customdbd.
 *
 * Transport: a SOCK_STREAM Unix socket. One request, one reply, then the
 * daemon closes the connection.
 *
 * Framing: every message is a u32 length (of what follows, network byte
 * order, at most CDB_MAX_MESSAGE) and then the body.
 *
 * Body of a request:  u16 version (CDB_PROTOCOL_VERSION), u16 opcode, fields.
 * Body of a reply:    u16 version, u16 status (enum cdb_status), fields.
 *
 * Field types (all integers in network byte order):
 *   u32      4 bytes
 *   string   u32 length, then that many bytes; no NUL inside; at most
 *            CDB_MAX_STRING bytes
 *   passwd   string name, string passwd ("x"), u32 uid, u32 gid,
 *            string gecos, string home, string shell
 *   group    string name, string passwd ("x"), u32 gid,
 *            u32 n, then n strings (member names), n <= CDB_MAX_MEMBERS
 *
 * A reply's fields are present only when its status is CDB_STATUS_OK, except
 * where an opcode says otherwise. Unknown opcodes are answered CDB_STATUS_ERROR.
 */
#ifndef CUSTOMDB_PROTOCOL_H
#define CUSTOMDB_PROTOCOL_H

#define CDB_PROTOCOL_VERSION 1

/* Hard limits: a decoder rejects anything larger. */
#define CDB_MAX_MESSAGE (1024u * 1024u)
#define CDB_MAX_STRING  4096u
#define CDB_MAX_MEMBERS 16384u
#define CDB_MAX_GROUPS  16384u
/* The longest password either side accepts: a longer one is a wrong one,
 * refused before any hashing (never cut or emptied). */
#define CDB_MAX_PASSWORD 1024u

enum cdb_opcode {
	/* request: string name           reply OK: passwd */
	CDB_OP_GETPWNAM = 1,
	/* request: u32 uid               reply OK: passwd */
	CDB_OP_GETPWUID = 2,
	/* request: string name           reply OK: group */
	CDB_OP_GETGRNAM = 3,
	/* request: u32 gid               reply OK: group */
	CDB_OP_GETGRGID = 4,
	/* request: string user           reply OK: u32 n, then n u32 gids
	 * (supplementary groups of the user, primary group not included) */
	CDB_OP_INITGROUPS = 5,
	/* request: string user, string password, string service
	 * reply: any status, then always string message (may be empty; shown to
	 * the user through the PAM conversation when not empty).
	 * The daemon lets a caller that is not root authenticate only as the user
	 * whose uid is the caller's own (CDB_STATUS_DENIED otherwise). */
	CDB_OP_AUTHENTICATE = 6,
	/* request: string user, string service
	 * reply: any status, then always string message. As for AUTHENTICATE,
	 * a caller that is not root may ask only about its own account. */
	CDB_OP_ACCOUNT = 7,
	/* request: string user, u32 flags (CDB_CHPASS_*), string old password
	 * ("" when CDB_CHPASS_OLD is not set), string new password ("" with
	 * CDB_CHPASS_CHECK), string service
	 * reply: any status, then always string message (shown to the user).
	 * CDB_CHPASS_CHECK: verify the old password only (the PAM prelim phase);
	 * nothing is written. A caller that is not root may change only its own
	 * password, and must give the old one. */
	CDB_OP_CHPASS = 8,
	/* enumeration (getpwent / getgrent), one page at a time.
	 * request: u32 offset   reply OK: u32 total, u32 n, then n passwd (or
	 * n group) records, those at [offset, offset + n) of the list; n may be
	 * less than what is left (the page is full): ask again from offset + n.
	 * NOTFOUND when enumerate = no. */
	CDB_OP_LIST_USERS = 9,
	CDB_OP_LIST_GROUPS = 10,
	/* root only. request: nothing.
	 * reply OK: u32 n, then n pairs of strings (key, value), in order */
	CDB_OP_STATUS = 11,
	/* root only. request: string name ("" for every entry).
	 * reply OK: u32 entries dropped from the host cache */
	CDB_OP_CACHE_FLUSH = 12,
};

/* flags of CDB_OP_CHPASS */
#define CDB_CHPASS_OLD   1u  /* the old password is given: check it */
#define CDB_CHPASS_CHECK 2u  /* check the old password only */

enum cdb_status {
	CDB_STATUS_OK = 0,            /* found / done / password right */
	CDB_STATUS_NOTFOUND = 1,      /* no such user or group (for us) */
	CDB_STATUS_UNAVAIL = 2,       /* the database cannot be reached now */
	CDB_STATUS_DENIED = 3,        /* the caller may not ask this */
	CDB_STATUS_ERROR = 4,         /* malformed request, internal error */
	CDB_STATUS_AUTH_ERR = 5,      /* wrong password, unusable stored hash */
	CDB_STATUS_ACCT_DISABLED = 6, /* account step: disabled, unverified */
	CDB_STATUS_ACCT_EXPIRED = 7,  /* account step: expired */
	CDB_STATUS_NEW_AUTHTOK = 8,   /* account step: must change the password */
};

/* A short English name of a status, for logs ("notfound"). */
const char *cdb_status_name(int status);

#endif
