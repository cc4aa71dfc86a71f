/*
 * cli_http.c - requests to branchgated (cli_http.h). Every request goes
 * through cli_http_raw: the bearer token, the timeouts, the size bounds,
 * and the server's {"error":...} answer printed the one way. The token is
 * sent only to --url: a nextLink's host is never followed.
 */
#include <ctype.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_out.h"
#include "guid.h"
#include "version.h"

#define HTTP_TIMEOUT_S	30L
#define HTTP_CONNECT_S	10L
#define RESP_MAX	((size_t)16 << 20)
#define BODY_MAX	((size_t)16 << 20)

static size_t
http_write(char *d, size_t size, size_t nmemb, void *arg)
{
	struct sbuf	*b = arg;

	if (sb_add(b, d, size * nmemb) == -1)
		return 0;	/* aborts the transfer */
	return size * nmemb;
}

static struct curl_slist *
http_hdr(struct curl_slist *h, const char *s)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(h, s)) == NULL)
		sb_oom();
	return n;
}

static void
http_hdr_free(struct curl_slist *h)
{
	struct curl_slist	*t;

	for (t = h; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(h);
}

/* The exchange itself: r->body gets the answer, whatever the status. */
static int
http_perform(struct cli *c, const char *method, const struct sbuf *url,
    const struct sbuf *body, bool prefer_repr, struct cli_http_resp *r)
{
	struct curl_slist	*h = NULL;
	struct sbuf		 auth = SB_INIT(CLI_URL_MAX);
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURLcode		 rc;

	if (c->token == NULL)
		return cli_out_usage("no API token: set BRANCHGATE_TOKEN or "
		    "use --token");
	if (url->over || url->p == NULL)
		return CLI_ERR(CLI_USAGE, "UsageError", "request URL too "
		    "long");
	curl_easy_reset(c->curl);
	sb_addf(&auth, "Authorization: Bearer %s", c->token);
	h = http_hdr(h, auth.p);
	sb_free(&auth);
	h = http_hdr(h, "Expect:");
	if (body != NULL)
		h = http_hdr(h, "Content-Type: application/json");
	if (prefer_repr)
		h = http_hdr(h, "Prefer: return=representation");

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
	http_hdr_free(h);
	if (rc != CURLE_OK) {
		if (r->body.over)
			return CLI_ERR(CLI_CONN, "ResponseTooLarge", "the "
			    "answer from %s is larger than %zu MiB", c->url,
			    RESP_MAX >> 20);
		return cli_out_err(CLI_CONN, "ServiceUnreachable", "",
		    "cannot reach branchgated at %s: %s", c->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	return CLI_OK;
}

/* The server's {"error":{...}} answer, on stderr (and stdout, --json). */
static void
http_print_error(const struct cli_http_resp *r)
{
	json_t		*j, *e, *d;
	json_error_t	 jerr;
	const char	*msg, *dm;
	char		 m[64];
	size_t		 i, n;

	j = r->body.len > 0 ?
	    json_loadb(r->body.p, r->body.len, 0, &jerr) : NULL;
	e = json_object_get(j, "error");
	if ((msg = cli_out_jstr(e, "message")) != NULL) {
		cli_out_f(stderr, "error: %s\n", msg);
		json_array_foreach(json_object_get(e, "details"), i, d)
			if ((dm = cli_out_jstr(d, "message")) != NULL &&
			    strcmp(dm, msg) != 0)
				cli_out_f(stderr, "  %s\n", dm);
		cli_out_err_body(json_incref(j));
	} else {
		snprintf(m, sizeof(m), "branchgated answered HTTP %ld",
		    r->status);
		cli_out_f(stderr, "error: %s\n", m);
		if (r->body.len > 0) {
			n = strcspn(r->body.p, "\n");
			cli_out_f(stderr, "  %.*s\n", (int)(n > 200 ? 200 : n),
			    r->body.p);
		}
		cli_out_err_code("UnknownError", m);
	}
	json_decref(j);
}

int
cli_http_raw(struct cli *c, const char *method, struct sbuf *u,
    const json_t *body, bool prefer_repr, struct cli_http_resp *r)
{
	struct sbuf	 req = SB_INIT(BODY_MAX);
	char		*s;
	int		 ret;

	r->status = 0;
	r->body = (struct sbuf)SB_INIT(RESP_MAX);
	if (body != NULL) {
		if ((s = json_dumps(body, JSON_COMPACT)) == NULL)
			sb_oom();
		sb_adds(&req, s);
		sb_wipe_free(s);
	}
	if (req.over)
		ret = CLI_ERR(CLI_USAGE, "UsageError", "request body too "
		    "large");
	else
		ret = http_perform(c, method, u, body != NULL ? &req : NULL,
		    prefer_repr, r);
	sb_free(&req);
	sb_free(u);
	if (ret == CLI_OK && (r->status < 200 || r->status > 299)) {
		http_print_error(r);
		ret = CLI_API;
	}
	return ret;
}

int
cli_http_call(struct cli *c, const char *method, struct sbuf *u,
    const json_t *body, bool prefer_repr, json_t **out)
{
	struct cli_http_resp	 r;
	json_error_t		 jerr;
	int			 ret;

	*out = NULL;
	ret = cli_http_raw(c, method, u, body, prefer_repr, &r);
	if (ret == CLI_OK && r.body.len > 0 &&
	    (*out = json_loadb(r.body.p, r.body.len, 0, &jerr)) == NULL)
		ret = SRV_ERR(CLI_API, "InvalidResponse", "branchgated "
		    "answered with invalid JSON: %s", jerr.text);
	sb_free(&r.body);
	return ret;
}

int
cli_http_show(struct cli *c, struct sbuf *u, void (*show)(const json_t *))
{
	json_t	*out = NULL;
	int	 ret;

	if ((ret = cli_http_call(c, "GET", u, NULL, false, &out)) == CLI_OK)
		cli_out_show(c, out, show);
	json_decref(out);
	return ret;
}

void
cli_http_esc(struct cli *c, struct sbuf *u, const char *s)
{
	char	*e;

	if ((e = curl_easy_escape(c->curl, s, 0)) == NULL)
		sb_oom();
	sb_adds(u, e);
	curl_free(e);
}

void
cli_http_url_rn(struct cli *c, struct sbuf *u, const char *rn,
    const char *sub, const char *lk, const char *sub2)
{
	const char	*part[4] = { rn, sub, lk, sub2 };
	size_t		 i;

	sb_adds(u, c->url);
	sb_adds(u, CLI_HTTP_RN_PATH);
	for (i = 0; i < 4 && part[i] != NULL; i++) {
		sb_adds(u, "/");
		if (i % 2 == 0)
			cli_http_esc(c, u, part[i]);	/* an id */
		else
			sb_adds(u, part[i]);		/* a path word */
	}
}

int
cli_http_next(struct cli *c, const char *link, struct sbuf *u)
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

/*
 * RN and LINK arguments. Something shaped like a GUID is an id and goes to
 * the server as given (which says whether it exists); anything else is a
 * display name, looked up in the collection. The API keeps names unique
 * (remote networks per tenant, links per remote network: api_rn.c,
 * api_link.c), but a store written before that rule may hold two: those
 * are refused with the ids to choose from, never guessed between.
 */
static bool
http_looks_like_id(const char *s)
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

/* *arg becomes the id of the one member of the collection at u named so. */
static int
http_resolve_one(struct cli *c, struct sbuf *u, const char *what,
    const char *where, char **arg, char **id)
{
	struct sbuf	 ids = SB_INIT(CLI_URL_MAX);
	json_t		*out = NULL;
	const json_t	*e;
	const char	*hit = NULL, *name = *arg;
	size_t		 i, n = 0;
	int		 ret;

	if (http_looks_like_id(name)) {
		sb_free(u);
		return CLI_OK;
	}
	if ((ret = cli_http_call(c, "GET", u, NULL, false, &out)) != CLI_OK)
		goto done;
	json_array_foreach(json_object_get(out, "value"), i, e) {
		if (cli_out_jstr(e, "name") == NULL ||
		    cli_out_jstr(e, "id") == NULL ||
		    strcmp(cli_out_jstr(e, "name"), name) != 0)
			continue;
		hit = cli_out_jstr(e, "id");
		sb_addf(&ids, "%s%s", n++ > 0 ? ", " : "", hit);
	}
	if (n == 0)
		ret = SRV_ERR(CLI_API, "NotFound", "no %s%s is named '%s' "
		    "(and it is not an id)", what, where, name);
	else if (n > 1)
		ret = SRV_ERR(CLI_API, "AmbiguousName", "%zu %ss%s are named "
		    "'%s': %s; give the id", n, what, where, name,
		    ids.p != NULL ? ids.p : "");
	else if ((*id = strdup(hit)) == NULL)
		sb_oom();
	else
		*arg = *id;
done:
	json_decref(out);
	sb_free(&ids);
	return ret;
}

int
cli_http_resolve(struct cli *c, unsigned refs, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX), where = SB_INIT(CLI_URL_MAX);
	int		 ret = CLI_OK;

	if ((refs & CLI_REF_RN) && a->narg >= 1) {
		cli_http_url_rn(c, &u, NULL, NULL, NULL, NULL);
		sb_adds(&u, "?$select=id,name");
		ret = http_resolve_one(c, &u, "remote network", "",
		    &a->arg[0], &a->ref[0]);
	}
	if (ret == CLI_OK && (refs & CLI_REF_LINK) && a->narg >= 2) {
		cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", NULL, NULL);
		sb_addf(&where, " of remote network %s", a->arg[0]);
		ret = http_resolve_one(c, &u, "device link", where.p,
		    &a->arg[1], &a->ref[1]);
	}
	sb_free(&u);
	sb_free(&where);
	return ret;
}

/* The URL of the object a delete names: arg[0], or arg[1] of arg[0]. */
static void
http_url_obj(struct cli *c, struct sbuf *u, const struct args *a)
{
	bool	 link = a->narg > 1;

	cli_http_url_rn(c, u, a->arg[0], link ? "deviceLinks" : NULL,
	    link ? a->arg[1] : NULL, NULL);
}

int
cli_http_delete(struct cli *c, struct args *a, const struct cli_http_del *d)
{
	struct sbuf		 u = SB_INIT(CLI_URL_MAX);
	struct sbuf		 q = SB_INIT(CLI_URL_MAX);
	enum cli_input_confirm	 mode = cli_input_confirm_mode(a);
	json_t			*o = NULL;
	const char		*id = a->arg[a->narg - 1];
	int			 ret;

	/* Refused before anything is sent: nothing here can say yes. */
	if (mode == CLI_INPUT_REFUSE)
		return CLI_ERR(CLI_USAGE, "NotConfirmed", "not deleting %s "
		    "%s: there is no terminal to confirm on; pass --yes (or "
		    "set BRANCHGATE_YES=1)", d->what, id);
	if ((ret = cli_http_resolve(c, d->refs, a)) != CLI_OK)
		return ret;
	id = a->arg[a->narg - 1];
	if (mode == CLI_INPUT_ASK) {
		/* The question names what goes with it; unknown: no question. */
		http_url_obj(c, &u, a);
		sb_adds(&u, d->query);
		if ((ret = cli_http_call(c, "GET", &u, NULL, false, &o)) !=
		    CLI_OK)
			goto done;
		d->ask(&q, o, a);
		if ((ret = cli_input_confirm_ask(q.p)) != CLI_OK)
			goto done;
		json_decref(o);
		o = NULL;
	}
	http_url_obj(c, &u, a);
	if ((ret = cli_http_call(c, "DELETE", &u, NULL, false, &o)) ==
	    CLI_OK && !c->json)
		cli_out_f(stdout, "deleted %s %s\n", d->what, id);
done:
	json_decref(o);
	sb_free(&q);
	sb_free(&u);
	return ret;
}
