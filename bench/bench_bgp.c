/*
 * bench_bgp.c - the BGP speaker's costs (issue 9 §6, `make bench-bgp`),
 * each next to BIRD 2 measured in the same run:
 *
 *  1. ingest: N prefixes (/24s in a shuffled order, 50 different AS paths,
 *     UPDATEs packed to 4096 octets as a router sends them) fed as a TCP
 *     byte stream, in 16 KiB reads, to a passive session (its limit raised
 *     to N for the run) whose host does what gw_bgp.c does per route: the
 *     import policy, then the tenant forwarding table (esp_table learned
 *     routes), published by one esp_table_commit() per read. Time from the
 *     first UPDATE byte to the last commit, routes/s. BIRD: the same bytes
 *     over TCP to a BIRD 2 BGP session (import all, no kernel export, so
 *     neither side pays for kernel routes), time from the first byte until
 *     `birdc show route count` reports N (polled every 5 ms).
 *  2. memory per route: our RSS growth over the ingest / N (a fresh
 *     process per N, so no allocator reuse), BIRD's `show memory` Total
 *     growth / N.
 *  3. the full Microsoft 365 set (data/m365-endpoints-worldwide.json,
 *     aggregated as gw_m365.c does, plus 0.0.0.0/0) advertised to 1,000
 *     established sessions through bgp_set_advertised() (what a profile
 *     assignment does): time, UPDATE octets. BIRD: 1,000 BGP sessions
 *     (dynamic, `neighbor range`) each established by the bench, BIRD
 *     exporting the same prefixes as static routes: time from the last
 *     KEEPALIVE sent until every session has received its End-of-RIB (our
 *     figure for the same event, session establishment included, is given
 *     too).
 *
 * usage: bench_bgp DATADIR [BIRD_SOCKET]   (bench/bench_bgp.sh runs it
 * inside a namespace of its own, with BIRD there on 10.9.0.1.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "bgp_policy.h"
#include "bgp_wire.h"
#include "esp_table.h"
#include "gw_m365.h"
#include "log.h"

#define GW_AS		65476
#define BR_AS		65001
#define GW_IP		0x0a090001u	/* 10.9.0.1: BIRD's address too */
#define BR_IP		0x0a090002u	/* 10.9.0.2: the feeder */
#define READ		16384
#define NSESS		1000
#define SESS_BASE	0x0a090400u	/* 10.9.4.0: the 1,000 peers' addresses */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

/* --- the feed ---------------------------------------------------------------- */

struct feed {
	uint8_t		*b;
	size_t		 len, cap;
};

static void
feed_add(struct feed *f, const uint8_t *p, size_t n)
{
	if (f->len + n > f->cap) {
		f->cap = (f->len + n) * 2;
		if ((f->b = realloc(f->b, f->cap)) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

/* N /24s from 11.0.0.0 up, shuffled, in UPDATEs of one AS path each. */
static void
feed_build(struct feed *f, size_t n)
{
	struct bgp_prefix *p;
	struct bgp_attrs_out a;
	uint8_t m[BGP_MSG_MAX];
	uint32_t path[2], r = 0x9e3779b9u;
	struct wbuf w;
	size_t i, j, off, dw, da, msgno = 0;
	struct bgp_prefix t;

	if ((p = calloc(n, sizeof(*p))) == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		p[i].addr = 0x0b000000u + ((uint32_t)i << 8);
		p[i].len = 24;
	}
	for (i = n - 1; i > 0; i--) {
		r ^= r << 13;
		r ^= r >> 17;
		r ^= r << 5;
		j = r % (i + 1);
		t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_IGP;
	a.aspath = path;
	a.aspath_len = 2;
	a.nexthop = BR_IP;
	path[0] = BR_AS;
	for (off = 0; off < n; off += da, msgno++) {
		path[1] = 64600 + (uint32_t)(msgno % 50);
		wbuf_init(&w, m, sizeof(m));
		if (bgp_wire_update_build(&w, NULL, 0, &dw, &a, p + off,
		    n - off, &da) == -1 || da == 0)
			exit(1);
		feed_add(f, m, wbuf_len(&w));
	}
	free(p);
}

static size_t
open_msg(uint8_t *m, size_t cap, uint32_t as, uint32_t id, uint16_t hold)
{
	struct wbuf w;

	wbuf_init(&w, m, cap);
	if (bgp_wire_open_build(&w, as, hold, id, 0) == -1)
		exit(1);
	return wbuf_len(&w);
}

static size_t
keepalive_msg(uint8_t *m, size_t cap)
{
	struct wbuf w;

	wbuf_init(&w, m, cap);
	(void)bgp_wire_keepalive_build(&w);
	return wbuf_len(&w);
}

/* --- ours: engine + forwarding table ------------------------------------------ */

struct host {
	struct esp_table *t;
	struct bgp_policy pol;
	size_t		 installed, refused;
	size_t		 sent;
};

static void
h_send(void *arg, const uint8_t *d, size_t n)
{
	(void)d;
	((struct host *)arg)->sent += n;
}

static void
h_add(void *arg, const struct bgp_route *r, bool replaces)
{
	struct host *h = arg;

	if (replaces)
		return;
	if (bgp_policy_import(&h->pol, r->addr, r->len) != BGP_POLICY_ACCEPT ||
	    (h->t != NULL &&
	    esp_table_learned_add(h->t, "link-1", r->addr, r->len) == -1)) {
		h->refused++;
		return;
	}
	h->installed++;
}

static void
h_withdraw(void *arg, uint32_t addr, uint8_t len)
{
	struct host *h = arg;

	if (h->t == NULL ||
	    esp_table_learned_del(h->t, "link-1", addr, len) == 0)
		h->installed--;
}

static struct bgp_session *
sess_up(struct host *h, const struct bgp_config *bc)
{
	struct bgp_callbacks cb = { h, h_send, NULL, NULL, NULL, h_add,
	    h_withdraw, NULL };
	struct bgp_session *s;
	struct bgp_status st;
	uint8_t m[256];
	size_t n;

	if ((s = bgp_session_new(bc, &cb)) == NULL)
		exit(1);
	bgp_start(s, 1);
	if (bgp_connected(s, 1) == -1)
		exit(1);
	n = open_msg(m, sizeof(m), BR_AS, bc->peer_addr, 90);
	n += keepalive_msg(m + n, sizeof(m) - n);
	(void)bgp_input(s, m, n, 1);
	bgp_status(s, &st);
	if (st.state != BGP_ESTABLISHED)
		exit(1);
	return s;
}

/*
 * In a child: seconds and bytes per route of our ingest of f (n routes);
 * without table, the engine and import policy alone.
 */
static void
ours_ingest(const struct feed *f, size_t n, bool table, double *secs,
    double *per)
{
	int pfd[2], fd = -1;
	double r[2] = { 0, 0 };
	pid_t pid;

	if (pipe(pfd) == -1)
		exit(1);
	if ((pid = fork()) == 0) {
		struct esp_table_link l;
		struct bgp_config bc;
		struct host h;
		struct bgp_session *s;
		long rss0, rss1;
		double t0, t1;
		size_t off, k;

		close(pfd[0]);
		memset(&h, 0, sizeof(h));
		rss0 = rss_bytes();
		memset(&l, 0, sizeof(l));
		snprintf(l.id, sizeof(l.id), "link-1");
		l.peer_bgp = BR_IP;
		l.src_check = true;
		if (table && ((h.t = esp_table_new()) == NULL ||
		    esp_table_tenant_set(h.t, 0, 1, &fd, 1) == -1 ||
		    esp_table_links_set(h.t, &l, 1) == -1))
			exit(1);
		bgp_policy_init(&h.pol);
		bgp_config_defaults(&bc);
		snprintf(bc.name, sizeof(bc.name), "bench");
		bc.local_as = GW_AS;
		bc.peer_as = BR_AS;
		bc.local_addr = GW_IP;
		bc.peer_addr = BR_IP;
		bc.max_prefixes = (uint32_t)n;
		s = sess_up(&h, &bc);
		t0 = now_s();
		for (off = 0; off < f->len; off += k) {
			k = f->len - off < READ ? f->len - off : READ;
			(void)bgp_input(s, f->b + off, k, 2);
			if (table)
				(void)esp_table_commit(h.t);
		}
		t1 = now_s();
		rss1 = rss_bytes();
		if (h.installed != n || (table &&
		    esp_table_learned_count(h.t, "link-1") != n)) {
			fprintf(stderr, "ours: %zu of %zu installed\n",
			    h.installed, n);
			exit(1);
		}
		r[0] = t1 - t0;
		r[1] = (double)(rss1 - rss0) / (double)n;
		if (write(pfd[1], r, sizeof(r)) != (ssize_t)sizeof(r))
			exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid == -1 || read(pfd[0], r, sizeof(r)) != (ssize_t)sizeof(r)) {
		fprintf(stderr, "ours: the ingest child failed\n");
		exit(1);
	}
	close(pfd[0]);
	(void)waitpid(pid, NULL, 0);
	*secs = r[0];
	*per = r[1];
}

/* The advertisement to NSESS sessions: seconds, octets, RSS per session. */
static void
ours_adv(const struct bgp_prefix *adv, size_t nadv, double *secs,
    double *secs_up, double *octets, double *sess_mem)
{
	static struct host h[NSESS];
	static struct bgp_session *s[NSESS];
	struct bgp_config bc;
	double t0, t1, t2;
	long rss0;
	size_t i, sent = 0;

	rss0 = rss_bytes();
	bgp_config_defaults(&bc);
	snprintf(bc.name, sizeof(bc.name), "bench");
	bc.local_as = GW_AS;
	bc.peer_as = BR_AS;
	bc.local_addr = GW_IP;
	bc.max_prefixes = 1000;		/* the gateway's per session */
	bc.max_advertised = (uint32_t)nadv;
	bc.gr_time = BGP_GR_TIME_DEFAULT;
	t0 = now_s();
	for (i = 0; i < NSESS; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		bc.peer_addr = SESS_BASE + (uint32_t)i;
		s[i] = sess_up(&h[i], &bc);
	}
	t1 = now_s();
	for (i = 0; i < NSESS; i++) {
		h[i].sent = 0;
		if (bgp_set_advertised(s[i], adv, nadv, 3) == -1)
			exit(1);
		sent += h[i].sent;
	}
	t2 = now_s();
	*secs = t2 - t1;
	*octets = (double)sent;
	*sess_mem = (double)(rss_bytes() - rss0) / NSESS;
	/* the same event as BIRD's: establishment with the set configured */
	bc.adv = adv;
	bc.nadv = nadv;
	for (i = 0; i < NSESS; i++)
		bgp_session_free(s[i]);
	t0 = now_s();
	for (i = 0; i < NSESS; i++) {
		bc.peer_addr = SESS_BASE + (uint32_t)i;
		s[i] = sess_up(&h[i], &bc);
	}
	*secs_up = now_s() - t0;
	for (i = 0; i < NSESS; i++)
		bgp_session_free(s[i]);
}

/* --- BIRD ------------------------------------------------------------------------ */

static const char *bird_sock;

static long long
bird_route_count(void)
{
	char cmd[512], line[512];
	long long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "birdc -s %s show route count protocol "
	    "feed 2>&1", bird_sock);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL)
		if (strstr(line, " routes for ") != NULL &&
		    sscanf(line, "%lld", &n) != 1)
			n = -1;
	pclose(p);
	return n;
}

static double
bird_unit(const char *u)
{
	return strcmp(u, "kB") == 0 ? 1024.0 : strcmp(u, "MB") == 0 ?
	    1048576.0 : strcmp(u, "GB") == 0 ? 1073741824.0 : 1.0;
}

/* BIRD's "Total:" of show memory (effective + overhead), in octets. */
static double
bird_memory(void)
{
	char cmd[512], line[512], u1[8], u2[8];
	double v = -1, x, y;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "birdc -s %s show memory 2>&1", bird_sock);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL)
		if (sscanf(line, " Total: %lf %7s %lf %7s", &x, u1, &y,
		    u2) == 4)
			v = x * bird_unit(u1) + y * bird_unit(u2);
	pclose(p);
	return v;
}

static int
tcp_to_bird(uint32_t self)
{
	struct sockaddr_in a;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(self);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		goto fail;
	a.sin_port = htons(179);
	a.sin_addr.s_addr = htonl(GW_IP);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, p, n)) <= 0) {
			if (k == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * One message from fd into fr (blocking); its type, or -1. Counts the
 * UPDATE and whether it was the End-of-RIB marker.
 */
static int
read_msg(int fd, struct bgp_framer *fr, bool *eor)
{
	uint8_t b[BGP_MSG_MAX];
	struct bgp_hdr h;
	struct bgp_err err;
	struct buf in, msg;
	ssize_t k;
	size_t used = 0;

	/* One octet at a time is slow but exact: no message is over-read. */
	for (;;) {
		if ((k = read(fd, b, 1)) <= 0)
			return -1;
		buf_init(&in, b, 1);
		switch (bgp_wire_framer_next(fr, &in, &h, &msg, &err)) {
		case 1:
			*eor = h.type == BGP_UPDATE && h.len == BGP_UPDATE_MIN;
			return h.type;
		case -1:
			return -1;
		}
		used++;
	}
}

/* OPEN, KEEPALIVE both ways; BIRD's messages read up to its KEEPALIVE. */
static int
bird_handshake(int fd, uint32_t id, struct bgp_framer *fr)
{
	uint8_t m[256];
	size_t n;
	bool eor;
	int t;

	n = open_msg(m, sizeof(m), BR_AS, id, 240);
	if (write_all(fd, m, n) == -1)
		return -1;
	bgp_wire_framer_init(fr);
	while ((t = read_msg(fd, fr, &eor)) != BGP_OPEN)
		if (t == -1)
			return -1;
	n = keepalive_msg(m, sizeof(m));
	if (write_all(fd, m, n) == -1)
		return -1;
	while ((t = read_msg(fd, fr, &eor)) != BGP_KEEPALIVE)
		if (t == -1)
			return -1;
	return 0;
}

static int
bird_ingest(const struct feed *f, size_t n, double *secs, double *per)
{
	static struct bgp_framer fr;
	double t0, mem0, mem1;
	long long c = -1;
	int fd;

	mem0 = bird_memory();
	if ((fd = tcp_to_bird(BR_IP)) == -1 ||
	    bird_handshake(fd, BR_IP, &fr) == -1) {
		fprintf(stderr, "BIRD: no session (%s)\n", strerror(errno));
		return -1;
	}
	t0 = now_s();
	if (write_all(fd, f->b, f->len) == -1)
		return -1;
	while ((c = bird_route_count()) >= 0 && (size_t)c < n &&
	    now_s() - t0 < 120)
		usleep(5000);
	*secs = now_s() - t0;
	mem1 = bird_memory();
	*per = (mem1 - mem0) / (double)n;
	close(fd);
	/* BIRD drops the session's routes; wait for it before the next run. */
	while (bird_route_count() > 0 && now_s() - t0 < 240)
		usleep(20000);
	return c >= 0 && (size_t)c >= n ? 0 : -1;
}

/* NSESS sessions into BIRD; time until each has BIRD's End-of-RIB. */
static int
bird_adv(size_t nadv, double *secs, double *octets)
{
	static int fd[NSESS];
	static struct bgp_framer fr;
	uint8_t m[BGP_MSG_MAX];
	size_t i, n, got = 0;
	struct wbuf w;
	double t0;
	bool eor;
	int t;

	(void)nadv;
	for (i = 0; i < NSESS; i++) {
		if ((fd[i] = tcp_to_bird(SESS_BASE + (uint32_t)i)) == -1) {
			fprintf(stderr, "BIRD: connection %zu: %s\n", i,
			    strerror(errno));
			return -1;
		}
		/* With the GR capability: BIRD then ends with End-of-RIB. */
		wbuf_init(&w, m, sizeof(m));
		if (bgp_wire_open_build(&w, BR_AS, 240, SESS_BASE +
		    (uint32_t)i, 120) == -1)
			return -1;
		n = wbuf_len(&w);
		if (write_all(fd[i], m, n) == -1)
			return -1;
	}
	/* BIRD's OPEN and KEEPALIVE on each; ours go out as they come. */
	for (i = 0; i < NSESS; i++) {
		bgp_wire_framer_init(&fr);
		while ((t = read_msg(fd[i], &fr, &eor)) != BGP_OPEN)
			if (t == -1)
				return -1;
	}
	t0 = now_s();
	n = keepalive_msg(m, sizeof(m));
	for (i = 0; i < NSESS; i++)
		if (write_all(fd[i], m, n) == -1)
			return -1;
	for (i = 0; i < NSESS; i++) {
		bgp_wire_framer_init(&fr);
		do {
			if ((t = read_msg(fd[i], &fr, &eor)) == -1)
				return -1;
			if (t == BGP_UPDATE)
				got += fr.hdr.len;
		} while (!(t == BGP_UPDATE && eor));
	}
	*secs = now_s() - t0;
	*octets = (double)got;
	for (i = 0; i < NSESS; i++)
		close(fd[i]);
	return 0;
}

int
main(int argc, char **argv)
{
	static const size_t ns[] = { 10000, 100000 };
	struct bgp_prefix *m365 = NULL, *adv;
	size_t nm365 = 0, nadv, i;
	double a, b, c, d, e, ea, eb, ba = 0, bb = 0, up = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_bgp DATADIR [BIRD_SOCKET] | "
		    "bench_bgp --bird-static DATADIR\n");
		return 2;
	}
	log_set_level(LOG_ERR);
	/* The same set as BIRD static routes, for bench_bgp.sh's bird.conf. */
	if (strcmp(argv[1], "--bird-static") == 0 && argc > 2) {
		char as[INET_ADDRSTRLEN];
		struct in_addr in;

		if (gw_m365_load(argv[2], &m365, &nm365) == -1)
			return 1;
		printf("route 0.0.0.0/0 blackhole;\n");
		for (i = 0; i < nm365; i++) {
			in.s_addr = htonl(m365[i].addr);
			printf("route %s/%u blackhole;\n", inet_ntop(AF_INET,
			    &in, as, sizeof(as)), m365[i].len);
		}
		free(m365);
		return 0;
	}
	bird_sock = argc > 2 ? argv[2] : NULL;
	printf("bench-bgp: %s\n", bird_sock != NULL ? "branchgate vs BIRD 2 "
	    "(same feed, same run)" : "branchgate only (no BIRD socket)");

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct feed f = { NULL, 0, 0 };

		feed_build(&f, ns[i]);
		ours_ingest(&f, ns[i], true, &a, &b);
		ours_ingest(&f, ns[i], false, &ea, &eb);
		printf("ingest %6zu prefixes (%zu UPDATE octets):\n"
		    "  branchgate engine + forwarding table  %7.3f s %9.0f "
		    "routes/s %5.0f B/route\n"
		    "  branchgate engine (Adj-RIB-In) only   %7.3f s %9.0f "
		    "routes/s %5.0f B/route\n", ns[i], f.len, a, ns[i] / a, b,
		    ea, ns[i] / ea, eb);
		if (bird_sock != NULL && bird_ingest(&f, ns[i], &ba, &bb) == 0)
			printf("  BIRD 2 (RIB, no kernel export)        %7.3f s "
			    "%9.0f routes/s %5.0f B/route\n"
			    "  ratios to BIRD: rate %.2f (engine only %.2f), "
			    "memory %.2f (engine only %.2f)\n", ba, ns[i] / ba,
			    bb, ba / a, ba / ea, b / bb, eb / bb);
		else if (bird_sock != NULL)
			printf("  BIRD: failed\n");
		free(f.b);
	}

	if (gw_m365_load(argc > 1 ? argv[1] : "data", &m365, &nm365) == -1)
		return 1;
	nadv = nm365 + 1;
	if ((adv = calloc(nadv, sizeof(*adv))) == NULL)
		return 1;
	memcpy(adv, m365, nm365 * sizeof(*adv));
	for (i = 0; i < nm365; i++)
		adv[i].community = (uint32_t)GW_AS << 16 | 365;
	adv[nm365].community = (uint32_t)GW_AS << 16 | 1;	/* 0.0.0.0/0 */
	ours_adv(adv, nadv, &c, &up, &d, &e);
	printf("advertise Microsoft 365 (%zu prefixes + 0.0.0.0/0) to %d "
	    "sessions: branchgate %.1f ms as a difference on live sessions "
	    "(%.0f UPDATE octets), %.1f ms establishing all with the set, "
	    "%.0f B/session", nm365, NSESS, c * 1e3, d, up * 1e3, e);
	if (bird_sock != NULL && bird_adv(nadv, &ba, &bb) == 0)
		printf(" | BIRD %.1f ms from the last KEEPALIVE to every "
		    "End-of-RIB (%.0f UPDATE octets) | ratio BIRD/branchgate "
		    "(establishment) %.1f", ba * 1e3, bb, ba / up);
	else if (bird_sock != NULL)
		printf(" | BIRD: failed");
	printf("\n");
	free(adv);
	free(m365);
	return 0;
}
