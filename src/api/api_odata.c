/*
 * api_odata.c - the OData parts of an answer: $select projection and the
 * envelope, @odata.context and @odata.count (OData 4.0 part 1 §10).
 *
 * Contexts are absolute, from the configured public base URL (--public-url),
 * as Graph's are: a collection ".../$metadata#networkAccess/connectivity/
 * remoteNetworks", a contained one "...remoteNetworks('ID')/deviceLinks",
 * one entity ".../remoteNetworks/$entity". With $select the selected
 * properties follow the collection in parentheses, "remoteNetworks(name)".
 */
#include "api_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The next comma-separated item of *p, spaces trimmed; advances *p past
 * it. True when a comma followed, so that another (maybe empty) item does.
 */
static bool
api_list_next(const char **p, const char **item, size_t *len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	e = s + strcspn(s, ",");
	*item = s;
	*len = (size_t)(e - s);
	while (*len > 0 && s[*len - 1] == ' ')
		(*len)--;
	*p = *e == ',' ? e + 1 : e;
	return *e == ',';
}

int
api_select_check(struct api_req *r, const char *const *fields,
    const char *type)
{
	const char *v = api_query_get(r, "$select"), *p, *item;
	char names[512];
	size_t len, i, pos = 0;
	bool more;

	if (v == NULL)
		return 0;
	names[0] = '\0';
	for (i = 0; fields[i] != NULL && pos < sizeof(names); i++)
		pos += (size_t)snprintf(names + pos, sizeof(names) - pos,
		    "%s%s", i > 0 ? ", " : "", fields[i]);
	p = v;
	do {
		more = api_list_next(&p, &item, &len);
		if (len == 0) {
			api_error(r, 400, "BadRequest", "$select",
			    "$select has an empty item: list property names "
			    "separated by commas (%s properties: %s)", type,
			    names);
			return -1;
		}
		if (len == 1 && item[0] == '*')
			continue;
		for (i = 0; fields[i] != NULL; i++)
			if (strlen(fields[i]) == len &&
			    strncasecmp(fields[i], item, len) == 0)
				break;
		if (fields[i] == NULL) {
			api_error(r, 400, "BadRequest", "$select",
			    "$select: could not find a property named '%.*s' on "
			    "type '%s' (its properties: %s)",
			    (int)(len > 64 ? 64 : len), item, type, names);
			return -1;
		}
	} while (more);
	return 0;
}

void
api_select_apply(struct api_req *r, json_t *o)
{
	const char *key;
	json_t *v;
	void *tmp;

	if (o == NULL || api_query_get(r, "$select") == NULL ||
	    api_query_has(r, "$select", "*"))
		return;
	json_object_foreach_safe(o, tmp, key, v) {
		(void)v;
		/* Annotations are not properties: $select keeps them. */
		if (key[0] == '@' || strcmp(key, "id") == 0 ||
		    api_query_has(r, "$select", key) ||
		    api_query_has(r, "$expand", key))
			continue;
		json_object_del(o, key);
	}
}

/* BASE/$metadata#<path>[(<select>)][/$entity], malloc'd. */
static char *
api_context(struct api_req *r, bool entity, const char *fmt, va_list ap)
{
	const char *sel = api_query_get(r, "$select"), *p, *item;
	char *out;
	size_t size, pos, len;
	va_list aq;
	bool more;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	size = strlen(r->api->base_url) + (size_t)n + (sel ? strlen(sel) : 0) +
	    32;
	if ((out = malloc(size)) == NULL)
		return NULL;
	pos = (size_t)snprintf(out, size, "%s/$metadata#", r->api->base_url);
	pos += (size_t)vsnprintf(out + pos, size - pos, fmt, ap);
	if (sel != NULL) {
		/* The list as checked, spaces left out. */
		out[pos++] = '(';
		for (p = sel, more = true; more;) {
			more = api_list_next(&p, &item, &len);
			memcpy(out + pos, item, len);
			pos += len;
			if (more)
				out[pos++] = ',';
		}
		out[pos++] = ')';
		out[pos] = '\0';
	}
	if (entity)
		snprintf(out + pos, size - pos, "/$entity");
	return out;
}

void
api_reply_collection(struct api_req *r, json_t *value, const size_t *total,
    const char *fmt, ...)
{
	va_list ap;
	char *ctx;
	int errs = 0;

	va_start(ap, fmt);
	ctx = api_context(r, false, fmt, ap);
	va_end(ap);
	json_decref(r->resp);
	r->resp = json_object();
	if (ctx == NULL || value == NULL || r->resp == NULL) {
		json_decref(value);
		free(ctx);
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	errs += json_object_set_new(r->resp, "@odata.context",
	    json_string(ctx));
	/* OData: the count of the whole collection, not of this page. */
	if (r->count)
		errs += json_object_set_new(r->resp, "@odata.count",
		    json_integer((json_int_t)(total != NULL ? *total :
		    json_array_size(value))));
	errs += json_object_set_new(r->resp, "value", value);
	free(ctx);
	if (errs != 0) {
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	r->status = 200;
}

void
api_reply_entity(struct api_req *r, unsigned status, json_t *o,
    const char *fmt, ...)
{
	va_list ap;
	char *ctx;
	int errs = 0;

	va_start(ap, fmt);
	ctx = api_context(r, true, fmt, ap);
	va_end(ap);
	json_decref(r->resp);
	/* A new object, so that the context comes first, as in Graph. */
	r->resp = json_object();
	if (ctx == NULL || o == NULL || r->resp == NULL) {
		json_decref(o);
		free(ctx);
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	errs += json_object_set_new(r->resp, "@odata.context",
	    json_string(ctx));
	errs += json_object_update(r->resp, o);
	json_decref(o);
	free(ctx);
	if (errs != 0) {
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	r->status = status;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
static void
api_urlenc(char *out, size_t size, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0' && *pos + 4 < size; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
}

size_t
api_next_link_start(struct api_req *r, char *url, size_t size,
    const char *path, size_t top)
{
	static const char *const keep[] = {
		"$filter", "$select", "$orderby", "$count", NULL
	};
	const char *v;
	size_t pos, i;

	pos = (size_t)snprintf(url, size, "%s%s?$top=%zu", r->api->base_url,
	    path, top);
	for (i = 0; keep[i] != NULL && pos + 8 < size; i++) {
		if ((v = api_query_get(r, keep[i])) == NULL)
			continue;
		pos += (size_t)snprintf(url + pos, size - pos, "&%s=", keep[i]);
		api_urlenc(url, size, &pos, v);
	}
	return pos;
}
