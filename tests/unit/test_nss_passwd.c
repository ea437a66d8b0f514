/* The built NSS module's passwd packing (nss_customdb/passwd.c), on host
 * cache hits: every buffer size, from none to more than enough, gets
 * ERANGE until the record fits and then the whole record; a refused record
 * is refused whatever the buffer. The daemon is never asked (no socket). */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcache_format.h"
#include "hostcache_write.h"
#include "record.h"
#include "wire.h"

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);

static char dir[] = "/tmp/test_nss_passwd.XXXXXX";
static void *mod;
static getpwnam_fn getpwnam_r_;

/* Add name's passwd record, as the daemon caches it, under its name's key
 * (in key: the writer keeps both until it has written them). */
static void add_user(struct hostcache_writer *w, unsigned char **v, char key[64],
		     const char *name, uint32_t uid, const char *gecos)
{
	struct cdb_passwd p = { .name = name, .gecos = gecos, .home = "/home/someone",
				.shell = "/bin/bash", .uid = uid, .gid = 100 };
	struct wbuf wb;

	wbuf_init(&wb);
	ck_assert_int_eq(record_put_passwd(&wb, &p), 0);
	*v = malloc(8 + wb.len);
	ck_assert_ptr_nonnull(*v);
	hostcache_encode_expiry(0, *v);
	memcpy(*v + 8, wb.data, wb.len);
	snprintf(key, 64, "p%s", name);
	ck_assert_int_eq(hostcache_add(w, key, strlen(key), *v, 8 + wb.len), 0);
	wbuf_free(&wb);
}

static void setup(void)
{
	struct hostcache_writer *w;
	unsigned char *v[3];
	char keys[3][64], sock[128];
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	add_user(w, &v[0], keys[0], "ann", 10001, "Ann Smith,,,");
	add_user(w, &v[1], keys[1], "nogecos", 10002, "");
	add_user(w, &v[2], keys[2], "root", 10003, "an impostor");
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		free(v[i]);
	snprintf(sock, sizeof(sock), "%s/no-daemon.sock", dir);
	ck_assert_int_eq(setenv("CUSTOMDB_STATE_DIR", dir, 1), 0);
	ck_assert_int_eq(setenv("CUSTOMDB_SOCKET", sock, 1), 0);
	mod = dlopen(NSS_MODULE, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(mod != NULL, "dlopen %s: %s", NSS_MODULE, dlerror());
	getpwnam_r_ = (getpwnam_fn)dlsym(mod, "_nss_customdb_getpwnam_r");
	ck_assert_ptr_nonnull(getpwnam_r_);
}

/* Every buffer size up to need + 8: ERANGE below need, the record from it. */
static void every_size(const char *name, uint32_t uid, const char *gecos)
{
	size_t need = strlen(name) + 1 + 2 + strlen(gecos) + 1 + strlen("/home/someone") + 1 +
		      strlen("/bin/bash") + 1, len;
	struct passwd pw;
	char *buf;
	int err;

	for (len = 0; len <= need + 8; len++) {
		/* exactly len bytes, so a write past them is ASan's to see */
		buf = malloc(len > 0 ? len : 1);
		ck_assert_ptr_nonnull(buf);
		err = 0;
		if (len < need) {
			ck_assert_msg(getpwnam_r_(name, &pw, buf, len, &err) == NSS_STATUS_TRYAGAIN &&
				      err == ERANGE, "%s in %zu bytes: not ERANGE", name, len);
		} else {
			ck_assert_msg(getpwnam_r_(name, &pw, buf, len, &err) == NSS_STATUS_SUCCESS,
				      "%s in %zu bytes (needs %zu): not found", name, len, need);
			ck_assert_str_eq(pw.pw_name, name);
			ck_assert_str_eq(pw.pw_passwd, "x");
			ck_assert_uint_eq(pw.pw_uid, uid);
			ck_assert_uint_eq(pw.pw_gid, 100);
			ck_assert_str_eq(pw.pw_gecos, gecos);
			ck_assert_str_eq(pw.pw_dir, "/home/someone");
			ck_assert_str_eq(pw.pw_shell, "/bin/bash");
		}
		free(buf);
	}
}

START_TEST(test_every_buffer_size)
{
	every_size("ann", 10001, "Ann Smith,,,");
	every_size("nogecos", 10002, "");
}
END_TEST

START_TEST(test_root_refused_whatever_the_buffer)
{
	char buf[256];
	struct passwd pw;
	int err;
	size_t len;

	/* from 1: an empty buffer is refused before any look-up */
	for (len = 1; len <= sizeof(buf); len += 5) {
		err = 0;
		ck_assert_int_eq(getpwnam_r_("root", &pw, buf, len, &err), NSS_STATUS_NOTFOUND);
		ck_assert_int_eq(err, ENOENT);
	}
}
END_TEST

static void teardown(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (mod != NULL)
		dlclose(mod);
	mod = NULL;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static Suite *make_suite(void)
{
	Suite *s = suite_create("nss_passwd");
	TCase *tc = tcase_create("pack");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_buffer_size);
	tcase_add_test(tc, test_root_refused_whatever_the_buffer);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
