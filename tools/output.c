/* output.c: see output.h. */
#include "output.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many bytes the UTF-8 sequence led by c has; 0 if c cannot lead one. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Is the sequence of n bytes at p one valid UTF-8 character? jansson
 * judges (continuation bytes, overlong forms, surrogates, the range). */
static bool utf8_seq_valid(const char *p, size_t n)
{
	json_t *j;

	if (n == 0 || strnlen(p, n) != n)
		return false;
	if (n == 1)
		return true;
	j = json_stringn(p, n);
	json_decref(j);
	return j != NULL;
}

const char *out_utf8(const char *s, char **copy)
{
	static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */
	json_t *j = json_string(s);
	size_t len = strlen(s), i = 0, n, k = 0;
	char *d;

	*copy = NULL;
	if (j != NULL) {
		json_decref(j);
		return s;
	}
	/* at most three bytes out for each byte in */
	d = malloc(3 * len + 1);
	if (d == NULL)
		return NULL;
	while (i < len) {
		n = utf8_seq_len((unsigned char)s[i]);
		if (utf8_seq_valid(s + i, n)) {
			memcpy(d + k, s + i, n);
			k += n;
			i += n;
		} else {
			memcpy(d + k, replacement, 3);
			k += 3;
			i++;
		}
	}
	d[k] = '\0';
	*copy = d;
	return d;
}

/* JSON: v (a new reference, taken over) under key in the open object, or
 * last in the open array, or as the document. */
static bool json_put(struct out *o, const char *key, json_t *v)
{
	json_t *parent = o->node[o->depth];
	const char *k;
	char *copy = NULL;
	bool ok = false;

	if (v == NULL)
		goto out;
	if (o->depth == 0) {
		json_decref(o->root);
		o->root = v;
		return true;
	}
	if (parent == NULL) {
		/* inside a container that could not be made */
		json_decref(v);
		goto out;
	}
	if (json_is_array(parent)) {
		ok = json_array_append_new(parent, v) == 0;
		goto out;
	}
	k = out_utf8(key != NULL ? key : "", &copy);
	if (k == NULL)
		json_decref(v);
	else
		ok = json_object_set_new(parent, k, v) == 0;
	if (copy != NULL)
		fprintf(stderr, "customdb: a key is not UTF-8: the JSON shows \"%s\"\n", k);
	free(copy);
out:
	if (!ok)
		o->failed = true;
	return ok;
}

/* JSON: the string s (NULL: null) under key. */
static void json_put_str(struct out *o, const char *key, const char *s)
{
	const char *u;
	char *copy = NULL;

	if (s == NULL) {
		json_put(o, key, json_null());
		return;
	}
	u = out_utf8(s, &copy);
	json_put(o, key, u != NULL ? json_string(u) : NULL);
	if (copy != NULL && key != NULL && !o->array[o->depth])
		fprintf(stderr, "customdb: %s is not UTF-8: the JSON shows U+FFFD in place of "
			"each byte that is not\n", key);
	else if (copy != NULL)
		fprintf(stderr, "customdb: an item of a list is not UTF-8: the JSON shows U+FFFD "
			"in place of each byte that is not\n");
	free(copy);
}

static void indent(const struct out *o)
{
	int i;

	for (i = 1; i < o->depth; i++)
		fputs("  ", stdout);
}

static void push(struct out *o, bool array, json_t *node)
{
	if (o->depth + 1 < OUT_MAX_DEPTH)
		o->depth++;
	o->first[o->depth] = true;
	o->array[o->depth] = array;
	o->node[o->depth] = node;
}

void out_begin(struct out *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	o->first[0] = true;
}

void out_end(struct out *o)
{
	if (o->json && o->root != NULL) {
		if (o->failed)
			fputs("customdb: out of memory: the JSON output is not whole\n", stderr);
		if (json_dumpf(o->root, stdout, JSON_COMPACT) != 0)
			fputs("customdb: cannot write the JSON output\n", stderr);
		else
			putchar('\n');
	}
	json_decref(o->root);
	o->root = NULL;
	fflush(stdout);
}

/* JSON: a new container under key; what push keeps (NULL if it failed). */
static json_t *json_open(struct out *o, const char *key, json_t *c)
{
	return json_put(o, key, c) ? c : NULL;
}

void out_obj_begin(struct out *o, const char *key)
{
	json_t *node = NULL;

	if (!o->json && o->inline_arr) {
		putchar('\n');
		o->inline_arr = false;
	}
	if (o->json) {
		node = json_open(o, key, json_object());
	} else if (key != NULL) {
		indent(o);
		printf("%s:\n", key);
	} else if (o->depth > 0 && o->array[o->depth]) {
		indent(o);
		puts("-");
	}
	push(o, false, node);
}

void out_obj_end(struct out *o)
{
	if (o->depth > 0)
		o->depth--;
}

void out_arr_begin(struct out *o, const char *key)
{
	json_t *node = NULL;

	if (o->json) {
		node = json_open(o, key, json_array());
	} else {
		indent(o);
		printf("%s:", key != NULL ? key : "");
		o->inline_arr = true;
	}
	push(o, true, node);
}

void out_arr_end(struct out *o)
{
	if (!o->json && o->inline_arr) {
		fputs(o->first[o->depth] ? " (none)\n" : "\n", stdout);
		o->inline_arr = false;
	}
	if (o->depth > 0)
		o->depth--;
}

static void human_key(struct out *o, const char *key)
{
	if (o->inline_arr) {
		/* an object inside a scalar-looking array: break the line */
		putchar('\n');
		o->inline_arr = false;
	}
	indent(o);
	printf("%s: ", key);
}

void out_str(struct out *o, const char *key, const char *v)
{
	if (o->json) {
		json_put_str(o, key, v);
	} else if (v != NULL) {
		human_key(o, key);
		puts(v);
	}
}

void out_int(struct out *o, const char *key, long long v)
{
	if (o->json) {
		json_put(o, key, json_integer(v));
	} else {
		human_key(o, key);
		printf("%lld\n", v);
	}
}

void out_bool(struct out *o, const char *key, bool v)
{
	if (o->json) {
		json_put(o, key, json_boolean(v));
	} else {
		human_key(o, key);
		puts(v ? "yes" : "no");
	}
}

static void human_item(struct out *o, const char *v)
{
	printf("%s %s", o->first[o->depth] ? "" : ",", v);
	o->first[o->depth] = false;
}

void out_item(struct out *o, const char *v)
{
	if (o->json)
		json_put_str(o, NULL, v);
	else
		human_item(o, v);
}

void out_int_item(struct out *o, long long v)
{
	char num[24];

	if (o->json) {
		json_put(o, NULL, json_integer(v));
	} else {
		snprintf(num, sizeof(num), "%lld", v);
		human_item(o, num);
	}
}
