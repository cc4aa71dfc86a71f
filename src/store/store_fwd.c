/*
 * store_fwd.c - a tenant's forwarding rule rows (schema version 5,
 * docs/store.md; model_fwd.h says what the three kinds are): the queries
 * and the row mapping, written once for both backends as store_query.c's
 * are (store_db.h).
 *
 * The rows are keyed (tenant_id, id): an override's id is the built-in
 * rule's or policy link's, the same in every tenant. Every write runs
 * through store_q_write(), so the MODEL_FWD_CUSTOM_MAX limit is counted
 * inside the write's transaction and two API processes cannot both add
 * the 100th Custom Bypass rule; each write notifies "forwardingRule".
 * The tenant's forwarding options (schema version 6) live here too: one
 * row per tenant, notified as "forwardingOptions".
 */
#include "store_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/*
 * model_fwd_dst_text()'s form of MODEL_FWD_DST_MAX destinations, each at
 * most "255.255.255.255-255.255.255.255" and a space.
 */
#define F_DST_STRLEN	(MODEL_FWD_DST_MAX * 32 + 1)

#define F_COLS	"id, kind, action, name, description, destinations, modified_ms"

enum f_id { F_PUT, F_GET, F_LIST, F_COUNT_CUSTOM, F_DELETE, F_OPT_GET,
	F_OPT_PUT, F_NSTMT };

static const char *const f_sql[F_NSTMT] = {
	/* The WHERE keeps a put from turning one kind of row into another. */
	[F_PUT] =
	    "INSERT INTO forwarding_rules (tenant_id, " F_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT (tenant_id, id) DO UPDATE SET "
	    "action = excluded.action, name = excluded.name, "
	    "description = excluded.description, "
	    "destinations = excluded.destinations, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE forwarding_rules.kind = excluded.kind",
	[F_GET] =
	    "SELECT " F_COLS " FROM forwarding_rules "
	    "WHERE tenant_id = ?1 AND id = ?2",
	[F_LIST] =
	    "SELECT " F_COLS " FROM forwarding_rules "
	    "WHERE tenant_id = ?1 ORDER BY id",
	[F_COUNT_CUSTOM] =
	    "SELECT count(*) FROM forwarding_rules WHERE tenant_id = ?1 "
	    "AND kind = 'custom' "
	    "AND id <> ?2",
	[F_DELETE] =
	    "DELETE FROM forwarding_rules WHERE tenant_id = ?1 AND id = ?2",
	[F_OPT_GET] =
	    "SELECT branch_transit, modified_ms FROM forwarding_options "
	    "WHERE tenant_id = ?1",
	[F_OPT_PUT] =
	    "INSERT INTO forwarding_options (tenant_id, branch_transit, "
	    "modified_ms) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (tenant_id) DO UPDATE SET "
	    "branch_transit = excluded.branch_transit, "
	    "modified_ms = excluded.modified_ms",
};

/* Stored spellings, indexed by enum model_fwd_kind / model_fwd_action. */
static const char *const f_kind_names[] = { "rule", "link", "custom" };
static const char *const f_action_names[] = { "forward", "bypass" };

static struct db_stmt *
f_stmt(struct store *s, enum f_id id)
{
	if (s->fstmt == NULL &&
	    (s->fstmt = calloc(F_NSTMT, sizeof(*s->fstmt))) == NULL)
		return NULL;
	if (s->fstmt[id] == NULL &&
	    (s->fstmt[id] = s->drv->prepare(s->db, f_sql[id])) == NULL)
		log_err("store: prepare forwarding rule query %d: %s", (int)id,
		    s->drv->errmsg(s->db));
	return s->fstmt[id];
}

static void
f_done(struct db_stmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

static int
f_text(struct db_stmt *st, int i, const char *v, size_t size)
{
	return st->drv->bind_text(st, i, v, strnlen(v, size)) != 0;
}

static int
f_col_name(struct db_stmt *st, int col, const char *const *names, int n,
    int *out)
{
	char buf[16];
	int i;

	if (store_col_text(st, col, buf, sizeof(buf), false) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(buf, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static int
f_row(struct db_stmt *st, void *arg)
{
	struct model_fwd_rule *r = arg;
	char dst[F_DST_STRLEN];
	int errs = 0;

	memset(r, 0, sizeof(*r));
	errs += store_col_text(st, 0, r->id, sizeof(r->id), false) == -1;
	errs += f_col_name(st, 1, f_kind_names, 3, &r->kind) == -1;
	errs += f_col_name(st, 2, f_action_names, 2, &r->action) == -1;
	errs += store_col_text(st, 3, r->name, sizeof(r->name), false) == -1;
	errs += store_col_text(st, 4, r->description, sizeof(r->description),
	    false) == -1;
	errs += store_col_text(st, 5, dst, sizeof(dst), false) == -1 ||
	    (dst[0] != '\0' &&
	    model_fwd_dst_from_text(dst, r->dst, &r->ndst) == -1);
	errs += store_col_int(st, 6, INT64_MIN, INT64_MAX,
	    &r->modified_ms) == -1;
	if (errs == 0 && r->kind == MODEL_FWD_CUSTOM &&
	    (r->ndst == 0 || r->action != MODEL_FWD_BYPASS))
		errs++;
	if (errs != 0) {
		log_err("store: corrupt forwarding rule row %.*s", MODEL_ID_LEN,
		    r->id);
		return -1;
	}
	return 0;
}

/* A row fit to store: the same rules as the table's CHECKs, said first. */
static int
f_valid(const struct model_fwd_rule *r, char *dst, size_t dstlen)
{
	dst[0] = '\0';
	if (r->kind < MODEL_FWD_RULE || r->kind > MODEL_FWD_CUSTOM ||
	    (r->action != MODEL_FWD_FORWARD && r->action != MODEL_FWD_BYPASS) ||
	    r->ndst > MODEL_FWD_DST_MAX ||
	    memchr(r->id, '\0', sizeof(r->id)) == NULL || r->id[0] == '\0')
		return -1;
	if (r->kind != MODEL_FWD_CUSTOM)
		return r->ndst == 0 && r->name[0] == '\0' &&
		    r->description[0] == '\0' ? 0 : -1;
	if (r->action != MODEL_FWD_BYPASS || r->ndst == 0 ||
	    r->name[0] == '\0')
		return -1;
	return model_fwd_dst_text(r->dst, r->ndst, dst, dstlen);
}

struct f_put_arg {
	const char			*tenant_id;
	const struct model_fwd_rule	*r;
	const char			*dst;
};

static int
f_put(struct store *s, const void *arg)
{
	const struct f_put_arg *a = arg;
	const struct model_fwd_rule *r = a->r;
	struct db_stmt *st;
	size_t n = 0;
	int errs = 0, rc;

	if (r->kind == MODEL_FWD_CUSTOM) {
		if ((st = f_stmt(s, F_COUNT_CUSTOM)) == NULL)
			return -1;
		errs += f_text(st, 1, a->tenant_id, MODEL_ID_LEN + 1);
		errs += f_text(st, 2, r->id, sizeof(r->id));
		rc = store_map_count(st, errs, __func__, &n);
		f_done(st);
		if (rc != 0)
			return rc;
		if (n >= MODEL_FWD_CUSTOM_MAX) {
			model_errs_add(&s->conflict, "", "limit reached: a "
			    "tenant has at most %d Custom Bypass rules",
			    MODEL_FWD_CUSTOM_MAX);
			return STORE_CONFLICT;
		}
	}
	if ((st = f_stmt(s, F_PUT)) == NULL)
		return -1;
	errs = f_text(st, 1, a->tenant_id, MODEL_ID_LEN + 1);
	errs += f_text(st, 2, r->id, sizeof(r->id));
	errs += f_text(st, 3, f_kind_names[r->kind], 16);
	errs += f_text(st, 4, f_action_names[r->action], 16);
	errs += f_text(st, 5, r->name, sizeof(r->name));
	errs += f_text(st, 6, r->description, sizeof(r->description));
	errs += f_text(st, 7, a->dst, F_DST_STRLEN);
	errs += st->drv->bind_int(st, 8, r->modified_ms) != 0;
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	if (rc == 0 && st->drv->changes(st) == 0) {
		/* Only a clash of kinds on one id leaves the row as it was. */
		log_err("%s: forwarding rule %.*s is stored as another kind",
		    __func__, MODEL_ID_LEN, r->id);
		rc = -1;
	}
	f_done(st);
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, "forwardingRule", r->id);
}

int
store_fwd_put(struct store *s, const char *tenant_id,
    const struct model_fwd_rule *r)
{
	char dst[F_DST_STRLEN];
	struct f_put_arg a = { tenant_id, r, dst };

	if (f_valid(r, dst, sizeof(dst)) == -1) {
		log_err("%s: forwarding rule %.*s has a value out of range",
		    __func__, MODEL_ID_LEN, r->id);
		return -1;
	}
	return store_q_write(s, f_put, &a);
}

int
store_fwd_get(struct store *s, const char *tenant_id, const char *id,
    struct model_fwd_rule *out)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = f_stmt(s, F_GET)) == NULL)
		return -1;
	errs += f_text(st, 1, tenant_id, MODEL_ID_LEN + 1);
	errs += f_text(st, 2, id, MODEL_ID_LEN + 1);
	rc = store_map_one(st, errs, __func__, f_row, out);
	f_done(st);
	return rc;
}

int
store_fwd_list(struct store *s, const char *tenant_id,
    struct model_fwd_rule **out, size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = f_stmt(s, F_LIST)) == NULL)
		return -1;
	rc = store_map_list(st, f_text(st, 1, tenant_id, MODEL_ID_LEN + 1),
	    __func__, sizeof(**out), f_row, &arr, n);
	f_done(st);
	*out = arr;
	return rc;
}

struct f_del_arg {
	const char	*tenant_id, *id;
};

static int
f_delete(struct store *s, const void *arg)
{
	const struct f_del_arg *a = arg;
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = f_stmt(s, F_DELETE)) == NULL)
		return -1;
	errs += f_text(st, 1, a->tenant_id, MODEL_ID_LEN + 1);
	errs += f_text(st, 2, a->id, MODEL_ID_LEN + 1);
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	if (rc == 0 && st->drv->changes(st) == 0)
		rc = STORE_NOTFOUND;
	f_done(st);
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, "forwardingRule", a->id);
}

int
store_fwd_delete(struct store *s, const char *tenant_id, const char *id)
{
	struct f_del_arg a = { tenant_id, id };

	return store_q_write(s, f_delete, &a);
}

/* --- forwarding options ------------------------------------------------- */

static int
f_opt_row(struct db_stmt *st, void *arg)
{
	struct store_fwd_options *o = arg;
	int64_t transit;

	memset(o, 0, sizeof(*o));
	if (store_col_int(st, 0, 0, 1, &transit) == -1 ||
	    store_col_int(st, 1, INT64_MIN, INT64_MAX, &o->modified_ms) == -1) {
		log_err("store: corrupt forwarding options row");
		return -1;
	}
	o->branch_transit = transit == 1;
	return 0;
}

int
store_fwd_options_get(struct store *s, const char *tenant_id,
    struct store_fwd_options *out)
{
	struct db_stmt *st;
	int rc;

	if ((st = f_stmt(s, F_OPT_GET)) == NULL)
		return -1;
	rc = store_map_one(st, f_text(st, 1, tenant_id, MODEL_ID_LEN + 1),
	    __func__, f_opt_row, out);
	f_done(st);
	return rc;
}

struct f_opt_arg {
	const char			*tenant_id;
	const struct store_fwd_options	*o;
};

static int
f_opt_put(struct store *s, const void *arg)
{
	const struct f_opt_arg *a = arg;
	struct db_stmt *st;
	int errs, rc;

	if ((st = f_stmt(s, F_OPT_PUT)) == NULL)
		return -1;
	errs = f_text(st, 1, a->tenant_id, MODEL_ID_LEN + 1);
	errs += st->drv->bind_int(st, 2, a->o->branch_transit ? 1 : 0) != 0;
	errs += st->drv->bind_int(st, 3, a->o->modified_ms) != 0;
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	f_done(st);
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, "forwardingOptions", "");
}

int
store_fwd_options_put(struct store *s, const char *tenant_id,
    const struct store_fwd_options *o)
{
	struct f_opt_arg a = { tenant_id, o };

	return store_q_write(s, f_opt_put, &a);
}
