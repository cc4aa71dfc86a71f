/*
 * rawesp-linux.c - rawesp.h on Linux: socket(AF_INET, SOCK_RAW,
 * IPPROTO_ESP) with a classic BPF socket filter (SO_ATTACH_FILTER). A raw
 * IPv4 socket's filter sees the packet from the IPv4 header on, so the SPI
 * is found with the BPF_MSH idiom (X = IHL * 4) and an indirect load.
 */
#include "rawesp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <unistd.h>

#define RAWESP_RCVBUF	(1 << 20)
#define RAWESP_KEEP	0xffffffffu	/* filter verdict: the whole packet */
#define RAWESP_DRAIN	4096		/* at most, queued before the filter */

int
rawesp_open(uint32_t ip, unsigned worker, unsigned nworkers)
{
	struct sock_filter code[] = {
		/* X = IHL * 4 (RFC 791 §3.1): where the ESP header starts */
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 4),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		/* No whole SPI: one worker (0) takes it, to count it. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, worker == 0 ? RAWESP_KEEP : 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		/* A = SPI (RFC 4303 §2.1); as udp_reuseport_steer: SPI mod n */
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, nworkers),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, worker, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, RAWESP_KEEP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	struct sockaddr_in sin;
	uint8_t junk[64];
	int fd, rcv = RAWESP_RCVBUF, one = 1, i, err;

	if (nworkers == 0 || worker >= nworkers) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ESP);
	if (fd == -1)
		return -1;
	/* The filter before bind(): from here on nothing else is queued. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* As the UDP sockets: a floating endpoint may not be here yet. */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		goto fail;
	/*
	 * What arrived between socket() and the filter went past it, for any
	 * SPI: another worker owns those SAs' replay windows, so drop it.
	 */
	for (i = 0; i < RAWESP_DRAIN; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}
