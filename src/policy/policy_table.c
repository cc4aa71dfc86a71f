/*
 * policy_table.c - RCU publication of the tenants' compiled policies
 * (policy_table.h). The control side keeps the next root as a working
 * copy; a commit publishes a copy of it and frees, after the grace
 * period, the previous root and every snapshot no longer referenced.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "lpm.h"
#include "policy_snap.h"
#include "policy_table.h"

struct policy_table {
	struct policy_root	*cur;		/* published */
	struct policy_root	 next;		/* the control side's copy */
	/* Replaced since the last commit: freed after its grace period. */
	struct policy_snap	**dead;
	size_t			 ndead, cap;
	struct lpm		*dead_m365;
	bool			 dirty;
};

static int
pt_retire(struct policy_table *t, struct policy_snap *s)
{
	struct policy_snap **n;

	if (s == NULL)
		return 0;
	if (t->ndead == t->cap) {
		if ((n = realloc(t->dead, (t->cap ? t->cap * 2 : 16) *
		    sizeof(*n))) == NULL)
			return -1;
		t->dead = n;
		t->cap = t->cap ? t->cap * 2 : 16;
	}
	t->dead[t->ndead++] = s;
	return 0;
}

struct policy_table *
policy_table_new(void)
{
	struct policy_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->cur = calloc(1, sizeof(*t->cur))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
policy_table_free(struct policy_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < POLICY_TABLE_SLOTS; i++)
		policy_snap_free(t->next.snap[i]);
	lpm_free(t->next.m365);
	for (i = 0; i < t->ndead; i++)
		policy_snap_free(t->dead[i]);
	lpm_free(t->dead_m365);
	free(t->dead);
	free(t->cur);
	free(t);
}

const struct policy_root *
policy_table_root(struct policy_table *t)
{
	return rcu_dereference(t->cur);
}

void
policy_table_set(struct policy_table *t, uint32_t slot, struct policy_snap *s)
{
	if (slot >= POLICY_TABLE_SLOTS) {
		policy_snap_free(s);
		return;
	}
	if (t->next.snap[slot] == s)
		return;
	/* On no memory the old snapshot leaks rather than being freed early. */
	(void)pt_retire(t, t->next.snap[slot]);
	t->next.snap[slot] = s;
	t->dirty = true;
}

void
policy_table_m365(struct policy_table *t, struct lpm *m)
{
	if (t->next.m365 != t->cur->m365)
		lpm_free(t->next.m365);		/* never published */
	else
		t->dead_m365 = t->next.m365;
	t->next.m365 = m;
	t->dirty = true;
}

const struct policy_snap *
policy_table_peek(const struct policy_table *t, uint32_t slot)
{
	return slot < POLICY_TABLE_SLOTS ? t->next.snap[slot] : NULL;
}

int
policy_table_commit(struct policy_table *t)
{
	struct policy_root *n, *old;
	size_t i;

	if (!t->dirty)
		return 0;
	if ((n = malloc(sizeof(*n))) == NULL)
		return -1;
	memcpy(n, &t->next, sizeof(*n));
	n->gen = t->cur->gen + 1;
	t->next.gen = n->gen;
	old = t->cur;
	rcu_assign_pointer(t->cur, n);
	/* Grace period: no worker can still hold old or what it pointed to. */
	urcu_memb_synchronize_rcu();
	free(old);
	for (i = 0; i < t->ndead; i++)
		policy_snap_free(t->dead[i]);
	t->ndead = 0;
	lpm_free(t->dead_m365);
	t->dead_m365 = NULL;
	t->dirty = false;
	return 0;
}
