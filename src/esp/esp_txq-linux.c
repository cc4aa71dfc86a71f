/*
 * esp_txq-linux.c - esp_txq.h with sendmmsg and UDP GSO (UDP_SEGMENT,
 * Linux 4.18). All buffers are allocated by esp_txq_new(); a flush makes
 * one system call per socket (more only if the kernel takes part of it).
 *
 * A GSO message is a run of queued packets with the same socket and peer,
 * each iovec one ESP packet: all of the run's length but the last, which
 * may be shorter and ends the run (the kernel cuts at gso_size). If the
 * kernel refuses UDP_SEGMENT (EIO: an egress device without checksum
 * offload and software GSO off), that batch is dropped and the queue sends
 * one datagram per message from then on.
 */
#include "esp_txq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "log.h"

#define TXQ_GSO_SEGS	64		/* UDP_MAX_SEGMENTS in older kernels */
#define TXQ_GSO_BYTES	65000		/* below the 65507-octet UDP payload */

struct txq_pkt {
	int		 fd;
	bool		 raw;
	uint32_t	 ip;
	uint16_t	 port;
	uint16_t	 len;
};

union txq_cmsg {
	char		 buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr	 align;
};

struct esp_txq {
	unsigned		 slots, n;
	size_t			 slot_len;
	bool			 no_gso;
	uint8_t			*buf;
	struct txq_pkt		*pkt;
	struct iovec		*iov;		/* one per packet */
	struct sockaddr_in	*to;		/* one per message */
	union txq_cmsg		*cm;		/* one per message */
	struct mmsghdr		*msg, *part;
	int			*mfd;		/* socket of each message */
	bool			*mraw;		/* ... and whether it is raw */
	bool			*done;
};

int
esp_txq_new(struct esp_txq **out, unsigned slots, size_t slot_len)
{
	struct esp_txq *q;

	*out = NULL;
	if (slots == 0 || slot_len == 0 || slot_len > UINT16_MAX ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->slots = slots;
	q->slot_len = slot_len;
	q->buf = malloc((size_t)slots * slot_len);
	q->pkt = calloc(slots, sizeof(*q->pkt));
	q->iov = calloc(slots, sizeof(*q->iov));
	q->to = calloc(slots, sizeof(*q->to));
	q->cm = calloc(slots, sizeof(*q->cm));
	q->msg = calloc(slots, sizeof(*q->msg));
	q->part = calloc(slots, sizeof(*q->part));
	q->mfd = calloc(slots, sizeof(*q->mfd));
	q->done = calloc(slots, sizeof(*q->done));
	q->mraw = calloc(slots, sizeof(*q->mraw));
	if (q->mraw == NULL ||q->buf == NULL || q->pkt == NULL || q->iov == NULL ||
	    q->to == NULL || q->cm == NULL || q->msg == NULL ||
	    q->part == NULL || q->mfd == NULL || q->done == NULL) {
		esp_txq_free(q);
		return -1;
	}
	*out = q;
	return 0;
}

void
esp_txq_free(struct esp_txq *q)
{
	if (q == NULL)
		return;
	free(q->buf);
	free(q->pkt);
	free(q->iov);
	free(q->to);
	free(q->cm);
	free(q->msg);
	free(q->part);
	free(q->mfd);
	free(q->done);
	free(q->mraw);
	free(q);
}

unsigned
esp_txq_room(const struct esp_txq *q)
{
	return q->slots - q->n;
}

uint8_t *
esp_txq_slot(struct esp_txq *q)
{
	return q->n < q->slots ? q->buf + (size_t)q->n * q->slot_len : NULL;
}

void
esp_txq_push(struct esp_txq *q, int fd, bool raw, uint32_t ip,
    uint16_t port, size_t len)
{
	struct txq_pkt *p;

	if (q->n >= q->slots || len > q->slot_len)
		return;
	p = &q->pkt[q->n];
	p->fd = fd;
	p->raw = raw;
	p->ip = ip;
	p->port = raw ? 0 : port;	/* a raw socket has no ports */
	p->len = (uint16_t)len;
	q->iov[q->n].iov_base = q->buf + (size_t)q->n * q->slot_len;
	q->iov[q->n].iov_len = len;
	q->n++;
}

/* How many packets from i on can share packet i's GSO message. */
static unsigned
txq_run(const struct esp_txq *q, unsigned i)
{
	const struct txq_pkt *p = &q->pkt[i], *o;
	size_t bytes = p->len;
	unsigned cnt = 1;

	if (p->raw || q->no_gso)
		return 1;
	while (i + cnt < q->n && cnt < TXQ_GSO_SEGS) {
		o = &q->pkt[i + cnt];
		if (o->fd != p->fd || o->raw || o->ip != p->ip ||
		    o->port != p->port || o->len > p->len ||
		    bytes + o->len > TXQ_GSO_BYTES)
			break;
		cnt++;
		bytes += o->len;
		if (o->len < p->len)		/* a short one ends the run */
			break;
	}
	return cnt;
}

static void
txq_count(struct esp_txq_counts *c, const struct msghdr *mh, bool raw)
{
	size_t k;

	c->pkts += mh->msg_iovlen;
	if (raw)
		c->raw += mh->msg_iovlen;
	for (k = 0; k < mh->msg_iovlen; k++)
		c->bytes += mh->msg_iov[k].iov_len;
}

static void
txq_send(struct esp_txq *q, int fd, bool raw, struct mmsghdr *m,
    unsigned cnt, struct esp_txq_counts *c)
{
	unsigned i;
	int r;

	while (cnt > 0) {
		r = sendmmsg(fd, m, cnt, MSG_DONTWAIT);
		if (r <= 0) {
			if (r == -1 && errno == EIO && !q->no_gso &&
			    m[0].msg_hdr.msg_controllen > 0) {
				q->no_gso = true;
				log_warn("esp: the kernel refuses UDP GSO "
				    "(UDP_SEGMENT) here: one datagram per "
				    "message from now on");
			}
			for (i = 0; i < cnt; i++)
				c->dropped += m[i].msg_hdr.msg_iovlen;
			return;
		}
		for (i = 0; i < (unsigned)r; i++)
			txq_count(c, &m[i].msg_hdr, raw);
		m += r;
		cnt -= (unsigned)r;
	}
}

void
esp_txq_flush(struct esp_txq *q, struct esp_txq_counts *c)
{
	struct msghdr *mh;
	struct cmsghdr *cm;
	unsigned i, j, k, cnt, nmsg = 0;

	for (i = 0; i < q->n; i += cnt) {
		cnt = txq_run(q, i);
		q->to[nmsg].sin_family = AF_INET;
		q->to[nmsg].sin_addr.s_addr = htonl(q->pkt[i].ip);
		q->to[nmsg].sin_port = htons(q->pkt[i].port);
		mh = &q->msg[nmsg].msg_hdr;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &q->to[nmsg];
		mh->msg_namelen = sizeof(q->to[nmsg]);
		mh->msg_iov = &q->iov[i];
		mh->msg_iovlen = cnt;
		if (cnt > 1) {
			mh->msg_control = q->cm[nmsg].buf;
			mh->msg_controllen = sizeof(q->cm[nmsg].buf);
			cm = CMSG_FIRSTHDR(mh);
			cm->cmsg_level = SOL_UDP;
			cm->cmsg_type = UDP_SEGMENT;
			cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
			memcpy(CMSG_DATA(cm), &q->pkt[i].len, sizeof(uint16_t));
		}
		q->mfd[nmsg] = q->pkt[i].fd;
		q->mraw[nmsg] = q->pkt[i].raw;
		q->done[nmsg] = false;
		nmsg++;
	}
	/* One sendmmsg per socket, keeping the queue order within it. */
	for (i = 0; i < nmsg; i++) {
		if (q->done[i])
			continue;
		for (j = i, k = 0; j < nmsg; j++)
			if (!q->done[j] && q->mfd[j] == q->mfd[i]) {
				q->part[k++] = q->msg[j];
				q->done[j] = true;
			}
		txq_send(q, q->mfd[i], q->mraw[i], q->part, k, c);
	}
	q->n = 0;
}
