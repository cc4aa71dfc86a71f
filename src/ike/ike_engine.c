/*
 * ike_engine.c - the ike.h entry points: engine life cycle, input
 * demultiplexing (RFC 7296 §2.2 SPIs, §2.3 message IDs with a window of
 * one, §2.1 answering retransmitted requests from the cached response),
 * timers, and the administrative operations (peer removal, shutdown,
 * forced rekeys, status). Exchanges are in ike_task_*.c, SA state in
 * ike_sa.c, protection in ike_msg.c.
 */
#include "ike.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike_msg.h"
#include "ike_pld.h"
#include "ike_sa.h"
#include "ike_task.h"
#include "ikev2_wire.h"
#include "ip4.h"
#include "log.h"

void
ike_engine_cfg_defaults(struct ike_engine_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->cookie_threshold = 64;
	c->half_open_per_source = 8;
	c->half_open_timeout_s = 30;
	c->retransmit_base_ms = 500;
	c->retransmit_tries = 6;
	c->dpd_interval_s = 30;
	c->ike_lifetime_s = 28800;
	c->child_lifetime_s = 3600;
}

/*
 * Zero takes the default; the explicit extremes become the engine's
 * internal zeros (threshold 0: every SA_INIT needs a cookie; 0 tries; no
 * liveness check), which only the engine reads.
 */
static void
ike_engine_cfg_resolve(struct ike_engine_cfg *c, const struct ike_engine_cfg *d)
{
#define IKE_DEFAULT(f)	do { if (c->f == 0) c->f = d->f; } while (0)
	IKE_DEFAULT(cookie_threshold);
	IKE_DEFAULT(half_open_per_source);
	IKE_DEFAULT(half_open_timeout_s);
	IKE_DEFAULT(retransmit_base_ms);
	IKE_DEFAULT(retransmit_tries);
	IKE_DEFAULT(dpd_interval_s);
	IKE_DEFAULT(ike_lifetime_s);
	IKE_DEFAULT(child_lifetime_s);
#undef IKE_DEFAULT
	if (c->cookie_threshold == IKE_COOKIE_ALWAYS)
		c->cookie_threshold = 0;
	if (c->retransmit_tries == IKE_NEVER)
		c->retransmit_tries = 0;
	if (c->dpd_interval_s == IKE_NEVER)
		c->dpd_interval_s = 0;
}

struct ike_engine *
ike_engine_new(const struct ike_engine_cfg *cfg, const struct ike_callbacks *cb)
{
	struct ike_engine_cfg d;
	struct ike_engine *eng;

	if (cb == NULL || cb->send == NULL)
		return NULL;
	ike_engine_cfg_defaults(&d);
	if ((eng = calloc(1, sizeof(*eng))) == NULL)
		return NULL;
	eng->cfg = cfg != NULL ? *cfg : d;
	ike_engine_cfg_resolve(&eng->cfg, &d);
	eng->cb = *cb;
	eng->md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	eng->md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	eng->md_ctx = EVP_MD_CTX_new();
	if (eng->md_sha1 == NULL || eng->md_sha256 == NULL ||
	    eng->md_ctx == NULL) {
		ike_engine_free(eng);
		return NULL;
	}
	return eng;
}

/*
 * How an SA goes: D_FREE only frees it (engine teardown: no callback);
 * D_QUIET removes its CHILD SAs (callbacks) and reports the tunnel down, but
 * sends nothing; D_WIRE also sends a one-shot DELETE (§1.4.1).
 */
enum destroy_how { D_FREE, D_QUIET, D_WIRE };

static void
destroy_one(struct ike_sa *sa, enum destroy_how how, enum ike_reason reason,
    const char *link_id)
{
	if (how == D_FREE) {
		ike_sa_destroy(sa);
		return;
	}
	if (how == D_WIRE && sa->sk != NULL && sa->state != IKE_SA_DEAD)
		ike_info_delete_ike_oneshot(sa);
	if (sa->up && sa->state != IKE_SA_REKEYED)
		ike_sa_event(sa, IKE_EV_TUNNEL_DOWN, reason,
		    how == D_QUIET ? "forgotten locally, no DELETE sent" :
		    link_id != NULL ? "device link removed or changed" :
		    "gateway shutting down");
	ike_sa_teardown(sa);
}

/*
 * Every SA (link_id NULL) or one link's (zone 0) or one zone's of one link.
 * Destroyed SAs stay allocated until
 * ike_sa_reap(), so a saved next pointer stays valid.
 */
static void
destroy_all(struct ike_engine *eng, enum destroy_how how, enum ike_reason reason,
    const char *link_id, int zone, monotime_t now)
{
	struct ike_sa *sa, *next;
	size_t i, left = eng->nsa;

	(void)now;
	if (link_id != NULL) {
		for (sa = ike_sa_link_first(eng, link_id); sa != NULL;
		    sa = next) {
			next = sa->link_next;
			if (sa->state != IKE_SA_DEAD &&
			    strcmp(sa->cfg.link_id, link_id) == 0 &&
			    (zone == 0 || sa->cfg.zone == zone))
				destroy_one(sa, how, reason, link_id);
		}
		ike_sa_reap(eng);
		return;
	}
	/* left: SAs not yet visited; nothing here adds one to the table. */
	for (i = 0; i < IKE_HASH_SIZE && left > 0; i++) {
		for (sa = eng->by_lspi[i]; sa != NULL; sa = next) {
			next = sa->lspi_next;
			left--;
			destroy_one(sa, how, reason, NULL);
		}
	}
	ike_sa_reap(eng);
}

void
ike_engine_free(struct ike_engine *eng)
{
	if (eng == NULL)
		return;
	destroy_all(eng, D_FREE, IKE_R_NONE, NULL, 0, 0);
	free(eng->heap);
	EVP_MD_free(eng->md_sha1);
	EVP_MD_free(eng->md_sha256);
	EVP_MD_CTX_free(eng->md_ctx);
	explicit_bzero(eng, sizeof(*eng));
	free(eng);
}

/* An authenticated packet from a new address (§2.23: NAT mapping moved). */
static void
endpoints_seen(struct ike_sa *sa, const struct ike_endpoint *local,
    const struct ike_endpoint *remote)
{
	struct ike_engine *eng = sa->eng;
	size_t i;

	if (sa->local.ip == local->ip && sa->local.port == local->port &&
	    sa->remote.ip == remote->ip && sa->remote.port == remote->port)
		return;
	sa->local = *local;
	sa->remote = *remote;
	if (eng->cb.child_update == NULL)
		return;
	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state != IKE_CHILD_FREE)
			eng->cb.child_update(eng->cb.arg, sa->cfg.link_id,
			    sa->child[i].spi_in, sa->child[i].spi_out,
			    &sa->local, &sa->remote, ike_sa_udp_encap(sa));
}

static void
malformed(struct ike_engine *eng, const struct ike_endpoint *remote,
    monotime_t now, const char *what)
{
	char a[IP4_STRLEN];

	eng->stats.rx_malformed++;
	ike_log_remote(eng, remote->ip, now, "%s: %s:%u: %s", __func__,
	    ip4_fmt(remote->ip, a), remote->port, what);
}

static void
request_in(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	switch (m->hdr.exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		if (sa->state == IKE_SA_HALF_OPEN)
			ike_auth_respond(sa, m, now);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		ike_child_respond(sa, m, now);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		ike_info_respond(sa, m, now);
		break;
	default:
		sa->eng->stats.rx_malformed++;
		break;
	}
}

static void
response_in(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	uint32_t id = sa->req.msgid;

	switch (sa->req.task) {
	case IKE_TASK_AUTH:
		ike_auth_response(sa, m, now);
		break;
	case IKE_TASK_CHILD_REKEY:
	case IKE_TASK_IKE_REKEY:
		ike_child_response(sa, m, now);
		break;
	case IKE_TASK_DELETE_CHILD:
	case IKE_TASK_DELETE_IKE:
	case IKE_TASK_DPD:
		ike_info_response(sa, m, now);
		break;
	default:
		break;
	}
	if (sa->state != IKE_SA_DEAD && sa->req.active && sa->req.msgid == id)
		ike_sa_req_clear(sa);
}

void
ike_input(struct ike_engine *eng, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len,
    monotime_t now)
{
	struct ike_msg *m = &eng->msg;
	struct ike_sa *sa = NULL;
	uint16_t err = 0;
	uint64_t spi;
	bool resp, from_i;
	char who[400];

	eng->stats.rx++;
	if (len < IKEV2_HDR_LEN || len > sizeof(eng->rx)) {
		malformed(eng, remote, now, "bad length");
		return;
	}
	memcpy(eng->rx, pkt, len);
	if (ike_pld_parse(eng->rx, len, m, &err) == -1) {
		malformed(eng, remote, now, "unparsable message");
		return;
	}
	resp = (m->hdr.flags & IKEV2_FLAG_R) != 0;
	from_i = (m->hdr.flags & IKEV2_FLAG_I) != 0;
	if (m->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && !resp) {
		if (m->hdr.spi_r != 0 || m->hdr.msgid != 0 || !from_i) {
			malformed(eng, remote, now, "bad IKE_SA_INIT header");
			return;
		}
		ike_sa_init_respond(eng, m, local, remote, eng->rx, len, now);
		goto out;
	}
	/* §2.2: the SPI we chose is SPIr if the sender is the initiator. */
	spi = from_i ? m->hdr.spi_r : m->hdr.spi_i;
	sa = ike_sa_lookup(eng, spi);
	if (sa == NULL || sa->initiator == from_i ||
	    (sa->initiator && sa->state != IKE_SA_INIT_SENT &&
	    m->hdr.spi_r != sa->spi_r) ||
	    (!sa->initiator && m->hdr.spi_i != sa->spi_i)) {
		eng->stats.rx_unknown_spi++;
		sa = NULL;
		goto out;
	}
	if (m->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		if (resp && sa->state == IKE_SA_INIT_SENT &&
		    m->hdr.msgid == 0)
			ike_sa_init_response(sa, m, eng->rx, len, now);
		goto out;
	}
	if (sa->sk == NULL || sa->state == IKE_SA_INIT_SENT)
		goto out;
	/* §2.3: cheap message-ID checks before any crypto. */
	if (!resp && m->hdr.msgid != sa->peer_next &&
	    !(sa->resp != NULL && m->hdr.msgid == sa->resp_msgid))
		goto out;
	if (resp && (!sa->req.active || m->hdr.msgid != sa->req.msgid))
		goto out;
	if (ike_msg_open(sa, eng->rx, len, m, &err) == -1) {
		eng->stats.rx_malformed++;
		ike_log_remote(eng, remote->ip, now, "%s: %s: message failed "
		    "integrity check or is malformed", __func__,
		    ike_sa_who(sa, who, sizeof(who)));
		goto out;
	}
	ike_timers_rx_authentic(sa, now);
	endpoints_seen(sa, local, remote);
	if (resp) {
		response_in(sa, m, now);
		goto out;
	}
	if (m->hdr.msgid != sa->peer_next) {
		/* §2.1: a retransmitted request; answer it the same way. */
		ike_msg_resend(sa, sa->resp, sa->resp_len);
		goto out;
	}
	sa->peer_next++;
	request_in(sa, m, now);
out:
	if (sa != NULL && sa->state != IKE_SA_DEAD) {
		ike_sa_kick(sa, now);
		ike_sa_sched(sa);
	}
	ike_sa_reap(eng);
}

void
ike_tick(struct ike_engine *eng, monotime_t now)
{
	ike_heap_run(eng, now);
	ike_sa_reap(eng);
}

monotime_t
ike_next_deadline(const struct ike_engine *eng)
{
	return eng->heap_len > 0 ? eng->heap[0]->deadline : MONOTIME_NEVER;
}

int
ike_initiate(struct ike_engine *eng, const struct ike_peer_cfg *cfg,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    monotime_t now)
{
	struct ike_sa *sa;

	if ((sa = ike_sa_new(eng, true, 0, now)) == NULL)
		return -1;
	sa->local = *local;
	sa->remote = *remote;
	if (ike_sa_set_cfg(sa, cfg) == -1) {
		log_warn("ike: %s: link %s: tunnel policy has no IKEv2 "
		    "equivalent", __func__, cfg->link_id);
		goto fail;
	}
	memcpy(sa->init_groups, eng->test_groups, sizeof(sa->init_groups));
	sa->n_init_groups = eng->n_test_groups;
	if (ike_sa_init_start(sa, now) == -1)
		goto fail;
	ike_sa_sched(sa);
	return 0;
fail:
	ike_sa_destroy(sa);
	ike_sa_reap(eng);
	return -1;
}

void
ike_peer_remove(struct ike_engine *eng, const char *link_id, monotime_t now)
{
	destroy_all(eng, D_WIRE, IKE_R_LOCAL_DELETE, link_id, 0, now);
}

void
ike_peer_remove_zone(struct ike_engine *eng, const char *link_id, int zone,
    monotime_t now)
{
	destroy_all(eng, D_WIRE, IKE_R_LOCAL_DELETE, link_id, zone, now);
}

void
ike_peer_forget(struct ike_engine *eng, const char *link_id, monotime_t now)
{
	destroy_all(eng, D_QUIET, IKE_R_LOCAL_DELETE, link_id, 0, now);
}

void
ike_shutdown(struct ike_engine *eng, monotime_t now)
{
	destroy_all(eng, D_WIRE, IKE_R_LOCAL_DELETE, NULL, 0, now);
}

static struct ike_sa *
find_established(struct ike_engine *eng, const char *link_id)
{
	struct ike_sa *sa;

	for (sa = ike_sa_link_first(eng, link_id); sa != NULL;
	    sa = sa->link_next)
		if (sa->state == IKE_SA_ESTABLISHED &&
		    strcmp(sa->cfg.link_id, link_id) == 0)
			return sa;
	return NULL;
}

int
ike_rekey_child(struct ike_engine *eng, const char *link_id, monotime_t now)
{
	struct ike_sa *sa = find_established(eng, link_id);
	size_t i;

	if (sa == NULL)
		return -1;
	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state == IKE_CHILD_INSTALLED) {
			sa->child[i].rekey_due = true;
			sa->queued |= IKE_Q_REKEY_CHILD;
			ike_sa_kick(sa, now);
			ike_sa_sched(sa);
			ike_sa_reap(eng);
			return 0;
		}
	return -1;
}

int
ike_rekey_ike(struct ike_engine *eng, const char *link_id, monotime_t now)
{
	struct ike_sa *sa = find_established(eng, link_id);

	if (sa == NULL)
		return -1;
	sa->queued |= IKE_Q_REKEY_IKE;
	ike_sa_kick(sa, now);
	if (sa->state != IKE_SA_DEAD)
		ike_sa_sched(sa);
	ike_sa_reap(eng);
	return 0;
}

bool
ike_link_up(const struct ike_engine *eng, const char *link_id, int zone)
{
	const struct ike_sa *sa;

	/* The index is keyed by link; only reads here. */
	for (sa = ike_sa_link_first((struct ike_engine *)(uintptr_t)eng,
	    link_id); sa != NULL; sa = sa->link_next)
		if (sa->up && sa->state != IKE_SA_DEAD && sa->cfg.zone == zone &&
		    strcmp(sa->cfg.link_id, link_id) == 0)
			return true;
	return false;
}

size_t
ike_status(const struct ike_engine *eng, struct ike_sa_status *out,
    size_t max)
{
	const struct ike_sa *sa;
	struct ike_sa_status *s;
	struct ike_suite esp;
	size_t i, j, n = 0;

	for (i = 0; i < IKE_HASH_SIZE; i++) {
		for (sa = eng->by_lspi[i]; sa != NULL; sa = sa->lspi_next) {
			if (!sa->have_cfg)
				continue;
			if (n >= max)
				return n;
			s = &out[n++];
			memset(s, 0, sizeof(*s));
			snprintf(s->link_id, sizeof(s->link_id), "%s",
			    sa->cfg.link_id);
			s->zone = sa->cfg.zone;
			s->established = sa->state == IKE_SA_ESTABLISHED;
			s->initiator = sa->initiator;
			s->nat_detected = sa->nat_local || sa->nat_remote;
			s->udp_encap = ike_sa_udp_encap(sa);
			s->local = sa->local;
			s->remote = sa->remote;
			if (sa->sk != NULL)
				(void)ike_suite_name(&sa->suite, s->ike_suite,
				    sizeof(s->ike_suite));
			s->established_at = sa->established_at;
			for (j = 0; j < IKE_CHILD_MAX; j++) {
				if (sa->child[j].state == IKE_CHILD_FREE)
					continue;
				s->child_sas++;
				esp = sa->child[j].esp;
				(void)ike_suite_name(&esp, s->esp_suite,
				    sizeof(s->esp_suite));
			}
		}
	}
	return n;
}

void
ike_get_stats(const struct ike_engine *eng, struct ike_stats *st)
{
	*st = eng->stats;
}
