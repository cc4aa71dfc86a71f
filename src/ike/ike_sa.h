/*
 * ike_sa.h - IKE SA and CHILD SA state, the engine context that owns them
 * (SPI tables, timer heap, cookie secrets, counters), message IDs with a
 * window of one (§2.3), retransmission (§2.1) and the per-SA timers.
 * Internal to src/ike: ike.h is the public contract.
 */
#ifndef IKE_SA_H
#define IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "ike_crypto.h"
#include "ike_policy.h"
#include "ike_pld.h"
#include "ikev2_wire.h"

struct ike_msg;

#define IKE_HASH_SIZE		1024	/* buckets; SPIs are random */
#define IKE_CHILD_MAX		4	/* one, two while rekeying, spare */
#define IKE_NONCE_LEN		32	/* ours; §2.10: at least half the PRF key */
#define IKE_RL_SLOTS		256	/* remote-log rate limiter */
#define IKE_RL_INTERVAL		(10 * MONOTIME_SEC)
#define IKE_COOKIE_ROTATE	(300 * MONOTIME_SEC)
#define IKE_REKEYED_GRACE	(30 * MONOTIME_SEC)	/* old SA awaiting DELETE */
#define IKE_RND_POOL		512	/* ike_rand() refill from RAND_bytes */

enum ike_sa_state {
	IKE_SA_INIT_SENT,	/* initiator: IKE_SA_INIT request out */
	IKE_SA_AUTH_SENT,	/* initiator: IKE_AUTH request out */
	IKE_SA_HALF_OPEN,	/* responder: IKE_SA_INIT answered */
	IKE_SA_ESTABLISHED,
	IKE_SA_REKEYED,		/* replaced by a rekey; waits for its DELETE */
	IKE_SA_DELETING,	/* our DELETE is out */
	IKE_SA_DEAD,		/* unlinked; freed by ike_sa_reap() */
};

enum ike_child_state {
	IKE_CHILD_FREE,
	IKE_CHILD_INSTALLED,
	IKE_CHILD_REKEYING,	/* our CREATE_CHILD_SA for it is out */
	IKE_CHILD_REKEYED,	/* replaced: deleted by whoever won (§2.8) */
	IKE_CHILD_DELETING,	/* our DELETE is out */
};

struct ike_child {
	enum ike_child_state state;
	uint32_t	spi_in, spi_out;
	struct ike_suite esp;
	bool		esn;
	monotime_t	rekey_at, expire_at;
	/* §2.8.1 collision: the peer rekeyed this child while we were. */
	bool		rekey_due;	/* queued for IKE_Q_REKEY_CHILD */
	bool		del_sent;	/* DELETING: the request is out */
	bool		peer_rekeyed;
	uint32_t	peer_new_spi_in;	/* the child that exchange made */
	uint8_t		peer_min_nonce[IKEV2_NONCE_MAX];
	size_t		peer_min_nonce_len;
};

/* Tasks: what our outstanding request is, or what waits for the window. */
enum ike_task {
	IKE_TASK_NONE,
	IKE_TASK_SA_INIT,
	IKE_TASK_AUTH,
	IKE_TASK_CHILD_REKEY,
	IKE_TASK_IKE_REKEY,
	IKE_TASK_DELETE_CHILD,
	IKE_TASK_DELETE_IKE,
	IKE_TASK_DPD,
};

#define IKE_Q_DELETE_IKE	0x01
#define IKE_Q_REKEY_IKE		0x02
#define IKE_Q_DELETE_CHILD	0x04	/* children in state DELETING, unsent */
#define IKE_Q_REKEY_CHILD	0x08
#define IKE_Q_DPD		0x10

struct ike_req {
	bool		active;
	enum ike_task	task;
	uint8_t		exchange;
	uint32_t	msgid;
	uint8_t		*pkt;
	size_t		len;
	unsigned	tries;		/* retransmissions so far */
	monotime_t	retrans_at;
	/* task context */
	int		child;		/* child index (rekey), -1 */
	uint32_t	new_spi;	/* CHILD rekey / IKE_AUTH: our new spi_in */
	uint64_t	new_ike_spi;	/* IKE rekey: our new SPI */
	uint8_t		nonce[IKE_NONCE_LEN];
	struct ike_dh	*dh;		/* PFS / IKE rekey */
	uint32_t	del_spis[IKE_CHILD_MAX];	/* DELETE: our spi_in */
	size_t		ndel;
};

struct ike_engine;

struct ike_sa {
	struct ike_engine *eng;
	struct ike_sa	*lspi_next;	/* by our SPI */
	struct ike_sa	*init_next;	/* responder: by (peer SPI, peer IP) */
	struct ike_sa	*src_next;	/* half-open responder SAs by peer IP */
	struct ike_sa	*link_next;	/* by cfg.link_id, once have_cfg */
	struct ike_sa	*dead_next;
	bool		in_init_tab, in_src_tab, in_link_tab;
	size_t		link_h;		/* by_link bucket while in_link_tab */
	size_t		heap_idx;	/* SIZE_MAX when not in the heap */
	monotime_t	deadline;

	uint64_t	spi_i, spi_r;	/* as in the header */
	bool		initiator;	/* original initiator (§2.2 I flag) */
	enum ike_sa_state state;
	bool		established;	/* authenticated */
	bool		up;		/* IKE_EV_TUNNEL_UP emitted */
	struct ike_peer_cfg cfg;
	bool		have_cfg;
	struct ike_policy pol;
	struct ike_endpoint local, remote;
	bool		nat_local, nat_remote;	/* §2.23 */

	struct ike_suite suite;
	struct ike_sa_keys keys;
	struct ike_sk	*sk;
	/* prf(PSK, "Key Pad for IKEv2") keyed (§2.15), made at the first
	 * AUTH, wiped with the SA; NULL until then. */
	struct ike_prf_ctx *auth_psk;
	struct ike_dh	*dh;		/* initiator until the IKE_SA_INIT response */
	uint16_t	init_groups[4];	/* tests: DH groups offered first */
	size_t		n_init_groups;
	uint16_t	ke_group;	/* after INVALID_KE_PAYLOAD */
	unsigned	init_restarts;	/* COOKIE / INVALID_KE round trips */
	uint8_t		ni[IKEV2_NONCE_MAX], nr[IKEV2_NONCE_MAX];
	size_t		ni_len, nr_len;
	uint8_t		*init_req, *init_resp;	/* for AUTH (§2.15) */
	size_t		init_req_len, init_resp_len;
	uint8_t		cookie[IKEV2_COOKIE_MAX];
	size_t		cookie_len;

	uint32_t	req_next;	/* id of our next request */
	uint32_t	peer_next;	/* id of the peer's next request */
	struct ike_req	req;
	uint8_t		*resp;		/* last response, for retransmits */
	size_t		resp_len;
	uint32_t	resp_msgid;
	unsigned	queued;		/* IKE_Q_* */

	struct ike_child child[IKE_CHILD_MAX];

	monotime_t	created, established_at, last_rx;
	monotime_t	rekey_at;	/* IKE SA rekey */
	monotime_t	expire_at;	/* half-open timeout, hard lifetime, grace */
	monotime_t	retry_rekey_at;
};

/* §2.6 cookie secret, rotated; the version byte leads each cookie. */
struct ike_cookie_secret {
	uint8_t		key[32];
	uint8_t		version;
};

struct ike_rl_slot {
	uint32_t	ip;
	monotime_t	at;
	unsigned	suppressed;
};

struct ike_engine {
	struct ike_engine_cfg cfg;
	struct ike_callbacks cb;
	struct ike_stats stats;
	struct ike_sa	*by_lspi[IKE_HASH_SIZE];
	struct ike_sa	*by_init[IKE_HASH_SIZE];
	struct ike_sa	*by_src[IKE_HASH_SIZE];
	struct ike_sa	*by_link[IKE_HASH_SIZE];
	struct ike_sa	*dead;
	size_t		nsa;
	unsigned	half_open;
	struct ike_sa	**heap;
	size_t		heap_len, heap_cap;
	struct ike_cookie_secret cookie[2];	/* [0] current */
	monotime_t	cookie_rotated;
	bool		cookie_ready;
	struct ike_rl_slot rl[IKE_RL_SLOTS];
	uint16_t	test_groups[4];	/* ike_test_initiator_groups() */
	size_t		n_test_groups;
	bool		test_narrow_ts;	/* ike_test_initiator_narrow_ts() */
	uint16_t	test_ike_dh;	/* ike_test_ike_group() */
	/* Fetched once (OpenSSL 3 implicit fetches cost per call). */
	struct evp_md_st *md_sha1, *md_sha256;
	struct evp_md_ctx_st *md_ctx;	/* scratch: NAT hashes, cookies */
	/* ike_rand() without cb->random: unused bytes are the last
	 * rnd_left of rnd, each wiped as it is handed out. */
	uint8_t		rnd[IKE_RND_POOL];
	size_t		rnd_left;
	uint8_t		rx[IKEV2_MSG_MAX];	/* input copy, decrypted in place */
	struct ike_msg	msg;			/* parse of rx */
};

/* Random bytes through cb->random or OpenSSL (SPIs, nonces, IVs, jitter;
 * not DH private keys). */
int	ike_rand(struct ike_engine *, void *, size_t);
/* ike_rand() as an ike_rnd_fn, arg the engine (ike_sk_new). */
int	ike_rand_cb(void *eng, uint8_t *, size_t);
uint64_t ike_rand_u64(struct ike_engine *);

/* spi 0: a fresh random one. NULL if spi is taken or out of memory. */
struct ike_sa *ike_sa_new(struct ike_engine *, bool initiator, uint64_t spi,
	    monotime_t now);
struct ike_sa *ike_sa_lookup(struct ike_engine *, uint64_t our_spi);
/* Responder: an SA made by an IKE_SA_INIT with this SPIi from this address. */
struct ike_sa *ike_sa_lookup_init(struct ike_engine *, uint64_t spi_i,
	    uint32_t ip);
void	ike_sa_index_init(struct ike_sa *);	/* after spi_i / remote are set */
void	ike_sa_half_open_done(struct ike_sa *);
unsigned ike_sa_half_open_from(struct ike_engine *, uint32_t ip);
/* Unlink and wipe; freed by ike_sa_reap(). No callbacks. */
void	ike_sa_destroy(struct ike_sa *);
void	ike_sa_reap(struct ike_engine *);
/* child_delete for every installed child, then destroy. */
void	ike_sa_teardown(struct ike_sa *);
/* Set the peer configuration and the policy it implies; -1 if unusable. */
int	ike_sa_set_cfg(struct ike_sa *, const struct ike_peer_cfg *);
/* (Re)files the SA under cfg.link_id: call whenever have_cfg becomes true
 * or cfg.link_id changes. A link's SAs are then found without a scan. */
void	ike_sa_index_link(struct ike_sa *);
/* The first SA of the link's bucket chain (walk with link_next and compare
 * cfg.link_id: other links may share the bucket). */
struct ike_sa *ike_sa_link_first(struct ike_engine *, const char *link_id);

/* Events and remote-error logs. */
void	ike_sa_event(struct ike_sa *, enum ike_event_type, enum ike_reason,
	    const char *detail);
void	ike_event_anon(struct ike_engine *, enum ike_event_type,
	    enum ike_reason, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, const char *detail);
/* true if logged, false if rate-limited (callers gate REJECT events on it). */
bool	ike_log_remote(struct ike_engine *, uint32_t ip, monotime_t now,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "link NAME (ID)" or "unknown peer A.B.C.D". */
/* An IKE SPI as its 8 wire bytes (big-endian). */
void	ike_put_spi(uint8_t out[8], uint64_t spi);
const char *ike_sa_who(const struct ike_sa *, char *, size_t);
const char *ike_psk(const struct ike_sa *);

/* Children. */
struct ike_child *ike_child_alloc(struct ike_sa *);
struct ike_child *ike_child_by_out(struct ike_sa *, uint32_t spi_out);
struct ike_child *ike_child_by_in(struct ike_sa *, uint32_t spi_in);
uint32_t ike_child_new_spi(struct ike_engine *);
/* Install with keys, wipe them; arms the child's rekey and expiry timers. */
void	ike_child_install(struct ike_sa *, struct ike_child *,
	    struct ike_child_keys *, bool we_initiated, monotime_t now);
/* cb->child_delete and free the slot. */
void	ike_child_remove(struct ike_sa *, struct ike_child *);
bool	ike_sa_udp_encap(const struct ike_sa *);

/* Timers, named after the events that arm them. */
void	ike_timers_msg_sent(struct ike_sa *, monotime_t now);
void	ike_timers_rx_authentic(struct ike_sa *, monotime_t now);
void	ike_timers_established(struct ike_sa *, monotime_t now);
/* Jittered point in (0.8, 0.9] of life after now (WireGuard-style jitter). */
monotime_t ike_timers_rekey_point(struct ike_engine *, uint64_t life_s,
	    monotime_t now);
void	ike_sa_sched(struct ike_sa *);
void	ike_heap_run(struct ike_engine *, monotime_t now);

/* Our outstanding request; response caching; queued tasks. */
void	ike_sa_req_clear(struct ike_sa *);
void	ike_sa_kick(struct ike_sa *, monotime_t now);

/* Test hook: the initiator offers these DH groups, KE with the first. */
void	ike_test_initiator_groups(struct ike_engine *, const uint16_t *,
	    size_t);
/* The link's policy (plus the test override below). */
int	ike_engine_policy(const struct ike_engine *, const struct model_tunnel *,
	    struct ike_policy *);
/* Test / bench hook: every policy's IKE group becomes this one (e.g. 31,
 * which no tunnelConfiguration names). 0 = off. */
void	ike_test_ike_group(struct ike_engine *, uint16_t);
/* Test hook: the initiator's IKE_AUTH offers 10.0.0.0/24 selectors only. */
void	ike_test_initiator_narrow_ts(struct ike_engine *, bool);

#endif
