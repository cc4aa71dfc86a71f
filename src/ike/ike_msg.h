/*
 * ike_msg.h - IKE messages in and out of an SA: building the header and the
 * SK payload around inner payloads (§3.14), opening received ones,
 * sending, caching responses and keeping requests for retransmission.
 */
#ifndef IKE_MSG_H
#define IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ike_pld.h"
#include "monotime.h"

struct ike_sa;
struct ike_engine;
struct ike_endpoint;

#define IKE_PLAIN_MAX	4096	/* inner payloads we build; ours stay small */
#define IKE_OUT_MAX	(IKE_PLAIN_MAX + 256)

/* Inner payloads of one protected message. */
struct ike_out {
	struct wbuf	w;
	struct ike_build b;
	uint8_t		buf[IKE_PLAIN_MAX];
};

void	ike_out_init(struct ike_out *);

/*
 * Protect and send. A request becomes the SA's outstanding request (kept
 * for retransmission, req.msgid = sa->req_next++); a response is cached
 * for the peer's retransmits. -1 on a build failure (nothing sent).
 */
int	ike_msg_send_request(struct ike_sa *, uint8_t exchange,
	    struct ike_out *, monotime_t now);
int	ike_msg_send_response(struct ike_sa *, uint8_t exchange,
	    uint32_t msgid, struct ike_out *, monotime_t now);
/* A protected request sent once and forgotten (DELETE on shutdown). */
int	ike_msg_send_oneshot(struct ike_sa *, uint8_t exchange,
	    struct ike_out *);
/* The outstanding request again (retransmission timer). */
void	ike_msg_resend_req(struct ike_sa *);
/* Raw bytes to the SA's peer (cached response, retransmit). */
void	ike_msg_resend(struct ike_sa *, const uint8_t *, size_t);
/* Unprotected bytes from local to remote (IKE_SA_INIT). */
void	ike_msg_send_raw(struct ike_engine *, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, const uint8_t *, size_t);

/*
 * Verify and decrypt the SK payload of m (parsed from pkt, which is
 * writable and decrypted in place), then parse the inner chain into m.
 * -1: integrity failure or malformed content (*err_notify set if the
 * latter deserves an answer, else 0).
 */
int	ike_msg_open(struct ike_sa *, uint8_t *pkt, size_t len,
	    struct ike_msg *m, uint16_t *err_notify);

#endif
