/*
 * store_node.c - the nodes that share one store (schema version 7,
 * docs/nodes.md): registration, heartbeat and the node list, written once
 * for both backends as store_fwd.c's queries are (store_db.h).
 *
 * The heartbeat is wall-clock milliseconds, not monotonic time: it is
 * compared across processes and machines, which share only the wall
 * clock (NTP). Whether a node is down is never stored: a node that died
 * cannot write it, so every reader computes it from the heartbeat's age.
 * Node writes go through store_q_write() (a retried transaction) but send
 * no change notification: a heartbeat every few seconds per node must not
 * make every gateway re-read its configuration.
 */
#include "store_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

_Static_assert(MODEL_ZONES_MAX == 2, "the nodes table has two endpoints");
_Static_assert(STORE_NODE_MISSED == 3, "STORE_NODE_MISSED_SQL");
#define STORE_NODE_MISSED_SQL	"3"

#define N_COLS	"name, role, endpoint1, endpoint2, state, heartbeat_s, " \
	"started_ms, heartbeat_ms"

enum n_id { N_REGISTER, N_BEAT, N_LIST, N_GET, N_DELETE, N_P_GET, N_P_PICK,
	N_P_ADD, N_P_DROP, N_P_EP, N_P_OF_NODE, N_ZONES, N_STATE, N_P_MOVE,
	N_P_COUNT, N_ZS_CLEAR, N_NSTMT };

static const char *const n_sql[N_NSTMT] = {
	/* A restart keeps a drain the operator asked for (state). */
	[N_REGISTER] =
	    "INSERT INTO nodes (" N_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?6) "
	    "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
	    "endpoint1 = excluded.endpoint1, endpoint2 = excluded.endpoint2, "
	    "heartbeat_s = excluded.heartbeat_s, "
	    "started_ms = excluded.started_ms, "
	    "heartbeat_ms = excluded.heartbeat_ms",
	[N_BEAT] =
	    "UPDATE nodes SET heartbeat_ms = ?2 WHERE name = ?1",
	[N_LIST] =
	    "SELECT " N_COLS " FROM nodes ORDER BY name",
	[N_GET] =
	    "SELECT " N_COLS " FROM nodes WHERE name = ?1",
	[N_DELETE] =
	    "DELETE FROM nodes WHERE name = ?1",
	[N_P_GET] =
	    "SELECT zone, node FROM link_nodes WHERE link_id = ?1",
	/*
	 * The placement rule (docs/nodes.md): an active gateway, up at now
	 * (?2), serving the zone (?1); not the node of the link's other zone
	 * (?3) while another will do; then the fewest placed zones; then
	 * the name, so that the choice does not depend on row order.
	 */
	[N_P_PICK] =
	    "SELECT n.name FROM nodes n WHERE n.role = 'gateway' "
	    "AND n.state = 'active' "
	    "AND CASE WHEN ?1 = 1 THEN n.endpoint1 ELSE n.endpoint2 END <> 0 "
	    "AND n.heartbeat_ms >= ?2 - 1000 * "
	    STORE_NODE_MISSED_SQL " * n.heartbeat_s "
	    "ORDER BY CASE WHEN n.name = ?3 THEN 1 ELSE 0 END, "
	    "(SELECT count(*) FROM link_nodes p WHERE p.node = n.name), "
	    "n.name LIMIT 1",
	[N_P_ADD] =
	    "INSERT INTO link_nodes (link_id, zone, tenant_id, node) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[N_P_DROP] =
	    "DELETE FROM link_nodes WHERE link_id = ?1 AND zone = ?2",
	[N_P_EP] =
	    "SELECT p.zone, p.node, COALESCE(CASE WHEN p.zone = 1 THEN "
	    "n.endpoint1 ELSE n.endpoint2 END, 0) FROM link_nodes p "
	    "LEFT JOIN nodes n ON n.name = p.node "
	    "WHERE p.tenant_id = ?1 AND p.link_id = ?2",
	[N_P_OF_NODE] =
	    "SELECT DISTINCT link_id FROM link_nodes WHERE node = ?1 "
	    "ORDER BY link_id",
	[N_ZONES] =
	    "SELECT link_id, tenant_id, zone FROM link_nodes WHERE node = ?1 "
	    "ORDER BY link_id, zone",
	[N_STATE] =
	    "UPDATE nodes SET state = ?2 WHERE name = ?1",
	[N_P_MOVE] =
	    "UPDATE link_nodes SET node = ?3 WHERE link_id = ?1 AND zone = ?2",
	[N_P_COUNT] =
	    "SELECT count(*) FROM link_nodes WHERE node = ?1",
	[N_ZS_CLEAR] =
	    "DELETE FROM link_status WHERE node = ?1",
};

static const char *const n_role_names[] = { "api", "gateway" };
static const char *const n_state_names[] = { "active", "draining" };

static struct db_stmt *
n_stmt(struct store *s, enum n_id id)
{
	if (s->nstmt == NULL &&
	    (s->nstmt = calloc(N_NSTMT, sizeof(*s->nstmt))) == NULL)
		return NULL;
	if (s->nstmt[id] == NULL &&
	    (s->nstmt[id] = s->drv->prepare(s->db, n_sql[id])) == NULL)
		log_err("store: prepare node query %d: %s", (int)id,
		    s->drv->errmsg(s->db));
	return s->nstmt[id];
}

static void
n_done(struct db_stmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

static int
n_text(struct db_stmt *st, int i, const char *v)
{
	return st->drv->bind_text(st, i, v,
	    strnlen(v, STORE_NODE_NAME_MAX + 1)) != 0;
}

bool
store_node_name_valid(const char *name)
{
	size_t i, len = strnlen(name, STORE_NODE_NAME_MAX + 1);

	if (len == 0 || len > STORE_NODE_NAME_MAX || name[0] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

const char *
store_node_role_name(int role)
{
	return role == STORE_NODE_API || role == STORE_NODE_GATEWAY ?
	    n_role_names[role] : "?";
}

bool
store_node_down(const struct store_node *n, int64_t now_ms)
{
	return now_ms - n->heartbeat_ms >
	    (int64_t)STORE_NODE_MISSED * n->heartbeat_s * 1000;
}

const char *
store_node_state_name(const struct store_node *n, int64_t now_ms)
{
	if (store_node_down(n, now_ms))
		return "down";
	return n->state == STORE_NODE_DRAINING ? "draining" : "up";
}

static int
n_col_name(struct db_stmt *st, int col, const char *const *names, int *out)
{
	char buf[16];
	int i;

	if (store_col_text(st, col, buf, sizeof(buf), false) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (strcmp(buf, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static int
n_row(struct db_stmt *st, void *arg)
{
	struct store_node *n = arg;
	int64_t ep[MODEL_ZONES_MAX], hb;
	int errs = 0, z;

	memset(n, 0, sizeof(*n));
	errs += store_col_text(st, 0, n->name, sizeof(n->name), false) == -1;
	errs += n_col_name(st, 1, n_role_names, &n->role) == -1;
	for (z = 0; z < MODEL_ZONES_MAX; z++) {
		errs += store_col_int(st, 2 + z, 0, UINT32_MAX, &ep[z]) == -1;
		n->endpoint[z] = (uint32_t)ep[z];
	}
	errs += n_col_name(st, 4, n_state_names, &n->state) == -1;
	errs += store_col_int(st, 5, 1, 60, &hb) == -1;
	n->heartbeat_s = (unsigned)hb;
	errs += store_col_int(st, 6, INT64_MIN, INT64_MAX,
	    &n->started_ms) == -1;
	errs += store_col_int(st, 7, INT64_MIN, INT64_MAX,
	    &n->heartbeat_ms) == -1;
	if (errs != 0) {
		log_err("store: corrupt node row %s", n->name);
		return -1;
	}
	return 0;
}

struct n_reg_arg {
	const struct store_node	*n;
	int64_t			 now_ms;
};

static int
n_register(struct store *s, const void *arg)
{
	const struct n_reg_arg *a = arg;
	struct db_stmt *st;
	int errs = 0, rc, z;

	if ((st = n_stmt(s, N_REGISTER)) == NULL)
		return -1;
	errs += n_text(st, 1, a->n->name);
	errs += n_text(st, 2, n_role_names[a->n->role]);
	for (z = 0; z < MODEL_ZONES_MAX; z++)
		errs += st->drv->bind_int(st, 3 + z, a->n->endpoint[z]) != 0;
	errs += st->drv->bind_int(st, 5, a->n->heartbeat_s) != 0;
	errs += st->drv->bind_int(st, 6, a->now_ms) != 0;
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	n_done(st);
	return rc;
}

int
store_node_register(struct store *s, const struct store_node *n,
    int64_t now_ms)
{
	struct n_reg_arg a = { n, now_ms };

	if (!store_node_name_valid(n->name) ||
	    (n->role != STORE_NODE_API && n->role != STORE_NODE_GATEWAY) ||
	    n->heartbeat_s < 1 || n->heartbeat_s > 60) {
		log_err("%s: node %.*s has a value out of range", __func__,
		    STORE_NODE_NAME_MAX, n->name);
		return -1;
	}
	return store_q_write(s, n_register, &a);
}

struct n_name_arg {
	const char	*name;
	int64_t		 now_ms;
};

/* One statement on a name: a heartbeat (N_BEAT) or a delete. */
static int
n_by_name(struct store *s, enum n_id id, const struct n_name_arg *a)
{
	struct db_stmt *st;
	int errs, rc;

	if ((st = n_stmt(s, id)) == NULL)
		return -1;
	errs = n_text(st, 1, a->name);
	if (id == N_BEAT)
		errs += st->drv->bind_int(st, 2, a->now_ms) != 0;
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	if (rc == 0 && st->drv->changes(st) == 0)
		rc = STORE_NOTFOUND;
	n_done(st);
	return rc;
}

static int
n_beat(struct store *s, const void *arg)
{
	return n_by_name(s, N_BEAT, arg);
}

static int
n_delete(struct store *s, const void *arg)
{
	return n_by_name(s, N_DELETE, arg);
}

int
store_node_heartbeat(struct store *s, const char *name, int64_t now_ms)
{
	struct n_name_arg a = { name, now_ms };

	return store_q_write(s, n_beat, &a);
}

int
store_node_delete(struct store *s, const char *name)
{
	struct n_name_arg a = { name, 0 };

	return store_q_write(s, n_delete, &a);
}

int
store_node_list(struct store *s, struct store_node **out, size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = n_stmt(s, N_LIST)) == NULL)
		return -1;
	rc = store_map_list(st, 0, __func__, sizeof(**out), n_row, &arr, n);
	n_done(st);
	*out = arr;
	return rc;
}

int
store_node_get(struct store *s, const char *name, struct store_node *out)
{
	struct db_stmt *st;
	int rc;

	if ((st = n_stmt(s, N_GET)) == NULL)
		return -1;
	rc = store_map_one(st, n_text(st, 1, name), __func__, n_row, out);
	n_done(st);
	return rc;
}

/* --- placement ------------------------------------------------------------ */

struct n_place {
	char		node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1];
	uint32_t	ep[MODEL_ZONES_MAX];
};

static int
n_place_row(struct db_stmt *st, void *arg)
{
	struct n_place *p = arg;
	int64_t zone, ep = 0;
	char name[STORE_NODE_NAME_MAX + 1];

	if (store_col_int(st, 0, 1, MODEL_ZONES_MAX, &zone) == -1 ||
	    store_col_text(st, 1, name, sizeof(name), false) == -1 ||
	    (st->drv->col_type(st, 2) != DB_T_NULL &&
	    store_col_int(st, 2, 0, UINT32_MAX, &ep) == -1)) {
		log_err("store: corrupt link placement row");
		return -1;
	}
	memcpy(p->node[zone - 1], name, sizeof(name));
	p->ep[zone - 1] = (uint32_t)ep;
	return 0;
}

/* Every row of one link (N_P_GET or N_P_EP) into *p. */
static int
n_place_read(struct store *s, enum n_id id, const char *tenant_id,
    const char *link_id, struct n_place *p)
{
	struct db_stmt *st;
	int errs = 0, rc;

	memset(p, 0, sizeof(*p));
	if ((st = n_stmt(s, id)) == NULL)
		return -1;
	if (id == N_P_EP) {
		errs += st->drv->bind_text(st, 1, tenant_id,
		    strnlen(tenant_id, MODEL_ID_LEN + 1)) != 0;
		errs += st->drv->bind_text(st, 2, link_id,
		    strnlen(link_id, MODEL_ID_LEN + 1)) != 0;
	} else
		errs += st->drv->bind_text(st, 1, link_id,
		    strnlen(link_id, MODEL_ID_LEN + 1)) != 0;
	if (errs != 0) {
		n_done(st);
		return -1;
	}
	while ((rc = store_map_step(st, 0, __func__)) == DB_ROW)
		if (n_place_row(st, p) == -1) {
			rc = DB_ERR;
			break;
		}
	n_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
}

static int
n_exec_zone(struct store *s, enum n_id id, const char *link_id, int zone,
    const char *tenant_id, const char *node)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = n_stmt(s, id)) == NULL)
		return -1;
	errs += st->drv->bind_text(st, 1, link_id,
	    strnlen(link_id, MODEL_ID_LEN + 1)) != 0;
	errs += st->drv->bind_int(st, 2, zone) != 0;
	if (id == N_P_ADD) {
		errs += st->drv->bind_text(st, 3, tenant_id,
		    strnlen(tenant_id, MODEL_ID_LEN + 1)) != 0;
		errs += n_text(st, 4, node);
	}
	rc = store_map_step(st, errs, __func__);
	n_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
}

/* The node for zone, by the rule of N_P_PICK; STORE_NOTFOUND: none. */
static int
n_pick(struct store *s, int zone, int64_t now_ms, const char *other,
    char out[STORE_NODE_NAME_MAX + 1])
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = n_stmt(s, N_P_PICK)) == NULL)
		return -1;
	errs += st->drv->bind_int(st, 1, zone) != 0;
	errs += st->drv->bind_int(st, 2, now_ms) != 0;
	errs += n_text(st, 3, other);
	rc = store_map_step(st, errs, __func__);
	if (rc == DB_ROW)
		rc = store_col_text(st, 0, out, STORE_NODE_NAME_MAX + 1,
		    false) == -1 ? -1 : 0;
	else
		rc = rc == DB_DONE ? STORE_NOTFOUND : rc < 0 ?
		    store_map_rc(rc) : -1;
	n_done(st);
	return rc;
}

struct n_place_arg {
	const char		*tenant_id;
	const struct model_link	*l;
	int64_t			 now_ms;
};

static int
n_place(struct store *s, const void *arg)
{
	const struct n_place_arg *a = arg;
	struct n_place p;
	int z, nz, rc;

	if ((rc = n_place_read(s, N_P_GET, a->tenant_id, a->l->id, &p)) != 0)
		return rc;
	nz = a->l->redundancy == MODEL_RED_ZONE ? 2 : 1;
	for (z = 0; z < MODEL_ZONES_MAX; z++) {
		if (z >= nz) {
			/* The tier went down: the zone is served no more. */
			if (p.node[z][0] != '\0' && (rc = n_exec_zone(s,
			    N_P_DROP, a->l->id, z + 1, NULL, NULL)) != 0)
				return rc;
			continue;
		}
		if (p.node[z][0] != '\0')
			continue;	/* placed before: a link stays put */
		rc = n_pick(s, z + 1, a->now_ms, p.node[z == 0 ? 1 : 0],
		    p.node[z]);
		if (rc == STORE_NOTFOUND) {
			model_errs_add(&s->conflict, "redundancyConfiguration",
			    "no gateway node that is up serves zone %d: "
			    "start one with --endpoint %d=IP", z + 1, z + 1);
			return STORE_CONFLICT;
		}
		if (rc != 0 || (rc = n_exec_zone(s, N_P_ADD, a->l->id, z + 1,
		    a->tenant_id, p.node[z])) != 0)
			return rc;
	}
	return 0;
}

int
store_link_place(struct store *s, const char *tenant_id,
    const struct model_link *l, int64_t now_ms)
{
	struct n_place_arg a = { tenant_id, l, now_ms };

	return store_q_write(s, n_place, &a);
}

int
store_link_nodes(struct store *s, const char *tenant_id, const char *link_id,
    char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1],
    uint32_t ep[MODEL_ZONES_MAX])
{
	struct n_place p;
	int rc;

	if ((rc = n_place_read(s, N_P_EP, tenant_id, link_id, &p)) != 0)
		return rc;
	memcpy(node, p.node, sizeof(p.node));
	memcpy(ep, p.ep, sizeof(p.ep));
	return 0;
}

static int
n_id_row(struct db_stmt *st, void *arg)
{
	return store_col_text(st, 0, arg, MODEL_ID_LEN + 1, false) == -1 ?
	    -1 : 0;
}

int
store_node_links(struct store *s, const char *node,
    char (**out)[MODEL_ID_LEN + 1], size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = n_stmt(s, N_P_OF_NODE)) == NULL)
		return -1;
	rc = store_map_list(st, n_text(st, 1, node), __func__, sizeof(**out),
	    n_id_row, &arr, n);
	n_done(st);
	*out = arr;
	return rc;
}

/* --- the operator's actions: drain, activate, remove --------------------- */

static int
n_zone_row(struct db_stmt *st, void *arg)
{
	struct store_node_zone *z = arg;
	int64_t zone;

	memset(z, 0, sizeof(*z));
	if (store_col_text(st, 0, z->link_id, sizeof(z->link_id), false) == -1 ||
	    store_col_text(st, 1, z->tenant_id, sizeof(z->tenant_id),
	    false) == -1 ||
	    store_col_int(st, 2, 1, MODEL_ZONES_MAX, &zone) == -1) {
		log_err("store: corrupt link placement row");
		return -1;
	}
	z->zone = (int)zone;
	return 0;
}

int
store_node_zones(struct store *s, const char *node,
    struct store_node_zone **out, size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = n_stmt(s, N_ZONES)) == NULL)
		return -1;
	rc = store_map_list(st, n_text(st, 1, node), __func__, sizeof(**out),
	    n_zone_row, &arr, n);
	n_done(st);
	*out = arr;
	return rc;
}

/* One statement on a node's name (and ?2 text, ?3...): 0, NOTFOUND or a code. */
static int
n_exec_name(struct store *s, enum n_id id, const char *name, const char *v2,
    bool need_row)
{
	struct db_stmt *st;
	int errs, rc;

	if ((st = n_stmt(s, id)) == NULL)
		return -1;
	errs = n_text(st, 1, name);
	if (v2 != NULL)
		errs += n_text(st, 2, v2);
	rc = store_map_step(st, errs, __func__);
	rc = rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
	if (rc == 0 && need_row && st->drv->changes(st) == 0)
		rc = STORE_NOTFOUND;
	n_done(st);
	return rc;
}

struct n_drain_arg {
	const char		*name;
	int64_t			 now_ms;
	struct store_node_move	**moves;
	size_t			*nmoves;
};

static int
n_move(struct store *s, const struct store_node_zone *z, const char *to)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = n_stmt(s, N_P_MOVE)) == NULL)
		return -1;
	errs += st->drv->bind_text(st, 1, z->link_id,
	    strnlen(z->link_id, MODEL_ID_LEN + 1)) != 0;
	errs += st->drv->bind_int(st, 2, z->zone) != 0;
	errs += n_text(st, 3, to);
	rc = store_map_step(st, errs, __func__);
	n_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
}

/*
 * The node leaves the candidates first (its state, in this transaction),
 * then each of its zones goes where placement would put it now, the
 * link's other zone read afresh each time (it may have just moved).
 */
static int
n_drain(struct store *s, const void *arg)
{
	const struct n_drain_arg *a = arg;
	struct store_node_zone *zs = NULL;
	struct store_node_move *mv = NULL;
	struct n_place p;
	size_t n = 0, i;
	int rc;

	free(*a->moves);
	*a->moves = NULL;
	*a->nmoves = 0;
	if ((rc = n_exec_name(s, N_STATE, a->name, "draining", true)) != 0 ||
	    (rc = store_node_zones(s, a->name, &zs, &n)) != 0)
		goto out;
	if (n > 0 && (mv = calloc(n, sizeof(*mv))) == NULL) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((rc = n_place_read(s, N_P_GET, zs[i].tenant_id,
		    zs[i].link_id, &p)) != 0)
			goto out;
		rc = n_pick(s, zs[i].zone, a->now_ms,
		    p.node[zs[i].zone == 1 ? 1 : 0], mv[i].to);
		if (rc == STORE_NOTFOUND) {
			model_errs_add(&s->conflict, "name", "no other gateway "
			    "node that is up serves zone %d of device link %s: "
			    "nothing was moved", zs[i].zone, zs[i].link_id);
			rc = STORE_CONFLICT;
		}
		if (rc != 0 || (rc = n_move(s, &zs[i], mv[i].to)) != 0 ||
		    (rc = store_q_notify(s, zs[i].tenant_id, "deviceLink",
		    zs[i].link_id)) != 0)
			goto out;
		memcpy(mv[i].link_id, zs[i].link_id, sizeof(mv[i].link_id));
		memcpy(mv[i].tenant_id, zs[i].tenant_id,
		    sizeof(mv[i].tenant_id));
		mv[i].zone = zs[i].zone;
	}
	*a->moves = mv;
	*a->nmoves = n;
	mv = NULL;
out:
	free(mv);
	free(zs);
	return rc;
}

int
store_node_drain(struct store *s, const char *name, int64_t now_ms,
    struct store_node_move **moves, size_t *nmoves)
{
	struct n_drain_arg a = { name, now_ms, moves, nmoves };
	int rc;

	*moves = NULL;
	*nmoves = 0;
	if ((rc = store_q_write(s, n_drain, &a)) != 0) {
		free(*moves);
		*moves = NULL;
		*nmoves = 0;
	}
	return rc;
}

static int
n_activate(struct store *s, const void *arg)
{
	return n_exec_name(s, N_STATE, arg, "active", true);
}

int
store_node_activate(struct store *s, const char *name)
{
	return store_q_write(s, n_activate, name);
}

static int
n_remove(struct store *s, const void *arg)
{
	const char *name = arg;
	struct db_stmt *st;
	size_t placed = 0;
	int rc;

	if ((st = n_stmt(s, N_P_COUNT)) == NULL)
		return -1;
	rc = store_map_count(st, n_text(st, 1, name), __func__, &placed);
	n_done(st);
	if (rc != 0)
		return rc;
	if (placed > 0) {
		/* Checked before the row, so a missing node is still 404. */
		struct store_node n;

		if ((rc = store_node_get(s, name, &n)) != 0)
			return rc;
		model_errs_add(&s->conflict, "name", "%zu zone(s) of device "
		    "links are placed on node %s: drain it first", placed,
		    name);
		return STORE_CONFLICT;
	}
	if ((rc = n_exec_name(s, N_DELETE, name, NULL, true)) != 0)
		return rc;
	return n_exec_name(s, N_ZS_CLEAR, name, NULL, false);
}

int
store_node_remove(struct store *s, const char *name)
{
	return store_q_write(s, n_remove, name);
}
