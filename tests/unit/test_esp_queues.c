/*
 * test_esp_queues.c - one outbound SA sealed by two ESP workers, each
 * reading its own queue of a tenant's two-queue TUN (esp/esp_worker,
 * net/tenant_net) against the real kernel. Needs root and /dev/net/tun;
 * skipped otherwise.
 *
 * Which TUN queue the tenant's kernel sends a packet to is its flow hash,
 * seeded at random per boot, so the data plane must be right whichever
 * queue (and so whichever worker) gets a flow. Here every outcome is
 * forced: the other queue detached (TUNSETQUEUE), packets leave on queue
 * 0 only, then on queue 1 only, then on both (many flows). Each ESP
 * datagram is opened by a branch-side inbound SA with the same keys: all
 * sequence numbers must be distinct and together be exactly 1..N (RFC
 * 4303 §3.3.3: a sender never reuses a number), whatever the interleaving.
 *
 *   tenant ns: tun0 10.255.0.1, route 192.168.1.0/24 -> tun0
 *   UDP socket in the tenant ns --> tun0 queue q --> worker q --> esp_out
 *   --> UDP 127.0.0.1 --> "branch" socket --> esp_in (replay check)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "esp_in.h"
#include "esp_sa.h"
#include "esp_table.h"
#include "esp_wire.h"
#include "esp_worker.h"
#include "ike.h"
#include "log.h"
#include "monotime.h"
#include "netns.h"
#include "tenant_net.h"
#include "test_bytes.h"
#include "test_tun.h"
#include "udp.h"

#define LO		0x7f000001u
#define BGP_LOCAL	0x0aff0001u	/* 10.255.0.1 */
#define BRANCH_NET	0xc0a80100u	/* 192.168.1.0/24 */
#define BRANCH_HOST	0xc0a8010au
#define SPI		0x2000u
#define NWORKERS	2
#define PER_RUN		64		/* datagrams per forced outcome */
#define TOTAL		(3 * PER_RUN)

static bool	have_root;
static char	prefix[16];

/* What a test built; teardown frees it whether or not the test passed. */
static struct {
	struct tenant_net	*tn;
	struct esp_workers	*ws;
	struct esp_table	*t;
	struct esp_sa		*branch_in;
	int			 gfd, rx;
} T = { .gfd = -1, .rx = -1 };

static void
child_sa(struct ike_child_sa *c, uint16_t branch_port, uint16_t gw_port)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->link_id, sizeof(c->link_id), "q");
	c->spi_in = c->spi_out = SPI;
	c->esp_encr = ESP_IANA_ENCR_AES_GCM_16;
	c->key_bits = 128;
	c->encr_len = 128 / 8 + 4;
	for (i = 0; i < c->encr_len; i++)
		c->encr_in[i] = c->encr_out[i] = (uint8_t)(i * 5 + 3);
	c->udp_encap = true;
	c->local.ip = c->remote.ip = LO;
	c->local.port = gw_port;
	c->remote.port = branch_port;
}

static uint16_t
bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	return ntohs(sin.sin_port);
}

/* n datagrams from the tenant namespace to the branch LAN, from sport on. */
static void
send_flows(uint16_t sport, unsigned n)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned i;
	int fd, s;

	assert_true((fd = netns_open(tenant_net_name(T.tn))) >= 0);
	dst.sin_addr.s_addr = htonl(BRANCH_HOST);
	dst.sin_port = htons(9);
	for (i = 0; i < n; i++) {
		struct sockaddr_in src = { .sin_family = AF_INET };

		s = netns_socket(fd, AF_INET, SOCK_DGRAM, 0);
		assert_true(s >= 0);
		src.sin_addr.s_addr = htonl(BGP_LOCAL);
		src.sin_port = htons((uint16_t)(sport + i));
		assert_int_equal(bind(s, (struct sockaddr *)&src,
		    sizeof(src)), 0);
		assert_int_equal(sendto(s, "queue", 5, 0,
		    (struct sockaddr *)&dst, sizeof(dst)), 5);
		close(s);
	}
	close(fd);
}

/*
 * Receives n ESP datagrams on the branch socket and opens each: its
 * sequence number is marked in seen[]; a number seen twice, a bad ICV or
 * a replay fails the test.
 */
static void
recv_open(unsigned n, bool *seen)
{
	struct pollfd pfd = { .fd = T.rx, .events = POLLIN };
	uint8_t pkt[2048];
	const uint8_t *inner;
	size_t inner_len;
	uint8_t nh;
	uint32_t seq;
	ssize_t r;
	unsigned got = 0;

	while (got < n) {
		if (poll(&pfd, 1, 3000) != 1)
			fail_msg("only %u of %u ESP datagrams arrived", got, n);
		r = recv(T.rx, pkt, sizeof(pkt), 0);
		assert_true(r >= 8);
		assert_int_equal(tb_get32(pkt), SPI);
		seq = tb_get32(pkt + 4);
		if (seq == 0 || seq > TOTAL || seen[seq])
			fail_msg("sequence number %u used twice or out of "
			    "range", seq);
		seen[seq] = true;
		assert_int_equal(esp_in(T.branch_in, esp_sa_crypto(T.branch_in,
		    0), pkt, (size_t)r, &inner, &inner_len, &nh,
		    monotime_now()), ESP_OK);
		assert_int_equal(nh, ESP_NH_IPV4);
		assert_int_equal(tb_get32(inner + 16), BRANCH_HOST);
		got++;
	}
}

static void
test_seq_any_queue(void **state)
{
	struct tenant_net_cfg tnc = { .tenant = "q", .tun_queues = NWORKERS };
	struct esp_workers_cfg wc;
	struct esp_table_link l;
	struct esp_table_child tc;
	struct esp_worker_stats st;
	struct esp_sa_cfg sc;
	struct esp_sa_stats out_st;
	struct ike_child_sa c;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	bool seen[TOTAL + 1];
	uint32_t addr = BGP_LOCAL;
	int fds[NWORKERS];
	uint16_t gport;
	unsigned q, i;

	(void)state;
	if (!have_root)
		skip();
	tnc.prefix = prefix;
	assert_int_equal(tenant_net_up(&T.tn, &tnc), 0);
	assert_int_equal(tenant_net_tun_queues(T.tn), NWORKERS);
	assert_int_equal(tenant_net_set_addrs(T.tn, &addr, 1), 0);
	assert_int_equal(tenant_net_add_route(T.tn, BRANCH_NET, 24), 0);

	/* The branch: a UDP socket on loopback (in our own namespace). */
	assert_true((T.rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0);
	sin.sin_addr.s_addr = htonl(LO);
	assert_int_equal(bind(T.rx, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_true((T.gfd = udp_reuseport_open(LO, 0)) >= 0);
	gport = bound_port(T.gfd);
	child_sa(&c, bound_port(T.rx), gport);

	T.t = esp_table_new();
	assert_non_null(T.t);
	for (q = 0; q < NWORKERS; q++)
		fds[q] = tenant_net_tun_fd(T.tn, q);
	assert_int_equal(esp_table_tenant_set(T.t, 0, 1, fds, NWORKERS), 0);
	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "q");
	l.tenant = 0;
	l.routes[0].prefix = BRANCH_NET;
	l.routes[0].plen = 24;
	l.nroutes = 1;
	assert_int_equal(esp_table_links_set(T.t, &l, 1), 0);
	esp_sa_cfg_init(&sc, NWORKERS, 0, 0);
	memset(&tc, 0, sizeof(tc));
	tc.link_id = "q";
	tc.in = esp_sa_new(&c, ESP_DIR_IN, &sc, monotime_now());
	tc.out = esp_sa_new(&c, ESP_DIR_OUT, &sc, monotime_now());
	assert_non_null(tc.in);
	assert_non_null(tc.out);
	tc.local_ip = tc.remote_ip = LO;
	tc.local_port = gport;
	tc.remote_port = c.remote.port;
	tc.udp_encap = true;
	assert_int_equal(esp_table_child_add(T.t, &tc), 0);
	assert_int_equal(esp_table_commit(T.t), 0);
	/* The branch's view: the gateway's outbound keys, inbound. */
	T.branch_in = esp_sa_new(&c, ESP_DIR_IN, NULL, monotime_now());
	assert_non_null(T.branch_in);

	memset(&wc, 0, sizeof(wc));
	wc.n = NWORKERS;
	wc.ips = (const uint32_t[]){ LO };
	wc.ports = &gport;
	wc.nips = 1;
	wc.table = T.t;
	wc.ike_fd = -1;
	assert_int_equal(esp_workers_start(&T.ws, &wc), 0);
	assert_int_equal(esp_workers_tenant_add(T.ws, 0, 1, fds, NWORKERS), 0);

	memset(seen, 0, sizeof(seen));
	/* Each queue alone: the kernel has no choice but that queue. */
	for (q = 0; q < NWORKERS; q++) {
		int off = fds[1 - q];

		assert_int_equal(tun_queue_attach(off, false), 0);
		send_flows((uint16_t)(20000 + q * 1000), PER_RUN);
		recv_open(PER_RUN, seen);
		assert_int_equal(tun_queue_attach(off, true), 0);
	}
	/* Both attached, many flows: the kernel spreads them as it likes. */
	send_flows(30000, PER_RUN);
	recv_open(PER_RUN, seen);

	for (i = 1; i <= TOTAL; i++)
		if (!seen[i])
			fail_msg("sequence number %u never sent", i);
	esp_sa_get_stats(tc.out, &out_st);
	assert_int_equal(out_st.packets, TOTAL);
	esp_workers_stats(T.ws, &st);
	assert_int_equal(st.drop[ESP_WD_ESP_OUT], 0);
}

static int
teardown(void **state)
{
	(void)state;
	if (T.ws != NULL && T.tn != NULL) {
		int fds[NWORKERS];
		unsigned q;

		for (q = 0; q < NWORKERS; q++)
			fds[q] = tenant_net_tun_fd(T.tn, q);
		esp_workers_tenant_del(T.ws, fds, NWORKERS);
	}
	esp_workers_stop(T.ws);
	esp_table_free(T.t);		/* frees the table's SAs */
	esp_sa_free(T.branch_in);
	tenant_net_down(T.tn);
	if (T.gfd >= 0)
		close(T.gfd);
	if (T.rx >= 0)
		close(T.rx);
	memset(&T, 0, sizeof(T));
	T.gfd = T.rx = -1;
	if (have_root)
		tenant_net_cleanup_stale(prefix);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seq_any_queue, teardown),
	};

	snprintf(prefix, sizeof(prefix), "bq%u-", (unsigned)getpid() % 100000);
	log_set_level(LOG_WARN);
	have_root = geteuid() == 0 && access("/dev/net/tun", R_OK | W_OK) == 0;
	/* Our own namespace: loopback and the tenant veth stay in it. */
	if (have_root && unshare(CLONE_NEWNET) == -1)
		have_root = false;
	if (have_root && system("ip link set lo up") != 0)
		have_root = false;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
