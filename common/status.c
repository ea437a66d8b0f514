/* status.c: names of protocol statuses, for logs. */
#include "protocol.h"

const char *cdb_status_name(int status)
{
	switch (status) {
	case CDB_STATUS_OK: return "ok";
	case CDB_STATUS_NOTFOUND: return "notfound";
	case CDB_STATUS_UNAVAIL: return "unavailable";
	case CDB_STATUS_DENIED: return "denied";
	case CDB_STATUS_ERROR: return "error";
	case CDB_STATUS_AUTH_ERR: return "auth-error";
	case CDB_STATUS_ACCT_DISABLED: return "disabled";
	case CDB_STATUS_ACCT_EXPIRED: return "expired";
	case CDB_STATUS_NEW_AUTHTOK: return "must-change-password";
	}
	return "unknown";
}
