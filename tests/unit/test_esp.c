/*
 * test_esp.c - the ESP packet engine (esp_sa.c, esp_in.c, esp_out.c).
 *
 * Known answers:
 *  - AES-GCM ESP: the 14 ESP packets of draft-mcgrew-gcm-test-01 ("Test
 *    Cases for the Use of GCM in ESP", McGrew & Viega, the GCM authors;
 *    §4-§5: AES-128/192/256, with 8-octet AAD SPI||seq and 12-octet AAD
 *    SPI||ESN), rebuilt on the wire as SPI | seq low | IV | ciphertext |
 *    tag with salt = nonce[0..3], IV = nonce[4..11] (RFC 4106 §4) and fed
 *    to esp_in(). Their inner packets carry Next Header 1 (the draft does
 *    not use tunnel mode), so a correct esp_in() authenticates, decrypts
 *    to the draft's plaintext and then refuses the next header.
 *  - HMAC-SHA-256-128: RFC 4868 §2.7.2.1 AUTH256-2..4. Each 32..50-octet
 *    "Data" is taken as an ESP packet (SPI, seq, payload, trailer) followed
 *    by the published HMAC-SHA-256-128 as ICV: esp_in() must accept the ICV
 *    and then reject the trailer (the data is not ESP-padded). AUTH256-1's
 *    8 octets are too short for an ESP packet.
 *  - esp_out() output equals, byte for byte, an independent sealer written
 *    here from RFC 4303 / 4106 / 4868 on one-shot OpenSSL calls.
 * Then round trips (GCM 128/192/256, NULL + HMAC, with and without ESN,
 * across 2^32), tampering with every bit, truncation at every length,
 * padding and next header, replay, lifetimes and sequence exhaustion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_wire.h"
#include "ike.h"

#define PKTMAX	2048
#define NOW0	(1000 * MONOTIME_SEC)
#define N(a)	(sizeof(a) / sizeof((a)[0]))

static size_t
unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = strlen(h) / 2, i;
	unsigned v;

	assert_true(strlen(h) % 2 == 0 && n <= max);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

enum talg { GCM128, GCM192, GCM256, NULLSHA };

/* One CHILD SA whose in and out sides are the same keys, so out talks to in. */
static void
child_make(struct ike_child_sa *c, enum talg a, bool esn, uint32_t spi)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->spi_in = c->spi_out = spi;
	c->esn = esn;
	if (a == NULLSHA) {
		c->esp_encr = ESP_IANA_ENCR_NULL;
		c->esp_integ = ESP_IANA_AUTH_HMAC_SHA2_256_128;
		c->integ_len = 32;
	} else {
		c->esp_encr = ESP_IANA_ENCR_AES_GCM_16;
		c->key_bits = a == GCM128 ? 128 : a == GCM192 ? 192 : 256;
		c->encr_len = c->key_bits / 8 + 4;
	}
	for (i = 0; i < IKE_KEY_MAX; i++) {
		c->encr_in[i] = c->encr_out[i] = (uint8_t)(0x40 + i * 7);
		c->integ_in[i] = c->integ_out[i] = (uint8_t)(0x90 + i * 3);
	}
}

/*
 * The independent sealer: plaintext pt is payload || padding || pad length
 * || next header as the caller chose them, iv the 8 explicit IV octets.
 */
static size_t
raw_seal(const struct ike_child_sa *c, uint64_t seq, const uint8_t *iv,
    const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	uint8_t nonce[12], aad[12], md[32];
	unsigned mdlen = 0;
	size_t klen = c->key_bits / 8, n = 8, alen;
	const EVP_CIPHER *ciph;
	EVP_CIPHER_CTX *ctx;
	int l;

	put32(out, c->spi_out);
	put32(out + 4, (uint32_t)seq);
	if (c->esp_encr == ESP_IANA_ENCR_NULL) {
		memcpy(out + n, pt, ptlen);
		n += ptlen;
		put32(md, (uint32_t)(seq >> 32));
		{
			uint8_t tmp[PKTMAX + 4];

			memcpy(tmp, out, n);
			memcpy(tmp + n, md, 4);
			assert_non_null(HMAC(EVP_sha256(), c->integ_out, 32,
			    tmp, n + (c->esn ? 4 : 0), md, &mdlen));
		}
		memcpy(out + n, md, 16);
		return n + 16;
	}
	memcpy(nonce, c->encr_out + klen, 4);
	memcpy(nonce + 4, iv, 8);
	put32(aad, c->spi_out);
	if (c->esn) {
		put32(aad + 4, (uint32_t)(seq >> 32));
		put32(aad + 8, (uint32_t)seq);
		alen = 12;
	} else {
		put32(aad + 4, (uint32_t)seq);
		alen = 8;
	}
	memcpy(out + n, iv, 8);
	n += 8;
	ciph = klen == 16 ? EVP_aes_128_gcm() : klen == 24 ?
	    EVP_aes_192_gcm() : EVP_aes_256_gcm();
	assert_non_null(ctx = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(ctx, ciph, NULL, c->encr_out,
	    nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &l, aad, (int)alen), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, out + n, &l, pt, (int)ptlen),
	    1);
	n += ptlen;
	assert_int_equal(EVP_EncryptFinal_ex(ctx, md, &l), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
	    out + n), 1);
	EVP_CIPHER_CTX_free(ctx);
	return n + 16;
}

/* payload || 1, 2, .. pad || pad || nh, padded to 4 as RFC 4303 §2.4 says. */
static size_t
trailer(uint8_t *pt, const uint8_t *payload, size_t len, uint8_t nh)
{
	size_t pad = (4 - (len + 2) % 4) % 4, i;

	memcpy(pt, payload, len);
	for (i = 1; i <= pad; i++)
		pt[len + i - 1] = (uint8_t)i;
	pt[len + pad] = (uint8_t)pad;
	pt[len + pad + 1] = nh;
	return len + pad + 2;
}

static void
stats(struct esp_sa *sa, struct esp_sa_stats *st)
{
	esp_sa_get_stats(sa, st);
}

/* draft-mcgrew-gcm-test-01 §4, §5 (key, salt || IV, plaintext, AAD, ciphertext, tag). */
static const struct {
	const char *key, *nonce, *pt, *aad, *ct, *tag;
} mcgrew[] = {
	{ "4c80cdefbb5d10da906ac73c3613a634", "2e443b684956ed7e3b244cfe",
	  "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	  "00000000045f736970045f756470037369700963796265726369747902646b00"
	  "0021000101020201", "000043218765432100000000",
	  "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	  "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	  "61bc17d768fd9732", "459018148f6cbe722fd04796562dfdb4" },
	{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
	  "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
	  "0001000000000000037369700963796265726369747902646b00000100010001",
	  "0000a5f80000000a",
	  "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
	  "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1",
	  "83b70d3aa8bc6ee4c309e9d85a41ad4a" },
	{ "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
	  "112233440102030405060708",
	  "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	  "7002400020bf0000020405b40101040201020201", "4a2cbfe300000002",
	  "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
	  "748a637985771d347f0545659f14e99def842d8e",
	  "b335f4eecfdbf831824b4c4915956c96" },
	{ "00000000000000000000000000000000", "000000000000000000000000",
	  "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
	  "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "0000000000000001",
	  "4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284"
	  "456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3",
	  "f821d496eeb096e98ad2b69e4799c71d" },
	{ "3de09874b388e6491988d0c3607eae1f", "57690e434e280000a2fca1a3",
	  "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
	  "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "42f67e3f1010101010101010",
	  "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917"
	  "65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a",
	  "e0d731cc978ecafaeae88f00e80d6e48" },
	{ "3de09874b388e6491988d0c3607eae1f", "57690e434e280000a2fca1a3",
	  "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
	  "42f67e3f1010101010101010",
	  "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed",
	  "369f071f35e034be95f112e4e7d05d35" },
	{ "feffe9928665731c6d6a8f9467308308feffe9928665731c",
	  "cafebabefacedbaddecaf888",
	  "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
	  "501016d075680001", "0000a5f80000000a",
	  "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
	  "315b27452144cc77", "95457b9652037f5318027b5b4cd7a636" },
	{ "abbccddef00112233445566778899aab", "decaf888cafedebaceface74",
	  "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
	  "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
	  "9b6266c04722b14923010101", "000001000000000000000001",
	  "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f"
	  "9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22"
	  "6f2127b27db35724e7845d68", "651f57e65f354f75ff17015769623436" },
	{ "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
	  "73616c74616e640169766563",
	  "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
	  "50101f646d540001", "17405e67156f3126dd0db99b",
	  "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f"
	  "f4d3a31ce673119e", "451626c2415771e3b7eebca614c89b35" },
	{ "3de09874b388e6491988d0c3607eae1f", "57690e434e280000a2fca1a3",
	  "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b"
	  "000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32"
	  "5ae270c03899493915010101", "42f67e3f1010101010101010",
	  "fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d541828"
	  "00cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39"
	  "ab533163aad4550ee5160975", "cdb608c5769189609763b8e18caa81e2" },
	{ "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
	  "73616c74616e640169766563",
	  "636973636f0172756c657301746865016e6574776501646566696e6501746865"
	  "746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f"
	  "72726f7701020201", "17405e67156f3126dd0db99b",
	  "d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18"
	  "d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b0"
	  "12a49363412364f8", "c0cac587f249e56b11e24f30e44ccc76" },
	{ "7d773d00c144c525ac619d18c84a3f47", "d966426743457e9182443bc6",
	  "01020201", "335467aeffffffff", "437f866b",
	  "cb3f699fe9b0822bac961c4504bef270" },
	{ "abbccddef00112233445566778899aab", "decaf888cafedebaceface74",
	  "746f016265016f72016e6f7401746f0162650001",
	  "000001000000000000000001",
	  "29c9fc69a197d038ccdd14e2ddfcaa0543332164",
	  "412503524303ed3c6c5f283843af8c3e" },
	{ "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961",
	  "7475726e333021696765746d",
	  "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	  "65666768696a6b6c6d6e6f707172737401020201",
	  "796b6963ffffffffffffffff",
	  "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86"
	  "4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9",
	  "d0937ba2945f669368661a329fb4c053" },
};

static void
test_gcm_kat(void **state)
{
	struct ike_child_sa c;
	struct esp_sa *sa;
	struct esp_sa_stats st;
	uint8_t key[32], nonce[12], aad[12], pt[PKTMAX], pkt[PKTMAX];
	const uint8_t *inner;
	size_t klen, alen, ptlen, n, i, inner_len;
	uint64_t seq;
	uint8_t nh;
	int bit;

	(void)state;
	for (i = 0; i < N(mcgrew); i++) {
		klen = unhex(mcgrew[i].key, key, sizeof(key));
		unhex(mcgrew[i].nonce, nonce, sizeof(nonce));
		alen = unhex(mcgrew[i].aad, aad, sizeof(aad));
		ptlen = unhex(mcgrew[i].pt, pt, sizeof(pt));
		memset(&c, 0, sizeof(c));
		c.esp_encr = ESP_IANA_ENCR_AES_GCM_16;
		c.key_bits = (uint16_t)(klen * 8);
		c.encr_len = klen + 4;
		memcpy(c.encr_in, key, klen);
		memcpy(c.encr_in + klen, nonce, 4);		/* salt */
		c.esn = alen == 12;
		c.spi_in = (uint32_t)aad[0] << 24 | (uint32_t)aad[1] << 16 |
		    (uint32_t)aad[2] << 8 | aad[3];
		seq = 0;
		for (n = 4; n < alen; n++)
			seq = seq << 8 | aad[n];

		/* SPI | seq low | IV | ciphertext | tag */
		memcpy(pkt, aad, 4);
		memcpy(pkt + 4, aad + alen - 4, 4);
		memcpy(pkt + 8, nonce + 4, 8);
		n = 16 + unhex(mcgrew[i].ct, pkt + 16, sizeof(pkt) - 16);
		n += unhex(mcgrew[i].tag, pkt + n, sizeof(pkt) - n);
		assert_int_equal(n, 16 + ptlen + 16);

		for (bit = -1; bit < 8; bit += 8) {
			uint8_t try[PKTMAX];

			assert_non_null(sa = esp_sa_new(&c, ESP_DIR_IN, NULL,
			    NOW0));
			/* Put the window just below the vector's number. */
			if (seq > 1)
				assert_int_equal(esp_replay_update(&sa->replay,
				    seq - 1), 0);
			memcpy(try, pkt, n);
			if (bit >= 0)	/* one flipped tag bit */
				try[n - 1] ^= (uint8_t)(1 << bit);
			assert_int_equal(esp_in(sa, esp_sa_crypto(sa, 0), try,
			    n, &inner, &inner_len, &nh, NOW0),
			    bit < 0 ? ESP_DROP_NEXT_HEADER : ESP_DROP_AUTH);
			stats(sa, &st);
			if (bit < 0) {
				if (memcmp(try + 16, pt, ptlen) != 0)
					fail_msg("vector %zu: plaintext", i);
				assert_int_equal(st.bad_next_header, 1);
				assert_int_equal(st.auth_failed, 0);
				/* Authenticated, so the window moved. */
				assert_int_equal(esp_replay_check(&sa->replay,
				    seq), -1);
			} else
				assert_int_equal(st.auth_failed, 1);
			esp_sa_free(sa);
		}
	}
}

/* RFC 4868 §2.7.2.1, AUTH256-2, -3, -4: key, data, HMAC-SHA-256-128. */
static void
test_hmac_kat(void **state)
{
	static const struct {
		const char *key, *data, *icv;
	} tc[] = {
		{ "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "167f928588c5cc2eef8e3093caa0e87c" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddd",
		  "cdcb1220d1ecccea91e53aba3092f962" },
		{ "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "372efcf9b40b35c2115b1346903d2ef4" },
	};
	struct ike_child_sa c;
	struct esp_sa *sa;
	struct esp_sa_stats st;
	uint8_t pkt[PKTMAX];
	const uint8_t *inner;
	size_t i, n, inner_len;
	uint8_t nh;

	(void)state;
	for (i = 0; i < N(tc); i++) {
		child_make(&c, NULLSHA, false, 0);
		assert_int_equal(unhex(tc[i].key, c.integ_in, 32), 32);
		n = unhex(tc[i].data, pkt, sizeof(pkt));
		n += unhex(tc[i].icv, pkt + n, sizeof(pkt) - n);
		assert_non_null(sa = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		/* The ICV verifies; the data's last octets are no ESP trailer. */
		assert_int_equal(esp_in(sa, esp_sa_crypto(sa, 0), pkt, n,
		    &inner, &inner_len, &nh, NOW0), ESP_DROP_PADDING);
		stats(sa, &st);
		assert_int_equal(st.auth_failed, 0);
		assert_int_equal(st.bad_padding, 1);
		esp_sa_free(sa);

		/* One bit off in the ICV: refused as unauthenticated. */
		unhex(tc[i].data, pkt, sizeof(pkt));
		pkt[n - 16] ^= 0x80;
		assert_non_null(sa = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		assert_int_equal(esp_in(sa, esp_sa_crypto(sa, 0), pkt, n,
		    &inner, &inner_len, &nh, NOW0), ESP_DROP_AUTH);
		esp_sa_free(sa);
	}
}

static const uint8_t *
make_inner(uint8_t *p, size_t len, unsigned salt)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + salt);
	if (len > 0)
		p[0] = 0x45;
	return p;
}

/* esp_out() against the independent sealer, IV = sequence number. */
static void
test_out_matches_raw(void **state)
{
	static const enum talg algs[] = { GCM128, GCM192, GCM256, NULLSHA };
	static const size_t lens[] = { 0, 1, 2, 3, 4, 41, 1400 };
	struct ike_child_sa c;
	struct esp_sa *sa;
	uint8_t inner[PKTMAX], pt[PKTMAX], want[PKTMAX], got[PKTMAX], iv[8];
	size_t a, l, e, n, wn, ptlen;
	uint64_t seq;
	int j;

	(void)state;
	for (a = 0; a < N(algs); a++)
	for (e = 0; e < 2; e++) {
		child_make(&c, algs[a], e == 1, 0x1234abcd);
		assert_non_null(sa = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
		/* Cross 2^32 so the high half shows in AAD / ICV. */
		atomic_store(&sa->seq_out, e == 1 ? 0xfffffffdu : 0);
		for (l = 0; l < N(lens); l++) {
			make_inner(inner, lens[l], (unsigned)l);
			assert_int_equal(esp_out(sa, esp_sa_crypto(sa, 0),
			    inner, lens[l], ESP_NH_IPV4, got, sizeof(got), &n,
			    NOW0), ESP_OK);
			seq = atomic_load(&sa->seq_out);
			for (j = 0; j < 8; j++)
				iv[j] = (uint8_t)(seq >> (56 - 8 * j));
			ptlen = trailer(pt, inner, lens[l], ESP_NH_IPV4);
			wn = raw_seal(&c, seq, iv, pt, ptlen, want);
			assert_int_equal(n, wn);
			assert_int_equal(n, lens[l] + esp_sa_overhead(sa,
			    lens[l]));
			assert_memory_equal(got, want, n);
		}
		esp_sa_free(sa);
	}
}

/* Every algorithm, with and without ESN, many sizes: out → in gives it back. */
static void
test_round_trip(void **state)
{
	static const enum talg algs[] = { GCM128, GCM192, GCM256, NULLSHA };
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t inner[PKTMAX], pkt[PKTMAX];
	const uint8_t *got;
	size_t a, e, len, n, glen, sent, bytes;
	uint64_t start;
	uint8_t nh, want_nh;

	(void)state;
	for (a = 0; a < N(algs); a++)
	for (e = 0; e < 2; e++) {
		child_make(&c, algs[a], e == 1, 0xc0ffee01);
		assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
		assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		/* With ESN, run across 2^32. */
		start = e == 1 ? UINT64_C(0xffffffe0) : 0;
		atomic_store(&out->seq_out, start);
		if (start != 0)
			assert_int_equal(esp_replay_update(&in->replay, start),
			    0);
		sent = bytes = 0;
		for (len = 0; len <= 1500; len += len < 70 ? 1 : 143) {
			make_inner(inner, len, (unsigned)len);
			want_nh = len % 2 ? ESP_NH_IPV4 : ESP_NH_IPV6;
			assert_int_equal(esp_out(out, esp_sa_crypto(out, 0),
			    inner, len, want_nh, pkt, sizeof(pkt), &n, NOW0),
			    ESP_OK);
			assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt,
			    n, &got, &glen, &nh, NOW0), ESP_OK);
			assert_int_equal(glen, len);
			assert_int_equal(nh, want_nh);
			if (len > 0)
				assert_memory_equal(got, inner, len);
			sent++;
			bytes += len;
		}
		if (e == 1)
			assert_true(atomic_load(&out->seq_out) > UINT32_MAX);
		stats(in, &st);
		assert_int_equal(st.packets, sent);
		assert_int_equal(st.bytes, bytes);
		assert_int_equal(st.auth_failed + st.replay + st.malformed, 0);
		stats(out, &st);
		assert_int_equal(st.packets, sent);
		/* A dummy packet (RFC 4303 §2.6) is authenticated and dropped. */
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner, 10,
		    ESP_NH_NONE, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got,
		    &glen, &nh, NOW0), ESP_DROP_DUMMY);
		stats(in, &st);
		assert_int_equal(st.dummy, 1);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* Flip each bit of a packet: never delivered, always counted. */
static void
test_tamper(void **state)
{
	static const enum talg algs[] = { GCM128, GCM256, NULLSHA };
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t inner[200], pkt[PKTMAX], try[PKTMAX];
	const uint8_t *got;
	size_t a, e, n, glen, bit, auth, replay;
	uint8_t nh;
	int r;

	(void)state;
	for (a = 0; a < N(algs); a++)
	for (e = 0; e < 2; e++) {
		child_make(&c, algs[a], e == 1, 0x51515151);
		assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
		assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		make_inner(inner, sizeof(inner), 7);
		atomic_store(&out->seq_out, 1000);	/* seq 1001 on the wire */
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
		    ESP_OK);
		auth = replay = 0;
		for (bit = 0; bit < n * 8; bit++) {
			memcpy(try, pkt, n);
			try[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			r = esp_in(in, esp_sa_crypto(in, 0), try, n, &got,
			    &glen, &nh, NOW0);
			/* The sequence number may fall out of the window first. */
			if (bit / 8 >= 4 && bit / 8 < 8 && r == ESP_DROP_REPLAY)
				replay++;
			else if (r == ESP_DROP_AUTH)
				auth++;
			else
				fail_msg("alg %zu esn %zu bit %zu: %s", a, e,
				    bit, esp_verdict_str(r));
		}
		stats(in, &st);
		assert_int_equal(st.auth_failed, auth);
		assert_int_equal(st.replay, replay);
		assert_true(auth >= n * 8 - 32);
		assert_int_equal(st.packets, 0);
		/* Nothing of that moved the window: the real one passes. */
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got,
		    &glen, &nh, NOW0), ESP_OK);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* Every prefix of a packet, and a byte too many. */
static void
test_truncated(void **state)
{
	static const enum talg algs[] = { GCM128, NULLSHA };
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t inner[64], pkt[PKTMAX], try[PKTMAX];
	const uint8_t *got;
	size_t a, n, l, glen, minlen, mal = 0, auth = 0;
	uint8_t nh;
	int r;

	(void)state;
	for (a = 0; a < N(algs); a++) {
		child_make(&c, algs[a], true, 0x77777777);
		assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
		assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0),
		    make_inner(inner, sizeof(inner), 1), sizeof(inner),
		    ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
		minlen = ESP_HDR_LEN + in->iv_len + ESP_TRAILER_LEN +
		    in->icv_len;
		mal = auth = 0;
		for (l = 0; l <= n + 1; l++) {
			if (l == n)
				continue;
			memcpy(try, pkt, n);
			try[n] = 0;
			r = esp_in(in, esp_sa_crypto(in, 0),
			    l == 0 ? NULL : try, l, &got, &glen, &nh, NOW0);
			if (l < minlen) {
				assert_int_equal(r, ESP_DROP_MALFORMED);
				mal++;
			} else {
				assert_int_equal(r, ESP_DROP_AUTH);
				auth++;
			}
		}
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), try,
		    ESP_PKT_MAX + 1, &got, &glen, &nh, NOW0),
		    ESP_DROP_MALFORMED);
		stats(in, &st);
		assert_int_equal(st.malformed, mal + 1);
		assert_int_equal(st.auth_failed, auth);
		memcpy(try, pkt, n);
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), try, n, &got,
		    &glen, &nh, NOW0), ESP_OK);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* Authenticated packets with bad trailers, sealed by the raw sealer. */
static void
test_padding_next_header(void **state)
{
	static const struct {
		const char *trailer;	/* after a 5-byte payload */
		int want;
		size_t inner;
	} tc[] = {
		{ "010203" "03" "04", ESP_OK, 5 },
		{ "010303" "03" "04", ESP_DROP_PADDING, 0 },	/* not 1, 2, 3 */
		{ "000000" "03" "04", ESP_DROP_PADDING, 0 },	/* zeros */
		{ "010203" "0a" "04", ESP_DROP_PADDING, 0 },	/* longer than the payload */
		{ "010203" "ff" "04", ESP_DROP_PADDING, 0 },
		{ "010203040506" "06" "29", ESP_OK, 5 },	/* more padding than needed is fine */
		{ "010203" "03" "06", ESP_DROP_NEXT_HEADER, 0 },	/* TCP: transport mode */
		{ "010203" "03" "00", ESP_DROP_NEXT_HEADER, 0 },
		{ "010203" "03" "3b", ESP_DROP_DUMMY, 0 },
		{ "" "00" "04", ESP_OK, 5 },			/* unaligned, still accepted */
	};
	static const enum talg algs[] = { GCM256, NULLSHA };
	struct ike_child_sa c;
	struct esp_sa *in;
	struct esp_sa_stats st;
	uint8_t pt[PKTMAX], pkt[PKTMAX], iv[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	const uint8_t *got;
	size_t a, i, ptlen, n, glen;
	uint8_t nh;

	(void)state;
	for (a = 0; a < N(algs); a++) {
		child_make(&c, algs[a], false, 0x1000);
		assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
		for (i = 0; i < N(tc); i++) {
			make_inner(pt, 5, 3);
			ptlen = 5 + unhex(tc[i].trailer, pt + 5, sizeof(pt) - 5);
			iv[7] = (uint8_t)i;
			n = raw_seal(&c, i + 1, iv, pt, ptlen, pkt);
			assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt,
			    n, &got, &glen, &nh, NOW0), tc[i].want);
			if (tc[i].want == ESP_OK)
				assert_int_equal(glen, tc[i].inner);
			/* Trailer checks come after the window update (STYLE §7). */
			n = raw_seal(&c, i + 1, iv, pt, ptlen, pkt);
			assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt,
			    n, &got, &glen, &nh, NOW0), ESP_DROP_REPLAY);
		}
		stats(in, &st);
		assert_int_equal(st.bad_padding, 4);
		assert_int_equal(st.bad_next_header, 2);
		assert_int_equal(st.dummy, 1);
		assert_int_equal(st.packets, 3);
		assert_int_equal(st.replay, N(tc));
		assert_int_equal(st.auth_failed, 0);
		esp_sa_free(in);
	}
}

static int
deliver(struct esp_sa *out, struct esp_sa *in, uint64_t seq, monotime_t now)
{
	uint8_t inner[100], pkt[PKTMAX];
	const uint8_t *got;
	size_t n, glen;
	uint8_t nh;

	atomic_store(&out->seq_out, seq - 1);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0),
	    make_inner(inner, sizeof(inner), 0), sizeof(inner), ESP_NH_IPV4,
	    pkt, sizeof(pkt), &n, now), ESP_OK);
	return esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got, &glen, &nh, now);
}

static void
test_replay(void **state)
{
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t inner[100], pkt[PKTMAX], dup[PKTMAX];
	const uint8_t *got;
	size_t n, glen;
	uint8_t nh;

	(void)state;
	child_make(&c, GCM128, false, 0x2222);
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	/* The same packet twice. */
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0),
	    make_inner(inner, sizeof(inner), 0), sizeof(inner), ESP_NH_IPV4,
	    pkt, sizeof(pkt), &n, NOW0), ESP_OK);
	memcpy(dup, pkt, n);
	assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got, &glen,
	    &nh, NOW0), ESP_OK);
	assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), dup, n, &got, &glen,
	    &nh, NOW0), ESP_DROP_REPLAY);
	/* Reordering inside the window, then too old. */
	assert_int_equal(deliver(out, in, 3000, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 2000, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 1977, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 1976, NOW0), ESP_DROP_REPLAY);
	assert_int_equal(deliver(out, in, 2000, NOW0), ESP_DROP_REPLAY);
	/* A forged number far ahead fails the ICV and does not move the window. */
	atomic_store(&out->seq_out, 1000000);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
	pkt[n - 1] ^= 1;
	assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got, &glen,
	    &nh, NOW0), ESP_DROP_AUTH);
	assert_int_equal(deliver(out, in, 2500, NOW0), ESP_OK);
	stats(in, &st);
	assert_int_equal(st.replay, 3);
	assert_int_equal(st.auth_failed, 1);
	assert_int_equal(st.packets, 5);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void
test_lifetime_bytes(void **state)
{
	struct ike_child_sa c;
	struct esp_sa_cfg cfg = { .soft_bytes = 250, .hard_bytes = 400 };
	struct esp_sa *out, *in;
	struct esp_sa_stats st;

	(void)state;
	child_make(&c, GCM128, false, 0x3333);
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, &cfg, NOW0));
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
	assert_int_equal(deliver(out, in, 1, NOW0), ESP_OK);	/* 100 bytes */
	assert_int_equal(esp_sa_rekey_poll(in, NOW0), 0);
	assert_int_equal(deliver(out, in, 2, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 3, NOW0), ESP_OK);	/* 300: soft */
	assert_int_equal(esp_sa_rekey_poll(in, NOW0), ESP_REKEY_SOFT);
	assert_int_equal(esp_sa_rekey_poll(in, NOW0), 0);	/* reported once */
	assert_int_equal(esp_sa_rekey_poll(out, NOW0), ESP_REKEY_SOFT);
	assert_int_equal(deliver(out, in, 4, NOW0), ESP_OK);	/* 400: hard */
	assert_int_equal(esp_sa_rekey_poll(in, NOW0), ESP_REKEY_HARD);
	assert_int_equal(esp_sa_rekey_state(in, NOW0),
	    ESP_REKEY_SOFT | ESP_REKEY_HARD);
	/* Past hard: the sender refuses, the receiver too. */
	atomic_store(&out->seq_out, 4);
	{
		uint8_t inner[10] = { 0x45 }, pkt[PKTMAX];
		size_t n;

		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
		    ESP_DROP_EXPIRED);
	}
	stats(out, &st);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.packets, 4);
	esp_sa_free(out);
	esp_sa_free(in);
}

/* The daemon's knobs (--replay-window, --esp-rekey-bytes) through esp_sa_cfg_init. */
static void
test_cfg_knobs(void **state)
{
	struct ike_child_sa c;
	struct esp_sa_cfg cfg;
	struct esp_sa *out, *in;

	(void)state;
	esp_sa_cfg_init(&cfg, 2, 0, 0);
	assert_int_equal(cfg.workers, 2);
	assert_int_equal(cfg.soft_bytes, 0);
	assert_int_equal(cfg.hard_bytes, 0);
	esp_sa_cfg_init(&cfg, 1, 128, 2000000);
	assert_int_equal(cfg.soft_bytes, 2000000);
	/* soft + max(soft, 2 GiB): a second of traffic at 16 Gbit/s. */
	assert_true(cfg.hard_bytes == 2000000 + (UINT64_C(2) << 30));
	esp_sa_cfg_init(&cfg, 1, 128, UINT64_C(8) << 30);
	assert_true(cfg.hard_bytes == UINT64_C(16) << 30);
	esp_sa_cfg_init(&cfg, 1, 128, UINT64_MAX - 5);
	assert_true(cfg.hard_bytes == UINT64_MAX);
	/* A 128-packet window: 129 behind the top is too old, 127 is not. */
	esp_sa_cfg_init(&cfg, 1, 128, 0);
	child_make(&c, GCM128, false, 0x4444);
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, &cfg, NOW0));
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
	assert_int_equal(deliver(out, in, 1000, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 873, NOW0), ESP_OK);
	assert_int_equal(deliver(out, in, 872, NOW0), ESP_DROP_REPLAY);
	esp_sa_free(out);
	esp_sa_free(in);
	/* Not a multiple of 64: refused. */
	esp_sa_cfg_init(&cfg, 1, 100, 0);
	assert_null(esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
}

static void
test_lifetime_time(void **state)
{
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	struct esp_sa_cfg cfg = { .soft_s = 5, .hard_s = 20 };
	struct esp_sa_stats st;

	(void)state;
	child_make(&c, NULLSHA, true, 0x4444);
	c.lifetime_s = 100;	/* hard from the CHILD SA, soft at 9/10 */
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	assert_int_equal(deliver(out, in, 1, NOW0 + 89 * MONOTIME_SEC), ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(in, NOW0 + 89 * MONOTIME_SEC), 0);
	assert_int_equal(deliver(out, in, 2, NOW0 + 90 * MONOTIME_SEC), ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(in, NOW0 + 90 * MONOTIME_SEC),
	    ESP_REKEY_SOFT);
	/* Without traffic the poll itself sees the hard limit. */
	assert_int_equal(esp_sa_rekey_poll(out, NOW0 + 100 * MONOTIME_SEC),
	    ESP_REKEY_SOFT | ESP_REKEY_HARD);
	{
		uint8_t inner[10] = { 0x45 }, pkt[PKTMAX];
		const uint8_t *got;
		size_t n, glen;
		uint8_t nh;

		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n,
		    NOW0 + 100 * MONOTIME_SEC), ESP_DROP_EXPIRED);
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n,
		    NOW0 + 99 * MONOTIME_SEC), ESP_OK);
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got,
		    &glen, &nh, NOW0 + 100 * MONOTIME_SEC), ESP_DROP_EXPIRED);
	}
	stats(in, &st);
	assert_int_equal(st.expired, 1);
	esp_sa_free(out);
	esp_sa_free(in);

	/* Explicit limits override the CHILD SA's. */
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
	assert_int_equal(esp_sa_rekey_poll(in, NOW0 + 4 * MONOTIME_SEC), 0);
	assert_int_equal(esp_sa_rekey_poll(in, NOW0 + 5 * MONOTIME_SEC),
	    ESP_REKEY_SOFT);
	assert_int_equal(esp_sa_rekey_poll(in, NOW0 + 20 * MONOTIME_SEC),
	    ESP_REKEY_HARD);
	esp_sa_free(in);
	/* No lifetime at all: never. */
	c.lifetime_s = 0;
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	assert_int_equal(esp_sa_rekey_state(in, INT64_MAX - 1), 0);
	esp_sa_free(in);
}

/* RFC 4303 §3.3.3: without ESN the counter stops at 2^32 - 1. */
static void
test_seq_exhaustion(void **state)
{
	struct ike_child_sa c;
	struct esp_sa *out, *in;
	uint8_t inner[20] = { 0x45 }, pkt[PKTMAX];
	const uint8_t *got;
	size_t n, glen;
	uint8_t nh;
	int i;

	(void)state;
	child_make(&c, GCM128, false, 0x5555);
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	/* Soft at 15/16 of the space. */
	atomic_store(&out->seq_out, ESP_SEQ_SOFT_32 - 2);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(out, NOW0), 0);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(out, NOW0), ESP_REKEY_SOFT);
	/* The last number, then nothing. */
	atomic_store(&out->seq_out, UINT32_MAX - 1);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0), ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(out, NOW0), ESP_REKEY_HARD);
	assert_int_equal(esp_replay_update(&in->replay, UINT32_MAX - 1), 0);
	assert_int_equal(esp_in(in, esp_sa_crypto(in, 0), pkt, n, &got, &glen,
	    &nh, NOW0), ESP_OK);
	for (i = 0; i < 3; i++)
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
		    ESP_DROP_EXPIRED);
	/* It stopped taking numbers: no wrap to small IVs, ever. */
	assert_true(atomic_load(&out->seq_out) <= (uint64_t)UINT32_MAX + 1);
	esp_sa_free(out);
	esp_sa_free(in);

	/* With ESN the same point is just a number. */
	child_make(&c, GCM128, true, 0x5555);
	assert_non_null(out = esp_sa_new(&c, ESP_DIR_OUT, NULL, NOW0));
	atomic_store(&out->seq_out, UINT32_MAX - 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
		    ESP_OK);
	assert_int_equal(esp_sa_rekey_poll(out, NOW0), 0);
	atomic_store(&out->seq_out, ESP_SEQ_HARD_64);
	assert_int_equal(esp_out(out, esp_sa_crypto(out, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
	    ESP_DROP_EXPIRED);
	esp_sa_free(out);
}

static void
test_sa_new(void **state)
{
	struct ike_child_sa c;
	struct esp_sa_cfg cfg = { .workers = 3 };
	struct esp_sa *sa, *in;
	uint8_t inner[40] = { 0x45 }, pkt[PKTMAX];
	const uint8_t *got;
	size_t n, glen;
	uint8_t nh;
	unsigned w;

	(void)state;
	child_make(&c, GCM128, false, 0x6666);
	c.key_bits = 100;
	assert_null(esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	child_make(&c, GCM128, false, 0x6666);
	c.encr_len = 16;	/* salt missing */
	assert_null(esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	child_make(&c, GCM128, false, 0x6666);
	c.esp_encr = 12;	/* AES-CBC: not ours */
	assert_null(esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	child_make(&c, NULLSHA, false, 0x6666);
	c.integ_len = 20;
	assert_null(esp_sa_new(&c, ESP_DIR_IN, NULL, NOW0));
	child_make(&c, GCM128, false, 0x6666);
	cfg.replay_window = 100;
	assert_null(esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
	cfg.replay_window = 2048;

	/* One context per worker, each usable on its own. */
	c.spi_in = 0x1111;
	c.spi_out = 0x2222;
	assert_non_null(sa = esp_sa_new(&c, ESP_DIR_OUT, &cfg, NOW0));
	c.spi_in = 0x2222;
	assert_non_null(in = esp_sa_new(&c, ESP_DIR_IN, &cfg, NOW0));
	assert_int_equal(esp_sa_spi(sa), 0x2222);
	assert_int_equal(in->replay.size, 2048);
	assert_null(esp_sa_crypto(sa, 3));
	for (w = 0; w < 3; w++) {
		assert_int_equal(esp_out(sa, esp_sa_crypto(sa, w), inner,
		    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(pkt), &n, NOW0),
		    ESP_OK);
		assert_int_equal(esp_in(in, esp_sa_crypto(in, 2 - w), pkt, n,
		    &got, &glen, &nh, NOW0), ESP_OK);
	}
	/* Output room and arguments. */
	assert_int_equal(esp_out(sa, esp_sa_crypto(sa, 0), inner,
	    sizeof(inner), ESP_NH_IPV4, pkt, sizeof(inner) +
	    esp_sa_overhead(sa, sizeof(inner)) - 1, &n, NOW0), ESP_ERR_SPACE);
	assert_int_equal(esp_out(sa, esp_sa_crypto(sa, 0), inner,
	    sizeof(inner), 6, pkt, sizeof(pkt), &n, NOW0),
	    ESP_DROP_NEXT_HEADER);
	esp_sa_free(sa);
	esp_sa_free(in);
	esp_sa_free(NULL);
}

static void
test_udp_classify(void **state)
{
	static const struct {
		const char *hex;
		enum esp_udp_kind want;
	} tc[] = {
		{ "ff", ESP_UDP_KEEPALIVE },
		{ "fe", ESP_UDP_INVALID },
		{ "", ESP_UDP_INVALID },
		{ "000000", ESP_UDP_INVALID },
		{ "00000000", ESP_UDP_IKE },
		{ "00000000aabbccdd", ESP_UDP_IKE },
		{ "0000010000000001", ESP_UDP_ESP },
		{ "00000100000000", ESP_UDP_INVALID },
		{ "ffff", ESP_UDP_INVALID },
	};
	uint8_t b[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < N(tc); i++) {
		n = unhex(tc[i].hex, b, sizeof(b));
		assert_int_equal(esp_udp_classify(n ? b : NULL, n), tc[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcm_kat),
		cmocka_unit_test(test_hmac_kat),
		cmocka_unit_test(test_out_matches_raw),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_padding_next_header),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_lifetime_bytes),
		cmocka_unit_test(test_lifetime_time),
		cmocka_unit_test(test_cfg_knobs),
		cmocka_unit_test(test_seq_exhaustion),
		cmocka_unit_test(test_sa_new),
		cmocka_unit_test(test_udp_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
