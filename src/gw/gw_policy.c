/*
 * gw_policy.c - compiles and publishes the tenants' security policies, and
 * carries the workers' traffic records to the traffic-log store
 * (gw_policy.h).
 *
 * The records leave the workers on one ring each (policy_ring.h). A record
 * knows its device link; the tenant and remote network come from the
 * link list of the last load, so a worker never needs a tenant's id.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgp.h"
#include "gw_dp.h"
#include "gw_fwd.h"
#include "gw_policy.h"
#include "log.h"
#include "lpm.h"
#include "model_policy.h"
#include "model_traffic.h"
#include "policy_snap.h"
#include "store.h"
#include "store_traffic.h"

#define GP_DRAIN_USEC	200000		/* 200 ms */
#define GP_BATCH	512		/* records per insert */

struct gp_link {
	char	id[MODEL_ID_LEN + 1];
	char	tenant_id[MODEL_ID_LEN + 1];
	char	rn_id[MODEL_ID_LEN + 1];
};

struct gw_policy {
	struct gw_policy_cfg	 cfg;
	struct event		*ev_drain;
	struct gp_link		*links;		/* sorted by id */
	size_t			 nlinks;
	struct model_traffic	*batch;		/* [GP_BATCH] */
	struct gw_policy_stats	 st;
};

/* The Microsoft 365 destinations, for the data path's profile check. */
static void
gp_m365(struct gw_policy *gp)
{
	const struct gw_fwd_set *d;
	struct lpm_entry *e;
	struct lpm *l;
	size_t i;

	if (gp->cfg.fwd == NULL || (d = gw_fwd_default(gp->cfg.fwd))->nm365 == 0)
		return;
	if ((e = calloc(d->nm365, sizeof(*e))) == NULL)
		return;
	for (i = 0; i < d->nm365; i++) {
		e[i].prefix = d->m365[i].addr;
		e[i].plen = d->m365[i].len;
		e[i].value = 1;
	}
	if ((l = lpm_build(e, d->nm365)) != NULL)
		gw_dp_policy_m365(gp->cfg.dp, l);
	free(e);
}

static int
gp_link_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gp_link *)a)->id,
	    ((const struct gp_link *)b)->id);
}

static const struct gp_link *
gp_link_find(const struct gw_policy *gp, const char *id)
{
	struct gp_link key;

	if (strlen(id) > MODEL_ID_LEN)
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(key.id, id, strlen(id));
	return bsearch(&key, gp->links, gp->nlinks, sizeof(key), gp_link_cmp);
}

/* Records of links deleted since are dropped: their tenant is unknown. */
static void
gp_drain(struct gw_policy *gp)
{
	const struct gp_link *l;
	size_t n, i, k;

	while ((n = gw_dp_traffic_pop(gp->cfg.dp, gp->batch, GP_BATCH)) > 0) {
		for (i = 0, k = 0; i < n; i++) {
			if ((l = gp_link_find(gp, gp->batch[i].link_id)) == NULL) {
				gp->st.records_dropped++;
				continue;
			}
			if (k != i)
				gp->batch[k] = gp->batch[i];
			memcpy(gp->batch[k].tenant_id, l->tenant_id,
			    sizeof(l->tenant_id));
			memcpy(gp->batch[k].rn_id, l->rn_id, sizeof(l->rn_id));
			k++;
		}
		gp->st.records += k;
		if (k == 0)
			continue;
		if (gp->cfg.tlog == NULL) {
			gp->st.records_dropped += k;
			continue;
		}
		gp->st.record_batches++;
		if (store_traffic_add(gp->cfg.tlog, gp->batch, k) == -1) {
			gp->st.record_write_errors++;
			gp->st.records_dropped += k;
		}
		if (n < GP_BATCH)
			break;
	}
}

static void
gp_on_drain(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gp_drain(arg);
}

int
gw_policy_new(struct gw_policy **out, const struct gw_policy_cfg *cfg)
{
	struct timeval tv = { 0, GP_DRAIN_USEC };
	struct gw_policy *gp;

	*out = NULL;
	if ((gp = calloc(1, sizeof(*gp))) == NULL ||
	    (gp->batch = calloc(GP_BATCH, sizeof(*gp->batch))) == NULL)
		goto fail;
	gp->cfg = *cfg;
	gp_m365(gp);
	if ((gp->ev_drain = event_new(cfg->base, -1, EV_PERSIST, gp_on_drain,
	    gp)) == NULL || event_add(gp->ev_drain, &tv) == -1)
		goto fail;
	*out = gp;
	return 0;
fail:
	log_err("gw: cannot set up the security policy");
	gw_policy_free(gp);
	return -1;
}

void
gw_policy_free(struct gw_policy *gp)
{
	if (gp == NULL)
		return;
	if (gp->cfg.dp != NULL && gp->batch != NULL)
		gp_drain(gp);
	if (gp->ev_drain != NULL)
		event_free(gp->ev_drain);
	free(gp->links);
	free(gp->batch);
	free(gp);
}

static int
gp_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* prefixes as an LPM table (NULL with none, or on no memory: *err). */
static struct lpm *
gp_lpm(const struct model_pfx *p, size_t n, bool *err)
{
	struct lpm_entry *e;
	struct lpm *l;
	size_t i;

	if (n == 0)
		return NULL;
	if ((e = calloc(n, sizeof(*e))) == NULL) {
		*err = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		e[i].prefix = p[i].addr;
		e[i].plen = p[i].len;
		e[i].value = 1;
	}
	if ((l = lpm_build(e, n)) == NULL)
		*err = true;
	free(e);
	return l;
}

/*
 * What the tenant's branches should have kept local (gw_fwd.h), into the
 * snapshot: the workers drop it and count it as "bypass" (docs/bgp.md).
 */
static int
gp_bypass(struct gw_policy *gp, const char *tenant_id,
    struct policy_snap *snap)
{
	const struct gw_fwd_set *fs;
	struct lpm *m, *i;
	bool err = false;

	if (gp->cfg.fwd == NULL)
		return 0;
	fs = gw_fwd_tenant(gp->cfg.fwd, tenant_id);
	m = gp_lpm(fs->m365_bypass, fs->nm365_bypass, &err);
	i = gp_lpm(fs->inet_bypass, fs->ninet_bypass, &err);
	if (err) {
		lpm_free(m);
		lpm_free(i);
		return -1;
	}
	policy_snap_bypass_set(snap, m, i);
	return 0;
}

/* One tenant: 0, or -1 (logged) with its last good policy kept. */
static int
gp_tenant(struct gw_policy *gp, const char *tenant_id)
{
	struct model_fset fs;
	struct policy_snap *snap;
	char err[256];

	memset(&fs, 0, sizeof(fs));
	if (store_policy_set(gp->cfg.store, tenant_id, &fs) != 0) {
		log_err("gw: tenant %s: cannot load its security policy; "
		    "keeping the last one", tenant_id);
		gp->st.compile_errors++;
		return -1;
	}
	snap = policy_snap_build(&fs, gp->cfg.webcat, err, sizeof(err));
	model_fset_clear(&fs);
	if (snap == NULL) {
		log_err("gw: tenant %s: security policy not compiled (%s); "
		    "keeping the last one", tenant_id, err);
		gp->st.compile_errors++;
		return -1;
	}
	if (gp_bypass(gp, tenant_id, snap) == -1) {
		log_err("gw: tenant %s: out of memory building its bypass "
		    "prefixes; keeping the last policy", tenant_id);
		policy_snap_free(snap);
		gp->st.compile_errors++;
		return -1;
	}
	gp->st.compiled++;
	(void)gw_dp_policy_set(gp->cfg.dp, tenant_id, snap);
	return 0;
}

void
gw_policy_reload(struct gw_policy *gp, const struct store_tenant_link *tl,
    size_t n)
{
	struct gp_link *nl = NULL;
	const char **tid = NULL;
	size_t i;

	/* Records still queued belong to the old list: write them first. */
	gp_drain(gp);
	if (n > 0 && (nl = calloc(n, sizeof(*nl))) == NULL) {
		log_err("gw: out of memory loading security policies");
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(nl[i].id, tl[i].link.id, sizeof(nl[i].id));
		memcpy(nl[i].tenant_id, tl[i].tenant_id, sizeof(nl[i].tenant_id));
		memcpy(nl[i].rn_id, tl[i].link.rn_id, sizeof(nl[i].rn_id));
	}
	free(gp->links);
	gp->links = nl;
	gp->nlinks = n;
	/* Sorted by link id (store_link_list_all), as bsearch wants. */
	if (n > 0 && (tid = calloc(n, sizeof(*tid))) == NULL) {
		log_err("gw: out of memory loading security policies");
		return;
	}
	for (i = 0; i < n; i++)
		tid[i] = tl[i].tenant_id;
	if (n > 1)
		qsort(tid, n, sizeof(*tid), gp_str_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(tid[i - 1], tid[i]) != 0)
			(void)gp_tenant(gp, tid[i]);
	free(tid);
	if (gw_dp_policy_commit(gp->cfg.dp) == -1)
		log_err("gw: out of memory publishing security policies");
}

void
gw_policy_stats(const struct gw_policy *gp, struct gw_policy_stats *st)
{
	*st = gp->st;
}
