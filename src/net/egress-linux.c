/*
 * egress-linux.c - egress.h on Linux: veth pairs over rtnetlink (rtnl.h),
 * NAT and filtering with libnftables. Rulesets are nft text handed to the
 * library, one transaction each: "add table; delete table; table {...}"
 * replaces whatever was there atomically, crash leftovers included. The
 * tenant-side ruleset is loaded by a thread inside the tenant namespace
 * (libnftables talks netlink in the namespace of the thread that creates
 * its context) and goes away with the namespace.
 */
#include "egress.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "ip4.h"
#include "log.h"
#include "netns.h"
#include "rtnl.h"

#define EGRESS_TABLE_MAX	64
#define EGRESS_RULESET_MAX	2048

struct egress {
	char		 table[EGRESS_TABLE_MAX];
	uint32_t	 net;
	uint8_t		 plen;
	uint32_t	 nslots;	/* /30s in the transfer range */
	uint8_t		*used;		/* bitmap of nslots bits */
	struct rtnl	*rtnl;		/* the daemon's namespace */
};

/* nft identifiers: a letter, then letters, digits and '_'. */
static int
egress_table_name(const char *prefix, char *out, size_t len)
{
	size_t i, o = 0;
	int n;

	if (!((prefix[0] >= 'a' && prefix[0] <= 'z') ||
	    (prefix[0] >= 'A' && prefix[0] <= 'Z'))) {
		if (len < 2)
			return -1;
		out[o++] = 't';
	}
	for (i = 0; prefix[i] != '\0' && o + 1 < len; i++) {
		char c = prefix[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')))
			c = '_';
		out[o++] = c;
	}
	if (prefix[i] != '\0')
		return -1;
	n = snprintf(out + o, len - o, "egress");
	return n < 0 || (size_t)n >= len - o ? -1 : 0;
}

/*
 * Runs on a thread of its own (netns_run), never the caller's: libnftables
 * waits for netlink replies with select(2), and an FD_SETSIZE (1024) or
 * higher socket aborts the process (glibc's fortified FD_SET). A gateway
 * with ~320 links has that many descriptors open (measured: abort at 321
 * links, bench/loadgen.sh), so the thread takes a private copy of the fd
 * table and closes everything above stderr in it: the library's socket is
 * then fd 3. The process's own descriptors are untouched; the copy goes
 * with the thread.
 */
static int
egress_nft(void *arg)
{
	const char *ruleset = arg;
	struct nft_ctx *ctx;
	int rc = -1;

	if (unshare(CLONE_FILES) == -1 || close_range(3, ~0U, 0) == -1) {
		log_err("egress: private fd table for nft: %s", strerror(errno));
		return -1;
	}
	if ((ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0)
		goto fail;
	if (nft_run_cmd_from_buffer(ctx, ruleset) != 0) {
		log_err("egress: nft: %s", nft_ctx_get_error_buffer(ctx));
		errno = EINVAL;
		goto fail;
	}
	rc = 0;
fail:
	nft_ctx_free(ctx);
	return rc;
}

int
egress_tenant_isolate(int ns_fd, bool transit)
{
	/*
	 * Replaces what was there (the tenant's setting may change while
	 * its namespace lives): add + delete makes "no table" and "a table"
	 * the same starting point. tun0 by name: its index may change when
	 * the TUN is made again.
	 */
	static char off[] =
	    "add table ip bg_tenant\n"
	    "delete table ip bg_tenant\n";
	static char rs[] =
	    "add table ip bg_tenant\n"
	    "delete table ip bg_tenant\n"
	    "table ip bg_tenant {\n"
	    "  chain forward {\n"
	    "    type filter hook forward priority 0; policy accept;\n"
	    "    iifname \"tun0\" oifname \"tun0\" counter drop "
	    "comment \"branch-to-branch transit is off\"\n"
	    "  }\n"
	    "}\n";

	return netns_run(ns_fd, egress_nft, transit ? off : rs);
}

static int
egress_ruleset(struct egress *eg, char *buf, size_t len, uint32_t snat)
{
	char net[IP4_STRLEN], to[IP4_STRLEN + 16];
	int n;

	ip4_fmt(eg->net, net);
	if (snat != 0) {
		strcpy(to, "snat to ");
		ip4_fmt(snat, to + strlen(to));
	} else
		strcpy(to, "masquerade");
	n = snprintf(buf, len,
	    "add table ip %1$s\n"
	    "delete table ip %1$s\n"
	    "table ip %1$s {\n"
	    " chain postrouting {\n"
	    "  type nat hook postrouting priority srcnat; policy accept;\n"
	    "  ip saddr %2$s/%3$u ip daddr != %2$s/%3$u %4$s\n"
	    " }\n"
	    " chain forward {\n"
	    "  type filter hook forward priority filter; policy accept;\n"
	    "  ip daddr %2$s/%3$u ct state established,related accept\n"
	    "  ip daddr %2$s/%3$u drop\n"
	    " }\n"
	    " chain input {\n"
	    "  type filter hook input priority filter; policy accept;\n"
	    "  ip saddr %2$s/%3$u ct state established,related accept\n"
	    "  ip saddr %2$s/%3$u drop\n"
	    " }\n"
	    "}\n", eg->table, net, eg->plen, to);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
egress_open(struct egress **out, const struct egress_cfg *cfg)
{
	char rs[EGRESS_RULESET_MAX];
	struct egress *eg;

	*out = NULL;
	if ((eg = calloc(1, sizeof(*eg))) == NULL)
		return -1;
	eg->net = cfg->transfer_net ? cfg->transfer_net : EGRESS_TRANSFER_NET;
	eg->plen = cfg->transfer_net ? cfg->transfer_plen :
	    EGRESS_TRANSFER_PLEN;
	if (eg->plen < 8 || eg->plen > 28 ||
	    (eg->net & ((1u << (32 - eg->plen)) - 1)) != 0) {
		log_err("egress: bad transfer range /%u", eg->plen);
		goto fail;
	}
	if (egress_table_name(cfg->prefix, eg->table, sizeof(eg->table))) {
		log_err("egress: bad prefix %s", cfg->prefix);
		goto fail;
	}
	eg->nslots = 1u << (32 - eg->plen - 2);
	if ((eg->used = calloc(eg->nslots / 8 + 1, 1)) == NULL)
		goto fail;
	if (rtnl_open(&eg->rtnl, -1) == -1) {
		log_err("egress: rtnetlink: %s", strerror(errno));
		goto fail;
	}
	if (netns_sysctl(-1, "/proc/sys/net/ipv4/ip_forward", "1") == -1)
		goto fail;
	if (egress_ruleset(eg, rs, sizeof(rs), cfg->snat_addr) == -1 ||
	    netns_run(-1, egress_nft, rs) == -1)
		goto fail;
	*out = eg;
	return 0;
fail:
	rtnl_close(eg->rtnl);
	free(eg->used);
	free(eg);
	return -1;
}

static void
egress_table_del(const char *table)
{
	char rs[EGRESS_RULESET_MAX];

	snprintf(rs, sizeof(rs), "add table ip %1$s\ndelete table ip %1$s\n",
	    table);
	(void)netns_run(-1, egress_nft, rs);
}

void
egress_close(struct egress *eg)
{
	if (eg == NULL)
		return;
	egress_table_del(eg->table);
	rtnl_close(eg->rtnl);
	free(eg->used);
	free(eg);
}

int
egress_cleanup_stale(const char *prefix)
{
	char table[EGRESS_TABLE_MAX];

	if (egress_table_name(prefix, table, sizeof(table)) == -1)
		return -1;
	egress_table_del(table);
	return 0;
}

uint32_t
egress_tenant_addr(const struct egress *eg, uint32_t slot)
{
	return eg->net + slot * 4 + 2;
}

static int
egress_tenant_ns(void *arg)
{
	char rs[EGRESS_RULESET_MAX];
	const char *table = arg;

	snprintf(rs, sizeof(rs),
	    "add table ip %1$s\n"
	    "delete table ip %1$s\n"
	    "table ip %1$s {\n"
	    " chain postrouting {\n"
	    "  type nat hook postrouting priority srcnat; policy accept;\n"
	    "  oifname \"%2$s\" masquerade\n"
	    " }\n"
	    "}\n", table, EGRESS_IFNAME);
	return egress_nft(rs);
}

int
egress_tenant_add(struct egress *eg, int ns_fd, const char *name,
    uint32_t *slot)
{
	uint32_t s, base;
	struct rtnl *tr = NULL;
	bool veth = false;
	int gi, ti;

	for (s = 0; s < eg->nslots; s++)
		if (!(eg->used[s / 8] & (1u << (s % 8))))
			break;
	if (s == eg->nslots) {
		log_err("egress: %s: transfer range full (%u tenants); "
		    "start with a wider --reserved-range", name, eg->nslots);
		return -1;
	}
	base = eg->net + s * 4;
	if (rtnl_veth_add(eg->rtnl, name, EGRESS_IFNAME, ns_fd) == -1)
		goto fail_errno;
	veth = true;
	if ((gi = rtnl_ifindex(eg->rtnl, name)) == -1 ||
	    rtnl_addr(eg->rtnl, true, gi, base + 1, 30) == -1 ||
	    rtnl_link_set(eg->rtnl, gi, 0, true) == -1)
		goto fail_errno;
	if (rtnl_open(&tr, ns_fd) == -1 ||
	    (ti = rtnl_ifindex(tr, EGRESS_IFNAME)) == -1 ||
	    rtnl_addr(tr, true, ti, base + 2, 30) == -1 ||
	    rtnl_link_set(tr, ti, 0, true) == -1 ||
	    rtnl_route(tr, true, ti, 0, 0, base + 1) == -1)
		goto fail_errno;
	rtnl_close(tr);
	tr = NULL;
	if (netns_run(ns_fd, egress_tenant_ns, eg->table) == -1)
		goto fail;
	eg->used[s / 8] |= (uint8_t)(1u << (s % 8));
	*slot = s;
	return 0;
fail_errno:
	log_err("egress: %s: veth: %s", name, strerror(errno));
fail:
	rtnl_close(tr);
	/* Deleting one end of a veth deletes the pair. */
	if (veth)
		rtnl_link_del(eg->rtnl, name);
	return -1;
}

void
egress_tenant_del(struct egress *eg, const char *name, uint32_t slot)
{
	if (rtnl_link_del(eg->rtnl, name) == -1 && errno != ENODEV)
		log_warn("egress: delete veth %s: %s", name, strerror(errno));
	if (slot < eg->nslots)
		eg->used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
}
