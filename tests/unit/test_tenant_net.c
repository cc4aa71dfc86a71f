/*
 * test_tenant_net.c - tenant namespaces, TUN and egress (net/tenant_net)
 * against the real kernel. Needs root and /dev/net/tun; every test is
 * skipped otherwise.
 *
 * The program first moves itself into a fresh network namespace that
 * plays the daemon's (the egress table and ip_forward never touch the
 * host's). Topology, all made here:
 *
 *   tenant A ns  tun0 10.255.0.1/32 --veth 10.255.240.0/30--+
 *   tenant B ns  tun0 10.255.0.1/32 --veth 10.255.240.4/30--+ "daemon" ns
 *                                                 snat to 203.0.113.1
 *   "internet" ns  eth0 203.0.113.2/24 --veth-- 203.0.113.1/24
 *
 * Both tenants carry the same BGP address; packets written into A's TUN
 * are answered on A's TUN only, and A reaches the internet host through
 * two NATs while the internet host sees only the egress address.
 *
 * The kernel picks a multi-queue TUN's transmit queue by a flow hash whose
 * seed is random per boot, so no check here expects a given queue: replies
 * are read from whichever queue of the right tenant carries them, and each
 * queue is also forced in turn by detaching the others (TUNSETQUEUE).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "egress.h"
#include "log.h"
#include "netns.h"
#include "tenant_net.h"
#include "test_bytes.h"
#include "test_tun.h"
#include "tun.h"
#include "vnet.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define BGP_LOCAL	IP(10, 255, 0, 1)
#define BGP_PEER	IP(10, 255, 0, 2)
#define BRANCH_NET	IP(192, 168, 1, 0)
#define BRANCH_HOST	IP(192, 168, 1, 10)
#define EGRESS_ADDR	IP(203, 0, 113, 1)
#define INET_HOST	IP(203, 0, 113, 2)
#define INET_PORT	5555
#define BRANCH_PORT	4000

static bool	 have_root;
static char	 prefix[16];		/* "bt<pid>-" */
static char	 inet_ns[16];		/* "bt<pid>i" */
static char	 table[32];		/* "bt<pid>_egress" */

#define NEED_ROOT()	do { if (!have_root) skip(); } while (0)

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command quietly; its exit status. */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
ns_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	return access(path, F_OK) == 0;
}

/* --- packets (test-only builders; production parsing uses buf.h) --- */

static uint16_t
cksum(const uint8_t *p, size_t len)
{
	return (uint16_t)~tb_sum(0, p, len);
}

/* An IPv4 header (20 bytes) in front of l4; returns the total length. */
static size_t
ip4_pkt(uint8_t *p, uint8_t proto, uint32_t src, uint32_t dst,
    const uint8_t *l4, size_t l4len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	tb_put16(p + 2, (uint16_t)(20 + l4len));
	tb_put16(p + 4, 0x1234);
	p[8] = 64;
	p[9] = proto;
	tb_put32(p + 12, src);
	tb_put32(p + 16, dst);
	tb_put16(p + 10, cksum(p, 20));
	memcpy(p + 20, l4, l4len);
	return 20 + l4len;
}

static size_t
icmp_echo(uint8_t *p, uint32_t src, uint32_t dst, uint16_t id, uint16_t seq)
{
	uint8_t l4[8 + 10] = { 8, 0 };

	tb_put16(l4 + 4, id);
	tb_put16(l4 + 6, seq);
	memcpy(l4 + 8, "branchgate", 10);
	tb_put16(l4 + 2, cksum(l4, sizeof(l4)));
	return ip4_pkt(p, IPPROTO_ICMP, src, dst, l4, sizeof(l4));
}

static size_t
udp_pkt(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, const char *payload)
{
	uint8_t l4[64];
	size_t n = strlen(payload);

	tb_put16(l4, sport);
	tb_put16(l4 + 2, dport);
	tb_put16(l4 + 4, (uint16_t)(8 + n));
	tb_put16(l4 + 6, 0);		/* no checksum: allowed for IPv4 */
	memcpy(l4 + 8, payload, n);
	return ip4_pkt(p, IPPROTO_UDP, src, dst, l4, 8 + n);
}

/* The TUN speaks vnet.h: a virtio-net header before every packet. */
static ssize_t
tun_write_pkt(int fd, const uint8_t *pkt, size_t len)
{
	uint8_t hdr[VNET_HDR_LEN] = { 0 };	/* no offload, no checksum help */
	struct iovec iov[2] = { { hdr, sizeof(hdr) },
	    { (void *)(uintptr_t)pkt, len } };
	ssize_t n = writev(fd, iov, 2);

	return n < (ssize_t)sizeof(hdr) ? -1 : n - (ssize_t)sizeof(hdr);
}

/*
 * Reads IPv4 packets from any queue of tn until one with proto, up to 3 s;
 * *q (if not NULL) is the queue it came on.
 */
static ssize_t
tun_read_proto(const struct tenant_net *tn, uint8_t *p, size_t max,
    uint8_t proto, unsigned *q)
{
	struct pollfd pfd[TUN_QUEUES_MAX];
	uint8_t hdr[VNET_HDR_LEN];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { p, max } };
	unsigned nq = tenant_net_tun_queues(tn), k;
	ssize_t n;
	int i;

	assert_true(nq >= 1 && nq <= TUN_QUEUES_MAX);
	for (k = 0; k < nq; k++) {
		pfd[k].fd = tenant_net_tun_fd(tn, k);
		pfd[k].events = POLLIN;
	}
	for (i = 0; i < 30; i++) {
		if (poll(pfd, nq, 100) <= 0)
			continue;
		for (k = 0; k < nq; k++) {
			if (!(pfd[k].revents & POLLIN))
				continue;
			n = readv(pfd[k].fd, iov, 2) - (ssize_t)sizeof(hdr);
			/* Small replies: no segmentation asked for. */
			if (n >= 20 && hdr[1] == VNET_GSO_NONE &&
			    (p[0] >> 4) == 4 && p[9] == proto) {
				if (q != NULL)
					*q = k;
				return n;
			}
		}
	}
	return -1;
}

static void
assert_tun_empty(int fd)
{
	uint8_t p[2048];

	assert_int_equal(read(fd, p, sizeof(p)), -1);
	assert_int_equal(errno, EAGAIN);
}

/* Nothing waits on any queue of tn. */
static void
assert_tenant_empty(const struct tenant_net *tn)
{
	unsigned k;

	for (k = 0; k < tenant_net_tun_queues(tn); k++)
		assert_tun_empty(tenant_net_tun_fd(tn, k));
}

/* --- topology --- */

struct world {
	struct egress		*eg;
	struct tenant_net	*a, *b;
};

/* The one world, so that teardown frees it when an assertion ends a test. */
static struct world world;

static void
inet_up(void)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in = { htonl(EGRESS_ADDR) };

	inet_ntop(AF_INET, &in, a, sizeof(a));
	sh("ip netns del %s", inet_ns);
	assert_int_equal(sh("ip netns add %s", inet_ns), 0);
	assert_int_equal(sh("ip link add %1$s type veth peer name eth0 "
	    "netns %1$s", inet_ns), 0);
	assert_int_equal(sh("ip addr add %s/24 dev %s", a, inet_ns), 0);
	assert_int_equal(sh("ip link set %s up", inet_ns), 0);
	assert_int_equal(sh("ip -n %s addr add 203.0.113.2/24 dev eth0",
	    inet_ns), 0);
	assert_int_equal(sh("ip -n %s link set eth0 up", inet_ns), 0);
	assert_int_equal(sh("ip -n %s link set lo up", inet_ns), 0);
}

static void
inet_down(void)
{
	sh("ip link del %s", inet_ns);
	sh("ip netns del %s", inet_ns);
}

static void
world_up(struct world *w)
{
	struct egress_cfg ec = { .prefix = prefix, .snat_addr = EGRESS_ADDR };
	struct tenant_net_cfg tc = { .prefix = prefix, .tun_queues = 2 };
	uint32_t addrs[] = { BGP_LOCAL, IP(10, 255, 0, 9), BGP_LOCAL };
	uint32_t one = BGP_LOCAL;
	struct tenant_net *tns[2];
	const uint32_t *have;
	int i;

	memset(w, 0, sizeof(*w));
	inet_up();
	assert_int_equal(egress_open(&w->eg, &ec), 0);
	tc.egress = w->eg;
	tc.tenant = "a";
	assert_int_equal(tenant_net_up(&w->a, &tc), 0);
	tc.tenant = "b";
	tc.tun_queues = 1;
	assert_int_equal(tenant_net_up(&w->b, &tc), 0);
	tns[0] = w->a;
	tns[1] = w->b;
	for (i = 0; i < 2; i++) {
		/* Two steps: duplicates are folded, the diff removes .9. */
		assert_int_equal(tenant_net_set_addrs(tns[i], addrs, 3), 0);
		assert_int_equal(tenant_net_addrs(tns[i], &have), 2);
		assert_int_equal(tenant_net_set_addrs(tns[i], &one, 1), 0);
		assert_int_equal(tenant_net_addrs(tns[i], &have), 1);
		assert_int_equal(have[0], BGP_LOCAL);
		assert_int_equal(tenant_net_add_route(tns[i], BGP_PEER, 32), 0);
		assert_int_equal(tenant_net_add_route(tns[i], BRANCH_NET, 24),
		    0);
		/* Adding replaces, deleting twice is fine. */
		assert_int_equal(tenant_net_add_route(tns[i], BRANCH_NET, 24),
		    0);
		assert_int_equal(tenant_net_add_route(tns[i], IP(10, 9, 0, 0),
		    16), 0);
		assert_int_equal(tenant_net_del_route(tns[i], IP(10, 9, 0, 0),
		    16), 0);
		assert_int_equal(tenant_net_del_route(tns[i], IP(10, 9, 0, 0),
		    16), 0);
	}
}

/* Idempotent: the tests call it, and teardown again after a failure. */
static void
world_down(struct world *w)
{
	tenant_net_down(w->a);
	tenant_net_down(w->b);
	egress_close(w->eg);
	memset(w, 0, sizeof(*w));
	inet_down();
}

/* --- tests --- */

static void
test_names(void **state)
{
	struct tenant_net_cfg tc = { .prefix = prefix, .tenant = "Bad!" };
	struct tenant_net *tn;

	(void)state;
	NEED_ROOT();
	assert_int_equal(tenant_net_up(&tn, &tc), -1);
	tc.tenant = "0123456789abcdef";		/* too long with the prefix */
	assert_int_equal(tenant_net_up(&tn, &tc), -1);
	tc.tenant = "a";
	tc.prefix = "nodash";			/* must end in - or _ */
	assert_int_equal(tenant_net_up(&tn, &tc), -1);
	assert_int_equal(tenant_net_cleanup_stale("x"), -1);
}

static void
test_tenants_isolated(void **state)
{
	char name_a[32], name_b[32];
	uint8_t pkt[2048], rx[2048];
	unsigned q, id;
	size_t len;
	ssize_t n;
	int fa, fb;

	(void)state;
	NEED_ROOT();
	world_up(&world);
	snprintf(name_a, sizeof(name_a), "%sa", prefix);
	snprintf(name_b, sizeof(name_b), "%sb", prefix);
	assert_string_equal(tenant_net_name(world.a), name_a);
	assert_true(ns_exists(name_a));
	assert_true(ns_exists(name_b));
	assert_int_equal(tenant_net_tun_queues(world.a), 2);
	assert_int_equal(tenant_net_tun_queues(world.b), 1);
	assert_true(tenant_net_tun_fd(world.a, 1) >= 0);
	assert_int_equal(tenant_net_tun_fd(world.b, 1), -1);

	/* The same BGP address in both namespaces, as ip(8) sees it. */
	assert_int_equal(sh("ip netns exec %s ip -4 -o addr show dev tun0 | "
	    "grep -q 'inet 10.255.0.1/32'", name_a), 0);
	assert_int_equal(sh("ip netns exec %s ip -4 -o addr show dev tun0 | "
	    "grep -q 'inet 10.255.0.1/32'", name_b), 0);
	assert_int_equal(sh("ip netns exec %s ip -4 -o addr show dev tun0 | "
	    "grep -q 10.255.0.9", name_a), 1);
	assert_int_equal(sh("ip netns exec %s ip link show tun0 | "
	    "grep -q 'mtu 1400'", name_a), 0);
	assert_int_equal(sh("ip netns exec %s ip route show 10.255.0.2 | "
	    "grep -q 'dev tun0'", name_a), 0);

	/*
	 * A's kernel answers an echo request on one of A's queues (which one
	 * is the kernel's flow hash), exactly once; B hears nothing. Several
	 * flows (echo identifiers), so both queues are likely used too.
	 */
	fa = tenant_net_tun_fd(world.a, 0);
	fb = tenant_net_tun_fd(world.b, 0);
	for (id = 0; id < 8; id++) {
		len = icmp_echo(pkt, BGP_PEER, BGP_LOCAL,
		    (uint16_t)(0xbe00 + id), 1);
		assert_int_equal(tun_write_pkt(fa, pkt, len), (ssize_t)len);
		n = tun_read_proto(world.a, rx, sizeof(rx), IPPROTO_ICMP, &q);
		assert_true(n >= 28);
		assert_true(q < 2);
		assert_int_equal(tb_get32(rx + 12), BGP_LOCAL);
		assert_int_equal(tb_get32(rx + 16), BGP_PEER);
		assert_int_equal(rx[20], 0);			/* echo reply */
		assert_int_equal(tb_get16(rx + 24), 0xbe00 + id);
		assert_int_equal(tb_get16(rx + 26), 1);
		assert_tenant_empty(world.b);
		assert_tenant_empty(world.a);
	}

	/*
	 * Each outcome of the kernel's choice, forced: with the other queue
	 * detached, the reply must come on this one, and B still hears
	 * nothing. A request may be written on any attached queue.
	 */
	for (q = 0; q < 2; q++) {
		int keep = tenant_net_tun_fd(world.a, q);
		int off = tenant_net_tun_fd(world.a, 1 - q);
		unsigned got = 99;

		assert_int_equal(tun_queue_attach(off, false), 0);
		len = icmp_echo(pkt, BGP_PEER, BGP_LOCAL, 0xbeef, (uint16_t)q);
		assert_int_equal(tun_write_pkt(keep, pkt, len), (ssize_t)len);
		n = tun_read_proto(world.a, rx, sizeof(rx), IPPROTO_ICMP, &got);
		assert_int_equal(tun_queue_attach(off, true), 0);
		assert_true(n >= 28);
		assert_int_equal(got, q);
		assert_int_equal(tb_get16(rx + 26), q);
		assert_tenant_empty(world.b);
		assert_tenant_empty(world.a);
	}

	/* And the other way round, through B's only queue. */
	len = icmp_echo(pkt, BGP_PEER, BGP_LOCAL, 0xcafe, 2);
	assert_int_equal(tun_write_pkt(fb, pkt, len), (ssize_t)len);
	n = tun_read_proto(world.b, rx, sizeof(rx), IPPROTO_ICMP, NULL);
	assert_true(n >= 28);
	assert_int_equal(tb_get16(rx + 24), 0xcafe);
	assert_tenant_empty(world.a);

	/* Removing the address silences the namespace's kernel. */
	assert_int_equal(tenant_net_set_addrs(world.b, NULL, 0), 0);
	assert_int_equal(sh("ip netns exec %s ip -4 -o addr show dev tun0 | "
	    "grep -q 10.255.0.1", name_b), 1);
	world_down(&world);
}

static void
test_egress(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	char name_a[32], name_b[32], buf[64];
	uint8_t pkt[2048], rx[2048];
	size_t len;
	ssize_t n;
	int inet_fd, s, fa;

	(void)state;
	NEED_ROOT();
	world_up(&world);
	snprintf(name_a, sizeof(name_a), "%sa", prefix);
	snprintf(name_b, sizeof(name_b), "%sb", prefix);
	fa = tenant_net_tun_fd(world.a, 0);

	/* From the tenant namespace itself (its own veth address). */
	assert_int_equal(sh("ip netns exec %s ping -c1 -W3 203.0.113.2",
	    name_a), 0);
	assert_int_equal(sh("ip netns exec %s ping -c1 -W3 203.0.113.2",
	    name_b), 0);
	/* Not to another tenant, nor to the daemon's namespace. */
	assert_int_not_equal(sh("ip netns exec %s ping -c1 -W1 10.255.240.6",
	    name_a), 0);
	assert_int_not_equal(sh("ip netns exec %s ping -c1 -W1 10.255.240.5",
	    name_a), 0);
	assert_int_not_equal(sh("ip netns exec %s ping -c1 -W1 10.255.240.1",
	    name_a), 0);

	/* A branch host's datagram, in through A's TUN, out to the internet. */
	inet_fd = netns_open(inet_ns);
	assert_true(inet_fd >= 0);
	s = netns_socket(inet_fd, AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	close(inet_fd);
	sin.sin_addr.s_addr = htonl(INET_HOST);
	sin.sin_port = htons(INET_PORT);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	len = udp_pkt(pkt, BRANCH_HOST, BRANCH_PORT, INET_HOST, INET_PORT,
	    "hello");
	assert_int_equal(tun_write_pkt(fa, pkt, len), (ssize_t)len);
	{
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 3000), 1);
	}
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&sin, &slen);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	/* Only the egress address is seen outside. */
	assert_int_equal(ntohl(sin.sin_addr.s_addr), EGRESS_ADDR);

	/* The answer finds its way back through both NATs into A's TUN. */
	assert_int_equal(sendto(s, "world", 5, 0, (struct sockaddr *)&sin,
	    slen), 5);
	n = tun_read_proto(world.a, rx, sizeof(rx), IPPROTO_UDP, NULL);
	assert_true(n >= 28 + 5);
	assert_int_equal(tb_get32(rx + 12), INET_HOST);
	assert_int_equal(tb_get32(rx + 16), BRANCH_HOST);
	assert_int_equal(tb_get16(rx + 20), INET_PORT);
	assert_int_equal(tb_get16(rx + 22), BRANCH_PORT);
	assert_memory_equal(rx + 28, "world", 5);
	assert_tenant_empty(world.b);
	close(s);

	/* Shutdown leaves nothing behind. */
	world_down(&world);
	assert_false(ns_exists(name_a));
	assert_false(ns_exists(name_b));
	assert_int_not_equal(sh("ip link show %s", name_a), 0);
	assert_int_not_equal(sh("ip link show %s", name_b), 0);
	assert_int_not_equal(sh("nft list table ip %s", table), 0);
}

/*
 * --reserved-range: the transfer networks come from the configured range,
 * not 10.255.240.0/20, and the tenant still reaches the internet host.
 */
static void
test_egress_range(void **state)
{
	struct egress_cfg ec = { .prefix = prefix, .snat_addr = EGRESS_ADDR,
	    .transfer_net = IP(198, 18, 4, 0), .transfer_plen = 24 };
	struct tenant_net_cfg tc = { .prefix = prefix, .tenant = "a" };
	char name_a[32];

	(void)state;
	NEED_ROOT();
	snprintf(name_a, sizeof(name_a), "%sa", prefix);
	inet_up();
	assert_int_equal(egress_open(&world.eg, &ec), 0);
	tc.egress = world.eg;
	assert_int_equal(tenant_net_up(&world.a, &tc), 0);
	assert_int_equal(sh("ip -n %s -4 -o addr show | grep -q 'inet 198.18.4.2/30'",
	    name_a), 0);
	assert_int_equal(sh("ip -n %s -4 -o addr show | grep -q 'inet 10.255.24'",
	    name_a), 1);
	assert_int_equal(sh("ip netns exec %s ping -c1 -W3 203.0.113.2",
	    name_a), 0);
	world_down(&world);
}

/*
 * Branch-to-branch transit: a packet from one branch (in on tun0) for
 * another branch's LAN (routed out tun0) is dropped and counted in the
 * tenant's namespace unless the tenant net was made with transit; the
 * namespace's own answers (the echo reply) are not transit.
 */
static void
test_transit(void **state)
{
	struct tenant_net_cfg tc = { .prefix = prefix, .tenant = "a" };
	uint8_t pkt[2048], rx[2048];
	uint32_t one = BGP_LOCAL;
	char name_a[32];
	size_t len;
	int t, fa;

	(void)state;
	NEED_ROOT();
	snprintf(name_a, sizeof(name_a), "%sa", prefix);
	for (t = 0; t < 2; t++) {
		tc.transit = t == 1;
		assert_int_equal(tenant_net_up(&world.a, &tc), 0);
		assert_int_equal(tenant_net_set_addrs(world.a, &one, 1), 0);
		assert_int_equal(tenant_net_add_route(world.a, BRANCH_NET, 24), 0);
		assert_int_equal(tenant_net_add_route(world.a, BGP_PEER, 32), 0);
		fa = tenant_net_tun_fd(world.a, 0);
		/* From branch 10.1.0.9 to a host of another branch's LAN. */
		len = udp_pkt(pkt, IP(10, 1, 0, 9), 4000, BRANCH_HOST, 9, "hop");
		assert_int_equal(tun_write_pkt(fa, pkt, len), (ssize_t)len);
		if (t == 1) {
			assert_true(tun_read_proto(world.a, rx, sizeof(rx),
			    IPPROTO_UDP, NULL) >= 28 + 3);
			assert_int_equal(tb_get32(rx + 16), BRANCH_HOST);
		} else {
			assert_int_equal(tun_read_proto(world.a, rx,
			    sizeof(rx), IPPROTO_UDP, NULL), -1);
			assert_int_equal(sh("ip netns exec %s nft list table ip "
			    "bg_tenant | grep -q 'packets 1 '", name_a), 0);
		}
		/* The namespace's own answer still goes back. */
		len = icmp_echo(pkt, BGP_PEER, BGP_LOCAL, 0x7a00, (uint16_t)t);
		assert_int_equal(tun_write_pkt(fa, pkt, len), (ssize_t)len);
		assert_true(tun_read_proto(world.a, rx, sizeof(rx),
		    IPPROTO_ICMP, NULL) >= 28);
		tenant_net_down(world.a);
		world.a = NULL;
	}
}

/* What a daemon that crashed leaves: made in a child that never cleans. */
static void
crash_child(void)
{
	struct egress_cfg ec = { .prefix = prefix };
	struct tenant_net_cfg tc = { .prefix = prefix, .tenant = "c" };
	struct egress *eg;
	struct tenant_net *tn;
	uint32_t a = BGP_LOCAL;

	if (egress_open(&eg, &ec) == -1)
		_exit(1);
	tc.egress = eg;
	if (tenant_net_up(&tn, &tc) == -1 ||
	    tenant_net_set_addrs(tn, &a, 1) == -1)
		_exit(2);
	tc.tenant = "d";
	tc.egress = NULL;
	if (tenant_net_up(&tn, &tc) == -1)
		_exit(3);
	_exit(0);
}

static void
test_stale_cleanup(void **state)
{
	char name_c[32], name_d[32], other[32];
	pid_t pid;
	int st, fd;

	(void)state;
	NEED_ROOT();
	snprintf(name_c, sizeof(name_c), "%sc", prefix);
	snprintf(name_d, sizeof(name_d), "%sd", prefix);
	/* Same leading characters, another daemon's prefix: not ours. */
	snprintf(other, sizeof(other), "%sx-c", prefix);
	assert_int_equal(netns_create(other, &fd), 0);
	close(fd);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crash_child();
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(ns_exists(name_c));
	assert_true(ns_exists(name_d));
	assert_int_equal(sh("ip link show %s", name_c), 0);
	assert_int_equal(sh("nft list table ip %s", table), 0);

	/* Starting again with the same name fails until cleaned. */
	{
		struct tenant_net_cfg tc = { .prefix = prefix, .tenant = "c" };
		struct tenant_net *tn;

		assert_int_equal(tenant_net_up(&tn, &tc), -1);
	}
	assert_int_equal(tenant_net_cleanup_stale(prefix), 2);
	assert_false(ns_exists(name_c));
	assert_false(ns_exists(name_d));
	assert_true(ns_exists(other));
	assert_int_not_equal(sh("ip link show %s", name_c), 0);
	assert_int_not_equal(sh("nft list table ip %s", table), 0);
	assert_int_equal(tenant_net_cleanup_stale(prefix), 0);
	assert_int_equal(netns_delete(other), 0);
	assert_false(ns_exists(other));
}

/* Each test starts and ends clean, whatever a failed one left. */
static int
cleanup(void **state)
{
	char other[32];

	(void)state;
	if (!have_root)
		return 0;
	world_down(&world);
	tenant_net_cleanup_stale(prefix);
	snprintf(other, sizeof(other), "%sx-c", prefix);
	netns_delete(other);
	inet_down();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, cleanup, cleanup),
		cmocka_unit_test_setup_teardown(test_tenants_isolated, cleanup,
		    cleanup),
		cmocka_unit_test_setup_teardown(test_egress, cleanup, cleanup),
		cmocka_unit_test_setup_teardown(test_egress_range, cleanup,
		    cleanup),
		cmocka_unit_test_setup_teardown(test_transit, cleanup, cleanup),
		cmocka_unit_test_setup_teardown(test_stale_cleanup, cleanup,
		    cleanup),
	};
	unsigned id = (unsigned)getpid() % 100000;

	snprintf(prefix, sizeof(prefix), "bt%u-", id);
	snprintf(inet_ns, sizeof(inet_ns), "bt%ui", id);
	snprintf(table, sizeof(table), "bt%u_egress", id);
	log_set_level(LOG_WARN);
	have_root = geteuid() == 0 && access("/dev/net/tun", R_OK | W_OK) == 0;
	/* Our own namespace stands in for the daemon's. */
	if (have_root && (unshare(CLONE_NEWNET) == -1 ||
	    sh("ip link set lo up") != 0)) {
		fprintf(stderr, "test_tenant_net: unshare: %s\n",
		    strerror(errno));
		have_root = false;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
