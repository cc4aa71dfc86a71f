/*
 * ike_pld.h - the IKEv2 message codec (RFC 7296 §3): the header, the payload
 * chain and every payload we use, parsed into one fixed-size struct ike_msg
 * and built into a caller's wbuf. No crypto and no state: the engine
 * decrypts the SK payload and hands the plaintext back to
 * ike_pld_parse_chain(); it encrypts what ike_build_*() wrote into a
 * separate wbuf.
 *
 * Nothing is allocated and no count read off the wire sizes anything: every
 * array below is fixed, and overflowing one is INVALID_SYNTAX. Variable
 * data (nonces, KE values, notify data, ...) are views (struct ike_span)
 * into the parsed bytes, valid as long as those bytes are.
 */
#ifndef IKE_PLD_H
#define IKE_PLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct wbuf;

#define IKE_MAX_PROPS		32	/* proposals per SA payload */
#define IKE_MAX_XFORMS		32	/* transforms per proposal */
#define IKE_MAX_NOTIFY		32	/* notify payloads per message */
#define IKE_MAX_DELETE		4	/* delete payloads per message */
#define IKE_MAX_DEL_SPIS	32	/* SPIs per delete payload */
#define IKE_MAX_TS		16	/* IPv4 range selectors per TS payload */

struct ike_span {
	const uint8_t	*ptr;
	size_t		len;
};

/* §3.1. SPIs are read as big-endian integers, compared with ==. */
struct ike_hdr {
	uint64_t	spi_i, spi_r;
	uint8_t		next;		/* first payload */
	uint8_t		version;	/* IKEV2_VERSION on output */
	uint8_t		exchange;
	uint8_t		flags;
	uint32_t	msgid;
	uint32_t	length;		/* parsed: equals the datagram; built: set by ike_build_finish() */
};

/* §3.3.2, §3.3.5 */
struct ike_pld_xform {
	uint8_t		type;		/* IKEV2_XF_* */
	uint16_t	id;
	uint16_t	key_len;	/* KEY_LENGTH attribute in bits, 0 = absent */
	bool		unknown_attr;	/* §3.3.6: the proposal must be rejected */
};

/* §3.3.1 */
struct ike_pld_prop {
	uint8_t		num;
	uint8_t		proto;		/* IKEV2_PROTO_* */
	uint8_t		spi_size;	/* 0, 4 or 8 */
	uint64_t	spi;		/* spi_size bytes, big-endian */
	uint8_t		nxforms;
	struct ike_pld_xform xf[IKE_MAX_XFORMS];
};

/* §3.3 */
struct ike_pld_sa {
	uint8_t		nprops;
	struct ike_pld_prop props[IKE_MAX_PROPS];
};

/* §3.4 */
struct ike_pld_ke {
	uint16_t	group;
	struct ike_span	data;		/* 1..IKEV2_KE_MAX */
};

/* §3.5 */
struct ike_pld_id {
	uint8_t		type;		/* IKEV2_ID_* */
	struct ike_span	data;		/* 1..IKEV2_ID_MAX; 4 for ID_IPV4_ADDR */
	struct ike_span	body;		/* type, reserved, data: IDx' of §2.15 */
};

/* §3.8 */
struct ike_pld_auth {
	uint8_t		method;		/* IKEV2_AUTHM_* */
	struct ike_span	data;		/* 1..IKEV2_AUTH_MAX */
};

/* §3.10 */
struct ike_pld_notify {
	uint8_t		proto;		/* 0 or IKEV2_PROTO_* */
	uint8_t		spi_size;	/* 0, 4 or 8 */
	uint64_t	spi;
	uint16_t	type;		/* IKEV2_N_* */
	struct ike_span	data;
};

/* §3.11 */
struct ike_pld_delete {
	uint8_t		proto;
	uint8_t		spi_size;	/* 0 for IKE, 4 for ESP/AH */
	uint16_t	nspis;
	uint32_t	spis[IKE_MAX_DEL_SPIS];
};

/* §3.13.1, TS_IPV4_ADDR_RANGE only; addresses host order */
struct ike_pld_ts {
	uint8_t		ip_proto;	/* 0 = any */
	uint16_t	start_port, end_port;
	uint32_t	start_addr, end_addr;
};

/* §3.13 */
struct ike_pld_ts_set {
	uint8_t		nts;		/* IPv4 ranges stored */
	uint8_t		nother;		/* other selector types, counted and skipped */
	struct ike_pld_ts	ts[IKE_MAX_TS];
};

/*
 * ike_pld_parse() resets the scalars and counts, not the payload arrays:
 * read an array element only below its count (nprops, nxforms, nts,
 * nnotify, ndelete, nspis), a singleton only if its has_* is set.
 */
struct ike_msg {
	struct ike_hdr	hdr;
	bool		has_sa, has_ke, has_nonce, has_idi, has_idr, has_auth,
			has_tsi, has_tsr;
	struct ike_pld_sa sa;
	struct ike_pld_ke ke;
	struct ike_span	nonce;
	struct ike_pld_id idi, idr;
	struct ike_pld_auth auth;
	struct ike_pld_ts_set tsi, tsr;
	uint8_t		nnotify;
	struct ike_pld_notify notify[IKE_MAX_NOTIFY];
	uint8_t		ndelete;
	struct ike_pld_delete del[IKE_MAX_DELETE];
	uint8_t		nvendor;	/* Vendor ID payloads, skipped */
	uint8_t		nignored;	/* CERT, CERTREQ, CP, EAP, GSPM and unknown non-critical */
	/*
	 * §3.14 Encrypted payload (always the last one). sk_body is
	 * IV || ciphertext || ICV; sk_aad_len is the number of message bytes
	 * before sk_body (header + SK generic header): the AEAD associated
	 * data of RFC 5282 §5.1, and for integrity-protected suites the
	 * checksummed part is the whole message minus the ICV.
	 */
	bool		has_sk;
	uint8_t		sk_first;	/* type of the first inner payload */
	struct ike_span	sk_body;
	size_t		sk_aad_len;
	/* RFC 7383 §2.5 Encrypted Fragment: same fields, plus numbering. */
	bool		has_skf;
	uint16_t	skf_num, skf_total;
	/* Set with IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD: its notify data (§2.5). */
	uint8_t		crit_type;
};

/*
 * Parse a whole datagram: header and the unencrypted chain (up to and
 * including SK). 0 on success. -1 on error with *err_notify the error
 * notify to answer with (IKEV2_N_*), or 0 to drop silently (short header,
 * length mismatch, too large). m->hdr is filled whenever the 28 header
 * bytes were there, even on error (§2.5: INVALID_MAJOR_VERSION needs it).
 */
int	ike_pld_parse(const uint8_t *pkt, size_t len, struct ike_msg *m,
	    uint16_t *err_notify);
/* Header only (SPI lookup before the full parse); checks length == len. */
int	ike_pld_parse_hdr(const uint8_t *pkt, size_t len, struct ike_hdr *h);
/*
 * Parse a payload chain starting with type first until b is fully
 * consumed: the decrypted SK content. Adds to m (call it on the message the
 * SK came from; a payload present twice is INVALID_SYNTAX). SK inside SK is
 * INVALID_SYNTAX. The caller strips padding and the pad length byte first.
 */
int	ike_pld_parse_chain(struct buf *b, uint8_t first, struct ike_msg *m,
	    uint16_t *err_notify);

/* First notify of a type, NULL if none. */
const struct ike_pld_notify *ike_pld_notify_find(const struct ike_msg *, uint16_t type);

/*
 * Builders. Each appends one payload and chains it: the previous payload's
 * (or the header's) next-payload byte is patched to its type. Each returns
 * 0/-1; errors also latch in the wbuf, so a sequence can be summed and
 * checked once with ike_build_finish().
 *
 * A message: ike_build_init(), ike_build_header(), payloads,
 * ike_build_finish(). An SK plaintext: ike_build_init(), payloads (no
 * header; b.first then says the first inner type), ike_build_finish().
 */
struct ike_build {
	struct wbuf	*w;
	size_t		np_at;		/* offset of the pending next-payload byte */
	bool		has_np;
	size_t		hdr_at;		/* offset of the header, if has_hdr */
	bool		has_hdr;
	size_t		sk_at;		/* offset of the open SK/SKF generic header */
	bool		has_sk;
	uint8_t		first;		/* type of the first payload added */
};

void	ike_build_init(struct ike_build *, struct wbuf *);
/* h->length is ignored; next payload is patched by the first payload. */
int	ike_build_header(struct ike_build *, const struct ike_hdr *);
int	ike_build_sa(struct ike_build *, const struct ike_pld_sa *);
int	ike_build_ke(struct ike_build *, uint16_t group, const uint8_t *, size_t);
int	ike_build_nonce(struct ike_build *, const uint8_t *, size_t);
/* pld_type IKEV2_PLD_IDI or IKEV2_PLD_IDR. */
int	ike_build_id(struct ike_build *, uint8_t pld_type, uint8_t id_type,
	    const uint8_t *, size_t);
/* IDx' of §2.15 (ID type, 3 reserved, data) alone, for computing AUTH. */
int	ike_build_id_body(struct wbuf *, uint8_t id_type, const uint8_t *,
	    size_t);
int	ike_build_auth(struct ike_build *, uint8_t method, const uint8_t *,
	    size_t);
/* spi_size 0, 4 or 8: the low spi_size bytes of spi are written. */
int	ike_build_notify(struct ike_build *, uint8_t proto, uint8_t spi_size,
	    uint64_t spi, uint16_t type, const uint8_t *data, size_t len);
/* proto IKE: nspis 0 (§3.11); ESP/AH: 4-byte SPIs. */
int	ike_build_delete(struct ike_build *, uint8_t proto, const uint32_t *spis,
	    size_t nspis);
/* pld_type IKEV2_PLD_TSI or IKEV2_PLD_TSR; IPv4 ranges. */
int	ike_build_ts(struct ike_build *, uint8_t pld_type,
	    const struct ike_pld_ts *, size_t n);
/* The §3.13.1 any-to-any selector: 0.0.0.0-255.255.255.255, all ports and protocols. */
void	ike_pld_ts_any(struct ike_pld_ts *);
int	ike_build_vendor(struct ike_build *, const uint8_t *, size_t);
/*
 * Open the SK payload (§3.14): writes its generic header with first_inner
 * as next payload; *body_at is where the IV goes. The engine then appends
 * IV, ciphertext and ICV (wbuf_reserve + wbuf_ptr_at); ike_build_finish()
 * sets the SK length. It must be the last payload.
 */
int	ike_build_sk(struct ike_build *, uint8_t first_inner, size_t *body_at);
/* Set the header length (and SK length). -1 if any step failed. */
int	ike_build_finish(struct ike_build *, size_t *len);

#endif
