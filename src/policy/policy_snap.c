/*
 * policy_snap.c - the policy compiler (policy_snap.h): one tenant's
 * model_fset in, an immutable snapshot out.
 *
 * Only the baseline profile counts for remote-network traffic
 * (model_policy.h). With no baseline profile, more than one, or a disabled
 * one, the snapshot is empty and allows everything: the API keeps exactly
 * one per tenant, so the other cases are a store in the middle of a change
 * and allowing is the documented default of both the firewall and the
 * filtering policies (system-facts §3.6, §3.7).
 *
 * The baseline's enabled links are sorted by priority (ties by link id, so
 * the order never depends on the store's). Each filtering policy's rules
 * then take ranks in that order: rank = the place of the rule in the
 * evaluation, one per (link, rule), so the same policy linked twice
 * evaluates at its first link. A rank names an entry holding the verdict:
 * the link's action if it has one, else the policy's; the link's logging;
 * the policy and rule indexes for the traffic log. FQDN destinations go
 * into one policy_fqdn set keyed by rank; web-category rules keep, per
 * category, the lowest rank that names it. A lookup is one FQDN probe per
 * label plus one category lookup, and the lower rank of the two wins.
 *
 * The cloud firewall: only one firewall policy may be linked to the
 * baseline (system-facts §3.7). Should several links point at firewall
 * policies, the one with the lowest link priority (then link id) is used
 * and the others are ignored. Its enabled rules are compiled into
 * policy_fw; the link's action override does not apply to them (each rule
 * has its own action), its logging does.
 */
#include "policy_snap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "policy_fqdn.h"
#include "policy_fw.h"
#include "policy_webcat.h"

struct snap_pol {
	char	id[MODEL_ID_LEN + 1];
	char	name[MODEL_NAME_MAX + 1];
};

struct snap_rule {
	char	id[MODEL_ID_LEN + 1];
};

/* One rank: the verdict of a filtering rule at its place in the order. */
struct snap_ent {
	uint8_t		action;		/* enum policy_action */
	bool		log;
	uint16_t	policy, rule;
};

struct policy_snap {
	struct snap_pol	 *pol;		/* policies named by a verdict */
	size_t		  npol;
	struct snap_rule *rule;		/* rules named by a verdict */
	size_t		  nrule;
	struct snap_ent	 *ent;		/* by rank */
	size_t		  nent;
	struct policy_fqdn *fqdn;
	const struct policy_webcat *webcat;
	uint32_t	  cat_rank[POLICY_WEBCAT_MAX];	/* UINT32_MAX: none */
	size_t		  ncatrule;	/* category destinations that resolved */
	struct policy_fw *fw;
	struct lpm	 *bypass_m365, *bypass_inet;	/* NULL: none */
	uint16_t	  fw_policy;
	bool		  fw_log;
	size_t		  bytes;
};

static void
snap_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
snap_link_cmp(const void *a, const void *b)
{
	const struct model_flink *x = *(const struct model_flink *const *)a;
	const struct model_flink *y = *(const struct model_flink *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->id, y->id);
}

static const struct model_fpolicy *
snap_policy(const struct model_fset *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->npolicies; i++)
		if (strcmp(set->policies[i].id, id) == 0)
			return &set->policies[i];
	return NULL;
}

/* The snapshot index of a policy, added on first use. */
static uint16_t
snap_pol_index(struct policy_snap *s, const struct model_fpolicy *p)
{
	size_t i;

	for (i = 0; i < s->npol; i++)
		if (strcmp(s->pol[i].id, p->id) == 0)
			return (uint16_t)i;
	snprintf(s->pol[s->npol].id, sizeof(s->pol[0].id), "%s", p->id);
	snprintf(s->pol[s->npol].name, sizeof(s->pol[0].name), "%s", p->name);
	return (uint16_t)s->npol++;
}

static uint16_t
snap_rule_index(struct policy_snap *s, const struct model_frule *r)
{
	snprintf(s->rule[s->nrule].id, sizeof(s->rule[0].id), "%s", r->id);
	return (uint16_t)s->nrule++;
}

/* The tenant's baseline profile, or NULL: see the top of the file. */
static const struct model_fprofile *
snap_baseline(const struct model_fset *set)
{
	const struct model_fprofile *b = NULL;
	size_t i;

	for (i = 0; i < set->nprofiles; i++) {
		if (!set->profiles[i].baseline)
			continue;
		if (b != NULL)
			return NULL;
		b = &set->profiles[i];
	}
	return b != NULL && b->enabled ? b : NULL;
}

static int
snap_fw(struct policy_snap *s, const struct model_fpolicy *p,
    const struct model_flink *l, char *err, size_t errlen)
{
	struct policy_fw_rule *fr = NULL;
	struct policy_range32 *r32 = NULL, *q32;
	struct policy_range16 *r16 = NULL, *q16;
	size_t i, k, n = 0, n32 = 0, n16 = 0;
	int rc = -1;

	for (i = 0; i < p->nrules; i++) {
		const struct model_frule *r = &p->rules[i];

		if (r->nsrc > MODEL_FW_LIST_MAX || r->ndst > MODEL_FW_LIST_MAX ||
		    r->nsport > MODEL_FW_LIST_MAX ||
		    r->ndport > MODEL_FW_LIST_MAX) {
			snap_err(err, errlen, "rule %s: a list is longer than "
			    "%d", r->id, MODEL_FW_LIST_MAX);
			return -1;
		}
		n32 += r->nsrc + r->ndst;
		n16 += r->nsport + r->ndport;
	}
	if ((fr = calloc(p->nrules + 1, sizeof(*fr))) == NULL ||
	    (r32 = calloc(n32 + 1, sizeof(*r32))) == NULL ||
	    (r16 = calloc(n16 + 1, sizeof(*r16))) == NULL) {
		snap_err(err, errlen, "out of memory");
		goto out;
	}
	q32 = r32;
	q16 = r16;
	s->fw_policy = snap_pol_index(s, p);
	s->fw_log = l->logging;
	for (i = 0; i < p->nrules; i++) {
		const struct model_frule *r = &p->rules[i];
		struct policy_fw_rule *d = &fr[n];

		if (r->type != MODEL_FRULE_FIREWALL || !r->enabled)
			continue;
		d->prio = r->priority;
		d->block = r->action == MODEL_FACT_BLOCK;
		d->protos = r->protos & (POLICY_FW_TCP | POLICY_FW_UDP);
		d->src = q32;
		for (k = 0; k < r->nsrc; k++, q32++)
			*q32 = (struct policy_range32){ r->src[k].lo,
			    r->src[k].hi };
		d->dst = q32;
		for (k = 0; k < r->ndst; k++, q32++)
			*q32 = (struct policy_range32){ r->dst[k].lo,
			    r->dst[k].hi };
		d->sport = q16;
		for (k = 0; k < r->nsport; k++, q16++)
			*q16 = (struct policy_range16){ r->sport[k].lo,
			    r->sport[k].hi };
		d->dport = q16;
		for (k = 0; k < r->ndport; k++, q16++)
			*q16 = (struct policy_range16){ r->dport[k].lo,
			    r->dport[k].hi };
		d->nsrc = (uint16_t)r->nsrc;
		d->ndst = (uint16_t)r->ndst;
		d->nsport = (uint16_t)r->nsport;
		d->ndport = (uint16_t)r->ndport;
		d->value = snap_rule_index(s, r);
		n++;
	}
	if ((s->fw = policy_fw_build(fr, n)) == NULL) {
		snap_err(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(fr);
	free(r32);
	free(r16);
	return rc;
}

/* Append one filtering policy's rules at link l; pats grows. */
static int
snap_filtering(struct policy_snap *s, const struct model_fpolicy *p,
    const struct model_flink *l, struct policy_fqdn_pat *pats, size_t *npats,
    char *err, size_t errlen)
{
	char norm[POLICY_HOST_MAX + 1];
	const char *why;
	uint16_t pi = snap_pol_index(s, p);
	size_t i, j;
	bool wild;
	int act, c;

	act = l->action >= 0 ? l->action : p->action;
	for (i = 0; i < p->nrules; i++) {
		const struct model_frule *r = &p->rules[i];
		uint32_t rank = (uint32_t)s->nent;
		struct snap_ent *e;

		if (r->type != MODEL_FRULE_FQDN && r->type != MODEL_FRULE_WEBCAT)
			continue;
		e = &s->ent[s->nent++];
		e->action = act == MODEL_FACT_BLOCK ? POLICY_BLOCK :
		    POLICY_ALLOW;
		e->log = l->logging;
		e->policy = pi;
		e->rule = snap_rule_index(s, r);
		for (j = 0; j < r->ndest; j++) {
			const char *v = r->dest[j].value;

			if (r->type == MODEL_FRULE_WEBCAT) {
				/* Unknown names are skipped: the category
				 * file may have been replaced under a rule. */
				if ((c = policy_webcat_find(s->webcat, v)) < 0)
					continue;
				if (s->cat_rank[c] == UINT32_MAX)
					s->cat_rank[c] = rank;
				s->ncatrule++;
				continue;
			}
			if (policy_fqdn_pattern(v, norm, &wild, &why) == -1) {
				snap_err(err, errlen, "rule %s: destination "
				    "\"%.64s\" %s", r->id, v, why);
				return -1;
			}
			pats[*npats].pattern = v;
			pats[*npats].rank = rank;
			pats[*npats].value = rank;
			(*npats)++;
		}
	}
	return 0;
}

struct policy_snap *
policy_snap_build(const struct model_fset *set,
    const struct policy_webcat *webcat, char *err, size_t errlen)
{
	struct policy_snap *s;
	const struct model_fprofile *base;
	const struct model_flink **links = NULL;
	const struct model_fpolicy *p;
	struct policy_fqdn_pat *pats = NULL;
	size_t i, k, nl = 0, npats = 0, cap, nrule = 0, nfqdn = 0;
	bool have_fw = false;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snap_err(err, errlen, "out of memory");
		return NULL;
	}
	s->webcat = webcat;
	s->fw_policy = POLICY_NONE;
	for (i = 0; i < POLICY_WEBCAT_MAX; i++)
		s->cat_rank[i] = UINT32_MAX;
	base = snap_baseline(set);
	cap = base == NULL ? 0 : base->nlinks;
	if ((links = calloc(cap + 1, sizeof(*links))) == NULL) {
		snap_err(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < cap; i++)
		if (base->links[i].enabled)
			links[nl++] = &base->links[i];
	qsort(links, nl, sizeof(*links), snap_link_cmp);
	/* Size the tables from what the links reach: the API's limits bound
	 * it, but a policy linked twice counts twice here. */
	for (i = 0; i < nl; i++) {
		if ((p = snap_policy(set, links[i]->policy_id)) == NULL)
			continue;
		nrule += p->nrules;
		for (k = 0; k < p->nrules; k++)
			if (p->rules[k].type == MODEL_FRULE_FQDN)
				nfqdn += p->rules[k].ndest;
	}
	/* Verdicts carry 16-bit indexes; POLICY_NONE is the top one. */
	if (nrule >= POLICY_NONE) {
		snap_err(err, errlen, "more than %d rules", POLICY_NONE - 1);
		goto fail;
	}
	if ((s->pol = calloc(cap + 1, sizeof(*s->pol))) == NULL ||
	    (s->rule = calloc(nrule + 1, sizeof(*s->rule))) == NULL ||
	    (s->ent = calloc(nrule + 1, sizeof(*s->ent))) == NULL ||
	    (pats = calloc(nfqdn + 1, sizeof(*pats))) == NULL) {
		snap_err(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < nl; i++) {
		/* A link to a policy that is gone is a change in flight. */
		if ((p = snap_policy(set, links[i]->policy_id)) == NULL)
			continue;
		if (p->kind == MODEL_FPOL_FIREWALL) {
			if (have_fw)
				continue;	/* one per baseline: the first */
			have_fw = true;
			if (snap_fw(s, p, links[i], err, errlen) == -1)
				goto fail;
			continue;
		}
		if (p->kind != MODEL_FPOL_FILTERING)
			continue;
		if (snap_filtering(s, p, links[i], pats, &npats, err,
		    errlen) == -1)
			goto fail;
	}
	if ((s->fqdn = policy_fqdn_build(pats, npats)) == NULL) {
		snap_err(err, errlen, "out of memory");
		goto fail;
	}
	s->bytes = sizeof(*s) + (cap + 1) * sizeof(*s->pol) +
	    (nrule + 1) * (sizeof(*s->rule) + sizeof(*s->ent)) +
	    policy_fqdn_bytes(s->fqdn) + policy_fw_bytes(s->fw);
	free(links);
	free(pats);
	return s;
fail:
	free(links);
	free(pats);
	policy_snap_free(s);
	return NULL;
}

void
policy_snap_free(struct policy_snap *s)
{
	if (s == NULL)
		return;
	policy_fqdn_free(s->fqdn);
	policy_fw_free(s->fw);
	lpm_free(s->bypass_m365);
	lpm_free(s->bypass_inet);
	free(s->pol);
	free(s->rule);
	free(s->ent);
	free(s);
}

void
policy_snap_bypass_set(struct policy_snap *s, struct lpm *m365,
    struct lpm *internet)
{
	lpm_free(s->bypass_m365);
	lpm_free(s->bypass_inet);
	s->bypass_m365 = m365;
	s->bypass_inet = internet;
}

bool
policy_snap_bypass(const struct policy_snap *s, int traffic, uint32_t dst)
{
	const struct lpm *l = traffic == MODEL_TRAFFIC_M365 ? s->bypass_m365 :
	    traffic == MODEL_TRAFFIC_INTERNET ? s->bypass_inet : NULL;
	uint32_t v;

	return l != NULL && lpm_lookup(l, dst, &v) == 0;
}

/* No match allows, and is logged: every flow has its traffic record. */
static void
snap_allow(struct policy_verdict *v)
{
	v->action = POLICY_ALLOW;
	v->log = true;
	v->policy = POLICY_NONE;
	v->rule = POLICY_NONE;
	v->kind = POLICY_KIND_NONE;
}

void
policy_snap_fw(const struct policy_snap *s, uint8_t proto, uint32_t src,
    uint16_t sport, uint32_t dst, uint16_t dport, struct policy_verdict *v)
{
	const struct policy_fw_rule *r;

	snap_allow(v);
	if (s == NULL || (r = policy_fw_match(s->fw, proto, src, sport, dst,
	    dport)) == NULL)
		return;
	v->action = r->block ? POLICY_BLOCK : POLICY_ALLOW;
	v->log = s->fw_log;
	v->policy = s->fw_policy;
	v->rule = (uint16_t)r->value;
	v->kind = POLICY_KIND_FIREWALL;
}

void
policy_snap_host(const struct policy_snap *s, const char *host,
    struct policy_verdict *v)
{
	uint32_t rank = UINT32_MAX, r, val;
	uint16_t c;
	const struct snap_ent *e;
	uint8_t kind = POLICY_KIND_FQDN;

	snap_allow(v);
	if (s == NULL || host == NULL || host[0] == '\0')
		return;
	if (policy_fqdn_match(s->fqdn, host, &r, &val))
		rank = r;
	if (s->ncatrule > 0 &&
	    (c = policy_webcat_lookup(s->webcat, host)) != POLICY_WEBCAT_NONE &&
	    c < POLICY_WEBCAT_MAX && s->cat_rank[c] < rank) {
		rank = s->cat_rank[c];
		kind = POLICY_KIND_WEBCAT;
	}
	if (rank >= s->nent)
		return;
	e = &s->ent[rank];
	v->action = e->action;
	v->log = e->log;
	v->policy = e->policy;
	v->rule = e->rule;
	v->kind = kind;
}

bool
policy_snap_filters(const struct policy_snap *s)
{
	return s != NULL && (policy_fqdn_count(s->fqdn) > 0 || s->ncatrule > 0);
}

const char *
policy_snap_policy_id(const struct policy_snap *s, uint16_t i)
{
	return s == NULL || i >= s->npol ? "" : s->pol[i].id;
}

const char *
policy_snap_rule_id(const struct policy_snap *s, uint16_t i)
{
	return s == NULL || i >= s->nrule ? "" : s->rule[i].id;
}

const char *
policy_snap_policy_name(const struct policy_snap *s, uint16_t i)
{
	return s == NULL || i >= s->npol ? "" : s->pol[i].name;
}

size_t
policy_snap_nfw(const struct policy_snap *s)
{
	return s == NULL ? 0 : policy_fw_count(s->fw);
}

size_t
policy_snap_nfqdn(const struct policy_snap *s)
{
	return s == NULL ? 0 : policy_fqdn_count(s->fqdn);
}

size_t
policy_snap_bytes(const struct policy_snap *s)
{
	return s == NULL ? 0 : s->bytes;
}
