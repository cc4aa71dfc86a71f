/*
 * node_beat.c - registers this node in the store (store_node_register)
 * and then heartbeats on its own thread and store connection. The wait
 * between beats is on the monotonic clock (a wall clock step must not
 * stop or hurry the beats); the beat itself stores wall-clock time, which
 * is what other nodes compare with theirs (store_node.c).
 *
 * While the database is away the beats fail; the thread logs the first
 * failure and the recovery, not every beat. A row deleted under a running
 * node (STORE_NOTFOUND) is registered again.
 *
 * A gateway node's beat also writes the status of the zones placed on it
 * (store_status.c): the zones read from link_nodes, each link's view from
 * the gateway (a thread-safe snapshot, never the gateway loop itself),
 * and only the rows that differ from the last write, with the rows of
 * zones no longer placed here deleted. The first write after the start,
 * or after a failed one, clears the node's rows and writes them all, so
 * rows left by an earlier run (zones moved away meanwhile) go.
 */
#include "node_beat.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "model.h"
#include "store.h"
#include "wallclock.h"

struct node_beat {
	struct store		*st;
	struct store_node	 node;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 stop;
	bool			 failing;
	node_status_fn		 status;	/* NULL: no status rows */
	void			*status_arg;
	/* What the last write left in the store, sorted by (link, zone). */
	struct store_zstatus	*written;
	size_t			 nwritten;
	bool			 synced;	/* written is the store's */
	bool			 st_failing;
};

/* The key order of the rows: link id, then zone. */
static int
nb_cmp(const struct store_zstatus *a, const struct store_zstatus *b)
{
	int c = strcmp(a->link_id, b->link_id);

	return c != 0 ? c : a->zone - b->zone;
}

/* One zone's row from the link's view; the ESP counters on its first zone here. */
static void
nb_row(const struct node_beat *nb, const struct store_node_zone *z,
    const struct model_link_status *ls, bool counters,
    struct store_zstatus *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->link_id, z->link_id, sizeof(r->link_id));
	memcpy(r->tenant_id, z->tenant_id, sizeof(r->tenant_id));
	r->zone = z->zone;
	memcpy(r->node, nb->node.name, sizeof(r->node));
	r->dataplane = ls->dataplane;
	r->tunnel = ls->tunnel[z->zone - 1];
	r->bgp = ls->bgp[z->zone - 1];
	r->bgp.nreject = 0;
	memset(r->bgp.reject, 0, sizeof(r->bgp.reject));
	if (counters) {
		r->in_packets = ls->in_packets;
		r->in_bytes = ls->in_bytes;
		r->out_packets = ls->out_packets;
		r->out_bytes = ls->out_bytes;
		r->replay = ls->replay;
		r->auth_failed = ls->auth_failed;
		r->malformed = ls->malformed;
		r->spoofed = ls->spoofed;
	}
	memcpy(r->reason, ls->reason, sizeof(r->reason));
	memcpy(r->reason_detail, ls->reason_detail, sizeof(r->reason_detail));
}

static void
nb_status(struct node_beat *nb)
{
	struct store_node_zone *zs = NULL;
	struct store_zstatus *now = NULL, *put = NULL, *drop = NULL;
	struct model_link_status ls;
	size_t n = 0, i, j, nput = 0, ndrop = 0;
	int64_t ms = wallclock_now_ms();
	int rc = -1, c;

	if (store_node_zones(nb->st, nb->node.name, &zs, &n) != 0)
		goto out;
	if ((n > 0 && ((now = calloc(n, sizeof(*now))) == NULL ||
	    (put = calloc(n, sizeof(*put))) == NULL)) ||
	    (nb->nwritten > 0 &&
	    (drop = calloc(nb->nwritten, sizeof(*drop))) == NULL))
		goto out;
	for (i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(zs[i].link_id,
		    zs[i - 1].link_id) != 0;

		if (first && nb->status(nb->status_arg, zs[i].link_id,
		    &ls) == -1)
			goto out;
		nb_row(nb, &zs[i], &ls, first, &now[i]);
	}
	/* Both sorted by (link, zone): one merge pass finds the changes. */
	for (i = 0, j = 0; i < n || (nb->synced && j < nb->nwritten);) {
		c = !nb->synced || j >= nb->nwritten ? -1 : i >= n ? 1 :
		    nb_cmp(&now[i], &nb->written[j]);
		if (c > 0) {
			drop[ndrop++] = nb->written[j++];
			continue;
		}
		if (c < 0 || memcmp(&now[i], &nb->written[j],
		    sizeof(now[i])) != 0) {
			put[nput] = now[i];
			put[nput++].updated_ms = ms;
		}
		i++;
		if (c == 0)
			j++;
	}
	rc = nput + ndrop == 0 && nb->synced ? 0 :
	    store_zstatus_write(nb->st, nb->node.name, !nb->synced, put, nput,
	    drop, ndrop);
out:
	if (rc == 0) {
		free(nb->written);
		nb->written = now;
		nb->nwritten = n;
		nb->synced = true;
		now = NULL;
		if (nb->st_failing)
			log_info("node %s: status writes back", nb->node.name);
	} else {
		/* Next time everything again, from a clean slate. */
		nb->synced = false;
		if (!nb->st_failing)
			log_warn("node %s: cannot write the links' status "
			    "(database away?); retrying every %u s",
			    nb->node.name, nb->node.heartbeat_s);
	}
	nb->st_failing = rc != 0;
	free(zs);
	free(now);
	free(put);
	free(drop);
}

static void
nb_beat(struct node_beat *nb)
{
	int rc;

	rc = store_node_heartbeat(nb->st, nb->node.name, wallclock_now_ms());
	if (rc == STORE_NOTFOUND) {
		log_warn("node %s: not in the node list any more: registering "
		    "again", nb->node.name);
		rc = store_node_register(nb->st, &nb->node, wallclock_now_ms());
	}
	if (rc != 0 && !nb->failing)
		log_warn("node %s: heartbeat failed (database away?); "
		    "retrying every %u s", nb->node.name, nb->node.heartbeat_s);
	else if (rc == 0 && nb->failing)
		log_info("node %s: heartbeat back", nb->node.name);
	nb->failing = rc != 0;
	if (rc == 0 && nb->status != NULL)
		nb_status(nb);
}

static void *
nb_main(void *arg)
{
	struct node_beat *nb = arg;
	struct timespec at;

	pthread_mutex_lock(&nb->mu);
	clock_gettime(CLOCK_MONOTONIC, &at);
	while (!nb->stop) {
		at.tv_sec += nb->node.heartbeat_s;
		while (!nb->stop &&
		    pthread_cond_timedwait(&nb->cv, &nb->mu, &at) == 0)
			;
		if (nb->stop)
			break;
		pthread_mutex_unlock(&nb->mu);
		nb_beat(nb);
		pthread_mutex_lock(&nb->mu);
		/* A beat slower than the interval: wait from now, not catch up. */
		{
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > at.tv_sec)
				at = now;
		}
	}
	pthread_mutex_unlock(&nb->mu);
	return NULL;
}

int
node_beat_start(const char *url, const struct store_node *n,
    node_status_fn status, void *status_arg, struct node_beat **out)
{
	struct node_beat *nb;
	pthread_condattr_t ca;
	char err[256];

	*out = NULL;
	if ((nb = calloc(1, sizeof(*nb))) == NULL)
		return -1;
	nb->node = *n;
	nb->status = status;
	nb->status_arg = status_arg;
	if (store_open(url, &nb->st, err, sizeof(err)) == -1) {
		log_err("node %s: cannot open store: %s", n->name, err);
		goto fail;
	}
	if (store_node_register(nb->st, n, wallclock_now_ms()) != 0) {
		log_err("node %s: cannot register in the node list", n->name);
		goto fail;
	}
	pthread_mutex_init(&nb->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nb->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&nb->thread, NULL, nb_main, nb) != 0) {
		pthread_cond_destroy(&nb->cv);
		pthread_mutex_destroy(&nb->mu);
		log_err("node %s: cannot start the heartbeat thread", n->name);
		goto fail;
	}
	log_info("node %s: registered as %s, heartbeat every %u s", n->name,
	    store_node_role_name(n->role), n->heartbeat_s);
	*out = nb;
	return 0;
fail:
	if (nb->st != NULL)
		store_close(nb->st);
	free(nb);
	return -1;
}

void
node_beat_stop(struct node_beat *nb)
{
	if (nb == NULL)
		return;
	pthread_mutex_lock(&nb->mu);
	nb->stop = true;
	pthread_cond_signal(&nb->cv);
	pthread_mutex_unlock(&nb->mu);
	pthread_join(nb->thread, NULL);
	pthread_cond_destroy(&nb->cv);
	pthread_mutex_destroy(&nb->mu);
	store_close(nb->st);
	free(nb->written);
	free(nb);
}
