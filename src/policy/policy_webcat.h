/*
 * policy_webcat.h - the web category database: FQDN suffix -> category,
 * loaded from a text file (docs/policy.md "Web categories"):
 *
 *   # comment
 *   !category<TAB>name<TAB>displayName<TAB>group
 *   suffix<TAB>name
 *
 * A suffix line names a declared category; "example.com" covers the name
 * and every name below it, and the longest listed suffix of a name wins.
 * The declared categories are the list a webCategories endpoint serves.
 * Immutable once loaded; shared by every tenant's snapshot (the caller
 * frees it only after the snapshots that use it).
 */
#ifndef POLICY_WEBCAT_H
#define POLICY_WEBCAT_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_WEBCAT_MAX	256	/* categories */
#define POLICY_WEBCAT_NAME_MAX	64
#define POLICY_WEBCAT_NONE	0xffff
#define POLICY_WEBCAT_FILE	"webcategories.tsv"	/* under BG_DATADIR */

struct policy_webcat;

struct policy_webcat_cat {
	char	name[POLICY_WEBCAT_NAME_MAX + 1];
	char	display[POLICY_WEBCAT_NAME_MAX * 2 + 1];
	char	group[POLICY_WEBCAT_NAME_MAX + 1];
};

/* NULL and a message naming the line (err, errlen) on any problem. */
struct policy_webcat *policy_webcat_parse(const char *text, size_t len,
	    char *err, size_t errlen);
struct policy_webcat *policy_webcat_load(const char *path, char *err,
	    size_t errlen);
void	policy_webcat_free(struct policy_webcat *);

size_t	policy_webcat_ncat(const struct policy_webcat *);
const struct policy_webcat_cat *policy_webcat_cat(const struct policy_webcat *,
	    size_t i);
/* The index of a category by name (case-insensitive), or -1. */
int	policy_webcat_find(const struct policy_webcat *, const char *name);
/* The category of a normalized host name, or POLICY_WEBCAT_NONE. */
uint16_t policy_webcat_lookup(const struct policy_webcat *, const char *host);
size_t	policy_webcat_nsuffix(const struct policy_webcat *);

#endif
