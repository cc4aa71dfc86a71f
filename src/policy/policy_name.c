/* policy_name.c - host name normalization (policy_name.h). */
#include "policy_name.h"

int
policy_name_norm(const char *in, size_t len, char out[POLICY_HOST_MAX + 1])
{
	size_t i, label = 0;
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
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			if (++label > 63)
				return -1;
		} else
			return -1;
		out[i] = c;
	}
	if (label == 0)
		return -1;
	out[len] = '\0';
	return 0;
}
