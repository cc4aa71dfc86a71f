/*
 * cli_http.h - the CLI's client of branchgated's REST API over libcurl:
 * one function per way a command talks to the server (read and show,
 * write, delete with confirmation), the URLs of the remote-network tree,
 * and RN/LINK arguments given by name.
 */
#ifndef CLI_HTTP_H
#define CLI_HTTP_H

#include <jansson.h>
#include <stdbool.h>

#include "sb.h"

struct args;
struct cli;

#define CLI_HTTP_RN_PATH	"/networkAccess/connectivity/remoteNetworks"

/* An answer kept raw (cpe-config text): the caller frees body. */
struct cli_http_resp {
	long		status;
	struct sbuf	body;
};

/*
 * One request; a non-2xx answer is printed and gives CLI_API, a failed
 * connection CLI_CONN. body: the request's JSON or NULL. u is freed.
 */
int	cli_http_raw(struct cli *, const char *method, struct sbuf *u,
	    const json_t *body, bool prefer_repr, struct cli_http_resp *);
/* The same, the answer parsed into *out (NULL when it is empty). */
int	cli_http_call(struct cli *, const char *method, struct sbuf *u,
	    const json_t *body, bool prefer_repr, json_t **out);
/* GET u, then cli_out_show(out, show). */
int	cli_http_show(struct cli *, struct sbuf *u,
	    void (*show)(const json_t *));

/* u = base + RN_PATH [+ /rn [+ /sub [+ /lk [+ /sub2]]]], ids escaped. */
void	cli_http_url_rn(struct cli *, struct sbuf *u, const char *rn,
	    const char *sub, const char *lk, const char *sub2);
/* s percent-encoded (RFC 3986 unreserved characters kept) onto u. */
void	cli_http_esc(struct cli *, struct sbuf *u, const char *s);
/* u = --url + the path and query of an @odata.nextLink; -1 if it has none. */
int	cli_http_next(struct cli *, const char *link, struct sbuf *u);

/* Names in a->arg[0] (CLI_REF_RN) and arg[1] (CLI_REF_LINK) to ids. */
int	cli_http_resolve(struct cli *, unsigned refs, struct args *);

/*
 * rn delete and link delete: the object is a->arg[narg - 1], under the
 * remote network a->arg[0]. On a terminal the question names it, in the
 * words ask() makes of the object (GET ...query); without a terminal or
 * --yes nothing is sent and the delete is a usage error.
 */
struct cli_http_del {
	const char	*what;		/* "remote network" */
	unsigned	 refs;
	const char	*query;		/* on the GET for the question */
	void		(*ask)(struct sbuf *, const json_t *,
			    const struct args *);
};

int	cli_http_delete(struct cli *, struct args *,
	    const struct cli_http_del *);

#endif
