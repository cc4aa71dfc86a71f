/*
 * gw_call.h - run a function on the gateway's event-loop thread from
 * another thread (the API's) and wait for it, with a deadline. For reads
 * of state that only the loop may touch (the BGP RIBs), where a copy in
 * the once-a-second status snapshot would cost memory at 10,000 links for
 * something an operator asks for one link at a time.
 */
#ifndef GW_CALL_H
#define GW_CALL_H

struct event_base;
struct gw_call;

int	gw_call_new(struct gw_call **out, struct event_base *);
/* On the loop thread, after the loop has stopped. */
void	gw_call_free(struct gw_call *);
/*
 * Thread-safe: fn(arg) runs on the loop thread while the caller waits.
 * 0 once it has run; -1 if the loop did not take it within timeout_ms
 * (then it never runs, and arg is the caller's again).
 */
int	gw_call_run(struct gw_call *, void (*fn)(void *), void *arg,
	    unsigned timeout_ms);

#endif
