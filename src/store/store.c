/*
 * store.c - opening a store: picks the driver (store_db.h) from the URL,
 * hands the connection to the shared queries (store_query.c), and the
 * calls that are the driver's alone (change push, reachability).
 */
#include "store_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char			*prefix;
	const struct store_db_driver	*drv;
	bool				 keep;	/* the driver wants the URL */
} store_schemes[] = {
	{ "sqlite:", &store_sqlite_driver, false },
	{ "postgres://", &store_pg_driver, true },
	{ "postgresql://", &store_pg_driver, true },
};

int
store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	const struct store_db_driver *drv = NULL;
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
		drv = store_schemes[i].drv;
		target = store_schemes[i].keep ? url : url + plen;
		if (url[plen] == '\0') {
			snprintf(err, errlen, "store URL has an empty path");
			goto fail;
		}
		break;
	}
	if (drv == NULL) {
		/* A plain path, unless it looks like a URL we do not know. */
		if (strstr(url, "://") != NULL) {
			snprintf(err, errlen, "unsupported store URL scheme");
			goto fail;
		}
		drv = &store_sqlite_driver;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->drv = drv;
	if (drv->open(target, &s->db, err, errlen) == -1)
		goto fail;
	if (store_query_open(s, err, errlen) == -1)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL)
		s->drv->close(s->db);
	store_query_close(s);
	free(s);
}

const struct model_errs *
store_conflict(struct store *s)
{
	return &s->conflict;
}

bool
store_unavailable(struct store *s)
{
	return s->drv->down != NULL && s->drv->down(s->db);
}

int
store_watch_fd(struct store *s)
{
	return s->drv->watch_fd != NULL ? s->drv->watch_fd(s->db) : -1;
}

int
store_watch_poll(struct store *s, bool *changed, bool *resync)
{
	*changed = false;
	*resync = false;
	if (s->drv->watch_poll == NULL)
		return 0;
	return s->drv->watch_poll(s->db, changed, resync);
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
