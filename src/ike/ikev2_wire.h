/*
 * ikev2_wire.h - IKEv2 wire constants (RFC 7296 §3, IANA "IKEv2
 * Parameters"). Numbers only: the typed payload structs and their codec are
 * in ike_pld.h.
 */
#ifndef IKEV2_WIRE_H
#define IKEV2_WIRE_H

/* §3.1 IKE header */
#define IKEV2_HDR_LEN		28
#define IKEV2_VERSION		0x20	/* major 2, minor 0 */
#define IKEV2_VERSION_MAJOR(v)	((v) >> 4)

/*
 * Largest message we parse. We are PSK-only and never need certificates, so
 * real messages stay under 2 KB (strongSwan's IKE_SA_INIT is ~500 bytes);
 * 16 KB leaves room for long proposal lists while capping the work an
 * unauthenticated datagram can cause. Anything longer is dropped.
 */
#define IKEV2_MSG_MAX		16384

/* §3.1 exchange types */
#define IKEV2_EXCH_IKE_SA_INIT		34
#define IKEV2_EXCH_IKE_AUTH		35
#define IKEV2_EXCH_CREATE_CHILD_SA	36
#define IKEV2_EXCH_INFORMATIONAL	37

/* §3.1 header flags */
#define IKEV2_FLAG_I		0x08	/* sent by the original initiator */
#define IKEV2_FLAG_V		0x10	/* higher version supported */
#define IKEV2_FLAG_R		0x20	/* response */

/* §3.2 generic payload header */
#define IKEV2_PLD_HDR_LEN	4
#define IKEV2_PLD_CRITICAL	0x80

/* §3.2 payload types */
#define IKEV2_PLD_NONE		0
#define IKEV2_PLD_SA		33
#define IKEV2_PLD_KE		34
#define IKEV2_PLD_IDI		35
#define IKEV2_PLD_IDR		36
#define IKEV2_PLD_CERT		37
#define IKEV2_PLD_CERTREQ	38
#define IKEV2_PLD_AUTH		39
#define IKEV2_PLD_NONCE		40	/* Ni and Nr */
#define IKEV2_PLD_NOTIFY	41
#define IKEV2_PLD_DELETE	42
#define IKEV2_PLD_VENDOR	43
#define IKEV2_PLD_TSI		44
#define IKEV2_PLD_TSR		45
#define IKEV2_PLD_SK		46
#define IKEV2_PLD_CP		47
#define IKEV2_PLD_EAP		48
#define IKEV2_PLD_GSPM		49	/* RFC 6467 */
#define IKEV2_PLD_SKF		53	/* RFC 7383 §2.5 */

/* §3.3.1 proposal / §3.3.2 transform substructure "Last Substruc" */
#define IKEV2_LAST		0
#define IKEV2_MORE_PROP		2
#define IKEV2_MORE_XFORM	3
#define IKEV2_PROP_HDR_LEN	8	/* without SPI */
#define IKEV2_XFORM_HDR_LEN	8

/* §3.3.1 protocol ids */
#define IKEV2_PROTO_IKE		1
#define IKEV2_PROTO_AH		2
#define IKEV2_PROTO_ESP		3

/* §3.3.2 transform types */
#define IKEV2_XF_ENCR		1
#define IKEV2_XF_PRF		2
#define IKEV2_XF_INTEG		3
#define IKEV2_XF_DH		4	/* "Key Exchange Method" since RFC 9370 */
#define IKEV2_XF_ESN		5

/* §3.3.2 encryption (type 1); GCM per RFC 5282 §7 */
#define IKEV2_ENCR_NULL		11
#define IKEV2_ENCR_AES_CBC	12
#define IKEV2_ENCR_AES_CTR	13
#define IKEV2_ENCR_AES_GCM_8	18
#define IKEV2_ENCR_AES_GCM_12	19
#define IKEV2_ENCR_AES_GCM_16	20

/* §3.3.2 PRF (type 2); SHA-2 per RFC 4868 */
#define IKEV2_PRF_HMAC_SHA1	2
#define IKEV2_PRF_HMAC_SHA2_256	5
#define IKEV2_PRF_HMAC_SHA2_384	6
#define IKEV2_PRF_HMAC_SHA2_512	7

/* §3.3.2 integrity (type 3) */
#define IKEV2_INTEG_NONE		0
#define IKEV2_INTEG_HMAC_SHA1_96	2
#define IKEV2_INTEG_HMAC_SHA2_256_128	12
#define IKEV2_INTEG_HMAC_SHA2_384_192	13
#define IKEV2_INTEG_HMAC_SHA2_512_256	14

/* §3.3.2 Diffie-Hellman groups (type 4); RFC 5114, RFC 5903, RFC 8031 */
#define IKEV2_DH_NONE		0
#define IKEV2_DH_MODP_768	1
#define IKEV2_DH_MODP_1024	2
#define IKEV2_DH_MODP_1536	5
#define IKEV2_DH_MODP_2048	14
#define IKEV2_DH_MODP_3072	15
#define IKEV2_DH_MODP_4096	16
#define IKEV2_DH_ECP_256	19
#define IKEV2_DH_ECP_384	20
#define IKEV2_DH_ECP_521	21
#define IKEV2_DH_MODP_2048_256	24
#define IKEV2_DH_CURVE25519	31

/* §3.3.2 extended sequence numbers (type 5) */
#define IKEV2_ESN_NO		0
#define IKEV2_ESN_YES		1

/* §3.3.5 transform attributes */
#define IKEV2_ATTR_AF		0x8000	/* TV format: 2-byte value, no length */
#define IKEV2_ATTR_KEY_LENGTH	14	/* always TV */

/* §3.4 KE payload: the largest public value we accept (MODP 4096) */
#define IKEV2_KE_MAX		512

/* §3.5 identification types */
#define IKEV2_ID_IPV4_ADDR	1
#define IKEV2_ID_FQDN		2
#define IKEV2_ID_RFC822_ADDR	3
#define IKEV2_ID_IPV6_ADDR	5
#define IKEV2_ID_DER_ASN1_DN	9
#define IKEV2_ID_KEY_ID		11
#define IKEV2_ID_MAX		255	/* our cap on identification data */

/* §3.8 authentication methods */
#define IKEV2_AUTHM_RSA_SIG		1
#define IKEV2_AUTHM_SHARED_KEY_MIC	2
#define IKEV2_AUTHM_DSS_SIG		3
#define IKEV2_AUTHM_DIGITAL_SIG		14	/* RFC 7427 */
#define IKEV2_AUTH_MAX			1024	/* our cap on authentication data */

/* §3.9 / §2.10 nonce length */
#define IKEV2_NONCE_MIN		16
#define IKEV2_NONCE_MAX		256

/* §3.10.1 notify types: errors (< 16384) */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKEV2_N_INVALID_IKE_SPI			4
#define IKEV2_N_INVALID_MAJOR_VERSION		5
#define IKEV2_N_INVALID_SYNTAX			7
#define IKEV2_N_INVALID_MESSAGE_ID		9
#define IKEV2_N_INVALID_SPI			11
#define IKEV2_N_NO_PROPOSAL_CHOSEN		14
#define IKEV2_N_INVALID_KE_PAYLOAD		17
#define IKEV2_N_AUTHENTICATION_FAILED		24
#define IKEV2_N_SINGLE_PAIR_REQUIRED		34
#define IKEV2_N_NO_ADDITIONAL_SAS		35
#define IKEV2_N_INTERNAL_ADDRESS_FAILURE	36
#define IKEV2_N_FAILED_CP_REQUIRED		37
#define IKEV2_N_TS_UNACCEPTABLE			38
#define IKEV2_N_INVALID_SELECTORS		39
#define IKEV2_N_TEMPORARY_FAILURE		43	/* RFC 7296 §2.25 */
#define IKEV2_N_CHILD_SA_NOT_FOUND		44
#define IKEV2_N_ERROR_MAX			16383

/* §3.10.1 notify types: status */
#define IKEV2_N_INITIAL_CONTACT			16384
#define IKEV2_N_SET_WINDOW_SIZE			16385
#define IKEV2_N_ADDITIONAL_TS_POSSIBLE		16386
#define IKEV2_N_IPCOMP_SUPPORTED		16387
#define IKEV2_N_NAT_DETECTION_SOURCE_IP		16388
#define IKEV2_N_NAT_DETECTION_DESTINATION_IP	16389
#define IKEV2_N_COOKIE				16390
#define IKEV2_N_USE_TRANSPORT_MODE		16391
#define IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED	16392
#define IKEV2_N_REKEY_SA			16393
#define IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED	16394
#define IKEV2_N_NON_FIRST_FRAGMENTS_ALSO	16395
#define IKEV2_N_MOBIKE_SUPPORTED		16396	/* RFC 4555 */
#define IKEV2_N_FRAGMENTATION_SUPPORTED		16430	/* RFC 7383 */
#define IKEV2_N_SIGNATURE_HASH_ALGORITHMS	16431	/* RFC 7427 */

/* §2.6 cookie data: 1..64 octets */
#define IKEV2_COOKIE_MAX	64

/* §3.13.1 traffic selector types */
#define IKEV2_TS_IPV4_ADDR_RANGE	7
#define IKEV2_TS_IPV6_ADDR_RANGE	8
#define IKEV2_TS_IPV4_LEN		16	/* selector length of type 7 */
#define IKEV2_TS_HDR_LEN		4	/* type, proto, length */

#endif
