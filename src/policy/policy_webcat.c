/*
 * policy_webcat.c - web category file parser and suffix table. Same
 * hashing as policy_fqdn.c: one pass from the right over the name probes
 * each suffix once; the last hit is the longest suffix.
 */
#include "policy_webcat.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_fqdn.h"
#include "policy_name.h"

#define WEBCAT_FILE_MAX	(64u << 20)

struct webcat_slot {
	uint64_t	 h;		/* 0: empty */
	uint32_t	 off;
	uint16_t	 len;
	uint16_t	 cat;
};

struct policy_webcat {
	struct policy_webcat_cat cat[POLICY_WEBCAT_MAX];
	size_t		 ncat;
	struct webcat_slot *slot;
	size_t		 mask, n;
	char		*pool;
	size_t		 pool_len, pool_cap;
};

static void
wc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t
wc_hash(const char *s, size_t len)
{
	uint64_t h = POLICY_FQDN_H0;

	while (len > 0)
		h = policy_fqdn_hstep(h, s[--len]);
	return h == 0 ? 1 : h;
}

static int
wc_grow(struct policy_webcat *w)
{
	struct webcat_slot *old = w->slot, *ns;
	size_t ocap = old == NULL ? 0 : w->mask + 1, cap = ocap ? ocap * 2 : 1024;
	size_t i, j;

	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i < ocap; i++) {
		if (old[i].h == 0)
			continue;
		for (j = old[i].h & (cap - 1); ns[j].h != 0; j = (j + 1) & (cap - 1))
			;
		ns[j] = old[i];
	}
	free(old);
	w->slot = ns;
	w->mask = cap - 1;
	return 0;
}

static const struct webcat_slot *
wc_find(const struct policy_webcat *w, uint64_t h, const char *s, size_t len)
{
	size_t j;

	if (h == 0)
		h = 1;
	for (j = h & w->mask;; j = (j + 1) & w->mask) {
		const struct webcat_slot *e = &w->slot[j];

		if (e->h == 0)
			return NULL;
		if (e->h == h && e->len == len &&
		    memcmp(w->pool + e->off, s, len) == 0)
			return e;
	}
}

/* 0, 1 if already present, 2 if present with another category, -1. */
static int
wc_add(struct policy_webcat *w, const char *name, uint16_t cat)
{
	size_t len = strlen(name), j;
	uint64_t h = wc_hash(name, len);
	const struct webcat_slot *e;

	if (w->slot == NULL || (w->n + 1) * 2 > w->mask + 1)
		if (wc_grow(w) == -1)
			return -1;
	if ((e = wc_find(w, h, name, len)) != NULL)
		return e->cat == cat ? 1 : 2;
	if (w->pool_len + len > w->pool_cap) {
		size_t nc = w->pool_cap ? w->pool_cap * 2 : 65536;
		char *np;

		while (nc < w->pool_len + len)
			nc *= 2;
		if ((np = realloc(w->pool, nc)) == NULL)
			return -1;
		w->pool = np;
		w->pool_cap = nc;
	}
	memcpy(w->pool + w->pool_len, name, len);
	for (j = h & w->mask; w->slot[j].h != 0; j = (j + 1) & w->mask)
		;
	w->slot[j].h = h;
	w->slot[j].off = (uint32_t)w->pool_len;
	w->slot[j].len = (uint16_t)len;
	w->slot[j].cat = cat;
	w->pool_len += len;
	w->n++;
	return 0;
}

/* Splits line at TABs into at most max fields; the count. */
static size_t
wc_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *t;

	while (n < max) {
		f[n++] = line;
		if ((t = strchr(line, '\t')) == NULL)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

static bool
wc_catname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > POLICY_WEBCAT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool
wc_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

struct policy_webcat *
policy_webcat_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct policy_webcat *w;
	char line[1024], norm[POLICY_HOST_MAX + 1], *f[5];
	size_t pos = 0, lineno = 0, ll, nf, adv;
	const char *nl;
	int c, r;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		wc_err(err, errlen, "out of memory");
		return NULL;
	}
	while (pos < len) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		ll = nl == NULL ? len - pos : (size_t)(nl - (text + pos));
		adv = nl == NULL ? ll : ll + 1;
		if (ll > 0 && text[pos + ll - 1] == '\r')
			ll--;
		if (ll >= sizeof(line)) {
			wc_err(err, errlen, "line %zu: longer than %zu", lineno,
			    sizeof(line) - 1);
			goto fail;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos += adv;
		if (memchr(line, '\0', ll) != NULL) {
			wc_err(err, errlen, "line %zu: NUL octet", lineno);
			goto fail;
		}
		if (ll == 0 || line[0] == '#')
			continue;
		nf = wc_fields(line, f, 5);
		if (line[0] == '!') {
			struct policy_webcat_cat *k;

			if (strcmp(f[0], "!category") != 0 || nf != 4 ||
			    !wc_catname_ok(f[1]) ||
			    !wc_text_ok(f[2], sizeof(k->display) - 1) ||
			    !wc_catname_ok(f[3])) {
				wc_err(err, errlen, "line %zu: expected "
				    "!category<TAB>name<TAB>displayName<TAB>"
				    "group", lineno);
				goto fail;
			}
			if (policy_webcat_find(w, f[1]) != -1) {
				wc_err(err, errlen, "line %zu: category %s "
				    "declared twice", lineno, f[1]);
				goto fail;
			}
			if (w->ncat == POLICY_WEBCAT_MAX) {
				wc_err(err, errlen, "line %zu: more than %d "
				    "categories", lineno, POLICY_WEBCAT_MAX);
				goto fail;
			}
			k = &w->cat[w->ncat++];
			snprintf(k->name, sizeof(k->name), "%s", f[1]);
			snprintf(k->display, sizeof(k->display), "%s", f[2]);
			snprintf(k->group, sizeof(k->group), "%s", f[3]);
			continue;
		}
		if (nf != 2 || policy_name_norm(f[0], strlen(f[0]), norm) == -1) {
			wc_err(err, errlen, "line %zu: expected a host name "
			    "suffix<TAB>category", lineno);
			goto fail;
		}
		if ((c = policy_webcat_find(w, f[1])) == -1) {
			wc_err(err, errlen, "line %zu: category %s is not "
			    "declared (!category line)", lineno, f[1]);
			goto fail;
		}
		if ((r = wc_add(w, norm, (uint16_t)c)) == -1) {
			wc_err(err, errlen, "line %zu: out of memory", lineno);
			goto fail;
		}
		if (r == 2) {
			wc_err(err, errlen, "line %zu: %s already has another "
			    "category", lineno, norm);
			goto fail;
		}
	}
	if (w->ncat == 0) {
		wc_err(err, errlen, "no !category line");
		goto fail;
	}
	if (w->slot == NULL && wc_grow(w) == -1)
		goto fail;
	return w;
fail:
	policy_webcat_free(w);
	return NULL;
}

struct policy_webcat *
policy_webcat_load(const char *path, char *err, size_t errlen)
{
	struct policy_webcat *w = NULL;
	FILE *fp;
	char *text = NULL;
	size_t n = 0, cap = 0, r;

	if ((fp = fopen(path, "r")) == NULL) {
		wc_err(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *nt;

			cap = cap ? cap * 2 : 65536;
			if (cap > WEBCAT_FILE_MAX ||
			    (nt = realloc(text, cap)) == NULL) {
				wc_err(err, errlen, "%s: too big", path);
				goto out;
			}
			text = nt;
		}
		if ((r = fread(text + n, 1, cap - n, fp)) == 0)
			break;
		n += r;
	}
	if (ferror(fp)) {
		wc_err(err, errlen, "%s: read error", path);
		goto out;
	}
	if ((w = policy_webcat_parse(text, n, err, errlen)) == NULL &&
	    err != NULL && errlen > 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		wc_err(err, errlen, "%s: %s", path, tmp);
	}
out:
	free(text);
	fclose(fp);
	return w;
}

void
policy_webcat_free(struct policy_webcat *w)
{
	if (w == NULL)
		return;
	free(w->slot);
	free(w->pool);
	free(w);
}

size_t
policy_webcat_ncat(const struct policy_webcat *w)
{
	return w == NULL ? 0 : w->ncat;
}

size_t
policy_webcat_nsuffix(const struct policy_webcat *w)
{
	return w == NULL ? 0 : w->n;
}

const struct policy_webcat_cat *
policy_webcat_cat(const struct policy_webcat *w, size_t i)
{
	return w == NULL || i >= w->ncat ? NULL : &w->cat[i];
}

int
policy_webcat_find(const struct policy_webcat *w, const char *name)
{
	size_t i;

	for (i = 0; w != NULL && i < w->ncat; i++)
		if (strcasecmp(w->cat[i].name, name) == 0)
			return (int)i;
	return -1;
}

uint16_t
policy_webcat_lookup(const struct policy_webcat *w, const char *host)
{
	const struct webcat_slot *e;
	uint16_t best = POLICY_WEBCAT_NONE;
	uint64_t h = POLICY_FQDN_H0;
	size_t len, i;

	if (w == NULL || w->n == 0)
		return best;
	len = strlen(host);
	for (i = len; i > 0; i--) {
		h = policy_fqdn_hstep(h, host[i - 1]);
		if (i - 1 != 0 && host[i - 2] != '.')
			continue;
		if ((e = wc_find(w, h, host + i - 1, len - (i - 1))) != NULL)
			best = e->cat;	/* longer suffixes come later */
	}
	return best;
}
