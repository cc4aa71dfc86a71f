/*
 * gw_call.c - cross-thread calls into the gateway loop (gw_call.h).
 *
 * A caller queues a request under the mutex, raises the notify and waits
 * on the condition variable (CLOCK_MONOTONIC deadline). The loop takes
 * the whole queue under the same mutex and runs each function while still
 * holding it, so a caller that times out and unlinks its request can never
 * race a function that is running with its argument.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "gw_call.h"
#include "log.h"
#include "notify.h"

struct gw_call_rq {
	void		(*fn)(void *);
	void		*arg;
	bool		 done;
	struct gw_call_rq *next;
};

struct gw_call {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct notify	*nf;
	struct event	*ev;
	struct gw_call_rq *head;
};

static void
gw_call_on_notify(evutil_socket_t fd, short what, void *arg)
{
	struct gw_call *c = arg;
	struct gw_call_rq *rq;

	(void)fd;
	(void)what;
	if (!notify_drain(c->nf))
		return;
	pthread_mutex_lock(&c->mu);
	while ((rq = c->head) != NULL) {
		c->head = rq->next;
		rq->fn(rq->arg);
		rq->done = true;
	}
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

int
gw_call_new(struct gw_call **out, struct event_base *base)
{
	struct gw_call *c;
	pthread_condattr_t ca;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (notify_new(&c->nf) == -1)
		goto fail;
	c->ev = event_new(base, notify_fd(c->nf), EV_READ | EV_PERSIST,
	    gw_call_on_notify, c);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		goto fail;
	*out = c;
	return 0;
fail:
	gw_call_free(c);
	return -1;
}

void
gw_call_free(struct gw_call *c)
{
	if (c == NULL)
		return;
	if (c->ev != NULL)
		event_free(c->ev);
	notify_free(c->nf);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int
gw_call_run(struct gw_call *c, void (*fn)(void *), void *arg,
    unsigned timeout_ms)
{
	struct gw_call_rq rq = { fn, arg, false, NULL }, **pp;
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->mu);
	rq.next = c->head;
	c->head = &rq;
	notify_raise(c->nf);
	while (!rq.done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&c->cv, &c->mu, &until);
	if (!rq.done) {
		/* Still queued (the loop runs whole queues under mu). */
		for (pp = &c->head; *pp != NULL; pp = &(*pp)->next)
			if (*pp == &rq) {
				*pp = rq.next;
				break;
			}
	}
	pthread_mutex_unlock(&c->mu);
	if (!rq.done)
		log_warn("gw: the gateway loop did not answer within %u ms",
		    timeout_ms);
	return rq.done ? 0 : -1;
}
