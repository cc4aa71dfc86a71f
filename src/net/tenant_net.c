/*
 * tenant_net.c - a tenant's namespace, TUN and egress put together
 * (tenant_net.h). The OS calls are in netns-linux.c, tun-linux.c,
 * egress-linux.c and rtnl-linux.c; this file holds the naming, the order
 * of construction and teardown, and the address bookkeeping.
 *
 * Names are <prefix><tenant>, the prefix ending in '-' or '_' and the
 * tenant id in [a-z0-9]: a name then belongs to exactly one prefix, so a
 * daemon's stale cleanup never takes another daemon's namespaces even
 * when one prefix starts with the other ("bg-" and "bg-x-").
 */
#include "tenant_net.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egress.h"
#include "log.h"
#include "netns.h"
#include "rtnl.h"
#include "tun.h"

struct tenant_net {
	char		 name[TENANT_NET_NAME_MAX + 1];
	int		 ns_fd;
	struct tun	*tun;
	struct egress	*egress;
	uint32_t	 slot;
	uint32_t	*addrs;		/* sorted, unique */
	size_t		 naddrs;
};

static bool
tenant_net_id_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool
tenant_net_prefix_ok(const char *p)
{
	size_t i, n = strlen(p);

	if (n < 2 || !((p[0] >= 'a' && p[0] <= 'z') ||
	    (p[0] >= 'A' && p[0] <= 'Z')) ||
	    (p[n - 1] != '-' && p[n - 1] != '_'))
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_'))
			return false;
	return true;
}

/* Disables IPv6 for devices made from now on in the namespace. */
static int
tenant_net_sysctls(int ns_fd)
{
	if (netns_sysctl(ns_fd, "/proc/sys/net/ipv4/ip_forward", "1") == -1)
		return -1;
	if (access("/proc/sys/net/ipv6", F_OK) == 0 &&
	    (netns_sysctl(ns_fd, "/proc/sys/net/ipv6/conf/all/disable_ipv6",
	    "1") == -1 ||
	    netns_sysctl(ns_fd, "/proc/sys/net/ipv6/conf/default/disable_ipv6",
	    "1") == -1))
		return -1;
	return 0;
}

static int
tenant_net_lo_up(int ns_fd)
{
	struct rtnl *r;
	int idx, rc = -1;

	if (rtnl_open(&r, ns_fd) == -1)
		goto fail;
	if ((idx = rtnl_ifindex(r, "lo")) == -1 ||
	    rtnl_link_set(r, idx, 0, true) == -1)
		goto fail;
	rc = 0;
fail:
	if (rc == -1)
		log_err("tenant_net: lo up: %s", strerror(errno));
	rtnl_close(r);
	return rc;
}

int
tenant_net_up(struct tenant_net **out, const struct tenant_net_cfg *cfg)
{
	const char *prefix = cfg->prefix ? cfg->prefix : TENANT_NET_PREFIX;
	struct tun_cfg tc = {
		.name = TENANT_NET_TUN,
		.queues = cfg->tun_queues,
		.mtu = cfg->mtu,
	};
	struct tenant_net *tn;
	bool made = false;
	int n;

	*out = NULL;
	if (!tenant_net_prefix_ok(prefix) || cfg->tenant == NULL ||
	    !tenant_net_id_ok(cfg->tenant)) {
		log_err("tenant_net: bad prefix %s or tenant id", prefix);
		return -1;
	}
	if ((tn = calloc(1, sizeof(*tn))) == NULL)
		return -1;
	tn->ns_fd = -1;
	n = snprintf(tn->name, sizeof(tn->name), "%s%s", prefix, cfg->tenant);
	if (n < 0 || (size_t)n >= sizeof(tn->name)) {
		log_err("tenant_net: %s%s: longer than %d characters", prefix,
		    cfg->tenant, TENANT_NET_NAME_MAX);
		goto fail;
	}
	if (netns_create(tn->name, &tn->ns_fd) == -1)
		goto fail;
	made = true;
	if (tenant_net_sysctls(tn->ns_fd) == -1 ||
	    tenant_net_lo_up(tn->ns_fd) == -1)
		goto fail;
	if (tun_open(&tn->tun, tn->ns_fd, &tc) == -1 ||
	    egress_tenant_isolate(tn->ns_fd, cfg->transit) == -1)
		goto fail;
	if (cfg->egress != NULL) {
		if (egress_tenant_add(cfg->egress, tn->ns_fd, tn->name,
		    &tn->slot) == -1)
			goto fail;
		tn->egress = cfg->egress;
	}
	log_info("tenant_net: %s up (%u TUN queue(s)%s)", tn->name,
	    tun_queues(tn->tun), tn->egress ? ", egress" : "");
	*out = tn;
	return 0;
fail:
	tun_close(tn->tun);
	if (tn->ns_fd != -1)
		close(tn->ns_fd);
	if (made)
		netns_delete(tn->name);
	free(tn);
	return -1;
}

void
tenant_net_down(struct tenant_net *tn)
{
	if (tn == NULL)
		return;
	if (tn->egress != NULL)
		egress_tenant_del(tn->egress, tn->name, tn->slot);
	tun_close(tn->tun);
	close(tn->ns_fd);
	netns_delete(tn->name);
	log_info("tenant_net: %s down", tn->name);
	free(tn->addrs);
	free(tn);
}

const char *
tenant_net_name(const struct tenant_net *tn)
{
	return tn->name;
}

int
tenant_net_ns_fd(const struct tenant_net *tn)
{
	return tn->ns_fd;
}

unsigned
tenant_net_tun_queues(const struct tenant_net *tn)
{
	return tun_queues(tn->tun);
}

int
tenant_net_tun_fd(const struct tenant_net *tn, unsigned q)
{
	return tun_fd(tn->tun, q);
}

int
tenant_net_socket(const struct tenant_net *tn, int domain, int type,
    int proto)
{
	return netns_socket(tn->ns_fd, domain, type, proto);
}

static int
tenant_net_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
tenant_net_set_addrs(struct tenant_net *tn, const uint32_t *addrs, size_t n)
{
	uint32_t *want = NULL, *have = NULL;
	size_t nw = 0, nh = 0, i, w = 0, c = 0;
	int rc = 0;

	if (n > 0) {
		if ((want = malloc(n * sizeof(*want))) == NULL)
			return -1;
		memcpy(want, addrs, n * sizeof(*want));
		qsort(want, n, sizeof(*want), tenant_net_cmp);
		for (i = 0; i < n; i++)
			if (nw == 0 || want[nw - 1] != want[i])
				want[nw++] = want[i];
	}
	/* What is on the device afterwards: at most both lists. */
	if (nw + tn->naddrs > 0 &&
	    (have = malloc((nw + tn->naddrs) * sizeof(*have))) == NULL) {
		free(want);
		return -1;
	}
	while (w < nw || c < tn->naddrs) {
		if (c == tn->naddrs || (w < nw && want[w] < tn->addrs[c])) {
			if (tun_addr_add(tn->tun, want[w]) == 0)
				have[nh++] = want[w];
			else
				rc = -1;
			w++;
		} else if (w == nw || tn->addrs[c] < want[w]) {
			if (tun_addr_del(tn->tun, tn->addrs[c]) == -1) {
				have[nh++] = tn->addrs[c];
				rc = -1;
			}
			c++;
		} else {
			have[nh++] = want[w];
			w++;
			c++;
		}
	}
	free(want);
	free(tn->addrs);
	tn->addrs = have;
	tn->naddrs = nh;
	return rc;
}

size_t
tenant_net_addrs(const struct tenant_net *tn, const uint32_t **addrs)
{
	*addrs = tn->addrs;
	return tn->naddrs;
}

int
tenant_net_add_route(struct tenant_net *tn, uint32_t dst, uint8_t plen)
{
	return tun_route_add(tn->tun, dst, plen);
}

int
tenant_net_del_route(struct tenant_net *tn, uint32_t dst, uint8_t plen)
{
	return tun_route_del(tn->tun, dst, plen);
}

struct tenant_net_stale {
	const char	*prefix;
	struct rtnl	*rtnl;
	int		 removed;
	int		 failed;
};

static void
tenant_net_stale_one(void *arg, const char *name)
{
	struct tenant_net_stale *st = arg;

	if (!tenant_net_id_ok(name + strlen(st->prefix)))
		return;		/* another prefix's: see the top */
	if (st->rtnl != NULL && rtnl_link_del(st->rtnl, name) == -1 &&
	    errno != ENODEV)
		log_warn("tenant_net: stale veth %s: %s", name,
		    strerror(errno));
	if (netns_delete(name) == -1) {
		st->failed = 1;
		return;
	}
	log_info("tenant_net: removed stale namespace %s", name);
	st->removed++;
}

int
tenant_net_cleanup_stale(const char *prefix)
{
	struct tenant_net_stale st = { .prefix = prefix };

	if (!tenant_net_prefix_ok(prefix)) {
		log_err("tenant_net: bad prefix %s", prefix);
		return -1;
	}
	if (rtnl_open(&st.rtnl, -1) == -1)
		log_warn("tenant_net: rtnetlink: %s", strerror(errno));
	if (netns_list(prefix, tenant_net_stale_one, &st) == -1)
		st.failed = 1;
	rtnl_close(st.rtnl);
	if (egress_cleanup_stale(prefix) == -1)
		st.failed = 1;
	return st.failed ? -1 : st.removed;
}

int
tenant_net_transit(struct tenant_net *tn, bool transit)
{
	return egress_tenant_isolate(tn->ns_fd, transit);
}
