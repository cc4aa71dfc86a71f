/*
 * cpe_swanctl.c - strongSwan 5.9 swanctl.conf for the CPE: one IKEv2
 * connection per gateway zone, initiated and kept up by the CPE (the
 * gateway only responds, system-facts §2.3), route-based with 0.0.0.0/0
 * selectors, proposals mirroring the link's IKE policy (§1.5, §1.6).
 */
#include "cpe_int.h"

#include <string.h>
#include <strings.h>

/* strongSwan keyword of an IANA DH group (RFC 3526, RFC 5114, RFC 5903). */
static const char *
dh_keyword(int iana)
{
	switch (iana) {
	case 1:
		return "modp768";
	case 2:
		return "modp1024";
	case 14:
		return "modp2048";
	case 19:
		return "ecp256";
	case 20:
		return "ecp384";
	case 24:
		return "modp2048s256";
	}
	return NULL;
}

/*
 * One IKE proposal for the custom policy: enc-integ-dh, or for AES-GCM
 * (AEAD) enc-prf-dh, the integrity choice then naming the PRF. Azure
 * requires GCM integrity to equal GCM encryption (system-facts §1.6); we
 * take the PRF from the key size then (SHA-256 for 128, SHA-384 for 256),
 * as the default policy pairs them.
 */
static int
ike_proposal(const struct cpe_in *in, char *buf, size_t len)
{
	const struct model_tunnel *t = &in->link->tunnel;
	const char *enc, *integ, *dh;
	bool aead;

	switch (t->ike_enc) {
	case MODEL_IKE_ENC_AES128:	enc = "aes128"; aead = false; break;
	case MODEL_IKE_ENC_AES192:	enc = "aes192"; aead = false; break;
	case MODEL_IKE_ENC_AES256:	enc = "aes256"; aead = false; break;
	case MODEL_IKE_ENC_GCMAES128:	enc = "aes128gcm16"; aead = true; break;
	case MODEL_IKE_ENC_GCMAES256:	enc = "aes256gcm16"; aead = true; break;
	default:
		goto bad;
	}
	switch (t->ike_int) {
	case MODEL_IKE_INT_SHA256:
		integ = aead ? "prfsha256" : "sha256";
		break;
	case MODEL_IKE_INT_SHA384:
		integ = aead ? "prfsha384" : "sha384";
		break;
	case MODEL_IKE_INT_GCMAES128:
		if (t->ike_enc != MODEL_IKE_ENC_GCMAES128)
			goto bad;
		integ = "prfsha256";
		break;
	case MODEL_IKE_INT_GCMAES256:
		if (t->ike_enc != MODEL_IKE_ENC_GCMAES256)
			goto bad;
		integ = "prfsha384";
		break;
	default:
		goto bad;
	}
	if ((dh = dh_keyword(model_dh_iana(t->dh))) == NULL)
		goto bad;
	snprintf(buf, len, "%s-%s-%s", enc, integ, dh);
	return 0;
bad:
	cpe_seterr(in, "IKE policy %s/%s/%s has no strongSwan equivalent",
	    model_enum_name(&model_ike_enc_enum, t->ike_enc) ?
	    model_enum_name(&model_ike_enc_enum, t->ike_enc) : "?",
	    model_enum_name(&model_ike_int_enum, t->ike_int) ?
	    model_enum_name(&model_ike_int_enum, t->ike_int) : "?",
	    model_enum_name(&model_dh_enum, t->dh) ?
	    model_enum_name(&model_dh_enum, t->dh) : "?");
	return -1;
}

/* system-facts §1.6: the only encryption/integrity pairs Phase 2 allows. */
static int
esp_proposal(const struct cpe_in *in, char *buf, size_t len)
{
	const struct model_tunnel *t = &in->link->tunnel;
	const char *alg, *pfs = NULL;
	int g;

	if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES128 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES128)
		alg = "aes128gcm16";
	else if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES192 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES192)
		alg = "aes192gcm16";
	else if (t->ipsec_enc == MODEL_IPSEC_ENC_GCMAES256 &&
	    t->ipsec_int == MODEL_IPSEC_INT_GCMAES256)
		alg = "aes256gcm16";
	else if (t->ipsec_enc == MODEL_IPSEC_ENC_NONE &&
	    t->ipsec_int == MODEL_IPSEC_INT_SHA256)
		alg = "null-sha256";
	else {
		cpe_seterr(in, "IPsec policy %s/%s is not an allowed pair",
		    model_enum_name(&model_ipsec_enc_enum, t->ipsec_enc) ?
		    model_enum_name(&model_ipsec_enc_enum, t->ipsec_enc) : "?",
		    model_enum_name(&model_ipsec_int_enum, t->ipsec_int) ?
		    model_enum_name(&model_ipsec_int_enum, t->ipsec_int) : "?");
		return -1;
	}
	if (model_enum_name(&model_pfs_enum, t->pfs) == NULL) {
		cpe_seterr(in, "PFS group %d out of range", t->pfs);
		return -1;
	}
	/* pfsmm maps to no group (model_pfs_iana): offer no PFS for it. */
	if ((g = model_pfs_iana(t->pfs)) != 0 &&
	    (pfs = dh_keyword(g)) == NULL) {
		cpe_seterr(in, "PFS group %d has no strongSwan keyword", g);
		return -1;
	}
	snprintf(buf, len, "%s%s%s", alg, pfs ? "-" : "", pfs ? pfs : "");
	return 0;
}

/*
 * swanctl hands the value to charon as the key unless it starts with
 * "0x"/"0s" (hex/base64, case-insensitive, load_creds.c), whether quoted
 * or not. Inside quotes the settings lexer takes \c as c, except \n \r \t
 * (settings_lexer.l). So: quote printable keys, escaping '"' and '\';
 * anything else, or a key swanctl would decode, goes out as hex.
 */
static void
put_secret(struct cpe_out *o, const char *psk)
{
	const unsigned char *c;
	bool hex = strncasecmp(psk, "0x", 2) == 0 ||
	    strncasecmp(psk, "0s", 2) == 0;

	for (c = (const unsigned char *)psk; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)
			hex = true;
	if (hex) {
		cpe_printf(o, "    # The key in hex (0x...): as text, swanctl "
		    "would misread it.\n    secret = 0x");
		for (c = (const unsigned char *)psk; *c != '\0'; c++)
			cpe_printf(o, "%02x", *c);
		cpe_printf(o, "\n");
		return;
	}
	cpe_printf(o, "    secret = \"");
	for (c = (const unsigned char *)psk; *c != '\0'; c++)
		cpe_printf(o, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
	cpe_printf(o, "\"\n");
}

static void
put_policy(struct cpe_out *o, const struct cpe_in *in)
{
	const struct model_tunnel *t = &in->link->tunnel;

	if (!t->custom) {
		cpe_printf(o, "# IKE policy: default (IKEv2Default): the four "
		    "Phase 1 and three Phase 2\n# combinations the gateway "
		    "accepts, no PFS.\n");
		return;
	}
	cpe_printf(o, "# IKE policy: custom (IKEv2Custom)\n"
	    "#   Phase 1: ikeEncryption %s, ikeIntegrity %s, dhGroup %s\n"
	    "#   Phase 2: ipSecEncryption %s, ipSecIntegrity %s, pfsGroup %s\n"
	    "#   saLifeTimeSeconds %lld\n",
	    model_enum_name(&model_ike_enc_enum, t->ike_enc),
	    model_enum_name(&model_ike_int_enum, t->ike_int),
	    model_enum_name(&model_dh_enum, t->dh),
	    model_enum_name(&model_ipsec_enc_enum, t->ipsec_enc),
	    model_enum_name(&model_ipsec_int_enum, t->ipsec_int),
	    model_enum_name(&model_pfs_enum, t->pfs),
	    (long long)t->sa_lifetime);
}

int
cpe_swanctl(struct cpe_out *o, const struct cpe_in *in)
{
	const struct model_link *l = in->link;
	const struct model_tunnel *t = &l->tunnel;
	char ike[160], esp[64], cpe[IP4_STRLEN], gw[IP4_STRLEN], a[IP4_STRLEN];
	size_t i;

	if (t->custom) {
		if (ike_proposal(in, ike, sizeof(ike)) == -1 ||
		    esp_proposal(in, esp, sizeof(esp)) == -1)
			return -1;
		if (t->sa_lifetime <= 0) {
			cpe_seterr(in, "custom policy without SA lifetime");
			return -1;
		}
	} else {
		/* system-facts §1.5, in the table's order of preference. */
		snprintf(ike, sizeof(ike), "%s", "aes256gcm16-prfsha384-"
		    "modp2048s256,aes128gcm16-prfsha256-modp2048s256,"
		    "aes256-sha384-modp2048s256,aes128-sha256-modp2048s256");
		snprintf(esp, sizeof(esp), "%s",
		    "aes256gcm16,aes192gcm16,aes128gcm16");
	}
	ip4_fmt(l->ip, cpe);

	cpe_header(o, in, "#", "strongSwan 5.9 swanctl.conf");
	cpe_printf(o,
	    "# SECRET: the secrets section below holds the pre-shared key%s.\n"
	    "# Keep this file readable by root only (chmod 600).\n"
	    "#\n", in->nzones > 1 ? "s" : "");
	put_policy(o, in);
	cpe_printf(o,
	    "#\n"
	    "# Route-based tunnel, 0.0.0.0/0 selectors. The gateway only "
	    "responds: this\n"
	    "# CPE initiates, retries forever (keyingtries = 0) and restarts "
	    "dead tunnels\n"
	    "# (DPD). Local id is the CPE public IP the link was created with "
	    "(the IDi the\n"
	    "# gateway expects, also behind NAT). Allow UDP 500 and 4500 "
	    "(NAT-T) to the\n"
	    "# gateway. With kernel-libipsec the tunnel interface is ipsec0. "
	    "Set\n"
	    "# routing_table_prio = 40000 in the charon section of "
	    "strongswan.conf, so the\n"
	    "# 0.0.0.0/0 route charon installs is only a fallback, then on "
	    "the CPE:\n"
	    "#   ip addr add %s/32 dev ipsec0\n", ip4_fmt(l->bgp_peer, a));
	for (i = 0; i < in->nzones; i++)
		cpe_printf(o, "#   ip route add %s/32 dev ipsec0    "
		    "# gateway BGP, zone %d\n",
		    ip4_fmt(in->zone[i].gw_bgp, a), in->zone[i].n);
	cpe_printf(o,
	    "#   iptables -t mangle -A FORWARD -o ipsec0 -p tcp "
	    "--tcp-flags SYN,RST SYN \\\n"
	    "#       -j TCPMSS --clamp-mss-to-pmtu    # MSS clamping\n"
	    "# (the BIRD/FRR configuration generated for this link adds the "
	    "routes).\n");
	if (in->nzones > 1)
		cpe_printf(o,
		    "# Zone redundancy: two tunnels with the same selectors. "
		    "kernel-libipsec has\n"
		    "# one ipsec0 and gives both the same reqid, so one "
		    "carries the traffic at a\n"
		    "# time. For active/active, give each connection its own "
		    "XFRM interface\n"
		    "# (if_id_in/if_id_out) and route each gateway BGP address "
		    "to it.\n");
	cpe_printf(o, "\nconnections {\n");
	for (i = 0; i < in->nzones; i++) {
		const struct cpe_zone *z = &in->zone[i];

		ip4_fmt(z->endpoint, gw);
		cpe_printf(o,
		    "  %s-z%d {\n"
		    "    version = 2\n"
		    "    local_addrs = %%any\n"
		    "    remote_addrs = %s\n"
		    "    proposals = %s\n"
		    "    mobike = no\n"
		    "    dpd_delay = 10s\n"
		    "    keyingtries = 0\n"
		    "    local {\n"
		    "      auth = psk\n"
		    "      id = %s\n"
		    "    }\n"
		    "    remote {\n"
		    "      auth = psk\n"
		    "      id = %s\n"
		    "    }\n"
		    "    children {\n"
		    "      %s-z%d {\n"
		    "        local_ts = 0.0.0.0/0\n"
		    "        remote_ts = 0.0.0.0/0\n"
		    "        esp_proposals = %s\n",
		    in->tag, z->n, gw, ike, cpe, gw, in->tag, z->n, esp);
		/* Rekey at 90 %: the CPE, not the gateway's expiry, renews. */
		if (t->custom)
			cpe_printf(o,
			    "        rekey_time = %llds\n"
			    "        life_time = %llds\n",
			    (long long)(t->sa_lifetime - t->sa_lifetime / 10),
			    (long long)t->sa_lifetime);
		cpe_printf(o,
		    "        mode = tunnel\n"
		    "        start_action = start\n"
		    "        dpd_action = restart\n"
		    "        close_action = start\n"
		    "      }\n"
		    "    }\n"
		    "  }\n");
	}
	cpe_printf(o, "}\n\nsecrets {\n");
	for (i = 0; i < in->nzones; i++) {
		const struct cpe_zone *z = &in->zone[i];

		cpe_printf(o,
		    "  ike-%s-z%d {\n"
		    "    id-1 = %s\n"
		    "    id-2 = %s\n",
		    in->tag, z->n, cpe, ip4_fmt(z->endpoint, gw));
		put_secret(o, z->psk);
		cpe_printf(o, "  }\n");
	}
	cpe_printf(o, "}\n");
	return 0;
}
