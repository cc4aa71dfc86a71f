/*
 * api_error.c - errors in Microsoft Graph's shape:
 *   {"error":{"code":"BadRequest","message":"...","target":"...",
 *             "details":[{"code","message","target"}],
 *             "innerError":{"date":"...","request-id":"...",
 *                           "client-request-id":"..."}}}
 * The message names the offending field and value (never a secret); when
 * validation found several problems, all of them are in details. The ids
 * are the request's, the same as in its response headers (api_http.c).
 */
#include "api_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "wallclock.h"

static json_t *
api_error_body(const struct api_req *r, const char *code, const char *target,
    const char *msg)
{
	json_t *e, *inner;
	char date[WALLCLOCK_STRLEN];

	inner = json_pack("{s:s, s:s, s:s}", "date",
	    wallclock_fmt(wallclock_now_ms(), date), "request-id",
	    r->request_id, "client-request-id", r->client_request_id);
	e = json_pack("{s:s, s:s, s:o}", "code", code, "message", msg,
	    "innerError", inner);
	if (e != NULL && target != NULL && target[0] != '\0')
		json_object_set_new(e, "target", json_string(target));
	return e;
}

static void
api_error_set(struct api_req *r, unsigned status, json_t *e)
{
	json_decref(r->resp);
	r->resp = json_pack("{s:o}", "error", e);
	r->status = status;
	r->location[0] = '\0';
}

void
api_error(struct api_req *r, unsigned status, const char *code,
    const char *target, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_error_set(r, status, api_error_body(r, code, target, msg));
}

/* Every message names its field by full path: "deviceLinks[1].asn: ...". */
static void
api_error_qualify(const struct model_err *e, char *out, size_t len)
{
	if (e->target[0] == '\0' || strstr(e->message, e->target) != NULL)
		snprintf(out, len, "%s", e->message);
	else
		snprintf(out, len, "%s: %s", e->target, e->message);
}

void
api_error_errs(struct api_req *r, unsigned status, const char *code,
    const struct model_errs *errs)
{
	json_t *e, *details, *d;
	size_t i, n = errs->count < MODEL_ERRS_MAX ? errs->count : MODEL_ERRS_MAX;
	char msg[1024], first[600];

	if (n == 0) {
		api_error(r, 400, "BadRequest", NULL, "invalid request");
		return;
	}
	api_error_qualify(&errs->err[0], first, sizeof(first));
	if (errs->count == 1)
		snprintf(msg, sizeof(msg), "%s", first);
	else
		snprintf(msg, sizeof(msg), "%s (and %zu more problem%s, see details)",
		    first, errs->count - 1, errs->count == 2 ? "" : "s");
	e = api_error_body(r, code, errs->err[0].target, msg);
	details = json_array();
	for (i = 0; i < n; i++) {
		api_error_qualify(&errs->err[i], first, sizeof(first));
		d = json_pack("{s:s, s:s, s:s}", "code", code,
		    "message", first,
		    "target", errs->err[i].target);
		json_array_append_new(details, d);
	}
	json_object_set_new(e, "details", details);
	api_error_set(r, status, e);
}

void
api_error_store(struct api_req *r)
{
	log_err("api: store error serving %s %s", r->method, r->url);
	/* The database is away: say so, and that a retry may work. */
	if (store_unavailable(r->api->store)) {
		api_error(r, 503, "ServiceUnavailable", NULL,
		    "the configuration database cannot be reached; try again "
		    "later");
		return;
	}
	api_error(r, 500, "InternalServerError", NULL,
	    "the store failed; nothing was changed");
}
