/*
 * esp_in.c - ESP receive (RFC 4303 §3.4) for AES-GCM (RFC 4106) and
 * NULL + HMAC-SHA-256-128 (RFC 4868), tunnel mode, ESN-aware.
 *
 * The worker looked the SA up by SPI and passes the packet from the SPI
 * on. Order, after strongSwan libipsec (STYLE §7): parse with the cursor →
 * replay check (cheap, before any crypto) → verify the ICV / open the AEAD
 * (decrypting in place) → replay update (only authenticated numbers move
 * the window) → padding and next header. Every drop is counted in the SA;
 * nothing here logs, allocates or locks.
 */
#include "esp_in.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "esp_sa.h"
#include "esp_wire.h"

const char *
esp_verdict_str(int v)
{
	switch (v) {
	case ESP_OK:			return "ok";
	case ESP_DROP_MALFORMED:	return "malformed";
	case ESP_DROP_REPLAY:		return "replay";
	case ESP_DROP_AUTH:		return "authentication failed";
	case ESP_DROP_PADDING:		return "bad padding";
	case ESP_DROP_NEXT_HEADER:	return "bad next header";
	case ESP_DROP_EXPIRED:		return "SA expired";
	case ESP_DROP_DUMMY:		return "dummy packet";
	case ESP_ERR_SPACE:		return "no room";
	case ESP_ERR_CRYPTO:		return "crypto error";
	}
	return "?";
}

enum esp_udp_kind
esp_udp_classify(const uint8_t *payload, size_t len)
{
	struct buf b;
	uint32_t spi;
	uint8_t first;

	buf_init(&b, payload, len);
	if (len == 1 && buf_get_u8(&b, &first) == 0 &&
	    first == ESP_NATT_KEEPALIVE)
		return ESP_UDP_KEEPALIVE;
	if (buf_get_u32(&b, &spi) == -1)
		return ESP_UDP_INVALID;
	if (spi == 0)
		return ESP_UDP_IKE;
	if (len < ESP_HDR_LEN)
		return ESP_UDP_INVALID;
	return ESP_UDP_ESP;
}

/* RFC 4106 §4, §5: nonce = salt || IV; AAD = SPI || [seq high ||] seq low. */
static int
esp_in_gcm(struct esp_sa *sa, struct esp_crypto *c, uint32_t spi,
    uint64_t seq, const uint8_t *iv, uint8_t *body, size_t body_len,
    uint8_t *icv)
{
	uint8_t nonce[ESP_GCM_NONCE_LEN], aad[ESP_GCM_AAD_ESN_LEN], fin[16];
	struct wbuf wn, wa;
	int errs = 0, outl;

	wbuf_init(&wn, nonce, sizeof(nonce));
	errs += wbuf_add_bytes(&wn, sa->salt, ESP_GCM_SALT_LEN);
	errs += wbuf_add_bytes(&wn, iv, ESP_GCM_IV_LEN);
	wbuf_init(&wa, aad, sizeof(aad));
	errs += wbuf_add_u32(&wa, spi);
	if (sa->esn)
		errs += wbuf_add_u32(&wa, (uint32_t)(seq >> 32));
	errs += wbuf_add_u32(&wa, (uint32_t)seq);
	if (errs != 0)
		return ESP_ERR_CRYPTO;
	if (EVP_CipherInit_ex2(c->aead, NULL, NULL, nonce, -1, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->aead, EVP_CTRL_AEAD_SET_TAG,
	    ESP_GCM_ICV_LEN, icv) != 1 ||
	    EVP_CipherUpdate(c->aead, NULL, &outl, aad,
	    (int)wbuf_len(&wa)) != 1 ||
	    EVP_CipherUpdate(c->aead, body, &outl, body, (int)body_len) != 1)
		return ESP_ERR_CRYPTO;
	if (EVP_CipherFinal_ex(c->aead, fin, &outl) != 1)
		return ESP_DROP_AUTH;
	return ESP_OK;
}

/* RFC 4303 §3.4.4.1: the ICV is checked in constant time. */
static int
esp_in_hmac(struct esp_sa *sa, struct esp_crypto *c, const uint8_t *authd,
    size_t alen, uint64_t seq, const uint8_t *icv)
{
	uint8_t want[ESP_HMAC_SHA256_ICV_LEN];
	int r = ESP_ERR_CRYPTO;

	if (esp_sa_hmac_icv(sa, c, authd, alen, seq, want) == 0)
		r = CRYPTO_memcmp(want, icv, sizeof(want)) == 0 ?
		    ESP_OK : ESP_DROP_AUTH;
	explicit_bzero(want, sizeof(want));
	return r;
}

/*
 * RFC 4303 §2.4: with the default padding scheme the receiver checks
 * that the Padding bytes are 1, 2, 3, ...; then the payload length.
 */
static int
esp_in_trailer(const uint8_t *body, size_t body_len, size_t *inner_len,
    uint8_t *nh)
{
	struct buf b;
	uint8_t padlen, v;
	size_t i;

	buf_init(&b, body, body_len);
	if (buf_skip(&b, body_len - ESP_TRAILER_LEN) == -1 ||
	    buf_get_u8(&b, &padlen) == -1 || buf_get_u8(&b, nh) == -1)
		return -1;
	if (padlen > body_len - ESP_TRAILER_LEN)
		return -1;
	*inner_len = body_len - ESP_TRAILER_LEN - padlen;
	buf_init(&b, body, body_len);
	if (buf_skip(&b, *inner_len) == -1)
		return -1;
	for (i = 1; i <= padlen; i++)
		if (buf_get_u8(&b, &v) == -1 || v != (uint8_t)i)
			return -1;
	return 0;
}

int
esp_in(struct esp_sa *sa, struct esp_crypto *c, uint8_t *pkt, size_t len,
    const uint8_t **inner, size_t *inner_len, uint8_t *next_header,
    monotime_t now)
{
	struct buf b;
	struct wbuf view;
	const uint8_t *iv, *authd;
	uint8_t *body, *icv, nh;
	uint32_t spi, seq_lo;
	uint64_t seq;
	size_t body_at, body_len, icv_at, ilen;
	int r;

	if (esp_sa_usable(sa, 0, now) == -1)
		return ESP_DROP_EXPIRED;

	/* Parse: SPI, seq, IV, at least a trailer, the ICV; nothing after. */
	buf_init(&b, pkt, len);
	if (len > ESP_PKT_MAX || buf_get_u32(&b, &spi) == -1 ||
	    buf_get_u32(&b, &seq_lo) == -1 ||
	    buf_peek_ptr(&b, sa->iv_len, &iv) == -1 ||
	    buf_left(&b) < ESP_TRAILER_LEN + sa->icv_len)
		goto malformed;
	body_at = buf_offset(&b);
	body_len = buf_left(&b) - sa->icv_len;
	icv_at = body_at + body_len;
	if (buf_skip(&b, body_len) == -1 ||
	    buf_skip(&b, sa->icv_len) == -1 || buf_done(&b) == -1)
		goto malformed;
	/* The bytes stay where they are: decrypt in place through a view. */
	wbuf_init(&view, pkt, len);
	view.len = len;
	if ((body = wbuf_ptr_at(&view, body_at, body_len)) == NULL ||
	    (icv = wbuf_ptr_at(&view, icv_at, sa->icv_len)) == NULL)
		goto malformed;

	/* RFC 4303 §3.4.3: reject replays before spending any crypto. */
	seq = esp_replay_infer_seq(&sa->replay, seq_lo);
	if (esp_replay_check(&sa->replay, seq) == -1)
		goto replay;

	if (sa->alg == ESP_ALG_AES_GCM_16)
		r = esp_in_gcm(sa, c, spi, seq, iv, body, body_len, icv);
	else {
		buf_init(&b, pkt, icv_at);
		if (buf_peek_ptr(&b, icv_at, &authd) == -1)
			goto malformed;
		r = esp_in_hmac(sa, c, authd, icv_at, seq, icv);
	}
	if (r == ESP_DROP_AUTH) {
		esp_sa_count(&sa->ctr.auth_failed);
		return r;
	}
	if (r != ESP_OK)
		return r;

	/* §3.4.3: only now, authenticated, may the number move the window. */
	if (esp_replay_update(&sa->replay, seq) == -1)
		goto replay;

	if (esp_in_trailer(body, body_len, &ilen, &nh) == -1) {
		esp_sa_count(&sa->ctr.bad_padding);
		return ESP_DROP_PADDING;
	}
	if (nh == ESP_NH_NONE) {
		/* §2.6: a dummy packet, well formed, silently discarded. */
		esp_sa_count(&sa->ctr.dummy);
		return ESP_DROP_DUMMY;
	}
	if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6) {
		esp_sa_count(&sa->ctr.bad_next_header);
		return ESP_DROP_NEXT_HEADER;
	}
	esp_sa_account(sa, seq, ilen, now);
	*inner = body;
	*inner_len = ilen;
	*next_header = nh;
	return ESP_OK;

malformed:
	esp_sa_count(&sa->ctr.malformed);
	return ESP_DROP_MALFORMED;
replay:
	esp_sa_count(&sa->ctr.replay);
	return ESP_DROP_REPLAY;
}
