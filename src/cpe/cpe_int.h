/*
 * cpe_int.h - what the three CPE generators share with cpe.c: a growing
 * text buffer that wipes itself (it may hold a pre-shared key), the zone
 * list of a link, and one render function per format. Not for other modules.
 */
#ifndef CPE_INT_H
#define CPE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpe.h"
#include "ip4.h"

struct cpe_out {
	char		*p;
	size_t		 len, cap;
	int		 err;	/* sticky: once set, appends are no-ops */
};

void	cpe_printf(struct cpe_out *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A comment body: user text with control characters replaced, so a
 * name can never end a comment line and start configuration. */
void	cpe_comment_text(struct cpe_out *, const char *s);

/* One gateway zone the link terminates on (system-facts §1.8, §2.2). */
struct cpe_zone {
	int		 n;		/* 1 or 2 */
	uint32_t	 endpoint;	/* gateway public IP */
	uint32_t	 gw_bgp;	/* gateway BGP address */
	const char	*psk;
};

struct cpe_in {
	const struct model_ctx	*ctx;
	const struct model_rn	*rn;	/* may be NULL */
	const struct model_link	*link;
	const struct cpe_opts	*opts;
	struct cpe_zone		 zone[MODEL_ZONES_MAX];
	size_t			 nzones;
	uint32_t		 gw_asn;
	char			 tag[16];	/* "bg-<8 hex of link id>" */
	char			*err;
	size_t			 errlen;
};

void	cpe_seterr(const struct cpe_in *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The "# ..." header lines every format starts with (prefix "#" or "!"). */
void	cpe_header(struct cpe_out *, const struct cpe_in *, const char *c,
	    const char *what);

/*
 * The bypass routes (cpe_opts.bypass) as one line each: fmt gets the
 * prefix and the next hop, c the comment prefix ("#" or "!"); nothing
 * when there are none.
 */
void	cpe_bypass(struct cpe_out *, const struct cpe_in *, const char *c,
	    const char *open, const char *fmt, const char *close);

int	cpe_swanctl(struct cpe_out *, const struct cpe_in *);
int	cpe_bird(struct cpe_out *, const struct cpe_in *);
int	cpe_frr(struct cpe_out *, const struct cpe_in *);

#endif
