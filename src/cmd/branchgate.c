/*
 * branchgate.c - the command-line client of branchgated's REST API (see
 * docs/cli.md). Each command is one or two Graph-shaped requests
 * (system-facts §3.3) over libcurl; answers are shown as aligned tables or,
 * with --json, as the server's JSON. The server is the authority on what is
 * valid: the CLI checks only that the arguments it needs are present.
 * "tenant create" is the one offline command: it opens the store directly
 * to mint a tenant and its API token. RN and LINK arguments take an id or
 * an exact display name (resolve_refs); deletes ask on a terminal
 * (confirm_delete). Under --json an error is also one JSON object on
 * stdout, the server's own body when it sent one (cli_err).
 *
 * Exit status: 0 ok, 1 the server (or the local store) refused, 2 branchgated
 * could not be reached or a delete was not confirmed, 64 usage error.
 *
 * Secrets: tokens and PSKs are never printed, except the cpe-config text the
 * user asked for and the token "tenant create" mints. Every buffer that may
 * hold one is wiped before it is freed, jansson's included (wipe_malloc).
 */
#include <sys/stat.h>

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guid.h"
#include "log.h"
#include "model.h"
#include "store.h"
#include "token.h"
#include "version.h"
#include "wallclock.h"

#define CLI_OK		0
#define CLI_API		1	/* the server or the store said no */
#define CLI_CONN	2	/* branchgated unreachable */
#define CLI_UNCONFIRMED	2	/* a delete nobody confirmed */
#define CLI_USAGE	64	/* EX_USAGE */


#define DEFAULT_URL	"http://127.0.0.1:8080"
#define DEFAULT_DB	"sqlite:./var/branchgate.db"
#define HTTP_TIMEOUT_S	30L
#define HTTP_CONNECT_S	10L
#define RESP_MAX	((size_t)16 << 20)
#define BODY_MAX	((size_t)16 << 20)
#define URL_MAX		((size_t)64 << 10)
#define PSK_READ_MAX	((size_t)4096)	/* a read bound; the server checks */
#define RN_PATH		"/networkAccess/connectivity/remoteNetworks"
#define PROFILES_PATH	"/networkAccess/forwardingProfiles"
#define LOGS_PATH	"/networkAccess/logs/remoteNetworks"
#define LOGS_TOP_DEFAULT 100
#define LOGS_TOP_MAX	1000000
#define LOGS_PAGE_MAX	1000	/* the server's $top limit (api_logs.c) */
#define EXPAND_ALL	"?$expand=deviceLinks,forwardingProfiles"

_Static_assert(MODEL_ID_LEN == GUID_STRLEN, "tenant ids are GUIDs");
_Static_assert(STORE_TOKEN_ID_LEN == TOKEN_ID_LEN, "token id length");
_Static_assert(STORE_HASH_LEN == TOKEN_HASH_LEN, "token hash length");

struct cli {
	char		*url;		/* no trailing slash */
	char		*token;
	bool		 json;
	bool		 quiet;		/* creates print only the new id */
	CURL		*curl;
};

static _Noreturn void
oom(void)
{
	fputs("branchgate: out of memory\n", stderr);
	exit(CLI_API);
}

/*
 * Jansson's allocator: a size header in front of each block so that free
 * can wipe it. Request bodies and their parse trees hold PSKs.
 */
#define WIPE_HDR	sizeof(max_align_t)

static void *
wipe_malloc(size_t n)
{
	unsigned char	*p;

	if (n > SIZE_MAX - WIPE_HDR || (p = malloc(n + WIPE_HDR)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + WIPE_HDR;
}

static void
wipe_free(void *q)
{
	unsigned char	*p;
	size_t		 n;

	if (q == NULL)
		return;
	p = (unsigned char *)q - WIPE_HDR;
	memcpy(&n, p, sizeof(n));
	explicit_bzero(p, n + WIPE_HDR);
	free(p);
}

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		oom();
	return p;
}

/*
 * A growing byte string, NUL-terminated, bounded by max. Exceeding max sets
 * the sticky "over" flag, checked once where the buffer is used. Old storage
 * is wiped on growth and free: these buffers carry PSKs and tokens.
 */
struct sbuf {
	char	*p;
	size_t	 len, cap, max;
	bool	 over;
};

#define SB_INIT(m)	{ NULL, 0, 0, (m), false }

static void
sb_free(struct sbuf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

static int
sb_add(struct sbuf *b, const void *d, size_t n)
{
	size_t	 ncap, len = b->len;
	char	*np;

	if (b->over || n > b->max - b->len) {
		b->over = true;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = malloc(ncap)) == NULL)
			oom();
		if (len > 0)
			memcpy(np, b->p, len);
		sb_free(b);	/* wipes the old copy; zeroes len */
		b->p = np;
		b->len = len;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
sb_adds(struct sbuf *b, const char *s)
{
	return sb_add(b, s, strlen(s));
}

static int
sb_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list	 aq;
	char	 small[256], *big;
	int	 n, r;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return sb_add(b, small, (size_t)n);
	if ((big = malloc((size_t)n + 1)) == NULL)
		oom();
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	r = sb_add(b, big, (size_t)n);
	free(big);
	return r;
}

static int
sb_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = sb_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Append s percent-encoded (RFC 3986 unreserved characters kept). */
static int
sb_add_esc(struct sbuf *b, CURL *h, const char *s)
{
	char	*e;
	int	 r;

	if ((e = curl_easy_escape(h, s, 0)) == NULL)
		oom();
	r = sb_adds(b, e);
	curl_free(e);
	return r;
}

/* Remove one trailing newline ("\n" or "\r\n"). */
static void
sb_chomp(struct sbuf *b)
{
	if (b->len > 0 && b->p[b->len - 1] == '\n') {
		b->p[--b->len] = '\0';
		if (b->len > 0 && b->p[b->len - 1] == '\r')
			b->p[--b->len] = '\0';
	}
}

/* Read fd to EOF into b; -1 with errno set (EFBIG past b->max). */
static int
read_fd(int fd, struct sbuf *b)
{
	char	 chunk[4096];
	ssize_t	 n;
	int	 ret = 0;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		if (sb_add(b, chunk, (size_t)n) == -1) {
			errno = EFBIG;
			ret = -1;
			break;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	return ret;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Terminal hygiene: names and messages come from the server (and from
 * whoever named the object); C0/C1 control characters become '?'.
 */
static void
clean_inplace(char *s)
{
	unsigned char	*u = (unsigned char *)s;

	for (; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f)
			*u = '?';
		else if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
			u[0] = '?';
			u[1] = '?';
			u++;
		}
	}
}

/* printf whose output has control characters (other than '\n') replaced. */
static void
outf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
outf(FILE *f, const char *fmt, ...)
{
	struct sbuf	 b = SB_INIT(SIZE_MAX / 2);
	va_list		 ap;
	char		*line, *nl;

	va_start(ap, fmt);
	sb_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.p == NULL)
		return;
	for (line = b.p; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		clean_inplace(line);
		fputs(line, f);
		if (nl != NULL)
			fputc('\n', f);
	}
	sb_free(&b);
}

/* Display width of UTF-8 text: code points, not bytes. */
static size_t
text_width(const char *s)
{
	size_t	 w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* JSON helpers. */

static json_t *
jget(const json_t *o, const char *k1, const char *k2)
{
	json_t	*v = json_object_get(o, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	return v;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A scalar as text for a table cell; "-" when missing or null. */
static const char *
jtext(const json_t *v, char tmp[32])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(tmp, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return tmp;
	}
	if (json_is_real(v)) {
		snprintf(tmp, 32, "%g", json_real_value(v));
		return tmp;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return "-";
}

static void
print_json(const json_t *j)
{
	char	*s;

	if (j == NULL)
		return;
	if ((s = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY)) == NULL)
		oom();
	puts(s);
	wipe_free(s);
}

/*
 * Errors: one line on stderr for people; under --json also one
 * {"error":{"code","message"}} object on stdout for scripts, the first
 * error of the run only, so stdout stays one JSON document.
 */
static bool	err_json;	/* --json was given */
static bool	err_done;	/* the JSON error is out */

/* A JSON string of s, bytes that are not UTF-8 replaced by '?'. */
static json_t *
json_string_lossy(const char *s)
{
	json_t	*v;
	char	*t;
	size_t	 i;

	if ((v = json_string(s)) != NULL)
		return v;
	if ((t = strdup(s)) == NULL)
		oom();
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] >= 0x80)
			t[i] = '?';
	v = json_string(t);
	free(t);
	return v;
}

/* Print body (an {"error":...} object) as the run's JSON error; takes it. */
static void
err_body(json_t *body)
{
	if (err_json && !err_done && body != NULL) {
		print_json(body);
		err_done = true;
	}
	json_decref(body);
}

static void
err_code(const char *code, const char *msg)
{
	json_t	*e;

	if (!err_json || err_done)
		return;
	if ((e = json_object()) == NULL ||
	    json_object_set_new(e, "code", json_string(code)) == -1 ||
	    json_object_set_new(e, "message", json_string_lossy(msg)) == -1)
		oom();
	err_body(json_pack("{s:o}", "error", e));
}

static int
err_v(int ret, const char *code, const char *prefix, const char *fmt,
    va_list ap)
{
	struct sbuf	 b = SB_INIT(SIZE_MAX / 2);

	sb_vaddf(&b, fmt, ap);
	outf(stderr, "%s%s\n", prefix, b.p != NULL ? b.p : "");
	err_code(code, b.p != NULL ? b.p : "");
	sb_free(&b);
	return ret;
}

static int
err_p(int ret, const char *code, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
err_p(int ret, const char *code, const char *prefix, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_v(ret, code, prefix, fmt, ap);
	va_end(ap);
	return ret;
}

/* The CLI refuses ("branchgate: ..."); returns ret. */
static int
cli_err(int ret, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cli_err(int ret, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_v(ret, code, "branchgate: ", fmt, ap);
	va_end(ap);
	return ret;
}

/* What the server (or the store) holds says no ("error: ..."). */
static int
srv_err(int ret, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
srv_err(int ret, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_v(ret, code, "error: ", fmt, ap);
	va_end(ap);
	return ret;
}

/* Set o[k] = v (a UTF-8 string) when v is given; -1 if not valid UTF-8. */
static int
set_str(json_t *o, const char *k, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(o, k, json_string(v));
}

static int
set_int(json_t *o, const char *k, const char *v, const char *opt)
{
	long long	 n;
	char		*end;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return cli_err(-1, "UsageError", "%s wants an integer", opt);
	return json_object_set_new(o, k, json_integer((json_int_t)n));
}

static json_t *
obj_id(const char *id)
{
	json_t	*o;

	if ((o = json_object()) == NULL || set_str(o, "id", id) == -1)
		oom();
	return o;
}

/* Tables: the first row is the header. Cells are cleaned copies. */
struct table {
	size_t	  ncol, n, cap;
	char	**cell;
};

static void
tbl_add(struct table *t, const char *s)
{
	char	**nc;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		if ((nc = realloc(t->cell, t->cap * sizeof(*nc))) == NULL)
			oom();
		t->cell = nc;
	}
	if ((t->cell[t->n] = strdup(s != NULL ? s : "-")) == NULL)
		oom();
	clean_inplace(t->cell[t->n++]);
}

static void
tbl_addj(struct table *t, const json_t *v)
{
	char	 tmp[32];

	tbl_add(t, jtext(v, tmp));
}

static void
tbl_print(struct table *t)
{
	size_t	*w, i, c, pad;

	w = xcalloc(t->ncol, sizeof(*w));
	for (i = 0; i < t->n; i++)
		if (text_width(t->cell[i]) > w[i % t->ncol])
			w[i % t->ncol] = text_width(t->cell[i]);
	for (i = 0; i < t->n; i++) {
		c = i % t->ncol;
		fputs(t->cell[i], stdout);
		if (c == t->ncol - 1) {
			fputc('\n', stdout);
			continue;
		}
		for (pad = text_width(t->cell[i]); pad < w[c] + 2; pad++)
			fputc(' ', stdout);
	}
	for (i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	free(w);
	t->cell = NULL;
	t->n = t->cap = 0;
}

static void
kv(const char *k, const char *v)
{
	outf(stdout, "%-16s %s\n", k, v != NULL ? v : "-");
}

static void
kvj(const char *k, const json_t *v)
{
	char	 tmp[32];

	kv(k, jtext(v, tmp));
}

/*
 * Command-line arguments. Options may appear anywhere (global ones
 * included); "--opt=value" and "--opt value" both work; "--" ends options.
 */
enum opt {
	O_URL, O_TOKEN, O_JSON, O_QUIET, O_HELP,
	O_DB, O_EXPAND, O_NAME, O_REGION, O_PROFILE, O_BODY,
	O_IP, O_VENDOR, O_ASN, O_LOCAL_BGP, O_PEER_BGP, O_BANDWIDTH,
	O_ZONE_LOCAL_BGP, O_PSK, O_PSK_FILE, O_PSK_ENV, O_ZONE_PSK,
	O_ZONE_PSK_FILE, O_ZONE_PSK_ENV, O_CUSTOM, O_IKE_ENC, O_IKE_INT,
	O_DH, O_IPSEC_ENC, O_IPSEC_INT, O_PFS, O_SA_LIFETIME,
	O_FORMAT, O_LAN, O_OUTPUT, O_STATIC_SOURCE, O_YES, O_STATUS,
	O_SINCE, O_UNTIL, O_TOP, O_VERSION,
	O_COUNT
};

#define OM(o)		(UINT64_C(1) << (o))
#define OM_GLOBAL	(OM(O_URL) | OM(O_TOKEN) | OM(O_JSON) | OM(O_QUIET) | \
	OM(O_HELP) | OM(O_VERSION))
#define OM_CUSTOM	(OM(O_IKE_ENC) | OM(O_IKE_INT) | OM(O_DH) | \
	OM(O_IPSEC_ENC) | OM(O_IPSEC_INT) | OM(O_PFS) | OM(O_SA_LIFETIME))
#define OM_SECRETS	(OM(O_PSK) | OM(O_PSK_FILE) | OM(O_PSK_ENV) | \
	OM(O_ZONE_PSK) | OM(O_ZONE_PSK_FILE) | OM(O_ZONE_PSK_ENV))
#define OM_BGP		(OM(O_ASN) | OM(O_LOCAL_BGP) | OM(O_PEER_BGP))
#define OM_LINK		(OM(O_NAME) | OM(O_IP) | OM(O_VENDOR) | OM_BGP | \
	OM(O_BANDWIDTH) | OM(O_ZONE_LOCAL_BGP) | OM_SECRETS | OM(O_CUSTOM) | \
	OM_CUSTOM | OM(O_BODY) | OM(O_STATIC_SOURCE))

_Static_assert(O_COUNT <= 64, "option mask is 64 bits");

enum optkind { ARG_FLAG, ARG_ONE, ARG_LIST };

static const struct optdef {
	const char	*name;
	enum opt	 id;
	enum optkind	 kind;
} optdefs[] = {
	{ "--url",		O_URL,		ARG_ONE },
	{ "--token",		O_TOKEN,	ARG_ONE },
	{ "--json",		O_JSON,		ARG_FLAG },
	{ "--quiet",		O_QUIET,	ARG_FLAG },
	{ "-q",			O_QUIET,	ARG_FLAG },
	{ "--help",		O_HELP,		ARG_FLAG },
	{ "-h",			O_HELP,		ARG_FLAG },
	{ "--db",		O_DB,		ARG_ONE },
	{ "--expand",		O_EXPAND,	ARG_FLAG },
	{ "--name",		O_NAME,		ARG_ONE },
	{ "--region",		O_REGION,	ARG_ONE },
	{ "--profile",		O_PROFILE,	ARG_LIST },
	{ "--body",		O_BODY,		ARG_ONE },
	{ "--ip",		O_IP,		ARG_ONE },
	{ "--vendor",		O_VENDOR,	ARG_ONE },
	{ "--asn",		O_ASN,		ARG_ONE },
	{ "--local-bgp",	O_LOCAL_BGP,	ARG_ONE },
	{ "--peer-bgp",		O_PEER_BGP,	ARG_ONE },
	{ "--bandwidth",	O_BANDWIDTH,	ARG_ONE },
	{ "--zone-local-bgp",	O_ZONE_LOCAL_BGP, ARG_ONE },
	{ "--psk",		O_PSK,		ARG_ONE },
	{ "--psk-file",		O_PSK_FILE,	ARG_ONE },
	{ "--psk-env",		O_PSK_ENV,	ARG_ONE },
	{ "--zone-psk",		O_ZONE_PSK,	ARG_ONE },
	{ "--zone-psk-file",	O_ZONE_PSK_FILE, ARG_ONE },
	{ "--zone-psk-env",	O_ZONE_PSK_ENV,	ARG_ONE },
	{ "--custom",		O_CUSTOM,	ARG_FLAG },
	{ "--ike-enc",		O_IKE_ENC,	ARG_ONE },
	{ "--ike-int",		O_IKE_INT,	ARG_ONE },
	{ "--dh",		O_DH,		ARG_ONE },
	{ "--ipsec-enc",	O_IPSEC_ENC,	ARG_ONE },
	{ "--ipsec-int",	O_IPSEC_INT,	ARG_ONE },
	{ "--pfs",		O_PFS,		ARG_ONE },
	{ "--sa-lifetime",	O_SA_LIFETIME,	ARG_ONE },
	{ "--format",		O_FORMAT,	ARG_ONE },
	{ "--lan",		O_LAN,		ARG_LIST },
	{ "--static-source",	O_STATIC_SOURCE, ARG_LIST },
	{ "-o",			O_OUTPUT,	ARG_ONE },
	{ "--output",		O_OUTPUT,	ARG_ONE },
	{ "--yes",		O_YES,		ARG_FLAG },
	{ "-y",			O_YES,		ARG_FLAG },
	{ "--status",		O_STATUS,	ARG_ONE },
	{ "--since",		O_SINCE,	ARG_ONE },
	{ "--until",		O_UNTIL,	ARG_ONE },
	{ "--top",		O_TOP,		ARG_ONE },
	{ "--version",		O_VERSION,	ARG_FLAG },
};

struct args {
	char		**pos;		/* every positional, command words first */
	size_t		  npos;
	char		**arg;		/* the command's own positionals */
	size_t		  narg;
	char		 *ref[2];	/* the ids that names in arg[0..1] */
					/* stood for */
	char		 *val[O_COUNT];
	char		**list[O_COUNT];
	size_t		  nlist[O_COUNT];
	bool		  set[O_COUNT];
};

static const char *
opt_name(enum opt id)
{
	size_t	 i;

	for (i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++)
		if (optdefs[i].id == id)
			return optdefs[i].name;
	return "?";
}

static int
usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	err_v(CLI_USAGE, "UsageError", "branchgate: ", fmt, ap);
	va_end(ap);
	fputs("run 'branchgate help' for usage\n", stderr);
	return CLI_USAGE;
}

static void
args_free(struct args *a)
{
	size_t	 i;

	free(a->pos);
	free(a->ref[0]);
	free(a->ref[1]);
	for (i = 0; i < O_COUNT; i++)
		free(a->list[i]);
}

static int
args_parse(int argc, char **argv, struct args *a)
{
	const struct optdef	*d;
	char			*s, *eq, *v;
	size_t			 nlen, k;
	int			 i;
	bool			 dashdash = false;

	memset(a, 0, sizeof(*a));
	a->pos = xcalloc((size_t)argc + 1, sizeof(*a->pos));
	for (i = 0; i < argc; i++) {
		s = argv[i];
		if (dashdash || s[0] != '-' || s[1] == '\0') {
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			dashdash = true;
			continue;
		}
		eq = s[1] == '-' ? strchr(s, '=') : NULL;
		nlen = eq != NULL ? (size_t)(eq - s) : strlen(s);
		d = NULL;
		for (k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
			if (strlen(optdefs[k].name) == nlen &&
			    strncmp(optdefs[k].name, s, nlen) == 0)
				d = &optdefs[k];
		if (d == NULL)
			return usage_err("unknown option %.*s", (int)nlen, s);
		if (d->kind == ARG_FLAG) {
			if (eq != NULL)
				return usage_err("%s takes no value", d->name);
			a->set[d->id] = true;
			continue;
		}
		if (eq != NULL)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return usage_err("%s needs a value", d->name);
		if (d->kind == ARG_ONE) {
			if (a->set[d->id])
				return usage_err("%s given twice", d->name);
			a->val[d->id] = v;
		} else {
			if (a->list[d->id] == NULL)
				a->list[d->id] = xcalloc((size_t)argc,
				    sizeof(char *));
			a->list[d->id][a->nlist[d->id]++] = v;
		}
		a->set[d->id] = true;
	}
	return CLI_OK;
}

/* Overwrite a secret given on the command line so ps shows it no longer. */
static void
hide_arg(char *s)
{
	if (s != NULL)
		memset(s, 'x', strlen(s));
}

/* HTTP. */

struct resp {
	long		status;
	struct sbuf	body;
};

static size_t
http_write(char *d, size_t size, size_t nmemb, void *arg)
{
	struct sbuf	*b = arg;

	if (sb_add(b, d, size * nmemb) == -1)
		return 0;	/* aborts the transfer */
	return size * nmemb;
}

static struct curl_slist *
hdr_add(struct curl_slist *h, const char *s)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(h, s)) == NULL)
		oom();
	return n;
}

static void
hdr_free(struct curl_slist *h)
{
	struct curl_slist	*t;

	for (t = h; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(h);
}

/*
 * One request to branchgated. r->body receives the answer (any status);
 * the caller frees it. Returns CLI_OK or CLI_CONN (message printed).
 */
static int
http(struct cli *c, const char *method, const struct sbuf *url,
    const struct sbuf *body, bool prefer_repr, struct resp *r)
{
	struct curl_slist	*h = NULL;
	struct sbuf		 auth = SB_INIT(URL_MAX);
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURLcode		 rc;

	r->status = 0;
	r->body = (struct sbuf)SB_INIT(RESP_MAX);
	if (c->token == NULL)
		return usage_err("no API token: set BRANCHGATE_TOKEN or use "
		    "--token");
	if (url->over || url->p == NULL)
		return cli_err(CLI_USAGE, "UsageError", "request URL too long");
	curl_easy_reset(c->curl);
	sb_addf(&auth, "Authorization: Bearer %s", c->token);
	h = hdr_add(h, auth.p);
	sb_free(&auth);
	h = hdr_add(h, "Expect:");
	if (body != NULL)
		h = hdr_add(h, "Content-Type: application/json");
	if (prefer_repr)
		h = hdr_add(h, "Prefer: return=representation");

	curl_easy_setopt(c->curl, CURLOPT_URL, url->p);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_S);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT,
	    "branchgate/" BRANCHGATE_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r->body);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS,
		    body->p != NULL ? body->p : "");
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body->len);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);

	rc = curl_easy_perform(c->curl);
	/* Unhook what lives on this stack frame before it goes. */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	hdr_free(h);
	if (rc != CURLE_OK) {
		if (r->body.over)
			return cli_err(CLI_CONN, "ResponseTooLarge", "the "
			    "answer from %s is larger than %zu MiB", c->url,
			    RESP_MAX >> 20);
		return err_p(CLI_CONN, "ServiceUnreachable", "",
		    "cannot reach branchgated at %s: %s", c->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	return CLI_OK;
}

/* The server's {"error":{...}} answer, on stderr. */
static void
print_api_error(const struct resp *r)
{
	json_t		*j, *e, *d;
	json_error_t	 jerr;
	const char	*msg;
	char		 m[64];
	size_t		 i, n;

	j = r->body.len > 0 ?
	    json_loadb(r->body.p, r->body.len, 0, &jerr) : NULL;
	e = json_object_get(j, "error");
	if ((msg = jstr(e, "message")) != NULL) {
		outf(stderr, "error: %s\n", msg);
		json_array_foreach(json_object_get(e, "details"), i, d)
			if (jstr(d, "message") != NULL &&
			    strcmp(jstr(d, "message"), msg) != 0)
				outf(stderr, "  %s\n", jstr(d, "message"));
		err_body(json_incref(j));
	} else {
		outf(stderr, "error: branchgated answered HTTP %ld\n",
		    r->status);
		if (r->body.len > 0) {
			n = strcspn(r->body.p, "\n");
			outf(stderr, "  %.*s\n", (int)(n > 200 ? 200 : n),
			    r->body.p);
		}
		snprintf(m, sizeof(m), "branchgated answered HTTP %ld",
		    r->status);
		err_code("UnknownError", m);
	}
	json_decref(j);
}

/*
 * A request whose answer is kept raw in r (the caller frees r->body). A
 * non-2xx answer is printed and gives CLI_API.
 */
static int
call_raw(struct cli *c, const char *method, const struct sbuf *url,
    const json_t *body, bool prefer_repr, struct resp *r)
{
	struct sbuf	 req = SB_INIT(BODY_MAX);
	char		*s;
	int		 ret;

	if (body != NULL) {
		if ((s = json_dumps(body, JSON_COMPACT)) == NULL)
			oom();
		sb_adds(&req, s);
		wipe_free(s);
		if (req.over) {
			sb_free(&req);
			r->body = (struct sbuf)SB_INIT(RESP_MAX);
			return cli_err(CLI_USAGE, "UsageError", "request body "
			    "too large");
		}
	}
	ret = http(c, method, url, body != NULL ? &req : NULL, prefer_repr, r);
	sb_free(&req);
	if (ret == CLI_OK && (r->status < 200 || r->status > 299)) {
		print_api_error(r);
		ret = CLI_API;
	}
	return ret;
}

/* A JSON request; *out gets the parsed answer, NULL when it is empty. */
static int
call(struct cli *c, const char *method, const struct sbuf *url,
    const json_t *body, bool prefer_repr, json_t **out)
{
	struct resp	 r;
	json_error_t	 jerr;
	int		 ret;

	*out = NULL;
	ret = call_raw(c, method, url, body, prefer_repr, &r);
	if (ret == CLI_OK && r.body.len > 0 &&
	    (*out = json_loadb(r.body.p, r.body.len, 0, &jerr)) == NULL)
		ret = srv_err(CLI_API, "InvalidResponse", "branchgated "
		    "answered with invalid JSON: %s", jerr.text);
	sb_free(&r.body);
	return ret;
}

/* base + RN_PATH [+ /rn [+ /sub [+ /lk [+ /sub2]]]], ids escaped. */
static void
url_rn(struct cli *c, struct sbuf *u, const char *rn, const char *sub,
    const char *lk, const char *sub2)
{
	sb_adds(u, c->url);
	sb_adds(u, RN_PATH);
	if (rn == NULL)
		return;
	sb_adds(u, "/");
	sb_add_esc(u, c->curl, rn);
	if (sub == NULL)
		return;
	sb_addf(u, "/%s", sub);
	if (lk == NULL)
		return;
	sb_adds(u, "/");
	sb_add_esc(u, c->curl, lk);
	if (sub2 != NULL)
		sb_addf(u, "/%s", sub2);
}

/*
 * RN and LINK arguments. Something shaped like a GUID is an id and goes to
 * the server as given (which says whether it exists); anything else is a
 * display name, looked up in the collection. The API keeps names unique
 * (remote networks per tenant, links per remote network: api_rn.c,
 * api_link.c), but a store written before that rule may hold two: those
 * are refused with the ids to choose from, never guessed between.
 */
static bool
looks_like_id(const char *s)
{
	size_t	 i;

	if (strlen(s) != GUID_STRLEN)
		return false;
	for (i = 0; i < GUID_STRLEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
		    s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The id of the one member of the collection at u named name. */
static int
resolve_name(struct cli *c, struct sbuf *u, const char *what,
    const char *where, const char *name, char **id)
{
	struct sbuf	 ids = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	const json_t	*e;
	const char	*hit = NULL;
	size_t		 i, n = 0;
	int		 ret;

	*id = NULL;
	ret = call(c, "GET", u, NULL, false, &out);
	sb_free(u);
	if (ret != CLI_OK)
		goto done;
	json_array_foreach(json_object_get(out, "value"), i, e) {
		if (jstr(e, "name") == NULL || jstr(e, "id") == NULL ||
		    strcmp(jstr(e, "name"), name) != 0)
			continue;
		hit = jstr(e, "id");
		sb_addf(&ids, "%s%s", n++ > 0 ? ", " : "", hit);
	}
	if (n == 0)
		ret = srv_err(CLI_API, "NotFound", "no %s%s is named '%s' "
		    "(and it is not an id)", what, where, name);
	else if (n > 1)
		ret = srv_err(CLI_API, "AmbiguousName", "%zu %ss%s are named "
		    "'%s': %s; give the id", n, what, where, name,
		    ids.p != NULL ? ids.p : "");
	else if ((*id = strdup(hit)) == NULL)
		oom();
done:
	json_decref(out);
	sb_free(&ids);
	return ret;
}

#define REF_RN		0x1	/* arg[0], when given, is a remote network */
#define REF_LINK	0x2	/* arg[1], when given, is one of its links */

static int
resolve_refs(struct cli *c, unsigned refs, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX), where = SB_INIT(URL_MAX);
	int		 ret = CLI_OK;

	if ((refs & REF_RN) && a->narg >= 1 && !looks_like_id(a->arg[0])) {
		url_rn(c, &u, NULL, NULL, NULL, NULL);
		sb_adds(&u, "?$select=id,name");
		if ((ret = resolve_name(c, &u, "remote network", "", a->arg[0],
		    &a->ref[0])) != CLI_OK)
			goto done;
		a->arg[0] = a->ref[0];
	}
	if ((refs & REF_LINK) && a->narg >= 2 && !looks_like_id(a->arg[1])) {
		url_rn(c, &u, a->arg[0], "deviceLinks", NULL, NULL);
		sb_addf(&where, " of remote network %s", a->arg[0]);
		if ((ret = resolve_name(c, &u, "device link", where.p,
		    a->arg[1], &a->ref[1])) != CLI_OK)
			goto done;
		a->arg[1] = a->ref[1];
	}
done:
	sb_free(&u);
	sb_free(&where);
	return ret;
}

/* Input files: --body and secrets. */

/* "-" is stdin, which can be read once per run. */
static int
open_input(const char *path, const char *opt, bool *stdin_used, int *fd)
{
	if (strcmp(path, "-") == 0) {
		if (*stdin_used)
			return usage_err("only one option can read stdin "
			    "(%s -)", opt);
		*stdin_used = true;
		*fd = STDIN_FILENO;
		return CLI_OK;
	}
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cli_err(CLI_USAGE, "UsageError", "%s: %s", path,
		    strerror(errno));
	return CLI_OK;
}

/* --body FILE|-: a JSON object, the base of the request. */
static int
body_read(const char *path, bool *stdin_used, json_t **out)
{
	struct sbuf	 b = SB_INIT(BODY_MAX);
	json_error_t	 jerr;
	int		 fd, ret;

	*out = NULL;
	if ((ret = open_input(path, "--body", stdin_used, &fd)) != CLI_OK)
		return ret;
	if (read_fd(fd, &b) == -1)
		ret = cli_err(CLI_USAGE, "UsageError", "%s: %s", path,
		    strerror(errno));
	else if ((*out = json_loadb(b.p != NULL ? b.p : "", b.len, 0,
	    &jerr)) == NULL)
		ret = cli_err(CLI_USAGE, "UsageError", "%s: line %d column "
		    "%d: %s", path, jerr.line, jerr.column, jerr.text);
	else if (!json_is_object(*out)) {
		ret = cli_err(CLI_USAGE, "UsageError", "%s: not a JSON "
		    "object", path);
		json_decref(*out);
		*out = NULL;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	sb_free(&b);
	return ret;
}

/* A secret typed at a terminal, without echo. */
static int
read_tty_secret(const char *prompt, struct sbuf *b)
{
	struct termios	 old, quiet;
	bool		 restore = false;
	ssize_t		 n;
	char		 ch;
	int		 ret = 0;

	fprintf(stderr, "%s: ", prompt);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	for (;;) {
		n = read(STDIN_FILENO, &ch, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || ch == '\n')
			break;
		if (sb_add(b, &ch, 1) == -1) {
			errno = EFBIG;
			ret = -1;
			break;
		}
	}
	ch = 0;
	if (n == -1)
		ret = -1;
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return ret;
}

/*
 * One secret from exactly one of --X VALUE|-, --X-file F, --X-env VAR.
 * b stays empty (b->p NULL) when none was given.
 */
static int
secret_read(struct args *a, enum opt plain, enum opt file, enum opt env,
    const char *what, bool *stdin_used, struct sbuf *b)
{
	const char	*v;
	int		 fd = -1, ret;

	if (a->set[plain] + a->set[file] + a->set[env] > 1)
		return usage_err("give the %s once: %s, %s or %s", what,
		    opt_name(plain), opt_name(file), opt_name(env));
	if (a->set[plain] && strcmp(a->val[plain], "-") != 0) {
		fprintf(stderr, "warning: %s on the command line is visible "
		    "to other users in the process list; use %s, %s or "
		    "%s -\n", what, opt_name(file), opt_name(env),
		    opt_name(plain));
		sb_adds(b, a->val[plain]);
		hide_arg(a->val[plain]);
	} else if (a->set[env]) {
		if ((v = getenv(a->val[env])) == NULL)
			return usage_err("%s: environment variable %s is "
			    "not set", opt_name(env), a->val[env]);
		sb_adds(b, v);
		sb_chomp(b);
	} else if (a->set[plain] || a->set[file]) {
		v = a->set[plain] ? "-" : a->val[file];
		if ((ret = open_input(v, opt_name(a->set[plain] ? plain : file),
		    stdin_used, &fd)) != CLI_OK)
			return ret;
		if (fd == STDIN_FILENO && isatty(fd))
			ret = read_tty_secret(what, b);
		else
			ret = read_fd(fd, b);
		if (fd != STDIN_FILENO)
			close(fd);
		if (ret == -1)
			return cli_err(CLI_USAGE, "UsageError", "%s: %s",
			    strcmp(v, "-") == 0 ? "stdin" : v,
			    errno == EFBIG ? "secret too long" :
			    strerror(errno));
		sb_chomp(b);
	} else
		return CLI_OK;
	if (b->over)
		return cli_err(CLI_USAGE, "UsageError", "the %s is too long",
		    what);
	if (b->p == NULL)
		sb_add(b, "", 0);	/* given but empty: the server decides */
	return CLI_OK;
}

/* Views. */

static const char *
policy_name(const json_t *tc)
{
	const char	*t = jstr(tc, "@odata.type");
	size_t		 n;

	if (t == NULL)
		return "-";
	n = strlen(t);
	if (n >= 6 && strcmp(t + n - 6, "Custom") == 0)
		return "custom";
	if (n >= 7 && strcmp(t + n - 7, "Default") == 0)
		return "default";
	return t;
}

static void
profiles_table(const json_t *list)
{
	struct table	 t = { 5, 0, 0, NULL };
	const json_t	*p;
	size_t		 i;

	tbl_add(&t, "ID");
	tbl_add(&t, "NAME");
	tbl_add(&t, "TYPE");
	tbl_add(&t, "PRIORITY");
	tbl_add(&t, "STATE");
	json_array_foreach(json_object_get(list, "value"), i, p) {
		tbl_addj(&t, json_object_get(p, "id"));
		tbl_addj(&t, json_object_get(p, "name"));
		tbl_addj(&t, json_object_get(p, "trafficForwardingType"));
		tbl_addj(&t, json_object_get(p, "priority"));
		tbl_addj(&t, json_object_get(p, "state"));
	}
	tbl_print(&t);
}

/* "a, b" of an array of strings, "(none)" when empty. */
static void
kv_strings(const char *k, const json_t *arr)
{
	struct sbuf	 b = SB_INIT(SIZE_MAX / 2);
	const json_t	*e;
	size_t		 i;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, e)
		sb_addf(&b, "%s%s", i > 0 ? ", " : "",
		    json_is_string(e) ? json_string_value(e) : "?");
	kv(k, b.p != NULL ? b.p : "(none)");
	sb_free(&b);
}

/* "name (id), name (id)" of an expanded collection, for rn get. */
static void
kv_refs(const char *k, const json_t *arr)
{
	struct sbuf	 b = SB_INIT(SIZE_MAX / 2);
	const json_t	*e;
	const char	*nm;
	size_t		 i;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, e) {
		nm = jstr(e, "name");
		sb_addf(&b, "%s%s%s%s%s", i > 0 ? ", " : "",
		    nm != NULL ? nm : "", nm != NULL ? " (" : "",
		    jstr(e, "id") != NULL ? jstr(e, "id") : "?",
		    nm != NULL ? ")" : "");
	}
	kv(k, b.p != NULL ? b.p : "(none)");
	sb_free(&b);
}

static void
rn_show(const json_t *o)
{
	kvj("id", json_object_get(o, "id"));
	kvj("name", json_object_get(o, "name"));
	kvj("region", json_object_get(o, "region"));
	kvj("version", json_object_get(o, "version"));
	kvj("modified", json_object_get(o, "lastModifiedDateTime"));
	kv_refs("device links", json_object_get(o, "deviceLinks"));
	kv_refs("profiles", json_object_get(o, "forwardingProfiles"));
}

static void
link_show(const json_t *o)
{
	const json_t	*tc = json_object_get(o, "tunnelConfiguration");
	char		 a[32], b[32], d[32];

	kvj("id", json_object_get(o, "id"));
	kvj("name", json_object_get(o, "name"));
	kvj("public IP", json_object_get(o, "ipAddress"));
	kvj("vendor", json_object_get(o, "deviceVendor"));
	kvj("bandwidth", json_object_get(o, "bandwidthCapacityInMbps"));
	kvj("ASN", jget(o, "bgpConfiguration", "asn"));
	kvj("local BGP", jget(o, "bgpConfiguration", "localIpAddress"));
	kvj("peer BGP", jget(o, "bgpConfiguration", "peerIpAddress"));
	kvj("redundancy", jget(o, "redundancyConfiguration",
	    "redundancyTier"));
	kvj("zone local BGP", jget(o, "redundancyConfiguration",
	    "zoneLocalIpAddress"));
	kv_strings("static sources", json_object_get(o,
	    "staticSourcePrefixes"));
	kv("policy", policy_name(tc));
	if (strcmp(policy_name(tc), "custom") == 0) {
		outf(stdout, "%-16s %s / %s / %s\n", "  IKE",
		    jtext(json_object_get(tc, "ikeEncryption"), a),
		    jtext(json_object_get(tc, "ikeIntegrity"), b),
		    jtext(json_object_get(tc, "dhGroup"), d));
		outf(stdout, "%-16s %s / %s / PFS %s\n", "  IPsec",
		    jtext(json_object_get(tc, "ipSecEncryption"), a),
		    jtext(json_object_get(tc, "ipSecIntegrity"), b),
		    jtext(json_object_get(tc, "pfsGroup"), d));
		kvj("  SA lifetime", json_object_get(tc, "saLifeTimeSeconds"));
	}
	kv("pre-shared key", "(write-only)");
	kvj("version", json_object_get(o, "version"));
	kvj("modified", json_object_get(o, "lastModifiedDateTime"));
}

/* Commands. Each returns the exit status. */

static int
cmd_tenant_create(struct cli *c, struct args *a)
{
	struct store		*st = NULL;
	struct store_tenant	 t;
	char			 tok[TOKEN_STRLEN + 1], tid[TOKEN_ID_LEN + 1];
	uint8_t			 hash[TOKEN_HASH_LEN];
	char			 err[256] = "";
	const char		*db = a->val[O_DB] ? a->val[O_DB] : DEFAULT_DB;
	json_t			*o = NULL;
	int			 ret = CLI_API;

	(void)c;
	memset(&t, 0, sizeof(t));
	if (strlen(a->arg[0]) > MODEL_NAME_MAX)
		return usage_err("tenant name longer than %d bytes",
		    MODEL_NAME_MAX);
	memcpy(t.name, a->arg[0], strlen(a->arg[0]) + 1);
	t.created_ms = wallclock_now_ms();
	if (guid_new(t.id) == -1 || token_new(tok, tid, hash) == -1) {
		srv_err(CLI_API, "NoRandomness", "no randomness for the "
		    "tenant id or token");
		goto fail;
	}
	if (store_open(db, &st, err, sizeof(err)) != 0) {
		srv_err(CLI_API, "StoreError", "cannot open store %s: %s", db,
		    err);
		goto fail;
	}
	if (store_tenant_add(st, &t, tid, hash) != 0) {
		srv_err(CLI_API, "StoreError", "cannot add the tenant to %s",
		    db);
		goto fail;
	}
	if ((o = json_object()) == NULL || set_str(o, "id", t.id) == -1 ||
	    set_str(o, "name", t.name) == -1 || set_str(o, "token", tok) == -1) {
		srv_err(CLI_API, "InvalidName", "the tenant name is not valid "
		    "UTF-8 (the tenant was created; its token is lost)");
		goto fail;
	}
	print_json(o);
	ret = CLI_OK;
fail:
	json_decref(o);
	if (st != NULL)
		store_close(st);
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

static int
cmd_rn_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	struct table	 t = { 0, 0, 0, NULL };
	json_t		*out = NULL;
	const json_t	*rn, *p;
	struct sbuf	 names = SB_INIT(SIZE_MAX / 2);
	const char	*nm;
	char		 n[32];
	size_t		 i, k;
	int		 ret;
	bool		 ex = a->set[O_EXPAND];

	url_rn(c, &u, NULL, NULL, NULL, NULL);
	if (ex)
		sb_adds(&u, EXPAND_ALL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) != CLI_OK)
		goto done;
	if (c->json) {
		print_json(out);
		goto done;
	}
	t.ncol = ex ? 6 : 4;
	tbl_add(&t, "ID");
	tbl_add(&t, "NAME");
	tbl_add(&t, "REGION");
	if (ex) {
		tbl_add(&t, "LINKS");
		tbl_add(&t, "PROFILES");
	}
	tbl_add(&t, "MODIFIED");
	json_array_foreach(json_object_get(out, "value"), i, rn) {
		tbl_addj(&t, json_object_get(rn, "id"));
		tbl_addj(&t, json_object_get(rn, "name"));
		tbl_addj(&t, json_object_get(rn, "region"));
		if (ex) {
			snprintf(n, sizeof(n), "%zu", json_array_size(
			    json_object_get(rn, "deviceLinks")));
			tbl_add(&t, n);
			json_array_foreach(json_object_get(rn,
			    "forwardingProfiles"), k, p) {
				nm = jstr(p, "name") ? jstr(p, "name") :
				    jstr(p, "id");
				sb_addf(&names, "%s%s", k > 0 ? "," : "",
				    nm != NULL ? nm : "?");
			}
			tbl_add(&t, names.p);
			sb_free(&names);
		}
		tbl_addj(&t, json_object_get(rn, "lastModifiedDateTime"));
	}
	tbl_print(&t);
done:
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_rn_get(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	url_rn(c, &u, a->arg[0], NULL, NULL, NULL);
	if (a->set[O_EXPAND])
		sb_adds(&u, EXPAND_ALL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			rn_show(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_rn_create(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*o = NULL, *out = NULL, *fp;
	size_t		 i;
	int		 ret, errs = 0;
	bool		 stdin_used = false;

	if (a->val[O_BODY] == NULL &&
	    (a->val[O_NAME] == NULL || a->val[O_REGION] == NULL))
		return usage_err("rn create needs --name and --region "
		    "(or --body FILE)");
	if (a->val[O_BODY] != NULL) {
		if ((ret = body_read(a->val[O_BODY], &stdin_used, &o)) !=
		    CLI_OK)
			return ret;
	} else if ((o = json_object()) == NULL)
		oom();
	errs += set_str(o, "name", a->val[O_NAME]);
	errs += set_str(o, "region", a->val[O_REGION]);
	if (a->nlist[O_PROFILE] > 0) {
		fp = json_object_get(o, "forwardingProfiles");
		if (!json_is_array(fp)) {
			fp = json_array();
			errs += json_object_set_new(o, "forwardingProfiles",
			    fp);
		}
		for (i = 0; i < a->nlist[O_PROFILE]; i++)
			errs += json_array_append_new(fp,
			    obj_id(a->list[O_PROFILE][i]));
	}
	if (errs != 0) {
		ret = usage_err("arguments must be valid UTF-8");
		goto done;
	}
	url_rn(c, &u, NULL, NULL, NULL, NULL);
	if ((ret = call(c, "POST", &u, o, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else if (c->quiet)
			outf(stdout, "%s\n", jstr(out, "id") ? jstr(out, "id") : "?");
		else
			outf(stdout, "created remote network %s\n",
			    jstr(out, "id") ? jstr(out, "id") : "?");
	}
done:
	json_decref(o);
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_rn_update(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*o = NULL, *out = NULL;
	int		 ret;
	bool		 stdin_used = false;

	if (a->val[O_BODY] == NULL && a->val[O_NAME] == NULL)
		return usage_err("rn update needs --name (or --body FILE)");
	if (a->val[O_BODY] != NULL) {
		if ((ret = body_read(a->val[O_BODY], &stdin_used, &o)) !=
		    CLI_OK)
			return ret;
	} else if ((o = json_object()) == NULL)
		oom();
	if (set_str(o, "name", a->val[O_NAME]) == -1) {
		ret = usage_err("--name must be valid UTF-8");
		goto done;
	}
	if ((ret = resolve_refs(c, REF_RN, a)) != CLI_OK)
		goto done;
	url_rn(c, &u, a->arg[0], NULL, NULL, NULL);
	if ((ret = call(c, "PATCH", &u, o, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			outf(stdout, "updated remote network %s\n",
			    a->arg[0]);
	}
done:
	json_decref(o);
	json_decref(out);
	sb_free(&u);
	return ret;
}

/*
 * Deletes cannot be undone, so on a terminal they ask first; --yes, -y and
 * BRANCHGATE_YES=1 answer yes. Without a terminal a delete goes ahead with
 * a warning, because scripts written before the question existed do not
 * say --yes; BRANCHGATE_YES=0 asks for the strict rule instead: refuse.
 */
enum confirm { CONFIRM_YES, CONFIRM_ASK, CONFIRM_WARN, CONFIRM_REFUSE };

static enum confirm
confirm_mode(const struct args *a)
{
	const char	*y = getenv("BRANCHGATE_YES");

	if (a->set[O_YES] || (y != NULL && strcmp(y, "1") == 0))
		return CONFIRM_YES;
	if (isatty(STDIN_FILENO))
		return CONFIRM_ASK;
	if (y != NULL && strcmp(y, "0") == 0)
		return CONFIRM_REFUSE;
	return CONFIRM_WARN;
}

/* Ask on the terminal whether to delete what; CLI_OK on "y" or "yes". */
static int
confirm_ask(const char *what)
{
	char	 ans[8];
	size_t	 n = 0;
	ssize_t	 r;
	char	 ch;

	outf(stderr, "Delete %s? [y/N] ", what);
	fflush(stderr);
	for (;;) {
		r = read(STDIN_FILENO, &ch, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || ch == '\n')
			break;
		if (n < sizeof(ans) - 1)
			ans[n++] = (char)tolower((unsigned char)ch);
	}
	while (n > 0 && (ans[n - 1] == ' ' || ans[n - 1] == '\r'))
		n--;
	ans[n] = '\0';
	if (r <= 0)
		fputc('\n', stderr);
	if (strcmp(ans, "y") == 0 || strcmp(ans, "yes") == 0)
		return CLI_OK;
	return cli_err(CLI_UNCONFIRMED, "NotConfirmed", "not deleted");
}

/* Everything but the question itself; what names the object for people. */
static int
confirm_delete(enum confirm mode, const char *what)
{
	switch (mode) {
	case CONFIRM_YES:
		return CLI_OK;
	case CONFIRM_ASK:
		return confirm_ask(what);
	case CONFIRM_REFUSE:
		return cli_err(CLI_UNCONFIRMED, "NotConfirmed", "not deleting "
		    "%s: there is no terminal to confirm on; pass --yes (or "
		    "set BRANCHGATE_YES=1)", what);
	case CONFIRM_WARN:
		break;
	}
	outf(stderr, "warning: deleting %s without confirmation (no "
	    "terminal); scripts should pass --yes or set BRANCHGATE_YES=1\n",
	    what);
	return CLI_OK;
}

/* DELETE and report; no answer body expected (204). */
static int
delete_one(struct cli *c, struct sbuf *u, const char *what, const char *id)
{
	json_t	*out = NULL;
	int	 ret;

	if ((ret = call(c, "DELETE", u, NULL, false, &out)) == CLI_OK &&
	    !c->json)
		outf(stdout, "deleted %s %s\n", what, id);
	json_decref(out);
	sb_free(u);
	return ret;
}

static int
cmd_rn_delete(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX), what = SB_INIT(URL_MAX);
	enum confirm	 mode = confirm_mode(a);
	json_t		*rn = NULL;
	size_t		 n;
	int		 ret;

	/* On a terminal, the question names what goes with it. */
	if (mode == CONFIRM_ASK) {
		url_rn(c, &u, a->arg[0], NULL, NULL, NULL);
		sb_adds(&u, "?$expand=deviceLinks");
		ret = call(c, "GET", &u, NULL, false, &rn);
		sb_free(&u);
		if (ret != CLI_OK)
			goto done;
		n = json_array_size(json_object_get(rn, "deviceLinks"));
		sb_addf(&what, "remote network '%s' (%s) and its %zu device "
		    "link%s", jstr(rn, "name") ? jstr(rn, "name") : "?",
		    a->arg[0], n, n == 1 ? "" : "s");
	} else
		sb_addf(&what, "remote network %s", a->arg[0]);
	if ((ret = confirm_delete(mode, what.p)) != CLI_OK)
		goto done;
	url_rn(c, &u, a->arg[0], NULL, NULL, NULL);
	ret = delete_one(c, &u, "remote network", a->arg[0]);
done:
	json_decref(rn);
	sb_free(&what);
	sb_free(&u);
	return ret;
}

static int
cmd_rn_profiles(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	url_rn(c, &u, a->arg[0], "forwardingProfiles", NULL, NULL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			profiles_table(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

/* rn assign / unassign: one OData delta PATCH of the profile set. */
static int
rn_profiles_delta(struct cli *c, struct args *a, bool remove)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*o, *arr = NULL, *e, *out = NULL;
	size_t		 i;
	int		 ret, errs = 0;

	if ((o = json_object()) == NULL || (arr = json_array()) == NULL)
		oom();
	errs += set_str(o, "@odata.context", "#$delta");
	errs += json_object_set_new(o, "value", arr);
	for (i = 1; i < a->narg; i++) {
		e = obj_id(a->arg[i]);
		if (remove)
			errs += json_object_set_new(e, "@removed",
			    json_pack("{s:s}", "reason", "deleted"));
		errs += json_array_append_new(arr, e);
	}
	if (errs != 0) {
		ret = usage_err("profile ids must be valid UTF-8");
		goto done;
	}
	url_rn(c, &u, a->arg[0], "forwardingProfiles", NULL, NULL);
	if ((ret = call(c, "PATCH", &u, o, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			for (i = 1; i < a->narg; i++)
				outf(stdout, "%s profile %s %s remote network "
				    "%s\n", remove ? "unassigned" : "assigned",
				    a->arg[i], remove ? "from" : "to",
				    a->arg[0]);
	}
done:
	json_decref(o);
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_rn_assign(struct cli *c, struct args *a)
{
	return rn_profiles_delta(c, a, false);
}

static int
cmd_rn_unassign(struct cli *c, struct args *a)
{
	return rn_profiles_delta(c, a, true);
}

static int
cmd_link_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	struct table	 t = { 8, 0, 0, NULL };
	static const char *const hdr[] = { "ID", "NAME", "IP", "ASN",
	    "LOCAL BGP", "PEER BGP", "REDUNDANCY", "POLICY" };
	json_t		*out = NULL;
	const json_t	*l;
	size_t		 i;
	int		 ret;

	url_rn(c, &u, a->arg[0], "deviceLinks", NULL, NULL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) != CLI_OK)
		goto done;
	if (c->json) {
		print_json(out);
		goto done;
	}
	for (i = 0; i < t.ncol; i++)
		tbl_add(&t, hdr[i]);
	json_array_foreach(json_object_get(out, "value"), i, l) {
		tbl_addj(&t, json_object_get(l, "id"));
		tbl_addj(&t, json_object_get(l, "name"));
		tbl_addj(&t, json_object_get(l, "ipAddress"));
		tbl_addj(&t, jget(l, "bgpConfiguration", "asn"));
		tbl_addj(&t, jget(l, "bgpConfiguration", "localIpAddress"));
		tbl_addj(&t, jget(l, "bgpConfiguration", "peerIpAddress"));
		tbl_addj(&t, jget(l, "redundancyConfiguration",
		    "redundancyTier"));
		tbl_add(&t, policy_name(json_object_get(l,
		    "tunnelConfiguration")));
	}
	tbl_print(&t);
done:
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_link_get(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], NULL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			link_show(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_link_delete(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX), what = SB_INIT(URL_MAX);
	enum confirm	 mode = confirm_mode(a);
	json_t		*lk = NULL;
	int		 ret;

	if (mode == CONFIRM_ASK) {
		url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], NULL);
		ret = call(c, "GET", &u, NULL, false, &lk);
		sb_free(&u);
		if (ret != CLI_OK)
			goto done;
		sb_addf(&what, "device link '%s' (%s) of remote network %s",
		    jstr(lk, "name") ? jstr(lk, "name") : "?", a->arg[1],
		    a->arg[0]);
	} else
		sb_addf(&what, "device link %s", a->arg[1]);
	if ((ret = confirm_delete(mode, what.p)) != CLI_OK)
		goto done;
	url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], NULL);
	ret = delete_one(c, &u, "device link", a->arg[1]);
done:
	json_decref(lk);
	sb_free(&what);
	sb_free(&u);
	return ret;
}

/* o[key] as an object to merge options into: the --body's, or a new one. */
static json_t *
nested(json_t *o, const char *key)
{
	json_t	*n = json_object_get(o, key);

	if (json_is_object(n))
		return n;
	if ((n = json_object()) == NULL || json_object_set_new(o, key, n) == -1)
		oom();
	return n;
}

static int
set_secret(json_t *o, const char *k, const struct sbuf *b)
{
	if (b->p == NULL)
		return 0;
	return json_object_set_new(o, k, json_stringn(b->p, b->len));
}

/*
 * --static-source: the whole list (the server replaces it, as PATCH does
 * with any array); "none" alone sends [] to clear it.
 */
static int
set_sources(struct args *a, json_t *o)
{
	json_t	*arr;
	size_t	 i, n = a->nlist[O_STATIC_SOURCE];

	if (!a->set[O_STATIC_SOURCE])
		return CLI_OK;
	if ((arr = json_array()) == NULL)
		oom();
	for (i = 0; i < n; i++) {
		if (strcmp(a->list[O_STATIC_SOURCE][i], "none") == 0) {
			if (n > 1) {
				json_decref(arr);
				return usage_err("--static-source none clears "
				    "the list and cannot be combined with "
				    "prefixes");
			}
			continue;
		}
		if (json_array_append_new(arr,
		    json_string(a->list[O_STATIC_SOURCE][i])) == -1) {
			json_decref(arr);
			return usage_err("--static-source must be valid "
			    "UTF-8");
		}
	}
	if (json_object_set_new(o, "staticSourcePrefixes", arr) == -1)
		oom();
	return CLI_OK;
}

/*
 * Merge the link options into the request object o. full: a create without
 * --body, which gets every required part (bandwidth defaults to mbps250).
 * An update sends only what is given: the server merges nested objects
 * member by member and keeps a PSK the patch leaves out.
 */
static int
link_apply(struct args *a, json_t *o, bool create, bool full,
    const struct sbuf *psk, const struct sbuf *zpsk)
{
	json_t	*bgp, *red, *tc;
	int	 errs = 0;
	bool	 custom = a->set[O_CUSTOM];
	size_t	 i;

	for (i = 0; i < O_COUNT; i++)
		if ((OM_CUSTOM & OM(i)) && a->set[i])
			custom = true;
	errs += set_str(o, "name", a->val[O_NAME]);
	errs += set_str(o, "ipAddress", a->val[O_IP]);
	errs += set_str(o, "deviceVendor", a->val[O_VENDOR]);
	errs += set_str(o, "bandwidthCapacityInMbps", a->val[O_BANDWIDTH]);
	if (full && a->val[O_BANDWIDTH] == NULL)
		errs += set_str(o, "bandwidthCapacityInMbps", "mbps250");
	if (full || a->set[O_ASN] || a->set[O_LOCAL_BGP] ||
	    a->set[O_PEER_BGP]) {
		bgp = nested(o, "bgpConfiguration");
		errs += set_str(bgp, "localIpAddress", a->val[O_LOCAL_BGP]);
		errs += set_str(bgp, "peerIpAddress", a->val[O_PEER_BGP]);
		if (set_int(bgp, "asn", a->val[O_ASN], "--asn") == -1)
			return CLI_USAGE;
	}
	if (full || a->set[O_ZONE_LOCAL_BGP]) {
		red = nested(o, "redundancyConfiguration");
		errs += set_str(red, "redundancyTier",
		    a->set[O_ZONE_LOCAL_BGP] ? "zoneRedundancy" :
		    "noRedundancy");
		errs += set_str(red, "zoneLocalIpAddress",
		    a->val[O_ZONE_LOCAL_BGP]);
	}
	if (full || custom || psk->p != NULL || zpsk->p != NULL) {
		tc = nested(o, "tunnelConfiguration");
		if (custom)
			errs += set_str(tc, "@odata.type", MODEL_ODATA_CUSTOM);
		else if (create && json_object_get(tc, "@odata.type") == NULL)
			errs += set_str(tc, "@odata.type",
			    MODEL_ODATA_DEFAULT);
		errs += set_str(tc, "ikeEncryption", a->val[O_IKE_ENC]);
		errs += set_str(tc, "ikeIntegrity", a->val[O_IKE_INT]);
		errs += set_str(tc, "dhGroup", a->val[O_DH]);
		errs += set_str(tc, "ipSecEncryption", a->val[O_IPSEC_ENC]);
		errs += set_str(tc, "ipSecIntegrity", a->val[O_IPSEC_INT]);
		errs += set_str(tc, "pfsGroup", a->val[O_PFS]);
		if (set_int(tc, "saLifeTimeSeconds", a->val[O_SA_LIFETIME],
		    "--sa-lifetime") == -1)
			return CLI_USAGE;
		errs += set_secret(tc, "preSharedKey", psk);
		errs += set_secret(tc, "zoneRedundancyPreSharedKey", zpsk);
	}
	if (set_sources(a, o) != CLI_OK)
		return CLI_USAGE;
	if (errs != 0)
		return usage_err("arguments and secrets must be valid UTF-8 "
		    "without NUL bytes");
	return CLI_OK;
}

/* link create and link update. */
static int
link_write(struct cli *c, struct args *a, bool create)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	struct sbuf	 psk = SB_INIT(PSK_READ_MAX);
	struct sbuf	 zpsk = SB_INIT(PSK_READ_MAX);
	json_t		*o = NULL, *out = NULL;
	const char	*lk = create ? NULL : a->arg[1];
	bool		 stdin_used = false, full;
	size_t		 i;
	int		 ret;

	full = create && a->val[O_BODY] == NULL;
	if (full) {
		static const enum opt need[] = { O_NAME, O_IP, O_VENDOR,
		    O_ASN, O_LOCAL_BGP, O_PEER_BGP };
		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (!a->set[need[i]])
				return usage_err("link create needs %s (or "
				    "--body FILE)", opt_name(need[i]));
	}
	if (!create) {
		for (i = 0; i < O_COUNT; i++)
			if (a->set[i] && (OM(i) & OM_LINK))
				break;
		if (i == O_COUNT)
			return usage_err("link update: nothing to change");
	}
	if (a->val[O_BODY] != NULL) {
		if ((ret = body_read(a->val[O_BODY], &stdin_used, &o)) !=
		    CLI_OK)
			goto done;
	} else if ((o = json_object()) == NULL)
		oom();
	if ((ret = secret_read(a, O_PSK, O_PSK_FILE, O_PSK_ENV,
	    "pre-shared key", &stdin_used, &psk)) != CLI_OK ||
	    (ret = secret_read(a, O_ZONE_PSK, O_ZONE_PSK_FILE, O_ZONE_PSK_ENV,
	    "zone pre-shared key", &stdin_used, &zpsk)) != CLI_OK)
		goto done;

	if ((ret = link_apply(a, o, create, full, &psk, &zpsk)) != CLI_OK)
		goto done;
	sb_free(&psk);
	sb_free(&zpsk);
	if ((ret = resolve_refs(c, create ? REF_RN : REF_RN | REF_LINK, a)) !=
	    CLI_OK)
		goto done;
	lk = create ? NULL : a->arg[1];
	url_rn(c, &u, a->arg[0], "deviceLinks", lk, NULL);

	ret = call(c, create ? "POST" : "PATCH", &u, o, !create, &out);
	if (ret != CLI_OK)
		goto done;
	if (c->json)
		print_json(out);
	else if (create && c->quiet)
		outf(stdout, "%s\n", jstr(out, "id") ? jstr(out, "id") : "?");
	else if (create)
		outf(stdout, "created device link %s on remote network %s\n",
		    jstr(out, "id") ? jstr(out, "id") : "?", a->arg[0]);
	else if (out != NULL)
		link_show(out);
	else
		outf(stdout, "updated device link %s\n", lk);
done:
	sb_free(&psk);
	sb_free(&zpsk);
	json_decref(o);
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_link_create(struct cli *c, struct args *a)
{
	return link_write(c, a, true);
}

static int
cmd_link_update(struct cli *c, struct args *a)
{
	return link_write(c, a, false);
}

/* "12, 3" of a JSON object's integer members, "" when it has none. */
static void
sb_counts(struct sbuf *b, json_t *o)
{
	const char	*k;
	json_t		*v;
	char		 tmp[32];

	json_object_foreach(o, k, v)
		sb_addf(b, "%s%s %s", b->len > 0 ? ", " : "", k,
		    jtext(v, tmp));
}

/* One BGP session of the status; null when the gateway runs none. */
static void
status_bgp(const char *label, const json_t *b, bool dataplane)
{
	struct sbuf	 r = SB_INIT(SIZE_MAX / 2);
	char		 t1[32], t2[32], t3[32], t4[32];

	if (!json_is_object(b)) {
		kv(label, dataplane ? "none" : "none (no data plane: the "
		    "gateway runs no BGP)");
		return;
	}
	outf(stdout, "%-16s %s, gateway %s, branch %s (AS %s)\n", label,
	    jtext(json_object_get(b, "state"), t1),
	    jtext(json_object_get(b, "localAddress"), t2),
	    jtext(json_object_get(b, "peerAddress"), t3),
	    jtext(json_object_get(b, "peerAsn"), t4));
	if (json_object_get(b, "establishedDateTime") != NULL)
		kvj("  since", json_object_get(b, "establishedDateTime"));
	outf(stdout, "%-16s received %s, learned %s, rejected %s, "
	    "advertised %s\n", "  prefixes",
	    jtext(json_object_get(b, "receivedPrefixes"), t1),
	    jtext(json_object_get(b, "learnedPrefixes"), t2),
	    jtext(json_object_get(b, "rejectedPrefixes"), t3),
	    jtext(json_object_get(b, "advertisedPrefixes"), t4));
	sb_counts(&r, json_object_get(b, "rejectReasons"));
	if (r.p != NULL)
		kv("  rejected for", r.p);
	kvj("  last error", json_object_get(b, "lastError"));
	sb_free(&r);
}

/*
 * GET .../status: first why the link passes no traffic (health), then
 * each zone's tunnel, the ESP counters and the BGP session(s).
 */
static void
status_show(const json_t *o)
{
	const json_t	*h = json_object_get(o, "health");
	const json_t	*esp = json_object_get(o, "esp"), *t, *zb;
	char		 a[32], b[32], d[32], e[32], label[32];
	size_t		 i;
	bool		 dp = json_is_true(json_object_get(o, "dataPlane"));

	outf(stdout, "%-16s %s: %s\n", "health",
	    jtext(json_object_get(h, "reason"), a),
	    jtext(json_object_get(h, "detail"), b));
	kvj("link", json_object_get(o, "linkId"));
	outf(stdout, "%-16s %s, %s child SA(s), data plane %s\n", "tunnel",
	    jtext(json_object_get(o, "tunnelState"), a),
	    jtext(json_object_get(o, "childSecurityAssociations"), b),
	    dp ? "on" : "off");
	json_array_foreach(json_object_get(o, "tunnels"), i, t) {
		snprintf(label, sizeof(label), "zone %s",
		    jtext(json_object_get(t, "zone"), a));
		outf(stdout, "%-16s %s, %s child SA(s)\n", label,
		    jtext(json_object_get(t, "tunnelState"), a),
		    jtext(json_object_get(t, "childSecurityAssociations"), b));
		if (json_object_get(t, "localEndpoint") == NULL)
			continue;
		outf(stdout, "%-16s gateway %s, branch %s:%s (encapsulation "
		    "%s)\n", "  endpoints",
		    jtext(json_object_get(t, "localEndpoint"), a),
		    jtext(json_object_get(t, "remoteEndpoint"), b),
		    jtext(json_object_get(t, "remotePort"), d),
		    jtext(json_object_get(t, "encapsulation"), e));
		kvj("  IKE suite", json_object_get(t, "ikeSuite"));
		kvj("  ESP suite", json_object_get(t, "espSuite"));
		kvj("  since", json_object_get(t, "establishedDateTime"));
	}
	outf(stdout, "%-16s %s packets, %s bytes\n", "ESP in",
	    jtext(json_object_get(esp, "inboundPackets"), a),
	    jtext(json_object_get(esp, "inboundBytes"), b));
	outf(stdout, "%-16s %s packets, %s bytes\n", "ESP out",
	    jtext(json_object_get(esp, "outboundPackets"), a),
	    jtext(json_object_get(esp, "outboundBytes"), b));
	outf(stdout, "%-16s replay %s, authentication %s, malformed %s, "
	    "spoofed source %s\n", "ESP drops",
	    jtext(json_object_get(esp, "replayDrops"), a),
	    jtext(json_object_get(esp, "authenticationFailures"), b),
	    jtext(json_object_get(esp, "malformedDrops"), d),
	    jtext(json_object_get(esp, "spoofedSourceDrops"), e));
	zb = json_object_get(o, "zoneRedundancyBgp");
	status_bgp(zb != NULL ? "BGP zone 1" : "BGP",
	    json_object_get(o, "bgp"), dp);
	if (zb != NULL)
		status_bgp("BGP zone 2", zb, dp);
}

static int
cmd_link_status(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], "status");
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			status_show(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

/*
 * --since/--until: ISO 8601, "2026-11-22", "2026-11-22T18:24",
 * "2026-11-22T18:24:46.137Z", "...+01:00". Without a zone it is UTC, as
 * every time the API shows.
 */
static int
iso_parse(const char *s, int64_t *ms)
{
	return wallclock_parse_iso(s, WALLCLOCK_DATE_ONLY_OK |
	    WALLCLOCK_SECONDS_OPTIONAL | WALLCLOCK_NO_ZONE_OK |
	    WALLCLOCK_LENIENT, ms, NULL);
}

/*
 * The path and query of an @odata.nextLink, on --url: the token goes only
 * to the server the user named, whatever host an answer mentions.
 */
static int
next_url(struct cli *c, const char *link, struct sbuf *u)
{
	const char	*p = link, *s;

	if ((s = strstr(p, "://")) != NULL && s < p + strcspn(p, "/?"))
		p = s + 3 + strcspn(s + 3, "/");
	if (*p != '/')
		return -1;
	sb_free(u);
	sb_adds(u, c->url);
	sb_adds(u, p);
	return 0;
}

/* id -> name of the tenant's remote networks, for the logs table. */
static int
rn_names(struct cli *c, json_t **names)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	const json_t	*e;
	size_t		 i;
	int		 ret;

	if ((*names = json_object()) == NULL)
		oom();
	url_rn(c, &u, NULL, NULL, NULL, NULL);
	sb_adds(&u, "?$select=id,name");
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK)
		json_array_foreach(json_object_get(out, "value"), i, e)
			if (jstr(e, "id") != NULL && json_is_string(
			    json_object_get(e, "name")))
				json_object_set(*names, jstr(e, "id"),
				    json_object_get(e, "name"));
	json_decref(out);
	sb_free(&u);
	return ret;
}

static void
logs_table(const json_t *evs, const json_t *names)
{
	struct table	 t = { 6, 0, 0, NULL };
	static const char *const hdr[] = { "TIME", "REMOTE NETWORK", "STATUS",
	    "SOURCE", "DESTINATION", "DESCRIPTION" };
	const json_t	*e, *nm;
	size_t		 i;

	for (i = 0; i < t.ncol; i++)
		tbl_add(&t, hdr[i]);
	json_array_foreach(evs, i, e) {
		tbl_addj(&t, json_object_get(e, "createdDateTime"));
		nm = jstr(e, "remoteNetworkId") != NULL ? json_object_get(names,
		    jstr(e, "remoteNetworkId")) : NULL;
		tbl_addj(&t, nm != NULL ? nm :
		    json_object_get(e, "remoteNetworkId"));
		tbl_addj(&t, json_object_get(e, "status"));
		tbl_addj(&t, json_object_get(e, "sourceIp"));
		tbl_addj(&t, json_object_get(e, "destinationIp"));
		tbl_addj(&t, json_object_get(e, "description"));
	}
	tbl_print(&t);
}

/*
 * logs: the health events, newest first, through @odata.nextLink up to
 * --top. The API filters on the remote network and the status; --since
 * and --until are applied here (the API has no time filter), and paging
 * stops at the first event older than --since.
 */
static int
cmd_logs(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX), f = SB_INIT(URL_MAX);
	json_t		*page = NULL, *evs, *names = NULL, *o, *e;
	const char	*next, *ts;
	int64_t		 since = INT64_MIN, until = INT64_MAX, t;
	long long	 top = LOGS_TOP_DEFAULT;
	char		*end;
	size_t		 i, psize;
	int		 ret = CLI_OK;
	bool		 done = false;

	if (a->val[O_TOP] != NULL) {
		errno = 0;
		top = strtoll(a->val[O_TOP], &end, 10);
		if (!isdigit((unsigned char)a->val[O_TOP][0]) || *end != '\0' ||
		    errno != 0 || top < 1 || top > LOGS_TOP_MAX)
			return usage_err("--top wants an integer from 1 to %d",
			    LOGS_TOP_MAX);
	}
	if (a->val[O_SINCE] != NULL && iso_parse(a->val[O_SINCE], &since) == -1)
		return usage_err("--since '%s' is not an ISO 8601 date or time "
		    "(2026-11-22, 2026-11-22T18:24:46Z)", a->val[O_SINCE]);
	if (a->val[O_UNTIL] != NULL && iso_parse(a->val[O_UNTIL], &until) == -1)
		return usage_err("--until '%s' is not an ISO 8601 date or time "
		    "(2026-11-22, 2026-11-22T18:24:46Z)", a->val[O_UNTIL]);
	if (since > until)
		return usage_err("--since is later than --until");
	if ((ret = resolve_refs(c, REF_RN, a)) != CLI_OK)
		return ret;
	if (a->narg == 1)
		sb_addf(&f, "remoteNetworkId eq '%s'", a->arg[0]);
	if (a->val[O_STATUS] != NULL)
		sb_addf(&f, "%sstatus eq '%s'", f.len > 0 ? " and " : "",
		    a->val[O_STATUS]);
	/* Events newer than --until are skipped, not counted: full pages. */
	psize = until != INT64_MAX || top > LOGS_PAGE_MAX ? LOGS_PAGE_MAX :
	    (size_t)top;
	sb_addf(&u, "%s%s?$top=%zu", c->url, LOGS_PATH, psize);
	if (f.p != NULL) {
		sb_adds(&u, "&$filter=");
		sb_add_esc(&u, c->curl, f.p);
	}
	if ((evs = json_array()) == NULL)
		oom();
	while (!done) {
		if ((ret = call(c, "GET", &u, NULL, false, &page)) != CLI_OK)
			goto out;
		json_array_foreach(json_object_get(page, "value"), i, e) {
			if ((long long)json_array_size(evs) >= top) {
				done = true;
				break;
			}
			ts = jstr(e, "createdDateTime");
			if (ts != NULL && wallclock_parse(ts, &t) == 0) {
				if (t >= until)
					continue;
				if (t < since) {
					done = true;
					break;
				}
			}
			json_array_append(evs, e);
		}
		next = jstr(page, "@odata.nextLink");
		if (next == NULL || (long long)json_array_size(evs) >= top)
			done = true;
		else if (!done && next_url(c, next, &u) == -1) {
			ret = srv_err(CLI_API, "InvalidResponse", "branchgated "
			    "sent a nextLink this CLI cannot follow: %s", next);
			goto out;
		}
		json_decref(page);
		page = NULL;
	}
	if (c->json) {
		if ((o = json_pack("{s:s, s:O}", "@odata.context",
		    "$metadata#networkAccess/logs/remoteNetworks", "value",
		    evs)) == NULL)
			oom();
		print_json(o);
		json_decref(o);
	} else if ((ret = rn_names(c, &names)) == CLI_OK)
		logs_table(evs, names);
out:
	json_decref(page);
	json_decref(evs);
	json_decref(names);
	sb_free(&f);
	sb_free(&u);
	return ret;
}

/* connectivityConfiguration from the branch router's point of view. */
static void
config_show(const json_t *o)
{
	const json_t	*lk, *peer, *loc;
	size_t		 i, k, nloc;
	char		 a[32], b[32], d[32], label[32];

	outf(stdout, "Remote network %s (%s)\n",
	    jtext(json_object_get(o, "remoteNetworkName"), a),
	    jtext(json_object_get(o, "remoteNetworkId"), b));
	json_array_foreach(json_object_get(o, "links"), i, lk) {
		outf(stdout, "\nLink %s (%s)\n",
		    jtext(json_object_get(lk, "displayName"), a),
		    jtext(json_object_get(lk, "id"), b));
		peer = json_object_get(lk, "peerConfiguration");
		outf(stdout, "  %-10s  public IP %s, ASN %s, BGP address %s\n",
		    "your side:", jtext(json_object_get(peer, "endpoint"), a),
		    jtext(json_object_get(peer, "asn"), b),
		    jtext(json_object_get(peer, "bgpAddress"), d));
		nloc = json_array_size(json_object_get(lk,
		    "localConfigurations"));
		json_array_foreach(json_object_get(lk, "localConfigurations"),
		    k, loc) {
			if (nloc > 1)
				snprintf(label, sizeof(label), "zone %zu:",
				    k + 1);
			else
				snprintf(label, sizeof(label), "gateway:");
			outf(stdout, "  %-10s  gateway endpoint %s (%s), "
			    "gateway ASN %s,\n", label,
			    jtext(json_object_get(loc, "endpoint"), a),
			    jtext(json_object_get(loc, "region"), b),
			    jtext(json_object_get(loc, "asn"), d));
			outf(stdout, "  %-10s  gateway BGP address %s "
			    "(configure as your BGP neighbor; static route "
			    "to it over the tunnel)\n", "",
			    jtext(json_object_get(loc, "bgpAddress"), a));
		}
	}
	outf(stdout, "\nYour router initiates IKEv2 (PSK) from its public IP "
	    "to each gateway endpoint\n(UDP 500/4500) and runs eBGP over "
	    "the tunnel. 'branchgate cpe-config' writes\na ready "
	    "configuration.\n");
}

static int
cmd_config(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	url_rn(c, &u, a->arg[0], "connectivityConfiguration", NULL, NULL);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			config_show(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
cmd_profile_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	json_t		*out = NULL;
	int		 ret;

	(void)a;
	sb_adds(&u, c->url);
	sb_adds(&u, PROFILES_PATH);
	if ((ret = call(c, "GET", &u, NULL, false, &out)) == CLI_OK) {
		if (c->json)
			print_json(out);
		else
			profiles_table(out);
	}
	json_decref(out);
	sb_free(&u);
	return ret;
}

/* Write b to path, mode 0600, atomically (it may hold a PSK). */
static int
write_private(const char *path, const struct sbuf *b)
{
	struct sbuf	 tmp = SB_INIT(URL_MAX);
	int		 fd;

	sb_addf(&tmp, "%s.XXXXXX", path);
	if (tmp.over || (fd = mkstemp(tmp.p)) == -1) {
		cli_err(CLI_API, "WriteFailed", "%s: %s", path,
		    tmp.over ? "name too long" : strerror(errno));
		sb_free(&tmp);
		return CLI_API;
	}
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    write_all(fd, b->p != NULL ? b->p : "", b->len) == -1 ||
	    fsync(fd) == -1 || close(fd) == -1 || (fd = -1) != -1 ||
	    rename(tmp.p, path) == -1) {
		cli_err(CLI_API, "WriteFailed", "%s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp.p);
		sb_free(&tmp);
		return CLI_API;
	}
	sb_free(&tmp);
	return CLI_OK;
}

static int
cmd_cpe_config(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(URL_MAX);
	struct resp	 r;
	size_t		 i;
	int		 ret;

	url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1],
	    "cpeConfiguration");
	sb_adds(&u, "?format=");
	sb_add_esc(&u, c->curl, a->val[O_FORMAT] ? a->val[O_FORMAT] :
	    "swanctl");
	for (i = 0; i < a->nlist[O_LAN]; i++) {
		sb_adds(&u, "&lan=");
		sb_add_esc(&u, c->curl, a->list[O_LAN][i]);
	}
	ret = call_raw(c, "GET", &u, NULL, false, &r);
	if (ret == CLI_OK) {
		if (a->val[O_OUTPUT] != NULL) {
			ret = write_private(a->val[O_OUTPUT], &r.body);
			if (ret == CLI_OK)
				outf(stderr, "wrote %s (mode 0600)\n",
				    a->val[O_OUTPUT]);
		} else if (r.body.len > 0 && write_all(STDOUT_FILENO,
		    r.body.p, r.body.len) == -1)
			ret = cli_err(CLI_API, "WriteFailed", "stdout: %s",
			    strerror(errno));
	}
	sb_free(&r.body);
	sb_free(&u);
	return ret;
}

/* Command table and help. */

struct cmd {
	const char	*group;
	const char	*sub;		/* NULL: the group is the command */
	uint64_t	 opts;		/* allowed beyond OM_GLOBAL */
	size_t		 minarg, maxarg;
	bool		 offline;
	unsigned	 refs;		/* REF_*: arguments named or by id, */
					/* resolved before fn (0: fn does it */
					/* after its own checks) */
	int		(*fn)(struct cli *, struct args *);
};

#define REF_BOTH	(REF_RN | REF_LINK)
#define OM_LOGS		(OM(O_STATUS) | OM(O_SINCE) | OM(O_UNTIL) | OM(O_TOP))

static const struct cmd cmds[] = {
	{ "tenant", "create", OM(O_DB), 1, 1, true, 0, cmd_tenant_create },
	{ "rn", "list", OM(O_EXPAND), 0, 0, false, 0, cmd_rn_list },
	{ "rn", "get", OM(O_EXPAND), 1, 1, false, REF_RN, cmd_rn_get },
	{ "rn", "create", OM(O_NAME) | OM(O_REGION) | OM(O_PROFILE) |
	    OM(O_BODY), 0, 0, false, 0, cmd_rn_create },
	{ "rn", "update", OM(O_NAME) | OM(O_BODY), 1, 1, false, 0,
	    cmd_rn_update },
	{ "rn", "delete", OM(O_YES), 1, 1, false, REF_RN, cmd_rn_delete },
	{ "rn", "profiles", 0, 1, 1, false, REF_RN, cmd_rn_profiles },
	{ "rn", "assign", 0, 2, SIZE_MAX, false, REF_RN, cmd_rn_assign },
	{ "rn", "unassign", 0, 2, SIZE_MAX, false, REF_RN, cmd_rn_unassign },
	{ "link", "list", 0, 1, 1, false, REF_RN, cmd_link_list },
	{ "link", "get", 0, 2, 2, false, REF_BOTH, cmd_link_get },
	{ "link", "status", 0, 2, 2, false, REF_BOTH, cmd_link_status },
	{ "link", "create", OM_LINK, 1, 1, false, 0, cmd_link_create },
	{ "link", "update", OM_LINK, 2, 2, false, 0, cmd_link_update },
	{ "link", "delete", OM(O_YES), 2, 2, false, REF_BOTH,
	    cmd_link_delete },
	{ "logs", NULL, OM_LOGS, 0, 1, false, 0, cmd_logs },
	{ "config", NULL, 0, 1, 1, false, REF_RN, cmd_config },
	{ "profile", "list", 0, 0, 0, false, 0, cmd_profile_list },
	{ "cpe-config", NULL, OM(O_FORMAT) | OM(O_LAN) | OM(O_OUTPUT), 2, 2,
	    false, REF_BOTH, cmd_cpe_config },
};

static const char help_main[] =
"usage: branchgate [--url URL] [--token TOKEN] [--json] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  tenant create NAME [--db URL]       create a tenant and its API token "
"(offline)\n"
"  rn list [--expand]                  list remote networks\n"
"  rn get ID [--expand]                show a remote network\n"
"  rn create --name N --region R [--profile PROFILE_ID]...\n"
"  rn create --body FILE|-             create a remote network\n"
"  rn update ID --name N               rename a remote network\n"
"  rn delete ID [--yes]                delete it with its device links\n"
"  rn profiles RN                      forwarding profiles assigned to RN\n"
"  rn assign RN PROFILE_ID...          assign forwarding profiles\n"
"  rn unassign RN PROFILE_ID...        remove forwarding profiles\n"
"  link list RN | link get RN LINK | link delete RN LINK [--yes]\n"
"  link status RN LINK                 why a link passes traffic or not\n"
"  link create RN --name N --ip A --vendor V --asn N --local-bgp A "
"--peer-bgp A ...\n"
"  link update RN LINK [--name N] [--psk-file F] ...\n"
"  config RN                           what to configure on the branch "
"router\n"
"  cpe-config RN LINK [--format swanctl|bird|frr] [--lan CIDR]... "
"[-o FILE]\n"
"  profile list                        the tenant's forwarding profiles\n"
"  logs [RN] [--status S] [--since T] [--until T] [--top N]\n"
"                                      health events, newest first\n"
"  version, --version                  the CLI's version\n"
"  help [COMMAND]                      this text, or a command's\n"
"\n"
"RN and LINK are ids or exact names. Deletes ask on a terminal; --yes "
"(or\n"
"BRANCHGATE_YES=1) answers for you.\n"
"\n"
"Global options (before or after the command):\n"
"  --url URL      branchgated's API; env BRANCHGATE_URL, default "
DEFAULT_URL "\n"
"  --token TOKEN  API token; env BRANCHGATE_TOKEN (preferred: a command "
"line is\n"
"                 visible to other users)\n"
"  --json         print the server's JSON instead of tables (errors too)\n"
"  -q, --quiet    'create' commands print only the new object's id\n"
"\n"
"Exit status: 0 ok, 1 the server refused (its message is on stderr), "
"2 branchgated\n"
"unreachable or a delete not confirmed, 64 usage error. See docs/cli.md.\n";

static const char help_tenant[] =
"usage: branchgate tenant create NAME [--db URL]\n"
"\n"
"Creates a tenant directly in the store (no server needed; run it where\n"
"branchgated's database lives) and prints {\"id\", \"name\", \"token\"} as "
"JSON.\n"
"The token is shown once; only its hash is stored.\n"
"  --db URL   store URL, default " DEFAULT_DB "\n";

static const char help_rn[] =
"usage: branchgate rn list [--expand]\n"
"       branchgate rn get ID [--expand]\n"
"       branchgate rn create --name N --region R [--profile PROFILE_ID]...\n"
"       branchgate rn create --body FILE|-\n"
"       branchgate rn update ID --name N | --body FILE|-\n"
"       branchgate rn delete ID [--yes]\n"
"       branchgate rn profiles RN\n"
"       branchgate rn assign RN PROFILE_ID...\n"
"       branchgate rn unassign RN PROFILE_ID...\n"
"\n"
"  --expand    include device links and forwarding profiles\n"
"  --region R  a Graph region name, e.g. westEurope, eastUS\n"
"  --profile   assign a forwarding profile at creation (repeatable)\n"
"  --body F    JSON request body from file F ('-' = stdin); --name etc.\n"
"              override its fields\n"
"  --yes, -y   delete without asking (a terminal asks; BRANCHGATE_YES=1 "
"too)\n"
"\n"
"ID and RN: the remote network's id or its exact name.\n";

static const char help_link[] =
"usage: branchgate link list RN\n"
"       branchgate link get RN LINK\n"
"       branchgate link delete RN LINK [--yes]\n"
"       branchgate link status RN LINK\n"
"       branchgate link create RN --name N --ip A --vendor V --asn N\n"
"              --local-bgp A --peer-bgp A [options] | --body FILE|-\n"
"       branchgate link update RN LINK [options] [--body FILE|-]\n"
"\n"
"  --name N             link name\n"
"  --ip A               your router's public IPv4 address (post-NAT)\n"
"  --vendor V           deviceVendor, e.g. other, fortinet, paloAltoNetworks\n"
"  --asn N              your router's ASN\n"
"  --local-bgp A        the gateway's BGP address (your BGP neighbor)\n"
"  --peer-bgp A         your router's BGP address\n"
"  --bandwidth B        mbps250 (create default), mbps500, mbps750, "
"mbps1000\n"
"  --zone-local-bgp A   the second zone's gateway BGP address; implies\n"
"                       zoneRedundancy\n"
"  --psk-file F | --psk-env VAR | --psk -      pre-shared key (one trailing\n"
"                       newline is stripped; '-' reads stdin, without echo "
"on a\n"
"                       terminal). --psk VALUE works but is visible in ps.\n"
"  --zone-psk-file F | --zone-psk-env VAR | --zone-psk -   the zone's PSK\n"
"  --custom             custom IKE/IPsec policy; implied by any of:\n"
"  --ike-enc X --ike-int X --dh X --ipsec-enc X --ipsec-int X --pfs X\n"
"  --sa-lifetime SECONDS\n"
"  --static-source CIDR source prefix the gateway accepts from this link\n"
"                       besides its BGP peer address and learned routes\n"
"                       (repeatable; on update replaces the list; 'none'\n"
"                       clears it)\n"
"  --body F             JSON request body ('-' = stdin); options override "
"its fields\n"
"  --yes, -y            delete without asking (BRANCHGATE_YES=1 too)\n"
"\n"
"RN and LINK: ids or exact names. link update sends only what is given\n"
"(with Prefer: return=representation) and shows the result; whatever is "
"not\n"
"given, PSKs included, is kept. link status shows first why the link "
"passes\n"
"no traffic (health), then each zone's tunnel, the ESP counters and the "
"BGP\n"
"session(s).\n";

static const char help_config[] =
"usage: branchgate config RN\n"
"\n"
"Shows, for each device link, what to configure on the branch router: "
"your\n"
"side (public IP, ASN, BGP address) and each gateway endpoint with its ASN "
"and\n"
"BGP address (your BGP neighbor, reached by a static route over the "
"tunnel).\n";

static const char help_cpe[] =
"usage: branchgate cpe-config RN LINK [--format swanctl|bird|frr] "
"[--lan CIDR]...\n"
"                  [-o FILE]\n"
"\n"
"Prints a ready configuration for the branch router (default format "
"swanctl).\n"
"  --lan CIDR   a branch prefix to announce over BGP (repeatable)\n"
"  -o FILE      write FILE (mode 0600) instead of stdout: swanctl output "
"holds\n"
"               the pre-shared key\n";

static const char help_profile[] =
"usage: branchgate profile list\n"
"\n"
"Lists the tenant's forwarding profiles; assign them with 'branchgate rn "
"assign'.\n";

static const char help_logs[] =
"usage: branchgate logs [RN] [--status S] [--since T] [--until T] "
"[--top N]\n"
"\n"
"The remote networks' health events, newest first: TIME, REMOTE NETWORK,\n"
"STATUS, SOURCE, DESTINATION, DESCRIPTION (--json: the events as JSON).\n"
"  RN          only this remote network's events (id or name)\n"
"  --status S  tunnelConnected, tunnelDisconnected, bgpConnected,\n"
"              bgpDisconnected or remoteNetworkAlive\n"
"  --since T   events at or after T; --until T: events before T. ISO 8601,\n"
"              e.g. 2026-11-22 or 2026-11-22T18:24:46Z; no zone means UTC\n"
"  --top N     at most N events (default 100), over as many pages as it "
"takes\n";

static const struct {
	const char	*group;
	const char	*text;
} helps[] = {
	{ "tenant", help_tenant },
	{ "rn", help_rn },
	{ "link", help_link },
	{ "config", help_config },
	{ "cpe-config", help_cpe },
	{ "profile", help_profile },
	{ "logs", help_logs },
};

static const char *
help_for(const char *group)
{
	size_t	 i;

	for (i = 0; group != NULL && i < sizeof(helps) / sizeof(helps[0]);
	    i++)
		if (strcmp(helps[i].group, group) == 0)
			return helps[i].text;
	return NULL;
}

/* Flags win over the environment. A missing token is reported on use. */
static void
cli_resolve(struct cli *c, struct args *a)
{
	const char	*url, *tok;
	size_t		 n;

	url = a->val[O_URL] ? a->val[O_URL] : getenv("BRANCHGATE_URL");
	if (url == NULL || *url == '\0')
		url = DEFAULT_URL;
	if ((c->url = strdup(url)) == NULL)
		oom();
	n = strlen(c->url);
	while (n > 0 && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	tok = a->val[O_TOKEN] ? a->val[O_TOKEN] : getenv("BRANCHGATE_TOKEN");
	if (tok != NULL && *tok != '\0' && (c->token = strdup(tok)) == NULL)
		oom();
	hide_arg(a->val[O_TOKEN]);
}

int
main(int argc, char **argv)
{
	struct cli		 c = { 0 };
	struct args		 a;
	const struct cmd	*cmd = NULL;
	const char		*h;
	size_t			 i, words;
	int			 ret;

	json_set_alloc_funcs(wipe_malloc, wipe_free);
	log_set_level(LOG_WARN);	/* the store's chatter, for tenant create */
	/* Known before parsing, so that a parse error is JSON too. */
	for (i = 1; i < (size_t)argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			err_json = true;
	if ((ret = args_parse(argc - 1, argv + 1, &a)) != CLI_OK)
		goto out;
	c.json = a.set[O_JSON];
	c.quiet = a.set[O_QUIET];
	if (a.set[O_VERSION] || (a.npos > 0 &&
	    strcmp(a.pos[0], "version") == 0)) {
		if (!a.set[O_VERSION] && a.npos > 1)
			ret = usage_err("--version and 'version' take no "
			    "arguments");
		else if (c.json)
			puts("{\n  \"version\": \"" BRANCHGATE_VERSION "\"\n}");
		else
			puts("branchgate " BRANCHGATE_VERSION);
		goto out;
	}
	if (a.npos == 0 || strcmp(a.pos[0], "help") == 0) {
		if (a.npos == 0 && !a.set[O_HELP]) {
			fputs(help_main, stderr);
			err_code("UsageError", "no command given");
			ret = CLI_USAGE;
		} else if (a.npos > 1 && (h = help_for(a.pos[1])) == NULL)
			ret = usage_err("no help for '%s'", a.pos[1]);
		else
			fputs(a.npos > 1 ? h : help_main, stdout);
		goto out;
	}
	if ((h = help_for(a.pos[0])) == NULL) {
		ret = usage_err("unknown command '%s'", a.pos[0]);
		goto out;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].group, a.pos[0]) != 0)
			continue;
		if (cmds[i].sub == NULL || (a.npos > 1 &&
		    strcmp(cmds[i].sub, a.pos[1]) == 0)) {
			cmd = &cmds[i];
			break;
		}
	}
	if (a.set[O_HELP]) {
		fputs(h, stdout);
		goto out;
	}
	if (cmd == NULL) {
		if (a.npos > 1)
			ret = usage_err("unknown command '%s %s'", a.pos[0],
			    a.pos[1]);
		else {
			fputs(h, stderr);
			err_code("UsageError", "the command is incomplete");
			ret = CLI_USAGE;
		}
		goto out;
	}
	for (i = 0; i < O_COUNT; i++)
		if (a.set[i] && !(OM(i) & (cmd->opts | OM_GLOBAL))) {
			ret = usage_err("'%s%s%s' does not take %s",
			    cmd->group, cmd->sub ? " " : "",
			    cmd->sub ? cmd->sub : "", opt_name(i));
			goto out;
		}
	words = cmd->sub != NULL ? 2 : 1;
	a.arg = a.pos + words;
	a.narg = a.npos - words;
	for (i = 0; i < a.narg && i < cmd->minarg; i++)
		if (a.arg[i][0] == '\0')
			break;
	if (a.narg < cmd->minarg || a.narg > cmd->maxarg || i < cmd->minarg) {
		cli_err(CLI_USAGE, "UsageError", "wrong arguments for '%s%s%s'",
		    cmd->group, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
		fputc('\n', stderr);
		fputs(h, stderr);
		ret = CLI_USAGE;
		goto out;
	}
	if (!cmd->offline) {
		cli_resolve(&c, &a);
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		    (c.curl = curl_easy_init()) == NULL) {
			ret = cli_err(CLI_CONN, "InternalError", "cannot "
			    "initialise libcurl");
			goto out;
		}
		if ((ret = resolve_refs(&c, cmd->refs, &a)) != CLI_OK)
			goto out;
	}
	ret = cmd->fn(&c, &a);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "branchgate: stdout: %s\n", strerror(errno));
		if (ret == CLI_OK)
			ret = CLI_API;
	}
out:
	if (c.curl != NULL) {
		curl_easy_cleanup(c.curl);
		curl_global_cleanup();
	}
	if (c.token != NULL) {
		explicit_bzero(c.token, strlen(c.token));
		free(c.token);
	}
	free(c.url);
	args_free(&a);
	return ret;
}
