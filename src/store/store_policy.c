/*
 * store_policy.c - the security policy tables (schema version 4,
 * docs/store.md): policies (filtering and cloud firewall), their rules,
 * filtering profiles and the links between profiles and policies; the
 * queries and the row mapping, written once for both backends as
 * store_query.c's are (store_db.h).
 *
 * Every write runs through store_q_write(), so its rules are read inside
 * its transaction, as the remote network rules are: the tenant limits of
 * system-facts §3.6 (MODEL_FPOL_MAX policies, MODEL_FRULE_MAX rules,
 * MODEL_FFQDN_MAX FQDN destinations, MODEL_FPROF_MAX profiles), names
 * unique in their scope, cloud firewall priorities unique in their policy,
 * one policy at most once per profile, one cloud firewall policy per
 * profile, unique link priorities in a profile. Refusals are
 * STORE_CONFLICT with store_conflict() naming the rule.
 *
 * A rule's lists are text columns (model_policy_json.h's canonical forms,
 * comma-joined), not child tables: a rule is always read and written
 * whole, and the FQDN count the limit needs is kept in a column (ndest).
 */
#include "store_db.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "log.h"
#include "model_policy_json.h"
#include "wallclock.h"

#define P_POL_COLS							\
	"id, kind, name, description, action, version, created_ms, "	\
	"modified_ms"
#define P_RULE_COLS							\
	"id, policy_id, type, name, description, destinations, ndest, "	\
	"priority, action, enabled, protocols, src, dst, sport, dport, "	\
	"version, modified_ms"
#define P_PROF_COLS							\
	"id, name, description, enabled, baseline, priority, version, "	\
	"created_ms, modified_ms"
#define P_LINK_COLS							\
	"l.id, l.profile_id, l.policy_id, l.priority, l.enabled, "	\
	"l.logging, l.action, l.version, l.modified_ms, p.kind"

enum p_id {
	P_POL_PUT, P_POL_GET, P_POL_LIST, P_POL_COUNT, P_POL_NAME_USED,
	P_POL_DELETE, P_POL_LINKED,
	P_RULE_PUT, P_RULE_GET, P_RULE_LIST_POL, P_RULE_LIST_ALL,
	P_RULE_COUNT, P_FQDN_COUNT, P_RULE_NAME_USED, P_RULE_PRIO_USED,
	P_RULE_DELETE,
	P_PROF_PUT, P_PROF_GET, P_PROF_LIST, P_PROF_COUNT, P_PROF_NAME_USED,
	P_PROF_DELETE, P_BASELINE_COUNT,
	P_LINK_PUT, P_LINK_GET, P_LINK_LIST_PROF, P_LINK_LIST_ALL,
	P_LINK_DELETE,
	P_TENANT_IDS,
	P_NSTMT
};

static const char *const p_sql[P_NSTMT] = {
	/* The WHERE keeps a put from taking over another tenant's id. */
	[P_POL_PUT] =
	    "INSERT INTO security_policies (tenant_id, " P_POL_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
	    "description = excluded.description, action = excluded.action, "
	    "version = excluded.version, modified_ms = excluded.modified_ms "
	    "WHERE security_policies.tenant_id = excluded.tenant_id "
	    "AND security_policies.kind = excluded.kind",
	[P_POL_GET] =
	    "SELECT " P_POL_COLS " FROM security_policies "
	    "WHERE tenant_id = ?1 AND id = ?2",
	[P_POL_LIST] =
	    "SELECT " P_POL_COLS " FROM security_policies "
	    "WHERE tenant_id = ?1 ORDER BY name, id",
	[P_POL_COUNT] =
	    "SELECT count(*) FROM security_policies WHERE tenant_id = ?1",
	[P_POL_NAME_USED] =
	    "SELECT count(*) FROM security_policies "
	    "WHERE tenant_id = ?1 AND name = ?2 AND id <> ?3",
	[P_POL_DELETE] =
	    "DELETE FROM security_policies WHERE tenant_id = ?1 AND id = ?2",
	[P_POL_LINKED] =
	    "SELECT p.name FROM filtering_policy_links l "
	    "JOIN filtering_profiles p "
	    "ON p.tenant_id = l.tenant_id AND p.id = l.profile_id "
	    "WHERE l.tenant_id = ?1 AND l.policy_id = ?2 "
	    "ORDER BY p.priority, p.id LIMIT 1",

	[P_RULE_PUT] =
	    "INSERT INTO policy_rules (tenant_id, " P_RULE_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18) "
	    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
	    "description = excluded.description, "
	    "destinations = excluded.destinations, ndest = excluded.ndest, "
	    "priority = excluded.priority, action = excluded.action, "
	    "enabled = excluded.enabled, protocols = excluded.protocols, "
	    "src = excluded.src, dst = excluded.dst, sport = excluded.sport, "
	    "dport = excluded.dport, version = excluded.version, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE policy_rules.tenant_id = excluded.tenant_id "
	    "AND policy_rules.policy_id = excluded.policy_id "
	    "AND policy_rules.type = excluded.type",
	[P_RULE_GET] =
	    "SELECT " P_RULE_COLS " FROM policy_rules "
	    "WHERE tenant_id = ?1 AND policy_id = ?2 AND id = ?3",
	/* Firewall rules by priority; filtering rules by name. */
	[P_RULE_LIST_POL] =
	    "SELECT " P_RULE_COLS " FROM policy_rules "
	    "WHERE tenant_id = ?1 AND policy_id = ?2 "
	    "ORDER BY COALESCE(priority, 0), name, id",
	[P_RULE_LIST_ALL] =
	    "SELECT " P_RULE_COLS " FROM policy_rules WHERE tenant_id = ?1 "
	    "ORDER BY policy_id, COALESCE(priority, 0), name, id",
	[P_RULE_COUNT] =
	    "SELECT count(*) FROM policy_rules "
	    "WHERE tenant_id = ?1 AND id <> ?2",
	[P_FQDN_COUNT] =
	    "SELECT CAST(COALESCE(sum(ndest), 0) AS BIGINT) FROM policy_rules "
	    "WHERE tenant_id = ?1 AND type = 'fqdn' AND id <> ?2",
	[P_RULE_NAME_USED] =
	    "SELECT count(*) FROM policy_rules WHERE tenant_id = ?1 "
	    "AND policy_id = ?2 AND name = ?3 AND id <> ?4",
	[P_RULE_PRIO_USED] =
	    "SELECT count(*) FROM policy_rules WHERE tenant_id = ?1 "
	    "AND policy_id = ?2 AND priority = ?3 AND id <> ?4",
	[P_RULE_DELETE] =
	    "DELETE FROM policy_rules "
	    "WHERE tenant_id = ?1 AND policy_id = ?2 AND id = ?3",

	[P_PROF_PUT] =
	    "INSERT INTO filtering_profiles (tenant_id, " P_PROF_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
	    "description = excluded.description, enabled = excluded.enabled, "
	    "priority = excluded.priority, version = excluded.version, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE filtering_profiles.tenant_id = excluded.tenant_id",
	[P_PROF_GET] =
	    "SELECT " P_PROF_COLS " FROM filtering_profiles "
	    "WHERE tenant_id = ?1 AND id = ?2",
	[P_PROF_LIST] =
	    "SELECT " P_PROF_COLS " FROM filtering_profiles "
	    "WHERE tenant_id = ?1 ORDER BY priority, id",
	[P_PROF_COUNT] =
	    "SELECT count(*) FROM filtering_profiles WHERE tenant_id = ?1",
	[P_PROF_NAME_USED] =
	    "SELECT count(*) FROM filtering_profiles "
	    "WHERE tenant_id = ?1 AND name = ?2 AND id <> ?3",
	[P_PROF_DELETE] =
	    "DELETE FROM filtering_profiles "
	    "WHERE tenant_id = ?1 AND id = ?2 AND baseline = 0",
	[P_BASELINE_COUNT] =
	    "SELECT count(*) FROM filtering_profiles "
	    "WHERE tenant_id = ?1 AND baseline = 1",

	[P_LINK_PUT] =
	    "INSERT INTO filtering_policy_links (tenant_id, id, profile_id, "
	    "policy_id, priority, enabled, logging, action, version, "
	    "modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (id) DO UPDATE SET priority = excluded.priority, "
	    "enabled = excluded.enabled, logging = excluded.logging, "
	    "action = excluded.action, version = excluded.version, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE filtering_policy_links.tenant_id = excluded.tenant_id "
	    "AND filtering_policy_links.profile_id = excluded.profile_id "
	    "AND filtering_policy_links.policy_id = excluded.policy_id",
	[P_LINK_GET] =
	    "SELECT " P_LINK_COLS " FROM filtering_policy_links l "
	    "JOIN security_policies p "
	    "ON p.tenant_id = l.tenant_id AND p.id = l.policy_id "
	    "WHERE l.tenant_id = ?1 AND l.profile_id = ?2 AND l.id = ?3",
	[P_LINK_LIST_PROF] =
	    "SELECT " P_LINK_COLS " FROM filtering_policy_links l "
	    "JOIN security_policies p "
	    "ON p.tenant_id = l.tenant_id AND p.id = l.policy_id "
	    "WHERE l.tenant_id = ?1 AND l.profile_id = ?2 "
	    "ORDER BY l.priority, l.id",
	[P_LINK_LIST_ALL] =
	    "SELECT " P_LINK_COLS " FROM filtering_policy_links l "
	    "JOIN security_policies p "
	    "ON p.tenant_id = l.tenant_id AND p.id = l.policy_id "
	    "WHERE l.tenant_id = ?1 ORDER BY l.profile_id, l.priority, l.id",
	[P_LINK_DELETE] =
	    "DELETE FROM filtering_policy_links "
	    "WHERE tenant_id = ?1 AND profile_id = ?2 AND id = ?3",

	[P_TENANT_IDS] = "SELECT id FROM tenants ORDER BY id",
};

/* --- helpers ----------------------------------------------------------- */

static struct db_stmt *
p_stmt(struct store *s, enum p_id id)
{
	if (s->pstmt == NULL &&
	    (s->pstmt = calloc(P_NSTMT, sizeof(*s->pstmt))) == NULL)
		return NULL;
	if (s->pstmt[id] == NULL &&
	    (s->pstmt[id] = s->drv->prepare(s->db, p_sql[id])) == NULL)
		log_err("store: prepare policy query %d: %s", (int)id,
		    s->drv->errmsg(s->db));
	return s->pstmt[id];
}

static void
p_done(struct db_stmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

static int
p_text(struct db_stmt *st, int i, const char *v)
{
	return st->drv->bind_text(st, i, v, v != NULL ? strlen(v) : 0) != 0;
}

static int
p_buf(struct db_stmt *st, int i, const char *buf, size_t size)
{
	return st->drv->bind_text(st, i, buf, strnlen(buf, size)) != 0;
}

static int
p_int(struct db_stmt *st, int i, int64_t v)
{
	return st->drv->bind_int(st, i, v) != 0;
}

static int
p_write_step(struct db_stmt *st, int errs, const char *func)
{
	int rc = store_map_step(st, errs, func);

	if (rc == DB_DONE)
		return 0;
	return rc < 0 ? store_map_rc(rc) : -1;
}

/*
 * p_write_step for an upsert, then st finished: its "ON CONFLICT ... WHERE"
 * leaves a row another owner holds as it is, so no row changed means the
 * id is taken there.
 */
static int
p_upsert_step(struct db_stmt *st, int errs, const char *func,
    const char *what, const char *id, const char *owner)
{
	int rc;

	if ((rc = p_write_step(st, errs, func)) == 0 &&
	    st->drv->changes(st) == 0) {
		log_err("%s: %s id %.*s belongs to another %s", func, what,
		    MODEL_ID_LEN, id, owner);
		rc = -1;
	}
	p_done(st);
	return rc;
}

/* A count(*) bound to text ?1.. (NULL binds NULL) and, if given, int ?k. */
static int
p_count(struct store *s, enum p_id id, const char *a, const char *b,
    const char *c, size_t *n, const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	*n = 0;
	if ((st = p_stmt(s, id)) == NULL)
		return -1;
	errs += p_text(st, 1, a);
	if (b != NULL)
		errs += p_text(st, 2, b);
	if (c != NULL)
		errs += p_text(st, 3, c);
	rc = store_map_count(st, errs, func, n);
	p_done(st);
	return rc;
}

/* A list or one-row query bound to text ?1..?3 (NULL: not bound). */
static int
p_list(struct store *s, enum p_id id, const char *a, const char *b,
    size_t elsize, store_row_fn row, void **out, size_t *n, const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	if ((st = p_stmt(s, id)) == NULL)
		return -1;
	errs += p_text(st, 1, a);
	if (b != NULL)
		errs += p_text(st, 2, b);
	rc = store_map_list(st, errs, func, elsize, row, out, n);
	p_done(st);
	return rc;
}

static int
p_one(struct store *s, enum p_id id, const char *a, const char *b,
    const char *c, store_row_fn row, void *out, const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = p_stmt(s, id)) == NULL)
		return -1;
	errs += p_text(st, 1, a);
	errs += p_text(st, 2, b);
	if (c != NULL)
		errs += p_text(st, 3, c);
	rc = store_map_one(st, errs, func, row, out);
	p_done(st);
	return rc;
}

/* --- rows --------------------------------------------------------------- */

static const char *const p_kind_names[] = { "filtering", "firewall" };
static const char *const p_type_names[] = {
	"fqdn", "webCategory", "cloudFirewall"
};

static int
p_col_name(struct db_stmt *st, int col, const char *const *names, int n,
    int *out)
{
	char buf[32];
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

/* "block"/"allow", or NULL (-1) where nullok. */
static int
p_col_action(struct db_stmt *st, int col, bool nullok, int *out)
{
	char buf[16];

	if (store_col_text(st, col, buf, sizeof(buf), nullok) == -1)
		return -1;
	if (buf[0] == '\0') {
		*out = -1;
		return nullok ? 0 : -1;
	}
	if (strcmp(buf, "block") == 0)
		*out = MODEL_FACT_BLOCK;
	else if (strcmp(buf, "allow") == 0)
		*out = MODEL_FACT_ALLOW;
	else
		return -1;
	return 0;
}

static int
p_row_policy(struct db_stmt *st, void *arg)
{
	struct model_fpolicy *p = arg;
	int errs = 0;

	memset(p, 0, sizeof(*p));
	errs += store_col_text(st, 0, p->id, sizeof(p->id), false) == -1;
	errs += p_col_name(st, 1, p_kind_names, 2, &p->kind) == -1;
	errs += store_col_text(st, 2, p->name, sizeof(p->name), false) == -1;
	errs += store_col_text(st, 3, p->description, sizeof(p->description),
	    false) == -1;
	errs += p_col_action(st, 4, false, &p->action) == -1;
	errs += store_col_text(st, 5, p->version, sizeof(p->version),
	    false) == -1;
	errs += store_col_int(st, 6, INT64_MIN, INT64_MAX,
	    &p->created_ms) == -1;
	errs += store_col_int(st, 7, INT64_MIN, INT64_MAX,
	    &p->modified_ms) == -1;
	if (errs != 0) {
		log_err("store: corrupt policy row %s", p->id);
		return -1;
	}
	return 0;
}

/* A text column of any length, copied: a rule's destinations. */
static char *
p_col_dup(struct db_stmt *st, int col)
{
	const char *v;
	size_t len = 0;
	char *s;

	if (st->drv->col_type(st, col) != DB_T_TEXT ||
	    (v = st->drv->col_text(st, col, &len)) == NULL ||
	    memchr(v, '\0', len) != NULL || (s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, v, len);
	s[len] = '\0';
	return s;
}

static int
p_row_rule(struct db_stmt *st, void *arg)
{
	struct model_frule *r = arg;
	char list[MODEL_FW_LIST_STRLEN];
	char *dest;
	int64_t ndest = 0, enabled = 0, protos = 0;
	int errs = 0;

	memset(r, 0, sizeof(*r));
	errs += store_col_text(st, 0, r->id, sizeof(r->id), false) == -1;
	errs += store_col_text(st, 1, r->policy_id, sizeof(r->policy_id),
	    false) == -1;
	errs += p_col_name(st, 2, p_type_names, 3, &r->type) == -1;
	errs += store_col_text(st, 3, r->name, sizeof(r->name), false) == -1;
	errs += store_col_text(st, 4, r->description, sizeof(r->description),
	    false) == -1;
	errs += store_col_int(st, 6, 0, MODEL_FFQDN_MAX, &ndest) == -1;
	if (r->type == MODEL_FRULE_FIREWALL) {
		errs += store_col_int(st, 7, MODEL_FW_PRIO_MIN, INT64_MAX,
		    &r->priority) == -1;
		errs += p_col_action(st, 8, false, &r->action) == -1;
	} else
		r->action = MODEL_FACT_BLOCK;
	errs += store_col_int(st, 9, 0, 1, &enabled) == -1;
	errs += store_col_int(st, 10, 0, MODEL_FW_TCP | MODEL_FW_UDP,
	    &protos) == -1;
	r->enabled = enabled != 0;
	r->protos = (uint8_t)protos;
	errs += store_col_text(st, 11, list, sizeof(list), false) == -1 ||
	    model_fw_addrs_parse(list, r->src, &r->nsrc) == -1;
	errs += store_col_text(st, 12, list, sizeof(list), false) == -1 ||
	    model_fw_addrs_parse(list, r->dst, &r->ndst) == -1;
	errs += store_col_text(st, 13, list, sizeof(list), false) == -1 ||
	    model_fw_ports_parse(list, r->sport, &r->nsport) == -1;
	errs += store_col_text(st, 14, list, sizeof(list), false) == -1 ||
	    model_fw_ports_parse(list, r->dport, &r->ndport) == -1;
	errs += store_col_text(st, 15, r->version, sizeof(r->version),
	    false) == -1;
	errs += store_col_int(st, 16, INT64_MIN, INT64_MAX,
	    &r->modified_ms) == -1;
	if (errs == 0) {
		dest = p_col_dup(st, 5);
		if (dest == NULL || model_frule_dest_parse(dest, r) == -1 ||
		    r->ndest != (size_t)ndest)
			errs++;
		free(dest);
	}
	if (errs != 0) {
		model_frule_clear(r);
		log_err("store: corrupt policy rule row %s", r->id);
		return -1;
	}
	return 0;
}

static int
p_row_profile(struct db_stmt *st, void *arg)
{
	struct model_fprofile *p = arg;
	int64_t enabled = 0, baseline = 0;
	int errs = 0;

	memset(p, 0, sizeof(*p));
	errs += store_col_text(st, 0, p->id, sizeof(p->id), false) == -1;
	errs += store_col_text(st, 1, p->name, sizeof(p->name), false) == -1;
	errs += store_col_text(st, 2, p->description, sizeof(p->description),
	    false) == -1;
	errs += store_col_int(st, 3, 0, 1, &enabled) == -1;
	errs += store_col_int(st, 4, 0, 1, &baseline) == -1;
	errs += store_col_int(st, 5, 0, MODEL_BASELINE_PRIORITY,
	    &p->priority) == -1;
	errs += store_col_text(st, 6, p->version, sizeof(p->version),
	    false) == -1;
	errs += store_col_int(st, 7, INT64_MIN, INT64_MAX,
	    &p->created_ms) == -1;
	errs += store_col_int(st, 8, INT64_MIN, INT64_MAX,
	    &p->modified_ms) == -1;
	p->enabled = enabled != 0;
	p->baseline = baseline != 0;
	if (errs != 0) {
		log_err("store: corrupt filtering profile row %s", p->id);
		return -1;
	}
	return 0;
}

/* A link and the kind of its policy (for the one-firewall rule). */
struct p_link_row {
	struct model_flink	l;
	int			kind;
};

static int
p_row_link(struct db_stmt *st, void *arg)
{
	struct p_link_row *row = arg;
	struct model_flink *l = &row->l;
	int64_t enabled = 0, logging = 0;
	int errs = 0;

	memset(row, 0, sizeof(*row));
	errs += store_col_text(st, 0, l->id, sizeof(l->id), false) == -1;
	errs += store_col_text(st, 1, l->profile_id, sizeof(l->profile_id),
	    false) == -1;
	errs += store_col_text(st, 2, l->policy_id, sizeof(l->policy_id),
	    false) == -1;
	errs += store_col_int(st, 3, 0, INT64_MAX, &l->priority) == -1;
	errs += store_col_int(st, 4, 0, 1, &enabled) == -1;
	errs += store_col_int(st, 5, 0, 1, &logging) == -1;
	errs += p_col_action(st, 6, true, &l->action) == -1;
	errs += store_col_text(st, 7, l->version, sizeof(l->version),
	    false) == -1;
	errs += store_col_int(st, 8, INT64_MIN, INT64_MAX,
	    &l->modified_ms) == -1;
	errs += p_col_name(st, 9, p_kind_names, 2, &row->kind) == -1;
	l->enabled = enabled != 0;
	l->logging = logging != 0;
	if (errs != 0) {
		log_err("store: corrupt policy link row %s", l->id);
		return -1;
	}
	return 0;
}

static int
p_row_text(struct db_stmt *st, void *arg)
{
	return store_col_text(st, 0, arg, MODEL_NAME_MAX + 1, false);
}

static int
p_row_id(struct db_stmt *st, void *arg)
{
	return store_col_text(st, 0, arg, MODEL_ID_LEN + 1, false);
}

/* --- rules -------------------------------------------------------------- */

void
store_frules_free(struct model_frule *r, size_t n)
{
	size_t i;

	for (i = 0; r != NULL && i < n; i++)
		model_frule_clear(&r[i]);
	free(r);
}

/* The tenant's limits and the policy's uniqueness rules, in the write. */
static int
p_rule_rules(struct store *s, const char *tenant_id,
    const struct model_frule *r)
{
	struct db_stmt *st;
	char prio[24];
	size_t n, fq;
	int errs = 0, rc;

	if ((rc = p_count(s, P_RULE_COUNT, tenant_id, r->id, NULL, &n,
	    __func__)) != 0)
		return rc;
	if (n >= MODEL_FRULE_MAX) {
		model_errs_add(&s->conflict, "", "limit reached: a tenant has "
		    "at most %d policy rules (MODEL_FRULE_MAX), in all its "
		    "policies", MODEL_FRULE_MAX);
		return STORE_CONFLICT;
	}
	if (r->type == MODEL_FRULE_FQDN) {
		if ((rc = p_count(s, P_FQDN_COUNT, tenant_id, r->id, NULL,
		    &fq, __func__)) != 0)
			return rc;
		if (fq + r->ndest > MODEL_FFQDN_MAX) {
			model_errs_add(&s->conflict, "destinations", "limit "
			    "reached: a tenant has at most %d FQDN "
			    "destinations in all its rules (it has %zu; this "
			    "rule adds %zu)", MODEL_FFQDN_MAX, fq, r->ndest);
			return STORE_CONFLICT;
		}
	}
	if ((st = p_stmt(s, P_RULE_NAME_USED)) == NULL)
		return -1;
	errs += p_text(st, 1, tenant_id);
	errs += p_buf(st, 2, r->policy_id, sizeof(r->policy_id));
	errs += p_buf(st, 3, r->name, sizeof(r->name));
	errs += p_buf(st, 4, r->id, sizeof(r->id));
	rc = store_map_count(st, errs, __func__, &n);
	p_done(st);
	if (rc != 0)
		return rc;
	if (n > 0)
		model_errs_add(&s->conflict, "name", "a rule named '%.200s' "
		    "already exists in this policy", r->name);
	if (r->type == MODEL_FRULE_FIREWALL) {
		if ((st = p_stmt(s, P_RULE_PRIO_USED)) == NULL)
			return -1;
		errs = p_text(st, 1, tenant_id);
		errs += p_buf(st, 2, r->policy_id, sizeof(r->policy_id));
		errs += p_int(st, 3, r->priority);
		errs += p_buf(st, 4, r->id, sizeof(r->id));
		rc = store_map_count(st, errs, __func__, &n);
		p_done(st);
		if (rc != 0)
			return rc;
		snprintf(prio, sizeof(prio), "%lld", (long long)r->priority);
		if (n > 0)
			model_errs_add(&s->conflict, "priority", "priority %s "
			    "is already used by another rule of this policy "
			    "(priorities are unique within a policy)", prio);
	}
	return s->conflict.count > 0 ? STORE_CONFLICT : 0;
}

static int
p_rule_insert(struct store *s, const char *tenant_id,
    const struct model_frule *r)
{
	char src[MODEL_FW_LIST_STRLEN], dst[MODEL_FW_LIST_STRLEN];
	char sport[MODEL_FW_LIST_STRLEN], dport[MODEL_FW_LIST_STRLEN];
	struct db_stmt *st;
	char *dest = NULL;
	bool fw = r->type == MODEL_FRULE_FIREWALL;
	int errs = 0, rc;

	if (r->type < 0 || r->type > MODEL_FRULE_FIREWALL ||
	    model_fw_addrs_fmt(r->src, r->nsrc, src, sizeof(src)) == -1 ||
	    model_fw_addrs_fmt(r->dst, r->ndst, dst, sizeof(dst)) == -1 ||
	    model_fw_ports_fmt(r->sport, r->nsport, sport,
	    sizeof(sport)) == -1 ||
	    model_fw_ports_fmt(r->dport, r->ndport, dport,
	    sizeof(dport)) == -1 ||
	    (fw && model_faction_name(r->action) == NULL) ||
	    model_frule_dest_fmt(r, &dest) == -1) {
		log_err("%s: rule %.*s has a value out of range", __func__,
		    MODEL_ID_LEN, r->id);
		return -1;
	}
	if ((rc = p_rule_rules(s, tenant_id, r)) != 0)
		goto out;
	rc = -1;
	if ((st = p_stmt(s, P_RULE_PUT)) == NULL)
		goto out;
	errs += p_text(st, 1, tenant_id);
	errs += p_buf(st, 2, r->id, sizeof(r->id));
	errs += p_buf(st, 3, r->policy_id, sizeof(r->policy_id));
	errs += p_text(st, 4, p_type_names[r->type]);
	errs += p_buf(st, 5, r->name, sizeof(r->name));
	errs += p_buf(st, 6, r->description, sizeof(r->description));
	errs += p_text(st, 7, dest);
	errs += p_int(st, 8, (int64_t)r->ndest);
	errs += fw ? p_int(st, 9, r->priority) : p_text(st, 9, NULL);
	errs += p_text(st, 10, fw ? model_faction_name(r->action) : NULL);
	errs += p_int(st, 11, r->enabled ? 1 : 0);
	errs += p_int(st, 12, r->protos);
	errs += p_text(st, 13, src);
	errs += p_text(st, 14, dst);
	errs += p_text(st, 15, sport);
	errs += p_text(st, 16, dport);
	errs += p_buf(st, 17, r->version, sizeof(r->version));
	errs += p_int(st, 18, r->modified_ms);
	rc = p_upsert_step(st, errs, __func__, "rule", r->id,
	    "policy");
	if (rc == 0)
		rc = store_q_notify(s, tenant_id, "policyRule", r->id);
out:
	free(dest);
	return rc;
}

struct p_rule_arg {
	const char		*tenant_id;
	const struct model_frule *r;
};

static int
p_policy_check(struct store *s, const char *tenant_id, const char *id,
    struct model_fpolicy *p)
{
	return p_one(s, P_POL_GET, tenant_id, id, NULL, p_row_policy, p,
	    __func__);
}

static int
p_rule_put(struct store *s, const void *arg)
{
	const struct p_rule_arg *a = arg;
	struct model_fpolicy p;
	int rc;

	if ((rc = p_policy_check(s, a->tenant_id, a->r->policy_id, &p)) != 0)
		return rc;
	/* A rule's type is its policy's kind's: the API checked; the backstop. */
	if ((p.kind == MODEL_FPOL_FIREWALL) !=
	    (a->r->type == MODEL_FRULE_FIREWALL)) {
		log_err("%s: rule type does not match policy kind", __func__);
		return -1;
	}
	return p_rule_insert(s, a->tenant_id, a->r);
}

int
store_frule_put(struct store *s, const char *tenant_id,
    const struct model_frule *r)
{
	struct p_rule_arg a = { tenant_id, r };

	return store_q_write(s, p_rule_put, &a);
}

int
store_frule_get(struct store *s, const char *tenant_id, const char *policy_id,
    const char *rule_id, struct model_frule *out)
{
	return p_one(s, P_RULE_GET, tenant_id, policy_id, rule_id, p_row_rule,
	    out, __func__);
}

int
store_frule_list(struct store *s, const char *tenant_id,
    const char *policy_id, struct model_frule **out, size_t *n)
{
	void *arr = NULL;
	int rc;

	rc = p_list(s, P_RULE_LIST_POL, tenant_id, policy_id, sizeof(**out),
	    p_row_rule, &arr, n, __func__);
	*out = arr;
	return rc;
}

struct p_del_arg {
	enum p_id	 id;
	const char	*tenant_id, *a, *b;
	const char	*what;
};

static int
p_delete(struct store *s, const struct p_del_arg *a)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = p_stmt(s, a->id)) == NULL)
		return -1;
	errs += p_text(st, 1, a->tenant_id);
	errs += p_text(st, 2, a->a);
	if (a->b != NULL)
		errs += p_text(st, 3, a->b);
	if ((rc = p_write_step(st, errs, __func__)) == 0 &&
	    st->drv->changes(st) == 0)
		rc = STORE_NOTFOUND;
	p_done(st);
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, a->what,
	    a->b != NULL ? a->b : a->a);
}

static int
p_delete_fn(struct store *s, const void *arg)
{
	return p_delete(s, arg);
}

int
store_frule_delete(struct store *s, const char *tenant_id,
    const char *policy_id, const char *rule_id)
{
	struct p_del_arg a = { P_RULE_DELETE, tenant_id, policy_id, rule_id,
	    "policyRule" };

	return store_q_write(s, p_delete_fn, &a);
}

/* --- policies ----------------------------------------------------------- */

void
store_fpolicies_free(struct model_fpolicy *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		model_fpolicy_clear(&p[i]);
	free(p);
}

struct p_pol_arg {
	const char			*tenant_id;
	const struct model_fpolicy	*p;
	bool				 with_rules;
};

static int
p_policy_put(struct store *s, const void *arg)
{
	const struct p_pol_arg *a = arg;
	const struct model_fpolicy *p = a->p;
	struct model_fpolicy cur;
	struct db_stmt *st;
	size_t n, i;
	int errs = 0, rc;

	rc = p_policy_check(s, a->tenant_id, p->id, &cur);
	if (rc == STORE_NOTFOUND) {
		if ((rc = p_count(s, P_POL_COUNT, a->tenant_id, NULL, NULL, &n,
		    __func__)) != 0)
			return rc;
		if (n >= MODEL_FPOL_MAX) {
			model_errs_add(&s->conflict, "", "limit reached: a "
			    "tenant has at most %d policies (filtering and "
			    "cloud firewall together)", MODEL_FPOL_MAX);
			return STORE_CONFLICT;
		}
	} else if (rc != 0)
		return rc;
	else if (cur.kind != p->kind)
		return STORE_NOTFOUND;
	if ((rc = p_count(s, P_POL_NAME_USED, a->tenant_id, p->name, p->id, &n,
	    __func__)) != 0)
		return rc;
	if (n > 0) {
		model_errs_add(&s->conflict, "name", "a policy named '%.200s' "
		    "already exists", p->name);
		return STORE_CONFLICT;
	}
	if ((st = p_stmt(s, P_POL_PUT)) == NULL)
		return -1;
	errs += p_text(st, 1, a->tenant_id);
	errs += p_buf(st, 2, p->id, sizeof(p->id));
	errs += p_text(st, 3, p_kind_names[p->kind == MODEL_FPOL_FIREWALL]);
	errs += p_buf(st, 4, p->name, sizeof(p->name));
	errs += p_buf(st, 5, p->description, sizeof(p->description));
	errs += p_text(st, 6, model_faction_name(p->action));
	errs += p_buf(st, 7, p->version, sizeof(p->version));
	errs += p_int(st, 8, p->created_ms);
	errs += p_int(st, 9, p->modified_ms);
	rc = p_upsert_step(st, errs, __func__, "policy", p->id,
	    "tenant");
	for (i = 0; rc == 0 && a->with_rules && i < p->nrules; i++) {
		rc = p_rule_insert(s, a->tenant_id, &p->rules[i]);
		if (rc == STORE_CONFLICT && s->conflict.count > 0) {
			/* Say which of the inline rules it was. */
			struct model_err *e = &s->conflict.err[0];
			char t[sizeof(e->target)];

			snprintf(t, sizeof(t), "policyRules[%zu]%s%.80s", i,
			    e->target[0] ? "." : "", e->target);
			memcpy(e->target, t, sizeof(t));
		}
	}
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, "policy", p->id);
}

int
store_fpolicy_put(struct store *s, const char *tenant_id,
    const struct model_fpolicy *p, bool with_rules)
{
	struct p_pol_arg a = { tenant_id, p, with_rules };

	if (model_faction_name(p->action) == NULL ||
	    (p->kind != MODEL_FPOL_FILTERING &&
	    p->kind != MODEL_FPOL_FIREWALL)) {
		log_err("%s: policy %.*s has a value out of range", __func__,
		    MODEL_ID_LEN, p->id);
		return -1;
	}
	return store_q_write(s, p_policy_put, &a);
}

int
store_fpolicy_get(struct store *s, const char *tenant_id, const char *id,
    bool with_rules, struct model_fpolicy *out)
{
	int rc = p_policy_check(s, tenant_id, id, out);

	if (rc != 0 || !with_rules)
		return rc;
	if ((rc = store_frule_list(s, tenant_id, id, &out->rules,
	    &out->nrules)) != 0)
		model_fpolicy_clear(out);
	return rc;
}

int
store_fpolicy_list(struct store *s, const char *tenant_id, int kind,
    bool with_rules, struct model_fpolicy **out, size_t *n)
{
	struct model_fpolicy *p = NULL;
	void *arr = NULL;
	size_t i, k = 0, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = p_list(s, P_POL_LIST, tenant_id, NULL, sizeof(*p),
	    p_row_policy, &arr, &cnt, __func__)) != 0)
		return rc;
	p = arr;
	for (i = 0; i < cnt; i++)
		if (kind < 0 || p[i].kind == kind)
			p[k++] = p[i];
	for (i = 0; with_rules && i < k; i++)
		if ((rc = store_frule_list(s, tenant_id, p[i].id, &p[i].rules,
		    &p[i].nrules)) != 0) {
			store_fpolicies_free(p, k);
			return rc;
		}
	if (k == 0) {
		free(p);
		p = NULL;
	}
	*out = p;
	*n = k;
	return 0;
}

static int
p_policy_delete(struct store *s, const void *arg)
{
	const struct p_del_arg *a = arg;
	char prof[MODEL_NAME_MAX + 1];
	int rc;

	rc = p_one(s, P_POL_LINKED, a->tenant_id, a->a, NULL, p_row_text, prof,
	    __func__);
	if (rc == 0) {
		model_errs_add(&s->conflict, "id", "policy %.64s is linked to "
		    "the filtering profile '%.200s': delete the link first "
		    "(DELETE /networkAccess/filteringProfiles/{id}/policies/"
		    "{linkId})", a->a, prof);
		return STORE_CONFLICT;
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	return p_delete(s, a);
}

int
store_fpolicy_delete(struct store *s, const char *tenant_id, const char *id)
{
	struct p_del_arg a = { P_POL_DELETE, tenant_id, id, NULL, "policy" };

	return store_q_write(s, p_policy_delete, &a);
}

/* --- profiles ----------------------------------------------------------- */

void
store_fprofiles_free(struct model_fprofile *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		model_fprofile_clear(&p[i]);
	free(p);
}

struct p_prof_arg {
	const char			*tenant_id;
	const struct model_fprofile	*p;
};

static int
p_profile_insert(struct store *s, const char *tenant_id,
    const struct model_fprofile *p)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = p_stmt(s, P_PROF_PUT)) == NULL)
		return -1;
	errs += p_text(st, 1, tenant_id);
	errs += p_buf(st, 2, p->id, sizeof(p->id));
	errs += p_buf(st, 3, p->name, sizeof(p->name));
	errs += p_buf(st, 4, p->description, sizeof(p->description));
	errs += p_int(st, 5, p->enabled ? 1 : 0);
	errs += p_int(st, 6, p->baseline ? 1 : 0);
	errs += p_int(st, 7, p->priority);
	errs += p_buf(st, 8, p->version, sizeof(p->version));
	errs += p_int(st, 9, p->created_ms);
	errs += p_int(st, 10, p->modified_ms);
	rc = p_upsert_step(st, errs, __func__, "profile", p->id,
	    "tenant");
	if (rc != 0)
		return rc;
	return store_q_notify(s, tenant_id, "filteringProfile", p->id);
}

static int
p_profile_put(struct store *s, const void *arg)
{
	const struct p_prof_arg *a = arg;
	struct model_fprofile cur;
	size_t n;
	int rc;

	rc = p_one(s, P_PROF_GET, a->tenant_id, a->p->id, NULL, p_row_profile,
	    &cur, __func__);
	if (rc == STORE_NOTFOUND) {
		if ((rc = p_count(s, P_PROF_COUNT, a->tenant_id, NULL, NULL,
		    &n, __func__)) != 0)
			return rc;
		if (n >= MODEL_FPROF_MAX) {
			model_errs_add(&s->conflict, "", "limit reached: a "
			    "tenant has at most %d filtering profiles (the "
			    "baseline profile included)", MODEL_FPROF_MAX);
			return STORE_CONFLICT;
		}
	} else if (rc != 0)
		return rc;
	else if (cur.baseline != a->p->baseline) {
		log_err("%s: the baseline flag cannot change", __func__);
		return -1;
	}
	if ((rc = p_count(s, P_PROF_NAME_USED, a->tenant_id, a->p->name,
	    a->p->id, &n, __func__)) != 0)
		return rc;
	if (n > 0) {
		model_errs_add(&s->conflict, "name", "a filtering profile "
		    "named '%.200s' already exists", a->p->name);
		return STORE_CONFLICT;
	}
	return p_profile_insert(s, a->tenant_id, a->p);
}

int
store_fprofile_put(struct store *s, const char *tenant_id,
    const struct model_fprofile *p)
{
	struct p_prof_arg a = { tenant_id, p };

	return store_q_write(s, p_profile_put, &a);
}

/* A profile's links, or every link of the tenant (profile_id NULL). */
static int
p_links(struct store *s, const char *tenant_id, const char *profile_id,
    struct p_link_row **out, size_t *n)
{
	void *arr = NULL;
	int rc;

	rc = p_list(s, profile_id != NULL ? P_LINK_LIST_PROF :
	    P_LINK_LIST_ALL, tenant_id, profile_id, sizeof(**out), p_row_link,
	    &arr, n, __func__);
	*out = arr;
	return rc;
}

static int
p_profile_links(struct store *s, const char *tenant_id,
    struct model_fprofile *p)
{
	struct p_link_row *rows = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = p_links(s, tenant_id, p->id, &rows, &n)) != 0)
		return rc;
	if (n > 0 && (p->links = calloc(n, sizeof(*p->links))) == NULL) {
		free(rows);
		return -1;
	}
	for (i = 0; i < n; i++)
		p->links[i] = rows[i].l;
	p->nlinks = n;
	free(rows);
	return 0;
}

int
store_fprofile_get(struct store *s, const char *tenant_id, const char *id,
    bool with_links, struct model_fprofile *out)
{
	int rc;

	rc = p_one(s, P_PROF_GET, tenant_id, id, NULL, p_row_profile, out,
	    __func__);
	if (rc != 0 || !with_links)
		return rc;
	return p_profile_links(s, tenant_id, out);
}

int
store_fprofile_list(struct store *s, const char *tenant_id, bool with_links,
    struct model_fprofile **out, size_t *n)
{
	struct model_fprofile *p;
	void *arr = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = p_list(s, P_PROF_LIST, tenant_id, NULL, sizeof(*p),
	    p_row_profile, &arr, n, __func__)) != 0)
		return rc;
	p = arr;
	for (i = 0; with_links && i < *n; i++)
		if ((rc = p_profile_links(s, tenant_id, &p[i])) != 0) {
			store_fprofiles_free(p, *n);
			*n = 0;
			return rc;
		}
	*out = p;
	return 0;
}

static int
p_profile_delete(struct store *s, const void *arg)
{
	const struct p_del_arg *a = arg;
	struct model_fprofile cur;
	int rc;

	if ((rc = p_one(s, P_PROF_GET, a->tenant_id, a->a, NULL,
	    p_row_profile, &cur, __func__)) != 0)
		return rc;
	if (cur.baseline) {
		model_errs_add(&s->conflict, "id", "the baseline profile "
		    "'%.200s' cannot be deleted: it applies to all remote "
		    "network traffic of the tenant", cur.name);
		return STORE_CONFLICT;
	}
	/* Its links go with it (ON DELETE CASCADE). */
	return p_delete(s, a);
}

int
store_fprofile_delete(struct store *s, const char *tenant_id, const char *id)
{
	struct p_del_arg a = { P_PROF_DELETE, tenant_id, id, NULL,
	    "filteringProfile" };

	return store_q_write(s, p_profile_delete, &a);
}

/*
 * The tenant's baseline profile (system-facts §3.6), inside the caller's
 * write: store_tenant_add and the migration that added the tables.
 */
int
store_policy_tenant_init(struct store *s, const char *tenant_id,
    int64_t now_ms)
{
	struct model_fprofile p;
	size_t n;
	int rc;

	if ((rc = p_count(s, P_BASELINE_COUNT, tenant_id, NULL, NULL, &n,
	    __func__)) != 0)
		return rc;
	if (n > 0)
		return 0;
	memset(&p, 0, sizeof(p));
	if (guid_new(p.id) == -1)
		return -1;
	snprintf(p.name, sizeof(p.name), "%s", STORE_BASELINE_NAME);
	snprintf(p.description, sizeof(p.description), "The tenant's "
	    "baseline security profile: it applies to all remote network "
	    "traffic, after any user profile.");
	p.enabled = true;
	p.baseline = true;
	p.priority = MODEL_BASELINE_PRIORITY;
	snprintf(p.version, sizeof(p.version), "%s", MODEL_VERSION);
	p.created_ms = p.modified_ms = now_ms;
	return p_profile_insert(s, tenant_id, &p);
}

int
store_tenant_ids(struct store *s, char (**out)[MODEL_ID_LEN + 1], size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = p_stmt(s, P_TENANT_IDS)) == NULL)
		return -1;
	rc = store_map_list(st, 0, __func__, sizeof(**out), p_row_id, &arr, n);
	p_done(st);
	*out = arr;
	return rc;
}

int
store_policy_migrate(struct store *s)
{
	char (*ids)[MODEL_ID_LEN + 1] = NULL;
	size_t n = 0, i;
	int64_t now = wallclock_now_ms();
	int rc;

	rc = store_tenant_ids(s, &ids, &n);
	for (i = 0; rc == 0 && i < n; i++)
		rc = store_policy_tenant_init(s, ids[i], now);
	free(ids);
	return rc == 0 ? 0 : -1;
}

/* --- links -------------------------------------------------------------- */

struct p_link_arg {
	const char			*tenant_id;
	const struct model_flink	*l;
};

static int
p_link_put(struct store *s, const void *arg)
{
	const struct p_link_arg *a = arg;
	const struct model_flink *l = a->l;
	struct model_fprofile prof;
	struct model_fpolicy pol;
	struct p_link_row *rows = NULL;
	struct db_stmt *st;
	size_t n = 0, i;
	int errs = 0, rc;
	bool fw;

	if ((rc = p_one(s, P_PROF_GET, a->tenant_id, l->profile_id, NULL,
	    p_row_profile, &prof, __func__)) != 0 ||
	    (rc = p_policy_check(s, a->tenant_id, l->policy_id, &pol)) != 0)
		return rc;
	fw = pol.kind == MODEL_FPOL_FIREWALL;
	if ((rc = p_links(s, a->tenant_id, l->profile_id, &rows, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct model_flink *o = &rows[i].l;

		if (strcmp(o->id, l->id) == 0)
			continue;
		if (strcmp(o->policy_id, l->policy_id) == 0)
			model_errs_add(&s->conflict, "policy", "policy '%.200s' "
			    "is already linked to this profile (link %s)",
			    pol.name, o->id);
		else if (fw && rows[i].kind == MODEL_FPOL_FIREWALL)
			/* system-facts §3.7; cloudFirewallPolicyLink. */
			model_errs_add(&s->conflict, "policy", "a filtering "
			    "profile links at most one cloud firewall policy, "
			    "and '%.200s' already has one (link %s)",
			    prof.name, o->id);
		else if (!fw && rows[i].kind != MODEL_FPOL_FIREWALL &&
		    o->priority == l->priority)
			model_errs_add(&s->conflict, "priority", "priority "
			    "%lld is already used by link %s of this profile "
			    "(link priorities are unique within a profile)",
			    (long long)l->priority, o->id);
	}
	free(rows);
	if (s->conflict.count > 0)
		return STORE_CONFLICT;
	if ((st = p_stmt(s, P_LINK_PUT)) == NULL)
		return -1;
	errs += p_text(st, 1, a->tenant_id);
	errs += p_buf(st, 2, l->id, sizeof(l->id));
	errs += p_buf(st, 3, l->profile_id, sizeof(l->profile_id));
	errs += p_buf(st, 4, l->policy_id, sizeof(l->policy_id));
	errs += p_int(st, 5, l->priority);
	errs += p_int(st, 6, l->enabled ? 1 : 0);
	errs += p_int(st, 7, l->logging ? 1 : 0);
	errs += p_text(st, 8, model_faction_name(l->action));
	errs += p_buf(st, 9, l->version, sizeof(l->version));
	errs += p_int(st, 10, l->modified_ms);
	rc = p_upsert_step(st, errs, __func__, "link", l->id,
	    "profile");
	if (rc != 0)
		return rc;
	return store_q_notify(s, a->tenant_id, "policyLink", l->id);
}

int
store_flink_put(struct store *s, const char *tenant_id,
    const struct model_flink *l)
{
	struct p_link_arg a = { tenant_id, l };

	return store_q_write(s, p_link_put, &a);
}

int
store_flink_get(struct store *s, const char *tenant_id,
    const char *profile_id, const char *link_id, struct model_flink *out)
{
	struct p_link_row row;
	int rc;

	rc = p_one(s, P_LINK_GET, tenant_id, profile_id, link_id, p_row_link,
	    &row, __func__);
	if (rc == 0)
		*out = row.l;
	return rc;
}

int
store_flink_delete(struct store *s, const char *tenant_id,
    const char *profile_id, const char *link_id)
{
	struct p_del_arg a = { P_LINK_DELETE, tenant_id, profile_id, link_id,
	    "policyLink" };

	return store_q_write(s, p_delete_fn, &a);
}

/* --- the compiler's input ---------------------------------------------- */

static struct model_fpolicy *
p_find_policy(struct model_fset *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->npolicies; i++)
		if (strcmp(set->policies[i].id, id) == 0)
			return &set->policies[i];
	return NULL;
}

int
store_policy_set(struct store *s, const char *tenant_id,
    struct model_fset *out)
{
	struct model_frule *rules = NULL;
	struct p_link_row *links = NULL;
	struct model_fpolicy *p;
	struct model_fprofile *prof;
	void *arr = NULL;
	size_t nrules = 0, nlinks = 0, i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_fpolicy_list(s, tenant_id, -1, false, &out->policies,
	    &out->npolicies)) != 0 ||
	    (rc = store_fprofile_list(s, tenant_id, false, &out->profiles,
	    &out->nprofiles)) != 0)
		goto fail;
	if ((rc = p_list(s, P_RULE_LIST_ALL, tenant_id, NULL, sizeof(*rules),
	    p_row_rule, &arr, &nrules, __func__)) != 0)
		goto fail;
	rules = arr;
	if ((rc = p_links(s, tenant_id, NULL, &links, &nlinks)) != 0)
		goto fail;
	/*
	 * Rules come grouped by policy, in evaluation order. The reads are
	 * separate statements: a rule or link whose policy another writer
	 * deleted in between is left out (that write notifies, and the
	 * caller reads again).
	 */
	for (i = 0; i < nrules; i = k) {
		for (k = i + 1; k < nrules &&
		    strcmp(rules[k].policy_id, rules[i].policy_id) == 0; k++)
			;
		if ((p = p_find_policy(out, rules[i].policy_id)) == NULL ||
		    (p->rules = calloc(k - i, sizeof(*p->rules))) == NULL) {
			if (p != NULL) {
				rc = -1;
				goto fail;
			}
			continue;
		}
		memcpy(p->rules, &rules[i], (k - i) * sizeof(*rules));
		memset(&rules[i], 0, (k - i) * sizeof(*rules));
		p->nrules = k - i;
	}
	for (i = 0; i < out->nprofiles; i++) {
		prof = &out->profiles[i];
		for (k = 0; k < nlinks; k++) {
			if (strcmp(links[k].l.profile_id, prof->id) != 0 ||
			    p_find_policy(out, links[k].l.policy_id) == NULL)
				continue;
			if (prof->links == NULL && (prof->links = calloc(nlinks,
			    sizeof(*prof->links))) == NULL) {
				rc = -1;
				goto fail;
			}
			prof->links[prof->nlinks++] = links[k].l;
		}
	}
	store_frules_free(rules, nrules);
	free(links);
	return 0;
fail:
	store_frules_free(rules, nrules);
	free(links);
	model_fset_clear(out);
	return rc == 0 ? -1 : rc;
}
