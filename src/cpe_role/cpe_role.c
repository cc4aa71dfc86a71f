/*
 * cpe_role.c - branchgated --role cpe (cpe_role.h): the gateway role's
 * pieces wired the other way round, in the same loop (gw_host.c).
 *
 *   udp socket readable    -> udp_read -> udp_demux -> ike_input
 *   ike send callback      -> udp_send (non-ESP marker on the NAT-T port)
 *   initiate               -> from the IKE port (encap auto) or the NAT-T
 *                             port (encap always, or no raw ESP socket)
 *   child_install/delete   -> esp_sa_new -> esp_table (link "cpe", slot 0)
 *   1 s tick               -> linger/rekey polls; initiate when no IKE SA
 *                             is left and the back-off has passed
 *   ike events             -> one log line per tunnel up / down
 *
 * One tenant slot (0) holds the TUN queues; one link ("cpe") holds the
 * configured routes, so the workers seal whatever the kernel routes into
 * the TUN with the current outbound SA.
 */
#include "cpe_role.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esp_sa.h"
#include "esp_table.h"
#include "esp_worker.h"
#include "gw_host.h"
#include "ike.h"
#include "ip4.h"
#include "log.h"
#include "monotime.h"
#include "tun.h"
#include "udp.h"

#define CPE_LINK		"cpe"
#define CPE_BACKOFF_MIN		(1 * MONOTIME_SEC)
#define CPE_BACKOFF_MAX		(60 * MONOTIME_SEC)
#define CPE_STATUS_MAX		8

enum { CK_IKE_ENC, CK_IKE_INT, CK_DH, CK_IPSEC_ENC, CK_IPSEC_INT, CK_PFS,
	CK_LIFETIME };

static const struct {
	const char		*key;
	const struct model_enum	*e;
} cpe_policy_keys[] = {
	[CK_IKE_ENC] = { "ike-enc", &model_ike_enc_enum },
	[CK_IKE_INT] = { "ike-int", &model_ike_int_enum },
	[CK_DH] = { "dh", &model_dh_enum },
	[CK_IPSEC_ENC] = { "ipsec-enc", &model_ipsec_enc_enum },
	[CK_IPSEC_INT] = { "ipsec-int", &model_ipsec_int_enum },
	[CK_PFS] = { "pfs", &model_pfs_enum },
	[CK_LIFETIME] = { "sa-lifetime", NULL },
};

struct cpe_role {
	struct cpe_role_config	 cfg;
	struct ike_peer_cfg	 peer;
	struct gw_host		*host;
	struct ike_engine	*ike;		/* the host's */
	uint16_t		 ike_local, natt_local;
	int			 nsfd;
	struct tun		*tun;
	unsigned		 nworkers;
	struct esp_sa_cfg	 sa_cfg;
	int			 fds[ESP_TABLE_QUEUES_MAX];
	struct esp_table	*table;
	struct esp_workers	*workers;
	int			 ike_pair[2];	/* [0] we read, [1] workers write */
	bool			 up;
	monotime_t		 next_try, backoff;
	uint64_t		 attempts;
};

/* --- configuration --------------------------------------------------------- */

void
cpe_role_config_init(struct cpe_role_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ike_port = 500;
	c->natt_port = 4500;
	snprintf(c->tun_name, sizeof(c->tun_name), "%s", CPE_ROLE_TUN_DEFAULT);
}

static int
cpe_psk_file(struct cpe_role_config *c, const char *path)
{
	char buf[MODEL_PSK_MAX + 3];
	struct stat sb;
	ssize_t n;
	size_t len;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "branchgated: psk-file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		fprintf(stderr, "branchgated: warning: psk-file %s is readable "
		    "by group or others (chmod 600)\n", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		fprintf(stderr, "branchgated: psk-file %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	len = (size_t)n;
	buf[len] = '\0';
	/* One trailing newline, as `branchgate --psk-file` accepts. */
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len < MODEL_PSK_MIN || len > MODEL_PSK_MAX || strlen(buf) != len) {
		fprintf(stderr, "branchgated: psk-file %s: want %d to %d "
		    "characters on one line\n", path, MODEL_PSK_MIN,
		    MODEL_PSK_MAX);
		goto out;
	}
	memcpy(c->tunnel.psk, buf, len + 1);
	c->psk_set = true;
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
cpe_addr(const char *key, const char *val, uint32_t *out)
{
	if (ip4_parse(val, out) == -1 || *out == 0) {
		fprintf(stderr, "branchgated: %s '%s': want an IPv4 address\n",
		    key, val);
		return -1;
	}
	return 0;
}

int
cpe_role_config_set(struct cpe_role_config *c, const char *key,
    const char *val)
{
	unsigned long lt;
	uint32_t a;
	uint8_t plen;
	char *end;
	size_t i;
	int v;

	if (strcmp(key, "gateway") == 0)
		return cpe_addr(key, val, &c->gateway);
	if (strcmp(key, "local") == 0)
		return cpe_addr(key, val, &c->local);
	if (strcmp(key, "tunnel-addr") == 0)
		return cpe_addr(key, val, &c->tunnel_addr);
	if (strcmp(key, "psk-file") == 0)
		return cpe_psk_file(c, val);
	if (strcmp(key, "tun-name") == 0) {
		if (val[0] == '\0' || strlen(val) >= sizeof(c->tun_name) ||
		    strpbrk(val, "/ \t") != NULL) {
			fprintf(stderr, "branchgated: tun-name '%s': want 1..15 "
			    "characters\n", val);
			return -1;
		}
		snprintf(c->tun_name, sizeof(c->tun_name), "%s", val);
		return 0;
	}
	if (strcmp(key, "route") == 0) {
		if (ip4_prefix_parse(val, &a, &plen) == -1) {
			fprintf(stderr, "branchgated: route '%s': want "
			    "A.B.C.D/LEN\n", val);
			return -1;
		}
		if (c->nroutes == CPE_ROLE_ROUTES_MAX) {
			fprintf(stderr, "branchgated: more than %d routes\n",
			    CPE_ROLE_ROUTES_MAX);
			return -1;
		}
		c->routes[c->nroutes].prefix = plen == 0 ? 0 :
		    a & (uint32_t)(0xffffffffu << (32 - plen));
		c->routes[c->nroutes].plen = plen;
		c->nroutes++;
		return 0;
	}
	if (strcmp(key, "local-ike-port") == 0 ||
	    strcmp(key, "local-natt-port") == 0) {
		errno = 0;
		lt = strtoul(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || lt == 0 ||
		    lt > 65535) {
			fprintf(stderr, "branchgated: %s '%s': want 1..65535\n",
			    key, val);
			return -1;
		}
		if (key[6] == 'i')
			c->local_ike_port = (uint16_t)lt;
		else
			c->local_natt_port = (uint16_t)lt;
		return 0;
	}
	if (strcmp(key, "kernel-routes") == 0) {
		if (strcmp(val, "yes") == 0)
			c->no_kernel_routes = false;
		else if (strcmp(val, "no") == 0)
			c->no_kernel_routes = true;
		else {
			fprintf(stderr, "branchgated: kernel-routes '%s': want "
			    "yes or no\n", val);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "encap") == 0) {
		if (strcmp(val, "auto") == 0)
			c->encap_always = false;
		else if (strcmp(val, "always") == 0)
			c->encap_always = true;
		else {
			fprintf(stderr, "branchgated: encap '%s': want auto or "
			    "always\n", val);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "policy") == 0) {
		if (strcmp(val, "default") == 0)
			c->tunnel.custom = false;
		else if (strcmp(val, "custom") == 0)
			c->tunnel.custom = true;
		else {
			fprintf(stderr, "branchgated: policy '%s': want default "
			    "or custom\n", val);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < sizeof(cpe_policy_keys) / sizeof(cpe_policy_keys[0]);
	    i++) {
		if (strcmp(key, cpe_policy_keys[i].key) != 0)
			continue;
		if (i == CK_LIFETIME) {
			errno = 0;
			lt = strtoul(val, &end, 10);
			if (errno != 0 || end == val || *end != '\0' ||
			    lt < MODEL_SA_LIFETIME_MIN ||
			    lt > MODEL_SA_LIFETIME_MAX) {
				fprintf(stderr, "branchgated: sa-lifetime '%s': "
				    "want %d..%d seconds\n", val,
				    MODEL_SA_LIFETIME_MIN,
				    MODEL_SA_LIFETIME_MAX);
				return -1;
			}
			c->tunnel.sa_lifetime = (int64_t)lt;
		} else {
			if ((v = model_enum_parse(cpe_policy_keys[i].e, val))
			    == -1) {
				fprintf(stderr, "branchgated: %s '%s': not a "
				    "%s value\n", key, val,
				    cpe_policy_keys[i].e->type);
				return -1;
			}
			switch (i) {
			case CK_IKE_ENC: c->tunnel.ike_enc = v; break;
			case CK_IKE_INT: c->tunnel.ike_int = v; break;
			case CK_DH: c->tunnel.dh = v; break;
			case CK_IPSEC_ENC: c->tunnel.ipsec_enc = v; break;
			case CK_IPSEC_INT: c->tunnel.ipsec_int = v; break;
			default: c->tunnel.pfs = v; break;
			}
		}
		c->custom_set[i] = true;
		return 0;
	}
	return 1;
}

int
cpe_role_config_check(const struct cpe_role_config *c)
{
	size_t i;
	int rc = 0;

	if (c->gateway == 0 || c->local == 0 || c->tunnel_addr == 0 ||
	    !c->psk_set) {
		fprintf(stderr, "branchgated: --role cpe needs gateway, local, "
		    "tunnel-addr and psk-file\n");
		rc = -1;
	}
	if (c->nroutes == 0)
		fprintf(stderr, "branchgated: warning: no route: nothing will "
		    "be sent into the tunnel\n");
	if (c->natt_port == 0 || c->ike_port == 0) {
		fprintf(stderr, "branchgated: --role cpe needs the gateway's "
		    "ports (not 0)\n");
		rc = -1;
	}
	/* The engine floats to the RFC 3948 port itself when it sees a NAT. */
	if (!c->encap_always && c->natt_port != 4500)
		fprintf(stderr, "branchgated: warning: encap auto with natt-port "
		    "%u: behind a NAT, IKE moves to port 4500 regardless\n",
		    c->natt_port);
	for (i = 0; i < sizeof(cpe_policy_keys) / sizeof(cpe_policy_keys[0]);
	    i++) {
		if (c->tunnel.custom && !c->custom_set[i]) {
			fprintf(stderr, "branchgated: policy custom needs %s\n",
			    cpe_policy_keys[i].key);
			rc = -1;
		} else if (!c->tunnel.custom && c->custom_set[i]) {
			fprintf(stderr, "branchgated: %s needs policy custom\n",
			    cpe_policy_keys[i].key);
			rc = -1;
		}
	}
	if (c->local_ike_port != 0 && c->local_ike_port ==
	    (c->local_natt_port != 0 ? c->local_natt_port : c->natt_port)) {
		fprintf(stderr, "branchgated: local IKE and NAT-T ports must "
		    "differ\n");
		rc = -1;
	}
	for (i = 0; i < c->nroutes && !c->no_kernel_routes; i++)
		if (ip4_in_prefix(c->gateway, c->routes[i].prefix,
		    c->routes[i].plen))
			fprintf(stderr, "branchgated: warning: route %u covers "
			    "the gateway endpoint: it must stay reachable by a "
			    "more specific route outside the tunnel\n",
			    (unsigned)i + 1);
	return rc;
}

/* --- timers ----------------------------------------------------------------- */

/*
 * RFC 7296 §2.23: start on the IKE port; the engine moves to the NAT-T
 * port if NAT detection says so, and ESP is UDP-encapsulated then only.
 * Starting on the NAT-T port forces encapsulation, which is also what
 * keeps a CPE without raw ESP sockets working.
 */
static bool
cpe_start_natt(const struct cpe_role *c)
{
	return c->cfg.encap_always || !esp_workers_raw(c->workers);
}

/* No IKE SA left (never was, refused, timed out, deleted): try again. */
static void
cpe_maybe_initiate(struct cpe_role *c, monotime_t now)
{
	struct ike_sa_status st[CPE_STATUS_MAX];
	bool natt = cpe_start_natt(c);
	struct ike_endpoint l = { c->cfg.local,
	    natt ? c->natt_local : c->ike_local };
	struct ike_endpoint r = { c->cfg.gateway,
	    natt ? c->cfg.natt_port : c->cfg.ike_port };
	char a[IP4_STRLEN];

	if (gw_host_stopping(c->host) || ike_status(c->ike, st, CPE_STATUS_MAX) > 0 ||
	    now < c->next_try)
		return;
	c->attempts++;
	if (c->attempts == 1 || c->backoff >= 8 * MONOTIME_SEC)
		log_info("cpe: connecting to gateway %s:%u (attempt %llu)",
		    ip4_fmt(r.ip, a), r.port,
		    (unsigned long long)c->attempts);
	if (ike_initiate(c->ike, &c->peer, &l, &r, now) == -1)
		log_err("cpe: cannot start IKE_SA_INIT (policy or memory)");
	c->next_try = now + c->backoff;
	c->backoff *= 2;
	if (c->backoff > CPE_BACKOFF_MAX)
		c->backoff = CPE_BACKOFF_MAX;
}

static void
cpe_rekey_one(void *arg, const char *link_id, uint32_t spi_in, bool hard)
{
	struct cpe_role *c = arg;

	log_info("cpe: ESP SA 0x%08x reached its %s lifetime: rekeying",
	    spi_in, hard ? "hard" : "soft");
	(void)ike_rekey_child(c->ike, link_id, monotime_now());
}

static void
cpe_on_tick(void *arg, monotime_t now)
{
	struct cpe_role *c = arg;

	gw_host_sa_tick(c->table, now, cpe_rekey_one, c);
	cpe_maybe_initiate(c, now);
}

/* --- stats -------------------------------------------------------------------- */

static void
cpe_log_sa(void *arg, const char *link_id, struct esp_sa *in,
    struct esp_sa *out, bool lingering)
{
	struct esp_sa_stats si, so;

	(void)arg;
	(void)link_id;
	esp_sa_get_stats(in, &si);
	esp_sa_get_stats(out, &so);
	log_info("cpe: esp sa in 0x%08x out 0x%08x%s: in %llu pkts %llu bytes "
	    "(replay %llu auth %llu malformed %llu), out %llu pkts %llu bytes",
	    esp_sa_spi(in), esp_sa_spi(out), lingering ? " (lingering)" : "",
	    (unsigned long long)si.packets, (unsigned long long)si.bytes,
	    (unsigned long long)si.replay, (unsigned long long)si.auth_failed,
	    (unsigned long long)si.malformed, (unsigned long long)so.packets,
	    (unsigned long long)so.bytes);
}

static void
cpe_log_stats(struct cpe_role *c)
{
	struct esp_worker_stats ws;
	struct ike_stats is;
	char drops[512];
	size_t off = 0;
	unsigned d;

	ike_get_stats(c->ike, &is);
	esp_workers_stats(c->workers, &ws);
	drops[0] = '\0';
	for (d = 0; d < ESP_WD_MAX && off < sizeof(drops); d++)
		off += (size_t)snprintf(drops + off, sizeof(drops) - off,
		    " %s %llu", esp_worker_drop_name(d),
		    (unsigned long long)ws.drop[d]);
	log_info("cpe: ike rx %llu tx %llu retransmits %llu established %llu; "
	    "%llu connection attempts", (unsigned long long)is.rx,
	    (unsigned long long)is.tx, (unsigned long long)is.retransmits,
	    (unsigned long long)is.sa_established,
	    (unsigned long long)c->attempts);
	log_info("cpe: esp workers rx %llu pkts %llu bytes, tx %llu pkts %llu "
	    "bytes, raw esp rx %llu tx %llu; drops:%s",
	    (unsigned long long)ws.rx_esp, (unsigned long long)ws.rx_bytes,
	    (unsigned long long)ws.tx_esp, (unsigned long long)ws.tx_bytes,
	    (unsigned long long)ws.rx_raw, (unsigned long long)ws.tx_raw,
	    drops);
	esp_table_walk(c->table, cpe_log_sa, NULL);
}

static void
cpe_on_hup(void *arg)
{
	cpe_log_stats(arg);
}

/* --- engine callbacks --------------------------------------------------------- */

static void
cpe_ike_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct cpe_role *c = arg;

	gw_host_send(c->host, local, remote, pkt, len);
}

/* The gateway never initiates: nothing is accepted as a responder. */
static int
cpe_ike_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, unsigned nth, struct ike_peer_cfg *out)
{
	(void)arg;
	(void)local;
	(void)remote;
	(void)nth;
	(void)out;
	return -1;
}

static void
cpe_ike_child_install(void *arg, const struct ike_child_sa *sa)
{
	struct cpe_role *c = arg;

	if (gw_host_sa_install(c->table, &c->sa_cfg, sa,
	    monotime_now()) == -1) {
		log_err("cpe: CHILD_SA 0x%08x/0x%08x not installed in the data "
		    "plane (unsupported algorithm or no memory)", sa->spi_in,
		    sa->spi_out);
		return;
	}
	log_info("cpe: CHILD_SA 0x%08x/0x%08x installed: ESP %s", sa->spi_in,
	    sa->spi_out, sa->udp_encap ? "in UDP (RFC 3948)" :
	    "over IP (protocol 50)");
}

static void
cpe_ike_child_delete(void *arg, const char *link_id, uint32_t spi_in,
    uint32_t spi_out)
{
	struct cpe_role *c = arg;

	(void)link_id;
	gw_host_sa_delete(c->table, spi_in, monotime_now());
	log_debug("cpe: CHILD_SA deleted spi_in=0x%08x spi_out=0x%08x",
	    spi_in, spi_out);
}

static void
cpe_ike_child_update(void *arg, const char *link_id, uint32_t spi_in,
    uint32_t spi_out, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, bool udp_encap)
{
	struct cpe_role *c = arg;

	(void)link_id;
	(void)spi_out;
	gw_host_sa_update(c->table, spi_in, local, remote, udp_encap);
}

static const char *
cpe_reason(enum ike_reason r)
{
	switch (r) {
	case IKE_R_NO_PROPOSAL: return "no proposal chosen";
	case IKE_R_AUTH_FAILED: return "authentication failed";
	case IKE_R_TS_UNACCEPTABLE: return "traffic selectors unacceptable";
	case IKE_R_PEER_DELETE: return "gateway deleted";
	case IKE_R_LOCAL_DELETE: return "deleted locally";
	case IKE_R_DEAD_PEER: return "dead peer";
	case IKE_R_TIMEOUT: return "timed out";
	default: return "rejected";
	}
}

static void
cpe_ike_event(void *arg, const struct ike_event *ev)
{
	struct cpe_role *c = arg;
	char rip[IP4_STRLEN], lip[IP4_STRLEN];

	ip4_fmt(ev->remote.ip, rip);
	ip4_fmt(ev->local.ip, lip);
	switch (ev->type) {
	case IKE_EV_TUNNEL_UP:
		c->up = true;
		c->backoff = CPE_BACKOFF_MIN;
		log_info("cpe: tunnel up: %s:%u -> gateway %s:%u", lip,
		    ev->local.port, rip, ev->remote.port);
		break;
	case IKE_EV_TUNNEL_DOWN:
		if (!c->up)
			break;
		c->up = false;
		/* The engine's detail for a local DELETE speaks as a gateway. */
		if (ev->reason == IKE_R_LOCAL_DELETE)
			log_info("cpe: tunnel down: gateway %s:%u: deleted "
			    "locally (shutdown)", rip, ev->remote.port);
		else
			log_info("cpe: tunnel down: gateway %s:%u: %s%s%s", rip,
			    ev->remote.port, cpe_reason(ev->reason),
			    ev->detail != NULL ? ": " : "",
			    ev->detail != NULL ? ev->detail : "");
		break;
	case IKE_EV_REJECT:
		/* Strangers' IKE_SA_INIT: counted by the engine, not logged. */
		if (ev->link_id == NULL)
			break;
		log_warn("cpe: gateway %s:%u: %s%s%s", rip, ev->remote.port,
		    cpe_reason(ev->reason), ev->detail != NULL ? ": " : "",
		    ev->detail != NULL ? ev->detail : "");
		break;
	case IKE_EV_REKEYED:
		log_debug("cpe: rekeyed%s%s", ev->detail ? ": " : "",
		    ev->detail ? ev->detail : "");
		break;
	}
}

/* --- life cycle ------------------------------------------------------------ */

static int
cpe_dp_start(struct cpe_role *c)
{
	struct esp_workers_cfg wc;
	struct esp_table_link el;
	struct tun_cfg tc;
	char a[IP4_STRLEN];
	unsigned q, i;
	long ncpu;

	c->nworkers = c->cfg.esp_workers;
	if (c->nworkers == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		c->nworkers = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (c->nworkers > ESP_TABLE_QUEUES_MAX)
		c->nworkers = ESP_TABLE_QUEUES_MAX;
	esp_sa_cfg_init(&c->sa_cfg, c->nworkers, c->cfg.replay_window,
	    c->cfg.rekey_bytes);
	if (c->nworkers > TUN_QUEUES_MAX)
		c->nworkers = TUN_QUEUES_MAX;

	/* The TUN lives in our own (the branch's) namespace. */
	if ((c->nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		log_err("cpe: /proc/self/ns/net: %m");
		return -1;
	}
	memset(&tc, 0, sizeof(tc));
	tc.name = c->cfg.tun_name;
	tc.queues = c->nworkers;
	if (tun_open(&c->tun, c->nsfd, &tc) == -1) {
		log_err("cpe: cannot create TUN %s (root needed)",
		    c->cfg.tun_name);
		return -1;
	}
	if (tun_addr_add(c->tun, c->cfg.tunnel_addr) == -1) {
		log_err("cpe: cannot put %s on %s: %m",
		    ip4_fmt(c->cfg.tunnel_addr, a), c->cfg.tun_name);
		return -1;
	}
	/* kernel-routes no: a routing daemon decides what enters the TUN. */
	for (i = 0; i < c->cfg.nroutes && !c->cfg.no_kernel_routes; i++)
		if (tun_route_add(c->tun, c->cfg.routes[i].prefix,
		    c->cfg.routes[i].plen) == -1)
			log_warn("cpe: route %s/%u via %s failed: %m",
			    ip4_fmt(c->cfg.routes[i].prefix, a),
			    c->cfg.routes[i].plen, c->cfg.tun_name);
	for (q = 0; q < c->nworkers; q++)
		c->fds[q] = tun_fd(c->tun, q);

	if ((c->table = esp_table_new()) == NULL)
		return -1;
	memset(&el, 0, sizeof(el));
	snprintf(el.id, sizeof(el.id), "%s", CPE_LINK);
	el.tenant = 0;
	for (i = 0; i < c->cfg.nroutes && i < ESP_TABLE_LINK_ROUTES_MAX; i++) {
		el.routes[i].prefix = c->cfg.routes[i].prefix;
		el.routes[i].plen = c->cfg.routes[i].plen;
	}
	el.nroutes = i;
	if (esp_table_tenant_set(c->table, 0, 1, c->fds, c->nworkers) == -1 ||
	    esp_table_links_set(c->table, &el, 1) == -1 ||
	    esp_table_commit(c->table) == -1)
		return -1;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    c->ike_pair) == -1) {
		log_err("cpe: socketpair: %m");
		return -1;
	}
	memset(&wc, 0, sizeof(wc));
	wc.n = c->nworkers;
	wc.ips = &c->cfg.local;
	wc.ports = &c->natt_local;
	wc.nips = 1;
	wc.table = c->table;
	wc.ike_fd = c->ike_pair[1];
	/* Also with encap always: §2.23 asks to take raw ESP at any time. */
	wc.raw_esp = true;
	if (esp_workers_start(&c->workers, &wc) == -1 ||
	    esp_workers_tenant_add(c->workers, 0, 1, c->fds,
	    c->nworkers) == -1)
		return -1;
	return gw_host_dp_ike(c->host, c->ike_pair[0]);
}

int
cpe_role_new(struct cpe_role **out, const struct cpe_role_config *cfg)
{
	struct gw_host_ops ho;
	struct ike_engine_cfg ic;
	struct ike_callbacks cb;
	struct udp_config uc;
	struct cpe_role *c;
	char a[IP4_STRLEN], b[IP4_STRLEN], t[IP4_STRLEN];
	size_t bound = 0;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->cfg = *cfg;
	c->nsfd = -1;
	c->ike_pair[0] = c->ike_pair[1] = -1;
	c->backoff = CPE_BACKOFF_MIN;
	snprintf(c->peer.tenant_id, sizeof(c->peer.tenant_id), CPE_LINK);
	snprintf(c->peer.rn_id, sizeof(c->peer.rn_id), CPE_LINK);
	snprintf(c->peer.link_id, sizeof(c->peer.link_id), CPE_LINK);
	snprintf(c->peer.name, sizeof(c->peer.name), "gateway %s",
	    ip4_fmt(cfg->gateway, a));
	c->peer.zone = 1;
	c->peer.cpe_ip = cfg->local;
	c->peer.gw_ip = cfg->gateway;
	c->peer.tunnel = cfg->tunnel;
	memset(&ho, 0, sizeof(ho));
	ho.arg = c;
	ho.stopping = "deleting the IKE SA";
	ho.hup = cpe_on_hup;
	ho.tick = cpe_on_tick;
	if (gw_host_new(&c->host, &ho) == -1)
		goto fail;

	/* Fewer tries than a gateway: a silent gateway is retried sooner. */
	ike_engine_cfg_defaults(&ic);
	ic.retransmit_tries = 5;
	memset(&cb, 0, sizeof(cb));
	cb.arg = c;
	cb.send = cpe_ike_send;
	cb.lookup = cpe_ike_lookup;
	cb.child_install = cpe_ike_child_install;
	cb.child_delete = cpe_ike_child_delete;
	cb.child_update = cpe_ike_child_update;
	cb.event = cpe_ike_event;
	if ((c->ike = ike_engine_new(&ic, &cb)) == NULL) {
		log_err("cpe: cannot create the IKE engine");
		goto fail;
	}

	memset(&uc, 0, sizeof(uc));
	uc.ips = &c->cfg.local;
	uc.nips = 1;
	/* Ours may differ from the gateway's: the peer answers to the source. */
	uc.ike_port = cfg->local_ike_port != 0 ? cfg->local_ike_port :
	    cfg->ike_port;
	uc.natt_port = cfg->local_natt_port != 0 ? cfg->local_natt_port :
	    cfg->natt_port;
	uc.natt_reuseport = true;
	if (gw_host_open(c->host, c->ike, &uc, &bound) == -1)
		goto fail;
	if (bound < 2 || (c->natt_local = udp_bound_port(gw_host_udp(c->host),
	    cfg->local, true)) == 0 || (c->ike_local = udp_bound_port(
	    gw_host_udp(c->host), cfg->local, false)) == 0) {
		log_err("cpe: cannot bind UDP %u and %u on %s (is it an "
		    "address of this host?)", uc.ike_port, uc.natt_port,
		    ip4_fmt(cfg->local, a));
		goto fail;
	}
	if (gw_host_listen(c->host) == -1)
		goto fail;
	if (cpe_dp_start(c) == -1) {
		log_err("cpe: cannot start the data plane");
		goto fail;
	}
	if (!cfg->encap_always && cpe_start_natt(c))
		log_warn("cpe: encap auto without raw ESP: starting on the "
		    "NAT-T port, so ESP is always UDP-encapsulated");
	log_info("cpe: %s -> gateway %s:%u, %s on %s, %u route(s), %u ESP "
	    "worker(s), encap %s", ip4_fmt(cfg->local, a),
	    ip4_fmt(cfg->gateway, b), cpe_start_natt(c) ? cfg->natt_port :
	    cfg->ike_port, ip4_fmt(cfg->tunnel_addr, t), cfg->tun_name,
	    cfg->nroutes, c->nworkers, cfg->encap_always ? "always" : "auto");
	*out = c;
	return 0;
fail:
	cpe_role_free(c);
	return -1;
}

int
cpe_role_run(struct cpe_role *c)
{
	cpe_maybe_initiate(c, monotime_now());
	if (gw_host_run(c->host) == -1) {
		log_err("cpe: event loop failed");
		return -1;
	}
	cpe_log_stats(c);
	return 0;
}

void
cpe_role_free(struct cpe_role *c)
{
	if (c == NULL)
		return;
	gw_host_drop_engine(c->host);
	/* Workers off the TUN before it closes; table after the engine. */
	esp_workers_stop(c->workers);
	esp_table_free(c->table);
	tun_close(c->tun);
	if (c->nsfd != -1)
		close(c->nsfd);
	if (c->ike_pair[0] != -1)
		close(c->ike_pair[0]);
	if (c->ike_pair[1] != -1)
		close(c->ike_pair[1]);
	gw_host_free(c->host);
	explicit_bzero(&c->cfg.tunnel, sizeof(c->cfg.tunnel));
	explicit_bzero(&c->peer.tunnel, sizeof(c->peer.tunnel));
	free(c);
}
