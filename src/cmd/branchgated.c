/*
 * branchgated.c - the gateway daemon: flag and config-file parsing, then the
 * store (one handle for the API thread, one for the gateway), the API, and
 * the gateway's event loop on the main thread. With --role cpe, the branch
 * side instead (src/cpe_role/): no store, no API. Everything else lives in
 * the modules.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "cpe_role.h"
#include "esp_replay.h"
#include "gw.h"
#include "ip4.h"
#include "log.h"
#include "model.h"
#include "node_beat.h"
#include "policy_webcat.h"
#include "store.h"
#include "store_traffic.h"
#include "token.h"
#include "version.h"

struct daemon_cfg {
	char		 db[1024];
	char		 traffic_db[1024];	/* "": derived from db */
	unsigned	 traffic_days;
	unsigned long	 traffic_max_rows;
	char		 listen[128];
	char		 public_url[API_PUBLIC_URL_MAX + 1];
	char		 metrics[128];	/* --metrics HOST:PORT; "": none */
	char		 datadir[1024];
	char		 webdir[1024];	/* --web-dir: the built console */
	char		 webcat[1024];	/* --webcat-file; "": DATADIR's */
	struct model_ctx ctx;
	bool		 endpoint_set;
	uint16_t	 ike_port;
	uint16_t	 natt_port;
	bool		 no_dataplane;
	bool		 branch_transit;
	bool		 policy_block_unnamed;	/* --policy-block-unnamed */
	char		 netns_prefix[16];
	uint32_t	 egress;
	unsigned	 esp_workers;
	uint32_t	 replay_window;
	uint64_t	 rekey_bytes;
	unsigned	 cookie_threshold;
	unsigned	 dpd_interval;	/* --ike-dpd-interval; 0: the engine's 30 s */
	unsigned	 rtx_base_ms, rtx_tries;	/* --ike-retransmit; 0: defaults */
	unsigned	 alive_interval;
	bool		 cpe;		/* --role cpe */
	bool		 api_only;	/* --role api */
	char		 node[STORE_NODE_NAME_MAX + 1];	/* --node; "": none */
	unsigned	 heartbeat_s;	/* --heartbeat */
	/* --operator-token-file: only the token's SHA-256 is kept */
	bool		 operator_set;
	uint8_t		 operator_hash[API_OPERATOR_HASH_LEN];
	const char	*dp_only;	/* an option --role api has no use for */
	const char	*gw_only;	/* a gateway-only key given */
	const char	*cpe_only;	/* a CPE-only key given */
	struct cpe_role_config cpe_cfg;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: branchgated [options]\n"
"  --db URL             store (default sqlite:./var/branchgate.db)\n"
"  --traffic-db URL     traffic log store (default: the --db path with\n"
"                       '-traffic' appended; PostgreSQL: the same database)\n"
"  --traffic-retention-days N  keep traffic logs N days, 1..3650 (default 30)\n"
"  --traffic-max-rows N  at most N traffic log records in all; the oldest\n"
"                       go first, 1000..1000000000 (default 1000000)\n"
"  --api HOST:PORT      REST API listen address (default 127.0.0.1:8080;\n"
"                       port 0 picks a free port)\n"
"  --metrics HOST:PORT  Prometheus metrics at http://HOST:PORT/metrics, no\n"
"                       token (default: off; port 0 picks a free port)\n"
"  --public-url URL     base URL clients reach the API at, for\n"
"                       @odata.context and @odata.nextLink, e.g.\n"
"                       https://gw.example.com (default http://<--api>)\n"
"  --endpoint ZONE=IP   public tunnel endpoint of availability zone 1 or 2\n"
"                       (repeatable; default 1=127.0.0.1)\n"
"  --asn N              gateway BGP ASN (default 65476)\n"
"  --reserved-range CIDR  no device link may use a BGP address or static\n"
"                       source prefix in it: the tenant egress transfer\n"
"                       networks (default 10.255.240.0/20; length 8..28)\n"
"  --ike-port N         UDP port for IKE on each endpoint (default 500;\n"
"                       0 picks a free port, for tests)\n"
"  --natt-port N        UDP port for NAT-T/ESP-in-UDP (default 4500)\n"
"  --netns-prefix P     tenant network namespaces are named P<tenant>\n"
"                       (default bg-; distinct per daemon on one machine;\n"
"                       P* left by a crash are removed at start)\n"
"  --egress IP          SNAT address for tenants' internet traffic\n"
"                       (default: masquerade)\n"
"  --esp-workers N      ESP worker threads (default: one per core, max 16)\n"
"  --replay-window N    ESP anti-replay window in packets, a multiple of 64\n"
"                       from 64 to 4096 (default 1024)\n"
"  --esp-rekey-bytes N  rekey a CHILD SA after N bytes in one direction\n"
"                       (the SA stops at 2 N; default: by time only)\n"
"  --ike-cookie-threshold N\n"
"                       half-open IKE SAs before IKE_SA_INIT must return a\n"
"                       COOKIE (RFC 7296 2.6); 1..100000 (default 64)\n"
"  --ike-dpd-interval S seconds without an IKE message before a liveness\n"
"                       check (RFC 7296 2.4), 1..3600 (default 30)\n"
"  --ike-retransmit MS,N first retransmit timeout (doubled each try) and\n"
"                       tries before a peer is dead, 50..10000,1..20\n"
"                       (default 500,6: DPD gives up after 63.5 s)\n"
"  --alive-interval S   seconds between remoteNetworkAlive health events per\n"
"                       tunnel, 10..86400 (default 900)\n"
"  --branch-transit     let branches of a tenant reach each other through the\n"
"                       gateway (default off, as in Global Secure Access)\n"
"  --policy-block-unnamed  block HTTPS/HTTP flows whose server name cannot be\n"
"                       read (malformed or oversized ClientHello, no SNI,\n"
"                       not TLS/HTTP); default: allow them (docs/policy.md)\n"
"  --no-dataplane       IKE only: no namespaces, TUN or ESP (no root needed)\n"
"  --data-dir DIR       shipped data (Microsoft 365 endpoint list)\n"
"  --web-dir DIR        the built web console, served at / (default: the\n"
"                       build's web/; none there: the API only)\n"
"  --webcat-file PATH   the web category database (default: the data\n"
"                       dir's webcategories.tsv, if there)\n"
"  --config FILE        read the same options from FILE, one 'key value'\n"
"                       per line ('#' comments); flags given later win\n"
"  --log-level LEVEL    debug, info, warn or error (default info)\n"
"  --node NAME          this node's name in the store's node list, a-z 0-9 -\n"
"                       (default: a gateway registers as 'local'; an api\n"
"                       node without it does not register)\n"
"  --heartbeat S        seconds between node heartbeats, 1..60 (default 5;\n"
"                       down after 3 missed)\n"
"  --operator-token-file PATH  the operator's API token (one line, 16..1024\n"
"                       printable characters): opens /operator/nodes\n"
"                       (docs/nodes.md); without it that API answers 401\n"
"  --role api|gateway|cpe  api: the REST API, console and /metrics on the\n"
"                       store only: no IKE, no data plane, no root\n"
"                       (docs/nodes.md); gateway (default): everything on\n"
"                       one node; cpe: the branch side of one tunnel to a\n"
"                       gateway (see docs/cpe-role.md)\n"
"  --help\n"
"CPE role (--role cpe; also as keys in --config):\n"
"  --gateway IP         gateway tunnel endpoint (its IKE identity)\n"
"  --local IP           our public address, bound (our IKE identity)\n"
"  --psk-file FILE      pre-shared key, one line (mode 0600)\n"
"  --policy default|custom  with custom: --ike-enc --ike-int --dh\n"
"                       --ipsec-enc --ipsec-int --pfs --sa-lifetime (API\n"
"                       enum spellings, e.g. aes256, sha256, ecp384)\n"
"  --tunnel-addr IP     inner (BGP) address, put on the TUN\n"
"  --route CIDR         routed into the tunnel (repeatable, max 8)\n"
"  --tun-name NAME      TUN device (default bgcpe0)\n"
"  --encap auto|always  auto (default): IKE from port 500, ESP in UDP only\n"
"                       behind a NAT, else raw ESP (IP protocol 50);\n"
"                       always: IKE and ESP on the NAT-T port\n"
"  --local-ike-port N, --local-natt-port N   our own ports (default: the\n"
"                       gateway's), e.g. a second instance for zone 2\n"
"  --kernel-routes yes|no   no: --route only selects what is sealed; a\n"
"                       routing daemon puts routes into the TUN\n"
"  --ike-port/--natt-port/--esp-workers as above (the gateway's ports)\n");
}

/* A whole decimal number lo..hi into *out, or -1 (nothing printed). */
static int
cfg_num(const char *val, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(val, &end, 10);
	return errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
	    *out < lo || *out > hi ? -1 : 0;
}

/*
 * The operator token from its file: one line of 16..1024 printable
 * characters, no spaces (a trailing newline is fine). Only its SHA-256 is
 * kept; the token itself is wiped and never logged.
 */
static int
cfg_operator_token(struct daemon_cfg *c, const char *path)
{
	char buf[1026];
	struct stat sb;
	ssize_t n;
	size_t len, i;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		fprintf(stderr, "branchgated: --operator-token-file %s: %s\n",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		fprintf(stderr, "branchgated: warning: --operator-token-file %s "
		    "is readable by others (chmod 600 it)\n", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	len = n > 0 ? (size_t)n : 0;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++)
		if (buf[i] <= 0x20 || buf[i] > 0x7e)
			break;
	if (n < 0 || len < 16 || len > 1024 || i != len)
		fprintf(stderr, "branchgated: --operator-token-file %s: want one "
		    "line of 16..1024 printable characters, no spaces\n", path);
	else if (token_hash_text(buf, len, c->operator_hash) == 0) {
		c->operator_set = true;
		rc = 0;
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
cfg_set(struct daemon_cfg *c, const char *key, const char *val)
{
	unsigned long zone, asn, port;
	unsigned long long bytes;
	struct model_prefix pfx;
	uint32_t ip;
	char *end;

	static const char *const gw_only[] = { "db", "api", "public-url",
		"traffic-db", "traffic-retention-days", "traffic-max-rows",
		"metrics",
		"data-dir", "web-dir", "webcat-file",
		"endpoint", "asn", "netns-prefix", "egress", "no-dataplane",
		"branch-transit", "policy-block-unnamed",
		"ike-cookie-threshold", "ike-dpd-interval", "ike-retransmit",
		"reserved-range", "node", "heartbeat", "operator-token-file" };
	/* The tunnel side's options: --role api has no IKE and no data plane. */
	static const char *const dp_only[] = { "ike-port", "natt-port",
		"netns-prefix", "egress", "no-dataplane", "esp-workers",
		"replay-window", "esp-rekey-bytes", "ike-cookie-threshold",
		"ike-dpd-interval", "ike-retransmit", "alive-interval", "policy-block-unnamed" };
	size_t i;
	int r;

	for (i = 0; i < sizeof(gw_only) / sizeof(gw_only[0]); i++)
		if (strcmp(key, gw_only[i]) == 0)
			c->gw_only = gw_only[i];
	for (i = 0; i < sizeof(dp_only) / sizeof(dp_only[0]); i++)
		if (strcmp(key, dp_only[i]) == 0)
			c->dp_only = dp_only[i];
	if (strcmp(key, "role") == 0) {
		c->cpe = strcmp(val, "cpe") == 0;
		c->api_only = strcmp(val, "api") == 0;
		if (!c->cpe && !c->api_only && strcmp(val, "gateway") != 0) {
			fprintf(stderr, "branchgated: --role '%s': want api, "
			    "gateway or cpe\n", val);
			return -1;
		}
	} else if (strcmp(key, "node") == 0) {
		if (!store_node_name_valid(val)) {
			fprintf(stderr, "branchgated: --node '%s': want 1..%d of "
			    "a-z, 0-9 and '-', not starting with '-'\n", val,
			    STORE_NODE_NAME_MAX);
			return -1;
		}
		snprintf(c->node, sizeof(c->node), "%s", val);
	} else if (strcmp(key, "operator-token-file") == 0) {
		if (cfg_operator_token(c, val) == -1)
			return -1;
	} else if (strcmp(key, "heartbeat") == 0) {
		if (cfg_num(val, 1, 60, &port) == -1) {
			fprintf(stderr, "branchgated: --heartbeat '%s': want "
			    "1..60 seconds\n", val);
			return -1;
		}
		c->heartbeat_s = (unsigned)port;
	} else if (strcmp(key, "db") == 0)
		snprintf(c->db, sizeof(c->db), "%s", val);
	else if (strcmp(key, "traffic-db") == 0)
		snprintf(c->traffic_db, sizeof(c->traffic_db), "%s", val);
	else if (strcmp(key, "traffic-retention-days") == 0) {
		if (cfg_num(val, 1, 3650, &port) == -1) {
			fprintf(stderr, "branchgated: --traffic-retention-days "
			    "'%s': want 1..3650\n", val);
			return -1;
		}
		c->traffic_days = (unsigned)port;
	} else if (strcmp(key, "traffic-max-rows") == 0) {
		if (cfg_num(val, 1000, 1000000000UL, &c->traffic_max_rows) ==
		    -1) {
			fprintf(stderr, "branchgated: --traffic-max-rows '%s': "
			    "want 1000..1000000000\n", val);
			return -1;
		}
	}
	else if (strcmp(key, "api") == 0)
		snprintf(c->listen, sizeof(c->listen), "%s", val);
	else if (strcmp(key, "metrics") == 0)
		snprintf(c->metrics, sizeof(c->metrics), "%s", val);
	else if (strcmp(key, "public-url") == 0) {
		if (!api_public_url_valid(val)) {
			fprintf(stderr, "branchgated: --public-url '%s': want "
			    "http://HOST[:PORT][/PATH] or https://..., at most "
			    "%d characters, no query or fragment\n", val,
			    API_PUBLIC_URL_MAX);
			return -1;
		}
		snprintf(c->public_url, sizeof(c->public_url), "%s", val);
	}
	else if (strcmp(key, "data-dir") == 0)
		snprintf(c->datadir, sizeof(c->datadir), "%s", val);
	else if (strcmp(key, "web-dir") == 0)
		snprintf(c->webdir, sizeof(c->webdir), "%s", val);
	else if (strcmp(key, "webcat-file") == 0)
		snprintf(c->webcat, sizeof(c->webcat), "%s", val);
	else if (strcmp(key, "endpoint") == 0) {
		zone = strtoul(val, &end, 10);
		if (end == val || *end != '=' || zone < 1 ||
		    zone > MODEL_ZONES_MAX || ip4_parse(end + 1, &ip) == -1 ||
		    ip == 0) {
			fprintf(stderr, "branchgated: --endpoint '%s': want "
			    "ZONE=IPV4 with ZONE 1..%d\n", val, MODEL_ZONES_MAX);
			return -1;
		}
		if (!c->endpoint_set) {
			memset(c->ctx.endpoint, 0, sizeof(c->ctx.endpoint));
			c->endpoint_set = true;
		}
		c->ctx.endpoint[zone - 1] = ip;
	} else if (strcmp(key, "asn") == 0) {
		if (cfg_num(val, 1, 4294967294UL, &asn) == -1) {
			fprintf(stderr, "branchgated: --asn '%s': want 1..4294967294\n",
			    val);
			return -1;
		}
		c->ctx.gateway_asn = (uint32_t)asn;
	} else if (strcmp(key, "reserved-range") == 0) {
		/* 8..28: what egress_cfg accepts for its transfer range. */
		if (model_prefix_parse(val, &pfx) != 0 || pfx.len < 8 ||
		    pfx.len > 28) {
			fprintf(stderr, "branchgated: --reserved-range '%s': "
			    "want an IPv4 prefix A.B.C.D/LEN with LEN 8..28 "
			    "and no host bits set\n", val);
			return -1;
		}
		c->ctx.reserved = pfx;
	} else if (strcmp(key, "ike-port") == 0 ||
	    strcmp(key, "natt-port") == 0) {
		if (cfg_num(val, 0, 65535, &port) == -1) {
			fprintf(stderr, "branchgated: --%s '%s': want 0..65535\n",
			    key, val);
			return -1;
		}
		if (key[0] == 'i')
			c->ike_port = (uint16_t)port;
		else
			c->natt_port = (uint16_t)port;
	} else if (strcmp(key, "netns-prefix") == 0) {
		if (strlen(val) == 0 || strlen(val) > 12) {
			fprintf(stderr, "branchgated: --netns-prefix '%s': want "
			    "1..12 characters ending in '-' or '_'\n", val);
			return -1;
		}
		snprintf(c->netns_prefix, sizeof(c->netns_prefix), "%s", val);
	} else if (strcmp(key, "egress") == 0) {
		if (ip4_parse(val, &c->egress) == -1 || c->egress == 0) {
			fprintf(stderr, "branchgated: --egress '%s': want an "
			    "IPv4 address\n", val);
			return -1;
		}
	} else if (strcmp(key, "esp-workers") == 0) {
		if (cfg_num(val, 0, 16, &port) == -1) {
			fprintf(stderr, "branchgated: --esp-workers '%s': want "
			    "0..16 (0: one per core)\n", val);
			return -1;
		}
		c->esp_workers = (unsigned)port;
	} else if (strcmp(key, "replay-window") == 0) {
		if (cfg_num(val, 64, ESP_REPLAY_MAX, &port) == -1 ||
		    port % 64 != 0) {
			fprintf(stderr, "branchgated: --replay-window '%s': want "
			    "a multiple of 64 from 64 to %d\n", val,
			    ESP_REPLAY_MAX);
			return -1;
		}
		c->replay_window = (uint32_t)port;
	} else if (strcmp(key, "esp-rekey-bytes") == 0) {
		errno = 0;
		bytes = strtoull(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
		    bytes < 1024 * 1024) {
			fprintf(stderr, "branchgated: --esp-rekey-bytes '%s': "
			    "want a byte count of at least 1048576\n", val);
			return -1;
		}
		c->rekey_bytes = bytes;
	} else if (strcmp(key, "ike-cookie-threshold") == 0) {
		if (cfg_num(val, 1, 100000, &port) == -1) {
			fprintf(stderr, "branchgated: --ike-cookie-threshold "
			    "'%s': want 1..100000\n", val);
			return -1;
		}
		c->cookie_threshold = (unsigned)port;
	} else if (strcmp(key, "ike-dpd-interval") == 0) {
		if (cfg_num(val, 1, 3600, &port) == -1) {
			fprintf(stderr, "branchgated: --ike-dpd-interval '%s': "
			    "want 1..3600 seconds\n", val);
			return -1;
		}
		c->dpd_interval = (unsigned)port;
	} else if (strcmp(key, "ike-retransmit") == 0) {
		char ms[8];
		const char *comma = strchr(val, ',');
		unsigned long tries;

		if (comma == NULL || (size_t)(comma - val) >= sizeof(ms)) {
			fprintf(stderr, "branchgated: --ike-retransmit '%s': "
			    "want MS,TRIES\n", val);
			return -1;
		}
		memcpy(ms, val, (size_t)(comma - val));
		ms[comma - val] = '\0';
		if (cfg_num(ms, 50, 10000, &port) == -1 ||
		    cfg_num(comma + 1, 1, 20, &tries) == -1) {
			fprintf(stderr, "branchgated: --ike-retransmit '%s': "
			    "want 50..10000 ms, 1..20 tries\n", val);
			return -1;
		}
		c->rtx_base_ms = (unsigned)port;
		c->rtx_tries = (unsigned)tries;
	} else if (strcmp(key, "alive-interval") == 0) {
		if (cfg_num(val, 10, 86400, &port) == -1) {
			fprintf(stderr, "branchgated: --alive-interval '%s': "
			    "want 10..86400 seconds\n", val);
			return -1;
		}
		c->alive_interval = (unsigned)port;
	} else if (strcmp(key, "branch-transit") == 0) {
		c->branch_transit = strcmp(val, "no") != 0 &&
		    strcmp(val, "false") != 0 && strcmp(val, "0") != 0;
	} else if (strcmp(key, "policy-block-unnamed") == 0) {
		c->policy_block_unnamed = strcmp(val, "no") != 0 &&
		    strcmp(val, "false") != 0 && strcmp(val, "0") != 0;
	} else if (strcmp(key, "no-dataplane") == 0) {
		c->no_dataplane = strcmp(val, "no") != 0 &&
		    strcmp(val, "false") != 0 && strcmp(val, "0") != 0;
	} else if (strcmp(key, "log-level") == 0) {
		if (strcmp(val, "debug") == 0)
			log_set_level(LOG_DEBUG);
		else if (strcmp(val, "info") == 0)
			log_set_level(LOG_INFO);
		else if (strcmp(val, "warn") == 0)
			log_set_level(LOG_WARN);
		else if (strcmp(val, "error") == 0)
			log_set_level(LOG_ERR);
		else {
			fprintf(stderr, "branchgated: unknown log level '%s'\n", val);
			return -1;
		}
	} else if ((r = cpe_role_config_set(&c->cpe_cfg, key, val)) != 1) {
		if (r == -1)
			return -1;
		c->cpe_only = key;
	} else {
		fprintf(stderr, "branchgated: unknown option '%s'\n", key);
		return -1;
	}
	return 0;
}

/*
 * TERM, INT and HUP blocked (the threads started next inherit the mask;
 * the role waits for them with sigwait or unblocks them itself), PIPE
 * ignored.
 */
static void
block_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --role cpe: no store, no API; the branch side runs on this thread. */
/*
 * Descriptors per link: a BGP listener and connection, two BFD sockets;
 * per tenant its TUN queues. The soft limit (often 1024) would cap a node
 * at a few hundred links: take the hard one.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
run_cpe(struct daemon_cfg *c)
{
	struct cpe_role *cr = NULL;
	sigset_t sigs;
	int rc = 1;

	if (c->gw_only != NULL) {
		fprintf(stderr, "branchgated: '%s' is a gateway option, not "
		    "one of --role cpe\n", c->gw_only);
		return 64;
	}
	c->cpe_cfg.ike_port = c->ike_port;
	c->cpe_cfg.natt_port = c->natt_port;
	c->cpe_cfg.esp_workers = c->esp_workers;
	c->cpe_cfg.replay_window = c->replay_window;
	c->cpe_cfg.rekey_bytes = c->rekey_bytes;
	if (cpe_role_config_check(&c->cpe_cfg) == -1)
		return 64;
	/* As for the gateway: the worker threads inherit the blocked mask. */
	block_signals(&sigs);
	raise_nofile();
	if (cpe_role_new(&cr, &c->cpe_cfg) == 0) {
		pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
		if (cpe_role_run(cr) == 0)
			rc = 0;
	}
	cpe_role_free(cr);
	explicit_bzero(&c->cpe_cfg.tunnel, sizeof(c->cpe_cfg.tunnel));
	return rc;
}

static int
cfg_file(struct daemon_cfg *c, const char *path)
{
	char line[1200], *k, *v, *e;
	FILE *f;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "branchgated: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		k = line + strspn(line, " \t");
		e = k + strcspn(k, " \t=\r\n");
		if (e == k)
			continue;
		v = e + strspn(e, " \t=");
		*e = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		while (*v && (v[strlen(v) - 1] == ' ' || v[strlen(v) - 1] == '\t'))
			v[strlen(v) - 1] = '\0';
		if (cfg_set(c, k, v) == -1) {
			fprintf(stderr, "branchgated: %s:%d: bad line\n", path,
			    lineno);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

/*
 * The web category database: --webcat-file (which must load), else the
 * data dir's file when there is one (else none: an empty category list).
 */
static int
load_webcat(const struct daemon_cfg *c, struct policy_webcat **out)
{
	char path[1100], err[256];
	bool given = c->webcat[0] != '\0';

	*out = NULL;
	if (given)
		snprintf(path, sizeof(path), "%s", c->webcat);
	else
		snprintf(path, sizeof(path), "%s/%s", c->datadir,
		    POLICY_WEBCAT_FILE);
	if (!given && access(path, R_OK) != 0) {
		log_info("no web category database at %s", path);
		return 0;
	}
	if ((*out = policy_webcat_load(path, err, sizeof(err))) == NULL) {
		log_err("web category database %s: %s", path, err);
		return -1;
	}
	log_info("web categories: %zu categories, %zu suffixes from %s",
	    policy_webcat_ncat(*out), policy_webcat_nsuffix(*out), path);
	return 0;
}

/*
 * The node list (docs/nodes.md): a gateway registers as --node (no role
 * given: "local", the single node of the embedded default), an api node
 * only when --node names it. Endpoints are the zones it serves.
 */
static int
start_beat(const struct daemon_cfg *c, struct gw *gw, struct node_beat **out)
{
	struct store_node n;

	*out = NULL;
	memset(&n, 0, sizeof(n));
	if (c->api_only && c->node[0] == '\0')
		return 0;
	snprintf(n.name, sizeof(n.name), "%s", c->node[0] != '\0' ? c->node :
	    "local");
	n.role = c->api_only ? STORE_NODE_API : STORE_NODE_GATEWAY;
	if (!c->api_only)
		memcpy(n.endpoint, c->ctx.endpoint, sizeof(n.endpoint));
	n.heartbeat_s = c->heartbeat_s;
	/*
	 * A gateway node writes its links' status for the API nodes; the
	 * single node (no --node) serves its own and writes none.
	 */
	return node_beat_start(c->db, &n, gw != NULL && c->node[0] != '\0' ?
	    gw_link_status : NULL, gw, out);
}

/* The "API listening" line the tests and operators wait for. */
static void
log_api_listening(const struct daemon_cfg *c, const struct api *api)
{
	char host[128];
	char *colon;

	snprintf(host, sizeof(host), "%s", c->listen);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	log_info("API listening on http://%s:%u", host, api_port(api));
}

/*
 * --role api: the store, the REST API, the console and /metrics, and
 * nothing of the tunnel side (no IKE sockets, TUN, ESP workers or tenant
 * namespaces), so it needs no root. Gateway nodes learn of its writes
 * through the store's change push (PostgreSQL NOTIFY); /metrics has the
 * build and store families only, no link has a tunnel here.
 */
static int
run_api(struct daemon_cfg *c)
{
	struct store *st = NULL;
	struct store_traffic *tst = NULL;
	struct store_traffic_pruner *pruner = NULL;
	struct policy_webcat *webcat = NULL;
	struct api *api = NULL;
	struct api_config ac;
	struct node_beat *beat = NULL;
	const char *tdb = c->traffic_db[0] != '\0' ? c->traffic_db : NULL;
	char err[256];
	sigset_t sigs;
	int sig, rc = 1;

	if (c->dp_only != NULL) {
		fprintf(stderr, "branchgated: '%s' is a tunnel option, not one "
		    "of --role api\n", c->dp_only);
		return 64;
	}
	/* Before any thread: the API's threads inherit the blocked mask. */
	block_signals(&sigs);
	if (store_open(c->db, &st, err, sizeof(err)) == -1) {
		log_err("cannot open store %s: %s", c->db, err);
		goto fail;
	}
	if (store_traffic_open(c->db, tdb, &tst, err, sizeof(err)) == -1) {
		log_err("cannot open the traffic log store: %s", err);
		goto fail;
	}
	if (store_traffic_pruner_start(c->db, tdb, c->traffic_days,
	    c->traffic_max_rows, &pruner) == -1)
		goto fail;
	if (load_webcat(c, &webcat) == -1)
		goto fail;
	memset(&ac, 0, sizeof(ac));
	ac.webcat = webcat;
	ac.listen = c->listen;
	ac.public_url = c->public_url[0] != '\0' ? c->public_url : NULL;
	ac.datadir = c->datadir;
	ac.branch_transit_default = c->branch_transit;
	ac.webdir = c->webdir;
	ac.ctx = c->ctx;
	ac.placement = true;
	ac.operator_set = c->operator_set;
	memcpy(ac.operator_hash, c->operator_hash, sizeof(ac.operator_hash));
	ac.metrics_listen = c->metrics[0] != '\0' ? c->metrics : NULL;
	ac.version = BRANCHGATE_VERSION;
	ac.traffic = tst;
	if (api_start(&api, st, &ac) == -1)
		goto fail;
	if (start_beat(c, NULL, &beat) == -1)
		goto fail;
	log_info("api node: store %s (schema %d), no tunnels here", c->db,
	    store_schema_version(st));
	log_api_listening(c, api);
	do {
		if (sigwait(&sigs, &sig) != 0)
			goto fail;
	} while (sig == SIGHUP);
	log_info("signal %d: stopping", sig);
	rc = 0;
fail:
	node_beat_stop(beat);
	api_stop(api);
	store_traffic_pruner_stop(pruner);
	store_traffic_close(tst);
	policy_webcat_free(webcat);
	store_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "api", required_argument, NULL, 'a' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "asn", required_argument, NULL, 'n' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "ike-port", required_argument, NULL, 'I' },
		{ "natt-port", required_argument, NULL, 'N' },
		{ "netns-prefix", required_argument, NULL, 'p' },
		{ "egress", required_argument, NULL, 'g' },
		{ "esp-workers", required_argument, NULL, 'w' },
		{ "replay-window", required_argument, NULL, 'K' },
		{ "esp-rekey-bytes", required_argument, NULL, 'K' },
		{ "ike-cookie-threshold", required_argument, NULL, 'K' },
		{ "ike-dpd-interval", required_argument, NULL, 'K' },
		{ "ike-retransmit", required_argument, NULL, 'K' },
		{ "alive-interval", required_argument, NULL, 'K' },
		{ "reserved-range", required_argument, NULL, 'K' },
		{ "public-url", required_argument, NULL, 'K' },
		{ "metrics", required_argument, NULL, 'K' },
		{ "node", required_argument, NULL, 'K' },
		{ "heartbeat", required_argument, NULL, 'K' },
		{ "operator-token-file", required_argument, NULL, 'K' },
		{ "web-dir", required_argument, NULL, 'K' },
		{ "webcat-file", required_argument, NULL, 'K' },
		{ "traffic-db", required_argument, NULL, 'K' },
		{ "traffic-retention-days", required_argument, NULL, 'K' },
		{ "traffic-max-rows", required_argument, NULL, 'K' },
		{ "no-dataplane", no_argument, NULL, 'X' },
		{ "branch-transit", no_argument, NULL, 'T' },
		{ "policy-block-unnamed", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		/* Taken by name (key = option name); --role cpe keys. */
		{ "role", required_argument, NULL, 'K' },
		{ "gateway", required_argument, NULL, 'K' },
		{ "local", required_argument, NULL, 'K' },
		{ "psk-file", required_argument, NULL, 'K' },
		{ "policy", required_argument, NULL, 'K' },
		{ "ike-enc", required_argument, NULL, 'K' },
		{ "ike-int", required_argument, NULL, 'K' },
		{ "dh", required_argument, NULL, 'K' },
		{ "ipsec-enc", required_argument, NULL, 'K' },
		{ "ipsec-int", required_argument, NULL, 'K' },
		{ "pfs", required_argument, NULL, 'K' },
		{ "sa-lifetime", required_argument, NULL, 'K' },
		{ "tunnel-addr", required_argument, NULL, 'K' },
		{ "route", required_argument, NULL, 'K' },
		{ "tun-name", required_argument, NULL, 'K' },
		{ "encap", required_argument, NULL, 'K' },
		{ "local-ike-port", required_argument, NULL, 'K' },
		{ "local-natt-port", required_argument, NULL, 'K' },
		{ "kernel-routes", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_cfg c;
	struct api_config ac;
	struct gw_config gc;
	struct store *st = NULL, *gst = NULL;
	struct store_traffic *tst = NULL, *gtst = NULL;
	struct store_traffic_pruner *pruner = NULL;
	struct api *api = NULL;
	struct gw *gw = NULL;
	struct policy_webcat *webcat = NULL;
	struct node_beat *beat = NULL;
	char err[256], ep[IP4_STRLEN];
	sigset_t sigs;
	int ch, i, li, rc = 1;

	memset(&c, 0, sizeof(c));
	cpe_role_config_init(&c.cpe_cfg);
	snprintf(c.db, sizeof(c.db), "sqlite:./var/branchgate.db");
	snprintf(c.listen, sizeof(c.listen), "127.0.0.1:8080");
	snprintf(c.datadir, sizeof(c.datadir), "%s", BG_DATADIR);
	snprintf(c.webdir, sizeof(c.webdir), "%s", BG_WEBDIR);
	c.ctx.gateway_asn = MODEL_GATEWAY_ASN;
	c.ctx.endpoint[0] = 0x7f000001;		/* 127.0.0.1 */
	c.ctx.reserved.addr = MODEL_RESERVED_NET;
	c.ctx.reserved.len = MODEL_RESERVED_PLEN;
	c.ike_port = 500;
	c.natt_port = 4500;
	c.traffic_days = 30;
	c.traffic_max_rows = 1000000;
	c.heartbeat_s = 5;

	while ((ch = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'K': key = opts[li].name; break;
		case 'd': key = "db"; break;
		case 'a': key = "api"; break;
		case 'e': key = "endpoint"; break;
		case 'n': key = "asn"; break;
		case 'D': key = "data-dir"; break;
		case 'l': key = "log-level"; break;
		case 'I': key = "ike-port"; break;
		case 'N': key = "natt-port"; break;
		case 'p': key = "netns-prefix"; break;
		case 'g': key = "egress"; break;
		case 'w': key = "esp-workers"; break;
		case 'X':
			c.no_dataplane = true;
			continue;
		case 'T':
			c.branch_transit = true;
			continue;
		case 'U':
			c.policy_block_unnamed = true;
			continue;
		case 'c':
			if (cfg_file(&c, optarg) == -1)
				return 64;
			continue;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
		if (cfg_set(&c, key, optarg) == -1)
			return 64;
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	if (c.ike_port != 0 && c.ike_port == c.natt_port) {
		fprintf(stderr, "branchgated: --ike-port and --natt-port must "
		    "differ (RFC 3948 demultiplexes on the NAT-T port)\n");
		return 64;
	}
	if (c.cpe)
		return run_cpe(&c);
	if (c.cpe_only != NULL) {
		fprintf(stderr, "branchgated: '%s' needs --role cpe\n",
		    c.cpe_only);
		return 64;
	}
	if (c.api_only)
		return run_api(&c);

	/*
	 * Block the stop signals before any thread exists, so that the API
	 * thread inherits the mask; the gateway loop on this thread unblocks
	 * them once its handlers are in place.
	 */
	block_signals(&sigs);
	raise_nofile();

	/* Two handles: SQLite WAL lets the API thread and the gateway share the file. */
	if (store_open(c.db, &st, err, sizeof(err)) == -1 ||
	    store_open(c.db, &gst, err, sizeof(err)) == -1) {
		log_err("cannot open store %s: %s", c.db, err);
		goto out;
	}
	/*
	 * The traffic logs: the API's reading handle, and the retention
	 * timer on a connection of its own (docs/store.md, "Traffic logs").
	 */
	if (store_traffic_open(c.db, c.traffic_db[0] != '\0' ? c.traffic_db :
	    NULL, &tst, err, sizeof(err)) == -1 ||
	    store_traffic_open(c.db, c.traffic_db[0] != '\0' ? c.traffic_db :
	    NULL, &gtst, err, sizeof(err)) == -1) {
		log_err("cannot open the traffic log store: %s", err);
		goto out;
	}
	if (store_traffic_pruner_start(c.db, c.traffic_db[0] != '\0' ?
	    c.traffic_db : NULL, c.traffic_days, c.traffic_max_rows,
	    &pruner) == -1)
		goto out;
	memset(&gc, 0, sizeof(gc));
	memcpy(gc.endpoint, c.ctx.endpoint, sizeof(gc.endpoint));
	gc.node = c.node[0] != '\0' ? c.node : NULL;
	gc.ike_port = c.ike_port;
	gc.natt_port = c.natt_port;
	gc.dataplane = !c.no_dataplane;
	gc.netns_prefix = c.netns_prefix[0] != '\0' ? c.netns_prefix : NULL;
	gc.egress = c.egress;
	gc.branch_transit = c.branch_transit;
	/* What validation refuses is what the egress uses (0: both default). */
	gc.transfer_net = c.ctx.reserved.len != 0 ? c.ctx.reserved.addr : 0;
	gc.transfer_plen = c.ctx.reserved.len;
	gc.esp_workers = c.esp_workers;
	gc.replay_window = c.replay_window;
	gc.rekey_bytes = c.rekey_bytes;
	gc.cookie_threshold = c.cookie_threshold;
	gc.dpd_interval_s = c.dpd_interval;
	gc.retransmit_base_ms = c.rtx_base_ms;
	gc.retransmit_tries = c.rtx_tries;
	gc.datadir = c.datadir;
	gc.alive_interval_s = c.alive_interval;
	gc.asn = c.ctx.gateway_asn;
	if (load_webcat(&c, &webcat) == -1)
		goto out;
	/* The gw thread writes traffic records on its own connection. */
	gc.tlog = gtst;
	gc.webcat = webcat;
	gc.policy_block_unnamed = c.policy_block_unnamed;
	if (gw_new(&gw, gst, &gc) == -1)
		goto out;
	memset(&ac, 0, sizeof(ac));
	ac.webcat = webcat;
	ac.listen = c.listen;
	ac.public_url = c.public_url[0] != '\0' ? c.public_url : NULL;
	ac.datadir = c.datadir;
	ac.branch_transit_default = c.branch_transit;
	ac.webdir = c.webdir;
	ac.ctx = c.ctx;
	ac.placement = c.node[0] != '\0';
	ac.operator_set = c.operator_set;
	memcpy(ac.operator_hash, c.operator_hash, sizeof(ac.operator_hash));
	ac.on_change = gw_config_changed;
	ac.on_change_arg = gw;
	ac.link_status = gw_link_status;
	ac.link_status_arg = gw;
	ac.link_routes = gw_link_routes;
	ac.metrics_listen = c.metrics[0] != '\0' ? c.metrics : NULL;
	ac.version = BRANCHGATE_VERSION;
	ac.metrics = gw_metrics;
	ac.metrics_arg = gw;
	ac.traffic = tst;
	if (api_start(&api, st, &ac) == -1)
		goto out;
	if (start_beat(&c, gw, &beat) == -1)
		goto out;
	for (i = 0; i < MODEL_ZONES_MAX; i++)
		if (c.ctx.endpoint[i] != 0)
			log_info("gateway zone %d endpoint %s", i + 1,
			    ip4_fmt(c.ctx.endpoint[i], ep));
	log_info("gateway ASN %u, store %s (schema %d)", c.ctx.gateway_asn,
	    c.db, store_schema_version(st));
	log_api_listening(&c, api);

	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	if (gw_run(gw) == 0)
		rc = 0;
out:
	node_beat_stop(beat);
	/* The API first: its on_change hook points at the gateway. */
	api_stop(api);
	store_traffic_pruner_stop(pruner);
	store_traffic_close(tst);
	gw_free(gw);
	store_traffic_close(gtst);
	policy_webcat_free(webcat);
	store_close(gst);
	store_close(st);
	return rc;
}
