/*
 * api.h - the REST API (Graph beta networkAccess shapes) over libmicrohttpd.
 * One internal polling thread serves every request, so the store handle is
 * only ever used from that thread.
 */
#ifndef API_H
#define API_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct api;
struct gw_metrics;
struct policy_webcat;
struct store;
struct store_traffic;

/* --public-url: "http[s]://HOST[:PORT][/PATH]", at most this long. */
#define API_OPERATOR_HASH_LEN	32	/* SHA-256, TOKEN_HASH_LEN */
#define API_PUBLIC_URL_MAX	256

struct api_config {
	const char	*listen;	/* "HOST:PORT"; port 0 picks one */
	/*
	 * The base URL clients reach the API at, for @odata.context and
	 * @odata.nextLink. NULL: http://<listen> (with the port bound).
	 */
	const char	*public_url;
	const char	*datadir;	/* m365-endpoints-worldwide.json lives here */
	/* --branch-transit: a tenant's transit until it sets its own. */
	bool		 branch_transit_default;
	/* The built console (index.html, assets/); NULL or absent: none. */
	const char	*webdir;
	/*
	 * The web category database (policy_webcat.h): served at
	 * /networkAccess/connectivity/webCategories, and the names a
	 * webCategoryFilteringRule may use. NULL: none (an empty list, and
	 * any well-formed name). Must outlive the API.
	 */
	const struct policy_webcat *webcat;
	struct model_ctx ctx;		/* gateway ASN and zone endpoints */
	/*
	 * Place each link written on the gateway nodes (store_link_place,
	 * docs/nodes.md) and show the placed nodes' endpoints in
	 * connectivityConfiguration; false: the single node, ctx's endpoints.
	 */
	bool		 placement;
	/*
	 * The operator credential (--operator-token-file): SHA-256 of the
	 * token (token_hash_text), which alone opens /operator/... (the node
	 * list, drain). operator_set false: those answer 401.
	 */
	bool		 operator_set;
	uint8_t		 operator_hash[API_OPERATOR_HASH_LEN];
	/*
	 * Called from the API thread after every successful write (POST,
	 * PATCH, DELETE answered 2xx), once committed: the gateway reloads
	 * its configuration. Must be thread-safe and must not block. NULL: none.
	 */
	void		(*on_change)(void *arg);
	void		*on_change_arg;
	/*
	 * Called from the API thread for GET .../deviceLinks/{id}/status; must
	 * be thread-safe and quick. NULL: the link reads as disconnected.
	 */
	int		(*link_status)(void *arg, const char *link_id,
			    struct model_link_status *out);
	void		*link_status_arg;
	/*
	 * GET .../deviceLinks/{id}/routes (arg: link_status_arg): thread-safe,
	 * may wait briefly;
	 * *out malloc'd. NULL: no routes (no data plane).
	 */
	int		(*link_routes)(void *arg, const char *link_id,
			    struct model_link_route **out, size_t *n);
	/*
	 * --metrics: "HOST:PORT" of the Prometheus endpoint (GET /metrics,
	 * no token, its own listener and thread); NULL: none. Each scrape
	 * calls metrics for one snapshot (free() it); it must be thread-safe
	 * and quick. version goes into branchgate_build_info.
	 */
	const char	*metrics_listen;
	const char	*version;
	int		(*metrics)(void *arg, struct gw_metrics **out);
	void		*metrics_arg;
	/*
	 * The traffic log store (store_traffic.h), used from the API thread
	 * only; NULL: GET /networkAccess/logs/traffic answers 503.
	 */
	struct store_traffic *traffic;
};

/* Is url acceptable as api_config.public_url? */
bool	api_public_url_valid(const char *url);
int	api_start(struct api **out, struct store *, const struct api_config *);
/* The port actually bound (useful with port 0). */
uint16_t api_port(const struct api *);
/* The metrics port actually bound; 0 without metrics_listen. */
uint16_t api_metrics_port(const struct api *);
void	api_stop(struct api *);

#endif
