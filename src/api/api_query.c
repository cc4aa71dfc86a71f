/*
 * api_query.c - query strings and request bodies. Each resource names the
 * query options it understands; anything else, or a repeated option, is a
 * 400 rather than silently ignored (STYLE.md §8). Graph beta takes OData's
 * system query options with or without their '$' ("$top=5", "top=5"): one
 * option either way, so "$top=5&top=6" is a repeat.
 */
#include "api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

/*
 * OData system query options Graph beta also takes without the '$'. Not
 * "format": cpeConfiguration has a plain format=... of its own.
 */
static const char *const api_odata_options[] = {
	"$top", "$skip", "$select", "$filter", "$expand", "$skiptoken",
	"$count", "$orderby", "$search", NULL
};

struct api_qseen {
	const char	*canon;		/* "$top" */
	const char	*given;		/* "top" or "$top" */
};

struct api_qcheck {
	const char *const	*allowed;
	const char		*bad;
	const char		*dup, *dup_other;
	const char		*count;		/* $count's value */
	struct api_qseen	 seen[16];
	size_t			 nseen;
};

/* Non-printable bytes become '?'. */
static void
api_query_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

void
api_query_error(struct api_req *r, unsigned status, const char *code,
    const char *target, const char *fmt, ...)
{
	char msg[512], tgt[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_query_printable(msg);
	if (target != NULL) {
		snprintf(tgt, sizeof(tgt), "%s", target);
		api_query_printable(tgt);
	}
	api_error(r, status, code, target != NULL ? tgt : NULL, "%s", msg);
}

int
api_query_top(struct api_req *r, size_t def, size_t max, size_t *top)
{
	const char *v = api_query_get(r, "$top");
	unsigned long n;
	char *end;

	*top = def;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < 1 ||
	    n > max) {
		api_query_error(r, 400, "BadRequest", "$top",
		    "$top '%.32s' is not an integer from 1 to %zu", v, max);
		return -1;
	}
	*top = n;
	return 0;
}

/* The '$' name of key when it is an OData option, else key itself. */
static const char *
api_query_canon(const char *key)
{
	size_t i;

	for (i = 0; api_odata_options[i] != NULL; i++)
		if (strcmp(api_odata_options[i], key) == 0 || (key[0] != '$' &&
		    strcmp(api_odata_options[i] + 1, key) == 0))
			return api_odata_options[i];
	return key;
}

static enum MHD_Result
api_query_visit(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct api_qcheck *q = cls;
	const char *canon = api_query_canon(key);
	size_t i;
	bool ok = false;

	(void)kind;
	for (i = 0; q->allowed != NULL && q->allowed[i] != NULL; i++)
		if (strcmp(q->allowed[i], canon) == 0)
			ok = true;
	if (!ok) {
		q->bad = key;
		return MHD_NO;
	}
	/* "lan" may repeat (several prefixes); OData options may not. */
	if (strcmp(key, "lan") != 0) {
		for (i = 0; i < q->nseen; i++)
			if (strcmp(q->seen[i].canon, canon) == 0) {
				q->dup = key;
				q->dup_other = q->seen[i].given;
				return MHD_NO;
			}
		if (q->nseen < sizeof(q->seen) / sizeof(q->seen[0])) {
			q->seen[q->nseen].canon = canon;
			q->seen[q->nseen++].given = key;
		}
	}
	if (strcmp(canon, "$count") == 0)
		q->count = value != NULL ? value : "";
	return MHD_YES;
}

int
api_query_check(struct api_req *r, const char *const *allowed)
{
	struct api_qcheck q;

	memset(&q, 0, sizeof(q));
	q.allowed = allowed;
	r->count = false;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND,
	    api_query_visit, &q);
	if (q.bad != NULL) {
		api_error(r, 400, "BadRequest", q.bad,
		    "query option '%.64s' is not supported on this resource",
		    q.bad);
		return -1;
	}
	if (q.dup != NULL && strcmp(q.dup, q.dup_other) == 0) {
		api_error(r, 400, "BadRequest", q.dup,
		    "query option '%.64s' is given more than once", q.dup);
		return -1;
	}
	if (q.dup != NULL) {
		api_error(r, 400, "BadRequest", api_query_canon(q.dup),
		    "query option '%s' is given more than once: as '%.64s' "
		    "and as '%.64s' (with and without '$' are the same option)",
		    api_query_canon(q.dup), q.dup_other, q.dup);
		return -1;
	}
	if (q.count != NULL) {
		/* OData 4.0 part 2 §11.2.5.5: true or false. */
		if (strcmp(q.count, "true") != 0 &&
		    strcmp(q.count, "false") != 0) {
			api_error(r, 400, "BadRequest", "$count",
			    "$count '%.32s' is not true or false", q.count);
			return -1;
		}
		r->count = q.count[0] == 't';
	}
	return 0;
}

const char *
api_query_get(struct api_req *r, const char *key)
{
	const char *v;

	v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
	/* api_query_check let at most one of "$top" and "top" through. */
	if (v == NULL && key[0] == '$' &&
	    strcmp(api_query_canon(key + 1), key) == 0)
		v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
		    key + 1);
	return v;
}

bool
api_query_has(struct api_req *r, const char *key, const char *word)
{
	const char *v = api_query_get(r, key), *p;
	size_t n = strlen(word);

	if (v == NULL)
		return false;
	for (p = v; *p != '\0';) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, word, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '('))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

/* nested compared with allowed, '$' and spaces left out of both. */
static bool
api_nested_ok(const char *nested, size_t len, const char *const *allowed)
{
	const char *a, *p, *end = nested + len;
	size_t i;

	for (i = 0; allowed != NULL && allowed[i] != NULL; i++) {
		for (a = allowed[i], p = nested;; a++, p++) {
			while (p < end && (*p == '$' || *p == ' '))
				p++;
			while (*a == '$' || *a == ' ')
				a++;
			if (p == end || *a == '\0' || tolower((unsigned char)*p) !=
			    tolower((unsigned char)*a))
				break;
		}
		if (p == end && *a == '\0')
			return true;
	}
	return false;
}

int
api_expand_check(struct api_req *r, const char *const *names,
    const char *const *nested, const char *what)
{
	const char *v = api_query_get(r, "$expand"), *p, *b, *open;
	size_t i, n;
	int depth;

	if (v == NULL)
		return 0;
	for (p = v;;) {
		while (*p == ' ')
			p++;
		/* One item: up to a ',' outside parentheses. */
		for (b = p, open = NULL, depth = 0; *p != '\0' &&
		    (depth > 0 || *p != ','); p++) {
			if (*p == '(' && depth++ == 0 && open == NULL)
				open = p;
			else if (*p == ')')
				depth--;
		}
		n = (size_t)((open != NULL ? open : p) - b);
		while (n > 0 && b[n - 1] == ' ')
			n--;
		for (i = 0; names[i] != NULL; i++)
			if (strlen(names[i]) == n &&
			    strncasecmp(names[i], b, n) == 0)
				break;
		if (names[i] == NULL) {
			api_error(r, 400, "BadRequest", "$expand",
			    "$expand: cannot expand '%.*s': %s", (int)(n > 64 ?
			    64 : n), b, what);
			return -1;
		}
		if (open != NULL && (depth != 0 || p[-1] != ')' ||
		    !api_nested_ok(open + 1, (size_t)(p - 1 - (open + 1)),
		    nested))) {
			api_error(r, 400, "BadRequest", "$expand",
			    "$expand: the options in '%.*s' are not supported "
			    "(%s)", (int)((p - b) > 128 ? 128 : (p - b)), b,
			    what);
			return -1;
		}
		if (*p == '\0')
			return 0;
		p++;
	}
}

/*
 * A parse error in our words. jansson's text is not passed through: it
 * names jansson's own flags ("\\u0000 is not allowed without
 * JSON_ALLOW_NUL"), and its "near '...'" context can quote up to 20 bytes
 * of the body, a pre-shared key included.
 */
static const char *
api_json_problem(const json_error_t *e)
{
	static const struct {
		const char	*jansson;	/* start of jansson's text */
		const char	*plain;
	} syntax[] = {
		{ "unexpected newline", "a string contains a raw line break "
		    "(write it as \\n)" },
		{ "control character", "a string contains a raw control "
		    "character (escape it as \\uXXXX)" },
		{ "invalid escape", "a string has an invalid escape sequence" },
		{ "invalid Unicode", "a string has an invalid \\u escape or "
		    "an unpaired UTF-16 surrogate" },
		{ "string or '}' expected", "expected a member name in double "
		    "quotes, or '}'" },
		{ "':' expected", "expected ':' after a member name" },
		{ "'}' expected", "expected ',' or '}' (a comma may be "
		    "missing)" },
		{ "']' expected", "expected ',' or ']' (a comma may be "
		    "missing)" },
		{ "'[' or '{' expected", "expected a JSON object" },
		{ "invalid token", "invalid value (strings need double quotes; "
		    "true, false and null are lower case)" },
		{ "unexpected token", "unexpected character" },
	};
	size_t i;

	switch (json_error_code(e)) {
	case json_error_duplicate_key:
		return "a member name appears twice in one object";
	case json_error_null_character:
		return "a string contains \\u0000, which is not allowed";
	case json_error_null_byte_in_key:
		return "a member name contains \\u0000, which is not allowed";
	case json_error_numeric_overflow:
		return "a number is out of range";
	case json_error_stack_overflow:
		return "the document is nested too deeply";
	case json_error_invalid_utf8:
		return "the body is not valid UTF-8";
	case json_error_premature_end_of_input:
		return "the body ends before the JSON value does";
	case json_error_end_of_input_expected:
		return "there is more after the JSON value";
	case json_error_invalid_syntax:
		for (i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
			if (strncmp(e->text, syntax[i].jansson,
			    strlen(syntax[i].jansson)) == 0)
				return syntax[i].plain;
		return "invalid JSON syntax";
	default:
		return "invalid JSON";
	}
}

json_t *
api_body_object(struct api_req *r)
{
	json_error_t jerr;

	if (r->body == NULL || r->body_len == 0) {
		api_error(r, 400, "BadRequest", NULL,
		    "request body is empty; a JSON object is required");
		return NULL;
	}
	r->json = json_loadb(r->body, r->body_len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (r->json == NULL) {
		api_error(r, 400, "BadRequest", NULL,
		    "malformed JSON at line %d, column %d: %s", jerr.line,
		    jerr.column, api_json_problem(&jerr));
		return NULL;
	}
	if (!json_is_object(r->json)) {
		api_error(r, 400, "BadRequest", NULL,
		    "request body must be a JSON object");
		return NULL;
	}
	return r->json;
}

bool
api_prefer_representation(struct api_req *r)
{
	const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Prefer");

	return p != NULL && strstr(p, "return=representation") != NULL;
}
