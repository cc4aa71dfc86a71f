/*
 * store_db.h - the database driver under the store, private to src/store.
 *
 * store_query.c holds every query, store_map.c maps rows to models, both
 * written once in the SQL that SQLite and PostgreSQL share: numbered
 * parameters "?N" (the PostgreSQL driver rewrites them to "$N"), upserts
 * with ON CONFLICT, and tokens in the migrations ("@I64@", "@BLOB@",
 * "@STRICT@", "@NOROWID@") that each driver's dialect spells. A driver
 * (store_sqlite.c, store_pg.c) owns only the connection, the dialect, the
 * schema version slot and the change notification.
 *
 * Result codes of step/exec: DB_ROW, DB_DONE, or a negative class that
 * the store turns into its own codes (store.h).
 */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define DB_ROW		100
#define DB_DONE		101
#define DB_ERR		(-1)	/* anything else (logged) */
#define DB_ECONFLICT	(-2)	/* a unique constraint refused the write */
#define DB_ERETRY	(-3)	/* serialization failure or deadlock */
#define DB_EDOWN	(-4)	/* the connection is gone */

enum db_type { DB_T_NULL, DB_T_INT, DB_T_TEXT, DB_T_BLOB };

struct store_db_driver;

/* Every driver's handle and statement start with these. */
struct db {
	const struct store_db_driver	*drv;
};
struct db_stmt {
	const struct store_db_driver	*drv;
};

struct store_db_driver {
	const char	*name;
	/* Migration tokens and their spelling: { "@I64@", "BIGINT", ... }. */
	const char *const	(*dialect)[2];
	size_t		 ndialect;
	/* What BEGIN is: the write lock (SQLite) or SERIALIZABLE (PG). */
	const char	*begin_sql;
	/* The migration's: it reads what the lock's last holder committed. */
	const char	*migrate_begin_sql;

	int	(*open)(const char *target, struct db **out, char *err,
		    size_t errlen);
	void	(*close)(struct db *);
	/* No parameters, possibly several statements. */
	int	(*exec)(struct db *, const char *sql);
	/* sql uses ?N; the statement lives until close. */
	struct db_stmt *(*prepare)(struct db *, const char *sql);
	/* 0 or -1; i counts from 1. text NULL binds NULL. */
	int	(*bind_text)(struct db_stmt *, int i, const char *v,
		    size_t len);
	int	(*bind_int)(struct db_stmt *, int i, int64_t v);
	int	(*bind_blob)(struct db_stmt *, int i, const void *v,
		    size_t len);
	int	(*step)(struct db_stmt *);
	/* Ends a statement's use: results and bindings go. */
	void	(*reset)(struct db_stmt *);
	/* Columns count from 0. */
	enum db_type (*col_type)(struct db_stmt *, int col);
	const char *(*col_text)(struct db_stmt *, int col, size_t *len);
	int	(*col_int)(struct db_stmt *, int col, int64_t *v);
	const void *(*col_blob)(struct db_stmt *, int col, size_t *len);
	/* Rows the last DB_DONE of this statement changed. */
	int64_t	(*changes)(struct db_stmt *);
	bool	(*in_tx)(struct db *);
	const char *(*errmsg)(struct db *);

	/* Inside the migration transaction: serialise migrating processes. */
	int	(*migrate_lock)(struct db *);
	int	(*version_get)(struct db *, int *v);
	int	(*version_set)(struct db *, int v);

	/* NULL where the backend has no change push (SQLite). */
	int	(*notify)(struct db *, const char *payload);
	int	(*watch_fd)(struct db *);
	int	(*watch_poll)(struct db *, bool *changed, bool *resync);
	/* The database could not be reached at the last try. */
	bool	(*down)(struct db *);
};

extern const struct store_db_driver store_sqlite_driver;
extern const struct store_db_driver store_pg_driver;

/* The store handle: a connection, its statement cache, the last refusal. */
struct store {
	struct db		*db;
	const struct store_db_driver *drv;
	int			 version;
	struct db_stmt		**stmt;		/* [store_query_nstmt] */
	struct db_stmt		**pstmt;	/* store_policy.c's, lazily */
	struct db_stmt		**fstmt;	/* store_fwd.c's, lazily */
	struct db_stmt		**nstmt;	/* store_node.c's, lazily */
	struct db_stmt		**sstmt;	/* store_status.c's, lazily */
	struct model_errs	 conflict;
};

/* store_query.c */
int	store_query_open(struct store *, char *err, size_t errlen);
void	store_query_close(struct store *);
/*
 * One atomic write (its own transaction, or a savepoint inside the
 * caller's), retried on a serialization failure; and the change
 * notification of a write, sent inside it. For store_policy.c.
 */
typedef int (*store_write_fn)(struct store *, const void *arg);
int	store_q_write(struct store *, store_write_fn, const void *arg);
int	store_q_notify(struct store *, const char *tenant_id,
	    const char *what, const char *id);

/* A migration with the driver's spelling of each dialect token (malloc'd). */
char	*store_q_dialect(const struct store_db_driver *, const char *sql);

/*
 * store_policy.c: a tenant's baseline profile unless it has one (inside
 * the tenant's creation), and the same for every tenant (inside the
 * migration to schema version 4).
 */
int	store_policy_tenant_init(struct store *, const char *tenant_id,
	    int64_t now_ms);
int	store_policy_migrate(struct store *);

/* store_map.c: column readers (0 or -1) and row mappers for the queries. */
typedef int (*store_row_fn)(struct db_stmt *, void *);

int	store_col_text(struct db_stmt *, int col, char *buf, size_t size,
	    bool nullok);
int	store_col_int(struct db_stmt *, int col, int64_t min, int64_t max,
	    int64_t *out);
int	store_map_step(struct db_stmt *, int errs, const char *func);
int	store_map_list(struct db_stmt *, int errs, const char *func,
	    size_t elsize, store_row_fn row, void **out, size_t *n);
int	store_map_count(struct db_stmt *, int errs, const char *func,
	    size_t *n);
int	store_map_one(struct db_stmt *, int errs, const char *func,
	    store_row_fn row, void *out);
/* The store.h code for a driver's result class. */
int	store_map_rc(int dbrc);

struct store_tenant_row {
	struct store_tenant	*t;
	uint8_t			*hash;		/* NULL: not wanted */
};
int	store_row_tenant(struct db_stmt *, void *);	/* store_tenant_row */
int	store_row_rn(struct db_stmt *, void *);
int	store_row_link(struct db_stmt *, void *);
int	store_row_tenant_link(struct db_stmt *, void *);
int	store_row_profile(struct db_stmt *, void *);
int	store_row_event(struct db_stmt *, void *);

/*
 * Column order of STORE_LINK_COLS (store_query.c); INSERT binds column i
 * at parameter i + 2. LC_NCOLS is where the all-tenants list puts
 * tenant_id.
 */
enum store_link_col {
	LC_ID, LC_RN_ID, LC_NAME, LC_IP, LC_VENDOR, LC_BANDWIDTH, LC_BGP_LOCAL,
	LC_BGP_PEER, LC_ASN, LC_REDUNDANCY, LC_ZONE_LOCAL, LC_TUNNEL_TYPE,
	LC_PSK, LC_ZONE_PSK, LC_SA_LIFETIME, LC_IKE_ENC, LC_IKE_INT, LC_DH,
	LC_IPSEC_ENC, LC_IPSEC_INT, LC_PFS, LC_VERSION, LC_MODIFIED_MS,
	LC_SRC_PREFIXES,
	LC_NCOLS
};

extern const struct model_enum store_traffic_enum;

#endif
