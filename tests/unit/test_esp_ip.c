/*
 * test_esp_ip.c - raw ESP. A table of IPv4 + ESP packets for the parser
 * (esp_ip.c): well-formed ones with and without options, and hostile ones
 * (short, wrong version, IHL below 5 or past the end, total length above
 * or below the bytes received, other protocols, fragments, ESP runts),
 * then every one-octet change of a header and every cut of it: whatever
 * the parser accepts must lie inside the packet.
 *
 * As root, in a private network namespace, the kernel side (rawesp-linux.c
 * next to udp_reuseport_steer): raw ESP and ESP-in-UDP with the same SPIs
 * reach the same worker, SPI mod n, each exactly once; an ESP header
 * behind IP options is still found; packets without a whole SPI go to
 * worker 0 only; packets to another address reach no one. Skipped
 * without root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "esp_ip.h"
#include "log.h"
#include "rawesp.h"
#include "udp.h"

#define N(a)		(sizeof(a) / sizeof((a)[0]))
#define SRC		0xc0000201u	/* 192.0.2.1 */
#define DST		0xc0000202u	/* 192.0.2.2 */
#define LO		0x7f000001u
#define LO_OTHER	0x7f000002u
#define NW		3		/* workers in the kernel test */

static bool	have_root;

/* IPv4 header (IHL ihl, NOP options) + esp_len octets of ESP; its length. */
static size_t
mk(uint8_t *p, size_t cap, unsigned ihl, size_t esp_len)
{
	struct wbuf w;
	size_t hlen = (size_t)ihl * 4, i;

	wbuf_init(&w, p, cap);
	wbuf_add_u8(&w, (uint8_t)(0x40 | (ihl & 0x0f)));
	wbuf_add_u8(&w, 0);
	wbuf_add_u16(&w, (uint16_t)(hlen + esp_len));
	wbuf_add_u16(&w, 0x1234);
	wbuf_add_u16(&w, 0x4000);		/* DF */
	wbuf_add_u8(&w, 64);
	wbuf_add_u8(&w, ESP_IP_PROTO);
	wbuf_add_u16(&w, 0);
	wbuf_add_u32(&w, SRC);
	wbuf_add_u32(&w, DST);
	for (i = 20; i < hlen; i++)
		wbuf_add_u8(&w, 1);		/* RFC 791 NOP */
	for (i = 0; i < esp_len; i++)
		wbuf_add_u8(&w, (uint8_t)(0x10 + i));
	assert_false(w.err);
	return wbuf_len(&w);
}

enum mut { M_NONE, M_VHL, M_TOTAL, M_PROTO, M_FRAG, M_CUT, M_GROW };

struct row {
	const char	*name;
	unsigned	 ihl;
	size_t		 esp_len;
	enum mut	 mut;
	unsigned	 val;		/* the new field, or octets cut / added */
	int		 want;
	size_t		 off;		/* ESP_IP_OK: where ESP starts */
};

static const struct row rows[] = {
	{ "minimal", 5, 8, M_NONE, 0, ESP_IP_OK, 20 },
	{ "GCM packet", 5, 8 + 8 + 84 + 2 + 2 + 16, M_NONE, 0, ESP_IP_OK, 20 },
	{ "options IHL 6", 6, 40, M_NONE, 0, ESP_IP_OK, 24 },
	{ "options IHL 15", 15, 40, M_NONE, 0, ESP_IP_OK, 60 },
	{ "largest", 5, 65535 - 20, M_NONE, 0, ESP_IP_OK, 20 },
	{ "DF and reserved bit are fine", 5, 16, M_FRAG, 0xc000, ESP_IP_OK, 20 },
	{ "empty", 5, 8, M_CUT, 28, ESP_IP_SHORT, 0 },
	{ "1 octet", 5, 8, M_CUT, 27, ESP_IP_SHORT, 0 },
	{ "19 octets", 5, 8, M_CUT, 9, ESP_IP_SHORT, 0 },
	{ "20 octets, no ESP", 5, 0, M_NONE, 0, ESP_IP_RUNT, 0 },
	{ "version 6", 5, 8, M_VHL, 0x65, ESP_IP_VERSION, 0 },
	{ "version 0", 5, 8, M_VHL, 0x05, ESP_IP_VERSION, 0 },
	{ "version 15", 5, 8, M_VHL, 0xf5, ESP_IP_VERSION, 0 },
	{ "IHL 0", 5, 8, M_VHL, 0x40, ESP_IP_IHL, 0 },
	{ "IHL 4", 5, 8, M_VHL, 0x44, ESP_IP_IHL, 0 },
	{ "IHL 15 past the end", 5, 8, M_VHL, 0x4f, ESP_IP_SHORT, 0 },
	{ "IHL 8, 28 octets", 5, 8, M_VHL, 0x48, ESP_IP_SHORT, 0 },
	{ "IHL 7 eats the SPI", 5, 8, M_VHL, 0x47, ESP_IP_RUNT, 0 },
	{ "options cut", 6, 8, M_CUT, 10, ESP_IP_SHORT, 0 },
	{ "total length + 1", 5, 16, M_TOTAL, 37, ESP_IP_LENGTH, 0 },
	{ "total length - 1", 5, 16, M_TOTAL, 35, ESP_IP_LENGTH, 0 },
	{ "total length 0", 5, 16, M_TOTAL, 0, ESP_IP_LENGTH, 0 },
	{ "total length 20", 5, 16, M_TOTAL, 20, ESP_IP_LENGTH, 0 },
	{ "total length 65535", 5, 16, M_TOTAL, 65535, ESP_IP_LENGTH, 0 },
	{ "trailing octets", 5, 16, M_GROW, 4, ESP_IP_LENGTH, 0 },
	{ "truncated ESP", 5, 16, M_CUT, 3, ESP_IP_LENGTH, 0 },
	{ "UDP", 5, 16, M_PROTO, 17, ESP_IP_PROTO_NOT_ESP, 0 },
	{ "AH", 5, 16, M_PROTO, 51, ESP_IP_PROTO_NOT_ESP, 0 },
	{ "protocol 0", 5, 16, M_PROTO, 0, ESP_IP_PROTO_NOT_ESP, 0 },
	{ "first fragment (MF)", 5, 16, M_FRAG, 0x2000, ESP_IP_FRAGMENT, 0 },
	{ "last fragment (offset)", 5, 16, M_FRAG, 0x0001, ESP_IP_FRAGMENT, 0 },
	{ "largest offset", 5, 16, M_FRAG, 0x1fff, ESP_IP_FRAGMENT, 0 },
	{ "DF + MF", 5, 16, M_FRAG, 0x6000, ESP_IP_FRAGMENT, 0 },
	{ "ESP 7 octets", 5, 7, M_NONE, 0, ESP_IP_RUNT, 0 },
	{ "ESP 4 octets", 5, 4, M_NONE, 0, ESP_IP_RUNT, 0 },
	{ "ESP 1 octet", 5, 1, M_NONE, 0, ESP_IP_RUNT, 0 },
	{ "options, ESP 7 octets", 7, 7, M_NONE, 0, ESP_IP_RUNT, 0 },
};

static uint8_t	pkt[65536 + 64];

/* Whatever is accepted lies inside the packet, after a whole header. */
static void
check_inside(int v, const struct esp_ip *ip, size_t len)
{
	if (v != ESP_IP_OK)
		return;
	assert_true(ip->esp_off >= ESP_IP_HDR_MIN && ip->esp_off <= 60);
	assert_true(ip->esp_len >= 8);
	assert_int_equal(ip->esp_off + ip->esp_len, len);
}

static void
test_table(void **state)
{
	struct esp_ip ip;
	size_t i, len;
	int v;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];

		len = mk(pkt, sizeof(pkt), r->ihl, r->esp_len);
		switch (r->mut) {
		case M_NONE:
			break;
		case M_VHL:
			pkt[0] = (uint8_t)r->val;
			break;
		case M_TOTAL:
			pkt[2] = (uint8_t)(r->val >> 8);
			pkt[3] = (uint8_t)r->val;
			break;
		case M_PROTO:
			pkt[9] = (uint8_t)r->val;
			break;
		case M_FRAG:
			pkt[6] = (uint8_t)(r->val >> 8);
			pkt[7] = (uint8_t)r->val;
			break;
		case M_CUT:
			len -= r->val;
			break;
		case M_GROW:
			memset(pkt + len, 0, r->val);
			len += r->val;
			break;
		}
		memset(&ip, 0xa5, sizeof(ip));
		v = esp_ip_parse(pkt, len, &ip);
		if (v != r->want)
			fail_msg("%s: %s, want %s", r->name,
			    esp_ip_verdict_str(v), esp_ip_verdict_str(r->want));
		check_inside(v, &ip, len);
		if (v == ESP_IP_OK) {
			assert_int_equal(ip.esp_off, r->off);
			assert_int_equal(ip.esp_len, r->esp_len);
			assert_int_equal(ip.src, SRC);
			assert_int_equal(ip.dst, DST);
			assert_int_equal(pkt[ip.esp_off], 0x10);
		}
	}
	assert_int_equal(esp_ip_parse(NULL, 0, &ip), ESP_IP_SHORT);
	assert_string_equal(esp_ip_verdict_str(ESP_IP_FRAGMENT), "fragment");
	assert_string_equal(esp_ip_verdict_str(99), "?");
}

/* Every octet of a header with options set to every value, every cut. */
static void
test_mutations(void **state)
{
	struct esp_ip ip;
	size_t len, i, n, ok = 0;
	unsigned val;
	uint8_t orig;
	int v;

	(void)state;
	len = mk(pkt, sizeof(pkt), 7, 24);
	for (i = 0; i < 28; i++) {
		orig = pkt[i];
		for (val = 0; val < 256; val++) {
			pkt[i] = (uint8_t)val;
			v = esp_ip_parse(pkt, len, &ip);
			check_inside(v, &ip, len);
			ok += v == ESP_IP_OK;
		}
		pkt[i] = orig;
	}
	/*
	 * IHL 5..11 keep 8 octets of ESP; total length and protocol have one
	 * good value each, the fragment field 4 (DF, reserved bit) in its
	 * high octet and 1 in its low one; the other 22 octets are free.
	 */
	assert_int_equal(ok, 7 + 1 + 1 + 1 + 4 + 1 + 22 * 256);
	for (n = 0; n < len; n++) {
		v = esp_ip_parse(pkt, n, &ip);
		assert_int_not_equal(v, ESP_IP_OK);
	}
}

/* --- the kernel side (root, private namespace) ------------------------------- */

static int
lo_up(void)
{
	struct ifreq ifr;
	int fd, rc;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

static void
send_raw(int fd, uint32_t dst, const uint8_t *esp, size_t len)
{
	struct sockaddr_in to;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(dst);
	assert_int_equal(sendto(fd, esp, len, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)len);
}

static void
send_udp(int fd, uint16_t port, const uint8_t *p, size_t len)
{
	struct sockaddr_in to;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(LO);
	to.sin_port = htons(port);
	assert_int_equal(sendto(fd, p, len, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)len);
}

/*
 * The SPIs (first word after the IPv4 header when raw) that fd holds, until
 * it stays quiet; *short_ones counts raw packets without a whole SPI.
 */
static size_t
drain(int fd, bool raw, uint32_t *spis, size_t max, size_t *short_ones)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint8_t b[2048];
	struct esp_ip ip;
	struct buf c;
	size_t n = 0;
	ssize_t r;
	int v;

	while (poll(&pfd, 1, 200) == 1) {
		if ((r = recv(fd, b, sizeof(b), MSG_DONTWAIT)) < 0)
			break;
		if (raw) {
			v = esp_ip_parse(b, (size_t)r, &ip);
			if (v == ESP_IP_RUNT) {
				(*short_ones)++;
				continue;
			}
			assert_int_equal(v, ESP_IP_OK);
			buf_init(&c, b, (size_t)r);
			assert_int_equal(buf_skip(&c, ip.esp_off), 0);
		} else
			buf_init(&c, b, (size_t)r);
		assert_true(n < max);
		assert_int_equal(buf_get_u32(&c, &spis[n]), 0);
		n++;
	}
	return n;
}

static const uint32_t spis[] = { 256, 257, 258, 259, 260, 1000, 1001,
	0x7fffffff, 0x80000000, 0xdeadbeef, 0xc0ffee01, 0xfffffffe,
	0xffffffff, 12345678, 3 };

static void
test_kernel_steering(void **state)
{
	int raw[NW], udp[NW], gw, tx_raw, tx_udp;
	uint32_t got[64];
	size_t n, i, k, total_raw = 0, total_udp = 0, shorts, s0 = 0;
	uint8_t esp[32];
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	uint16_t port;
	unsigned w;
	/* RFC 791 options: three NOPs and an end of list (IHL 6). */
	static const uint8_t opts[4] = { 1, 1, 1, 0 };

	(void)state;
	if (!have_root)
		skip();
	assert_int_equal(rawesp_open(LO, 3, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rawesp_open(LO, 0, 0), -1);
	for (w = 0; w < NW; w++)
		assert_int_not_equal(raw[w] = rawesp_open(LO, w, NW), -1);
	assert_int_not_equal(gw = udp_reuseport_open(LO, 0), -1);
	assert_int_equal(getsockname(gw, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	for (w = 0; w < NW; w++)
		assert_int_not_equal(udp[w] = udp_reuseport_open(LO, port), -1);
	assert_int_equal(udp_reuseport_steer(gw, NW), 0);
	assert_int_not_equal(tx_raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC,
	    IPPROTO_ESP), -1);
	assert_int_not_equal(tx_udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
	    0), -1);

	memset(esp, 0x5a, sizeof(esp));
	for (i = 0; i < N(spis); i++) {
		esp[0] = (uint8_t)(spis[i] >> 24);
		esp[1] = (uint8_t)(spis[i] >> 16);
		esp[2] = (uint8_t)(spis[i] >> 8);
		esp[3] = (uint8_t)spis[i];
		send_raw(tx_raw, LO, esp, sizeof(esp));
		send_udp(tx_udp, port, esp, sizeof(esp));
		/* Not ours: another local address. */
		send_raw(tx_raw, LO_OTHER, esp, sizeof(esp));
	}
	/* Behind IP options: the filter must follow IHL to the SPI. */
	assert_int_equal(setsockopt(tx_raw, IPPROTO_IP, IP_OPTIONS, opts,
	    sizeof(opts)), 0);
	esp[0] = esp[1] = 0;
	esp[2] = 0x12;
	esp[3] = 0x34;		/* SPI 0x1234 = 4660, mod 3 = 1 */
	send_raw(tx_raw, LO, esp, sizeof(esp));
	assert_int_equal(setsockopt(tx_raw, IPPROTO_IP, IP_OPTIONS, NULL, 0),
	    0);
	/* No whole SPI: worker 0 alone. */
	send_raw(tx_raw, LO, esp, 3);
	send_raw(tx_raw, LO, esp, 0);

	for (w = 0; w < NW; w++) {
		shorts = 0;
		n = drain(raw[w], true, got, N(got), &shorts);
		for (k = 0; k < n; k++)
			if (got[k] % NW != w)
				fail_msg("raw: SPI 0x%08x on worker %u", got[k], w);
		assert_int_equal(shorts, w == 0 ? 2 : 0);
		total_raw += n;
		n = drain(udp[w], false, got, N(got), &s0);
		for (k = 0; k < n; k++)
			if (got[k] % NW != w)
				fail_msg("udp: SPI 0x%08x on member %u", got[k],
				    w + 1);
		total_udp += n;
	}
	/* Each exactly once, nothing for 127.0.0.2. */
	assert_int_equal(total_raw, N(spis) + 1);
	assert_int_equal(total_udp, N(spis));
	for (w = 0; w < NW; w++) {
		close(raw[w]);
		close(udp[w]);
	}
	close(gw);
	close(tx_raw);
	close(tx_udp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_kernel_steering),
	};

	log_set_level(LOG_WARN);
	have_root = geteuid() == 0;
	if (have_root && (unshare(CLONE_NEWNET) == -1 || lo_up() == -1)) {
		fprintf(stderr, "test_esp_ip: private namespace: %s\n",
		    strerror(errno));
		have_root = false;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
