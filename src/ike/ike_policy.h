/*
 * ike_policy.h - what a device link's tunnelConfiguration allows
 * (system-facts §1.5, §1.6), as IANA transform sets; proposal construction
 * for the initiator and proposal selection for the responder.
 */
#ifndef IKE_POLICY_H
#define IKE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

struct model_tunnel;
struct ike_pld_sa;
struct ike_pld_prop;
struct ike_pld_ts_set;

#define IKE_POLICY_IKE_MAX	8
#define IKE_POLICY_ESP_MAX	4

struct ike_policy {
	struct ike_suite ike[IKE_POLICY_IKE_MAX];	/* dh = the IKE group */
	size_t		n_ike;
	struct ike_suite esp[IKE_POLICY_ESP_MAX];	/* dh = PFS group, 0 none */
	size_t		n_esp;
	uint64_t	child_lifetime_s;
};

/* 0, or -1 for a tunnel whose choices have no IKEv2 transform set. */
int	ike_policy_from_tunnel(const struct model_tunnel *,
	    uint64_t default_child_lifetime_s, struct ike_policy *);

/* The peer's IKE proposals: the first acceptable one (peer's order). */
int	ike_policy_select_ike(const struct ike_policy *,
	    const struct ike_pld_sa *, uint8_t spi_size, struct ike_suite *out,
	    const struct ike_pld_prop **chosen);
/*
 * ESP proposals. pfs: CREATE_CHILD_SA, where the policy's PFS group must be
 * matched; in IKE_AUTH DH transforms are ignored (§1.2).
 */
int	ike_policy_select_esp(const struct ike_policy *,
	    const struct ike_pld_sa *, bool pfs, struct ike_suite *out,
	    bool *esn, const struct ike_pld_prop **chosen);

/* Initiator offers. dh_groups overrides the IKE groups (tests: INVALID_KE). */
void	ike_policy_offer_ike(const struct ike_policy *, uint64_t spi,
	    uint8_t spi_size, const uint16_t *dh_groups, size_t ngroups,
	    struct ike_pld_sa *out);
void	ike_policy_offer_esp(const struct ike_policy *, uint32_t spi,
	    bool pfs, struct ike_pld_sa *out);
/* Responder: the one chosen proposal (§3.3.1: its number kept). */
void	ike_policy_reply(const struct ike_suite *, uint8_t num, uint8_t proto,
	    uint64_t spi, uint8_t spi_size, bool esn, struct ike_pld_sa *out);

/*
 * Route-based, any-to-any (DESIGN "Packet paths"): a TS set is acceptable
 * if it includes 0.0.0.0/0, all protocols and ports; we narrow to exactly
 * that (§2.9). ike_policy_add_ts() appends that TSi and TSr.
 */
bool	ike_policy_ts_ok(const struct ike_pld_ts_set *);
struct ike_build;
int	ike_policy_add_ts(struct ike_build *);

/* One line each, for logs and REJECT details. */
void	ike_policy_describe_offer(const struct ike_pld_sa *, char *, size_t);
void	ike_policy_describe(const struct ike_policy *, bool esp, char *,
	    size_t);

#endif
