/*
 * cli_out.c - tables, views, JSON and errors on the terminal (cli_out.h).
 * Names and messages come from the server, and from whoever named the
 * object: C0/C1 control characters are replaced before they reach a
 * terminal. Widths count UTF-8 code points, not bytes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_out.h"
#include "sb.h"

json_t *
cli_out_jget(const json_t *o, const char *path)
{
	const char	*dot;
	json_t		*v;
	char		 k[64];

	/* A member named with a dot ("@odata.nextLink") is itself first. */
	if ((v = json_object_get(o, path)) != NULL ||
	    (dot = strchr(path, '.')) == NULL)
		return v;
	if ((size_t)(dot - path) >= sizeof(k))
		return NULL;
	memcpy(k, path, (size_t)(dot - path));
	k[dot - path] = '\0';
	return cli_out_jget(json_object_get(o, k), dot + 1);
}

const char *
cli_out_jstr(const json_t *o, const char *path)
{
	return json_string_value(cli_out_jget(o, path));
}

const char *
cli_out_jtext(const json_t *v, char tmp[32])
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
out_clean(char *s)
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

static size_t
out_width(const char *s)
{
	size_t	 w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Print b line by line, each cleaned; b is consumed. */
static void
out_lines(FILE *f, struct sbuf *b)
{
	char	*line, *nl;

	for (line = b->p; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		out_clean(line);
		fputs(line, f);
		if (nl != NULL)
			fputc('\n', f);
	}
	sb_free(b);
}

void
cli_out_f(FILE *f, const char *fmt, ...)
{
	struct sbuf	 b = SB_INIT(SB_TEXT);
	va_list		 ap;

	va_start(ap, fmt);
	sb_vaddf(&b, fmt, ap);
	va_end(ap);
	out_lines(f, &b);
}

void
cli_out_line(const json_t *o, const char *fmt, ...)
{
	struct sbuf	 t = SB_INIT(SB_TEXT), b = SB_INIT(SB_TEXT);
	const char	*s, *end;
	char		 path[64], tmp[32];
	va_list		 ap;

	va_start(ap, fmt);
	sb_vaddf(&t, fmt, ap);
	va_end(ap);
	for (s = t.p; s != NULL && *s != '\0'; s = end) {
		end = s + strcspn(s, "{");
		sb_add(&b, s, (size_t)(end - s));
		if (*end == '\0')
			break;
		s = end + 1;
		end = s + strcspn(s, "}");
		if (*end == '\0' || (size_t)(end - s) >= sizeof(path)) {
			sb_adds(&b, s - 1);
			break;
		}
		memcpy(path, s, (size_t)(end - s));
		path[end - s] = '\0';
		sb_adds(&b, cli_out_jtext(cli_out_jget(o, path), tmp));
		end++;
	}
	sb_free(&t);
	out_lines(stdout, &b);
}

void
cli_out_json(const json_t *j)
{
	char	*s;

	if (j == NULL)
		return;
	if ((s = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY)) == NULL)
		sb_oom();
	puts(s);
	sb_wipe_free(s);
}

void
cli_out_show(const struct cli *c, const json_t *o,
    void (*show)(const json_t *))
{
	if (c->json)
		cli_out_json(o);
	else if (show != NULL)
		show(o);
}

void
cli_out_created(const struct cli *c, const json_t *o, const char *what,
    const char *suffix)
{
	const char	*id = cli_out_jstr(o, "id") ? cli_out_jstr(o, "id") : "?";

	if (c->json)
		cli_out_json(o);
	else if (c->quiet)
		cli_out_f(stdout, "%s\n", id);
	else
		cli_out_f(stdout, "created %s %s%s\n", what, id, suffix);
}

void
cli_out_kv(const char *k, const char *v)
{
	cli_out_f(stdout, "%-16s %s\n", k, v != NULL ? v : "-");
}

void
cli_out_fields(const json_t *o, const struct cli_field *f, size_t n)
{
	char	 tmp[32];
	size_t	 i;

	for (i = 0; i < n; i++)
		cli_out_kv(f[i].label, cli_out_jtext(cli_out_jget(o,
		    f[i].path), tmp));
}

static const struct cli_field out_meta_fields[] = {
	{ "version", "version" },
	{ "modified", "lastModifiedDateTime" },
};

void
cli_out_meta(const json_t *o)
{
	cli_out_fields(o, out_meta_fields, CLI_NELEM(out_meta_fields));
}

void
cli_out_kv_list(const char *label, const json_t *arr)
{
	struct sbuf	 b = SB_INIT(SB_TEXT);
	const json_t	*e;
	const char	*nm, *id;
	size_t		 i;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, e) {
		sb_adds(&b, i > 0 ? ", " : "");
		nm = cli_out_jstr(e, "name");
		id = cli_out_jstr(e, "id") ? cli_out_jstr(e, "id") : "?";
		if (json_is_string(e))
			sb_adds(&b, json_string_value(e));
		else if (!json_is_object(e))
			sb_adds(&b, "?");
		else if (nm != NULL)
			sb_addf(&b, "%s (%s)", nm, id);
		else
			sb_adds(&b, id);
	}
	cli_out_kv(label, b.p != NULL ? b.p : "(none)");
	sb_free(&b);
}

/* The cells row by row, the header first; each a cleaned copy. */
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
			sb_oom();
		t->cell = nc;
	}
	if ((t->cell[t->n] = strdup(s != NULL ? s : "-")) == NULL)
		sb_oom();
	out_clean(t->cell[t->n++]);
}

static void
tbl_print(struct table *t)
{
	size_t	*w, i, c, pad;

	w = sb_calloc(t->ncol, sizeof(*w));
	for (i = 0; i < t->n; i++)
		if (out_width(t->cell[i]) > w[i % t->ncol])
			w[i % t->ncol] = out_width(t->cell[i]);
	for (i = 0; i < t->n; i++) {
		c = i % t->ncol;
		fputs(t->cell[i], stdout);
		if (c == t->ncol - 1) {
			fputc('\n', stdout);
			continue;
		}
		for (pad = out_width(t->cell[i]); pad < w[c] + 2; pad++)
			fputc(' ', stdout);
	}
	for (i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	free(w);
}

void
cli_out_table(const json_t *rows, const struct cli_col *cols, size_t ncol,
    const void *ctx)
{
	struct table	 t = { ncol, 0, 0, NULL };
	struct sbuf	 tmp = SB_INIT(SB_TEXT);
	const json_t	*row;
	char		 n[32];
	size_t		 i, k;

	for (k = 0; k < ncol; k++)
		tbl_add(&t, cols[k].head);
	json_array_foreach(rows, i, row)
		for (k = 0; k < ncol; k++) {
			if (cols[k].cell != NULL)
				tbl_add(&t, cols[k].cell(row, ctx, &tmp));
			else
				tbl_add(&t, cli_out_jtext(cli_out_jget(row,
				    cols[k].path), n));
			sb_free(&tmp);
		}
	tbl_print(&t);
}

/* Errors. */

static bool	err_json;	/* --json was given */
static bool	err_done;	/* the JSON error is out */

void
cli_out_json_errors(bool on)
{
	err_json = on;
}

/* A JSON string of s, bytes that are not UTF-8 replaced by '?'. */
static json_t *
out_json_lossy(const char *s)
{
	json_t	*v;
	char	*t;
	size_t	 i;

	if ((v = json_string(s)) != NULL)
		return v;
	if ((t = strdup(s)) == NULL)
		sb_oom();
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] >= 0x80)
			t[i] = '?';
	v = json_string(t);
	free(t);
	return v;
}

void
cli_out_err_body(json_t *body)
{
	if (err_json && !err_done && body != NULL) {
		cli_out_json(body);
		err_done = true;
	}
	json_decref(body);
}

void
cli_out_err_code(const char *code, const char *msg)
{
	json_t	*e;

	if (!err_json || err_done)
		return;
	if ((e = json_object()) == NULL ||
	    json_object_set_new(e, "code", json_string(code)) == -1 ||
	    json_object_set_new(e, "message", out_json_lossy(msg)) == -1)
		sb_oom();
	cli_out_err_body(json_pack("{s:o}", "error", e));
}

static void
out_verr(const char *code, const char *prefix, const char *fmt, va_list ap)
{
	struct sbuf	 b = SB_INIT(SB_TEXT);

	sb_vaddf(&b, fmt, ap);
	cli_out_f(stderr, "%s%s\n", prefix, b.p != NULL ? b.p : "");
	cli_out_err_code(code, b.p != NULL ? b.p : "");
	sb_free(&b);
}

int
cli_out_err(int ret, const char *code, const char *prefix, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	out_verr(code, prefix, fmt, ap);
	va_end(ap);
	return ret;
}

int
cli_out_usage(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	out_verr("UsageError", "branchgate: ", fmt, ap);
	va_end(ap);
	fputs("run 'branchgate help' for usage\n", stderr);
	return CLI_USAGE;
}
