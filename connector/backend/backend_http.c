/* backend_http.c: driver = http, a web service, through libcurl; answers
 * read by json_row.c.
 *
 * connection is the service's base URL: https://host/api, or
 * https://account@host/api for a service account whose password is in
 * password_file. Plain http:// only to a loopback address. Each query is
 * one request, written
 *
 *     METHOD PATH [AUTH :username :password] [BODY]
 *
 * PATH is appended to the base URL, each parameter in it URL-encoded;
 * BODY is a JSON template, each parameter in it a JSON string. AUTH sends
 * the request with the user's own name and password as HTTP Basic Auth,
 * and the service checks them: 2xx right, 401/403 wrong (BACKEND_DENIED),
 * 404 unknown; other requests carry the service account, if any. A 2xx
 * answer is a JSON object or array of objects (json_row.h), or empty (a
 * write done); 404 is no rows; 5xx, 408, 429, a timeout, a TLS failure, or
 * an answer too big or not JSON is BACKEND_UNAVAILABLE. TLS is always
 * verified (ca_file, or the system's CAs); redirects are not followed.
 * One curl handle per backend keeps its connections across requests. */
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "json_row.h"

/* The largest answer read; a bigger one is "unavailable". */
#define HTTP_MAX_ANSWER (4u << 20)

struct backend {
	CURL *curl;
	char *base;          /* the base URL, without user info or trailing '/' */
	char *account;       /* the service account's name, or NULL */
	char *account_pw;    /* its password (password_file), or NULL */
	char *ca_file;
	bool plain;          /* http:// to a loopback address */
	long connect_timeout, query_timeout;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void http_close(struct backend *b)
{
	if (b == NULL)
		return;
	if (b->curl != NULL)
		curl_easy_cleanup(b->curl);
	free(b->base);
	free(b->account);
	backend_free_secret(b->account_pw);
	free(b->ca_file);
	free(b);
}

static bool loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	       strncmp(host, "127.", 4) == 0;
}

/* Read the base URL into b: scheme, account, no query or fragment. */
static int parse_base(struct backend *b, const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL, *rest = NULL, *q = NULL;
	int rc = -1;
	size_t n;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "http: connection: '%s' is not a URL", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (scheme == NULL || host == NULL ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
		snprintf(err, errlen, "http: connection: '%s' is not an https:// URL", url);
		goto out;
	}
	b->plain = strcmp(scheme, "http") == 0;
	if (b->plain && !loopback(host)) {
		snprintf(err, errlen, "http: connection: plain http:// only to a loopback address "
			 "(passwords would cross the network in clear); use https://");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		snprintf(err, errlen, "http: connection: a password in the URL; put it in "
			 "password_file");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &rest, 0) == CURLUE_OK) {
		snprintf(err, errlen, "http: connection: the base URL takes no ?query or "
			 "#fragment; write them in the queries");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE) == CURLUE_OK) {
		b->account = strdup(user);
		if (b->account == NULL)
			goto nomem;
		curl_url_set(u, CURLUPART_USER, NULL, 0);
	}
	if (curl_url_get(u, CURLUPART_URL, &rest, 0) != CURLUE_OK)
		goto nomem;
	n = strlen(rest);
	while (n > 0 && rest[n - 1] == '/')
		n--;
	b->base = strndup(rest, n);
	if (b->base == NULL)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "http: out of memory");
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_free(rest);
	curl_free(q);
	curl_url_cleanup(u);
	return rc;
}

static struct backend *http_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct backend *b;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, errlen, "http: libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		snprintf(err, errlen, "http: out of memory");
		return NULL;
	}
	b->connect_timeout = p->connect_timeout;
	b->query_timeout = p->query_timeout;
	if (parse_base(b, p->connection, err, errlen) != 0)
		goto fail;
	if (p->password != NULL && b->account == NULL) {
		snprintf(err, errlen, "http: password_file is given but connection names no "
			 "account (https://ACCOUNT@host/...)");
		goto fail;
	}
	b->account_pw = p->password != NULL ? strdup(p->password) : NULL;
	b->ca_file = p->ca_file != NULL ? strdup(p->ca_file) : NULL;
	b->curl = curl_easy_init();
	if (b->curl == NULL || (p->password != NULL && b->account_pw == NULL) ||
	    (p->ca_file != NULL && b->ca_file == NULL)) {
		snprintf(err, errlen, "http: out of memory");
		goto fail;
	}
	return b;
fail:
	http_close(b);
	return NULL;
}

/* --- the request template ------------------------------------------------------ */

/* A query's text in parts. Each points into the query's sql_dollar, where
 * parameter i is written $i+1 (query.c). */
struct request {
	char method[8];
	const char *path, *body;
	size_t path_len, body_len;
	int auth_user, auth_pw;   /* parameter indexes of AUTH, or -1 */
};

/* Skip blanks (spaces, tabs, newlines: a query may run over lines). */
static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static size_t token_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r')
		n++;
	return n;
}

/* The parameter index of a token that is exactly "$N", or -1. */
static int param_token(const char *s, size_t n, size_t nparams)
{
	unsigned long i;
	char *end;

	if (n < 2 || s[0] != '$' || !isdigit((unsigned char)s[1]))
		return -1;
	i = strtoul(s + 1, &end, 10);
	if ((size_t)(end - s) != n || i == 0 || i > nparams)
		return -1;
	return (int)(i - 1);
}

static int parse_request(const struct query *q, struct request *r, char *err, size_t errlen)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	const char *s = skip_blank(q->sql_dollar), *d;
	size_t n, i;

	memset(r, 0, sizeof(*r));
	r->auth_user = r->auth_pw = -1;
	/* a '$' and a digit would be read as a parameter */
	for (d = q->sql; (d = strchr(d, '$')) != NULL; d++)
		if (isdigit((unsigned char)d[1])) {
			snprintf(err, errlen, "http: query %s: '$' followed by a digit cannot be "
				 "written in a request", q->name);
			return -1;
		}
	n = token_len(s);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == n && memcmp(methods[i], s, n) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0])) {
		snprintf(err, errlen, "http: query %s: starts with '%.*s', not a method (GET, POST, "
			 "PUT, PATCH, DELETE)", q->name, (int)(n > 16 ? 16 : n), s);
		return -1;
	}
	memcpy(r->method, s, n);
	s = skip_blank(s + n);
	r->path = s;
	r->path_len = token_len(s);
	if (r->path_len == 0 || s[0] != '/') {
		snprintf(err, errlen, "http: query %s: the path after %s must start with '/'",
			 q->name, r->method);
		return -1;
	}
	s = skip_blank(s + r->path_len);
	if (strncmp(s, "AUTH", 4) == 0 && token_len(s) == 4) {
		s = skip_blank(s + 4);
		n = token_len(s);
		r->auth_user = param_token(s, n, q->nparams);
		s = skip_blank(s + n);
		n = token_len(s);
		r->auth_pw = param_token(s, n, q->nparams);
		if (r->auth_user < 0 || r->auth_pw < 0) {
			snprintf(err, errlen, "http: query %s: AUTH takes two parameters, the user "
				 "and the password (AUTH :username :password)", q->name);
			return -1;
		}
		s = skip_blank(s + n);
	}
	r->body = s;
	r->body_len = strlen(s);
	while (r->body_len > 0 && isspace((unsigned char)s[r->body_len - 1]))
		r->body_len--;
	return 0;
}

/* A growing string, wiped as it grows and when freed: a body may hold a
 * password or a hash. */
struct buf {
	char *p;
	size_t len, cap, limit;
	bool over;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->len + n > b->limit) {
		b->over = true;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = malloc(cap);
		if (p == NULL)
			return -1;
		if (b->p != NULL) {
			memcpy(p, b->p, b->len);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void buf_free(struct buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* Append text[0..n) to out with each $N replaced by values[N-1], URL-encoded
 * (json false) or as a JSON string (json true; NULL is null). */
static int expand(CURL *c, const struct query *q, const char *const *values, const char *text,
		  size_t n, bool json, struct buf *out, char *err, size_t errlen)
{
	size_t i = 0, k;
	int idx;

	while (i < n) {
		for (k = i; k < n && !(text[k] == '$' && k + 1 < n && isdigit((unsigned char)text[k + 1]));
		     k++)
			;
		if (buf_add(out, text + i, k - i) != 0)
			goto nomem;
		if (k == n)
			break;
		i = k + 1;
		while (i < n && isdigit((unsigned char)text[i]))
			i++;
		idx = param_token(text + k, i - k, q->nparams);
		if (idx < 0)
			goto nomem;   /* query.c wrote it: cannot happen */
		if (json) {
			json_t *v = values[idx] != NULL ? json_string(values[idx]) : json_null();
			char *s = v != NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
			int rc = s != NULL ? buf_add(out, s, strlen(s)) : -1;

			if (s != NULL)
				explicit_bzero(s, strlen(s));
			free(s);
			json_decref(v);
			if (rc != 0) {
				snprintf(err, errlen, "http: query %s: :%s is not UTF-8 (or out of memory)",
					 q->name, query_param_name(q->params[idx]));
				return -1;
			}
		} else {
			const char *v = values[idx] != NULL ? values[idx] : "";
			char *e = curl_easy_escape(c, v, (int)strlen(v));
			int rc = e != NULL ? buf_add(out, e, strlen(e)) : -1;

			curl_free(e);
			if (rc != 0)
				goto nomem;
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "http: query %s: out of memory", q->name);
	return -1;
}

/* --- the request ---------------------------------------------------------------- */

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	/* anything short of n makes curl stop with CURLE_WRITE_ERROR */
	return buf_add(b, data, n) == 0 ? n : 0;
}

/* Set up b->curl for request r with its URL and body. */
static int setup(struct backend *b, const struct request *r, const struct buf *url,
		 const struct buf *body, const char *user, const char *pw, struct curl_slist *hdr,
		 struct buf *answer, char *errbuf)
{
	CURL *c = b->curl;
	CURLcode e = CURLE_OK;

	curl_easy_reset(c);
#define SET(opt, val) do { if (e == CURLE_OK) e = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, url->p);
	SET(CURLOPT_PROTOCOLS_STR, b->plain ? "http" : "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_CONNECTTIMEOUT, b->connect_timeout);
	SET(CURLOPT_TIMEOUT, b->connect_timeout + b->query_timeout);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_ANSWER);
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, answer);
	SET(CURLOPT_HTTPHEADER, hdr);
	SET(CURLOPT_USERAGENT, "customdb");
	/* verification is libcurl's default; said again so that no reset loses it */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (b->ca_file != NULL)
		SET(CURLOPT_CAINFO, b->ca_file);
	if (strcmp(r->method, "GET") != 0)
		SET(CURLOPT_CUSTOMREQUEST, r->method);
	if (body->len > 0 || strcmp(r->method, "POST") == 0) {
		SET(CURLOPT_POSTFIELDSIZE, (long)body->len);
		SET(CURLOPT_POSTFIELDS, body->p != NULL ? body->p : "");
	}
	if (user != NULL) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, user);
		SET(CURLOPT_PASSWORD, pw != NULL ? pw : "");
	}
#undef SET
	return e == CURLE_OK ? 0 : -1;
}

/* The answer of a finished request as a result (or an error). */
static int read_answer(const struct query *q, long status, bool user_auth, struct buf *answer,
		       struct result **out, char *err, size_t errlen)
{
	char why[256];
	int rc;

	if (status == 404) {
		*out = json_rows_none();
		if (*out != NULL)
			(*out)->affected = 0;
		return *out != NULL ? BACKEND_OK : BACKEND_ERROR;
	}
	if (status == 401 || status == 403) {
		if (user_auth)
			return BACKEND_DENIED;
		snprintf(err, errlen, "http: query %s: HTTP %ld: the service refused the %s", q->name,
			 status, "service account (connection's user, password_file)");
		return BACKEND_ERROR;
	}
	if (status >= 500 || status == 408 || status == 429) {
		snprintf(err, errlen, "http: query %s: HTTP %ld from the service", q->name, status);
		return BACKEND_UNAVAILABLE;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "http: query %s: HTTP %ld from the service%s", q->name, status,
			 status >= 300 && status < 400 ? " (redirects are not followed)" : "");
		return BACKEND_ERROR;
	}
	if (answer->len == 0) {
		/* a write done, with nothing to say */
		*out = result_new(0);
		return *out != NULL ? BACKEND_OK : BACKEND_ERROR;
	}
	rc = json_rows_parse(answer->p, answer->len, HTTP_MAX_ANSWER, out, why, sizeof(why));
	if (rc == JSON_ROW_OK)
		return BACKEND_OK;
	snprintf(err, errlen, "http: query %s: HTTP %ld, but the answer is unusable: %s: %s",
		 q->name, status, json_row_rc_name(rc), why);
	return BACKEND_UNAVAILABLE;
}

/* Long: build the request from the template, send it, read the answer --
 * one exit that wipes the URL, body and answer. */
static int http_query(struct backend *b, const struct query *q, const char *const *params,
		      struct result **out, char *err, size_t errlen)
{
	struct buf url = { .limit = 64 * 1024 }, body = { .limit = 1 << 20 };
	struct buf answer = { .limit = HTTP_MAX_ANSWER };
	struct curl_slist *hdr = NULL, *h;
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *user = b->account, *pw = b->account_pw;
	struct request r;
	CURLcode e;
	long status = 0;
	int rc = BACKEND_ERROR;

	*out = NULL;
	err[0] = '\0';
	if (parse_request(q, &r, err, errlen) != 0)
		goto out;
	if (r.auth_user >= 0) {
		user = params[r.auth_user] != NULL ? params[r.auth_user] : "";
		pw = params[r.auth_pw];
	}
	if (buf_add(&url, b->base, strlen(b->base)) != 0 ||
	    expand(b->curl, q, params, r.path, r.path_len, false, &url, err, errlen) != 0 ||
	    expand(b->curl, q, params, r.body, r.body_len, true, &body, err, errlen) != 0)
		goto out;
	hdr = curl_slist_append(NULL, "Accept: application/json");
	if (hdr != NULL && body.len > 0) {
		h = curl_slist_append(hdr, "Content-Type: application/json");
		hdr = h != NULL ? h : hdr;
	}
	if (hdr == NULL || setup(b, &r, &url, &body, user, pw, hdr, &answer, errbuf) != 0) {
		snprintf(err, errlen, "http: query %s: cannot set up the request", q->name);
		goto out;
	}
	e = curl_easy_perform(b->curl);
	if (e != CURLE_OK) {
		const char *secrets[] = { pw, b->account_pw };
		char msg[CURL_ERROR_SIZE + 128];

		if (answer.over || e == CURLE_FILESIZE_EXCEEDED)
			snprintf(msg, sizeof(msg), "the answer is over %u bytes", HTTP_MAX_ANSWER);
		else if (e == CURLE_OPERATION_TIMEDOUT)
			snprintf(msg, sizeof(msg), "no answer within %ld s (connect_timeout + "
				 "query_timeout): %s", b->connect_timeout + b->query_timeout, errbuf);
		else
			snprintf(msg, sizeof(msg), "%s: %s", curl_easy_strerror(e),
				 errbuf[0] != '\0' ? errbuf : "-");
		snprintf(errbuf, sizeof(errbuf), "http: query %s: ", q->name);
		backend_set_err(err, errlen, errbuf, msg, 1, secrets, 2);
		rc = BACKEND_UNAVAILABLE;
		goto out;
	}
	curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &status);
	rc = read_answer(q, status, r.auth_user >= 0, &answer, out, err, errlen);
	if (rc == BACKEND_ERROR && *out == NULL && err[0] == '\0')
		snprintf(err, errlen, "http: query %s: out of memory", q->name);
out:
	/* drop the credentials from the handle now, not at the next request */
	curl_easy_setopt(b->curl, CURLOPT_PASSWORD, NULL);
	curl_slist_free_all(hdr);
	buf_free(&url);
	buf_free(&body);
	buf_free(&answer);
	return rc;
}

const struct backend_ops backend_http_ops = {
	.driver = "http",
	.open = http_open,
	.query = http_query,
	.close = http_close,
};
