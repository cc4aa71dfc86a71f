/*
 * esp_sa.c - ESP SA state: keys from the IKE engine's CHILD SA, the per
 * worker OpenSSL contexts (keyed once here, so esp_in.c / esp_out.c only
 * set an IV, AAD and tag per packet), counters and lifetimes.
 */
#include "esp_sa.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "esp_wire.h"
#include "ike.h"

/* The least room between the soft and the hard byte limit: 2 GiB. */
#define ESP_SA_HARD_MARGIN	(UINT64_C(2) << 30)

/* Fetched once per process: no implicit fetch per context. */
static pthread_once_t	 fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER	*fetch_gcm[3];	/* 128, 192, 256 */
static EVP_MAC		*fetch_hmac;

static void
esp_fetch(void)
{
	fetch_gcm[0] = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	fetch_gcm[1] = EVP_CIPHER_fetch(NULL, "AES-192-GCM", NULL);
	fetch_gcm[2] = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	fetch_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const EVP_CIPHER *
esp_gcm_cipher(size_t key_len)
{
	switch (key_len) {
	case 16:
		return fetch_gcm[0];
	case 24:
		return fetch_gcm[1];
	case 32:
		return fetch_gcm[2];
	}
	return NULL;
}

static void
esp_crypto_clear(struct esp_crypto *c)
{
	EVP_CIPHER_CTX_free(c->aead);
	EVP_MAC_CTX_free(c->mac);
	c->aead = NULL;
	c->mac = NULL;
}

static int
esp_crypto_init(struct esp_crypto *c, const struct esp_sa *sa)
{
	OSSL_PARAM params[2];
	const EVP_CIPHER *cipher;
	char digest[] = "SHA256";

	memset(c, 0, sizeof(*c));
	if (sa->alg == ESP_ALG_AES_GCM_16) {
		if ((cipher = esp_gcm_cipher(sa->key_len)) == NULL ||
		    (c->aead = EVP_CIPHER_CTX_new()) == NULL)
			goto fail;
		/* Default IV length is 12 = salt || IV (RFC 4106 §4). */
		if (EVP_CipherInit_ex2(c->aead, cipher, sa->key, NULL,
		    sa->dir == ESP_DIR_OUT ? 1 : 0, NULL) != 1)
			goto fail;
		return 0;
	}
	if (fetch_hmac == NULL || (c->mac = EVP_MAC_CTX_new(fetch_hmac)) == NULL)
		goto fail;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c->mac, sa->key, sa->key_len, params) != 1)
		goto fail;
	return 0;
fail:
	esp_crypto_clear(c);
	return -1;
}

/* Keys of one side of a CHILD SA into sa; -1 on what we do not support. */
static int
esp_sa_keys(struct esp_sa *sa, const struct ike_child_sa *child)
{
	const uint8_t *encr, *integ;
	size_t klen;

	encr = sa->dir == ESP_DIR_IN ? child->encr_in : child->encr_out;
	integ = sa->dir == ESP_DIR_IN ? child->integ_in : child->integ_out;
	if (child->esp_encr == ESP_IANA_ENCR_AES_GCM_16 &&
	    child->esp_integ == ESP_IANA_AUTH_NONE) {
		/* RFC 4106 §8.1: KEYMAT = key || 4-octet salt. */
		klen = child->key_bits / 8;
		if ((klen != 16 && klen != 24 && klen != 32) ||
		    child->encr_len != klen + ESP_GCM_SALT_LEN)
			return -1;
		sa->alg = ESP_ALG_AES_GCM_16;
		sa->iv_len = ESP_GCM_IV_LEN;
		sa->icv_len = ESP_GCM_ICV_LEN;
		memcpy(sa->key, encr, klen);
		sa->key_len = klen;
		memcpy(sa->salt, encr + klen, ESP_GCM_SALT_LEN);
		return 0;
	}
	if (child->esp_encr == ESP_IANA_ENCR_NULL &&
	    child->esp_integ == ESP_IANA_AUTH_HMAC_SHA2_256_128) {
		if (child->encr_len != 0 ||
		    child->integ_len != ESP_HMAC_SHA256_KEY_LEN)
			return -1;
		sa->alg = ESP_ALG_NULL_HMAC_SHA256;
		sa->iv_len = 0;		/* RFC 2410 §2 */
		sa->icv_len = ESP_HMAC_SHA256_ICV_LEN;
		memcpy(sa->key, integ, ESP_HMAC_SHA256_KEY_LEN);
		sa->key_len = ESP_HMAC_SHA256_KEY_LEN;
		return 0;
	}
	return -1;
}

static monotime_t
esp_deadline(monotime_t now, uint64_t secs)
{
	monotime_t d;

	if (secs == 0 || secs > (uint64_t)(MONOTIME_NEVER / MONOTIME_SEC))
		return MONOTIME_NEVER;
	d = (monotime_t)secs * MONOTIME_SEC;
	if (now > MONOTIME_NEVER - d)
		return MONOTIME_NEVER;
	return now + d;
}

void
esp_sa_stats_add(struct esp_sa_stats *d, const struct esp_sa_stats *s)
{
	d->packets += s->packets;
	d->bytes += s->bytes;
	d->replay += s->replay;
	d->auth_failed += s->auth_failed;
	d->malformed += s->malformed;
	d->bad_padding += s->bad_padding;
	d->bad_next_header += s->bad_next_header;
	d->expired += s->expired;
	d->dummy += s->dummy;
	d->spoofed += s->spoofed;
}

void
esp_sa_cfg_init(struct esp_sa_cfg *c, unsigned workers, uint32_t replay_window,
    uint64_t rekey_bytes)
{
	memset(c, 0, sizeof(*c));
	c->workers = workers;
	c->replay_window = replay_window;
	c->soft_bytes = rekey_bytes;
	/*
	 * Room for the rekey to finish before the SA must stop (RFC 4301
	 * §4.4.2.1): the limits are polled once a second, so the margin must
	 * exceed a second of traffic: the soft limit again, and at least
	 * ESP_SA_HARD_MARGIN (a second at 16 Gbit/s).
	 */
	c->hard_bytes = rekey_bytes == 0 ? 0 :
	    rekey_bytes > UINT64_MAX / 2 - ESP_SA_HARD_MARGIN ? UINT64_MAX :
	    rekey_bytes + (rekey_bytes > ESP_SA_HARD_MARGIN ? rekey_bytes :
	    ESP_SA_HARD_MARGIN);
}

struct esp_sa *
esp_sa_new(const struct ike_child_sa *child, enum esp_dir dir,
    const struct esp_sa_cfg *cfgp, monotime_t now)
{
	struct esp_sa_cfg cfg;
	struct esp_sa *sa;
	uint64_t hard_s, soft_s;
	unsigned i;

	if (pthread_once(&fetch_once, esp_fetch) != 0)
		return NULL;
	memset(&cfg, 0, sizeof(cfg));
	if (cfgp != NULL)
		cfg = *cfgp;
	if (cfg.workers == 0)
		cfg.workers = 1;
	if (cfg.workers > ESP_WORKERS_MAX)
		return NULL;
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->dir = dir;
	sa->spi = dir == ESP_DIR_IN ? child->spi_in : child->spi_out;
	sa->esn = child->esn;
	if (esp_sa_keys(sa, child) == -1)
		goto fail;
	if (esp_replay_init(&sa->replay, cfg.replay_window, sa->esn) == -1)
		goto fail;
	atomic_init(&sa->seq_out, 0);
	sa->seq_soft = sa->esn ? ESP_SEQ_SOFT_64 : ESP_SEQ_SOFT_32;
	sa->seq_hard = sa->esn ? ESP_SEQ_HARD_64 : ESP_SEQ_HARD_32;

	hard_s = cfg.hard_s != 0 ? cfg.hard_s : child->lifetime_s;
	soft_s = cfg.soft_s != 0 ? cfg.soft_s : hard_s - hard_s / 10;
	sa->hard_at = esp_deadline(now, hard_s);
	sa->soft_at = esp_deadline(now, soft_s);
	sa->hard_bytes = cfg.hard_bytes != 0 ? cfg.hard_bytes : UINT64_MAX;
	sa->soft_bytes = cfg.soft_bytes != 0 ? cfg.soft_bytes : UINT64_MAX;

	if ((sa->crypto = calloc(cfg.workers, sizeof(*sa->crypto))) == NULL)
		goto fail;
	for (i = 0; i < cfg.workers; i++) {
		if (esp_crypto_init(&sa->crypto[i], sa) == -1)
			goto fail;
		sa->ncrypto = i + 1;
	}
	return sa;
fail:
	esp_sa_free(sa);
	return NULL;
}

void
esp_sa_free(struct esp_sa *sa)
{
	unsigned i;

	if (sa == NULL)
		return;
	for (i = 0; i < sa->ncrypto; i++)
		esp_crypto_clear(&sa->crypto[i]);	/* OpenSSL wipes the schedules */
	free(sa->crypto);
	explicit_bzero(sa->key, sizeof(sa->key));
	explicit_bzero(sa->salt, sizeof(sa->salt));
	free(sa);
}

uint32_t
esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

struct esp_crypto *
esp_sa_crypto(struct esp_sa *sa, unsigned worker)
{
	if (worker >= sa->ncrypto)
		return NULL;
	return &sa->crypto[worker];
}

#define LOAD(x)	atomic_load_explicit(&(x), memory_order_relaxed)

void
esp_sa_get_stats(const struct esp_sa *sa, struct esp_sa_stats *st)
{
	const struct esp_sa_counters *c = &sa->ctr;

	st->packets = LOAD(c->packets);
	st->bytes = LOAD(c->bytes);
	st->replay = LOAD(c->replay);
	st->auth_failed = LOAD(c->auth_failed);
	st->malformed = LOAD(c->malformed);
	st->bad_padding = LOAD(c->bad_padding);
	st->bad_next_header = LOAD(c->bad_next_header);
	st->expired = LOAD(c->expired);
	st->dummy = LOAD(c->dummy);
	st->spoofed = LOAD(c->spoofed);
}

size_t
esp_sa_overhead(const struct esp_sa *sa, size_t inner_len)
{
	size_t pad = (ESP_PAD_ALIGN - (inner_len + ESP_TRAILER_LEN) %
	    ESP_PAD_ALIGN) % ESP_PAD_ALIGN;

	return ESP_HDR_LEN + sa->iv_len + pad + ESP_TRAILER_LEN + sa->icv_len;
}

/* Raise flags; a load first so the common case writes nothing. */
static void
esp_sa_raise(struct esp_sa *sa, unsigned bits)
{
	unsigned old;

	if (bits & ESP_REKEY_HARD)
		bits |= ESP_REKEY_SOFT;
	if ((LOAD(sa->rekey) & bits) == bits)
		return;
	old = atomic_fetch_or_explicit(&sa->rekey, bits, memory_order_relaxed);
	if ((bits & ~old) != 0)
		atomic_fetch_or_explicit(&sa->rekey_new, bits & ~old,
		    memory_order_relaxed);
}

int
esp_sa_usable(struct esp_sa *sa, uint64_t seq, monotime_t now)
{
	if (now >= sa->hard_at || LOAD(sa->ctr.bytes) >= sa->hard_bytes ||
	    seq > sa->seq_hard) {
		esp_sa_raise(sa, ESP_REKEY_HARD);
		esp_sa_count(&sa->ctr.expired);
		return -1;
	}
	return 0;
}

void
esp_sa_account(struct esp_sa *sa, uint64_t seq, size_t inner_len,
    monotime_t now)
{
	uint64_t bytes;

	esp_sa_count(&sa->ctr.packets);
	bytes = atomic_fetch_add_explicit(&sa->ctr.bytes, inner_len,
	    memory_order_relaxed) + inner_len;
	if (bytes >= sa->hard_bytes || seq >= sa->seq_hard)
		esp_sa_raise(sa, ESP_REKEY_HARD);
	else if (bytes >= sa->soft_bytes || seq >= sa->seq_soft ||
	    now >= sa->soft_at)
		esp_sa_raise(sa, ESP_REKEY_SOFT);
}

unsigned
esp_sa_rekey_state(struct esp_sa *sa, monotime_t now)
{
	if (now >= sa->hard_at)
		esp_sa_raise(sa, ESP_REKEY_HARD);
	else if (now >= sa->soft_at)
		esp_sa_raise(sa, ESP_REKEY_SOFT);
	return LOAD(sa->rekey);
}

unsigned
esp_sa_rekey_poll(struct esp_sa *sa, monotime_t now)
{
	(void)esp_sa_rekey_state(sa, now);
	return atomic_exchange_explicit(&sa->rekey_new, 0,
	    memory_order_relaxed);
}

/*
 * RFC 4303 §3.3.2.1: the HMAC covers SPI .. Next Header and, with ESN, the
 * high 32 bits of the sequence number appended (never sent); RFC 4868 §2.3
 * keeps the first 128 bits. Shared by esp_in (verify) and esp_out (seal).
 */
int
esp_sa_hmac_icv(struct esp_sa *sa, struct esp_crypto *c, const uint8_t *authd,
    size_t alen, uint64_t seq, uint8_t *icv)
{
	uint8_t md[ESP_HMAC_SHA256_LEN], hi[ESP_SEQ_HI_LEN];
	size_t mdlen;
	int rc = -1;

	hi[0] = (uint8_t)(seq >> 56);
	hi[1] = (uint8_t)(seq >> 48);
	hi[2] = (uint8_t)(seq >> 40);
	hi[3] = (uint8_t)(seq >> 32);
	/* A NULL key re-keys from the schedule set at install. */
	if (EVP_MAC_init(c->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(c->mac, authd, alen) != 1 ||
	    (sa->esn && EVP_MAC_update(c->mac, hi, sizeof(hi)) != 1) ||
	    EVP_MAC_final(c->mac, md, &mdlen, sizeof(md)) != 1 ||
	    mdlen != sizeof(md))
		goto fail;
	memcpy(icv, md, ESP_HMAC_SHA256_ICV_LEN);
	rc = 0;
fail:
	explicit_bzero(md, sizeof(md));
	return rc;
}
