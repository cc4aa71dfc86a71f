/*
 * model_profile.c - the built-in traffic forwarding profiles a tenant's
 * store holds (system-facts §3.5). Remote networks carry Microsoft 365 and
 * Internet Access traffic; Private Access needs the client (§1.8): the API
 * lists Graph's Private Access profile (priority 2, between these two, as
 * the evaluation order is Microsoft, Private, Internet) without storing it,
 * since no remote network may be assigned it (api_profile.c).
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

size_t
model_profiles_builtin(struct model_profile *out, size_t max)
{
	static const struct {
		const char	*name;
		int		 traffic;
		int		 priority;
	} builtin[] = {
		{ "Microsoft 365 traffic forwarding profile", MODEL_TRAFFIC_M365, 1 },
		{ "Internet access traffic forwarding profile", MODEL_TRAFFIC_INTERNET, 3 },
	};
	size_t i, n = sizeof(builtin) / sizeof(builtin[0]);

	for (i = 0; i < n && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].name, sizeof(out[i].name), "%s", builtin[i].name);
		out[i].traffic = builtin[i].traffic;
		out[i].priority = builtin[i].priority;
		out[i].enabled = true;
		snprintf(out[i].version, sizeof(out[i].version), "%s", MODEL_VERSION);
	}
	return n < max ? n : max;
}
