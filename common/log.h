/* log.h: the daemon's and the tool's log (syslog, or stderr in the foreground).
 * The modules log through pam_syslog or not at all. Never pass a password.
 *
 * Every line is escaped as a whole: a control character in any field
 * (a name or a PAM service a client sent) is written as \xNN, so no client
 * can end a line or forge one. Warnings and errors are rate-limited per call
 * site (per format string): LOG_RATE_BURST lines in LOG_RATE_INTERVAL_S
 * seconds, then one line saying how many were suppressed. */
#ifndef CUSTOMDB_LOG_H
#define CUSTOMDB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_RATE_BURST 10
#define LOG_RATE_INTERVAL_S 5

/* ident: program name; to_stderr: log to stderr instead of syslog;
 * debug: also emit LOG_DEBUG. */
void log_init(const char *ident, bool to_stderr, bool debug);
bool log_debug_enabled(void);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write the "suppressed" line of every call site whose interval has ended
 * (all of them when the process stops: call it last). Returns true while
 * some site still has suppressed lines to report later. */
bool log_flush_suppressed(void);

/* Whether some call site has suppressed lines to report; cheap (no lock),
 * for a loop that decides whether to wake up for log_flush_suppressed. */
bool log_suppressed_pending(void);

/* Copy src into dst (of size dstlen, NUL-terminated, truncated to fit) with
 * every control character (below 0x20, and 0x7f) written as \xNN.
 * Returns dst. */
char *log_escape(char *dst, size_t dstlen, const char *src);

#endif
