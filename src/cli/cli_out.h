/*
 * cli_out.h - everything the CLI prints: aligned tables and "key value"
 * views of the server's JSON, --json output, and errors (one line on
 * stderr; under --json also one {"error":{"code","message"}} on stdout).
 * Text from the server is cleaned of control characters on the way out.
 */
#ifndef CLI_OUT_H
#define CLI_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli;
struct sbuf;

/* o's member path, or at path "a.b" (NULL when absent). */
json_t		*cli_out_jget(const json_t *o, const char *path);
const char	*cli_out_jstr(const json_t *o, const char *path);
/* A scalar as text for a cell; "-" when missing or null. */
const char	*cli_out_jtext(const json_t *v, char tmp[32]);

/* printf with control characters (other than '\n') replaced by '?'. */
void	cli_out_f(FILE *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * printf to stdout, then each "{path}" in the result replaced by the text
 * of o's member at path: cli_out_line(tc, "%-16s {dhGroup}\n", "DH").
 */
void	cli_out_line(const json_t *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	cli_out_json(const json_t *);
/* --json: the answer as JSON; else show(o), unless show is NULL. */
void	cli_out_show(const struct cli *, const json_t *,
	    void (*show)(const json_t *));
/* A create's answer: JSON, the bare id (--quiet) or "created WHAT ID...". */
void	cli_out_created(const struct cli *, const json_t *, const char *what,
	    const char *suffix);

/* "label            value" */
struct cli_field {
	const char	*label;
	const char	*path;
};

void	cli_out_kv(const char *label, const char *value);
void	cli_out_fields(const json_t *, const struct cli_field *, size_t);
/* version and lastModifiedDateTime, the end of every entity's view. */
void	cli_out_meta(const json_t *);
/*
 * An array as one line: strings as they are, objects as "name (id)" (or
 * the id); "(none)" when empty, nothing when arr is no array.
 */
void	cli_out_kv_list(const char *label, const json_t *arr);

/* A column of a table: a member's text, or what cell() makes of the row. */
struct cli_col {
	const char	*head;
	const char	*path;
	const char	*(*cell)(const json_t *row, const void *ctx,
			    struct sbuf *tmp);
};

void	cli_out_table(const json_t *rows, const struct cli_col *, size_t,
	    const void *ctx);

/* Errors. The first error of a run is the one JSON error on stdout. */
void	cli_out_json_errors(bool);
int	cli_out_err(int ret, const char *code, const char *prefix,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The CLI refuses ("branchgate: ..."); the server or store does ("error:"). */
#define CLI_ERR(ret, code, ...)	\
	cli_out_err((ret), (code), "branchgate: ", __VA_ARGS__)
#define SRV_ERR(ret, code, ...)	\
	cli_out_err((ret), (code), "error: ", __VA_ARGS__)
/* A usage error, with the pointer to 'branchgate help'; CLI_USAGE. */
int	cli_out_usage(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* A JSON error from its code and message, or the server's own body. */
void	cli_out_err_code(const char *code, const char *msg);
void	cli_out_err_body(json_t *);

#endif
