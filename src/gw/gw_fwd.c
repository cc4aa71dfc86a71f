/*
 * gw_fwd.c - the tenants' forwarding rules on the gateway (gw_fwd.h).
 * Sets are computed from the catalogue and each tenant's store rows at
 * every reload; a tenant with no rows shares the default set (the
 * catalogue as shipped), so 10,000 tenants that never bypass anything
 * cost one set, not 10,000.
 */
#include "gw_fwd.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

struct gw_fwd {
	struct model_fwdcat *cat;
	struct gw_fwd_set  dflt;	/* no rows */
	struct gw_fwd_set *sets;	/* tenants with rows, sorted by id */
	size_t		   nsets;
	uint64_t	   gen;
};

static void
gw_fwd_set_clear(struct gw_fwd_set *s)
{
	free(s->m365);
	free(s->m365_bypass);
	free(s->inet_bypass);
	memset(s, 0, sizeof(*s));
}

/* s from rows: 0, or -1 on no memory (s cleared). */
static int
gw_fwd_set_build(const struct gw_fwd *f, const struct model_fwd_rule *rows,
    size_t n, struct gw_fwd_set *s)
{
	struct model_pfx *p = NULL;
	size_t np = 0, i;

	if (f->cat != NULL &&
	    (model_fwdcat_m365_routes(f->cat, rows, n, &p, &np) == -1 ||
	    model_fwdcat_bypass(f->cat, MODEL_TRAFFIC_M365, rows, n,
	    &s->m365_bypass, &s->nm365_bypass) == -1))
		goto fail;
	if (f->cat != NULL && model_fwdcat_bypass(f->cat,
	    MODEL_TRAFFIC_INTERNET, rows, n, &s->inet_bypass,
	    &s->ninet_bypass) == -1)
		goto fail;
	if (np > 0 && (s->m365 = calloc(np, sizeof(*s->m365))) == NULL)
		goto fail;
	for (i = 0; i < np; i++) {
		s->m365[i].addr = p[i].addr;
		s->m365[i].len = p[i].len;
	}
	s->nm365 = np;
	free(p);
	return 0;
fail:
	free(p);
	gw_fwd_set_clear(s);
	return -1;
}

static bool
gw_fwd_pfx_same(const struct model_pfx *a, size_t na,
    const struct model_pfx *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static bool
gw_fwd_set_same(const struct gw_fwd_set *a, const struct gw_fwd_set *b)
{
	size_t i;

	if (a->nm365 != b->nm365)
		return false;
	for (i = 0; i < a->nm365; i++)
		if (a->m365[i].addr != b->m365[i].addr ||
		    a->m365[i].len != b->m365[i].len)
			return false;
	return gw_fwd_pfx_same(a->m365_bypass, a->nm365_bypass,
	    b->m365_bypass, b->nm365_bypass) &&
	    gw_fwd_pfx_same(a->inet_bypass, a->ninet_bypass, b->inet_bypass,
	    b->ninet_bypass);
}

int
gw_fwd_new(struct gw_fwd **out, const char *datadir)
{
	struct gw_fwd *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	/* Without the list (logged), Microsoft 365 announces nothing. */
	if (datadir != NULL && model_fwdcat_load(datadir, &f->cat) == -1)
		f->cat = NULL;
	if (gw_fwd_set_build(f, NULL, 0, &f->dflt) == -1) {
		gw_fwd_free(f);
		return -1;
	}
	f->dflt.gen = f->gen = 1;
	*out = f;
	return 0;
}

void
gw_fwd_free(struct gw_fwd *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsets; i++)
		gw_fwd_set_clear(&f->sets[i]);
	free(f->sets);
	gw_fwd_set_clear(&f->dflt);
	model_fwdcat_free(f->cat);
	free(f);
}

static int
gw_fwd_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
gw_fwd_set_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct gw_fwd_set *)e)->tenant_id);
}

static const struct gw_fwd_set *
gw_fwd_find(const struct gw_fwd_set *sets, size_t n, const char *tenant_id)
{
	return bsearch(tenant_id, sets, n, sizeof(*sets), gw_fwd_set_cmp);
}

int
gw_fwd_reload(struct gw_fwd *f, struct store *st,
    const struct store_tenant_link *tl, size_t n)
{
	struct gw_fwd_set *ns = NULL, *s;
	const struct gw_fwd_set *old;
	struct model_fwd_rule *rows = NULL;
	const char **tid = NULL;
	size_t nrows, nn = 0, i, k;

	if (n > 0 && ((tid = calloc(n, sizeof(*tid))) == NULL ||
	    (ns = calloc(n, sizeof(*ns))) == NULL))
		goto nomem;
	for (i = 0; i < n; i++)
		tid[i] = tl[i].tenant_id;
	if (n > 1)
		qsort(tid, n, sizeof(*tid), gw_fwd_str_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(tid[i - 1], tid[i]) == 0)
			continue;
		if (store_fwd_list(st, tid[i], &rows, &nrows) == -1) {
			log_err("gw: tenant %s: cannot load its forwarding "
			    "rules; keeping the last ones", tid[i]);
			goto fail;
		}
		if (nrows == 0) {
			free(rows);
			rows = NULL;
			continue;
		}
		s = &ns[nn];
		if (gw_fwd_set_build(f, rows, nrows, s) == -1)
			goto nomem;
		free(rows);
		rows = NULL;
		memcpy(s->tenant_id, tid[i], sizeof(s->tenant_id));
		/* A set that did not change keeps its generation: no
		 * announcement, no republishing (gw_bgp, gw_policy). */
		if ((old = gw_fwd_find(f->sets, f->nsets, tid[i])) == NULL)
			old = &f->dflt;
		s->gen = gw_fwd_set_same(s, old) ? old->gen : ++f->gen;
		nn++;
	}
	for (k = 0; k < f->nsets; k++)
		gw_fwd_set_clear(&f->sets[k]);
	free(f->sets);
	f->sets = ns;
	f->nsets = nn;
	free(tid);
	return 0;
nomem:
	log_err("gw: out of memory loading forwarding rules");
fail:
	free(rows);
	for (k = 0; k < nn; k++)
		gw_fwd_set_clear(&ns[k]);
	free(ns);
	free(tid);
	return -1;
}

const struct gw_fwd_set *
gw_fwd_tenant(const struct gw_fwd *f, const char *tenant_id)
{
	const struct gw_fwd_set *s = gw_fwd_find(f->sets, f->nsets, tenant_id);

	return s != NULL ? s : &f->dflt;
}

const struct gw_fwd_set *
gw_fwd_default(const struct gw_fwd *f)
{
	return &f->dflt;
}

const struct model_fwdcat *
gw_fwd_catalogue(const struct gw_fwd *f)
{
	return f->cat;
}
