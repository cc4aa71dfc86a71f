/*
 * fuzz_esp_in.c - libFuzzer target for ESP receive (esp_in.c). Byte 0
 * picks one of four fixed SAs with known keys (AES-128-GCM, AES-256-GCM
 * with ESN, NULL + HMAC-SHA-256-128 without and with ESN); the rest is
 * the packet from the SPI on, handed to esp_in() with a fresh replay
 * window. It must never crash; what is delivered must lie inside the
 * packet and be a tunnel-mode next header.
 *
 * Seeds (corpus/fuzz_esp_in/): packets esp_out() sealed with the same
 * keys. To regenerate, compile this file with -DFUZZ_ESP_GEN against
 * bgcore and run it with the corpus directory as argument.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_wire.h"
#include "ike.h"

#define NSA	4
#define NOW	((monotime_t)1000000000)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct esp_sa	*fz_sa[NSA];
static uint8_t		 fz_pkt[ESP_PKT_MAX + 1];

static struct esp_sa *
fz_make(unsigned which, enum esp_dir dir)
{
	struct ike_child_sa c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.spi_in = c.spi_out = 0xf0220000u + which;
	c.esn = which % 2 == 1;
	if (which < 2) {
		c.esp_encr = ESP_IANA_ENCR_AES_GCM_16;
		c.key_bits = which == 0 ? 128 : 256;
		c.encr_len = c.key_bits / 8 + ESP_GCM_SALT_LEN;
	} else {
		c.esp_encr = ESP_IANA_ENCR_NULL;
		c.esp_integ = ESP_IANA_AUTH_HMAC_SHA2_256_128;
		c.integ_len = ESP_HMAC_SHA256_KEY_LEN;
	}
	for (i = 0; i < IKE_KEY_MAX; i++) {
		c.encr_in[i] = c.encr_out[i] = (uint8_t)(i + 1);
		c.integ_in[i] = c.integ_out[i] = (uint8_t)(0xa0 + i);
	}
	return esp_sa_new(&c, dir, NULL, NOW);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esp_sa *sa;
	const uint8_t *inner = NULL;
	size_t inner_len = 0, len;
	uint8_t nh = 0;
	unsigned which;
	int r;

	if (size < 1 || size - 1 > sizeof(fz_pkt))
		return 0;
	which = data[0] % NSA;
	if (fz_sa[which] == NULL && (fz_sa[which] = fz_make(which,
	    ESP_DIR_IN)) == NULL)
		abort();
	sa = fz_sa[which];
	if (esp_replay_init(&sa->replay, 0, sa->esn) == -1)
		abort();
	len = size - 1;
	memcpy(fz_pkt, data + 1, len);
	r = esp_in(sa, esp_sa_crypto(sa, 0), len ? fz_pkt : NULL, len, &inner,
	    &inner_len, &nh, NOW);
	if (r == ESP_OK) {
		if (inner < fz_pkt || inner_len > len ||
		    (size_t)(inner - fz_pkt) > len - inner_len)
			abort();
		if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6)
			abort();
	}
	return 0;
}

#ifdef FUZZ_ESP_GEN
int
main(int argc, char **argv)
{
	static const size_t lens[] = { 0, 1, 3, 20, 40, 61, 300, 1400 };
	uint8_t inner[1500], out[2048], sel;
	struct esp_sa *o;
	char path[512];
	unsigned w;
	size_t l, i, n;
	FILE *f;

	if (argc != 2)
		return 2;
	for (w = 0; w < NSA; w++) {
		if ((o = fz_make(w, ESP_DIR_OUT)) == NULL)
			return 1;
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			for (i = 0; i < lens[l]; i++)
				inner[i] = (uint8_t)(i * 13 + l);
			if (lens[l] > 0)
				inner[0] = 0x45;
			if (esp_out(o, esp_sa_crypto(o, 0), inner, lens[l],
			    l == 2 ? ESP_NH_NONE : l % 2 ? ESP_NH_IPV6 :
			    ESP_NH_IPV4, out, sizeof(out), &n, NOW) != ESP_OK)
				return 1;
			snprintf(path, sizeof(path), "%s/sa%u-len%zu", argv[1],
			    w, lens[l]);
			if ((f = fopen(path, "wb")) == NULL)
				return 1;
			sel = (uint8_t)w;
			fwrite(&sel, 1, 1, f);
			fwrite(out, 1, n, f);
			fclose(f);
		}
		esp_sa_free(o);
	}
	return 0;
}
#endif
