/*
 * node_beat.h - a node's registration in the store's node list and its
 * heartbeat (docs/nodes.md), on a thread and a store connection of its
 * own, so that a slow database never holds up the gateway loop or the API.
 */
#ifndef NODE_BEAT_H
#define NODE_BEAT_H

struct node_beat;
struct store_node;

/*
 * Registers n (name, role, endpoints, heartbeat_s) in the store at url,
 * then heartbeats every n->heartbeat_s seconds until node_beat_stop().
 * Fails only if the first registration does.
 */
int	node_beat_start(const char *url, const struct store_node *n,
	    struct node_beat **out);
void	node_beat_stop(struct node_beat *);

#endif
