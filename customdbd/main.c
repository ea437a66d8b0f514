/* main.c: customdbd, the daemon that holds the connector. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "connector.h"
#include "hostcache_write.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: customdbd [-c FILE] [-f] [-d]\n"
		"Answer user, group and login requests from pam_customdb and nss_customdb\n"
		"out of the database the config file names.\n\n"
		"  -c, --config FILE  config file (default %s)\n"
		"  -f, --foreground   stay in the foreground and log to stderr\n"
		"  -d, --debug        also log every request, at debug level\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n",
		CUSTOMDB_DEFAULT_CONFIG);
}

/* The daemon must never resolve users through its own NSS module: turn the
 * module off in this process, if it is installed. The module also refuses to
 * talk to its own process (client.c), which covers the rest. */
static void disable_own_nss_module(void)
{
	void *h = dlopen("libnss_customdb.so.2", RTLD_LAZY | RTLD_NODELETE);
	int *enable;

	if (h == NULL)
		return;
	enable = dlsym(h, "_nss_customdb_enablelookups");
	if (enable != NULL)
		*enable = 0;
	dlclose(h);
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* Long: the start-up order is the point (config, state_dir, socket, claim,
 * daemon, signals, cache), one block a step, in the order they must run. */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CUSTOMDB_DEFAULT_CONFIG;
	struct config *cfg = NULL;
	struct connector cn;
	sigset_t stop;
	char err[1024], abspath[PATH_MAX];
	int foreground = 0, debug = 0, c, fd, rc = 2;

	while ((c = getopt_long(argc, argv, "c:fdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'd': debug = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("customdbd %s\n", CUSTOMDB_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("customdbd", foreground, debug);
	/* before anything else reads the environment or starts a thread */
	if (notify_init(err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "%s", err);
	disable_own_nss_module();
	umask(022);
	cfg = config_load(path, true, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "customdbd: %s\n", err);
		if (!foreground)
			log_msg(LOG_ERR, "%s", err);
		return 2;
	}
	/* a reload reads it again, after daemonize's chdir("/") */
	if (path[0] != '/' && realpath(path, abspath) != NULL)
		path = abspath;
	/* before anything writes there: a directory only root can write */
	if (hostcache_check_dir(cfg->state_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "customdbd: %s\n", err);
		goto out;
	}
	if (connector_init(&cn, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "customdbd: %s\n", err);
		goto out;
	}
	fd = server_listen(cfg->socket_path, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "customdbd: %s\n", err);
		rc = 3;
		goto out;
	}
	/* one daemon per state_dir (after the socket's own check, so that a
	 * second daemon on the same socket says that) */
	if (hostcache_claim_dir(cfg->state_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "customdbd: %s\n", err);
		close(fd);
		unlink(cfg->socket_path);
		goto out;
	}
	if (!foreground && daemonize() != 0) {
		fprintf(stderr, "customdbd: cannot become a daemon: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	log_msg(LOG_INFO, "customdbd %s: config %s, socket %s", CUSTOMDB_VERSION, path,
		cfg->socket_path);
	/* every thread started from here on (the cache writer, the loader, the
	 * workers) keeps these blocked: server_run takes them by signalfd, so
	 * that a stop always writes the host cache out */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (cache_start(cfg, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		rc = 1;
		close(fd);
		goto out;
	}
	cache_preload_migrated(&cn);
	/* Everything that can refuse a start has passed, and the socket
	 * listens: a client that connects now waits in its backlog until
	 * server_run's loop (which logs "ready") accepts it. */
	notify_state("READY=1\nSTATUS=answering on %s", cfg->socket_path);
	gen_init(path, cfg, &cn);
	rc = server_run(fd, &cn) == 0 ? 0 : 1;
	/* the requests in hand were answered; the host cache is written next */
	notify_state("STOPPING=1");
	cache_stop();
	close(fd);
	unlink(cfg->socket_path);
out:
	config_free(cfg);
	return rc;
}
