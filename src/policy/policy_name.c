/* policy_name.c - host name normalization (policy_name.h). */
#include "policy_name.h"

int
policy_name_norm(const char *in, size_t len, char out[POLICY_HOST_MAX + 1])
{
	size_t i, label = 0;
	bool digits = true;
	char c;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > POLICY_HOST_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = in[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0)
				return -1;	/* empty label */
			label = 0;
			digits = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			if (++label > 63)
				return -1;
			if (c < '0' || c > '9')
				digits = false;
		} else
			return -1;
		out[i] = c;
	}
	if (label == 0 || digits)
		return -1;
	out[len] = '\0';
	return 0;
}

bool
policy_name_ipv4(const char *in, size_t len)
{
	size_t i, parts = 0, nd = 0;
	unsigned v = 0;

	/* dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading 0 */
	for (i = 0; i <= len; i++) {
		if (i == len || in[i] == '.') {
			if (nd == 0 || v > 255 || ++parts > 4)
				return false;
			nd = 0;
			v = 0;
			continue;
		}
		if (in[i] < '0' || in[i] > '9' || (nd == 1 && v == 0) || nd == 3)
			return false;
		v = v * 10 + (unsigned)(in[i] - '0');
		nd++;
	}
	return parts == 4;
}
