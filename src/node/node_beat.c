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
 */
#include "node_beat.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
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
};

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
    struct node_beat **out)
{
	struct node_beat *nb;
	pthread_condattr_t ca;
	char err[256];

	*out = NULL;
	if ((nb = calloc(1, sizeof(*nb))) == NULL)
		return -1;
	nb->node = *n;
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
	free(nb);
}
