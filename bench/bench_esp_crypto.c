/*
 * bench_esp_crypto.c - the ESP packet engine on one core, no I/O: esp_out()
 * and esp_in() on 1400-byte inner packets with AES-GCM-128 and -256, next
 * to the ceiling measured in the same run: raw OpenSSL EVP AES-GCM on the
 * same bytes (1404-byte plaintext = inner + 2 padding + 2 trailer, 8-byte
 * AAD, 16-byte tag), context keyed once, per packet only IV + AAD +
 * update + final + tag, exactly what esp_in.c / esp_out.c call. The ratio
 * is what the engine (parse, replay window, trailer, counters, lifetime
 * checks) costs on top of the crypto.
 *
 * Packets go in batches of 256 into distinct buffers, sealed then opened,
 * each half timed on its own; raw and ESP batches alternate. Gbit/s counts
 * inner bytes. Run it pinned (taskset -c 0).
 *
 * usage: bench_esp_crypto [seconds per key size, default 3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_wire.h"
#include "ike.h"
#include "monotime.h"

#define INNER	1400
#define PT	(INNER + 4)		/* + padding 2 + trailer 2 */
#define PKT	(ESP_HDR_LEN + ESP_GCM_IV_LEN + PT + ESP_GCM_ICV_LEN)
#define BATCH	256

static uint8_t	bufs[BATCH][PKT + 64];

struct result {
	double	seal_s, open_s;
	unsigned long n;
};

struct raw {
	EVP_CIPHER_CTX	*enc, *dec;
	uint64_t	seq;
	uint8_t		tag[BATCH][16];
};

struct esp {
	struct esp_sa	*out, *in;
};

static double
secs(monotime_t a, monotime_t b)
{
	return (double)(b - a) / (double)MONOTIME_SEC;
}

static int
raw_init(struct raw *r, int bits)
{
	const EVP_CIPHER *ciph = bits == 128 ? EVP_aes_128_gcm() :
	    EVP_aes_256_gcm();
	uint8_t key[32] = { 1, 2, 3 };

	memset(r, 0, sizeof(*r));
	if ((r->enc = EVP_CIPHER_CTX_new()) == NULL ||
	    (r->dec = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex2(r->enc, ciph, key, NULL, 1, NULL) != 1 ||
	    EVP_CipherInit_ex2(r->dec, ciph, key, NULL, 0, NULL) != 1)
		return -1;
	return 0;
}

/* The ceiling: one batch of EVP AES-GCM as esp_in.c / esp_out.c drive it. */
static int
raw_batch(struct raw *r, struct result *res)
{
	uint8_t nonce[12] = { 9 }, aad[8] = { 7 }, fin[16];
	monotime_t t0, t1;
	int i, outl;

	t0 = monotime_now();
	for (i = 0; i < BATCH; i++) {
		memcpy(nonce + 4, &r->seq, 8);
		r->seq++;
		if (EVP_CipherInit_ex2(r->enc, NULL, NULL, nonce, -1,
		    NULL) != 1 ||
		    EVP_CipherUpdate(r->enc, NULL, &outl, aad, 8) != 1 ||
		    EVP_CipherUpdate(r->enc, bufs[i], &outl, bufs[i],
		    PT) != 1 ||
		    EVP_CipherFinal_ex(r->enc, fin, &outl) != 1 ||
		    EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, 16,
		    r->tag[i]) != 1)
			return -1;
	}
	t1 = monotime_now();
	r->seq -= BATCH;
	for (i = 0; i < BATCH; i++) {
		memcpy(nonce + 4, &r->seq, 8);
		r->seq++;
		if (EVP_CipherInit_ex2(r->dec, NULL, NULL, nonce, -1,
		    NULL) != 1 ||
		    EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, 16,
		    r->tag[i]) != 1 ||
		    EVP_CipherUpdate(r->dec, NULL, &outl, aad, 8) != 1 ||
		    EVP_CipherUpdate(r->dec, bufs[i], &outl, bufs[i],
		    PT) != 1 ||
		    EVP_CipherFinal_ex(r->dec, fin, &outl) != 1)
			return -1;
	}
	res->seal_s += secs(t0, t1);
	res->open_s += secs(t1, monotime_now());
	res->n += BATCH;
	return 0;
}

static int
esp_init(struct esp *e, int bits, bool esn)
{
	struct ike_child_sa c;

	memset(&c, 0, sizeof(c));
	c.spi_in = c.spi_out = 0x01020304;
	c.esp_encr = ESP_IANA_ENCR_AES_GCM_16;
	c.key_bits = (uint16_t)bits;
	c.encr_len = (size_t)bits / 8 + ESP_GCM_SALT_LEN;
	c.esn = esn;
	memset(c.encr_in, 0x11, sizeof(c.encr_in));
	memset(c.encr_out, 0x11, sizeof(c.encr_out));
	e->out = esp_sa_new(&c, ESP_DIR_OUT, NULL, 0);
	e->in = esp_sa_new(&c, ESP_DIR_IN, NULL, 0);
	return e->out == NULL || e->in == NULL ? -1 : 0;
}

static int
esp_batch(struct esp *e, struct result *res)
{
	static uint8_t inner[INNER] = { 0x45 };
	struct esp_crypto *co = esp_sa_crypto(e->out, 0);
	struct esp_crypto *ci = esp_sa_crypto(e->in, 0);
	const uint8_t *got;
	size_t n[BATCH], glen;
	monotime_t t0, t1;
	uint8_t nh;
	int i;

	t0 = monotime_now();
	for (i = 0; i < BATCH; i++)
		if (esp_out(e->out, co, inner, INNER, ESP_NH_IPV4, bufs[i],
		    sizeof(bufs[i]), &n[i], t0) != ESP_OK)
			return -1;
	t1 = monotime_now();
	for (i = 0; i < BATCH; i++)
		if (esp_in(e->in, ci, bufs[i], n[i], &got, &glen, &nh,
		    t1) != ESP_OK || glen != INNER)
			return -1;
	res->seal_s += secs(t0, t1);
	res->open_s += secs(t1, monotime_now());
	res->n += BATCH;
	return 0;
}

/*
 * Raw, ESP and ESP with ESN take turns batch by batch, so a noisy
 * neighbour slows all three alike and the ratios hold.
 */
static int
bench(int bits, double dur, struct result *raw, struct result *esp,
    struct result *espn)
{
	struct raw r;
	struct esp e, en;
	monotime_t start;
	int rc = -1;

	memset(raw, 0, sizeof(*raw));
	memset(esp, 0, sizeof(*esp));
	memset(espn, 0, sizeof(*espn));
	memset(&e, 0, sizeof(e));
	memset(&en, 0, sizeof(en));
	if (raw_init(&r, bits) == -1 || esp_init(&e, bits, false) == -1 ||
	    esp_init(&en, bits, true) == -1)
		goto done;
	start = monotime_now();
	do {
		if (raw_batch(&r, raw) == -1 || esp_batch(&e, esp) == -1 ||
		    esp_batch(&en, espn) == -1)
			goto done;
	} while (secs(start, monotime_now()) < dur);
	rc = 0;
done:
	EVP_CIPHER_CTX_free(r.enc);
	EVP_CIPHER_CTX_free(r.dec);
	esp_sa_free(e.out);
	esp_sa_free(e.in);
	esp_sa_free(en.out);
	esp_sa_free(en.in);
	return rc;
}

static void
line(const char *what, double pps, double ceiling)
{
	printf("  %-26s %6.3f Mpps %6.2f Gbit/s", what, pps / 1e6,
	    pps * INNER * 8 / 1e9);
	if (ceiling > 0)
		printf("   %5.1f %% of raw", 100 * pps / ceiling);
	printf("\n");
}

int
main(int argc, char **argv)
{
	static const int sizes[] = { 128, 256 };
	struct result raw, esp, espn;
	double dur = argc > 1 ? atof(argv[1]) : 3.0;
	double rs, ro, rb;
	size_t k;

	if (dur <= 0)
		dur = 3.0;
	printf("ESP crypto, one core, %d-byte inner packets, %s\n", INNER,
	    OpenSSL_version(OPENSSL_VERSION));
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		if (bench(sizes[k], dur, &raw, &esp, &espn) == -1) {
			fprintf(stderr, "bench failed\n");
			return 1;
		}
		rs = raw.n / raw.seal_s;
		ro = raw.n / raw.open_s;
		rb = raw.n / (raw.seal_s + raw.open_s);
		printf("AES-%d-GCM-16\n", sizes[k]);
		line("raw EVP seal (ceiling)", rs, 0);
		line("esp_out", esp.n / esp.seal_s, rs);
		line("esp_out (ESN)", espn.n / espn.seal_s, rs);
		line("raw EVP open (ceiling)", ro, 0);
		line("esp_in", esp.n / esp.open_s, ro);
		line("esp_in (ESN)", espn.n / espn.open_s, ro);
		line("raw seal+open", rb, 0);
		line("esp_out+esp_in", esp.n / (esp.seal_s + esp.open_s), rb);
	}
	return 0;
}
