/* log.h: the daemon's and the tool's log (syslog, or stderr in the foreground).
 * The modules log through pam_syslog or not at all. Never pass a password. */
#ifndef CUSTOMDB_LOG_H
#define CUSTOMDB_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* ident: program name; to_stderr: log to stderr instead of syslog;
 * debug: also emit LOG_DEBUG. */
void log_init(const char *ident, bool to_stderr, bool debug);
bool log_debug_enabled(void);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
