/*
 * gw_bfd.h - BFD beside one of the gateway's BGP sessions (bfd/ engine,
 * multihop: RFC 5883, UDP 4784): its sockets in the tenant's namespace, on
 * the session's gateway BGP address, and its timer on the gw thread's
 * event loop. Passive: nothing is sent until the branch router's BFD
 * speaks, so a branch without BFD costs two idle sockets. When a session
 * that was Up goes down, the owner's down() runs at once: gw_bgp ends the
 * BGP session and withdraws its routes, well inside a second.
 */
#ifndef GW_BFD_H
#define GW_BFD_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd.h"

struct event_base;
struct gw_dp;
struct gw_bfd;

struct gw_bfd_cfg {
	struct event_base *base;
	struct gw_dp	*dp;
	const char	*tenant_id;
	uint32_t	 local, peer;	/* the BGP session's addresses */
	uint32_t	 disc;		/* our discriminator, unique on the node */
	void		*arg;
	void		(*down)(void *arg, const char *why);
};

/* NULL on no memory; sockets that cannot be opened yet are retried. */
struct gw_bfd *gw_bfd_open(const struct gw_bfd_cfg *);
/* AdminDown to the peer if it was talking, then closes everything. */
void	gw_bfd_close(struct gw_bfd *);
/* false if the branch never sent BFD; then *st is all zero. */
bool	gw_bfd_status(const struct gw_bfd *, struct bfd_status *st);

#endif
