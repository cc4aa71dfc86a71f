/*
 * fuzz_policy_webcat.c - libFuzzer target for the web category file parser
 * (policy_webcat.c): the input is a whole file. It must never crash; a
 * parse error says which line; a parsed database finds each of its
 * categories by name, and every suffix line of the input that parsed
 * looks up to a category (itself or a longer one cannot exist for the
 * same name, so exactly its own).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_name.h"
#include "policy_webcat.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_webcat *w;
	char err[256], line[1024], norm[POLICY_HOST_MAX + 1], *tab;
	const struct policy_webcat_cat *c;
	size_t i, pos = 0, ll;
	const uint8_t *nl;
	uint16_t got;

	w = policy_webcat_parse((const char *)data, size, err, sizeof(err));
	if (w == NULL) {
		if (strncmp(err, "line ", 5) != 0 &&
		    strcmp(err, "no !category line") != 0 &&
		    strcmp(err, "out of memory") != 0)
			abort();
		return 0;
	}
	if (policy_webcat_ncat(w) == 0 ||
	    policy_webcat_ncat(w) > POLICY_WEBCAT_MAX)
		abort();
	for (i = 0; i < policy_webcat_ncat(w); i++) {
		c = policy_webcat_cat(w, i);
		if (c == NULL || policy_webcat_find(w, c->name) != (int)i)
			abort();
	}
	/* Each suffix line: its name looks up to its own category. */
	while (pos < size) {
		nl = memchr(data + pos, '\n', size - pos);
		ll = nl == NULL ? size - pos : (size_t)(nl - (data + pos));
		if (ll < sizeof(line)) {
			memcpy(line, data + pos, ll);
			line[ll] = '\0';
			if (ll > 0 && line[ll - 1] == '\r')
				line[--ll] = '\0';
			if (line[0] != '#' && line[0] != '!' &&
			    (tab = strchr(line, '\t')) != NULL) {
				*tab = '\0';
				if (policy_name_norm(line, strlen(line),
				    norm) != 0)
					abort();	/* it parsed */
				got = policy_webcat_lookup(w, norm);
				if (got == POLICY_WEBCAT_NONE ||
				    (int)got != policy_webcat_find(w, tab + 1))
					abort();
			}
		}
		if (nl == NULL)
			break;
		pos = (size_t)(nl - data) + 1;
	}
	policy_webcat_free(w);
	return 0;
}
