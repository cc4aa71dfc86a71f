/*
 * api_query.c - query strings and request bodies. Each resource names the
 * query options it understands; anything else, or a repeated option, is a
 * 400 rather than silently ignored (STYLE.md §8).
 */
#include "api_internal.h"

#include <string.h>
#include <strings.h>

#include <microhttpd.h>

struct api_qcheck {
	const char *const	*allowed;
	const char		*bad;
	const char		*dup;
	const char		*seen[16];
	size_t			 nseen;
};

static enum MHD_Result
api_query_visit(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct api_qcheck *q = cls;
	size_t i;
	bool ok = false;

	(void)kind;
	(void)value;
	for (i = 0; q->allowed != NULL && q->allowed[i] != NULL; i++)
		if (strcmp(q->allowed[i], key) == 0)
			ok = true;
	if (!ok) {
		q->bad = key;
		return MHD_NO;
	}
	/* "lan" may repeat (several prefixes); OData options may not. */
	if (strcmp(key, "lan") != 0) {
		for (i = 0; i < q->nseen; i++)
			if (strcmp(q->seen[i], key) == 0) {
				q->dup = key;
				return MHD_NO;
			}
		if (q->nseen < sizeof(q->seen) / sizeof(q->seen[0]))
			q->seen[q->nseen++] = key;
	}
	return MHD_YES;
}

int
api_query_check(struct api_req *r, const char *const *allowed)
{
	struct api_qcheck q;

	memset(&q, 0, sizeof(q));
	q.allowed = allowed;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND,
	    api_query_visit, &q);
	if (q.bad != NULL) {
		api_error(r, 400, "BadRequest", q.bad,
		    "query option '%.64s' is not supported on this resource",
		    q.bad);
		return -1;
	}
	if (q.dup != NULL) {
		api_error(r, 400, "BadRequest", q.dup,
		    "query option '%.64s' is given more than once", q.dup);
		return -1;
	}
	return 0;
}

const char *
api_query_get(struct api_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
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
