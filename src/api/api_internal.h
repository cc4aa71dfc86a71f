/*
 * api_internal.h - what the api_*.c files share: the request being served,
 * response helpers and the resource handlers the route table points at.
 * Not for use outside src/api/.
 */
#ifndef API_INTERNAL_H
#define API_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api.h"
#include "guid.h"
#include "model.h"
#include "store.h"

#define API_BODY_MAX	(256 * 1024)	/* checked before parsing */
#define API_SEGS_MAX	10
/*
 * The request line's URI (query included) and the header block, checked
 * before authentication. Both sit well inside libmicrohttpd's memory per
 * connection (API_CONN_MEMORY), so a client normally gets our JSON 414 or
 * 431: only a request head past that gets the library's own HTML answer,
 * which it has no hook to replace.
 */
#define API_URI_MAX	8192
#define API_HEADERS_MAX	16384
#define API_CONN_MEMORY	(64 * 1024)
/* Graph echoes client-request-id; longer or unprintable ones are not. */
#define API_CLIENT_RID_MAX	64

struct MHD_Connection;
struct api_metrics;
struct model_fwdcat;
struct api_static;
struct sockaddr_in;

struct api {
	struct MHD_Daemon	*mhd;
	struct store		*store;
	struct model_ctx	 ctx;
	bool			 placement;
	/* --operator-token-file: SHA-256 of the operator token */
	bool			 operator_set;
	uint8_t			 operator_hash[API_OPERATOR_HASH_LEN];
	struct model_fwdcat	*fwdcat;	/* built-in forwarding rules */
	bool			 branch_transit_default;	/* --branch-transit */
	uint16_t		 port;
	/* --public-url, no trailing '/': @odata.context, @odata.nextLink */
	char			 base_url[API_PUBLIC_URL_MAX + 1];
	void			(*on_change)(void *arg);
	void			*on_change_arg;
	int			(*link_status)(void *, const char *,
				    struct model_link_status *);
	void			*link_status_arg;
	int			(*link_routes)(void *, const char *,
				    struct model_link_route **, size_t *);
	struct api_metrics	*metrics;	/* NULL: no --metrics */
	struct api_static	*web;		/* NULL: no console */
	const struct policy_webcat *webcat;	/* NULL: no category list */
	struct store_traffic	*traffic;	/* NULL: no traffic logs (503) */
};

struct api_req {
	struct api		*api;
	struct MHD_Connection	*conn;
	bool			 started;	/* headers seen, checks done */
	size_t			 uri_len;	/* raw request-line URI */
	char			 request_id[GUID_STRLEN + 1];	/* ours */
	char			 client_request_id[API_CLIENT_RID_MAX + 1];
	const char		*method;
	const char		*url;
	char			*path;		/* owned copy, split into seg[] */
	const char		*seg[API_SEGS_MAX];
	size_t			 nseg;
	char			*body;		/* raw upload, NUL-terminated */
	size_t			 body_len;
	bool			 body_too_large;
	json_t			*json;		/* parsed body, if any */
	bool			 count;		/* $count=true */
	json_t			*assoc;		/* profile id -> associations */
	struct store_tenant	 tenant;
	/* response */
	unsigned		 status;
	json_t			*resp;		/* JSON answer, or */
	char			*text;		/* a text answer (wiped on free) */
	const char		*mime;
	char			 location[256];
	char			 allow[64];
};

typedef void api_handler(struct api_req *);

/* api_error.c: Graph-shaped errors. */
void	api_error(struct api_req *, unsigned status, const char *code,
	    const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* 400 BadRequest for validation, 409 Conflict for clashes with stored state. */
void	api_error_errs(struct api_req *, unsigned status, const char *code,
	    const struct model_errs *);
void	api_error_store(struct api_req *);

/*
 * api_query.c: the query string, allow-listed per resource. OData options
 * are named with their '$' ("$top"); the same option without it ("top",
 * as Graph beta takes) is the same option, and giving both is a 400.
 * api_query_check also validates $count and sets r->count.
 */
int	api_query_check(struct api_req *, const char *const *allowed);
const char *api_query_get(struct api_req *, const char *key);
/*
 * api_error with the message and target made printable ASCII, for errors
 * that quote the query: libmicrohttpd has percent-decoded it into any
 * bytes, and a JSON string must be valid UTF-8 (a cut "%.64s" can also
 * split a sequence), so api_error alone would send no body.
 */
void	api_query_error(struct api_req *, unsigned status, const char *code,
	    const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* $top: def when absent, else an integer from 1 to max (400 otherwise). */
int	api_query_top(struct api_req *, size_t def, size_t max, size_t *top);
/* $expand / $select style comma lists: is word in the list? */
bool	api_query_has(struct api_req *, const char *key, const char *word);
/*
 * $expand: each item one of names (case-insensitive); an item's nested
 * options in parentheses must be one of nested ("expand=policy", compared
 * without '$' and spaces; NULL: none allowed). 400 otherwise.
 */
int	api_expand_check(struct api_req *, const char *const *names,
	    const char *const *nested, const char *what);

/*
 * api_odata.c: $select and the OData envelope. api_select_check refuses a
 * $select naming anything but fields (400 naming it and the type);
 * api_select_apply keeps the selected members, "id", the expanded ones and
 * the annotations ("@odata.type").
 */
int	api_select_check(struct api_req *, const char *const *fields,
	    const char *type);
void	api_select_apply(struct api_req *, json_t *o);
/*
 * r->resp = {"@odata.context": BASE/$metadata#<path>, "@odata.count" (with
 * $count=true: *total, or the size of value when total is NULL), "value"},
 * status 200. Takes value.
 */
void	api_reply_collection(struct api_req *, json_t *value,
	    const size_t *total, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* r->resp = o with "@odata.context": BASE/$metadata#<path>/$entity first. */
void	api_reply_entity(struct api_req *, unsigned status, json_t *o,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The start of an @odata.nextLink: absolute, as Graph's are, on the
 * configured public URL (never the request's Host header, which the
 * client chose), "?$top=top" and the options that shape the listing
 * under their '$' names, percent-encoded. Returns its length; the caller
 * checks the room left and appends "&$skiptoken=...".
 */
size_t	api_next_link_start(struct api_req *, char *url, size_t size,
	    const char *path, size_t top);
/* The body as a JSON object; sends the 400 itself and returns NULL. */
json_t	*api_body_object(struct api_req *);
bool	api_prefer_representation(struct api_req *);

/* api_rn.c */
api_handler	api_rn_list, api_rn_create, api_rn_get, api_rn_update,
		api_rn_delete;
/* api_node.c: the operator's node list (api_http.c checks the operator token) */
api_handler	api_node_list, api_node_get, api_node_drain, api_node_activate,
		api_node_delete;
/* api_link.c */
api_handler	api_link_list, api_link_create, api_link_get, api_link_update,
		api_link_delete, api_link_status,
		api_link_routes;
/* Loads path ids; on failure the 404/500 is already set. */
int	api_rn_load(struct api_req *, const char *id, struct model_rn *out);
/* The remote network and its device links (free with model_links_free). */
int	api_rn_links(struct api_req *, const char *id, struct model_rn *rn,
	    struct model_link **links, size_t *n);
int	api_link_check_ip(struct api_req *, const struct model_link *,
	    const char *prefix, struct model_errs *clash);
int	api_link_load(struct api_req *, const char *rn_id, const char *id,
	    struct model_link *out);
json_t	*api_links_json(const struct model_link *, size_t);
/* Sets r->location to the path of an object. */
void	api_set_location(struct api_req *, const char *rn_id,
	    const char *link_id);
/* api_http.c: "HOST:PORT" (IPv4, "localhost"; no host: any) to bind. */
int	api_parse_listen(const char *listen, struct sockaddr_in *);
/*
 * api_metrics.c: GET /metrics on cfg->metrics_listen, its own libmicrohttpd
 * daemon (nothing of the API's: no token, no store). Nothing to do without
 * metrics_listen.
 */
int	api_metrics_start(struct api *, const struct api_config *);
void	api_metrics_stop(struct api *);
/* api_config.c */
api_handler	api_connectivity_get, api_cpe_get;
/* api_logs.c */
api_handler	api_logs_rn_list;
/* api_traffic.c: traffic logs and their summaries (reports/NAME(...)). */
api_handler	api_traffic_list, api_traffic_get, api_traffic_report;
/*
 * The parsers of those, apart for the fuzz target: $filter, $orderby and
 * $skiptoken (each NULL: not given) into a query (free() it), or NULL with
 * the 400 set; a report segment "NAME(k=v,...)" into fn (0, or -1 and the
 * 400 set).
 */
struct api_traffic_query;
struct api_traffic_query *api_traffic_query_parse(struct api_req *,
	    const char *filter, const char *orderby, const char *skiptoken);
struct api_traffic_fn {
	char		name[40];
	int64_t		since_ms, until_ms;
	bool		since_set, until_set;
	char		aggregated_by[32];
};
int	api_traffic_fn_parse(struct api_req *, const char *seg, bool want_agg,
	    struct api_traffic_fn *);
/* api_profile.c */
api_handler	api_profile_list, api_profile_get, api_profile_policies,
		api_rn_profiles_get, api_rn_profiles_update;
int	api_profiles_load(struct api *, const char *datadir);
void	api_profiles_free(struct api *);
/*
 * A traffic type's forwardingPolicyLinks with r's tenant's rows applied
 * (store_fwd_list, model_fwdcat_links): a new reference, an empty array
 * for Private Access; NULL on a store error or no memory.
 */
json_t	*api_profile_links(struct api_req *, int traffic);
/* api_settings.c: /networkAccess/settings/forwardingOptions */
api_handler	api_settings_fwd_get, api_settings_fwd_update;
/* One of the tenant's profiles, Private Access included (store codes). */
int	api_profile_find(struct api_req *, const char *id,
	    struct model_profile *out);
/* With its associations (the remote networks using it); NULL on error. */
json_t	*api_profile_json(struct api_req *, const struct model_profile *,
	    bool expand_policies);
/* api_fpolicy.c: .../filteringPolicies and .../cloudFirewallPolicies */
api_handler	api_fpolicy_list, api_fpolicy_create, api_fpolicy_get,
		api_fpolicy_update, api_fpolicy_delete, api_frule_list,
		api_frule_create, api_frule_get, api_frule_update,
		api_frule_delete;
/* api_fprofile.c: /networkAccess/filteringProfiles[/{id}/policies] */
api_handler	api_fprofile_list, api_fprofile_create, api_fprofile_get,
		api_fprofile_update, api_fprofile_delete, api_flink_list,
		api_flink_create, api_flink_get, api_flink_update,
		api_flink_delete;
/*
 * api_fwd.c: /networkAccess/forwardingPolicies[/{id}/policyRules[/{id}]]
 * and /networkAccess/forwardingProfiles/{id}/policies/{linkId}
 */
api_handler	api_fwd_policy_list, api_fwd_policy_get, api_fwd_rule_list,
		api_fwd_rule_create, api_fwd_rule_get, api_fwd_rule_update,
		api_fwd_rule_delete, api_fwd_link_get, api_fwd_link_update;
/*
 * Their body parsers, apart for the fuzz target (0, or -1 with every
 * problem in errs): a Custom Bypass rule from a POST body (cur NULL) or a
 * PATCH merged into cur; the PATCH of a built-in Microsoft 365 rule cur
 * (as rendered), which may change its action only.
 */
int	api_fwd_custom_parse(const json_t *, const struct model_fwd_rule *cur,
	    struct model_fwd_rule *out, struct model_errs *);
int	api_fwd_builtin_parse(const json_t *, const json_t *cur,
	    struct model_fwd_rule *out, struct model_errs *);
/* api_webcat.c: /networkAccess/connectivity/webCategories */
api_handler	api_webcat_list;
/* A store write's failure as the answer: 409, 404 (what), or 5xx. */
void	api_store_write_error(struct api_req *, int rc, const char *what,
	    const char *id);

/*
 * A profile a remote network may not use (Private Access: client only):
 * adds the error at target and returns true.
 */
bool	api_profile_refuse_rn(const struct model_profile *, const char *target,
	    struct model_errs *);

#endif
