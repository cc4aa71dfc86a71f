/*
 * test_pg.h - a throwaway PostgreSQL server for the store's unit tests
 * (tests/include/pg_server.sh: initdb and pg_ctl in a temporary directory,
 * a Unix socket), so that each backend runs the same cases. Include after
 * cmocka.h.
 */
#ifndef TEST_PG_H
#define TEST_PG_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char test_pg_dir[PATH_MAX];

/* Starts the server; url gets its store URL. 0, or -1 (no server). */
static inline int
test_pg_start(char *url, size_t len)
{
	char cmd[PATH_MAX + 64];
	const char *src = getenv("BG_SRCDIR");
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sh %s/tests/include/pg_server.sh start",
	    src != NULL ? src : ".");
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(test_pg_dir, sizeof(test_pg_dir), p) == NULL ||
	    fgets(url, (int)len, p) == NULL) {
		pclose(p);
		return -1;
	}
	test_pg_dir[strcspn(test_pg_dir, "\n")] = '\0';
	url[strcspn(url, "\n")] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static inline void
test_pg_stop(void)
{
	char cmd[2 * PATH_MAX];
	const char *src = getenv("BG_SRCDIR");

	snprintf(cmd, sizeof(cmd), "sh %s/tests/include/pg_server.sh stop %s",
	    src != NULL ? src : ".", test_pg_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pg_server.sh stop failed\n");
}

/*
 * The group tests[0..n) on SQLite (a fresh file in a temporary directory)
 * and then on PostgreSQL, with url set for each: main()'s exit status.
 */
static inline int
test_pg_both(const char *name, const struct CMUnitTest *tests, size_t n,
    char *url, size_t len)
{
	char dir[] = "/tmp/bgstore.XXXXXX", cmd[64], group[128];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(url, len, "sqlite:%s/bg.db", dir);
	fprintf(stderr, "== SQLite\n");
	snprintf(group, sizeof(group), "%s_sqlite", name);
	rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	fprintf(stderr, "== PostgreSQL\n");
	if (test_pg_start(url, len) == -1) {
		fprintf(stderr, "could not start PostgreSQL\n");
		return 1;
	}
	snprintf(group, sizeof(group), "%s_postgresql", name);
	rc |= _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	test_pg_stop();
	return rc != 0;
}

#endif
