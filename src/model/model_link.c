/* model_link.c - lifetime of link objects: wiping their secrets, freeing. */
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
