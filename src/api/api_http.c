/*
 * api_http.c - HTTP glue: libmicrohttpd callbacks, the route table, and the
 * order of checks every request goes through:
 *
 *   URI length (414) -> header block (431) -> size cap (Content-Length,
 *   then bytes read) -> bearer token -> route (404) -> method (405) ->
 *   media type (415) -> JSON (400) -> handler.
 *
 * The caps and the token come before the body is read or parsed, so an
 * unauthenticated client can neither make us buffer much nor parse anything.
 * Every answer carries Graph's request-id (ours, fresh per request) and
 * client-request-id (the client's, echoed when it is safe to, else ours),
 * and every error has Graph's JSON shape (api_error.c).
 * Fixed path segments match case-insensitively, as Graph's do; the deprecated
 * "branches" segment is an alias of "remoteNetworks". OData's key syntax,
 * "remoteNetworks('ID')", is split into two segments, the same as
 * "remoteNetworks/ID".
 */
#include "api.h"
#include "api_internal.h"
#include "api_static.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "guid.h"
#include "log.h"
#include "token.h"

struct api_route {
	const char	*method;
	const char	*pattern;	/* '/'-separated; "{}" = an id */
	api_handler	*handler;
};

#define RN	"networkAccess/connectivity/remoteNetworks"

static const struct api_route api_routes[] = {
	{ "GET",    RN,						api_rn_list },
	{ "POST",   RN,						api_rn_create },
	{ "GET",    RN "/{}",					api_rn_get },
	{ "PATCH",  RN "/{}",					api_rn_update },
	{ "DELETE", RN "/{}",					api_rn_delete },
	{ "GET",    RN "/{}/deviceLinks",			api_link_list },
	{ "POST",   RN "/{}/deviceLinks",			api_link_create },
	{ "GET",    RN "/{}/deviceLinks/{}",			api_link_get },
	{ "PATCH",  RN "/{}/deviceLinks/{}",			api_link_update },
	{ "DELETE", RN "/{}/deviceLinks/{}",			api_link_delete },
	{ "GET",    RN "/{}/deviceLinks/{}/cpeConfiguration",	api_cpe_get },
	{ "GET",    RN "/{}/deviceLinks/{}/status",		api_link_status },
	{ "GET",    RN "/{}/deviceLinks/{}/routes",		api_link_routes },
	{ "GET",    RN "/{}/connectivityConfiguration",	api_connectivity_get },
	{ "GET",    RN "/{}/forwardingProfiles",		api_rn_profiles_get },
	{ "PATCH",  RN "/{}/forwardingProfiles",		api_rn_profiles_update },
	{ "GET",    "networkAccess/forwardingProfiles",		api_profile_list },
	{ "GET",    "networkAccess/forwardingProfiles/{}",	api_profile_get },
	{ "GET",    "networkAccess/forwardingProfiles/{}/policies",
							api_profile_policies },
	{ "GET",    "networkAccess/forwardingProfiles/{}/policies/{}",
							api_fwd_link_get },
	{ "PATCH",  "networkAccess/forwardingProfiles/{}/policies/{}",
							api_fwd_link_update },
#define FWDPOL	"networkAccess/forwardingPolicies"
	{ "GET",    FWDPOL,				api_fwd_policy_list },
	{ "GET",    FWDPOL "/{}",			api_fwd_policy_get },
	{ "GET",    FWDPOL "/{}/policyRules",		api_fwd_rule_list },
	{ "POST",   FWDPOL "/{}/policyRules",		api_fwd_rule_create },
	{ "GET",    FWDPOL "/{}/policyRules/{}",	api_fwd_rule_get },
	{ "PATCH",  FWDPOL "/{}/policyRules/{}",	api_fwd_rule_update },
	{ "DELETE", FWDPOL "/{}/policyRules/{}",	api_fwd_rule_delete },
	{ "GET",    "networkAccess/settings/forwardingOptions",
							api_settings_fwd_get },
	{ "PATCH",  "networkAccess/settings/forwardingOptions",
							api_settings_fwd_update },
	{ "GET",    "networkAccess/logs/remoteNetworks",	api_logs_rn_list },
#define FPOL	"networkAccess/filteringPolicies"
#define FWPOL	"networkAccess/cloudFirewallPolicies"
#define FPROF	"networkAccess/filteringProfiles"
	{ "GET",    FPOL,				api_fpolicy_list },
	{ "POST",   FPOL,				api_fpolicy_create },
	{ "GET",    FPOL "/{}",				api_fpolicy_get },
	{ "PATCH",  FPOL "/{}",				api_fpolicy_update },
	{ "DELETE", FPOL "/{}",				api_fpolicy_delete },
	{ "GET",    FPOL "/{}/policyRules",		api_frule_list },
	{ "POST",   FPOL "/{}/policyRules",		api_frule_create },
	{ "GET",    FPOL "/{}/policyRules/{}",		api_frule_get },
	{ "PATCH",  FPOL "/{}/policyRules/{}",		api_frule_update },
	{ "DELETE", FPOL "/{}/policyRules/{}",		api_frule_delete },
	{ "GET",    FWPOL,				api_fpolicy_list },
	{ "POST",   FWPOL,				api_fpolicy_create },
	{ "GET",    FWPOL "/{}",			api_fpolicy_get },
	{ "PATCH",  FWPOL "/{}",			api_fpolicy_update },
	{ "DELETE", FWPOL "/{}",			api_fpolicy_delete },
	{ "GET",    FWPOL "/{}/policyRules",		api_frule_list },
	{ "POST",   FWPOL "/{}/policyRules",		api_frule_create },
	{ "GET",    FWPOL "/{}/policyRules/{}",		api_frule_get },
	{ "PATCH",  FWPOL "/{}/policyRules/{}",		api_frule_update },
	{ "DELETE", FWPOL "/{}/policyRules/{}",		api_frule_delete },
	{ "GET",    FPROF,				api_fprofile_list },
	{ "POST",   FPROF,				api_fprofile_create },
	{ "GET",    FPROF "/{}",			api_fprofile_get },
	{ "PATCH",  FPROF "/{}",			api_fprofile_update },
	{ "DELETE", FPROF "/{}",			api_fprofile_delete },
	{ "GET",    FPROF "/{}/policies",		api_flink_list },
	{ "POST",   FPROF "/{}/policies",		api_flink_create },
	{ "GET",    FPROF "/{}/policies/{}",		api_flink_get },
	{ "PATCH",  FPROF "/{}/policies/{}",		api_flink_update },
	{ "DELETE", FPROF "/{}/policies/{}",		api_flink_delete },
	{ "GET",    "networkAccess/connectivity/webCategories",
							api_webcat_list },
	{ "GET",    "networkAccess/logs/traffic",		api_traffic_list },
	{ "GET",    "networkAccess/logs/traffic/{}",		api_traffic_get },
	{ "GET",    "networkAccess/reports/{}",			api_traffic_report },
	/* The operator's (api_authenticate): not a tenant's, not Graph. */
#define OPN	"operator/nodes"
	{ "GET",    OPN,				api_node_list },
	{ "GET",    OPN "/{}",				api_node_get },
	{ "DELETE", OPN "/{}",				api_node_delete },
	{ "POST",   OPN "/{}/drain",			api_node_drain },
	{ "POST",   OPN "/{}/activate",			api_node_activate },
};

static bool
api_seg_match(const char *pat, size_t plen, const char *seg)
{
	if (plen == 2 && strncmp(pat, "{}", 2) == 0)
		return seg[0] != '\0';
	if (strlen(seg) == plen && strncasecmp(pat, seg, plen) == 0)
		return true;
	/* Graph's deprecated twin of remoteNetworks (system-facts §3.1). */
	return plen == 14 && strncmp(pat, "remoteNetworks", 14) == 0 &&
	    strcasecmp(seg, "branches") == 0;
}

static bool
api_path_match(const char *pattern, struct api_req *r)
{
	const char *p = pattern, *slash;
	size_t i = 0, len;

	while (*p != '\0') {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (i >= r->nseg || !api_seg_match(p, len, r->seg[i]))
			return false;
		i++;
		p += len + (slash ? 1 : 0);
	}
	return i == r->nseg;
}

/*
 * NAME('KEY') -> NAME, KEY (OData 4.0 part 2 §4.3.1, key as parentheses).
 * Only a quoted key without quotes or parentheses in it: anything else
 * stays one segment, which no route matches (404).
 */
static int
api_split_key(struct api_req *r, char *tok)
{
	char *open = strstr(tok, "('");
	size_t n = strlen(tok);

	if (open == NULL || open == tok || n < 4 || tok[n - 2] != '\'' ||
	    tok[n - 1] != ')' || open + 1 >= tok + n - 2 ||
	    strcspn(open + 2, "'()") != (size_t)(tok + n - 2 - (open + 2)))
		return 0;
	if (r->nseg + 2 > API_SEGS_MAX)
		return -1;
	*open = '\0';
	tok[n - 2] = '\0';
	r->seg[r->nseg++] = tok;
	r->seg[r->nseg++] = open + 2;
	return 1;
}

/* Split the URL path into segments; ids are checked by the handlers. */
static int
api_split_path(struct api_req *r)
{
	char *p, *save = NULL, *tok;
	int rc;

	if ((r->path = strdup(r->url)) == NULL)
		return -1;
	p = r->path;
	for (tok = strtok_r(p, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if ((rc = api_split_key(r, tok)) == -1)
			return -1;
		if (rc == 1)
			continue;
		if (r->nseg == API_SEGS_MAX)
			return -1;
		r->seg[r->nseg++] = tok;
	}
	/* Tolerate Graph's version prefix: /beta/networkAccess/... */
	if (r->nseg > 0 && (strcasecmp(r->seg[0], "beta") == 0 ||
	    strcasecmp(r->seg[0], "v1.0") == 0)) {
		memmove(&r->seg[0], &r->seg[1], (r->nseg - 1) * sizeof(r->seg[0]));
		r->nseg--;
	}
	return 0;
}

/* Is this one of the operator's paths (/operator/...)? */
static bool
api_is_operator(const struct api_req *r)
{
	return r->nseg > 0 && strcasecmp(r->seg[0], "operator") == 0;
}

/*
 * The operator token: its SHA-256 against the configured one's in
 * constant time, so neither the comparison's timing nor its length says
 * how much of it matched. A tenant token is just a wrong one here, and
 * the operator token is not a tenant's (token_parse or the lookup fails).
 */
static int
api_authenticate_operator(struct api_req *r, const char *h)
{
	uint8_t presented[TOKEN_HASH_LEN];
	int ok;

	if (!r->api->operator_set) {
		api_error(r, 401, "Unauthorized", NULL, "this daemon has no "
		    "operator token (start it with --operator-token-file)");
		return -1;
	}
	ok = token_hash_text(h, strlen(h), presented) == 0 &&
	    token_hash_equal(presented, r->api->operator_hash);
	explicit_bzero(presented, sizeof(presented));
	if (!ok) {
		api_error(r, 401, "Unauthorized", NULL,
		    "invalid operator token");
		return -1;
	}
	return 0;
}

static int
api_authenticate(struct api_req *r)
{
	const char *h;
	char id[TOKEN_ID_LEN + 1];
	uint8_t presented[TOKEN_HASH_LEN], stored[TOKEN_HASH_LEN];
	int rc;

	h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		api_error(r, 401, "Unauthorized", NULL,
		    "missing 'Authorization: Bearer <token>' header%s",
		    api_is_operator(r) ? " (the operator token)" :
		    " (create a tenant with 'branchgate tenant create NAME')");
		return -1;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (api_is_operator(r))
		return api_authenticate_operator(r, h);
	if (token_parse(h, id, presented) == -1)
		goto bad;
	rc = store_tenant_by_token(r->api->store, id, &r->tenant, stored);
	if (rc == -1) {
		api_error_store(r);
		return -1;
	}
	if (rc == STORE_NOTFOUND || !token_hash_equal(presented, stored))
		goto bad;
	explicit_bzero(presented, sizeof(presented));
	explicit_bzero(stored, sizeof(stored));
	return 0;
bad:
	explicit_bzero(presented, sizeof(presented));
	explicit_bzero(stored, sizeof(stored));
	api_error(r, 401, "Unauthorized", NULL, "invalid bearer token");
	return -1;
}

static bool
api_is_json(struct api_req *r)
{
	const char *ct;
	size_t n = strlen("application/json");

	ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * Graph answers with the client's client-request-id so that it can match
 * requests to answers; one we cannot echo safely (empty, too long, or with
 * bytes a header must not carry) is replaced by our request-id.
 */
static void
api_client_request_id(struct api_req *r)
{
	const char *h;
	size_t i, n;

	h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "client-request-id");
	n = h != NULL ? strlen(h) : 0;
	for (i = 0; i < n; i++)
		if (h[i] < 0x20 || h[i] > 0x7e)
			break;
	if (n > 0 && n <= API_CLIENT_RID_MAX && i == n)
		memcpy(r->client_request_id, h, n + 1);
	else
		memcpy(r->client_request_id, r->request_id,
		    sizeof(r->request_id));
}

static enum MHD_Result
api_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *n = cls;

	(void)kind;
	/* As on the wire: "key: value\r\n". */
	*n += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static struct api_req *
api_req_new(void)
{
	struct api_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (guid_new(r->request_id) == -1) {
		/* Still answer; the id only correlates logs. */
		log_warn("api: no random request-id");
		snprintf(r->request_id, sizeof(r->request_id),
		    "00000000-0000-0000-0000-000000000000");
	}
	return r;
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: called once the request line is in, before
 * any header, with the raw URI; the access handler only gets the decoded
 * path, without the query. The result becomes the request's *con_cls.
 */
static void *
api_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct api_req *r;

	(void)cls;
	(void)conn;
	if ((r = api_req_new()) != NULL)
		r->uri_len = strlen(uri);
	return r;
}

static void
api_dispatch(struct api_req *r)
{
	const struct api_route *rt, *found = NULL;
	size_t i, alen = 0;
	bool path_ok = false;

	if (r->body_too_large) {
		api_error(r, 413, "RequestEntityTooLarge", NULL,
		    "request body exceeds %d bytes", API_BODY_MAX);
		return;
	}
	for (i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		rt = &api_routes[i];
		if (!api_path_match(rt->pattern, r))
			continue;
		if (path_ok && alen < sizeof(r->allow) - 8)
			alen += (size_t)snprintf(r->allow + alen,
			    sizeof(r->allow) - alen, ", ");
		path_ok = true;
		if (alen < sizeof(r->allow) - 8)
			alen += (size_t)snprintf(r->allow + alen,
			    sizeof(r->allow) - alen, "%s", rt->method);
		if (strcmp(rt->method, r->method) == 0)
			found = rt;
	}
	if (!path_ok) {
		r->allow[0] = '\0';
		api_error(r, 404, "NotFound", NULL,
		    "no resource at '%.200s'", r->url);
		return;
	}
	if (found == NULL) {
		api_error(r, 405, "MethodNotAllowed", NULL,
		    "%s is not allowed on '%.200s' (allowed: %s)", r->method,
		    r->url, r->allow);
		return;
	}
	r->allow[0] = '\0';
	if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0) {
		/* The operator's actions take no body: none is fine. */
		if (!(api_is_operator(r) && r->body_len == 0) &&
		    !api_is_json(r)) {
			api_error(r, 415, "UnsupportedMediaType", NULL,
			    "request body must be JSON "
			    "(Content-Type: application/json)");
			return;
		}
	}
	found->handler(r);
}

static enum MHD_Result
api_send(struct api_req *r)
{
	struct MHD_Response *resp;
	char *out = NULL;
	size_t len = 0;
	enum MHD_Result ret;
	const char *mime = "application/json";

	if (r->resp != NULL) {
		out = json_dumps(r->resp, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (out == NULL)
			return MHD_NO;
		len = strlen(out);
	} else if (r->text != NULL) {
		len = strlen(r->text);
		out = r->text;
		r->text = NULL;
		mime = r->mime;
	}
	resp = MHD_create_response_from_buffer(len, out ? out : (char *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (out != NULL) {
		explicit_bzero(out, len);	/* may hold a CPE secret */
		free(out);
	}
	if (resp == NULL)
		return MHD_NO;
	if (len > 0 || r->status != 204)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime);
	MHD_add_response_header(resp, "request-id", r->request_id);
	MHD_add_response_header(resp, "client-request-id",
	    r->client_request_id);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	api_static_security_headers(resp);
	if (r->location[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    r->location);
	if (r->allow[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	ret = MHD_queue_response(r->conn, r->status ? r->status : 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
api_req_free(struct api_req *r)
{
	if (r == NULL)
		return;
	if (r->body != NULL) {
		explicit_bzero(r->body, r->body_len);	/* may hold PSKs */
		free(r->body);
	}
	if (r->text != NULL) {
		explicit_bzero(r->text, strlen(r->text));
		free(r->text);
	}
	json_decref(r->json);
	json_decref(r->resp);
	json_decref(r->assoc);
	free(r->path);
	free(r);
}

static void
api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	api_req_free(*con_cls);
	*con_cls = NULL;
}

static enum MHD_Result
api_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct api *api = cls;
	struct api_req *r = *con_cls;
	const char *cl;
	char *end;
	unsigned long long declared;
	size_t hbytes = 0;
	char *nb;
	int sret;

	(void)version;
	if (r == NULL) {
		/* api_uri_seen ran out of memory; the URI length is unknown. */
		if ((r = api_req_new()) == NULL)
			return MHD_NO;
		*con_cls = r;
	}
	if (!r->started) {
		/* First call: headers only. Caps and auth before any body. */
		r->started = true;
		r->api = api;
		r->conn = conn;
		r->method = method;
		r->url = url;
		api_client_request_id(r);
		if (r->uri_len <= API_URI_MAX &&
		    api_static_serve(api->web, conn, method, url, &sret))
			return (enum MHD_Result)sret;
		if (r->uri_len > API_URI_MAX) {
			api_error(r, 414, "RequestUriTooLong", NULL,
			    "the request URI is %zu bytes; at most %d are "
			    "accepted", r->uri_len, API_URI_MAX);
			return api_send(r);
		}
		MHD_get_connection_values(conn, MHD_HEADER_KIND,
		    api_header_bytes, &hbytes);
		if (hbytes > API_HEADERS_MAX) {
			api_error(r, 431, "RequestHeaderFieldsTooLarge", NULL,
			    "the request headers are %zu bytes; at most %d "
			    "are accepted", hbytes, API_HEADERS_MAX);
			return api_send(r);
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			errno = 0;
			declared = strtoull(cl, &end, 10);
			if (errno != 0 || *end != '\0' || declared > API_BODY_MAX) {
				api_error(r, 413, "RequestEntityTooLarge", NULL,
				    "request body exceeds %d bytes", API_BODY_MAX);
				return api_send(r);
			}
		}
		if (api_split_path(r) == -1) {
			api_error(r, 404, "NotFound", NULL, "path too long");
			return api_send(r);
		}
		if (api_authenticate(r) == -1)
			return api_send(r);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!r->body_too_large &&
		    r->body_len + *upload_size <= API_BODY_MAX) {
			nb = realloc(r->body, r->body_len + *upload_size + 1);
			if (nb == NULL)
				return MHD_NO;
			r->body = nb;
			memcpy(r->body + r->body_len, upload_data, *upload_size);
			r->body_len += *upload_size;
			r->body[r->body_len] = '\0';
		} else {
			/* Chunked upload past the cap: drain, answer 413. */
			r->body_too_large = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	api_dispatch(r);
	/* Handlers commit before answering 2xx: the gateway may reload now. */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    r->status >= 200 && r->status < 300 && api->on_change != NULL)
		api->on_change(api->on_change_arg);
	if (r->status >= 500)
		log_warn("api: %s %s -> %u (request-id %s)", method, url,
		    r->status, r->request_id);
	else
		log_debug("api: %s %s -> %u", method, url, r->status);
	return api_send(r);
}

int
api_parse_listen(const char *listen, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;

	colon = strrchr(listen, ':');
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sin->sin_addr) != 1)
		return -1;
	return 0;
}

/*
 * "http://" or "https://", a host (name, IPv4, or [IPv6]) with an optional
 * port, an optional path; no query, fragment, user info, space or quote,
 * nothing a JSON string or a URL would have to escape.
 */
bool
api_public_url_valid(const char *url)
{
	const char *h, *p, *a;
	size_t n = url != NULL ? strlen(url) : 0;

	if (n == 0 || n > API_PUBLIC_URL_MAX)
		return false;
	if (strncasecmp(url, "http://", 7) == 0)
		h = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		h = url + 8;
	else
		return false;
	if (*h == '\0' || *h == '/' || *h == ':')
		return false;
	for (p = h; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) &&
		    strchr("-._~:/[]%!$&'()*+,;=", *p) == NULL)
			return false;
	/* No user info ('@' is refused above); a port is 1 to 5 digits. */
	a = h + strcspn(h, "/");
	for (p = a; p > h && p[-1] != ':' && p[-1] != ']'; p--)
		;
	if (p == h || p[-1] == ']')
		return true;
	if (p == a || a - p > 5)
		return false;
	for (; p < a; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* --public-url without its trailing '/'s, or http://<listen>. */
static void
api_base_url(struct api *api, const struct api_config *cfg)
{
	char host[128], *colon;
	size_t n;

	if (cfg->public_url != NULL && cfg->public_url[0] != '\0') {
		snprintf(api->base_url, sizeof(api->base_url), "%s",
		    cfg->public_url);
		n = strlen(api->base_url);
		while (n > 0 && api->base_url[n - 1] == '/')
			api->base_url[--n] = '\0';
		return;
	}
	snprintf(host, sizeof(host), "%s", cfg->listen);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	/* A wildcard address is no address to reach: as the start-up log. */
	if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	snprintf(api->base_url, sizeof(api->base_url), "http://%s:%u", host,
	    api->port);
}

int
api_start(struct api **out, struct store *st, const struct api_config *cfg)
{
	struct api *api;
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;

	if (api_parse_listen(cfg->listen, &sin) == -1) {
		log_err("api: bad listen address '%s' (want HOST:PORT)",
		    cfg->listen);
		return -1;
	}
	if (cfg->public_url != NULL && !api_public_url_valid(cfg->public_url)) {
		log_err("api: bad public URL '%.300s' (want http[s]://HOST"
		    "[:PORT][/PATH])", cfg->public_url);
		return -1;
	}
	if ((api = calloc(1, sizeof(*api))) == NULL)
		return -1;
	api->store = st;
	api->ctx = cfg->ctx;
	api->placement = cfg->placement;
	api->operator_set = cfg->operator_set;
	memcpy(api->operator_hash, cfg->operator_hash,
	    sizeof(api->operator_hash));
	api->branch_transit_default = cfg->branch_transit_default;
	api->on_change = cfg->on_change;
	api->on_change_arg = cfg->on_change_arg;
	api->link_status = cfg->link_status;
	api->link_status_arg = cfg->link_status_arg;
	api->link_routes = cfg->link_routes;
	api->webcat = cfg->webcat;
	api->traffic = cfg->traffic;
	if (api_profiles_load(api, cfg->datadir) == -1)
		goto fail;
	if (api_static_load(&api->web, cfg->webdir) == -1)
		goto fail;
	api->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    api_access, api,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_URI_LOG_CALLBACK, api_uri_seen, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)128,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_CONN_MEMORY,
	    MHD_OPTION_END);
	if (api->mhd == NULL) {
		log_err("api: cannot listen on %s: %s", cfg->listen,
		    strerror(errno));
		goto fail;
	}
	info = MHD_get_daemon_info(api->mhd, MHD_DAEMON_INFO_BIND_PORT);
	api->port = info ? info->port : ntohs(sin.sin_port);
	api_base_url(api, cfg);
	log_info("api: public URL %s", api->base_url);
	if (api_metrics_start(api, cfg) == -1)
		goto fail;
	*out = api;
	return 0;
fail:
	if (api->mhd != NULL)
		MHD_stop_daemon(api->mhd);
	api_static_free(api->web);
	api_profiles_free(api);
	free(api);
	return -1;
}

uint16_t
api_port(const struct api *api)
{
	return api->port;
}

void
api_stop(struct api *api)
{
	if (api == NULL)
		return;
	api_metrics_stop(api);
	MHD_stop_daemon(api->mhd);
	api_static_free(api->web);
	api_profiles_free(api);
	explicit_bzero(api->operator_hash, sizeof(api->operator_hash));
	free(api);
}
