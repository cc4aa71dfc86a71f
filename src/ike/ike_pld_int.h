/* ike_pld_int.h - shared between the ike_pld*.c files only. */
#ifndef IKE_PLD_INT_H
#define IKE_PLD_INT_H

#include <stdint.h>

struct buf;
struct ike_build;
struct ike_pld_sa;

/* SA payload body (after the generic header); -1 = INVALID_SYNTAX. */
int	ike_pld_sa_parse(struct buf *, struct ike_pld_sa *);

/*
 * Open a payload of type: chain it, write a generic header with a length
 * placeholder; *start = its offset for ike_build_pld_end().
 */
int	ike_build_pld_begin(struct ike_build *, uint8_t type, size_t *start);
/* Patch the payload length (§3.2: generic header included). */
int	ike_build_pld_end(struct ike_build *, size_t start);

#endif
