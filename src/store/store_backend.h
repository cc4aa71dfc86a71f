/*
 * store_backend.h - what a storage backend gives store.c, private to
 * src/store. store.c picks a backend by URL scheme and forwards every
 * store.h call through its ops table; a backend owns its handle (be) and
 * keeps the store.h contract (0 / STORE_NOTFOUND / -1, tenant scoping).
 */
#ifndef STORE_BACKEND_H
#define STORE_BACKEND_H

#include "store.h"

struct store_ops {
	const char	*name;
	/* target: the URL with its scheme removed. */
	int	(*open)(const char *target, void **be, char *err,
		    size_t errlen);
	void	(*close)(void *be);
	int	(*schema_version)(void *be);

	int	(*begin)(void *be);
	int	(*commit)(void *be);
	void	(*rollback)(void *be);

	int	(*tenant_add)(void *be, const struct store_tenant *,
		    const char *token_id, const uint8_t hash[STORE_HASH_LEN]);
	int	(*tenant_by_token)(void *be, const char *token_id,
		    struct store_tenant *out, uint8_t hash[STORE_HASH_LEN]);
	int	(*tenant_get)(void *be, const char *tenant_id,
		    struct store_tenant *out);

	int	(*rn_put)(void *be, const char *tenant_id,
		    const struct model_rn *);
	int	(*rn_get)(void *be, const char *tenant_id, const char *rn_id,
		    struct model_rn *out);
	int	(*rn_list)(void *be, const char *tenant_id,
		    struct model_rn **out, size_t *n);
	int	(*rn_count)(void *be, const char *tenant_id, size_t *n);
	int	(*rn_delete)(void *be, const char *tenant_id,
		    const char *rn_id);

	int	(*link_put)(void *be, const char *tenant_id,
		    const struct model_link *);
	int	(*link_get)(void *be, const char *tenant_id, const char *rn_id,
		    const char *link_id, struct model_link *out);
	int	(*link_list)(void *be, const char *tenant_id,
		    const char *rn_id, struct model_link **out, size_t *n);
	int	(*link_count)(void *be, const char *tenant_id,
		    const char *rn_id, size_t *n);
	int	(*link_delete)(void *be, const char *tenant_id,
		    const char *rn_id, const char *link_id);

	int	(*profile_list)(void *be, const char *tenant_id,
		    struct model_profile **out, size_t *n);
	int	(*profile_get)(void *be, const char *tenant_id,
		    const char *profile_id, struct model_profile *out);
	int	(*rn_profiles_get)(void *be, const char *tenant_id,
		    const char *rn_id, struct model_profile **out, size_t *n);
	int	(*rn_profiles_set)(void *be, const char *tenant_id,
		    const char *rn_id, const char (*ids)[MODEL_ID_LEN + 1],
		    size_t n);

	int	(*link_list_all)(void *be, struct store_tenant_link **out,
		    size_t *n);
	int	(*event_add)(void *be, const char *tenant_id,
		    const struct store_event *);
	int	(*event_list)(void *be, const char *tenant_id,
		    const struct store_event_filter *, struct store_event **out,
		    size_t *n, bool *more);
	int	(*event_prune)(void *be, int64_t before_ms, size_t *n);
};

extern const struct store_ops store_sqlite_ops;

#endif
