/*
 * esp_out.c - ESP send (RFC 4303 §3.3) for AES-GCM (RFC 4106) and
 * NULL + HMAC-SHA-256-128 (RFC 4868), tunnel mode, ESN-aware.
 *
 * The sequence number is taken from an atomic counter, so several workers
 * may seal on one SA. It doubles as the GCM IV, as Linux does (RFC 4106
 * §3.1: the IV must never repeat under a key, and the counter never does
 * because the SA hard-expires before it could cycle, §3.3.3). The inner
 * packet is copied once into place and encrypted there.
 */
#include "esp_out.h"

#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "esp_in.h"
#include "esp_sa.h"
#include "esp_wire.h"

/* RFC 4106 §4, §5: nonce = salt || IV; AAD = SPI || [seq high ||] seq low. */
static int
esp_out_gcm(struct esp_sa *sa, struct esp_crypto *c, uint64_t seq,
    uint8_t *ct, size_t ct_len, uint8_t *icv)
{
	uint8_t nonce[ESP_GCM_NONCE_LEN], aad[ESP_GCM_AAD_ESN_LEN], fin[16];
	struct wbuf wn, wa;
	int errs = 0, outl;

	wbuf_init(&wn, nonce, sizeof(nonce));
	errs += wbuf_add_bytes(&wn, sa->salt, ESP_GCM_SALT_LEN);
	errs += wbuf_add_u64(&wn, seq);
	wbuf_init(&wa, aad, sizeof(aad));
	errs += wbuf_add_u32(&wa, sa->spi);
	if (sa->esn)
		errs += wbuf_add_u32(&wa, (uint32_t)(seq >> 32));
	errs += wbuf_add_u32(&wa, (uint32_t)seq);
	if (errs != 0)
		return ESP_ERR_CRYPTO;
	if (EVP_CipherInit_ex2(c->aead, NULL, NULL, nonce, -1, NULL) != 1 ||
	    EVP_CipherUpdate(c->aead, NULL, &outl, aad,
	    (int)wbuf_len(&wa)) != 1 ||
	    EVP_CipherUpdate(c->aead, ct, &outl, ct, (int)ct_len) != 1 ||
	    EVP_CipherFinal_ex(c->aead, fin, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->aead, EVP_CTRL_AEAD_GET_TAG,
	    ESP_GCM_ICV_LEN, icv) != 1)
		return ESP_ERR_CRYPTO;
	return ESP_OK;
}

int
esp_out(struct esp_sa *sa, struct esp_crypto *c, const uint8_t *inner,
    size_t inner_len, uint8_t next_header, uint8_t *out, size_t out_cap,
    size_t *out_len, monotime_t now)
{
	struct wbuf w;
	uint8_t *ct, *icv;
	const uint8_t *authd;
	uint64_t seq;
	size_t pad, i, ct_at, ct_len, icv_at;
	int errs = 0, r;

	if (next_header != ESP_NH_IPV4 && next_header != ESP_NH_IPV6 &&
	    next_header != ESP_NH_NONE)
		return ESP_DROP_NEXT_HEADER;
	if (inner_len > ESP_PKT_MAX)
		return ESP_DROP_MALFORMED;
	if (inner_len + esp_sa_overhead(sa, inner_len) > out_cap)
		return ESP_ERR_SPACE;
	/* Once past the end, stop taking numbers (bounded overshoot). */
	seq = atomic_load_explicit(&sa->seq_out, memory_order_relaxed);
	if (esp_sa_usable(sa, seq + 1, now) == -1)
		return ESP_DROP_EXPIRED;
	seq = atomic_fetch_add_explicit(&sa->seq_out, 1,
	    memory_order_relaxed) + 1;
	if (esp_sa_usable(sa, seq, now) == -1)
		return ESP_DROP_EXPIRED;

	/* RFC 4303 §2.4: pad so Pad Length / Next Header end 4-aligned. */
	pad = (ESP_PAD_ALIGN - (inner_len + ESP_TRAILER_LEN) % ESP_PAD_ALIGN) %
	    ESP_PAD_ALIGN;
	wbuf_init(&w, out, out_cap);
	errs += wbuf_add_u32(&w, sa->spi);
	errs += wbuf_add_u32(&w, (uint32_t)seq);	/* §2.2.1: low 32 bits only */
	if (sa->alg == ESP_ALG_AES_GCM_16)
		errs += wbuf_add_u64(&w, seq);		/* IV */
	ct_at = wbuf_len(&w);
	errs += wbuf_add_bytes(&w, inner, inner_len);
	for (i = 1; i <= pad; i++)
		errs += wbuf_add_u8(&w, (uint8_t)i);
	errs += wbuf_add_u8(&w, (uint8_t)pad);
	errs += wbuf_add_u8(&w, next_header);
	ct_len = wbuf_len(&w) - ct_at;
	errs += wbuf_reserve(&w, sa->icv_len, &icv_at);
	if (errs != 0 || (ct = wbuf_ptr_at(&w, ct_at, ct_len)) == NULL ||
	    (icv = wbuf_ptr_at(&w, icv_at, sa->icv_len)) == NULL)
		return ESP_ERR_SPACE;

	if (sa->alg == ESP_ALG_AES_GCM_16)
		r = esp_out_gcm(sa, c, seq, ct, ct_len, icv);
	else if ((authd = wbuf_ptr_at(&w, 0, icv_at)) == NULL)
		r = ESP_ERR_SPACE;
	else
		r = esp_sa_hmac_icv(sa, c, authd, icv_at, seq, icv) == 0 ?
		    ESP_OK : ESP_ERR_CRYPTO;
	if (r != ESP_OK)
		return r;
	esp_sa_account(sa, seq, inner_len, now);
	*out_len = wbuf_len(&w);
	return ESP_OK;
}
