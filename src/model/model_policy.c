/*
 * model_policy.c - security policy objects (model_policy.h): freeing.
 * The JSON mapping and validation live beside, in model_policy_json.c.
 */
#include <stdlib.h>
#include <string.h>

#include "model_policy.h"

void
model_frule_clear(struct model_frule *r)
{
	free(r->dest);
	r->dest = NULL;
	r->ndest = 0;
}

void
model_fpolicy_clear(struct model_fpolicy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		model_frule_clear(&p->rules[i]);
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
}

void
model_fprofile_clear(struct model_fprofile *p)
{
	free(p->links);
	p->links = NULL;
	p->nlinks = 0;
}

void
model_fset_clear(struct model_fset *s)
{
	size_t i;

	for (i = 0; i < s->nprofiles; i++)
		model_fprofile_clear(&s->profiles[i]);
	for (i = 0; i < s->npolicies; i++)
		model_fpolicy_clear(&s->policies[i]);
	free(s->profiles);
	free(s->policies);
	memset(s, 0, sizeof(*s));
}
