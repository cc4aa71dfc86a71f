/*
 * policy_sni.c - TLS ClientHello server_name extraction. Every length is
 * checked against its enclosing vector through struct buf; the parser
 * never trusts a declared size beyond the octets it holds. The handshake
 * message is first gathered from its records (a ClientHello may be
 * fragmented over several, RFC 8446 §5.1) into a local copy of at most
 * POLICY_REASM_CAP octets.
 */
#include "policy_sni.h"

#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "policy_reasm.h"

#define TLS_CT_HANDSHAKE	22	/* RFC 8446 §5.1 ContentType */
#define TLS_HS_CLIENT_HELLO	1	/* §4 HandshakeType */
#define TLS_RECORD_MAX		16384	/* §5.1: 2^14 */
#define TLS_EXT_SERVER_NAME	0	/* RFC 6066 §3 */
#define TLS_NAME_HOST		0	/* NameType host_name */

static const char *const sni_res_names[] = {
	[POLICY_SNI_OK] = "ok",
	[POLICY_SNI_NEED_MORE] = "need-more",
	[POLICY_SNI_NOT_TLS] = "not-tls",
	[POLICY_SNI_MALFORMED] = "malformed",
	[POLICY_SNI_NO_SNI] = "no-sni",
	[POLICY_SNI_TOO_BIG] = "too-big",
};

const char *
policy_sni_res_str(enum policy_sni_res r)
{
	if ((unsigned)r >= sizeof(sni_res_names) / sizeof(sni_res_names[0]))
		return "?";
	return sni_res_names[r];
}

/* RFC 6066 §3: ServerNameList server_name_list<1..2^16-1>. */
static enum policy_sni_res
sni_server_name(struct buf *ext, char host[POLICY_HOST_MAX + 1], bool *found)
{
	struct buf list, name;
	uint16_t llen, nlen;
	uint8_t type;
	const uint8_t *np;

	if (buf_get_u16(ext, &llen) == -1 || llen == 0 ||
	    buf_get_sub(ext, llen, &list) == -1 || buf_done(ext) == -1)
		return POLICY_SNI_MALFORMED;
	while (buf_left(&list) > 0) {
		if (buf_get_u8(&list, &type) == -1 ||
		    buf_get_u16(&list, &nlen) == -1 || nlen == 0 ||
		    buf_get_sub(&list, nlen, &name) == -1)
			return POLICY_SNI_MALFORMED;
		/* Only host_name is defined; its opaque form lets us skip
		 * others. "MUST NOT contain more than one name of the same
		 * name_type". */
		if (type != TLS_NAME_HOST)
			continue;
		if (*found)
			return POLICY_SNI_MALFORMED;
		if (buf_peek_ptr(&name, nlen, &np) == -1 ||
		    policy_name_norm((const char *)np, nlen, host) == -1)
			return POLICY_SNI_MALFORMED;
		*found = true;
	}
	return POLICY_SNI_OK;
}

/* RFC 8446 §4.1.2, the body of a ClientHello. */
static enum policy_sni_res
sni_client_hello(struct buf *ch, char host[POLICY_HOST_MAX + 1])
{
	struct buf exts, ext;
	uint16_t ver, cslen, elen, etype, exlen;
	uint8_t sidlen, cmlen;
	uint8_t seen[256 / 8];
	bool found = false;
	enum policy_sni_res r;

	memset(seen, 0, sizeof(seen));
	if (buf_get_u16(ch, &ver) == -1 || ver >> 8 != 3 ||
	    buf_skip(ch, 32) == -1 ||				/* random */
	    buf_get_u8(ch, &sidlen) == -1 || sidlen > 32 ||	/* <0..32> */
	    buf_skip(ch, sidlen) == -1 ||
	    buf_get_u16(ch, &cslen) == -1 || cslen < 2 || cslen % 2 != 0 ||
	    buf_skip(ch, cslen) == -1 ||
	    buf_get_u8(ch, &cmlen) == -1 || cmlen < 1 ||	/* <1..2^8-1> */
	    buf_skip(ch, cmlen) == -1)
		return POLICY_SNI_MALFORMED;
	if (buf_left(ch) == 0)
		return POLICY_SNI_NO_SNI;	/* TLS 1.2 may omit extensions */
	if (buf_get_u16(ch, &elen) == -1 || buf_get_sub(ch, elen, &exts) == -1 ||
	    buf_done(ch) == -1)
		return POLICY_SNI_MALFORMED;
	while (buf_left(&exts) > 0) {
		if (buf_get_u16(&exts, &etype) == -1 ||
		    buf_get_u16(&exts, &exlen) == -1 ||
		    buf_get_sub(&exts, exlen, &ext) == -1)
			return POLICY_SNI_MALFORMED;
		/* §4.2: no more than one extension of each type. */
		if (etype < 256) {
			if (seen[etype / 8] & (1u << (etype % 8)))
				return POLICY_SNI_MALFORMED;
			seen[etype / 8] |= (uint8_t)(1u << (etype % 8));
		}
		if (etype != TLS_EXT_SERVER_NAME)
			continue;
		if ((r = sni_server_name(&ext, host, &found)) != POLICY_SNI_OK)
			return r;
	}
	return found ? POLICY_SNI_OK : POLICY_SNI_NO_SNI;
}

/* Whether hs holds a whole handshake message: its header, then mlen. */
static bool
sni_hs_complete(const uint8_t *hs, size_t hslen)
{
	return hslen >= 4 &&
	    hslen - 4 >= ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
}

static enum policy_sni_res
sni_parse(const uint8_t *p, size_t len, char host[POLICY_HOST_MAX + 1])
{
	uint8_t hs[POLICY_REASM_CAP];
	size_t hslen = 0, take;
	struct buf b, frag, ch;
	uint8_t type;
	uint16_t ver, rlen;
	uint32_t mlen;
	const uint8_t *fp;

	/* Say "not TLS" from the first octets already: port 443 garbage must
	 * not wait for more. */
	if (len >= 1 && p[0] != TLS_CT_HANDSHAKE)
		return POLICY_SNI_NOT_TLS;
	if (len >= 2 && p[1] != 3)
		return POLICY_SNI_NOT_TLS;
	buf_init(&b, p, len);
	/* Gather handshake records until the ClientHello is whole: what
	 * follows it (a change_cipher_spec for middlebox compatibility, 0-RTT
	 * application_data, RFC 8446 §D.4, §4.2.10) is not ours to judge. */
	while (!sni_hs_complete(hs, hslen)) {
		/* The message and one record header at least must fit the
		 * cap: say so as soon as the length is known. */
		if (hslen >= 4 && ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 |
		    hs[3]) > POLICY_REASM_CAP - 5 - 4)
			return POLICY_SNI_TOO_BIG;
		if (buf_left(&b) < 5)
			return POLICY_SNI_NEED_MORE;
		(void)buf_get_u8(&b, &type);
		(void)buf_get_u16(&b, &ver);
		(void)buf_get_u16(&b, &rlen);
		/* §5.1: the handshake may not be interleaved with other types,
		 * zero-length handshake fragments are forbidden, 2^14 max. */
		if (type != TLS_CT_HANDSHAKE || ver >> 8 != 3)
			return hslen == 0 ? POLICY_SNI_NOT_TLS :
			    POLICY_SNI_MALFORMED;
		if (rlen == 0 || rlen > TLS_RECORD_MAX)
			return POLICY_SNI_MALFORMED;
		take = rlen < buf_left(&b) ? rlen : buf_left(&b);
		if (take > sizeof(hs) - hslen)
			return POLICY_SNI_TOO_BIG;
		(void)buf_peek_ptr(&b, take, &fp);
		memcpy(hs + hslen, fp, take);
		hslen += take;
		/* §4: the first message of a client is its ClientHello. */
		if (hslen > 0 && hs[0] != TLS_HS_CLIENT_HELLO)
			return POLICY_SNI_MALFORMED;
		if (take < rlen)
			break;			/* a record cut short: wait */
	}
	if (hslen < 4)
		return POLICY_SNI_NEED_MORE;
	buf_init(&frag, hs, hslen);
	(void)buf_get_u32(&frag, &mlen);
	mlen &= 0xffffff;
	/* The message and one record header at least must fit the cap. */
	if (mlen > POLICY_REASM_CAP - 5 - 4)
		return POLICY_SNI_TOO_BIG;
	if (buf_get_sub(&frag, mlen, &ch) == -1)
		return POLICY_SNI_NEED_MORE;
	/* Octets after the ClientHello in its last record (another message)
	 * are the server's business; the ClientHello itself is complete. */
	return sni_client_hello(&ch, host);
}

enum policy_sni_res
policy_sni_parse(const uint8_t *p, size_t len, char host[POLICY_HOST_MAX + 1])
{
	enum policy_sni_res r = sni_parse(p, len, host);

	/* The caller holds at most the cap (policy_reasm): if the
	 * ClientHello is still short then (record headers of a message split
	 * in many records count too), it never fits. */
	if (r == POLICY_SNI_NEED_MORE && len >= POLICY_REASM_CAP)
		return POLICY_SNI_TOO_BIG;
	return r;
}
