/*
 * ike_task_info.c - the INFORMATIONAL exchange (RFC 7296 §1.4): DELETE of
 * CHILD SAs (answered with the matching DELETE, §1.4.1) and of the IKE SA,
 * and liveness checks (§2.4: an empty request, answered empty; no answer
 * after the retransmissions means the peer is dead, see ike_sa.c).
 */
#include <string.h>

#include "ike_msg.h"
#include "ike_pld.h"
#include "ike_sa.h"
#include "ike_task.h"
#include "ikev2_wire.h"
#include "log.h"

int
ike_info_delete_ike_start(struct ike_sa *sa, monotime_t now)
{
	struct ike_out o;

	ike_out_init(&o);
	if (ike_build_delete(&o.b, IKEV2_PROTO_IKE, NULL, 0) == -1 ||
	    ike_msg_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &o, now) == -1)
		return -1;
	sa->req.task = IKE_TASK_DELETE_IKE;
	if (sa->state != IKE_SA_REKEYED) {
		if (sa->up)
			ike_sa_event(sa, IKE_EV_TUNNEL_DOWN,
			    IKE_R_LOCAL_DELETE, "IKE SA deleted by us");
		sa->up = false;
		sa->state = IKE_SA_DELETING;
	}
	return 0;
}

void
ike_info_delete_ike_oneshot(struct ike_sa *sa)
{
	struct ike_out o;

	if (sa->sk == NULL || !sa->established)
		return;
	ike_out_init(&o);
	if (ike_build_delete(&o.b, IKEV2_PROTO_IKE, NULL, 0) == 0)
		(void)ike_msg_send_oneshot(sa, IKEV2_EXCH_INFORMATIONAL, &o);
}

int
ike_info_delete_child_start(struct ike_sa *sa, monotime_t now)
{
	uint32_t spis[IKE_CHILD_MAX];
	struct ike_child *c;
	struct ike_out o;
	size_t i, n = 0;

	for (i = 0; i < IKE_CHILD_MAX; i++) {
		c = &sa->child[i];
		if (c->state == IKE_CHILD_DELETING && !c->del_sent)
			spis[n++] = c->spi_in;
	}
	if (n == 0)
		return -1;
	ike_out_init(&o);
	/* §3.11: the SPIs we expect in inbound packets. */
	if (ike_build_delete(&o.b, IKEV2_PROTO_ESP, spis, n) == -1 ||
	    ike_msg_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &o, now) == -1)
		return -1;
	sa->req.task = IKE_TASK_DELETE_CHILD;
	for (i = 0; i < n; i++) {
		sa->req.del_spis[i] = spis[i];
		ike_child_by_in(sa, spis[i])->del_sent = true;
	}
	sa->req.ndel = n;
	return 0;
}

int
ike_info_dpd_start(struct ike_sa *sa, monotime_t now)
{
	struct ike_out o;

	ike_out_init(&o);
	if (ike_msg_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &o, now) == -1)
		return -1;
	sa->req.task = IKE_TASK_DPD;
	return 0;
}

void
ike_info_respond(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	uint32_t back[IKE_CHILD_MAX];
	const struct ike_pld_delete *d;
	struct ike_child *c;
	struct ike_out o;
	bool del_ike = false;
	size_t n = 0;
	uint8_t i;
	uint16_t j;

	for (i = 0; i < m->ndelete; i++) {
		d = &m->del[i];
		if (d->proto == IKEV2_PROTO_IKE) {
			del_ike = true;
			continue;
		}
		if (d->proto != IKEV2_PROTO_ESP)
			continue;
		for (j = 0; j < d->nspis; j++) {
			if ((c = ike_child_by_out(sa, d->spis[j])) == NULL)
				continue;
			/* §1.4.1: answer with ours, unless already asked. */
			if (!(c->state == IKE_CHILD_DELETING && c->del_sent) &&
			    n < IKE_CHILD_MAX)
				back[n++] = c->spi_in;
			ike_child_remove(sa, c);
		}
	}
	ike_out_init(&o);
	if (!del_ike && n > 0)
		(void)ike_build_delete(&o.b, IKEV2_PROTO_ESP, back, n);
	(void)ike_msg_send_response(sa, IKEV2_EXCH_INFORMATIONAL,
	    m->hdr.msgid, &o, now);
	if (del_ike) {
		if (sa->up && sa->state != IKE_SA_REKEYED) {
			char who[400];

			log_info("ike: %s: peer deleted the IKE SA",
			    ike_sa_who(sa, who, sizeof(who)));
			ike_sa_event(sa, IKE_EV_TUNNEL_DOWN, IKE_R_PEER_DELETE,
			    "the peer deleted the IKE SA");
		}
		ike_sa_teardown(sa);
	}
}

void
ike_info_response(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_child *c;
	size_t i;

	(void)m;
	(void)now;
	switch (sa->req.task) {
	case IKE_TASK_DELETE_IKE:
		ike_sa_teardown(sa);
		break;
	case IKE_TASK_DELETE_CHILD:
		for (i = 0; i < sa->req.ndel; i++)
			if ((c = ike_child_by_in(sa, sa->req.del_spis[i])) !=
			    NULL)
				ike_child_remove(sa, c);
		break;
	default:
		break;
	}
}
