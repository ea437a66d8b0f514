/* output.c: see output.h. */
#include "output.h"

#include <stdio.h>

static void json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void indent(const struct out *o)
{
	int i;

	for (i = 1; i < o->depth; i++)
		fputs("  ", stdout);
}

/* JSON: the comma and the key before a value. */
static void json_key(struct out *o, const char *key)
{
	if (!o->first[o->depth])
		putchar(',');
	o->first[o->depth] = false;
	if (key != NULL && !o->array[o->depth]) {
		json_string(key);
		putchar(':');
	}
}

static void push(struct out *o, bool array)
{
	if (o->depth + 1 < OUT_MAX_DEPTH)
		o->depth++;
	o->first[o->depth] = true;
	o->array[o->depth] = array;
}

void out_begin(struct out *o, bool json)
{
	o->json = json;
	o->depth = 0;
	o->first[0] = true;
	o->array[0] = false;
	o->inline_arr = false;
}

void out_end(struct out *o)
{
	if (o->json)
		putchar('\n');
	fflush(stdout);
}

void out_obj_begin(struct out *o, const char *key)
{
	if (!o->json && o->inline_arr) {
		putchar('\n');
		o->inline_arr = false;
	}
	if (o->json) {
		json_key(o, key);
		putchar('{');
	} else if (key != NULL) {
		indent(o);
		printf("%s:\n", key);
	} else if (o->depth > 0 && o->array[o->depth]) {
		indent(o);
		puts("-");
	}
	push(o, false);
}

void out_obj_end(struct out *o)
{
	if (o->json)
		putchar('}');
	if (o->depth > 0)
		o->depth--;
}

void out_arr_begin(struct out *o, const char *key)
{
	if (o->json) {
		json_key(o, key);
		putchar('[');
	} else {
		indent(o);
		printf("%s:", key != NULL ? key : "");
		o->inline_arr = true;
	}
	push(o, true);
}

void out_arr_end(struct out *o)
{
	if (o->json)
		putchar(']');
	else if (o->inline_arr) {
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
		json_key(o, key);
		if (v == NULL)
			fputs("null", stdout);
		else
			json_string(v);
	} else if (v != NULL) {
		human_key(o, key);
		puts(v);
	}
}

void out_int(struct out *o, const char *key, long long v)
{
	if (o->json) {
		json_key(o, key);
		printf("%lld", v);
	} else {
		human_key(o, key);
		printf("%lld\n", v);
	}
}

void out_bool(struct out *o, const char *key, bool v)
{
	if (o->json) {
		json_key(o, key);
		fputs(v ? "true" : "false", stdout);
	} else {
		human_key(o, key);
		puts(v ? "yes" : "no");
	}
}

void out_item(struct out *o, const char *v)
{
	if (o->json) {
		json_key(o, NULL);
		json_string(v);
	} else {
		printf("%s %s", o->first[o->depth] ? "" : ",", v);
		o->first[o->depth] = false;
	}
}

void out_int_item(struct out *o, long long v)
{
	if (o->json) {
		json_key(o, NULL);
		printf("%lld", v);
	} else {
		printf("%s %lld", o->first[o->depth] ? "" : ",", v);
		o->first[o->depth] = false;
	}
}
