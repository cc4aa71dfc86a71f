/*
 * store_traffic.c - the traffic log store (store_traffic.h) over the same
 * drivers as the configuration store (store_db.h), on a connection and a
 * schema of its own: a separate SQLite file (so the two files' write locks
 * are independent), or the table traffic_logs on its own PostgreSQL
 * session. Its schema version lives in traffic_log_schema, not in the
 * main store's slot, so either can migrate without the other.
 *
 * Durability (SQLite): WAL with synchronous=NORMAL. A committed batch
 * survives kill -9 of the daemon (the WAL is in the OS's page cache); an
 * OS crash or power loss can take back the transactions since the last
 * WAL sync. Records not yet handed to store_traffic_add() (the workers'
 * rings, the batch being built) are lost with the process: at most one
 * batch. docs/store.md, "Traffic logs".
 *
 * Queries: a page is one of a fixed set of statements, one per (order
 * field, direction), all with the same WHERE: an optional eq per field
 * ("CAST(?N AS T) IS NULL OR col = ?N") and the keyset cursor. A fixed
 * set, because the drivers keep a prepared statement until close: SQL
 * built per request would grow without bound. Column names come from the
 * table below only, never from a request.
 */
#include "store_traffic.h"
#include "store_db.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "wallclock.h"

#define TS_VERSION		1
#define TS_PRUNE_CHUNK		5000
#define TS_PRUNE_PERIOD_S	60
#define TS_DAY_MS		(86400 * (int64_t)1000)

/* Parameters of a page: tenant, one per field, then these. */
#define TS_P_FIELD(f)	((int)(f) + 2)
#define TS_P_SINCE	(STF_NFIELDS + 2)
#define TS_P_UNTIL	(STF_NFIELDS + 3)
#define TS_P_AFTER_V	(STF_NFIELDS + 4)
#define TS_P_AFTER_ID	(STF_NFIELDS + 5)
#define TS_P_LIMIT	(STF_NFIELDS + 6)

static const char *const ts_action_names[] = { "allow", "block" };
const struct model_enum store_traffic_action_enum = {
	"filteringPolicyAction", ts_action_names,
	sizeof(ts_action_names) / sizeof(ts_action_names[0])
};
static const char *const ts_type_names[] = { "internet", "microsoft365" };
const struct model_enum store_traffic_type_enum = {
	"trafficType", ts_type_names,
	sizeof(ts_type_names) / sizeof(ts_type_names[0])
};

/* enum store_traffic_field order. */
static const struct {
	const char	*col;
	char		 kind;		/* 'T' text, 'N' number, 'E' enum */
	const struct model_enum *e;
} ts_fields[STF_NFIELDS] = {
	[STF_TRANSACTION_ID] =	{ "transaction_id", 'T', NULL },
	[STF_CREATED] =		{ "created_ms", 'N', NULL },
	[STF_UPDATED] =		{ "updated_ms", 'N', NULL },
	[STF_CONNECTION_ID] =	{ "connection_id", 'T', NULL },
	[STF_SESSION_ID] =	{ "session_id", 'T', NULL },
	[STF_TRAFFIC_TYPE] =	{ "traffic_type", 'E', &store_traffic_type_enum },
	[STF_SRC_IP] =		{ "src_ip", 'N', NULL },
	[STF_SRC_PORT] =	{ "src_port", 'N', NULL },
	[STF_DST_IP] =		{ "dst_ip", 'N', NULL },
	[STF_DST_PORT] =	{ "dst_port", 'N', NULL },
	[STF_PROTO] =		{ "proto", 'N', NULL },
	[STF_FQDN] =		{ "fqdn", 'T', NULL },
	[STF_ACTION] =		{ "action", 'E', &store_traffic_action_enum },
	[STF_POLICY_ID] =	{ "policy_id", 'T', NULL },
	[STF_RULE_ID] =		{ "rule_id", 'T', NULL },
	[STF_REASON] =		{ "reason", 'T', NULL },
	[STF_SENT] =		{ "sent_bytes", 'N', NULL },
	[STF_RECEIVED] =	{ "received_bytes", 'N', NULL },
	[STF_RN_ID] =		{ "rn_id", 'T', NULL },
	[STF_LINK_ID] =		{ "link_id", 'T', NULL },
};

/*
 * Every column NOT NULL ("" for none), so that comparisons, and with
 * them the keyset cursor, are defined on every row. No foreign key to the
 * tenants: they live in another database (SQLite).
 */
static const char *const ts_migrations[TS_VERSION] = {
	"CREATE TABLE traffic_logs ("
	"  transaction_id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  created_ms @I64@ NOT NULL,"
	"  updated_ms @I64@ NOT NULL,"
	"  rn_id TEXT NOT NULL,"
	"  link_id TEXT NOT NULL,"
	"  connection_id TEXT NOT NULL,"
	"  session_id TEXT NOT NULL,"
	"  traffic_type TEXT NOT NULL"
	"    CHECK (traffic_type IN ('internet', 'microsoft365')),"
	"  src_ip @I64@ NOT NULL,"
	"  dst_ip @I64@ NOT NULL,"
	"  src_port @I64@ NOT NULL,"
	"  dst_port @I64@ NOT NULL,"
	"  proto @I64@ NOT NULL,"
	"  fqdn TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('allow', 'block')),"
	"  policy_id TEXT NOT NULL,"
	"  rule_id TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  sent_bytes @I64@ NOT NULL,"
	"  received_bytes @I64@ NOT NULL,"
	"  sent_packets @I64@ NOT NULL"
	")@STRICT@;"
	"CREATE UNIQUE INDEX traffic_logs_conn"
	"  ON traffic_logs (tenant_id, connection_id);"
	"CREATE INDEX traffic_logs_time"
	"  ON traffic_logs (tenant_id, created_ms, transaction_id);"
	"CREATE INDEX traffic_logs_age ON traffic_logs (updated_ms);",
};

#define TS_COLS								\
	"transaction_id, tenant_id, created_ms, updated_ms, rn_id, link_id, "	\
	"connection_id, session_id, traffic_type, src_ip, dst_ip, src_port, "	\
	"dst_port, proto, fqdn, action, policy_id, rule_id, reason, "	\
	"sent_bytes, received_bytes, sent_packets"
enum ts_col {
	TC_TXID, TC_TENANT, TC_CREATED, TC_UPDATED, TC_RN, TC_LINK, TC_CONN,
	TC_SESSION, TC_TTYPE, TC_SRC_IP, TC_DST_IP, TC_SRC_PORT, TC_DST_PORT,
	TC_PROTO, TC_FQDN, TC_ACTION, TC_POLICY, TC_RULE, TC_REASON, TC_SENT,
	TC_RECEIVED, TC_PACKETS, TC_NCOLS
};

enum ts_q {
	TQ_ADD, TQ_GET, TQ_COUNT_ALL, TQ_PRUNE_AGE, TQ_PRUNE_OLDEST,
	TQ_VERSION_GET, TQ_COUNT, TQ_SUM_ACTION, TQ_SUM_POLICY, TQ_SUM_DEST,
	TQ_SUM_TTYPE, TQ_NFIXED
};

/*
 * The flow's row: an update (a long flow's periodic record, then its
 * last) carries the totals so far; one older than the stored row changes
 * nothing, so records arriving out of order cannot wind counters back.
 * transactionId and createdDateTime stay those of the first record.
 */
#define TS_SUM(key)							\
	"SELECT " key ", CAST(count(*) AS BIGINT), "			\
	"CAST(sum(CASE WHEN action = 'block' THEN 1 ELSE 0 END) AS BIGINT), " \
	"CAST(sum(sent_bytes) AS BIGINT), CAST(sum(received_bytes) AS BIGINT) " \
	"FROM traffic_logs WHERE tenant_id = ?1 AND created_ms >= ?2 "	\
	"AND created_ms <= ?3 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT ?4"

static const char *const ts_sql[TQ_NFIXED] = {
	[TQ_ADD] =
	    "INSERT INTO traffic_logs (" TS_COLS ") VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
	    "?19, ?20, ?21, ?22) "
	    "ON CONFLICT (tenant_id, connection_id) DO UPDATE SET "
	    "updated_ms = excluded.updated_ms, rn_id = excluded.rn_id, "
	    "link_id = excluded.link_id, session_id = excluded.session_id, "
	    "fqdn = CASE WHEN excluded.fqdn <> '' THEN excluded.fqdn "
	    "ELSE traffic_logs.fqdn END, "
	    "action = excluded.action, policy_id = excluded.policy_id, "
	    "rule_id = excluded.rule_id, reason = excluded.reason, "
	    "sent_bytes = excluded.sent_bytes, "
	    "received_bytes = excluded.received_bytes, "
	    "sent_packets = excluded.sent_packets "
	    "WHERE excluded.updated_ms >= traffic_logs.updated_ms",
	[TQ_GET] =
	    "SELECT " TS_COLS " FROM traffic_logs "
	    "WHERE tenant_id = ?1 AND transaction_id = ?2",
	[TQ_COUNT_ALL] = "SELECT count(*) FROM traffic_logs",
	[TQ_PRUNE_AGE] =
	    "DELETE FROM traffic_logs WHERE transaction_id IN "
	    "(SELECT transaction_id FROM traffic_logs WHERE updated_ms < ?1 "
	    "ORDER BY updated_ms LIMIT ?2)",
	[TQ_PRUNE_OLDEST] =
	    "DELETE FROM traffic_logs WHERE transaction_id IN "
	    "(SELECT transaction_id FROM traffic_logs "
	    "ORDER BY updated_ms, transaction_id LIMIT ?1)",
	[TQ_VERSION_GET] = "SELECT version FROM traffic_log_schema",
	[TQ_COUNT] = NULL,	/* built at open: SELECT count(*) + the WHERE */
	[TQ_SUM_ACTION] = TS_SUM("action, 0"),
	[TQ_SUM_POLICY] = TS_SUM("policy_id, 0"),
	[TQ_SUM_DEST] = TS_SUM("fqdn, CASE WHEN fqdn = '' THEN dst_ip ELSE 0 END"),
	[TQ_SUM_TTYPE] = TS_SUM("traffic_type, 0"),
};

struct store_traffic {
	struct db		*db;
	const struct store_db_driver *drv;
	const char		*begin_sql;
	char			*where;		/* the page filter, ?1..?23 */
	struct db_stmt		*stmt[TQ_NFIXED];
	struct db_stmt		*page[STF_NFIELDS][2];
};

bool
store_traffic_field_is_text(enum store_traffic_field f)
{
	return (unsigned)f < STF_NFIELDS && ts_fields[f].kind == 'T';
}

/* --- URLs, open ----------------------------------------------------------- */

static bool
ts_is_pg(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0;
}

int
store_traffic_url(const char *url, char *out, size_t size)
{
	const char *path = url;
	int n;

	if (url == NULL || url[0] == '\0')
		return -1;
	if (ts_is_pg(url))
		n = snprintf(out, size, "%s", url);
	else {
		if (strncmp(url, "sqlite:", 7) == 0)
			path = url + 7;
		if (strcmp(path, ":memory:") == 0)
			n = snprintf(out, size, "sqlite::memory:");
		else
			n = snprintf(out, size, "sqlite:%s-traffic", path);
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static struct db_stmt *
ts_stmt(struct store_traffic *t, enum ts_q q)
{
	if (t->stmt[q] == NULL && (t->stmt[q] = t->drv->prepare(t->db,
	    ts_sql[q] != NULL ? ts_sql[q] : "")) == NULL)
		log_err("store_traffic: prepare %d: %s", (int)q,
		    t->drv->errmsg(t->db));
	return t->stmt[q];
}

static void
ts_done(struct db_stmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

static int
ts_version_get(struct store_traffic *t, int *v)
{
	struct db_stmt *st;
	int64_t n = 0;
	int rc;

	*v = 0;
	if ((st = ts_stmt(t, TQ_VERSION_GET)) == NULL)
		return -1;
	rc = store_map_step(st, 0, __func__);
	if (rc == DB_ROW)
		rc = store_col_int(st, 0, 0, INT_MAX, &n);
	else
		rc = rc == DB_DONE ? 0 : -1;
	ts_done(st);
	*v = (int)n;
	return rc;
}

/*
 * Under the driver's migration lock (PostgreSQL: an advisory lock; SQLite:
 * BEGIN IMMEDIATE), so that two daemons starting at once migrate once.
 */
static int
ts_migrate(struct store_traffic *t, char *err, size_t errlen)
{
	char *sql = NULL, set[96];
	int v = 0;

	if (t->drv->exec(t->db, t->drv->migrate_begin_sql) != 0 ||
	    t->drv->migrate_lock(t->db) != 0 ||
	    t->drv->exec(t->db, "CREATE TABLE IF NOT EXISTS traffic_log_schema "
	    "(version INTEGER NOT NULL)") != 0 ||
	    ts_version_get(t, &v) != 0)
		goto fail_db;
	if (v < 0 || v > TS_VERSION) {
		snprintf(err, errlen, "traffic log schema version %d is not "
		    "one this build knows (0..%d)", v, TS_VERSION);
		goto fail;
	}
	for (; v < TS_VERSION; v++) {
		if ((sql = store_q_dialect(t->drv, ts_migrations[v])) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (t->drv->exec(t->db, sql) != 0)
			goto fail_db;
		free(sql);
		sql = NULL;
		/* An integer of ours, not caller data. */
		snprintf(set, sizeof(set), "DELETE FROM traffic_log_schema; "
		    "INSERT INTO traffic_log_schema VALUES (%d)", v + 1);
		if (t->drv->exec(t->db, set) != 0)
			goto fail_db;
		log_info("store: %s traffic log at schema version %d",
		    t->drv->name, v + 1);
	}
	if (t->drv->exec(t->db, "COMMIT") != 0)
		goto fail_db;
	return 0;
fail_db:
	snprintf(err, errlen, "traffic log schema: %s", t->drv->errmsg(t->db));
fail:
	free(sql);
	if (t->drv->in_tx(t->db))
		t->drv->exec(t->db, "ROLLBACK");
	return -1;
}

/* The WHERE of a page and of its count: ?1 .. ?TS_P_UNTIL. */
static char *
ts_where(void)
{
	size_t size = 4096, pos;
	char *w;
	int i;

	if ((w = malloc(size)) == NULL)
		return NULL;
	pos = (size_t)snprintf(w, size, "WHERE tenant_id = ?1");
	for (i = 0; i < STF_NFIELDS; i++)
		pos += (size_t)snprintf(w + pos, size - pos, " AND (CAST(?%d AS "
		    "%s) IS NULL OR %s = ?%d)", TS_P_FIELD(i),
		    ts_fields[i].kind == 'N' ? "BIGINT" : "TEXT",
		    ts_fields[i].col, TS_P_FIELD(i));
	pos += (size_t)snprintf(w + pos, size - pos,
	    " AND (CAST(?%d AS BIGINT) IS NULL OR created_ms >= ?%d)"
	    " AND (CAST(?%d AS BIGINT) IS NULL OR created_ms <= ?%d)",
	    TS_P_SINCE, TS_P_SINCE, TS_P_UNTIL, TS_P_UNTIL);
	if (pos >= size) {
		free(w);
		return NULL;
	}
	return w;
}

int
store_traffic_open(const char *url, const char *traffic_url,
    struct store_traffic **out, char *err, size_t errlen)
{
	struct store_traffic *t = NULL;
	char target[1100], dummy[1], *count = NULL;
	const char *u = traffic_url;
	size_t len;

	*out = NULL;
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (u == NULL || u[0] == '\0') {
		if (store_traffic_url(url, target, sizeof(target)) == -1) {
			snprintf(err, errlen, "no traffic log store for this "
			    "store URL");
			goto fail;
		}
		u = target;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (ts_is_pg(u)) {
		t->drv = &store_pg_driver;
		/* Read committed: appends need no serializable snapshot. */
		t->begin_sql = "BEGIN";
	} else {
		if (strncmp(u, "sqlite:", 7) == 0)
			u += 7;
		else if (strstr(u, "://") != NULL) {
			snprintf(err, errlen, "unsupported traffic store URL "
			    "scheme");
			goto fail;
		}
		if (u[0] == '\0') {
			snprintf(err, errlen, "traffic store URL has an empty "
			    "path");
			goto fail;
		}
		t->drv = &store_sqlite_driver;
		t->begin_sql = "BEGIN IMMEDIATE";
	}
	if (t->drv->open(u, &t->db, err, errlen) == -1)
		goto fail;
	/* Logs: a commit need not wait for the disk (see the file top). */
	if (t->drv == &store_sqlite_driver &&
	    t->drv->exec(t->db, "PRAGMA synchronous = NORMAL") != 0) {
		snprintf(err, errlen, "traffic log: %s", t->drv->errmsg(t->db));
		goto fail;
	}
	if (ts_migrate(t, err, errlen) == -1)
		goto fail;
	if ((t->where = ts_where()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	len = strlen(t->where) + 64;
	if ((count = malloc(len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(count, len, "SELECT count(*) FROM traffic_logs %s", t->where);
	t->stmt[TQ_COUNT] = t->drv->prepare(t->db, count);
	free(count);
	if (t->stmt[TQ_COUNT] == NULL) {
		snprintf(err, errlen, "traffic log: %s", t->drv->errmsg(t->db));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	store_traffic_close(t);
	return -1;
}

/* The driver finalizes the statements. */
void
store_traffic_close(struct store_traffic *t)
{
	if (t == NULL)
		return;
	if (t->db != NULL)
		t->drv->close(t->db);
	free(t->where);
	free(t);
}

/* --- binding, rows --------------------------------------------------------- */

static int
ts_text(struct db_stmt *st, int i, const char *v)
{
	return st->drv->bind_text(st, i, v, v != NULL ? strlen(v) : 0) != 0;
}

static int
ts_buf(struct db_stmt *st, int i, const char *buf, size_t size)
{
	return st->drv->bind_text(st, i, buf, strnlen(buf, size)) != 0;
}

static int
ts_int(struct db_stmt *st, int i, int64_t v)
{
	return st->drv->bind_int(st, i, v) != 0;
}

/* Counters are unsigned; the column is a signed 64-bit integer. */
static int64_t
ts_u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static bool
ts_rec_ok(const struct model_traffic *r)
{
	return r->transaction_id[0] != '\0' && r->tenant_id[0] != '\0' &&
	    r->connection_id[0] != '\0' &&
	    model_enum_name(&store_traffic_type_enum, r->traffic_type) !=
	    NULL && model_enum_name(&store_traffic_action_enum, r->action) !=
	    NULL && memchr(r->fqdn, '\0', sizeof(r->fqdn)) != NULL &&
	    memchr(r->reason, '\0', sizeof(r->reason)) != NULL;
}

static int
ts_bind_rec(struct db_stmt *st, const struct model_traffic *r)
{
	int errs = 0;

	errs += ts_buf(st, TC_TXID + 1, r->transaction_id,
	    sizeof(r->transaction_id));
	errs += ts_buf(st, TC_TENANT + 1, r->tenant_id, sizeof(r->tenant_id));
	errs += ts_int(st, TC_CREATED + 1, r->created_ms);
	errs += ts_int(st, TC_UPDATED + 1, r->updated_ms > r->created_ms ?
	    r->updated_ms : r->created_ms);
	errs += ts_buf(st, TC_RN + 1, r->rn_id, sizeof(r->rn_id));
	errs += ts_buf(st, TC_LINK + 1, r->link_id, sizeof(r->link_id));
	errs += ts_buf(st, TC_CONN + 1, r->connection_id,
	    sizeof(r->connection_id));
	errs += ts_buf(st, TC_SESSION + 1, r->session_id, sizeof(r->session_id));
	errs += ts_text(st, TC_TTYPE + 1, model_enum_name(
	    &store_traffic_type_enum, r->traffic_type));
	errs += ts_int(st, TC_SRC_IP + 1, r->src_ip);
	errs += ts_int(st, TC_DST_IP + 1, r->dst_ip);
	errs += ts_int(st, TC_SRC_PORT + 1, r->src_port);
	errs += ts_int(st, TC_DST_PORT + 1, r->dst_port);
	errs += ts_int(st, TC_PROTO + 1, r->proto);
	errs += ts_buf(st, TC_FQDN + 1, r->fqdn, sizeof(r->fqdn));
	errs += ts_text(st, TC_ACTION + 1, model_enum_name(
	    &store_traffic_action_enum, r->action));
	errs += ts_buf(st, TC_POLICY + 1, r->policy_id, sizeof(r->policy_id));
	errs += ts_buf(st, TC_RULE + 1, r->rule_id, sizeof(r->rule_id));
	errs += ts_buf(st, TC_REASON + 1, r->reason, sizeof(r->reason));
	errs += ts_int(st, TC_SENT + 1, ts_u64(r->sent_bytes));
	errs += ts_int(st, TC_RECEIVED + 1, ts_u64(r->received_bytes));
	errs += ts_int(st, TC_PACKETS + 1, ts_u64(r->sent_packets));
	return errs;
}

static int
ts_col_enum(struct db_stmt *st, int col, const struct model_enum *e, int *out)
{
	char buf[32];

	if (store_col_text(st, col, buf, sizeof(buf), false) == -1 ||
	    (*out = model_enum_parse(e, buf)) == -1)
		return -1;
	return 0;
}

static int
ts_row(struct db_stmt *st, void *arg)
{
	struct model_traffic *r = arg;
	int64_t v[TC_NCOLS];
	int errs = 0;

	memset(r, 0, sizeof(*r));
	memset(v, 0, sizeof(v));
#define T(c, f)	(errs += store_col_text(st, c, r->f, sizeof(r->f), false) == -1)
#define N(c, lo, hi)	(errs += store_col_int(st, c, lo, hi, &v[c]) == -1)
	T(TC_TXID, transaction_id);
	T(TC_TENANT, tenant_id);
	N(TC_CREATED, INT64_MIN, INT64_MAX);
	N(TC_UPDATED, INT64_MIN, INT64_MAX);
	T(TC_RN, rn_id);
	T(TC_LINK, link_id);
	T(TC_CONN, connection_id);
	T(TC_SESSION, session_id);
	errs += ts_col_enum(st, TC_TTYPE, &store_traffic_type_enum,
	    &r->traffic_type) == -1;
	N(TC_SRC_IP, 0, UINT32_MAX);
	N(TC_DST_IP, 0, UINT32_MAX);
	N(TC_SRC_PORT, 0, UINT16_MAX);
	N(TC_DST_PORT, 0, UINT16_MAX);
	N(TC_PROTO, 0, UINT8_MAX);
	T(TC_FQDN, fqdn);
	errs += ts_col_enum(st, TC_ACTION, &store_traffic_action_enum,
	    &r->action) == -1;
	T(TC_POLICY, policy_id);
	T(TC_RULE, rule_id);
	T(TC_REASON, reason);
	N(TC_SENT, 0, INT64_MAX);
	N(TC_RECEIVED, 0, INT64_MAX);
	N(TC_PACKETS, 0, INT64_MAX);
#undef T
#undef N
	if (errs != 0) {
		log_err("store_traffic: a corrupt row (%.36s)",
		    r->transaction_id);
		return -1;
	}
	r->created_ms = v[TC_CREATED];
	r->updated_ms = v[TC_UPDATED];
	r->src_ip = (uint32_t)v[TC_SRC_IP];
	r->dst_ip = (uint32_t)v[TC_DST_IP];
	r->src_port = (uint16_t)v[TC_SRC_PORT];
	r->dst_port = (uint16_t)v[TC_DST_PORT];
	r->proto = (uint8_t)v[TC_PROTO];
	r->sent_bytes = (uint64_t)v[TC_SENT];
	r->received_bytes = (uint64_t)v[TC_RECEIVED];
	r->sent_packets = (uint64_t)v[TC_PACKETS];
	return 0;
}

/* --- writes ----------------------------------------------------------------- */

int
store_traffic_add(struct store_traffic *t, const struct model_traffic *recs,
    size_t n)
{
	struct db_stmt *st;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!ts_rec_ok(&recs[i])) {
			log_err("%s: record %zu of %zu is incomplete or has an "
			    "enum out of range", __func__, i, n);
			return -1;
		}
	if ((st = ts_stmt(t, TQ_ADD)) == NULL)
		return -1;
	if (t->drv->exec(t->db, t->begin_sql) != 0)
		return -1;
	for (i = 0; rc == 0 && i < n; i++) {
		if (store_map_step(st, ts_bind_rec(st, &recs[i]), __func__) !=
		    DB_DONE) {
			log_err("%s: record %.36s: %s", __func__,
			    recs[i].transaction_id, t->drv->errmsg(t->db));
			rc = -1;
		}
		ts_done(st);
	}
	if (rc == 0 && t->drv->exec(t->db, "COMMIT") != 0)
		rc = -1;
	if (rc != 0 && t->drv->in_tx(t->db))
		t->drv->exec(t->db, "ROLLBACK");
	return rc;
}

/* Runs a chunked DELETE until it deletes less than a chunk. */
static int
ts_prune_loop(struct store_traffic *t, enum ts_q q, int64_t arg,
    size_t limit, size_t *deleted)
{
	struct db_stmt *st;
	size_t chunk, got;
	int errs;

	if ((st = ts_stmt(t, q)) == NULL)
		return -1;
	while (limit > 0) {
		chunk = limit < TS_PRUNE_CHUNK ? limit : TS_PRUNE_CHUNK;
		if (q == TQ_PRUNE_AGE) {
			errs = ts_int(st, 1, arg);
			errs += ts_int(st, 2, (int64_t)chunk);
		} else
			errs = ts_int(st, 1, (int64_t)chunk);
		if (store_map_step(st, errs, __func__) != DB_DONE) {
			ts_done(st);
			return -1;
		}
		got = (size_t)st->drv->changes(st);
		ts_done(st);
		*deleted += got;
		limit -= got < limit ? got : limit;
		if (got < chunk)
			break;
	}
	return 0;
}

int
store_traffic_count(struct store_traffic *t, size_t *n)
{
	struct db_stmt *st;
	int rc;

	*n = 0;
	if ((st = ts_stmt(t, TQ_COUNT_ALL)) == NULL)
		return -1;
	rc = store_map_count(st, 0, __func__, n);
	ts_done(st);
	return rc == 0 ? 0 : -1;
}

int
store_traffic_prune(struct store_traffic *t, int64_t before_ms,
    size_t max_rows, size_t *deleted)
{
	size_t n = 0, total = 0;

	if (deleted != NULL)
		*deleted = 0;
	if (ts_prune_loop(t, TQ_PRUNE_AGE, before_ms, SIZE_MAX, &total) == -1)
		goto fail;
	if (max_rows > 0) {
		if (store_traffic_count(t, &n) == -1)
			goto fail;
		if (n > max_rows && ts_prune_loop(t, TQ_PRUNE_OLDEST, 0,
		    n - max_rows, &total) == -1)
			goto fail;
	}
	if (deleted != NULL)
		*deleted = total;
	return 0;
fail:
	if (deleted != NULL)
		*deleted = total;
	return -1;
}

/* --- reads ------------------------------------------------------------------ */

/* The page statement of an order, built and prepared on first use. */
static struct db_stmt *
ts_page_stmt(struct store_traffic *t, enum store_traffic_field f, bool desc)
{
	struct db_stmt **slot = &t->page[f][desc ? 1 : 0];
	const char *col = ts_fields[f].col, *cmp = desc ? "<" : ">";
	const char *dir = desc ? "DESC" : "ASC";
	size_t size;
	char *sql;

	if (*slot != NULL)
		return *slot;
	size = strlen(t->where) + 1024;
	if ((sql = malloc(size)) == NULL)
		return NULL;
	snprintf(sql, size, "SELECT " TS_COLS " FROM traffic_logs %s "
	    "AND (CAST(?%d AS TEXT) IS NULL OR %s %s ?%d OR "
	    "(%s = ?%d AND transaction_id %s ?%d)) "
	    "ORDER BY %s %s, transaction_id %s LIMIT ?%d", t->where,
	    TS_P_AFTER_ID, col, cmp, TS_P_AFTER_V, col, TS_P_AFTER_V, cmp,
	    TS_P_AFTER_ID, col, dir, dir, TS_P_LIMIT);
	if ((*slot = t->drv->prepare(t->db, sql)) == NULL)
		log_err("store_traffic: prepare page: %s",
		    t->drv->errmsg(t->db));
	free(sql);
	return *slot;
}

/* A field's value as the column holds it: text, or a number. */
static int
ts_bind_value(struct db_stmt *st, int i, enum store_traffic_field f,
    const char *text, int64_t num)
{
	const char *name;

	switch (ts_fields[f].kind) {
	case 'T':
		return text != NULL ? ts_text(st, i, text) : 1;
	case 'E':
		if ((name = model_enum_name(ts_fields[f].e, (int)num)) == NULL)
			return 1;
		return ts_text(st, i, name);
	default:
		return ts_int(st, i, num);
	}
}

static int
ts_bind_filter(struct db_stmt *st, const char *tenant_id,
    const struct store_traffic_filter *f)
{
	int errs = 0, i;

	errs += ts_text(st, 1, tenant_id);
	for (i = 0; i < STF_NFIELDS; i++)
		errs += (f->set & (1u << i)) != 0 ?
		    ts_bind_value(st, TS_P_FIELD(i), (enum store_traffic_field)i,
		    f->text[i], f->num[i]) : ts_text(st, TS_P_FIELD(i), NULL);
	errs += f->since_set ? ts_int(st, TS_P_SINCE, f->since_ms) :
	    ts_text(st, TS_P_SINCE, NULL);
	errs += f->until_set ? ts_int(st, TS_P_UNTIL, f->until_ms) :
	    ts_text(st, TS_P_UNTIL, NULL);
	return errs;
}

int
store_traffic_list(struct store_traffic *t, const char *tenant_id,
    const struct store_traffic_filter *f, struct model_traffic **out,
    size_t *n, bool *more)
{
	struct db_stmt *st;
	bool cursor = f->after_id != NULL && f->after_id[0] != '\0';
	void *arr = NULL;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	*more = false;
	if ((unsigned)f->order >= STF_NFIELDS || f->top == 0 ||
	    f->top > STORE_TRAFFIC_TOP_MAX)
		return -1;
	if (f->total != NULL) {
		if ((st = ts_stmt(t, TQ_COUNT)) == NULL)
			return -1;
		rc = store_map_count(st, ts_bind_filter(st, tenant_id, f),
		    __func__, f->total);
		ts_done(st);
		if (rc != 0)
			return -1;
	}
	if ((st = ts_page_stmt(t, f->order, f->desc)) == NULL)
		return -1;
	errs += ts_bind_filter(st, tenant_id, f);
	if (cursor) {
		errs += ts_bind_value(st, TS_P_AFTER_V, f->order,
		    f->after_text, f->after_num);
		errs += ts_text(st, TS_P_AFTER_ID, f->after_id);
	} else {
		errs += ts_text(st, TS_P_AFTER_V, NULL);
		errs += ts_text(st, TS_P_AFTER_ID, NULL);
	}
	/* One row more than asked tells whether another page exists. */
	errs += ts_int(st, TS_P_LIMIT, (int64_t)f->top + 1);
	rc = store_map_list(st, errs, __func__, sizeof(**out), ts_row, &arr, n);
	ts_done(st);
	if (rc != 0)
		return -1;
	if (*n > f->top) {
		*n = f->top;
		*more = true;
	}
	*out = arr;
	return 0;
}

int
store_traffic_get(struct store_traffic *t, const char *tenant_id,
    const char *transaction_id, struct model_traffic *out)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = ts_stmt(t, TQ_GET)) == NULL)
		return -1;
	errs += ts_text(st, 1, tenant_id);
	errs += ts_text(st, 2, transaction_id);
	rc = store_map_one(st, errs, __func__, ts_row, out);
	ts_done(st);
	return rc == 0 || rc == STORE_NOTFOUND ? rc : -1;
}

static int
ts_row_sum(struct db_stmt *st, void *arg)
{
	struct store_traffic_sum *s = arg;
	int64_t v[6] = { 0 };
	int errs = 0, i;

	memset(s, 0, sizeof(*s));
	errs += store_col_text(st, 0, s->key, sizeof(s->key), false) == -1;
	errs += store_col_int(st, 1, 0, UINT32_MAX, &v[1]) == -1;
	for (i = 2; i < 6; i++)
		errs += store_col_int(st, i, 0, INT64_MAX, &v[i]) == -1;
	if (errs != 0) {
		log_err("store_traffic: a corrupt summary row");
		return -1;
	}
	s->dst_ip = (uint32_t)v[1];
	s->count = (uint64_t)v[2];
	s->blocked = (uint64_t)v[3];
	s->sent_bytes = (uint64_t)v[4];
	s->received_bytes = (uint64_t)v[5];
	return 0;
}

int
store_traffic_summary(struct store_traffic *t, const char *tenant_id,
    enum store_traffic_group g, int64_t since_ms, int64_t until_ms,
    size_t top, struct store_traffic_sum **out, size_t *n)
{
	static const enum ts_q q[] = {
		[STG_ACTION] = TQ_SUM_ACTION, [STG_POLICY] = TQ_SUM_POLICY,
		[STG_DESTINATION] = TQ_SUM_DEST,
		[STG_TRAFFIC_TYPE] = TQ_SUM_TTYPE,
	};
	struct db_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	if ((unsigned)g > STG_TRAFFIC_TYPE || top == 0 ||
	    top > STORE_TRAFFIC_TOP_MAX)
		return -1;
	if ((st = ts_stmt(t, q[g])) == NULL)
		return -1;
	errs += ts_text(st, 1, tenant_id);
	errs += ts_int(st, 2, since_ms);
	errs += ts_int(st, 3, until_ms);
	errs += ts_int(st, 4, (int64_t)top);
	rc = store_map_list(st, errs, __func__, sizeof(**out), ts_row_sum,
	    &arr, n);
	ts_done(st);
	*out = arr;
	return rc == 0 ? 0 : -1;
}

/* --- the retention timer --------------------------------------------------- */

struct store_traffic_pruner {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 stop;
	struct store_traffic	*st;
	unsigned		 days;
	size_t			 max_rows;
};

static void *
ts_pruner_main(void *arg)
{
	struct store_traffic_pruner *p = arg;
	struct timespec until;
	size_t n;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		pthread_mutex_unlock(&p->mu);
		if (store_traffic_prune(p->st, wallclock_now_ms() -
		    (int64_t)p->days * TS_DAY_MS, p->max_rows, &n) == -1)
			log_warn("store: traffic log prune failed (%zu "
			    "deleted); next try in %d s", n, TS_PRUNE_PERIOD_S);
		else if (n > 0)
			log_info("store: traffic log: %zu records pruned", n);
		pthread_mutex_lock(&p->mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += TS_PRUNE_PERIOD_S;
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu,
		    &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
store_traffic_pruner_start(const char *url, const char *traffic_url,
    unsigned retention_days, size_t max_rows,
    struct store_traffic_pruner **out)
{
	struct store_traffic_pruner *p;
	pthread_condattr_t ca;
	char err[256];

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->days = retention_days;
	p->max_rows = max_rows;
	if (store_traffic_open(url, traffic_url, &p->st, err,
	    sizeof(err)) == -1) {
		log_err("store: traffic log pruner: %s", err);
		free(p);
		return -1;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->mu, NULL);
	if (pthread_create(&p->th, NULL, ts_pruner_main, p) != 0) {
		log_err("store: traffic log pruner: cannot start a thread");
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		store_traffic_close(p->st);
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
store_traffic_pruner_stop(struct store_traffic_pruner *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	store_traffic_close(p->st);
	free(p);
}
