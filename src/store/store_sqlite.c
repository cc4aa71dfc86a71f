/*
 * store_sqlite.c - the SQLite driver under the store (store_db.h): the
 * connection, its dialect and the schema version slot (PRAGMA
 * user_version). The queries are store_query.c's.
 *
 * Durability: WAL with synchronous=FULL, so every COMMIT fsyncs the WAL and
 * an acknowledged write survives kill -9 and power loss. BEGIN IMMEDIATE
 * takes the write lock at once: writers are serialised by the file lock,
 * which is what makes the store's limit checks race-free on SQLite. No
 * change push: the daemon's own API tells its gateway (gw.c notify).
 */
#include "store_db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"

#define SQ_BUSY_MS		5000

struct sq_stmt {
	struct db_stmt		 base;
	sqlite3_stmt		*st;
	struct sq_stmt		*next;
};

struct sq {
	struct db		 base;
	sqlite3			*db;
	struct sq_stmt		*stmts;		/* to finalize on close */
};

static const char *const sq_dialect[][2] = {
	{ "@I64@", "INTEGER" },
	{ "@BLOB@", "BLOB" },
	{ "@STRICT@", " STRICT" },
	{ "@NOROWID@", ", WITHOUT ROWID" },
};

/* A driver class for an SQLite result code. */
static int
sq_class(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return DB_ECONFLICT;
	default:
		return DB_ERR;
	}
}

static int
sq_exec(struct db *be, const char *sql)
{
	struct sq *s = (struct sq *)be;
	char *msg = NULL;
	int rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		log_err("store: %.200s: %s", sql, msg != NULL ? msg :
		    sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return sq_class(rc);
	}
	return 0;
}

static struct db_stmt *
sq_prepare(struct db *be, const char *sql)
{
	struct sq *s = (struct sq *)be;
	struct sq_stmt *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->st, NULL) != SQLITE_OK) {
		free(st);
		return NULL;
	}
	st->base.drv = &store_sqlite_driver;
	st->next = s->stmts;
	s->stmts = st;
	return &st->base;
}

#define SQ_ST(x)	(((struct sq_stmt *)(x))->st)

/* SQLITE_STATIC: the caller's buffer stays put until the reset. */
static int
sq_bind_text(struct db_stmt *st, int i, const char *v, size_t len)
{
	if (v == NULL)
		return sqlite3_bind_null(SQ_ST(st), i) == SQLITE_OK ? 0 : -1;
	if (len > INT_MAX)
		return -1;
	return sqlite3_bind_text(SQ_ST(st), i, v, (int)len, SQLITE_STATIC) ==
	    SQLITE_OK ? 0 : -1;
}

static int
sq_bind_int(struct db_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(SQ_ST(st), i, v) == SQLITE_OK ? 0 : -1;
}

static int
sq_bind_blob(struct db_stmt *st, int i, const void *v, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return sqlite3_bind_blob(SQ_ST(st), i, v, (int)len, SQLITE_STATIC) ==
	    SQLITE_OK ? 0 : -1;
}

static int
sq_step(struct db_stmt *st)
{
	sqlite3_stmt *q = SQ_ST(st);
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	log_err("store: %s", sqlite3_errmsg(sqlite3_db_handle(q)));
	return sq_class(sqlite3_extended_errcode(sqlite3_db_handle(q)));
}

static void
sq_reset(struct db_stmt *st)
{
	sqlite3_reset(SQ_ST(st));
	sqlite3_clear_bindings(SQ_ST(st));
}

static enum db_type
sq_col_type(struct db_stmt *st, int col)
{
	switch (sqlite3_column_type(SQ_ST(st), col)) {
	case SQLITE_INTEGER:
		return DB_T_INT;
	case SQLITE_TEXT:
		return DB_T_TEXT;
	case SQLITE_BLOB:
		return DB_T_BLOB;
	case SQLITE_NULL:
		return DB_T_NULL;
	default:
		return DB_T_BLOB;	/* REAL: no column of ours */
	}
}

static const char *
sq_col_text(struct db_stmt *st, int col, size_t *len)
{
	const char *v = (const char *)sqlite3_column_text(SQ_ST(st), col);
	int n = sqlite3_column_bytes(SQ_ST(st), col);

	*len = n < 0 ? 0 : (size_t)n;
	return v;
}

static int
sq_col_int(struct db_stmt *st, int col, int64_t *v)
{
	*v = sqlite3_column_int64(SQ_ST(st), col);
	return 0;
}

static const void *
sq_col_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *v = sqlite3_column_blob(SQ_ST(st), col);
	int n = sqlite3_column_bytes(SQ_ST(st), col);

	*len = n < 0 ? 0 : (size_t)n;
	return v;
}

static int64_t
sq_changes(struct db_stmt *st)
{
	return sqlite3_changes(sqlite3_db_handle(SQ_ST(st)));
}

static bool
sq_in_tx(struct db *be)
{
	return sqlite3_get_autocommit(((struct sq *)be)->db) == 0;
}

static const char *
sq_errmsg(struct db *be)
{
	return sqlite3_errmsg(((struct sq *)be)->db);
}

/* BEGIN IMMEDIATE already holds the write lock. */
static int
sq_migrate_lock(struct db *be)
{
	(void)be;
	return 0;
}

/* --- open, schema ------------------------------------------------------- */

static int
sq_dirname(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL)
		return snprintf(out, size, ".") >= (int)size ? -1 : 0;
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		return -1;
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* A new directory entry is durable only once its directory is fsynced. */
static void
sq_sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (fsync(fd) == -1)
		log_warn("store: fsync %s: %s", dir, strerror(errno));
	close(fd);
}

/*
 * The database holds pre-shared keys: create it (and its directory) owner-
 * only before SQLite does, which would use 0644. SQLite gives the -wal and
 * -shm files the main file's mode.
 */
static int
sq_prepare_file(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	int fd;

	if (sq_dirname(path, dir, sizeof(dir)) == -1) {
		snprintf(err, errlen, "store path too long");
		return -1;
	}
	if (mkdir(dir, 0700) == 0) {
		if (sq_dirname(dir, parent, sizeof(parent)) == 0)
			sq_sync_dir(parent);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		close(fd);
		sq_sync_dir(dir);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs a PRAGMA; out gets the first column of its first row, or "". */
static int
sq_pragma(struct sq *s, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	const char *v;
	int rc = -1;

	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		if ((v = (const char *)sqlite3_column_text(st, 0)) != NULL)
			snprintf(out, size, "%s", v);
		break;
	case SQLITE_DONE:
		break;
	default:
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

static int
sq_user_version(struct sq *s, int *v)
{
	char buf[16], *end;
	long l;

	if (sq_pragma(s, "PRAGMA user_version", buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	l = strtol(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || errno != 0 || l < INT_MIN ||
	    l > INT_MAX)
		return -1;
	*v = (int)l;
	return 0;
}

/*
 * Durability and integrity settings, each read back: a SQLite built or
 * mounted so that one silently does not apply must not run.
 */
static int
sq_settings(struct sq *s, const char *path, bool mem, char *err,
    size_t errlen)
{
	static const struct {
		const char	*set;
		const char	*get;
		const char	*want;
	} prag[] = {
		/* journal_mode first: it is the first read of the file. */
		{ "PRAGMA journal_mode = WAL", NULL, "wal" },
		{ "PRAGMA synchronous = FULL", "PRAGMA synchronous", "2" },
		{ "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", "1" },
		/* Overwrite deleted content, PSKs included, on disk. */
		{ "PRAGMA secure_delete = ON", "PRAGMA secure_delete", "1" },
		{ "PRAGMA trusted_schema = OFF", "PRAGMA trusted_schema", "0" },
	};
	char got[32];
	size_t i;

	for (i = 0; i < sizeof(prag) / sizeof(prag[0]); i++) {
		if (sq_pragma(s, prag[i].set, got, sizeof(got)) == -1 ||
		    (prag[i].get != NULL &&
		    sq_pragma(s, prag[i].get, got, sizeof(got)) == -1)) {
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(s->db));
			return -1;
		}
		if (mem && i == 0)
			continue;	/* ":memory:" has no WAL */
		if (strcmp(got, prag[i].want) != 0) {
			snprintf(err, errlen, "%s: \"%s\" gave \"%s\"", path,
			    prag[i].set, got);
			return -1;
		}
	}
	return 0;
}

static int
sq_version_get(struct db *be, int *v)
{
	return sq_user_version((struct sq *)be, v);
}

static int
sq_version_set(struct db *be, int v)
{
	char sql[64];

	/* An integer of ours, not caller data. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return sq_exec(be, sql);
}

static void
sq_close(struct db *be)
{
	struct sq *s = (struct sq *)be;
	struct sq_stmt *st, *next;

	if (s == NULL)
		return;
	for (st = s->stmts; st != NULL; st = next) {
		next = st->next;
		sqlite3_finalize(st->st);
		free(st);
	}
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_err("store: close: %s", sqlite3_errmsg(s->db));
	free(s);
}

static int
sq_open(const char *path, struct db **out, char *err, size_t errlen)
{
	struct sq *s = NULL;
	bool mem = strcmp(path, ":memory:") == 0;

	*out = NULL;
	if (!mem && sq_prepare_file(path, err, errlen) == -1)
		goto fail;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->base.drv = &store_sqlite_driver;
	/* One thread at a time per handle (store.h): no SQLite mutexes. */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (sq_settings(s, path, mem, err, errlen) == -1)
		goto fail;
	*out = &s->base;
	return 0;
fail:
	sq_close(s != NULL ? &s->base : NULL);
	return -1;
}

const struct store_db_driver store_sqlite_driver = {
	.name = "sqlite",
	.dialect = sq_dialect,
	.ndialect = sizeof(sq_dialect) / sizeof(sq_dialect[0]),
	/*
	 * IMMEDIATE: take the write lock now, not at the first write, so a
	 * transaction never fails half-way with SQLITE_BUSY on a lock upgrade.
	 */
	.begin_sql = "BEGIN IMMEDIATE",
	.migrate_begin_sql = "BEGIN IMMEDIATE",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.reset = sq_reset,
	.col_type = sq_col_type,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.in_tx = sq_in_tx,
	.errmsg = sq_errmsg,
	.migrate_lock = sq_migrate_lock,
	.version_get = sq_version_get,
	.version_set = sq_version_set,
};
