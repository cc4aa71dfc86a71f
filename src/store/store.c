/*
 * store.c - the store.h entry points: picks a backend from the URL and
 * forwards each call through that backend's ops table (store_backend.h).
 * SQLite (store_sqlite.c) is the only backend built so far; PostgreSQL
 * (store_pg.c) will add a scheme row and an ops table, nothing else here.
 */
#include "store.h"
#include "store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store {
	const struct store_ops	*ops;
	void			*be;
};

static const struct {
	const char		*prefix;
	const struct store_ops	*ops;	/* NULL: known but not built */
} store_schemes[] = {
	{ "sqlite:", &store_sqlite_ops },
	{ "postgres://", NULL },
	{ "postgresql://", NULL },
};

int
store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	const struct store_ops *ops = NULL;
	const char *target = url;
	struct store *s = NULL;
	char dummy[1];
	size_t i;

	*out = NULL;
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (url == NULL || url[0] == '\0') {
		snprintf(err, errlen, "empty store URL");
		goto fail;
	}
	for (i = 0; i < sizeof(store_schemes) / sizeof(store_schemes[0]); i++) {
		size_t plen = strlen(store_schemes[i].prefix);

		if (strncmp(url, store_schemes[i].prefix, plen) != 0)
			continue;
		if (store_schemes[i].ops == NULL) {
			snprintf(err, errlen, "PostgreSQL backend not built yet");
			goto fail;
		}
		ops = store_schemes[i].ops;
		target = url + plen;
		break;
	}
	if (ops == NULL) {
		/* A plain path, unless it looks like a URL we do not know. */
		if (strstr(url, "://") != NULL) {
			snprintf(err, errlen, "unsupported store URL scheme");
			goto fail;
		}
		ops = &store_sqlite_ops;
	}
	if (target[0] == '\0') {
		snprintf(err, errlen, "store URL has an empty path");
		goto fail;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->ops = ops;
	if (ops->open(target, &s->be, err, errlen) == -1)
		goto fail;
	*out = s;
	return 0;
fail:
	free(s);
	return -1;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->be);
	free(s);
}

int
store_schema_version(struct store *s)
{
	return s->ops->schema_version(s->be);
}

int
store_begin(struct store *s)
{
	return s->ops->begin(s->be);
}

int
store_commit(struct store *s)
{
	return s->ops->commit(s->be);
}

void
store_rollback(struct store *s)
{
	s->ops->rollback(s->be);
}

int
store_tenant_add(struct store *s, const struct store_tenant *t,
    const char *token_id, const uint8_t hash[STORE_HASH_LEN])
{
	return s->ops->tenant_add(s->be, t, token_id, hash);
}

int
store_tenant_by_token(struct store *s, const char *token_id,
    struct store_tenant *out, uint8_t hash[STORE_HASH_LEN])
{
	return s->ops->tenant_by_token(s->be, token_id, out, hash);
}

int
store_tenant_get(struct store *s, const char *tenant_id,
    struct store_tenant *out)
{
	return s->ops->tenant_get(s->be, tenant_id, out);
}

int
store_rn_put(struct store *s, const char *tenant_id, const struct model_rn *rn)
{
	return s->ops->rn_put(s->be, tenant_id, rn);
}

int
store_rn_get(struct store *s, const char *tenant_id, const char *rn_id,
    struct model_rn *out)
{
	return s->ops->rn_get(s->be, tenant_id, rn_id, out);
}

int
store_rn_list(struct store *s, const char *tenant_id, struct model_rn **out,
    size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->rn_list(s->be, tenant_id, out, n);
}

int
store_rn_count(struct store *s, const char *tenant_id, size_t *n)
{
	*n = 0;
	return s->ops->rn_count(s->be, tenant_id, n);
}

int
store_rn_delete(struct store *s, const char *tenant_id, const char *rn_id)
{
	return s->ops->rn_delete(s->be, tenant_id, rn_id);
}

int
store_link_put(struct store *s, const char *tenant_id,
    const struct model_link *l)
{
	return s->ops->link_put(s->be, tenant_id, l);
}

int
store_link_get(struct store *s, const char *tenant_id, const char *rn_id,
    const char *link_id, struct model_link *out)
{
	return s->ops->link_get(s->be, tenant_id, rn_id, link_id, out);
}

int
store_link_list(struct store *s, const char *tenant_id, const char *rn_id,
    struct model_link **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->link_list(s->be, tenant_id, rn_id, out, n);
}

int
store_link_count(struct store *s, const char *tenant_id, const char *rn_id,
    size_t *n)
{
	*n = 0;
	return s->ops->link_count(s->be, tenant_id, rn_id, n);
}

int
store_link_delete(struct store *s, const char *tenant_id, const char *rn_id,
    const char *link_id)
{
	return s->ops->link_delete(s->be, tenant_id, rn_id, link_id);
}

int
store_profile_list(struct store *s, const char *tenant_id,
    struct model_profile **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->profile_list(s->be, tenant_id, out, n);
}

int
store_profile_get(struct store *s, const char *tenant_id,
    const char *profile_id, struct model_profile *out)
{
	return s->ops->profile_get(s->be, tenant_id, profile_id, out);
}

int
store_rn_profiles_get(struct store *s, const char *tenant_id,
    const char *rn_id, struct model_profile **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->rn_profiles_get(s->be, tenant_id, rn_id, out, n);
}

int
store_rn_profiles_set(struct store *s, const char *tenant_id,
    const char *rn_id, const char (*ids)[MODEL_ID_LEN + 1], size_t n)
{
	return s->ops->rn_profiles_set(s->be, tenant_id, rn_id, ids, n);
}

int
store_link_list_all(struct store *s, struct store_tenant_link **out,
    size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->link_list_all(s->be, out, n);
}

void
store_tenant_links_free(struct store_tenant_link *tl, size_t n)
{
	if (tl == NULL)
		return;
	explicit_bzero(tl, n * sizeof(*tl));
	free(tl);
}

/* Graph remoteNetworkStatus, in enum store_event_status order. */
static const char *const store_event_status_names[] = {
	"tunnelDisconnected", "tunnelConnected", "bgpDisconnected",
	"bgpConnected", "remoteNetworkAlive"
};
const struct model_enum store_event_status_enum = {
	"remoteNetworkStatus", store_event_status_names,
	sizeof(store_event_status_names) / sizeof(store_event_status_names[0])
};

int
store_event_add(struct store *s, const char *tenant_id,
    const struct store_event *ev)
{
	return s->ops->event_add(s->be, tenant_id, ev);
}

int
store_event_list(struct store *s, const char *tenant_id,
    const struct store_event_filter *f, struct store_event **out, size_t *n,
    bool *more)
{
	*out = NULL;
	*n = 0;
	*more = false;
	if (f->top == 0)
		return -1;
	return s->ops->event_list(s->be, tenant_id, f, out, n, more);
}

int
store_event_prune(struct store *s, int64_t before_ms, size_t *n)
{
	*n = 0;
	return s->ops->event_prune(s->be, before_ms, n);
}
