/*
 * store_pg.c - the PostgreSQL driver under the store (store_db.h), over
 * libpq: the connection and its recovery, the dialect, the schema version
 * table, and the change push (LISTEN/NOTIFY).
 *
 * Statements: the shared SQL's "?N" become "$N"; each statement is a
 * server-side prepared statement, prepared again after a reconnect (the
 * session that held it is gone). Parameters go as text (bytea as binary),
 * results come as text and are parsed here, checked like SQLite's.
 *
 * Durability: synchronous_commit is set on and read back for the session,
 * so COMMIT returns once the WAL is flushed. Writes that check limits run
 * SERIALIZABLE (begin_sql); a serialization failure (40001) or deadlock
 * (40P01) is DB_ERETRY, which the store retries.
 *
 * Outage: a statement that finds the connection gone answers DB_EDOWN at
 * once and the handle is marked down (store_unavailable()); the next call
 * tries PQreset(), then at most once a second, each attempt bounded by
 * connect_timeout. A transaction that lost its connection stays failed
 * until its ROLLBACK: nothing of it runs on the new session by accident.
 */
#include "store_db.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "monotime.h"

#define PG_MAXP			48	/* parameters of a statement (link_status has 40) */
#define PG_RETRY_NS		MONOTIME_SEC
#define PG_CONNECT_TIMEOUT	"3"
#define PG_CHANNEL		"branchgate_config"
/* pg_type oids (catalog/pg_type.dat) */
#define PG_BYTEAOID	17
#define PG_INT8OID	20
#define PG_INT2OID	21
#define PG_INT4OID	23

struct pg;

struct pg_stmt {
	struct db_stmt	 base;
	struct pg	*pg;
	struct pg_stmt	*next;
	char		 name[16];
	char		*sql;
	int		 nparams;
	unsigned	 gen;		/* session it is prepared in; 0 none */
	char		*vals[PG_MAXP];
	size_t		 vlen[PG_MAXP];
	int		 lens[PG_MAXP], fmts[PG_MAXP];
	PGresult	*res;
	int		 row, nrows;
	unsigned char	*blob;		/* the last col_blob, PQfreemem */
};

struct pg {
	struct db	 base;
	PGconn		*conn;
	char		*url;
	unsigned	 gen;		/* session number, from 1 */
	int		 nstmt;
	struct pg_stmt	*stmts;
	bool		 down, tx, tx_lost, listening, resync;
	monotime_t	 next_try;
	char		 err[256];
};

static const char *const pg_dialect[][2] = {
	{ "@I64@", "BIGINT" },
	{ "@BLOB@", "BYTEA" },
	{ "@STRICT@", "" },
	{ "@NOROWID@", "" },
};

static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("store: postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* --- connection --------------------------------------------------------- */

static void
pg_set_err(struct pg *p, const char *what)
{
	const char *m = p->conn != NULL ? PQerrorMessage(p->conn) : "no memory";

	snprintf(p->err, sizeof(p->err), "%s%s%.*s", what != NULL ? what : "",
	    what != NULL ? ": " : "", (int)strcspn(m, "\n"), m);
}

static void
pg_lost(struct pg *p)
{
	if (!p->down)
		log_warn("store: postgresql connection lost: %s", p->err);
	p->down = true;
	if (p->tx)
		p->tx_lost = true;
}

/* Runs one command of ours on the raw connection: 0 or -1. */
static int
pg_cmd(struct pg *p, const char *sql, char *out, size_t outlen)
{
	PGresult *r = PQexec(p->conn, sql);
	ExecStatusType rs = PQresultStatus(r);
	int rc = -1;

	if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
		if (out != NULL)
			snprintf(out, outlen, "%s", PQntuples(r) > 0 ?
			    PQgetvalue(r, 0, 0) : "");
		rc = 0;
	} else
		pg_set_err(p, sql);
	PQclear(r);
	return rc;
}

/*
 * What every session needs: durable commits, read back so that a server
 * that overrides them cannot silently make acknowledged writes losable.
 */
static int
pg_session(struct pg *p)
{
	char got[32];

	if (pg_cmd(p, "SET synchronous_commit = on", NULL, 0) == -1 ||
	    pg_cmd(p, "SET client_min_messages = warning", NULL, 0) == -1 ||
	    pg_cmd(p, "SHOW synchronous_commit", got, sizeof(got)) == -1)
		return -1;
	if (strcmp(got, "on") != 0) {
		snprintf(p->err, sizeof(p->err), "synchronous_commit is %s, "
		    "not on", got);
		return -1;
	}
	if (pg_cmd(p, "SHOW fsync", got, sizeof(got)) == 0 &&
	    strcmp(got, "on") != 0)
		log_warn("store: the PostgreSQL server runs with fsync %s: "
		    "a crash of its machine can lose acknowledged writes", got);
	if (p->listening && pg_cmd(p, "LISTEN " PG_CHANNEL, NULL, 0) == -1)
		return -1;
	return 0;
}

/* 0 when the connection is usable, DB_EDOWN otherwise. */
static int
pg_ensure(struct pg *p)
{
	monotime_t now;

	if (!p->down && PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	if (p->tx_lost)
		return DB_EDOWN;
	now = monotime_now();
	if (now < p->next_try)
		return DB_EDOWN;
	p->next_try = now + PG_RETRY_NS;
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pg_set_err(p, "reconnect");
		p->down = true;
		return DB_EDOWN;
	}
	p->gen++;
	if (pg_session(p) == -1) {
		log_err("store: postgresql session setup: %s", p->err);
		p->down = true;
		return DB_EDOWN;
	}
	log_info("store: postgresql connection is back (session %u)", p->gen);
	p->down = false;
	p->resync = true;
	return 0;
}

/* A driver class for a failed result; marks the handle down if it is. */
static int
pg_class(struct pg *p, const PGresult *r, const char *what)
{
	const char *state = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	pg_set_err(p, what);
	if (PQstatus(p->conn) != CONNECTION_OK || (state != NULL &&
	    (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0))) {
		pg_lost(p);
		return DB_EDOWN;
	}
	if (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0)) {
		log_debug("store: %s", p->err);
		return DB_ERETRY;
	}
	log_err("store: %s", p->err);
	if (state != NULL && strcmp(state, "23505") == 0)
		return DB_ECONFLICT;
	return DB_ERR;
}

static int
pg_exec(struct db *be, const char *sql)
{
	struct pg *p = (struct pg *)be;
	bool begin = strncmp(sql, "BEGIN", 5) == 0;
	bool end = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
	ExecStatusType rs;
	PGresult *r;
	int rc = 0;

	if (end && p->tx_lost) {
		/* Its session is gone: nothing to roll back or commit. */
		p->tx = p->tx_lost = false;
		return strcmp(sql, "COMMIT") == 0 ? DB_EDOWN : 0;
	}
	if (p->tx_lost || (!p->tx && pg_ensure(p) != 0))
		return DB_EDOWN;
	r = PQexec(p->conn, sql);
	rs = PQresultStatus(r);
	if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
		rc = pg_class(p, r, "exec");
	else if (strcmp(sql, "COMMIT") == 0 &&
	    strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* COMMIT of a failed transaction reports ROLLBACK. */
		snprintf(p->err, sizeof(p->err), "COMMIT rolled back");
		rc = DB_ERR;
	}
	PQclear(r);
	if (begin && rc == 0)
		p->tx = true;
	if (end) {
		p->tx = false;
		p->tx_lost = false;
	}
	return rc;
}

/* --- statements --------------------------------------------------------- */

/* "?N" to "$N", outside string literals; *nparams gets the highest N. */
static char *
pg_translate(const char *sql, int *nparams)
{
	size_t len = strlen(sql);
	char *out = malloc(len + 1), *o = out;
	bool lit = false;
	long n;

	*nparams = 0;
	if (out == NULL)
		return NULL;
	for (; *sql != '\0'; sql++) {
		if (*sql == '\'')
			lit = !lit;
		if (lit || *sql != '?') {
			*o++ = *sql;
			continue;
		}
		*o++ = '$';
		n = strtol(sql + 1, NULL, 10);
		if (n <= 0 || n > PG_MAXP) {
			free(out);
			return NULL;
		}
		if (n > *nparams)
			*nparams = (int)n;
	}
	*o = '\0';
	return out;
}

static struct db_stmt *
pg_prepare(struct db *be, const char *sql)
{
	struct pg *p = (struct pg *)be;
	struct pg_stmt *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if ((st->sql = pg_translate(sql, &st->nparams)) == NULL) {
		snprintf(p->err, sizeof(p->err), "bad parameters in %.100s",
		    sql);
		free(st);
		return NULL;
	}
	st->base.drv = &store_pg_driver;
	st->pg = p;
	st->row = -1;
	snprintf(st->name, sizeof(st->name), "bg%d", ++p->nstmt);
	st->next = p->stmts;
	p->stmts = st;
	return &st->base;
}

#define PG_ST(x)	((struct pg_stmt *)(x))

static void
pg_unbind(struct pg_stmt *st, int i)
{
	if (st->vals[i] != NULL) {
		/* Parameters carry keys: wipe the copy. */
		explicit_bzero(st->vals[i], st->vlen[i]);
		free(st->vals[i]);
	}
	st->vals[i] = NULL;
	st->vlen[i] = 0;
	st->lens[i] = 0;
	st->fmts[i] = 0;
}

static int
pg_bind(struct db_stmt *dst, int i, const void *v, size_t len, int fmt)
{
	struct pg_stmt *st = PG_ST(dst);

	if (i < 1 || i > st->nparams || len > INT_MAX - 1)
		return -1;
	pg_unbind(st, i - 1);
	if (v == NULL)
		return 0;
	if ((st->vals[i - 1] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(st->vals[i - 1], v, len);
	st->vals[i - 1][len] = '\0';
	st->vlen[i - 1] = len + 1;
	st->lens[i - 1] = (int)len;
	st->fmts[i - 1] = fmt;
	return 0;
}

static int
pg_bind_text(struct db_stmt *st, int i, const char *v, size_t len)
{
	/* Text parameters end at a NUL; one inside would truncate silently. */
	if (v != NULL && memchr(v, '\0', len) != NULL)
		return -1;
	return pg_bind(st, i, v, len, 0);
}

static int
pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	return pg_bind(st, i, buf, (size_t)n, 0);
}

static int
pg_bind_blob(struct db_stmt *st, int i, const void *v, size_t len)
{
	return pg_bind(st, i, v, len, 1);
}

static int
pg_run(struct pg_stmt *st)
{
	struct pg *p = st->pg;
	ExecStatusType rs;
	PGresult *r;
	int rc;

	if (p->tx_lost || (!p->tx && pg_ensure(p) != 0))
		return DB_EDOWN;
	if (st->gen != p->gen) {
		r = PQprepare(p->conn, st->name, st->sql, st->nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = pg_class(p, r, "prepare");
			PQclear(r);
			return rc;
		}
		PQclear(r);
		st->gen = p->gen;
	}
	st->res = PQexecPrepared(p->conn, st->name, st->nparams,
	    (const char *const *)st->vals, st->lens, st->fmts, 0);
	rs = PQresultStatus(st->res);
	if (rs == PGRES_TUPLES_OK)
		st->nrows = PQntuples(st->res);
	else if (rs == PGRES_COMMAND_OK)
		st->nrows = 0;
	else
		return pg_class(p, st->res, "query");
	return 0;
}

static int
pg_step(struct db_stmt *dst)
{
	struct pg_stmt *st = PG_ST(dst);
	int rc;

	if (st->row == -1) {
		if ((rc = pg_run(st)) != 0)
			return rc;
	}
	if (st->row + 1 < st->nrows) {
		st->row++;
		return DB_ROW;
	}
	st->row = st->nrows;
	return DB_DONE;
}

static void
pg_reset(struct db_stmt *dst)
{
	struct pg_stmt *st = PG_ST(dst);
	int i;

	for (i = 0; i < PG_MAXP; i++)
		pg_unbind(st, i);
	if (st->res != NULL)
		PQclear(st->res);	/* rows may hold keys: libpq frees them */
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	if (st->blob != NULL)
		PQfreemem(st->blob);
	st->blob = NULL;
}

static bool
pg_has_row(struct pg_stmt *st, int col)
{
	return st->res != NULL && st->row >= 0 && st->row < st->nrows &&
	    col >= 0 && col < PQnfields(st->res);
}

static enum db_type
pg_col_type(struct db_stmt *dst, int col)
{
	struct pg_stmt *st = PG_ST(dst);

	if (!pg_has_row(st, col) || PQgetisnull(st->res, st->row, col))
		return DB_T_NULL;
	switch (PQftype(st->res, col)) {
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
		return DB_T_INT;
	case PG_BYTEAOID:
		return DB_T_BLOB;
	default:
		return DB_T_TEXT;
	}
}

static const char *
pg_col_text(struct db_stmt *dst, int col, size_t *len)
{
	struct pg_stmt *st = PG_ST(dst);

	*len = 0;
	if (!pg_has_row(st, col))
		return NULL;
	*len = (size_t)PQgetlength(st->res, st->row, col);
	return PQgetvalue(st->res, st->row, col);
}

static int
pg_col_int(struct db_stmt *dst, int col, int64_t *v)
{
	struct pg_stmt *st = PG_ST(dst);
	const char *s;
	char *end;
	long long l;

	if (!pg_has_row(st, col))
		return -1;
	s = PQgetvalue(st->res, st->row, col);
	errno = 0;
	l = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0)
		return -1;
	*v = l;
	return 0;
}

static const void *
pg_col_blob(struct db_stmt *dst, int col, size_t *len)
{
	struct pg_stmt *st = PG_ST(dst);

	*len = 0;
	if (!pg_has_row(st, col))
		return NULL;
	if (st->blob != NULL)
		PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res,
	    st->row, col), len);
	return st->blob;
}

static int64_t
pg_changes(struct db_stmt *dst)
{
	struct pg_stmt *st = PG_ST(dst);
	const char *n = st->res != NULL ? PQcmdTuples(st->res) : "";

	return n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
}

static bool
pg_in_tx(struct db *be)
{
	return ((struct pg *)be)->tx;
}

static const char *
pg_errmsg(struct db *be)
{
	return ((struct pg *)be)->err;
}

/* --- schema version ----------------------------------------------------- */

/*
 * Inside a READ COMMITTED transaction: once the lock is held, each
 * statement sees what the process that held it before committed.
 */
static int
pg_migrate_lock(struct db *be)
{
	struct pg *p = (struct pg *)be;

	if (pg_cmd(p, "SELECT pg_advisory_xact_lock(4242424242)", NULL,
	    0) == -1 ||
	    pg_cmd(p, "CREATE TABLE IF NOT EXISTS branchgate_schema "
	    "(version INTEGER NOT NULL)", NULL, 0) == -1)
		return -1;
	return 0;
}

static int
pg_version_get(struct db *be, int *v)
{
	struct pg *p = (struct pg *)be;
	char buf[16], *end;
	long l;

	if (pg_cmd(p, "SELECT version FROM branchgate_schema", buf,
	    sizeof(buf)) == -1)
		return -1;
	if (buf[0] == '\0') {
		*v = 0;
		return 0;
	}
	l = strtol(buf, &end, 10);
	if (*end != '\0' || l < INT_MIN || l > INT_MAX)
		return -1;
	*v = (int)l;
	return 0;
}

static int
pg_version_set(struct db *be, int v)
{
	struct pg *p = (struct pg *)be;
	char sql[96];

	/* An integer of ours, not caller data. */
	snprintf(sql, sizeof(sql), "DELETE FROM branchgate_schema; "
	    "INSERT INTO branchgate_schema VALUES (%d)", v);
	return pg_cmd(p, sql, NULL, 0);
}

/* --- change push -------------------------------------------------------- */

/* Sent with the transaction: PostgreSQL delivers it on COMMIT only. */
static int
pg_notify(struct db *be, const char *payload)
{
	struct pg *p = (struct pg *)be;
	const char *vals[1] = { payload };
	PGresult *r;
	int rc = 0;

	if (p->tx_lost || (!p->tx && pg_ensure(p) != 0))
		return DB_EDOWN;
	r = PQexecParams(p->conn, "SELECT pg_notify('" PG_CHANNEL "', $1)", 1,
	    NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_class(p, r, "notify");
	PQclear(r);
	return rc;
}

static int
pg_watch_fd(struct db *be)
{
	struct pg *p = (struct pg *)be;

	if (p->down || !p->listening)
		return -1;
	return PQsocket(p->conn);
}

static int
pg_watch_poll(struct db *be, bool *changed, bool *resync)
{
	struct pg *p = (struct pg *)be;
	PGnotify *n;

	if (p->tx)
		return 0;	/* never inside a caller's transaction */
	if (pg_ensure(p) != 0)
		return -1;
	if (!p->listening) {
		if (pg_cmd(p, "LISTEN " PG_CHANNEL, NULL, 0) == -1) {
			pg_class(p, NULL, "listen");
			return -1;
		}
		p->listening = true;
		/* Whatever changed before LISTEN was not announced to us. */
		p->resync = true;
	}
	if (PQconsumeInput(p->conn) == 0 ||
	    PQstatus(p->conn) != CONNECTION_OK) {
		pg_set_err(p, "listen");
		pg_lost(p);
		return -1;
	}
	while ((n = PQnotifies(p->conn)) != NULL) {
		log_debug("store: change %s", n->extra);
		*changed = true;
		PQfreemem(n);
	}
	if (p->resync) {
		*resync = true;
		p->resync = false;
	}
	return 0;
}

static bool
pg_down(struct db *be)
{
	return ((struct pg *)be)->down;
}

/* --- open, close -------------------------------------------------------- */

static void
pg_close(struct db *be)
{
	struct pg *p = (struct pg *)be;
	struct pg_stmt *st, *next;

	if (p == NULL)
		return;
	for (st = p->stmts; st != NULL; st = next) {
		next = st->next;
		pg_reset(&st->base);
		free(st->sql);
		free(st);
	}
	if (p->conn != NULL)
		PQfinish(p->conn);
	free(p->url);
	free(p);
}

static int
pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
	    NULL };
	const char *vals[] = { url, PG_CONNECT_TIMEOUT, "branchgated", NULL };
	struct pg *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->url = strdup(url)) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->base.drv = &store_pg_driver;
	p->gen = 1;
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
		pg_set_err(p, "connect");
		goto fail;
	}
	PQsetNoticeProcessor(p->conn, pg_notice, NULL);
	if (pg_session(p) == -1)
		goto fail;
	*out = &p->base;
	return 0;
fail:
	/* The URL may hold a password: the reason only, not the URL. */
	snprintf(err, errlen, "postgresql: %s", p->err);
	pg_close(&p->base);
	return -1;
}

const struct store_db_driver store_pg_driver = {
	.name = "postgresql",
	.dialect = pg_dialect,
	.ndialect = sizeof(pg_dialect) / sizeof(pg_dialect[0]),
	.begin_sql = "BEGIN ISOLATION LEVEL SERIALIZABLE",
	.migrate_begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.reset = pg_reset,
	.col_type = pg_col_type,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.in_tx = pg_in_tx,
	.errmsg = pg_errmsg,
	.migrate_lock = pg_migrate_lock,
	.version_get = pg_version_get,
	.version_set = pg_version_set,
	.notify = pg_notify,
	.watch_fd = pg_watch_fd,
	.watch_poll = pg_watch_poll,
	.down = pg_down,
};
