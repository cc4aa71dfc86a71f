/*
 * bench_esp.c - one ESP worker's receive path as the gateway runs it
 * (issue 4 §6): recvmmsg on a SO_REUSEPORT NAT-T socket, SPI lookup in the
 * RCU table, esp_in (replay + AES-GCM open), write(2) to a real tenant
 * TUN (namespace "bb<pid>-t", made and removed here), fed over loopback
 * UDP by a sender process that seals 1400-byte inner packets as fast as it
 * can. Reported: packets/s and Gbit/s (inner bytes) the worker delivered
 * to the TUN, AES-GCM-128 and -256, next to the per-packet crypto ceiling
 * of `openssl speed -evp aes-N-gcm -bytes 1400` in the same run. Two
 * senders: "GSO" hands the kernel 32 ESP datagrams at a time with
 * UDP_SEGMENT (what branchgate's own CPE role does; the worker's UDP_GRO
 * socket then receives them as one), "plain" one datagram per message of a
 * sendmmsg (what strongSwan sends; over a real NIC, GRO would coalesce them).
 *
 * Needs root (namespace, TUN). Worker on CPU 0, sender on CPU 1.
 * usage: bench_esp [seconds per key size, default 3]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_table.h"
#include "esp_wire.h"
#include "esp_worker.h"
#include "ike.h"
#include "monotime.h"
#include "tenant_net.h"
#include "udp.h"
#include "vnet.h"

#define INNER	1400
#define BATCH	32
#define LO	0x7f000001u
#define SPI	0x1000u

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	(void)sched_setaffinity(0, sizeof(s), &s);
}

static void
child_sa(struct ike_child_sa *c, unsigned bits)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->link_id, sizeof(c->link_id), "bench");
	c->spi_in = c->spi_out = SPI;
	c->esp_encr = ESP_IANA_ENCR_AES_GCM_16;
	c->key_bits = (uint16_t)bits;
	c->encr_len = bits / 8 + 4;
	for (i = 0; i < c->encr_len; i++)
		c->encr_in[i] = c->encr_out[i] = (uint8_t)(i * 7 + 1);
	c->udp_encap = true;
	c->local.ip = c->remote.ip = LO;
}

/* RFC 768: the UDP checksum over the pseudo-header and the datagram. */
static void
udp_csum(uint8_t *ip)
{
	uint8_t ph[12];
	uint32_t sum;
	uint16_t c;

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = ip[24];
	ph[11] = ip[25];
	ip[26] = ip[27] = 0;
	sum = vnet_csum_add(0, ph, sizeof(ph));
	sum = vnet_csum_add(sum, ip + 20, INNER - 20);
	c = (uint16_t)~vnet_csum_fold(sum);
	if (c == 0)
		c = 0xffff;
	ip[26] = (uint8_t)(c >> 8);
	ip[27] = (uint8_t)c;
}

/* The next packet of the flow: IP ID + 1 and the header checksum. */
static void
ip_next(uint8_t *ip)
{
	uint16_t id = (uint16_t)(ip[4] << 8 | ip[5]), c;

	id++;
	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[10] = ip[11] = 0;
	c = (uint16_t)~vnet_csum_fold(vnet_csum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* The sender: seal and sendmmsg until killed. */
static void
sender(unsigned bits, uint16_t port, bool gso)
{
	static uint8_t out[BATCH][INNER + 128];
	struct ike_child_sa c;
	struct esp_sa *sa;
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to;
	union {
		char		buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr	align;
	} cm;
	struct cmsghdr *c0;
	uint8_t inner[INNER];
	size_t len = 0;
	int fd, i;

	pin(1);
	child_sa(&c, bits);
	if ((sa = esp_sa_new(&c, ESP_DIR_OUT, NULL, monotime_now())) == NULL)
		_exit(1);
	memset(inner, 0, sizeof(inner));
	inner[0] = 0x45;			/* IPv4, UDP 10.1.0.1 -> 10.255.0.1:9 */
	inner[2] = INNER >> 8;
	inner[3] = INNER & 0xff;
	inner[8] = 64;
	inner[9] = 17;
	inner[12] = 10; inner[13] = 1; inner[15] = 1;
	inner[16] = 10; inner[17] = 255; inner[19] = 1;
	inner[20] = 0x9c; inner[21] = 0x40;	/* source port 40000 */
	inner[22] = 0; inner[23] = 9;
	inner[24] = (INNER - 20) >> 8;		/* UDP length */
	inner[25] = (INNER - 20) & 0xff;
	for (i = 28; i < INNER; i++)
		inner[i] = (uint8_t)i;
	udp_csum(inner);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(LO);
	to.sin_port = htons(port);
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			ip_next(inner);			/* a flow: IDs count up */
			if (esp_out(sa, esp_sa_crypto(sa, 0), inner, INNER,
			    ESP_NH_IPV4, out[i], sizeof(out[i]), &len,
			    monotime_now()) != ESP_OK)
				_exit(2);
			iov[i].iov_base = out[i];
			iov[i].iov_len = len;
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_name = &to;
			m[i].msg_hdr.msg_namelen = sizeof(to);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		if (!gso) {
			(void)sendmmsg(fd, m, BATCH, 0);
			continue;
		}
		/* One message, BATCH equal datagrams cut by the kernel. */
		m[0].msg_hdr.msg_iovlen = BATCH;
		m[0].msg_hdr.msg_control = cm.buf;
		m[0].msg_hdr.msg_controllen = sizeof(cm.buf);
		c0 = CMSG_FIRSTHDR(&m[0].msg_hdr);
		c0->cmsg_level = SOL_UDP;
		c0->cmsg_type = UDP_SEGMENT;
		c0->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		*(uint16_t *)(void *)CMSG_DATA(c0) = (uint16_t)len;
		if (sendmsg(fd, &m[0].msg_hdr, 0) == -1)
			_exit(3);
	}
}

static double
openssl_ceiling(unsigned bits, int secs)
{
	char cmd[160], line[512];
	double kps = 0, v;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "taskset -c 0 openssl speed -evp "
	    "aes-%u-gcm -bytes %d -seconds %d 2>/dev/null", bits, INNER, secs);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), p) != NULL)
		if (strncasecmp(line, "AES-", 4) == 0 &&
		    sscanf(line + strcspn(line, " "), " %lfk", &v) == 1)
			kps = v;
	pclose(p);
	return kps * 1000.0 / INNER;		/* packets/s */
}

/*
 * src_check: the link as the gateway configures it (the per-link source
 * check on, the sender's inner source 10.1.0.1 its BGP peer address); off,
 * to show what the check costs in the same run.
 */
static int
run(struct tenant_net *tn, unsigned bits, int secs, bool gso, bool src_check)
{
	struct esp_workers_cfg wc;
	struct esp_workers *ws = NULL;
	struct esp_table *t;
	struct esp_table_link l;
	struct esp_table_child tc;
	struct esp_sa_stats s0, s1;
	struct ike_child_sa c;
	struct rusage r0, r1;
	struct esp_sa *in;
	double cpu;
	monotime_t t0, t1;
	double pps, ceil;
	uint16_t port;
	int gfd, fd0;
	pid_t pid;

	child_sa(&c, bits);
	/* Member 0 of the group: the gateway's socket, as in gw.c. */
	if ((gfd = udp_reuseport_open(LO, 0)) == -1)
		return -1;
	{
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);

		getsockname(gfd, (struct sockaddr *)&sin, &sl);
		port = ntohs(sin.sin_port);
	}
	t = esp_table_new();
	fd0 = tenant_net_tun_fd(tn, 0);
	esp_table_tenant_set(t, 0, 1, &fd0, 1);
	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "bench");
	l.tenant = 0;
	l.src_check = src_check;
	l.peer_bgp = 0x0a010001u;		/* the sender's inner source */
	esp_table_links_set(t, &l, 1);
	memset(&tc, 0, sizeof(tc));
	tc.link_id = "bench";
	tc.in = in = esp_sa_new(&c, ESP_DIR_IN, NULL, monotime_now());
	tc.out = esp_sa_new(&c, ESP_DIR_OUT, NULL, monotime_now());
	tc.udp_encap = true;
	esp_table_child_add(t, &tc);
	esp_table_commit(t);
	memset(&wc, 0, sizeof(wc));
	wc.n = 1;
	wc.ips = (const uint32_t[]){ LO };
	wc.ports = &port;
	wc.nips = 1;
	wc.table = t;
	wc.ike_fd = -1;
	pin(0);
	if (esp_workers_start(&ws, &wc) == -1)
		return -1;
	if ((pid = fork()) == 0)
		sender(bits, port, gso);
	usleep(500000);
	esp_sa_get_stats(in, &s0);
	getrusage(RUSAGE_SELF, &r0);
	t0 = monotime_now();
	sleep((unsigned)secs);
	esp_sa_get_stats(in, &s1);
	getrusage(RUSAGE_SELF, &r1);
	t1 = monotime_now();
	cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec +
	    r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
	    (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec +
	    r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pps = (double)(s1.packets - s0.packets) / ((double)(t1 - t0) / 1e9);
	{
		struct esp_worker_stats ws_st;

		esp_workers_stats(ws, &ws_st);
		esp_workers_stop(ws);
		esp_table_free(t);
		close(gfd);
		ceil = openssl_ceiling(bits, secs);
		printf("AES-GCM-%u, %s sender%s: delivered %.0f pkt/s, %.2f Gbit/s inner "
		    "(TUN writes %llu, drops esp-in %llu tun-write %llu "
		    "spoofed-source %llu); "
		    "worker busy %.0f %%, %.2f us/pkt -> capacity %.0f pkt/s "
		    "%.2f Gbit/s; openssl speed ceiling %.0f pkt/s; delivered "
		    "%.0f %%, capacity %.0f %% of it\n", bits,
		    gso ? "GSO" : "plain", src_check ? "" :
		    " (source check off)", pps, pps * INNER * 8 / 1e9,
		    (unsigned long long)ws_st.rx_esp,
		    (unsigned long long)ws_st.drop[ESP_WD_ESP_IN],
		    (unsigned long long)ws_st.drop[ESP_WD_TUN_WRITE],
		    (unsigned long long)ws_st.drop[ESP_WD_SPOOFED],
		    100.0 * cpu / ((double)(t1 - t0) / 1e9),
		    1e6 * cpu / (double)(s1.packets - s0.packets),
		    (double)(s1.packets - s0.packets) / cpu,
		    (double)(s1.packets - s0.packets) / cpu * INNER * 8 / 1e9,
		    ceil, ceil > 0 ? 100.0 * pps / ceil : 0.0,
		    ceil > 0 ? 100.0 * (double)(s1.packets - s0.packets) / cpu /
		    ceil : 0.0);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct tenant_net_cfg tc;
	struct tenant_net *tn;
	char prefix[16], id[] = "t";
	uint32_t addr = 0x0aff0001;	/* 10.255.0.1 */
	int secs = argc > 1 ? atoi(argv[1]) : 3;
	int rc = 0;

	if (secs <= 0)
		secs = 3;
	snprintf(prefix, sizeof(prefix), "bb%d-", (int)getpid() % 100000);
	memset(&tc, 0, sizeof(tc));
	tc.prefix = prefix;
	tc.tenant = id;
	tc.tun_queues = 1;
	if (tenant_net_up(&tn, &tc) == -1) {
		fprintf(stderr, "bench_esp: needs root (network namespace, TUN)\n");
		return 77;
	}
	tenant_net_set_addrs(tn, &addr, 1);
	if (run(tn, 128, secs, true, true) == -1 ||
	    run(tn, 128, secs, true, false) == -1 ||
	    run(tn, 128, secs, false, true) == -1 ||
	    run(tn, 256, secs, true, true) == -1 ||
	    run(tn, 256, secs, false, true) == -1)
		rc = 1;
	tenant_net_down(tn);
	return rc;
}
