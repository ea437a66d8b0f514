/* notify.h: tell the service manager how the daemon is doing, for a systemd
 * unit of Type=notify, by the protocol sd_notify(3) documents: one datagram
 * of "KEY=VALUE" lines to the Unix socket named by $NOTIFY_SOCKET (a path,
 * or an abstract name written with a leading '@'). No libsystemd: the
 * protocol is a single sendto(), and the daemon stays free of a library it
 * would load for nothing else. */
#ifndef CUSTOMDB_NOTIFY_H
#define CUSTOMDB_NOTIFY_H

#include <stddef.h>

/* Take $NOTIFY_SOCKET out of the environment, so that nothing the daemon
 * starts inherits it, and remember the address it names. Call once, before
 * any thread starts (it changes the environment). Returns 0 when there is
 * none or it was taken; -1 with the reason in err when it names no address
 * this daemon can send to (then notify_send does nothing). */
int notify_init(char *err, size_t errlen);

/* Send state (e.g. "READY=1", lines separated by '\n') as one datagram to
 * the address notify_init took. Returns 0 when sent or when no service
 * manager asked; -1 with errno set when sending failed. */
int notify_send(const char *state);

/* notify_send of a formatted state, with a failure logged (the service
 * manager would then time the start or the reload out, and the log says
 * why). */
void notify_state(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
