/*
 * esp_wire.h - ESP wire format and IANA numbers: RFC 4303 (ESP), RFC 4106
 * (AES-GCM in ESP), RFC 4868 (HMAC-SHA-256-128), RFC 3948 (ESP in UDP).
 * Constants only; esp_in.c / esp_out.c read and write them through the
 * buf.h cursors.
 *
 *   0                   1                   2                   3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  |                 Sequence Number (low 32 bits)                 |
 *  |           IV (8 octets with AES-GCM, none with NULL)          |
 *  |          Payload (the inner IPv4/IPv6 packet) ...             |
 *  |     Padding (0-255: 1, 2, 3, ...)    | Pad Length | Next Hdr  |
 *  |                 ICV (16 octets)                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef ESP_WIRE_H
#define ESP_WIRE_H

/* RFC 4303 §2: SPI (§2.1) + Sequence Number (§2.2). */
#define ESP_HDR_LEN		8
/* RFC 4303 §2.1: SPIs 1..255 are reserved by IANA, 0 is local use only. */
#define ESP_SPI_MIN		256
/* RFC 4303 §2.4-2.6: Pad Length + Next Header, both encrypted. */
#define ESP_TRAILER_LEN		2
/*
 * RFC 4303 §2.4: the Pad Length and Next Header fields must end on a
 * 4-octet boundary. GCM is a stream mode (RFC 4106 §3.2: block size 1)
 * and NULL has none (RFC 2410), so 4 is all the alignment either needs.
 */
#define ESP_PAD_ALIGN		4
#define ESP_PAD_MAX		255

/* RFC 4106 §3.1: explicit 8-octet IV; §4: nonce = 4-octet salt || IV. */
#define ESP_GCM_IV_LEN		8
#define ESP_GCM_SALT_LEN	4
#define ESP_GCM_NONCE_LEN	(ESP_GCM_SALT_LEN + ESP_GCM_IV_LEN)
/* RFC 4106 §3.3 / §8.1: ENCR_AES_GCM_16 = 16-octet ICV. */
#define ESP_GCM_ICV_LEN		16
/* RFC 4106 §5: AAD = SPI || seq (8) or SPI || seq high || seq low (12, ESN). */
#define ESP_GCM_AAD_LEN		8
#define ESP_GCM_AAD_ESN_LEN	12

/* RFC 4868 §2.1.1 / §2.3: 32-octet key, ICV = HMAC-SHA-256 cut to 16. */
#define ESP_HMAC_SHA256_KEY_LEN	32
#define ESP_HMAC_SHA256_ICV_LEN	16
#define ESP_HMAC_SHA256_LEN	32

/*
 * RFC 4303 §2.2.1 / §3.3.2.1: with ESN the high 32 bits of the sequence
 * number are never sent, but are authenticated: appended after the trailer
 * for an integrity algorithm, placed in the AAD for GCM.
 */
#define ESP_SEQ_HI_LEN		4

/* RFC 4303 §2.6 with IANA protocol numbers: tunnel mode only here. */
#define ESP_NH_IPV4		4
#define ESP_NH_IPV6		41
#define ESP_NH_NONE		59	/* dummy packet (TFC), §2.6: discard */

/* IKEv2 transform IDs (IANA "IKEv2 Parameters", RFC 7296 §3.3.2). */
#define ESP_IANA_ENCR_NULL		11	/* RFC 2410 */
#define ESP_IANA_ENCR_AES_GCM_16	20	/* RFC 4106 */
#define ESP_IANA_AUTH_NONE		0
#define ESP_IANA_AUTH_HMAC_SHA2_256_128	12	/* RFC 4868 */

/*
 * RFC 3948 §2: ESP in UDP on port 4500, shared with IKE. §2.2: an IKE
 * message there starts with a 4-octet zero Non-ESP Marker (no SPI is
 * zero); §2.3: a NAT-keepalive is the single octet 0xFF. Anything else
 * is ESP, starting at the SPI.
 */
#define ESP_UDP_ENCAP_PORT	4500
#define ESP_NON_ESP_MARKER_LEN	4
#define ESP_NATT_KEEPALIVE	0xff

/* The largest ESP packet handed in or built (an IPv4 datagram's payload). */
#define ESP_PKT_MAX		65535

#endif
