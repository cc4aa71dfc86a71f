/* guid.c - RFC 9562 version 4 identifiers from OpenSSL's CSPRNG. */
#include "guid.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static void
guid_fmt(const uint8_t b[16], char out[GUID_STRLEN + 1])
{
	snprintf(out, GUID_STRLEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	    b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
guid_new(char out[GUID_STRLEN + 1])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* RFC 9562 §5.4: version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* variant 10 */
	guid_fmt(b, out);
	return 0;
}

int
guid_from_name(const char *name, char out[GUID_STRLEN + 1])
{
	uint8_t h[32];
	unsigned int n = 0;

	if (EVP_Digest(name, strlen(name), h, &n, EVP_sha256(), NULL) != 1)
		return -1;
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);	/* RFC 9562 §5.8: version 8 */
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	guid_fmt(h, out);
	return 0;
}

bool
guid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != GUID_STRLEN)
		return false;
	for (i = 0; i < GUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}
