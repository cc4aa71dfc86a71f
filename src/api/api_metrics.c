/*
 * api_metrics.c - GET /metrics in the Prometheus text exposition format,
 * version 0.0.4 ("# HELP", "# TYPE", then name{label="value"} value), on
 * its own listener (--metrics HOST:PORT) and libmicrohttpd thread, apart
 * from the REST API: a scraper on the management network needs no tenant
 * token, and a slow scrape of many links never holds up an API request.
 * Nothing in it is secret: counters, states, and the ids of tenants,
 * remote networks and links.
 *
 * A scrape takes one snapshot (api_config.metrics = gw_metrics(): the
 * status endpoint's, every link copied at once) when the request arrives.
 * The format wants each family's samples together, so the page goes family
 * by family over all links; it is written in pieces as libmicrohttpd asks
 * for them, so 10,000 links (some 40 MB of text) never sit in memory whole.
 */
#include "api.h"
#include "api_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "esp_worker.h"
#include "gw.h"
#include "ike.h"
#include "log.h"

#define MX_PATH		"/metrics"
#define MX_CTYPE	"text/plain; version=0.0.4; charset=utf-8"
#define MX_BLOCK	(32 * 1024)	/* what the library asks for at once */
#define MX_UNIT_LINKS	16		/* links written per refill */
#define MX_VERSION_MAX	64

struct api_metrics {
	struct MHD_Daemon	*mhd;
	uint16_t		 port;
	char			 version[MX_VERSION_MAX + 1];
	int			(*snapshot)(void *, struct gw_metrics **);
	void			*arg;
};

/* Text being built; err once an allocation failed (the scrape is cut). */
struct mx_out {
	char		*buf;
	size_t		 len, cap;
	bool		 err;
};

enum mx_scope { MX_GATEWAY, MX_LINK, MX_ZONE, MX_LINK_DROPS };

enum mx_field {
	MX_F_UP, MX_F_CHILD_SAS, MX_F_BGP_UP, MX_F_RECEIVED, MX_F_LEARNED,
	MX_F_REJECTED, MX_F_ADVERTISED, MX_F_IN_PACKETS, MX_F_IN_BYTES,
	MX_F_OUT_PACKETS, MX_F_OUT_BYTES
};

struct mx_scrape;

struct mx_family {
	const char	*name;
	const char	*type;
	const char	*help;
	enum mx_scope	 scope;
	enum mx_field	 field;		/* MX_LINK, MX_ZONE */
	void		(*gateway)(struct mx_out *, const struct mx_family *,
			    const struct mx_scrape *);	/* MX_GATEWAY */
};

struct mx_scrape {
	const struct api_metrics *mx;
	struct gw_metrics	*m;
	size_t			 fam;		/* next family */
	size_t			 link;		/* next link in it */
	struct mx_out		 out;
	size_t			 off;		/* of out, handed over */
};

static void
mx_reserve(struct mx_out *o, size_t more)
{
	size_t cap;
	char *nb;

	if (o->err || o->len + more <= o->cap)
		return;
	for (cap = o->cap ? o->cap : 4096; cap < o->len + more; cap *= 2)
		;
	if ((nb = realloc(o->buf, cap)) == NULL) {
		o->err = true;
		return;
	}
	o->buf = nb;
	o->cap = cap;
}

static void
mx_put(struct mx_out *o, const char *s, size_t n)
{
	mx_reserve(o, n);
	if (o->err)
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
mx_puts(struct mx_out *o, const char *s)
{
	mx_put(o, s, strlen(s));
}

static void mx_printf(struct mx_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
mx_printf(struct mx_out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Only numbers and fixed names come here: never near the limit. */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->err = true;
		return;
	}
	mx_put(o, tmp, (size_t)n);
}

/*
 * The format's escapes: in label values backslash, double quote and line
 * feed; in HELP text backslash and line feed (quote false).
 */
static void
mx_escaped(struct mx_out *o, const char *s, bool quote)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\\')
			mx_puts(o, "\\\\");
		else if (*p == '\n')
			mx_puts(o, "\\n");
		else if (*p == '"' && quote)
			mx_puts(o, "\\\"");
		else
			mx_put(o, p, 1);
	}
}

/* key="value", after a comma unless it is the first label. */
static void
mx_label(struct mx_out *o, bool first, const char *key, const char *val)
{
	if (!first)
		mx_puts(o, ",");
	mx_puts(o, key);
	mx_puts(o, "=\"");
	mx_escaped(o, val, true);
	mx_puts(o, "\"");
}

static void
mx_value(struct mx_out *o, uint64_t v)
{
	mx_printf(o, " %llu\n", (unsigned long long)v);
}

static void
mx_link_labels(struct mx_out *o, const struct gw_link_metrics *l)
{
	mx_label(o, true, "tenant", l->tenant_id);
	mx_label(o, false, "remote_network", l->rn_id);
	mx_label(o, false, "link", l->id);
}

/* --- gateway-wide families ------------------------------------------------ */

static void
mx_one(struct mx_out *o, const struct mx_family *f, const char *key,
    const char *val, uint64_t v)
{
	mx_puts(o, f->name);
	if (key != NULL) {
		mx_puts(o, "{");
		mx_label(o, true, key, val);
		mx_puts(o, "}");
	}
	mx_value(o, v);
}

static void
mx_build_info(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, "version", sc->mx->version, 1);
}

static void
mx_dataplane(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, sc->m != NULL && sc->m->dataplane);
}

static void
mx_links(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, sc->m != NULL ? sc->m->nlinks : 0);
}

/* By esp_worker_drop_name(); no samples while the gateway cannot tell. */
static void
mx_worker_drops(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	unsigned d;

	if (sc->m == NULL || !sc->m->workers_known)
		return;
	for (d = 0; d < ESP_WD_MAX; d++)
		mx_one(o, f, "reason", esp_worker_drop_name(d),
		    sc->m->workers.drop[d]);
}

static const struct ike_stats mx_ike_zero;

static const struct ike_stats *
mx_ike(const struct mx_scrape *sc)
{
	return sc->m != NULL ? &sc->m->ike : &mx_ike_zero;
}

static void
mx_ike_established(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->sa_established);
}

static void
mx_ike_rejected(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	const struct ike_stats *s = mx_ike(sc);

	mx_one(o, f, "reason", "auth-failed", s->rx_auth_failed);
	mx_one(o, f, "reason", "no-proposal", s->rx_no_proposal);
	mx_one(o, f, "reason", "unknown-peer", s->rx_unknown_peer);
	mx_one(o, f, "reason", "malformed", s->rx_malformed);
	mx_one(o, f, "reason", "unknown-spi", s->rx_unknown_spi);
}

static void
mx_ike_cookies(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->cookies_sent);
}

static void
mx_ike_half_open(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->half_open_dropped);
}

static void
mx_ike_retransmits(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->retransmits);
}

static void
mx_ike_rx(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->rx);
}

static void
mx_ike_tx(struct mx_out *o, const struct mx_family *f,
    const struct mx_scrape *sc)
{
	mx_one(o, f, NULL, NULL, mx_ike(sc)->tx);
}

/* --- per-link families ---------------------------------------------------- */

static uint64_t
mx_link_value(const struct gw_link_metrics *l, enum mx_field f, unsigned z)
{
	switch (f) {
	case MX_F_UP:		return l->zone[z].up;
	case MX_F_CHILD_SAS:	return l->zone[z].child_sas;
	case MX_F_BGP_UP:	return l->zone[z].bgp_established;
	case MX_F_RECEIVED:	return l->zone[z].received;
	case MX_F_LEARNED:	return l->zone[z].learned;
	case MX_F_REJECTED:	return l->zone[z].rejected;
	case MX_F_ADVERTISED:	return l->zone[z].advertised;
	case MX_F_IN_PACKETS:	return l->in_packets;
	case MX_F_IN_BYTES:	return l->in_bytes;
	case MX_F_OUT_PACKETS:	return l->out_packets;
	case MX_F_OUT_BYTES:	return l->out_bytes;
	}
	return 0;
}

/* One link's samples of one family: per zone, per link, or per reason. */
static void
mx_link_samples(struct mx_out *o, const struct mx_family *f,
    const struct gw_link_metrics *l)
{
	const struct { const char *reason; uint64_t n; } drops[] = {
		{ "replay", l->replay },
		{ "authentication", l->auth_failed },
		{ "malformed", l->malformed },
		{ "spoofed-source", l->spoofed },
	};
	char zone[8];
	unsigned z, i;

	switch (f->scope) {
	case MX_ZONE:
		for (z = 0; z < l->zones && z < MODEL_ZONES_MAX; z++) {
			snprintf(zone, sizeof(zone), "%u", z + 1);
			mx_puts(o, f->name);
			mx_puts(o, "{");
			mx_link_labels(o, l);
			mx_label(o, false, "zone", zone);
			mx_puts(o, "}");
			mx_value(o, mx_link_value(l, f->field, z));
		}
		break;
	case MX_LINK:
		mx_puts(o, f->name);
		mx_puts(o, "{");
		mx_link_labels(o, l);
		mx_puts(o, "}");
		mx_value(o, mx_link_value(l, f->field, 0));
		break;
	case MX_LINK_DROPS:
		for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
			mx_puts(o, f->name);
			mx_puts(o, "{");
			mx_link_labels(o, l);
			mx_label(o, false, "reason", drops[i].reason);
			mx_puts(o, "}");
			mx_value(o, drops[i].n);
		}
		break;
	case MX_GATEWAY:
		break;
	}
}

#define GW(n, t, h, fn)		{ n, t, h, MX_GATEWAY, MX_F_UP, fn }
#define LINK(n, t, h, s, f)	{ n, t, h, s, f, NULL }

/*
 * Per link only what has one value per link and zone: no per-prefix or
 * per-SA series, and the gateway-wide counters carry no link label, so a
 * link costs a fixed number of series (docs/api.md, "Metrics").
 */
static const struct mx_family mx_families[] = {
	GW("branchgate_build_info", "gauge",
	    "The daemon's version; always 1.", mx_build_info),
	GW("branchgate_dataplane", "gauge",
	    "1 if the ESP data plane runs (0: --no-dataplane, IKE only).",
	    mx_dataplane),
	GW("branchgate_links", "gauge",
	    "Device links the gateway has loaded, all tenants.", mx_links),
	GW("branchgate_esp_worker_drops_total", "counter",
	    "Packets the ESP workers dropped, by reason.", mx_worker_drops),
	GW("branchgate_ike_sa_established_total", "counter",
	    "IKE SAs established (IKE_AUTH completed).", mx_ike_established),
	GW("branchgate_ike_rejected_total", "counter",
	    "IKE messages and setups refused, by reason.", mx_ike_rejected),
	GW("branchgate_ike_cookies_sent_total", "counter",
	    "IKE_SA_INIT answered with a COOKIE (RFC 7296 2.6).",
	    mx_ike_cookies),
	GW("branchgate_ike_half_open_dropped_total", "counter",
	    "IKE_SA_INIT dropped: too many half-open IKE SAs.",
	    mx_ike_half_open),
	GW("branchgate_ike_retransmits_total", "counter",
	    "IKE requests retransmitted by the gateway.", mx_ike_retransmits),
	GW("branchgate_ike_messages_received_total", "counter",
	    "IKE messages received.", mx_ike_rx),
	GW("branchgate_ike_messages_sent_total", "counter",
	    "IKE messages sent.", mx_ike_tx),
	LINK("branchgate_link_tunnel_up", "gauge",
	    "1 if the link has an IKE SA established in the zone.",
	    MX_ZONE, MX_F_UP),
	LINK("branchgate_link_child_sas", "gauge",
	    "CHILD SAs of the zone's newest IKE SA.", MX_ZONE, MX_F_CHILD_SAS),
	LINK("branchgate_link_bgp_established", "gauge",
	    "1 if the link's BGP session in the zone is established.",
	    MX_ZONE, MX_F_BGP_UP),
	LINK("branchgate_link_bgp_routes_received", "gauge",
	    "Prefixes the branch announces on the zone's session.",
	    MX_ZONE, MX_F_RECEIVED),
	LINK("branchgate_link_bgp_routes_accepted", "gauge",
	    "Of those, installed after the import policy.",
	    MX_ZONE, MX_F_LEARNED),
	LINK("branchgate_link_bgp_routes_rejected_total", "counter",
	    "Prefixes refused by the import policy on the zone's session.",
	    MX_ZONE, MX_F_REJECTED),
	LINK("branchgate_link_bgp_routes_advertised", "gauge",
	    "Prefixes the gateway advertises on the zone's session.",
	    MX_ZONE, MX_F_ADVERTISED),
	LINK("branchgate_link_esp_in_packets_total", "counter",
	    "ESP packets from the branch, over all the link's CHILD SAs.",
	    MX_LINK, MX_F_IN_PACKETS),
	LINK("branchgate_link_esp_in_bytes_total", "counter",
	    "ESP bytes from the branch, over all the link's CHILD SAs.",
	    MX_LINK, MX_F_IN_BYTES),
	LINK("branchgate_link_esp_out_packets_total", "counter",
	    "ESP packets to the branch, over all the link's CHILD SAs.",
	    MX_LINK, MX_F_OUT_PACKETS),
	LINK("branchgate_link_esp_out_bytes_total", "counter",
	    "ESP bytes to the branch, over all the link's CHILD SAs.",
	    MX_LINK, MX_F_OUT_BYTES),
	LINK("branchgate_link_esp_drops_total", "counter",
	    "Inbound ESP packets of the link dropped, by reason.",
	    MX_LINK_DROPS, MX_F_UP),
};
#define MX_NFAMILIES	(sizeof(mx_families) / sizeof(mx_families[0]))

/*
 * Appends the next piece of the page: a whole gateway-wide family, or one
 * family's samples for up to MX_UNIT_LINKS links. false at the end.
 */
static bool
mx_next(struct mx_scrape *sc)
{
	const struct mx_family *f;
	size_t nlinks = sc->m != NULL ? sc->m->nlinks : 0, end;

	if (sc->fam >= MX_NFAMILIES)
		return false;
	f = &mx_families[sc->fam];
	if (sc->link == 0) {
		mx_puts(&sc->out, "# HELP ");
		mx_puts(&sc->out, f->name);
		mx_puts(&sc->out, " ");
		mx_escaped(&sc->out, f->help, false);
		mx_puts(&sc->out, "\n# TYPE ");
		mx_puts(&sc->out, f->name);
		mx_puts(&sc->out, " ");
		mx_puts(&sc->out, f->type);
		mx_puts(&sc->out, "\n");
	}
	if (f->scope == MX_GATEWAY) {
		f->gateway(&sc->out, f, sc);
		end = nlinks;
	} else {
		end = sc->link + MX_UNIT_LINKS < nlinks ?
		    sc->link + MX_UNIT_LINKS : nlinks;
		for (; sc->link < end; sc->link++)
			mx_link_samples(&sc->out, f, &sc->m->link[sc->link]);
	}
	if (end >= nlinks) {
		sc->fam++;
		sc->link = 0;
	} else
		sc->link = end;
	return true;
}

/* MHD_ContentReaderCallback: hands the page over as it is written. */
static ssize_t
mx_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct mx_scrape *sc = cls;
	size_t n;

	(void)pos;	/* sequential: the library asks for what follows */
	while (sc->out.len - sc->off < max) {
		/* Drop what went out: the buffer stays small. */
		if (sc->off > 0) {
			memmove(sc->out.buf, sc->out.buf + sc->off,
			    sc->out.len - sc->off);
			sc->out.len -= sc->off;
			sc->off = 0;
		}
		if (!mx_next(sc))
			break;
	}
	if (sc->out.err)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = sc->out.len - sc->off;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > max)
		n = max;
	memcpy(buf, sc->out.buf + sc->off, n);
	sc->off += n;
	return (ssize_t)n;
}

static void
mx_scrape_free(void *cls)
{
	struct mx_scrape *sc = cls;

	free(sc->m);
	free(sc->out.buf);
	free(sc);
}

static enum MHD_Result
mx_reply_text(struct MHD_Connection *conn, unsigned status, const char *text,
    const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)
	    text, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answers on the first call, before any body: there is nothing to upload. */
static enum MHD_Result
mx_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct api_metrics *mx = cls;
	struct MHD_Response *resp;
	struct mx_scrape *sc;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(url, MX_PATH) != 0)
		return mx_reply_text(conn, 404, "not found: the metrics are at "
		    MX_PATH "\n", NULL);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return mx_reply_text(conn, 405, "method not allowed\n",
		    "GET, HEAD");
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return MHD_NO;
	sc->mx = mx;
	/* Now, not as the page goes out: one scrape is one refresh. */
	if (mx->snapshot != NULL && mx->snapshot(mx->arg, &sc->m) == -1) {
		free(sc);
		log_warn("metrics: no snapshot of the gateway status");
		return mx_reply_text(conn, 503, "the gateway status is not "
		    "available\n", NULL);
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, MX_BLOCK,
	    mx_read, sc, mx_scrape_free);
	if (resp == NULL) {
		mx_scrape_free(sc);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, MX_CTYPE);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

int
api_metrics_start(struct api *api, const struct api_config *cfg)
{
	struct api_metrics *mx;
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;
	char host[128], *colon;

	if (cfg->metrics_listen == NULL)
		return 0;
	if (api_parse_listen(cfg->metrics_listen, &sin) == -1) {
		log_err("metrics: bad listen address '%s' (want HOST:PORT)",
		    cfg->metrics_listen);
		return -1;
	}
	if ((mx = calloc(1, sizeof(*mx))) == NULL)
		return -1;
	snprintf(mx->version, sizeof(mx->version), "%s",
	    cfg->version != NULL ? cfg->version : "unknown");
	mx->snapshot = cfg->metrics;
	mx->arg = cfg->metrics_arg;
	/* A scraper or two: few connections, each with one page at a time. */
	mx->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    mx_access, mx,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)8,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_END);
	if (mx->mhd == NULL) {
		log_err("metrics: cannot listen on %s: %s",
		    cfg->metrics_listen, strerror(errno));
		free(mx);
		return -1;
	}
	info = MHD_get_daemon_info(mx->mhd, MHD_DAEMON_INFO_BIND_PORT);
	mx->port = info ? info->port : ntohs(sin.sin_port);
	/* As the "API listening on" line: a wildcard reads as loopback. */
	snprintf(host, sizeof(host), "%s", cfg->metrics_listen);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	log_info("metrics listening on http://%s:%u" MX_PATH, host, mx->port);
	api->metrics = mx;
	return 0;
}

uint16_t
api_metrics_port(const struct api *api)
{
	return api->metrics != NULL ? api->metrics->port : 0;
}

void
api_metrics_stop(struct api *api)
{
	if (api->metrics == NULL)
		return;
	MHD_stop_daemon(api->metrics->mhd);
	free(api->metrics);
	api->metrics = NULL;
}
