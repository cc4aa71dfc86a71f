/* model_link.c - lifetime of link objects: wiping their secrets, freeing;
 * which zones' tunnels a change of a link invalidates. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void
model_link_wipe(struct model_link *l)
{
	explicit_bzero(&l->tunnel, sizeof(l->tunnel));
}

void
model_links_free(struct model_link *links, size_t n)
{
	size_t i;

	if (links == NULL)
		return;
	for (i = 0; i < n; i++)
		model_link_wipe(&links[i]);
	free(links);
}

/*
 * The zone 1 tunnel is keyed by psk, the zone 2 one by zone_psk (system-
 * facts §1.6); the address (the IKE identity) and the policy are shared. So
 * a new zone key touches one zone only: with the zones on two gateway
 * nodes, the node of the other zone must keep its tunnel (docs/nodes.md).
 */
unsigned
model_link_zones_changed(const struct model_link *a, const struct model_link *b)
{
	const struct model_tunnel *x = &a->tunnel, *y = &b->tunnel;
	unsigned z = 0;

	if (a->ip != b->ip || x->custom != y->custom ||
	    x->sa_lifetime != y->sa_lifetime || x->ike_enc != y->ike_enc ||
	    x->ike_int != y->ike_int || x->dh != y->dh ||
	    x->ipsec_enc != y->ipsec_enc || x->ipsec_int != y->ipsec_int ||
	    x->pfs != y->pfs)
		return MODEL_ZONE1 | MODEL_ZONE2;
	if (strcmp(x->psk, y->psk) != 0)
		z |= MODEL_ZONE1;
	/* The tier going down (or up) only ends (or starts) zone 2. */
	if (strcmp(x->zone_psk, y->zone_psk) != 0 ||
	    a->redundancy != b->redundancy)
		z |= MODEL_ZONE2;
	return z;
}
