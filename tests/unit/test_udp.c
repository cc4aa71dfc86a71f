/*
 * test_udp.c - the UDP front end (net/udp) on 127.0.0.1 with kernel-picked
 * ports: RFC 3948 demultiplexing on the NAT-T socket (keepalive, non-ESP
 * marker, ESP, runts), IKE as is on the IKE socket, the marker added when
 * sending from the NAT-T socket, and sockets that cannot bind.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "udp.h"

#define LOOPBACK	0x7f000001

struct rx {
	int		calls;
	struct udp_endpoint local, remote;
	uint8_t		pkt[256];
	size_t		len;
};

struct seen {
	struct rx	ike[4];
	int		nike;
	struct rx	esp;
};

static void
on_ike(void *arg, const struct udp_endpoint *local,
    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct seen *s = arg;
	struct rx *r;

	assert_true(s->nike < 4);
	r = &s->ike[s->nike++];
	r->calls++;
	r->local = *local;
	r->remote = *remote;
	assert_true(len <= sizeof(r->pkt));
	memcpy(r->pkt, pkt, len);
	r->len = len;
}

static void
on_esp(void *arg, const struct udp_endpoint *local,
    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct seen *s = arg;

	s->esp.calls++;
	s->esp.local = *local;
	s->esp.remote = *remote;
	memcpy(s->esp.pkt, pkt, len < sizeof(s->esp.pkt) ? len :
	    sizeof(s->esp.pkt));
	s->esp.len = len;
}

static int
client_socket(uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
client_send(int fd, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_in to;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(LOOPBACK);
	to.sin_port = htons(port);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)len);
}

/* Polls the front end's sockets until want datagrams were counted. */
static void
pump(struct udp *u, uint64_t want)
{
	struct pollfd pfd[8];
	struct udp_stats st;
	int fds[8];
	size_t n, i;
	int rounds;

	n = udp_fds(u, fds, 8);
	for (rounds = 0; rounds < 100; rounds++) {
		udp_get_stats(u, &st);
		if (st.rx_ike + st.rx_natt_ike + st.rx_keepalive + st.rx_esp +
		    st.rx_runt >= want)
			return;
		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		assert_true(poll(pfd, n, 50) >= 0);
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				udp_read(u, fds[i]);
	}
	fail_msg("datagrams did not arrive");
}

static void
test_demux(void **state)
{
	static const uint8_t keepalive[1] = { 0xff };
	static const uint8_t natt_ike[] = { 0, 0, 0, 0, 'I', 'K', 'E', '2' };
	static const uint8_t esp[] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1,
	    0xde, 0xad, 0xbe, 0xef };
	static const uint8_t runt[] = { 0x01, 0x02 };
	static const uint8_t marker_only[] = { 0, 0, 0, 0 };
	static const uint8_t ike[] = { 'I', 'K', 'E', '5', '0', '0' };
	uint32_t ips[1] = { LOOPBACK };
	struct udp_config cfg = { ips, 1, 0, 0, false };
	struct udp_handlers h;
	struct udp_stats st;
	struct seen seen;
	struct udp *u = NULL;
	uint16_t p_ike, p_natt, cport;
	size_t bound;
	int c;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&h, 0, sizeof(h));
	h.arg = &seen;
	h.ike = on_ike;
	assert_int_equal(udp_open(&u, &cfg, &h, &bound), 0);
	assert_int_equal(bound, 2);
	p_ike = udp_bound_port(u, LOOPBACK, false);
	p_natt = udp_bound_port(u, LOOPBACK, true);
	assert_true(p_ike != 0 && p_natt != 0 && p_ike != p_natt);
	assert_int_equal(udp_bound_port(u, 0x7f000002, false), 0);

	c = client_socket(&cport);
	client_send(c, p_natt, keepalive, sizeof(keepalive));
	client_send(c, p_natt, natt_ike, sizeof(natt_ike));
	client_send(c, p_natt, esp, sizeof(esp));
	client_send(c, p_natt, runt, sizeof(runt));
	client_send(c, p_natt, marker_only, sizeof(marker_only));
	client_send(c, p_ike, ike, sizeof(ike));
	pump(u, 6);

	udp_get_stats(u, &st);
	assert_int_equal(st.rx_keepalive, 1);
	assert_int_equal(st.rx_natt_ike, 1);
	assert_int_equal(st.rx_esp, 1);
	assert_int_equal(st.rx_esp_dropped, 1);	/* no ESP handler yet */
	assert_int_equal(st.rx_runt, 2);
	assert_int_equal(st.rx_ike, 1);
	assert_int_equal(seen.nike, 2);

	/* Order across the two sockets is not guaranteed: find each. */
	for (int i = 0; i < 2; i++) {
		struct rx *r = &seen.ike[i];

		assert_int_equal(r->local.ip, LOOPBACK);
		assert_int_equal(r->remote.ip, LOOPBACK);
		assert_int_equal(r->remote.port, cport);
		if (r->local.port == p_natt) {
			/* The marker is stripped. */
			assert_int_equal(r->len, 4);
			assert_memory_equal(r->pkt, "IKE2", 4);
		} else {
			assert_int_equal(r->local.port, p_ike);
			assert_int_equal(r->len, sizeof(ike));
			assert_memory_equal(r->pkt, ike, sizeof(ike));
		}
	}
	assert_int_not_equal(seen.ike[0].local.port, seen.ike[1].local.port);
	close(c);
	udp_close(u);
}

static void
test_send(void **state)
{
	uint32_t ips[1] = { LOOPBACK };
	struct udp_config cfg = { ips, 1, 0, 0, false };
	struct udp_handlers h;
	struct udp_endpoint local, remote;
	struct udp_stats st;
	struct udp *u = NULL;
	uint8_t buf[64];
	uint16_t cport;
	size_t bound;
	ssize_t n;
	int c;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(udp_open(&u, &cfg, &h, &bound), 0);
	c = client_socket(&cport);
	remote.ip = LOOPBACK;
	remote.port = cport;

	/* From the IKE port: as is. */
	local.ip = LOOPBACK;
	local.port = udp_bound_port(u, LOOPBACK, false);
	assert_int_equal(udp_send(u, &local, &remote,
	    (const uint8_t *)"hello", 5), 0);
	n = recv(c, buf, sizeof(buf), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);

	/* From the NAT-T port: the non-ESP marker first. */
	local.port = udp_bound_port(u, LOOPBACK, true);
	assert_int_equal(udp_send(u, &local, &remote,
	    (const uint8_t *)"hello", 5), 0);
	n = recv(c, buf, sizeof(buf), 0);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "\0\0\0\0hello", 9);

	/* No socket for that local endpoint. */
	local.port = 1;
	assert_int_equal(udp_send(u, &local, &remote,
	    (const uint8_t *)"x", 1), -1);
	udp_get_stats(u, &st);
	assert_int_equal(st.tx, 2);
	assert_int_equal(st.tx_errors, 1);
	close(c);
	udp_close(u);
}

/* The demultiplexer alone, with an ESP handler in place. */
static void
test_demux_direct(void **state)
{
	static const uint8_t esp[] = { 0, 0, 0, 9, 0, 0, 0, 1 };
	struct udp_config cfg = { NULL, 0, 0, 0, false };
	struct udp_endpoint l = { LOOPBACK, 4500 }, r = { 0xc6336407, 31000 };
	struct udp_handlers h;
	struct udp_stats st;
	struct seen seen;
	struct udp *u = NULL;
	size_t bound;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&h, 0, sizeof(h));
	h.arg = &seen;
	h.ike = on_ike;
	h.esp = on_esp;
	assert_int_equal(udp_open(&u, &cfg, &h, &bound), 0);
	assert_int_equal(bound, 0);
	udp_demux(u, true, &l, &r, esp, sizeof(esp));
	assert_int_equal(seen.esp.calls, 1);
	assert_int_equal(seen.esp.len, sizeof(esp));
	assert_int_equal(seen.esp.remote.port, 31000);
	/* Two 0xFF bytes are not a keepalive: a runt ESP packet. */
	udp_demux(u, true, &l, &r, (const uint8_t *)"\xff\xff", 2);
	/* On the IKE port a leading zero word is just IKE (SPIi can be anything). */
	udp_demux(u, false, &l, &r, (const uint8_t *)"\0\0\0\0abc", 7);
	udp_get_stats(u, &st);
	assert_int_equal(st.rx_esp, 1);
	assert_int_equal(st.rx_esp_dropped, 0);
	assert_int_equal(st.rx_runt, 1);
	assert_int_equal(st.rx_keepalive, 0);
	assert_int_equal(st.rx_ike, 1);
	assert_int_equal(seen.ike[0].len, 7);
	udp_close(u);
}

/*
 * An endpoint address this host does not have yet (a floating address)
 * binds anyway (IP_FREEBIND); a port taken by another process does not,
 * and udp_open() reports how many sockets it could bind so the gateway can
 * refuse to run half deaf.
 */
static void
test_bind_failure(void **state)
{
	uint32_t ips[2] = { 0xc0000201, LOOPBACK };	/* 192.0.2.1 */
	struct udp_config cfg = { ips, 2, 0, 0, false };
	struct udp_handlers h;
	struct udp *u = NULL;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	size_t bound;
	int fds[8], busy;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(udp_open(&u, &cfg, &h, &bound), 0);
	assert_int_equal(bound, 4);
	assert_int_not_equal(udp_bound_port(u, 0xc0000201, false), 0);
	udp_close(u);

	/* Occupy a loopback port, then ask for it as the IKE port. */
	busy = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(busy >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(LOOPBACK);
	assert_int_equal(bind(busy, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(busy, (struct sockaddr *)&sin, &slen), 0);
	cfg.ips = &ips[1];
	cfg.nips = 1;
	cfg.ike_port = ntohs(sin.sin_port);
	assert_int_equal(udp_open(&u, &cfg, &h, &bound), 0);
	assert_int_equal(bound, 1);
	assert_int_equal(udp_fds(u, fds, 8), 1);
	udp_close(u);
	close(busy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux),
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_demux_direct),
		cmocka_unit_test(test_bind_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
