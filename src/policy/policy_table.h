/*
 * policy_table.h - the security policy the ESP workers read: per tenant
 * slot (the data plane's, gw_dp.c) the compiled policy_snap, and the
 * destinations of the Microsoft 365 forwarding profile. Published with
 * RCU (liburcu memb) as the SA tables are (esp_table.h): the control
 * thread replaces snapshots and commits; workers read the root inside
 * rcu_read_lock(); a replaced snapshot is freed after a grace period, so a
 * policy change reaches every worker at its next packet, with no restart
 * and no tunnel touched.
 */
#ifndef POLICY_TABLE_H
#define POLICY_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct lpm;
struct policy_snap;
struct policy_table;

#define POLICY_TABLE_SLOTS	4096	/* ESP_TABLE_TENANTS_MAX */

struct policy_root {
	uint64_t		 gen;	/* bumped by every commit */
	struct policy_snap	*snap[POLICY_TABLE_SLOTS];	/* NULL: none */
	struct lpm		*m365;	/* NULL: no Microsoft 365 list */
};

struct policy_table *policy_table_new(void);
/* The workers must be gone. Frees every snapshot. */
void	policy_table_free(struct policy_table *);
/* Read side: inside rcu_read_lock(). */
const struct policy_root *policy_table_root(struct policy_table *);

/*
 * Control side (one thread). set: the slot's next snapshot (ownership
 * passes; NULL clears); m365: the next destination list (ownership
 * passes). Both take effect at the commit, which frees what they replaced
 * after a grace period. 0, or -1 on no memory (nothing published).
 */
void	policy_table_set(struct policy_table *, uint32_t slot,
	    struct policy_snap *);
void	policy_table_m365(struct policy_table *, struct lpm *);
int	policy_table_commit(struct policy_table *);
/* The snapshot the control side last set for slot (not yet committed too). */
const struct policy_snap *policy_table_peek(const struct policy_table *,
	    uint32_t slot);

#endif
