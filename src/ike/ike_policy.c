/*
 * ike_policy.c - a device link's tunnelConfiguration as IANA transform sets
 * (system-facts §1.5-1.7), and RFC 7296 §2.7 proposal selection against
 * them. The responder takes the first of the peer's proposals (in the
 * peer's order) that matches one of the link's suites exactly; anything
 * outside the policy is NO_PROPOSAL_CHOSEN. The IKE group of the chosen
 * suite is what INVALID_KE_PAYLOAD asks for (ike_task_sa_init.c).
 */
#include "ike_policy.h"

#include <stdio.h>
#include <string.h>

#include "ike_pld.h"
#include "ikev2_wire.h"
#include "model.h"

static const struct ike_suite default_ike[] = {
	/* system-facts §1.5, Phase 1 combos 1-4, all DHGroup24 */
	{ IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, 0, IKE_DH_MODP2048S256 },
	{ IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, IKE_DH_MODP2048S256 },
	{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384,
	    IKE_AUTH_HMAC_SHA2_384_192, IKE_DH_MODP2048S256 },
	{ IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
	    IKE_AUTH_HMAC_SHA2_256_128, IKE_DH_MODP2048S256 },
};

static const struct ike_suite default_esp[] = {
	/* system-facts §1.5, Phase 2 combos 1-3, no PFS */
	{ IKE_ENCR_AES_GCM_16, 256, 0, 0, 0 },
	{ IKE_ENCR_AES_GCM_16, 192, 0, 0, 0 },
	{ IKE_ENCR_AES_GCM_16, 128, 0, 0, 0 },
};

int
ike_policy_from_tunnel(const struct model_tunnel *t,
    uint64_t default_child_lifetime_s, struct ike_policy *p)
{
	struct ike_suite s, e;
	bool aead;

	memset(p, 0, sizeof(*p));
	if (!t->custom) {
		memcpy(p->ike, default_ike, sizeof(default_ike));
		p->n_ike = sizeof(default_ike) / sizeof(default_ike[0]);
		memcpy(p->esp, default_esp, sizeof(default_esp));
		p->n_esp = sizeof(default_esp) / sizeof(default_esp[0]);
		p->child_lifetime_s = default_child_lifetime_s;
		return 0;
	}
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	switch (t->ike_enc) {
	case MODEL_IKE_ENC_AES128: s.encr = IKE_ENCR_AES_CBC; s.encr_bits = 128; break;
	case MODEL_IKE_ENC_AES192: s.encr = IKE_ENCR_AES_CBC; s.encr_bits = 192; break;
	case MODEL_IKE_ENC_AES256: s.encr = IKE_ENCR_AES_CBC; s.encr_bits = 256; break;
	case MODEL_IKE_ENC_GCMAES128: s.encr = IKE_ENCR_AES_GCM_16; s.encr_bits = 128; break;
	case MODEL_IKE_ENC_GCMAES256: s.encr = IKE_ENCR_AES_GCM_16; s.encr_bits = 256; break;
	default:
		return -1;
	}
	aead = s.encr == IKE_ENCR_AES_GCM_16;
	/*
	 * With GCM the integrity choice names the PRF (RFC 5282 leaves no
	 * integrity transform); GCM integrity must equal GCM encryption
	 * (§1.6), the PRF then follows the key size as in the default
	 * policy. This is what cpe_swanctl.c offers.
	 */
	switch (t->ike_int) {
	case MODEL_IKE_INT_SHA256:
		s.prf = IKE_PRF_HMAC_SHA2_256;
		s.integ = aead ? 0 : IKE_AUTH_HMAC_SHA2_256_128;
		break;
	case MODEL_IKE_INT_SHA384:
		s.prf = IKE_PRF_HMAC_SHA2_384;
		s.integ = aead ? 0 : IKE_AUTH_HMAC_SHA2_384_192;
		break;
	case MODEL_IKE_INT_GCMAES128:
		if (!aead || s.encr_bits != 128)
			return -1;
		s.prf = IKE_PRF_HMAC_SHA2_256;
		break;
	case MODEL_IKE_INT_GCMAES256:
		if (!aead || s.encr_bits != 256)
			return -1;
		s.prf = IKE_PRF_HMAC_SHA2_384;
		break;
	default:
		return -1;
	}
	if ((s.dh = (uint16_t)model_dh_iana(t->dh)) == 0)
		return -1;

	if (t->ipsec_enc == MODEL_IPSEC_ENC_NONE &&
	    t->ipsec_int == MODEL_IPSEC_INT_SHA256) {
		e.encr = IKE_ENCR_NULL;
		e.integ = IKE_AUTH_HMAC_SHA2_256_128;
	} else if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES128 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES128) {
		e.encr = IKE_ENCR_AES_GCM_16; e.encr_bits = 128;
	} else if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES192 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES192) {
		e.encr = IKE_ENCR_AES_GCM_16; e.encr_bits = 192;
	} else if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES256 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES256) {
		e.encr = IKE_ENCR_AES_GCM_16; e.encr_bits = 256;
	} else
		return -1;
	/* PFSMM maps to 0: no PFS (model_pfs_iana). */
	e.dh = (uint16_t)model_pfs_iana(t->pfs);
	p->ike[0] = s;
	p->n_ike = 1;
	p->esp[0] = e;
	p->n_esp = 1;
	p->child_lifetime_s = t->sa_lifetime > 0 ?
	    (uint64_t)t->sa_lifetime : default_child_lifetime_s;
	return 0;
}

static bool
has_xf(const struct ike_pld_prop *p, uint8_t type, uint16_t id,
    uint16_t key_len)
{
	uint8_t i;

	for (i = 0; i < p->nxforms; i++)
		if (p->xf[i].type == type && p->xf[i].id == id &&
		    p->xf[i].key_len == key_len)
			return true;
	return false;
}

static bool
has_type(const struct ike_pld_prop *p, uint8_t type)
{
	uint8_t i;

	for (i = 0; i < p->nxforms; i++)
		if (p->xf[i].type == type)
			return true;
	return false;
}

static bool
prop_sane(const struct ike_pld_prop *p)
{
	uint8_t i;

	/* §3.3.6: a transform with an unknown attribute spoils the proposal. */
	for (i = 0; i < p->nxforms; i++)
		if (p->xf[i].unknown_attr)
			return false;
	return true;
}

/* AEAD suites: no integrity transform, or INTEG NONE among them (§3.3). */
static bool
integ_ok(const struct ike_pld_prop *p, uint16_t integ)
{
	if (integ != 0)
		return has_xf(p, IKEV2_XF_INTEG, integ, 0);
	return !has_type(p, IKEV2_XF_INTEG) ||
	    has_xf(p, IKEV2_XF_INTEG, IKEV2_INTEG_NONE, 0);
}

int
ike_policy_select_ike(const struct ike_policy *pol, const struct ike_pld_sa *sa,
    uint8_t spi_size, struct ike_suite *out, const struct ike_pld_prop **chosen)
{
	const struct ike_pld_prop *p;
	const struct ike_suite *s;
	uint8_t i;
	size_t j;

	for (i = 0; i < sa->nprops; i++) {
		p = &sa->props[i];
		if (p->proto != IKEV2_PROTO_IKE || p->spi_size != spi_size ||
		    !prop_sane(p))
			continue;
		for (j = 0; j < pol->n_ike; j++) {
			s = &pol->ike[j];
			if (has_xf(p, IKEV2_XF_ENCR, s->encr, s->encr_bits) &&
			    has_xf(p, IKEV2_XF_PRF, s->prf, 0) &&
			    integ_ok(p, s->integ) &&
			    has_xf(p, IKEV2_XF_DH, s->dh, 0)) {
				*out = *s;
				if (chosen != NULL)
					*chosen = p;
				return 0;
			}
		}
	}
	return -1;
}

int
ike_policy_select_esp(const struct ike_policy *pol, const struct ike_pld_sa *sa,
    bool pfs, struct ike_suite *out, bool *esn,
    const struct ike_pld_prop **chosen)
{
	const struct ike_pld_prop *p;
	const struct ike_suite *s;
	bool dh_ok;
	uint8_t i;
	size_t j;

	for (i = 0; i < sa->nprops; i++) {
		p = &sa->props[i];
		if (p->proto != IKEV2_PROTO_ESP || p->spi_size != 4 ||
		    p->spi == 0 || !prop_sane(p))
			continue;
		for (j = 0; j < pol->n_esp; j++) {
			s = &pol->esp[j];
			if (!has_xf(p, IKEV2_XF_ENCR, s->encr, s->encr_bits) ||
			    !integ_ok(p, s->integ))
				continue;
			if (!pfs)
				dh_ok = true;
			else if (s->dh != 0)
				dh_ok = has_xf(p, IKEV2_XF_DH, s->dh, 0);
			else
				dh_ok = !has_type(p, IKEV2_XF_DH) ||
				    has_xf(p, IKEV2_XF_DH, IKEV2_DH_NONE, 0);
			if (!dh_ok)
				continue;
			*out = *s;
			if (!pfs)
				out->dh = 0;
			/*
			 * ESN (§3.3.2 type 5): the responder picks; we take
			 * ESN only when it is all the peer offers.
			 */
			*esn = has_xf(p, IKEV2_XF_ESN, IKEV2_ESN_YES, 0) &&
			    !has_xf(p, IKEV2_XF_ESN, IKEV2_ESN_NO, 0);
			if (chosen != NULL)
				*chosen = p;
			return 0;
		}
	}
	return -1;
}

static void
add_xf(struct ike_pld_prop *p, uint8_t type, uint16_t id, uint16_t key_len)
{
	if (p->nxforms >= IKE_MAX_XFORMS)
		return;
	p->xf[p->nxforms].type = type;
	p->xf[p->nxforms].id = id;
	p->xf[p->nxforms].key_len = key_len;
	p->xf[p->nxforms].unknown_attr = false;
	p->nxforms++;
}

static void
suite_xfs(struct ike_pld_prop *p, const struct ike_suite *s, bool esp,
    bool esn)
{
	add_xf(p, IKEV2_XF_ENCR, s->encr, s->encr_bits);
	if (!esp)
		add_xf(p, IKEV2_XF_PRF, s->prf, 0);
	if (s->integ != 0)
		add_xf(p, IKEV2_XF_INTEG, s->integ, 0);
	if (s->dh != 0)
		add_xf(p, IKEV2_XF_DH, s->dh, 0);
	if (esp)
		add_xf(p, IKEV2_XF_ESN, esn ? IKEV2_ESN_YES : IKEV2_ESN_NO, 0);
}

void
ike_policy_offer_ike(const struct ike_policy *pol, uint64_t spi,
    uint8_t spi_size, const uint16_t *groups, size_t ngroups,
    struct ike_pld_sa *out)
{
	struct ike_pld_prop *p;
	struct ike_suite s;
	size_t i, g;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < pol->n_ike && out->nprops < IKE_MAX_PROPS; i++) {
		p = &out->props[out->nprops];
		p->num = (uint8_t)(out->nprops + 1);
		p->proto = IKEV2_PROTO_IKE;
		p->spi_size = spi_size;
		p->spi = spi;
		s = pol->ike[i];
		if (ngroups > 0) {
			s.dh = 0;
			suite_xfs(p, &s, false, false);
			for (g = 0; g < ngroups; g++)
				add_xf(p, IKEV2_XF_DH, groups[g], 0);
		} else
			suite_xfs(p, &s, false, false);
		out->nprops++;
	}
}

void
ike_policy_offer_esp(const struct ike_policy *pol, uint32_t spi, bool pfs,
    struct ike_pld_sa *out)
{
	struct ike_pld_prop *p;
	struct ike_suite s;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < pol->n_esp && out->nprops < IKE_MAX_PROPS; i++) {
		p = &out->props[out->nprops];
		p->num = (uint8_t)(out->nprops + 1);
		p->proto = IKEV2_PROTO_ESP;
		p->spi_size = 4;
		p->spi = spi;
		s = pol->esp[i];
		if (!pfs)
			s.dh = 0;
		suite_xfs(p, &s, true, false);
		out->nprops++;
	}
}

void
ike_policy_reply(const struct ike_suite *s, uint8_t num, uint8_t proto,
    uint64_t spi, uint8_t spi_size, bool esn, struct ike_pld_sa *out)
{
	struct ike_pld_prop *p = &out->props[0];

	memset(out, 0, sizeof(*out));
	p->num = num;
	p->proto = proto;
	p->spi_size = spi_size;
	p->spi = spi;
	suite_xfs(p, s, proto != IKEV2_PROTO_IKE, esn);
	out->nprops = 1;
}

static const char *
xf_name(uint8_t type, uint16_t id, char *tmp, size_t len)
{
	switch (type) {
	case IKEV2_XF_ENCR:
		switch (id) {
		case IKEV2_ENCR_NULL: return "NULL";
		case IKEV2_ENCR_AES_CBC: return "AES_CBC";
		case IKEV2_ENCR_AES_CTR: return "AES_CTR";
		case IKEV2_ENCR_AES_GCM_8: return "AES_GCM_8";
		case IKEV2_ENCR_AES_GCM_12: return "AES_GCM_12";
		case IKEV2_ENCR_AES_GCM_16: return "AES_GCM_16";
		case 3: return "3DES";
		}
		break;
	case IKEV2_XF_PRF:
		switch (id) {
		case IKEV2_PRF_HMAC_SHA1: return "PRF_HMAC_SHA1";
		case IKEV2_PRF_HMAC_SHA2_256: return "PRF_HMAC_SHA2_256";
		case IKEV2_PRF_HMAC_SHA2_384: return "PRF_HMAC_SHA2_384";
		case IKEV2_PRF_HMAC_SHA2_512: return "PRF_HMAC_SHA2_512";
		}
		break;
	case IKEV2_XF_INTEG:
		switch (id) {
		case IKEV2_INTEG_NONE: return "NONE";
		case IKEV2_INTEG_HMAC_SHA1_96: return "HMAC_SHA1_96";
		case IKEV2_INTEG_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128";
		case IKEV2_INTEG_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192";
		case IKEV2_INTEG_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256";
		}
		break;
	case IKEV2_XF_DH:
		switch (id) {
		case IKEV2_DH_NONE: return "NO_DH";
		case IKEV2_DH_MODP_768: return "MODP_768";
		case IKEV2_DH_MODP_1024: return "MODP_1024";
		case IKEV2_DH_MODP_1536: return "MODP_1536";
		case IKEV2_DH_MODP_2048: return "MODP_2048";
		case IKEV2_DH_MODP_3072: return "MODP_3072";
		case IKEV2_DH_MODP_4096: return "MODP_4096";
		case IKEV2_DH_ECP_256: return "ECP_256";
		case IKEV2_DH_ECP_384: return "ECP_384";
		case IKEV2_DH_ECP_521: return "ECP_521";
		case IKEV2_DH_MODP_2048_256: return "MODP_2048_256";
		case IKEV2_DH_CURVE25519: return "CURVE_25519";
		}
		break;
	case IKEV2_XF_ESN:
		return id == IKEV2_ESN_YES ? "ESN" : "NO_ESN";
	}
	snprintf(tmp, len, "T%u_%u", type, id);
	return tmp;
}

/* Appends at *off, never overflowing; ends in "..." when it did not fit. */
static void
cat(char *buf, size_t len, size_t *off, const char *fmt, const char *a,
    unsigned b)
{
	int n;

	if (*off >= len)
		return;
	n = snprintf(buf + *off, len - *off, fmt, a, b);
	if (n < 0)
		return;
	if ((size_t)n >= len - *off) {
		*off = len;
		if (len >= 4)
			memcpy(buf + len - 4, "...", 4);
		return;
	}
	*off += (size_t)n;
}

void
ike_policy_describe_offer(const struct ike_pld_sa *sa, char *buf, size_t len)
{
	const struct ike_pld_xform *x;
	size_t off = 0;
	char tmp[16];
	uint8_t i, j;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sa->nprops; i++) {
		if (i > 0)
			cat(buf, len, &off, "%s", ", ", 0);
		for (j = 0; j < sa->props[i].nxforms; j++) {
			x = &sa->props[i].xf[j];
			if (x->type == IKEV2_XF_ESN)
				continue;
			cat(buf, len, &off, j > 0 ? "/%s" : "%s",
			    xf_name(x->type, x->id, tmp, sizeof(tmp)), 0);
			if (x->key_len != 0)
				cat(buf, len, &off, "%s%u", "_", x->key_len);
		}
	}
	if (sa->nprops == 0)
		cat(buf, len, &off, "%s", "nothing", 0);
}

void
ike_policy_describe(const struct ike_policy *pol, bool esp, char *buf,
    size_t len)
{
	const struct ike_suite *s = esp ? pol->esp : pol->ike;
	size_t n = esp ? pol->n_esp : pol->n_ike, i, off = 0;
	char name[64];

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (ike_suite_name(&s[i], name, sizeof(name)) == -1)
			snprintf(name, sizeof(name), "?");
		cat(buf, len, &off, i > 0 ? ",%s" : "%s", name, 0);
	}
}

bool
ike_policy_ts_ok(const struct ike_pld_ts_set *set)
{
	const struct ike_pld_ts *t;
	uint8_t i;

	for (i = 0; i < set->nts; i++) {
		t = &set->ts[i];
		if (t->ip_proto == 0 && t->start_port == 0 &&
		    t->end_port == 65535 && t->start_addr == 0 &&
		    t->end_addr == 0xffffffffu)
			return true;
	}
	return false;
}

int
ike_policy_add_ts(struct ike_build *b)
{
	struct ike_pld_ts any;
	int errs = 0;

	ike_pld_ts_any(&any);
	errs += ike_build_ts(b, IKEV2_PLD_TSI, &any, 1);
	errs += ike_build_ts(b, IKEV2_PLD_TSR, &any, 1);
	return errs;
}
