/*
 * gw_dp.c - the gateway's data plane orchestration (gw_dp.h).
 *
 *   gw_dp_links (reload)  -> tenant_net_up/down, set_addrs, add/del_route,
 *                            esp_table links + LPMs, worker TUN queues
 *   child_install         -> esp_sa_new(in), esp_sa_new(out) -> esp_table
 *   child_delete          -> esp_table linger (inbound kept 5 s)
 *   child_update          -> new endpoints and encapsulation (RFC 7296
 *                            §2.23: NAT mapping moved) of the outbound SA
 *   learned_add/del (BGP) -> esp_table learned prefixes of the link, and
 *                            the kernel route prefix dev tun0, counted per
 *                            tenant (two links may announce one prefix)
 *
 * Order that keeps the workers safe: a new tenant is published before its
 * TUN queues join the workers' epoll sets; a removed tenant leaves the
 * epoll sets, then the table (commit = grace period), and only then are
 * its fds closed by tenant_net_down.
 *
 * Tenant network names are <prefix><short id>, the short id being 8 (or
 * as many as fit in 15 characters) hex digits of the tenant GUID; on a
 * clash another part of the GUID is used.
 */
#include "gw_dp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "egress.h"
#include "esp_sa.h"
#include "esp_table.h"
#include "esp_worker.h"
#include "gw_bgp.h"
#include "gw_host.h"
#include "ike.h"
#include "ip4.h"
#include "log.h"
#include "pfxset.h"
#include "policy_flow.h"
#include "policy_snap.h"
#include "policy_table.h"
#include "store.h"
#include "tenant_net.h"

struct dp_tenant {
	char		 id[MODEL_ID_LEN + 1];
	char		 short_id[TENANT_NET_NAME_MAX + 1];
	struct tenant_net *tn;
	uint32_t	 gen;
	int		 fds[ESP_TABLE_QUEUES_MAX];
	uint32_t	*routes;	/* peer /32s installed */
	size_t		 nroutes;
	/* BGP-learned prefixes routed into the TUN, and how many hold each. */
	struct pfxset	 learned;
	bool		 seen;
	bool		 transit;	/* branch to branch (its nft rules) */
};

struct gw_dp {
	char		 prefix[TENANT_NET_NAME_MAX + 1];
	bool		 transit;		/* --branch-transit */
	unsigned	 nworkers;
	struct esp_sa_cfg sa_cfg;	/* workers, replay window, byte limits */
	struct egress	*egress;
	struct esp_table *table;
	struct policy_table *policy;		/* per tenant slot */
	struct esp_workers *workers;
	int		 ike_pair[2];		/* [0] gw reads, [1] workers write */
	struct dp_tenant **t;			/* [ESP_TABLE_TENANTS_MAX], slot = index */
	uint32_t	 gen;
	bool		 learned_dirty;		/* esp_table commit pending */
};

/* --- tenants ------------------------------------------------------------------ */

static struct dp_tenant *
dp_tenant_find(struct gw_dp *dp, const char *id, uint32_t *slot)
{
	uint32_t i;

	for (i = 0; i < ESP_TABLE_TENANTS_MAX; i++)
		if (dp->t[i] != NULL && strcmp(dp->t[i]->id, id) == 0) {
			*slot = i;
			return dp->t[i];
		}
	return NULL;
}

static bool
dp_short_used(const struct gw_dp *dp, const char *s)
{
	uint32_t i;

	for (i = 0; i < ESP_TABLE_TENANTS_MAX; i++)
		if (dp->t[i] != NULL && strcmp(dp->t[i]->short_id, s) == 0)
			return true;
	return false;
}

static int
dp_short_id(const struct gw_dp *dp, const char *id, char *out, size_t cap)
{
	char hex[64];
	size_t n = 0, len, off, room;
	const char *p;

	for (p = id; *p != '\0' && n + 1 < sizeof(hex); p++)
		if (isxdigit((unsigned char)*p))
			hex[n++] = (char)tolower((unsigned char)*p);
	hex[n] = '\0';
	room = TENANT_NET_NAME_MAX - strlen(dp->prefix);
	len = room < 8 ? room : 8;
	if (len < 3 || len >= cap || n < len)
		return -1;
	for (off = 0; off + len <= n; off += len) {
		memcpy(out, hex + off, len);
		out[len] = '\0';
		if (!dp_short_used(dp, out))
			return 0;
	}
	return -1;
}

static struct dp_tenant *
dp_tenant_up(struct gw_dp *dp, const char *id, uint32_t *slot_out)
{
	struct tenant_net_cfg tc;
	struct dp_tenant *d;
	uint32_t slot;
	unsigned q;

	for (slot = 0; slot < ESP_TABLE_TENANTS_MAX; slot++)
		if (dp->t[slot] == NULL)
			break;
	if (slot == ESP_TABLE_TENANTS_MAX) {
		log_err("gw: more than %d tenants with device links",
		    ESP_TABLE_TENANTS_MAX);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	snprintf(d->id, sizeof(d->id), "%s", id);
	if (dp_short_id(dp, id, d->short_id, sizeof(d->short_id)) == -1) {
		log_err("gw: tenant %s: no free network name with prefix %s",
		    id, dp->prefix);
		free(d);
		return NULL;
	}
	memset(&tc, 0, sizeof(tc));
	tc.prefix = dp->prefix;
	tc.tenant = d->short_id;
	tc.tun_queues = dp->nworkers;
	tc.egress = dp->egress;
	tc.transit = dp->transit;
	if (tenant_net_up(&d->tn, &tc) == -1) {
		log_err("gw: tenant %s: cannot create its network", id);
		free(d);
		return NULL;
	}
	d->transit = tc.transit;
	if (++dp->gen == 0 || dp->gen == UINT32_MAX)
		dp->gen = 1;
	d->gen = dp->gen;
	for (q = 0; q < dp->nworkers; q++)
		d->fds[q] = tenant_net_tun_fd(d->tn, q);
	if (esp_table_tenant_set(dp->table, slot, d->gen, d->fds,
	    dp->nworkers) == -1) {
		tenant_net_down(d->tn);
		free(d);
		return NULL;
	}
	dp->t[slot] = d;
	log_info("gw: tenant %s: network %s", id, tenant_net_name(d->tn));
	*slot_out = slot;
	return d;
}

static void
dp_tenant_free(struct dp_tenant *d)
{
	tenant_net_down(d->tn);
	free(d->routes);
	pfxset_free(&d->learned);
	free(d);
}

static int
dp_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The same kernel route serves a peer /32 and a learned /32: keep it. */
static bool
dp_is_peer_route(const struct dp_tenant *d, uint32_t prefix, uint8_t plen)
{
	return plen == 32 && d->routes != NULL && bsearch(&prefix, d->routes,
	    d->nroutes, sizeof(*d->routes), dp_cmp_u32) != NULL;
}

/* Routes to exactly want[] (sorted, unique), addresses to addrs[]. */
static void
dp_tenant_apply(struct dp_tenant *d, uint32_t *want, size_t nwant,
    const uint32_t *addrs, size_t naddrs)
{
	char a[IP4_STRLEN];
	size_t i, j;
	bool learned;

	if (tenant_net_set_addrs(d->tn, addrs, naddrs) == -1)
		log_warn("gw: tenant %s: some BGP addresses could not be set",
		    d->id);
	for (i = 0; i < d->nroutes; i++) {
		if (bsearch(&d->routes[i], want, nwant, sizeof(*want),
		    dp_cmp_u32) != NULL)
			continue;
		(void)pfxset_pos(&d->learned, d->routes[i], 32, &learned);
		if (!learned)
			(void)tenant_net_del_route(d->tn, d->routes[i], 32);
	}
	for (j = 0; j < nwant; j++) {
		if (d->routes != NULL && bsearch(&want[j], d->routes,
		    d->nroutes, sizeof(*want), dp_cmp_u32) != NULL)
			continue;
		if (tenant_net_add_route(d->tn, want[j], 32) == -1)
			log_warn("gw: tenant %s: route %s/32 failed", d->id,
			    ip4_fmt(want[j], a));
	}
	free(d->routes);
	d->routes = want;
	d->nroutes = nwant;
}

void
gw_dp_links(struct gw_dp *dp, const struct store_tenant_link *tl,
    const unsigned *prof, size_t n)
{
	struct esp_table_link *el = NULL;
	struct dp_tenant *d, *gone[64];
	uint32_t *slots = NULL, *want, *addrs, slot;
	size_t i, j, nw, na, ngone = 0;
	unsigned k;
	bool more = true, want_transit;

	if (n > 0 && ((el = calloc(n, sizeof(*el))) == NULL ||
	    (slots = calloc(n, sizeof(*slots))) == NULL)) {
		log_err("gw: out of memory applying links to the data plane");
		goto out;
	}
	for (slot = 0; slot < ESP_TABLE_TENANTS_MAX; slot++)
		if (dp->t[slot] != NULL)
			dp->t[slot]->seen = false;
	for (i = 0; i < n; i++) {
		slots[i] = UINT32_MAX;
		if ((d = dp_tenant_find(dp, tl[i].tenant_id, &slot)) == NULL &&
		    (d = dp_tenant_up(dp, tl[i].tenant_id, &slot)) != NULL &&
		    esp_table_commit(dp->table) == 0 &&
		    esp_workers_tenant_add(dp->workers, slot, d->gen, d->fds,
		    dp->nworkers) == -1)
			log_err("gw: tenant %s: TUN not polled",
			    tl[i].tenant_id);
		if (d == NULL)
			continue;
		d->seen = true;
		slots[i] = slot;
		/* The tenant's forwarding option, applied in place. */
		want_transit = prof != NULL && (prof[i] & GW_BGP_PROF_TRANSIT);
		if (d->transit != want_transit) {
			if (tenant_net_transit(d->tn, want_transit) == 0) {
				d->transit = want_transit;
				log_info("gw: tenant %s: branch-to-branch transit "
				    "%s", d->id, want_transit ? "on" : "off");
			} else
				log_err("gw: tenant %s: cannot turn transit %s",
				    d->id, want_transit ? "on" : "off");
		}
	}
	/* Per tenant: BGP addresses and peer routes of its links. */
	for (slot = 0; slot < ESP_TABLE_TENANTS_MAX; slot++) {
		if ((d = dp->t[slot]) == NULL || !d->seen)
			continue;
		want = calloc(n + 1, sizeof(*want));
		addrs = calloc(2 * n + 1, sizeof(*addrs));
		if (want == NULL || addrs == NULL) {
			free(want);
			free(addrs);
			continue;
		}
		for (i = 0, nw = 0, na = 0; i < n; i++) {
			if (slots[i] != slot)
				continue;
			if (tl[i].link.bgp_local != 0)
				addrs[na++] = tl[i].link.bgp_local;
			if (tl[i].link.zone_local != 0)
				addrs[na++] = tl[i].link.zone_local;
			if (tl[i].link.bgp_peer != 0)
				want[nw++] = tl[i].link.bgp_peer;
		}
		qsort(want, nw, sizeof(*want), dp_cmp_u32);
		for (i = 0, j = 0; i < nw; i++)
			if (j == 0 || want[j - 1] != want[i])
				want[j++] = want[i];
		dp_tenant_apply(d, want, j, addrs, na);
		free(addrs);
	}
	for (i = 0; i < n; i++) {
		snprintf(el[i].id, sizeof(el[i].id), "%s", tl[i].link.id);
		el[i].tenant = slots[i];
		el[i].peer_bgp = tl[i].link.bgp_peer;
		/* A branch sends from its own addresses only (uRPF). */
		el[i].src_check = true;
		for (k = 0; k < tl[i].link.nsrc && k < ESP_TABLE_LINK_SRC_MAX;
		    k++) {
			el[i].src[k].prefix = tl[i].link.src[k].addr;
			el[i].src[k].plen = tl[i].link.src[k].len;
		}
		el[i].nsrc = k;
		snprintf(el[i].rn_id, sizeof(el[i].rn_id), "%s",
		    tl[i].link.rn_id);
		/* Traffic no assigned forwarding profile covers is dropped. */
		el[i].profiles = ESP_PROF_ENFORCE;
		if (prof != NULL && (prof[i] & GW_BGP_PROF_INTERNET))
			el[i].profiles |= ESP_PROF_INTERNET;
		if (prof != NULL && (prof[i] & GW_BGP_PROF_M365))
			el[i].profiles |= ESP_PROF_M365;
		el[i].gw_local[0] = tl[i].link.bgp_local;
		el[i].gw_local[1] = tl[i].link.zone_local;
	}
	if (esp_table_links_set(dp->table, el, n) == -1)
		log_err("gw: out of memory setting data plane links");
	/* Tenants without links: out of the epoll sets, the table, then down. */
	while (more) {
		more = false;
		ngone = 0;
		for (slot = 0; slot < ESP_TABLE_TENANTS_MAX; slot++) {
			if ((d = dp->t[slot]) == NULL || d->seen)
				continue;
			if (ngone == sizeof(gone) / sizeof(gone[0])) {
				more = true;
				break;
			}
			esp_workers_tenant_del(dp->workers, d->fds, dp->nworkers);
			esp_table_tenant_del(dp->table, slot);
			policy_table_set(dp->policy, slot, NULL);
			dp->t[slot] = NULL;
			gone[ngone++] = d;
		}
		(void)esp_table_commit(dp->table);
		for (i = 0; i < ngone; i++) {
			log_info("gw: tenant %s has no device links: removing "
			    "its network", gone[i]->id);
			dp_tenant_free(gone[i]);
		}
	}
out:
	free(el);
	free(slots);
}

/* --- CHILD SAs ------------------------------------------------------------------- */

void
gw_dp_child_install(struct gw_dp *dp, const struct ike_child_sa *c,
    monotime_t now)
{
	int rc;

	if ((rc = gw_host_sa_install(dp->table, &dp->sa_cfg, c, now)) == -1)
		log_err("gw: link %s: CHILD_SA 0x%08x/0x%08x not installed in "
		    "the data plane (unsupported algorithm or no memory)",
		    c->link_id, c->spi_in, c->spi_out);
	if (rc != 0)
		return;
	if (!c->udp_encap && !esp_workers_raw(dp->workers))
		log_warn("gw: link %s: CHILD_SA 0x%08x without UDP "
		    "encapsulation (no NAT), but no raw ESP socket: its "
		    "traffic is dropped (no-raw)", c->link_id, c->spi_in);
}

void
gw_dp_child_delete(struct gw_dp *dp, uint32_t spi_in, monotime_t now)
{
	gw_host_sa_delete(dp->table, spi_in, now);
}

void
gw_dp_child_update(struct gw_dp *dp, uint32_t spi_in,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    bool udp_encap)
{
	gw_host_sa_update(dp->table, spi_in, local, remote, udp_encap);
}

struct dp_walk {
	void		(*rekey)(void *, const char *);
	void		*arg;
};

static void
dp_rekey_one(void *arg, const char *link_id, uint32_t spi_in, bool hard)
{
	struct dp_walk *w = arg;

	if (w->rekey == NULL)
		return;
	log_info("gw: link %s: ESP SA 0x%08x reached its %s lifetime: "
	    "rekeying", link_id, spi_in, hard ? "hard" : "soft");
	w->rekey(w->arg, link_id);
}

void
gw_dp_tick(struct gw_dp *dp, monotime_t now,
    void (*rekey)(void *, const char *), void *arg)
{
	struct dp_walk w = { rekey, arg };

	gw_host_sa_tick(dp->table, now, dp_rekey_one, &w);
	gw_dp_learned_commit(dp);
}

static void
dp_log_sa(void *arg, const char *link_id, struct esp_sa *in,
    struct esp_sa *out, bool lingering)
{
	struct esp_sa_stats si, so;

	(void)arg;
	esp_sa_get_stats(in, &si);
	esp_sa_get_stats(out, &so);
	log_info("esp: link %s sa in 0x%08x out 0x%08x%s: in %llu pkts %llu "
	    "bytes (replay %llu auth %llu malformed %llu padding %llu "
	    "next-header %llu expired %llu), out %llu pkts %llu bytes",
	    link_id, esp_sa_spi(in), esp_sa_spi(out),
	    lingering ? " (lingering)" : "",
	    (unsigned long long)si.packets, (unsigned long long)si.bytes,
	    (unsigned long long)si.replay, (unsigned long long)si.auth_failed,
	    (unsigned long long)si.malformed,
	    (unsigned long long)si.bad_padding,
	    (unsigned long long)si.bad_next_header,
	    (unsigned long long)si.expired, (unsigned long long)so.packets,
	    (unsigned long long)so.bytes);
}

struct dp_stats_walk {
	void	(*fn)(void *, const char *, const struct esp_sa_stats *,
		    const struct esp_sa_stats *);
	void	*arg;
};

static void
dp_stats_one(void *arg, const char *link_id, struct esp_sa *in,
    struct esp_sa *out, bool lingering)
{
	struct dp_stats_walk *w = arg;
	struct esp_sa_stats si, so;

	(void)lingering;
	esp_sa_get_stats(in, &si);
	esp_sa_get_stats(out, &so);
	w->fn(w->arg, link_id, &si, &so);
}

void
gw_dp_sa_stats(struct gw_dp *dp, void (*fn)(void *, const char *,
    const struct esp_sa_stats *, const struct esp_sa_stats *), void *arg)
{
	struct dp_stats_walk w = { fn, arg };

	/* Live and lingering SAs, then what retired ones counted: totals. */
	esp_table_walk(dp->table, dp_stats_one, &w);
	esp_table_walk_totals(dp->table, fn, arg);
}

void
gw_dp_log_stats(struct gw_dp *dp)
{
	struct esp_worker_stats st;
	char drops[512];
	size_t off = 0;
	unsigned d;

	esp_workers_stats(dp->workers, &st);
	drops[0] = '\0';
	for (d = 0; d < ESP_WD_MAX && off < sizeof(drops); d++)
		off += (size_t)snprintf(drops + off, sizeof(drops) - off,
		    " %s %llu", esp_worker_drop_name(d),
		    (unsigned long long)st.drop[d]);
	log_info("esp: workers rx %llu pkts %llu bytes, tx %llu pkts %llu "
	    "bytes, ike %llu keepalive %llu, raw esp rx %llu tx %llu; "
	    "drops:%s",
	    (unsigned long long)st.rx_esp, (unsigned long long)st.rx_bytes,
	    (unsigned long long)st.tx_esp, (unsigned long long)st.tx_bytes,
	    (unsigned long long)st.rx_ike,
	    (unsigned long long)st.rx_keepalive,
	    (unsigned long long)st.rx_raw, (unsigned long long)st.tx_raw,
	    drops);
	esp_table_walk(dp->table, dp_log_sa, NULL);
}

/* --- BGP -------------------------------------------------------------------------- */

static struct dp_tenant *
dp_tenant_by_id(struct gw_dp *dp, const char *tenant_id)
{
	uint32_t slot;

	return dp_tenant_find(dp, tenant_id, &slot);
}

void
gw_dp_worker_stats(const struct gw_dp *dp, struct esp_worker_stats *out)
{
	esp_workers_stats(dp->workers, out);
}

int
gw_dp_tenant_socket(struct gw_dp *dp, const char *tenant_id, int type)
{
	struct dp_tenant *d;

	if ((d = dp_tenant_by_id(dp, tenant_id)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	return tenant_net_socket(d->tn, AF_INET, type, 0);
}

static uint32_t
dp_mask(uint32_t prefix, uint8_t plen)
{
	return plen == 0 ? 0 : prefix & (UINT32_MAX << (32 - plen));
}

size_t
gw_dp_route_members(struct gw_dp *dp, const char *tenant_id, uint32_t prefix,
    uint8_t plen, struct esp_table_member *out, size_t max)
{
	uint32_t slot;

	if (dp == NULL || dp_tenant_find(dp, tenant_id, &slot) == NULL)
		return 0;
	return esp_table_route_members(dp->table, slot, prefix, plen, out,
	    max);
}

int
gw_dp_learned_add(struct gw_dp *dp, const char *tenant_id,
    const char *link_id, uint32_t prefix, uint8_t plen)
{
	struct dp_tenant *d;
	size_t pos;
	bool found;

	if (plen > 32 || (d = dp_tenant_by_id(dp, tenant_id)) == NULL)
		return -1;
	prefix = dp_mask(prefix, plen);
	pos = pfxset_pos(&d->learned, prefix, plen, &found);
	if (found && d->learned.e[pos].refs == PFXSET_REFS_MAX)
		return -1;
	/* Ours first (it appends, so it is undone exactly): no room, no add. */
	if (!found && pfxset_insert(&d->learned, pos, prefix, plen) == -1)
		return -1;
	if (esp_table_learned_add(dp->table, link_id, prefix, plen) == -1) {
		if (!found)
			pfxset_remove(&d->learned, pos);
		return -1;
	}
	dp->learned_dirty = true;
	if (found) {
		d->learned.e[pos].refs++;
		return 0;
	}
	/* A failure is logged by tun.c; the ESP table still has the prefix. */
	if (!dp_is_peer_route(d, prefix, plen))
		(void)tenant_net_add_route(d->tn, prefix, plen);
	return 0;
}

void
gw_dp_learned_del(struct gw_dp *dp, const char *tenant_id,
    const char *link_id, uint32_t prefix, uint8_t plen)
{
	struct dp_tenant *d;
	size_t pos;
	bool found;

	if (plen > 32)
		return;
	prefix = dp_mask(prefix, plen);
	if (esp_table_learned_del(dp->table, link_id, prefix, plen) == 0)
		dp->learned_dirty = true;
	/* The tenant's network went first: its routes went with it. */
	if ((d = dp_tenant_by_id(dp, tenant_id)) == NULL)
		return;
	pos = pfxset_pos(&d->learned, prefix, plen, &found);
	if (!found || --d->learned.e[pos].refs > 0)
		return;
	pfxset_remove(&d->learned, pos);
	if (!dp_is_peer_route(d, prefix, plen))
		(void)tenant_net_del_route(d->tn, prefix, plen);
}

void
gw_dp_learned_attr(struct gw_dp *dp, const char *link_id, uint32_t prefix,
    uint8_t plen, uint32_t path_len, uint32_t med, uint32_t nas)
{
	if (esp_table_learned_attr(dp->table, link_id, prefix, plen, path_len,
	    med, nas) == 0)
		dp->learned_dirty = true;
}

void
gw_dp_learned_zone(struct gw_dp *dp, const char *link_id, int zone,
    uint32_t prefix, uint8_t plen, bool held, uint32_t path_len,
    uint32_t med, uint32_t nas)
{
	if (esp_table_learned_zone(dp->table, link_id, zone, prefix, plen,
	    held, path_len, med, nas) == 0)
		dp->learned_dirty = true;
	else if (held)
		log_warn("gw: link %s zone %d: no memory for a zone record: "
		    "the zone is no ECMP member for one prefix", link_id,
		    zone);
}

void
gw_dp_learned_commit(struct gw_dp *dp)
{
	if (!dp->learned_dirty)
		return;
	/* On failure the flag stays: the next change or tick retries. */
	if (esp_table_commit(dp->table) == 0)
		dp->learned_dirty = false;
}

/* --- life cycle ---------------------------------------------------------------- */

int
gw_dp_ike_fd(const struct gw_dp *dp)
{
	return dp->ike_pair[0];
}

int
gw_dp_new(struct gw_dp **out, const struct gw_dp_cfg *cfg)
{
	struct esp_workers_cfg wc;
	struct egress_cfg ec;
	struct gw_dp *dp;
	long ncpu;
	int n;

	*out = NULL;
	if ((dp = calloc(1, sizeof(*dp))) == NULL ||
	    (dp->t = calloc(ESP_TABLE_TENANTS_MAX, sizeof(*dp->t))) == NULL) {
		free(dp);
		return -1;
	}
	dp->ike_pair[0] = dp->ike_pair[1] = -1;
	dp->transit = cfg->transit;
	snprintf(dp->prefix, sizeof(dp->prefix), "%s",
	    cfg->prefix != NULL ? cfg->prefix : TENANT_NET_PREFIX);
	dp->nworkers = cfg->workers;
	if (dp->nworkers == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		dp->nworkers = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (dp->nworkers > ESP_TABLE_QUEUES_MAX)
		dp->nworkers = ESP_TABLE_QUEUES_MAX;
	esp_sa_cfg_init(&dp->sa_cfg, dp->nworkers, cfg->replay_window,
	    cfg->rekey_bytes);

	if ((n = tenant_net_cleanup_stale(dp->prefix)) == -1) {
		log_err("gw: cannot clean up tenant networks %s* (root and "
		    "network namespaces needed; --no-dataplane runs without)",
		    dp->prefix);
		goto fail;
	}
	if (n > 0)
		log_warn("gw: removed %d tenant network(s) %s* left by a "
		    "previous run", n, dp->prefix);
	memset(&ec, 0, sizeof(ec));
	ec.prefix = dp->prefix;
	ec.snat_addr = cfg->egress;
	ec.transfer_net = cfg->transfer_net;
	ec.transfer_plen = cfg->transfer_plen;
	if (egress_open(&dp->egress, &ec) == -1) {
		log_err("gw: cannot set up internet egress (nftables)");
		goto fail;
	}
	if ((dp->table = esp_table_new()) == NULL ||
	    (dp->policy = policy_table_new()) == NULL)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    dp->ike_pair) == -1) {
		log_err("gw: socketpair: %m");
		goto fail;
	}
	memset(&wc, 0, sizeof(wc));
	wc.n = dp->nworkers;
	wc.ips = cfg->ips;
	wc.ports = cfg->ports;
	wc.nips = cfg->nips;
	wc.table = dp->table;
	wc.policy = dp->policy;
	wc.policy_block_unnamed = cfg->policy_block_unnamed;
	wc.ike_fd = dp->ike_pair[1];
	/* RFC 7296 §2.23: without a NAT, ESP goes straight over IP. */
	wc.raw_esp = true;
	if (esp_workers_start(&dp->workers, &wc) == -1)
		goto fail;
	*out = dp;
	return 0;
fail:
	gw_dp_free(dp);
	return -1;
}

void
gw_dp_free(struct gw_dp *dp)
{
	uint32_t slot;

	if (dp == NULL)
		return;
	esp_workers_stop(dp->workers);
	if (dp->t != NULL)
		for (slot = 0; slot < ESP_TABLE_TENANTS_MAX; slot++)
			if (dp->t[slot] != NULL)
				dp_tenant_free(dp->t[slot]);
	egress_close(dp->egress);
	esp_table_free(dp->table);
	policy_table_free(dp->policy);
	if (dp->ike_pair[0] != -1)
		close(dp->ike_pair[0]);
	if (dp->ike_pair[1] != -1)
		close(dp->ike_pair[1]);
	free(dp->t);
	free(dp);
}

/* --- security policy ------------------------------------------------------- */

int
gw_dp_policy_set(struct gw_dp *dp, const char *tenant_id,
    struct policy_snap *snap)
{
	uint32_t slot;

	if (dp_tenant_find(dp, tenant_id, &slot) == NULL) {
		policy_snap_free(snap);
		return -1;
	}
	policy_table_set(dp->policy, slot, snap);
	return 0;
}

void
gw_dp_policy_m365(struct gw_dp *dp, struct lpm *m365)
{
	policy_table_m365(dp->policy, m365);
}

int
gw_dp_policy_commit(struct gw_dp *dp)
{
	return policy_table_commit(dp->policy);
}

size_t
gw_dp_traffic_pop(struct gw_dp *dp, struct model_traffic *out, size_t max)
{
	return esp_workers_traffic_pop(dp->workers, out, max);
}

void
gw_dp_policy_stats(const struct gw_dp *dp, struct policy_flows_stats *st)
{
	esp_workers_policy_stats(dp->workers, st);
}
