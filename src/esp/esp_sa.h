/*
 * esp_sa.h - one ESP security association of the data plane, built from the
 * struct ike_child_sa the IKE engine hands over: direction, algorithm,
 * keys, replay window (in), sequence counter (out), counters, lifetimes.
 *
 * Threads. The control thread creates and frees SAs (publication to the
 * workers, e.g. RCU, is the worker layer's business). Per packet:
 *  - crypto contexts: one struct esp_crypto per worker, made with the SA
 *    (esp_sa_cfg.workers), picked with esp_sa_crypto(sa, worker_id). Key
 *    schedules are set once at install; a worker never allocates, fetches
 *    an algorithm or shares a context, and the contexts die with the SA,
 *    so no per-worker cache has to chase SA deletion;
 *  - outbound: any number of workers may seal with one SA (the sequence
 *    number is an atomic counter);
 *  - inbound: the replay window has one writer, so the worker layer steers
 *    each inbound SA to one worker at a time (e.g. by SPI);
 *  - counters and rekey flags are relaxed atomics, readable from any
 *    thread.
 *
 * Lifetimes (RFC 4301 §4.4.2.1): crossing a soft limit raises
 * ESP_REKEY_SOFT, a hard one ESP_REKEY_HARD, after which the SA drops
 * everything. The control thread polls esp_sa_rekey_poll() and asks the
 * IKE engine to rekey (ike_rekey_child()).
 */
#ifndef ESP_SA_H
#define ESP_SA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_replay.h"
#include "monotime.h"

struct ike_child_sa;
struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

enum esp_dir { ESP_DIR_IN, ESP_DIR_OUT };

enum esp_alg {
	ESP_ALG_AES_GCM_16,		/* RFC 4106, 128/192/256-bit keys */
	ESP_ALG_NULL_HMAC_SHA256,	/* RFC 2410 + RFC 4868 */
};

#define ESP_KEY_MAX		32
#define ESP_WORKERS_MAX		256

/* Rekey flags. */
#define ESP_REKEY_SOFT		0x1u
#define ESP_REKEY_HARD		0x2u

/*
 * Without ESN the counter must never cycle (RFC 4303 §3.3.3): the SA is
 * hard-expired after 2^32 - 1 packets and asks for a rekey at 15/16 of that
 * (268 M packets, minutes of margin at a line rate of 1 Mpps). With ESN
 * the hard stop leaves 2^32 below 2^64, so the few numbers racing workers
 * may take past it can never wrap the counter back to reusable IVs.
 */
#define ESP_SEQ_HARD_32		UINT64_C(0xffffffff)
#define ESP_SEQ_SOFT_32		UINT64_C(0xf0000000)
#define ESP_SEQ_HARD_64		(UINT64_MAX - UINT32_MAX)
#define ESP_SEQ_SOFT_64		(UINT64_C(1) << 63)

/* Per-SA contexts for one worker thread; see the file comment. */
struct esp_crypto {
	struct evp_cipher_ctx_st *aead;	/* AES-GCM: key set, direction fixed */
	struct evp_mac_ctx_st	*mac;	/* HMAC-SHA-256: key set */
};

struct esp_sa_cfg {
	unsigned	workers;	/* crypto contexts; 0 = 1 */
	uint32_t	replay_window;	/* inbound; 0 = ESP_REPLAY_DEFAULT */
	uint64_t	soft_bytes;	/* 0 = no byte limit */
	uint64_t	hard_bytes;
	uint64_t	soft_s;		/* 0 = 9/10 of hard_s */
	uint64_t	hard_s;		/* 0 = the CHILD SA's lifetime_s (0 = none) */
};

/*
 * The daemon's knobs (--replay-window, --esp-rekey-bytes) into a cfg:
 * rekey_bytes is the soft limit (rekey), twice it the hard one.
 */
void	esp_sa_cfg_init(struct esp_sa_cfg *, unsigned workers,
	    uint32_t replay_window, uint64_t rekey_bytes);

/* Snapshot of the counters. bytes = inner (plaintext) payload bytes. */
struct esp_sa_stats {
	uint64_t	packets, bytes;
	uint64_t	replay, auth_failed, malformed, bad_padding,
			bad_next_header, expired, dummy;
	uint64_t	spoofed;	/* authentic, but a source the link may not use */
};

/* dst += src, counter by counter (running totals over rekeys). */
void	esp_sa_stats_add(struct esp_sa_stats *dst, const struct esp_sa_stats *src);

struct esp_sa_counters {
	_Atomic uint64_t packets, bytes;
	_Atomic uint64_t replay, auth_failed, malformed, bad_padding,
			bad_next_header, expired, dummy, spoofed;
};

/* Fields are for esp_in.c / esp_out.c; everyone else uses the functions. */
struct esp_sa {
	uint32_t	spi;
	enum esp_dir	dir;
	enum esp_alg	alg;
	bool		esn;
	size_t		iv_len, icv_len;
	uint8_t		key[ESP_KEY_MAX];	/* AES key or HMAC key */
	size_t		key_len;
	uint8_t		salt[4];		/* RFC 4106 §4 */

	struct esp_replay replay;		/* inbound */
	_Atomic uint64_t seq_out;		/* outbound: last number used */
	uint64_t	seq_soft, seq_hard;

	monotime_t	soft_at, hard_at;	/* MONOTIME_NEVER = no limit */
	uint64_t	soft_bytes, hard_bytes;	/* UINT64_MAX = no limit */
	_Atomic unsigned rekey;			/* ESP_REKEY_* raised so far */
	_Atomic unsigned rekey_new;		/* ... and not yet polled */

	struct esp_sa_counters ctr;

	unsigned	ncrypto;
	struct esp_crypto *crypto;		/* [ncrypto] */
};

/*
 * An SA for one direction of a CHILD SA (in: spi_in, encr_in, integ_in;
 * out: the _out side). cfg NULL = defaults; now starts the time lifetimes.
 * NULL on an unsupported algorithm, a bad key length or no memory.
 */
struct esp_sa *esp_sa_new(const struct ike_child_sa *, enum esp_dir,
	    const struct esp_sa_cfg *, monotime_t now);
/* Wipes the keys and frees the contexts. NULL is fine. */
void	esp_sa_free(struct esp_sa *);

uint32_t esp_sa_spi(const struct esp_sa *);
/* The worker's contexts; NULL if worker >= cfg.workers. */
struct esp_crypto *esp_sa_crypto(struct esp_sa *, unsigned worker);
void	esp_sa_get_stats(const struct esp_sa *, struct esp_sa_stats *);

/* ESP_REKEY_* in force (time limits evaluated at now). */
unsigned esp_sa_rekey_state(struct esp_sa *, monotime_t now);
/* ESP_REKEY_* raised since the last poll (each reported once). */
unsigned esp_sa_rekey_poll(struct esp_sa *, monotime_t now);

/* Bytes of ESP (from the SPI through the ICV) for an inner packet of len. */
/* The truncated HMAC-SHA2-256-128 ICV of authd (NULL + HMAC SAs); 0 or -1. */
int	esp_sa_hmac_icv(struct esp_sa *, struct esp_crypto *,
	    const uint8_t *authd, size_t alen, uint64_t seq, uint8_t *icv);
size_t	esp_sa_overhead(const struct esp_sa *, size_t inner_len);

/* For esp_in.c / esp_out.c. */
/* -1 once a hard limit is hit (counted as expired), raising the flags. */
int	esp_sa_usable(struct esp_sa *, uint64_t seq, monotime_t now);
/* Account a packet delivered or sent: counters and soft/hard limits. */
void	esp_sa_account(struct esp_sa *, uint64_t seq, size_t inner_len,
	    monotime_t now);

static inline void
esp_sa_count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

#endif
