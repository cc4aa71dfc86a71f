/*
 * test_cpe.c - golden tests for the CPE generators: fixed links rendered
 * in every format must match tests/golden/<case>.<format>.conf byte for
 * byte. BG_UPDATE_GOLDEN=1 rewrites the files instead (review the diff).
 * tests/interop/test_cpe_tools.sh loads the same files into strongSwan,
 * BIRD and FRR, so the goldens are also what the real tools accept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpe.h"
#include "ip4.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

struct fixture {
	const char		*name;
	struct model_ctx	 ctx;
	struct model_rn		 rn;
	struct model_link	 link;
	struct cpe_opts		 opts;
};

static const struct model_ctx gw_ctx = {
	.gateway_asn = MODEL_GATEWAY_ASN,
	.endpoint = { IP(192, 0, 2, 1), IP(192, 0, 2, 2) },
};

static void
base_link(struct fixture *f, const char *name, const char *id,
    const char *psk)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->ctx = gw_ctx;
	snprintf(f->rn.id, sizeof(f->rn.id), "%s",
	    "5d0c8b1e-7a44-4f3e-9c21-0e8f5a6b7c90");
	snprintf(f->rn.name, sizeof(f->rn.name), "%s", "Seattle branch");
	f->rn.region = 2;
	snprintf(f->link.id, sizeof(f->link.id), "%s", id);
	snprintf(f->link.rn_id, sizeof(f->link.rn_id), "%s", f->rn.id);
	snprintf(f->link.name, sizeof(f->link.name), "%s", "edge-router-1");
	f->link.ip = IP(203, 0, 113, 10);
	f->link.vendor = 14;
	f->link.bandwidth = MODEL_BW_250;
	f->link.bgp_local = IP(10, 2, 0, 4);
	f->link.bgp_peer = IP(10, 1, 0, 5);
	f->link.asn = 65000;
	f->link.redundancy = MODEL_RED_NONE;
	snprintf(f->link.tunnel.psk, sizeof(f->link.tunnel.psk), "%s", psk);
	snprintf(f->link.version, sizeof(f->link.version), "%s", "1.0.0");
}

static void
add_lan(struct fixture *f, const char *prefix)
{
	size_t n = f->opts.n_lan;

	assert_int_equal(ip4_prefix_parse(prefix, &f->opts.lan[n],
	    &f->opts.lan_len[n]), 0);
	f->opts.n_lan++;
}

static void
custom(struct fixture *f, int enc, int integ, int dh, int ienc, int iint,
    int pfs, int64_t life)
{
	struct model_tunnel *t = &f->link.tunnel;

	t->custom = true;
	t->ike_enc = enc;
	t->ike_int = integ;
	t->dh = dh;
	t->ipsec_enc = ienc;
	t->ipsec_int = iint;
	t->pfs = pfs;
	t->sa_lifetime = life;
}

/* Default policy, one zone, two branch prefixes. */
static void
fx_default(struct fixture *f)
{
	base_link(f, "default", "3f2a9c1e-0b7d-4e21-9a55-6c0de1f4b8a2",
	    "Def4ult-psk-Seattle-2024");
	add_lan(f, "198.51.100.0/24");
	add_lan(f, "10.10.0.0/16");
}

/* Custom policy with PFS ecp384 and zone redundancy. */
static void
fx_custom_zr(struct fixture *f)
{
	base_link(f, "custom-zr", "a81b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	    "zone1-Secret-key-0001");
	custom(f, MODEL_IKE_ENC_GCMAES256, MODEL_IKE_INT_SHA384,
	    MODEL_DH_ECP384, MODEL_IPSEC_ENC_GCMAES256,
	    MODEL_IPSEC_INT_GCMAES256, MODEL_PFS_ECP384, 3600);
	f->link.redundancy = MODEL_RED_ZONE;
	f->link.zone_local = IP(10, 2, 0, 5);
	snprintf(f->link.tunnel.zone_psk, sizeof(f->link.tunnel.zone_psk),
	    "%s", "zone2-Secret-key-0002");
	add_lan(f, "198.51.100.0/25");
}

/* Custom policy, ESP without encryption (none/sha256), no prefixes; a
 * key swanctl would decode as hex if written as text. */
static void
fx_custom_null(struct fixture *f)
{
	base_link(f, "custom-null", "c0ffee00-1111-4222-8333-444455556666",
	    "0xNotHex-but-looks-like-it");
	custom(f, MODEL_IKE_ENC_AES256, MODEL_IKE_INT_SHA256,
	    MODEL_DH_GROUP14, MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_INT_SHA256,
	    MODEL_PFS_NONE, 28800);
}

/* A key with everything the settings lexer treats specially, and names
 * that try to break out of their comment line. */
static void
fx_psk_quote(struct fixture *f)
{
	base_link(f, "psk-quote", "0badc0de-aaaa-4bbb-8ccc-dddddddddddd",
	    "Pa\"ss \\ w0rd #{x} $HOME 'q' \\n }=");
	snprintf(f->link.name, sizeof(f->link.name), "%s",
	    "evil\nconnections { x {\r");
	snprintf(f->rn.name, sizeof(f->rn.name), "%s", "rn\n}\nsecrets {");
	add_lan(f, "203.0.113.128/25");
}

static void (*const fixtures[])(struct fixture *) = {
	fx_default, fx_custom_zr, fx_custom_null, fx_psk_quote,
};

static const struct {
	enum cpe_format	 f;
	const char	*ext;
} formats[] = {
	{ CPE_SWANCTL, "swanctl.conf" },
	{ CPE_BIRD, "bird.conf" },
	{ CPE_FRR, "frr.conf" },
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	long n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

static void
golden_compare(const char *path, const char *got)
{
	const char *upd = getenv("BG_UPDATE_GOLDEN");
	size_t len = 0, i, line = 1;
	char *want;
	FILE *fp;

	if (upd != NULL && strcmp(upd, "1") == 0) {
		assert_non_null(fp = fopen(path, "wb"));
		assert_int_equal(fwrite(got, 1, strlen(got), fp), strlen(got));
		assert_int_equal(fclose(fp), 0);
		return;
	}
	if ((want = slurp(path, &len)) == NULL)
		fail_msg("%s: cannot read (BG_UPDATE_GOLDEN=1 creates it)", path);
	for (i = 0; i < len && got[i] != '\0' && got[i] == want[i]; i++)
		if (got[i] == '\n')
			line++;
	if (i != len || got[i] != '\0') {
		free(want);
		fail_msg("%s: output differs from line %zu", path, line);
	}
	free(want);
}

static void
test_golden(void **state)
{
	const char *src = getenv("BG_SRCDIR");
	char path[4096], err[256], keys[2 * MODEL_PSK_MAX + 3];
	struct fixture f;
	size_t i, j;
	char *out;

	(void)state;
	if (src == NULL)
		src = ".";
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		fixtures[i](&f);
		for (j = 0; j < sizeof(formats) / sizeof(formats[0]); j++) {
			out = cpe_render(formats[j].f, &f.ctx, &f.rn, &f.link,
			    &f.opts, err, sizeof(err));
			if (out == NULL)
				fail_msg("%s.%s: %s", f.name, formats[j].ext,
				    err);
			snprintf(path, sizeof(path), "%s/tests/golden/%s.%s",
			    src, f.name, formats[j].ext);
			golden_compare(path, out);
			/* The keys belong in swanctl.conf only. */
			if (formats[j].f != CPE_SWANCTL) {
				assert_null(strstr(out, f.link.tunnel.psk));
				if (f.link.tunnel.zone_psk[0] != '\0')
					assert_null(strstr(out,
					    f.link.tunnel.zone_psk));
				assert_null(strstr(out, "secret ="));
			}
			/* No user text may start a line of its own. */
			assert_null(strstr(out, "\nconnections { x"));
			assert_null(strstr(out, "\n}\nsecrets {"));
			explicit_bzero(out, strlen(out));
			free(out);
		}
		/* The raw keys, one a line: the interop test gives them to the
		 * gateway side in hex, independent of swanctl.conf quoting. */
		snprintf(path, sizeof(path), "%s/tests/golden/%s.psk", src,
		    f.name);
		snprintf(keys, sizeof(keys), "%s\n%s%s", f.link.tunnel.psk,
		    f.link.tunnel.zone_psk,
		    f.link.tunnel.zone_psk[0] != '\0' ? "\n" : "");
		golden_compare(path, keys);
		explicit_bzero(keys, sizeof(keys));
		explicit_bzero(&f.link.tunnel, sizeof(f.link.tunnel));
	}
}

static void
test_psk_forms(void **state)
{
	struct fixture f;
	char err[256], *out;

	(void)state;
	fx_default(&f);
	out = cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err));
	assert_non_null(out);
	assert_non_null(strstr(out,
	    "    secret = \"Def4ult-psk-Seattle-2024\"\n"));
	free(out);

	fx_psk_quote(&f);
	out = cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err));
	assert_non_null(out);
	assert_non_null(strstr(out, "    secret = \"Pa\\\"ss \\\\ w0rd #{x} "
	    "$HOME 'q' \\\\n }=\"\n"));
	free(out);

	/* swanctl decodes 0x/0s whether quoted or not: must go out as hex. */
	fx_custom_null(&f);
	out = cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err));
	assert_non_null(out);
	assert_null(strstr(out, f.link.tunnel.psk));
	assert_non_null(strstr(out, "    secret = 0x30784e6f74486578"));
	free(out);
}

static void
test_errors(void **state)
{
	struct fixture f;
	char err[256];

	(void)state;
	fx_custom_zr(&f);
	f.ctx.endpoint[1] = 0;
	assert_null(cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "zone 2"));
	assert_null(cpe_render(CPE_BIRD, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));

	fx_default(&f);
	f.ctx.endpoint[0] = 0;
	assert_null(cpe_render(CPE_FRR, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "zone 1"));

	/* A zone-1-only link does not need the zone 2 endpoint. */
	fx_default(&f);
	f.ctx.endpoint[1] = 0;
	free(cpe_render(CPE_BIRD, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err)));

	/* GCM integrity with CBC encryption has no strongSwan form. */
	fx_custom_null(&f);
	f.link.tunnel.ike_int = MODEL_IKE_INT_GCMAES128;
	assert_null(cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "aes256/gcmAes128"));

	fx_custom_null(&f);
	f.link.tunnel.ipsec_int = MODEL_IPSEC_INT_GCMAES128;
	assert_null(cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "none/gcmAes128"));

	fx_default(&f);
	f.opts.n_lan = CPE_LAN_MAX + 1;
	assert_null(cpe_render(CPE_BIRD, &f.ctx, &f.rn, &f.link, &f.opts,
	    err, sizeof(err)));
}

static void
test_custom_proposals(void **state)
{
	struct fixture f;
	char err[256], *out;

	(void)state;
	fx_custom_zr(&f);
	f.link.tunnel.ike_enc = MODEL_IKE_ENC_GCMAES128;
	f.link.tunnel.ike_int = MODEL_IKE_INT_GCMAES128;
	f.link.tunnel.dh = MODEL_DH_GROUP24;
	f.link.tunnel.ipsec_enc = MODEL_IPSEC_ENC_GCMAES128;
	f.link.tunnel.ipsec_int = MODEL_IPSEC_INT_GCMAES128;
	f.link.tunnel.pfs = MODEL_PFS_2048;
	out = cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err));
	assert_non_null(out);
	assert_non_null(strstr(out,
	    "proposals = aes128gcm16-prfsha256-modp2048s256\n"));
	assert_non_null(strstr(out, "esp_proposals = aes128gcm16-modp2048\n"));
	free(out);

	/* pfsmm has no documented group: no PFS rather than a guess. */
	f.link.tunnel.pfs = MODEL_PFS_MM;
	out = cpe_render(CPE_SWANCTL, &f.ctx, &f.rn, &f.link, &f.opts, err,
	    sizeof(err));
	assert_non_null(out);
	assert_non_null(strstr(out, "esp_proposals = aes128gcm16\n"));
	free(out);
}

static void
test_format(void **state)
{
	(void)state;
	assert_int_equal(cpe_format_parse("swanctl"), CPE_SWANCTL);
	assert_int_equal(cpe_format_parse("bird"), CPE_BIRD);
	assert_int_equal(cpe_format_parse("frr"), CPE_FRR);
	assert_int_equal(cpe_format_parse("FRR"), -1);
	assert_int_equal(cpe_format_parse(""), -1);
	assert_int_equal(cpe_format_parse(NULL), -1);
	assert_string_equal(cpe_format_mime(CPE_BIRD),
	    "text/plain; charset=utf-8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_psk_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_custom_proposals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
