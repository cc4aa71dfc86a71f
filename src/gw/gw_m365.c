/*
 * gw_m365.c - Microsoft's published endpoint list as a set of IPv4 routes.
 * The list is Microsoft's (worldwide instance, "ips" of every endpoint
 * set); the aggregation is ours: fewer routes for the branch router to
 * hold, the same addresses covered, nothing more (a join only ever joins
 * two halves that are both present).
 */
#include "gw_m365.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ip4.h"
#include "log.h"

static uint32_t
gw_m365_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Whether a holds all of b. */
static bool
gw_m365_covers(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->len <= b->len &&
	    (b->addr & gw_m365_mask(a->len)) == a->addr;
}

size_t
gw_m365_aggregate(struct bgp_prefix *p, size_t n)
{
	size_t i, k;
	bool joined = true;

	for (i = 0; i < n; i++)
		p[i].addr &= gw_m365_mask(p[i].len);
	while (joined) {
		joined = false;
		qsort(p, n, sizeof(*p), bgp_prefix_cmp);
		/* Sorted by (addr, len): a cover comes before what it covers. */
		for (i = 0, k = 0; i < n; i++)
			if (k == 0 || !gw_m365_covers(&p[k - 1], &p[i]))
				p[k++] = p[i];
		n = k;
		/* Two halves of one prefix, side by side: their parent. */
		for (i = 0, k = 0; i < n; i++) {
			if (i + 1 < n && p[i].len > 0 &&
			    p[i].len == p[i + 1].len &&
			    (p[i].addr & (1u << (32 - p[i].len))) == 0 &&
			    p[i + 1].addr == (p[i].addr |
			    1u << (32 - p[i].len))) {
				p[k] = p[i];
				p[k].len--;
				k++;
				i++;
				joined = true;
				continue;
			}
			p[k++] = p[i];
		}
		n = k;
	}
	return n;
}

/* "a.b.c.d/len" into p; -1 if it is not one. */
static int
gw_m365_parse(const char *s, struct bgp_prefix *p)
{
	char a[IP4_STRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || end == slash + 1 || len > 32 ||
	    ip4_parse(a, &p->addr) == -1)
		return -1;
	p->len = (uint8_t)len;
	p->community = 0;
	return 0;
}

int
gw_m365_load(const char *datadir, struct bgp_prefix **out, size_t *n)
{
	char path[1024];
	json_error_t err;
	json_t *list, *e, *ips, *v;
	struct bgp_prefix *p = NULL, *np;
	size_t i, j, cnt = 0, cap = 0;
	const char *s;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/m365-endpoints-worldwide.json",
	    datadir);
	if ((list = json_load_file(path, 0, &err)) == NULL ||
	    !json_is_array(list)) {
		log_err("gw: Microsoft 365 endpoint list %s: %s", path,
		    list == NULL ? err.text : "not a JSON array");
		json_decref(list);
		return -1;
	}
	json_array_foreach(list, i, e) {
		ips = json_object_get(e, "ips");
		json_array_foreach(ips, j, v) {
			if ((s = json_string_value(v)) == NULL)
				goto bad;
			if (strchr(s, ':') != NULL)
				continue;	/* IPv6: the tenant is IPv4 only */
			if (cnt == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((np = realloc(p, cap * sizeof(*p))) == NULL)
					goto nomem;
				p = np;
			}
			if (gw_m365_parse(s, &p[cnt]) == -1)
				goto bad;
			cnt++;
		}
	}
	json_decref(list);
	*n = gw_m365_aggregate(p, cnt);
	*out = p;
	log_info("gw: Microsoft 365 profile: %zu IPv4 subnets from %s, %zu "
	    "routes after aggregation", cnt, path, *n);
	return 0;
bad:
	log_err("gw: Microsoft 365 endpoint list %s: endpoint set %zu: "
	    "malformed IPv4 subnet", path, i);
	goto fail;
nomem:
	log_err("gw: out of memory reading %s", path);
fail:
	json_decref(list);
	free(p);
	return -1;
}
