/* log.c: see log.h. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A line longer than this is cut (and ends in "..."). */
#define LOG_LINE_MAX 1024
/* Call sites rate-limited at once; a site beyond them is not limited. */
#define LOG_SITES 64
/* How much of a site's last line the "suppressed" line repeats. */
#define LOG_SITE_LAST 120

static bool log_stderr = true;
static bool log_debug;
static const char *log_ident = "customdb";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* One rate-limited call site, known by its format string's address. */
struct log_site {
	const char *fmt;
	int priority;
	int64_t start;           /* of the current interval, monotonic seconds */
	unsigned shown, suppressed;
	char last[LOG_SITE_LAST];
};

static struct log_site sites[LOG_SITES];  /* under log_lock */
/* Some site has suppressed lines to report: written under log_lock, read
 * without it (log_suppressed_pending). */
static atomic_bool any_suppressed;

void log_init(const char *ident, bool to_stderr, bool debug)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_debug = debug;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

bool log_debug_enabled(void)
{
	return log_debug;
}

static const char *level_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: case LOG_INFO: return "info";
	default: return "debug";
	}
}

char *log_escape(char *dst, size_t dstlen, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char ch;

	if (dstlen == 0)
		return dst;
	for (; (ch = (unsigned char)*src) != '\0'; src++) {
		if (ch >= 0x20 && ch != 0x7f) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)ch;
			continue;
		}
		if (o + 4 >= dstlen)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[ch >> 4];
		dst[o++] = hex[ch & 15];
	}
	dst[o] = '\0';
	return dst;
}

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Under log_lock. */
static void emit(int priority, const char *line)
{
	if (log_stderr)
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(priority), line);
	else
		syslog(priority, "%s", line);
}

/* Under log_lock: report what s suppressed and start a new interval. */
static void site_flush(struct log_site *s, int64_t now)
{
	char line[LOG_SITE_LAST + 96];

	if (s->suppressed > 0) {
		snprintf(line, sizeof(line), "%u similar messages suppressed in %lld s after: %s",
			 s->suppressed, (long long)(now - s->start), s->last);
		emit(s->priority, line);
	}
	s->start = now;
	s->shown = 0;
	s->suppressed = 0;
}

/* Under log_lock: the site of fmt, or NULL when every slot is taken. */
static struct log_site *site_of(const char *fmt, int priority)
{
	size_t h = ((uintptr_t)fmt >> 3) % LOG_SITES, i;
	struct log_site *s;

	for (i = 0; i < LOG_SITES; i++) {
		s = &sites[(h + i) % LOG_SITES];
		if (s->fmt == fmt)
			return s;
		if (s->fmt == NULL) {
			s->fmt = fmt;
			s->priority = priority;
			s->start = now_s();
			return s;
		}
	}
	return NULL;
}

bool log_flush_suppressed(void)
{
	int64_t now = now_s();
	bool pending = false;
	size_t i;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < LOG_SITES; i++) {
		if (sites[i].suppressed == 0)
			continue;
		if (now - sites[i].start >= LOG_RATE_INTERVAL_S)
			site_flush(&sites[i], now);
		else
			pending = true;
	}
	atomic_store_explicit(&any_suppressed, pending, memory_order_relaxed);
	pthread_mutex_unlock(&log_lock);
	return pending;
}

bool log_suppressed_pending(void)
{
	return atomic_load_explicit(&any_suppressed, memory_order_relaxed);
}

void log_msg(int priority, const char *fmt, ...)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	struct log_site *s = NULL;
	int64_t now;
	va_list ap;
	int n;

	if (priority == LOG_DEBUG && !log_debug)
		return;
	pthread_mutex_lock(&log_lock);
	if (priority <= LOG_WARNING)
		s = site_of(fmt, priority);
	if (s != NULL) {
		now = now_s();
		if (now - s->start >= LOG_RATE_INTERVAL_S)
			site_flush(s, now);
		if (s->shown >= LOG_RATE_BURST) {
			s->suppressed++;
			atomic_store_explicit(&any_suppressed, true, memory_order_relaxed);
			pthread_mutex_unlock(&log_lock);
			return;
		}
		s->shown++;
	}
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(raw))
		memcpy(raw + sizeof(raw) - 4, "...", 4);
	log_escape(line, sizeof(line), raw);
	if (s != NULL) {
		size_t l = strnlen(line, sizeof(s->last) - 1);

		memcpy(s->last, line, l);
		s->last[l] = '\0';
	}
	emit(priority, line);
	pthread_mutex_unlock(&log_lock);
}
