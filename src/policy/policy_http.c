/*
 * policy_http.c - HTTP/1.x request head scanner for the Host field. It
 * reads lines through struct buf, accepts a bare LF as a line end (RFC 9112
 * §2.2 lets a recipient do so), refuses whitespace before a field's colon
 * and obsolete line folding (§5.1, §5.2), and strips an optional port
 * (RFC 9110 §7.2: Host = uri-host [ ":" port ]).
 */
#include "policy_http.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "policy_reasm.h"

#define HTTP_METHOD_MAX	32

static const char *const http_res_names[] = {
	[POLICY_HTTP_OK] = "ok",
	[POLICY_HTTP_NEED_MORE] = "need-more",
	[POLICY_HTTP_NOT_HTTP] = "not-http",
	[POLICY_HTTP_MALFORMED] = "malformed",
	[POLICY_HTTP_NO_HOST] = "no-host",
	[POLICY_HTTP_TOO_BIG] = "too-big",
};

const char *
policy_http_res_str(enum policy_http_res r)
{
	if ((unsigned)r >= sizeof(http_res_names) / sizeof(http_res_names[0]))
		return "?";
	return http_res_names[r];
}

/* RFC 9110 §5.6.2 tchar. */
static bool
http_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The next line without its end; 1 if there is none yet, -1 on a NUL. */
static int
http_line(struct buf *b, struct buf *line)
{
	const uint8_t *start, *q;
	size_t n = buf_left(b), i, l;

	if (buf_peek_ptr(b, 0, &start) == -1)
		return -1;
	q = memchr(start, '\n', n);
	if (q == NULL)
		return 1;
	i = (size_t)(q - start);	/* an offset inside the view we hold */
	l = i > 0 && start[i - 1] == '\r' ? i - 1 : i;
	if (memchr(start, '\0', l) != NULL)
		return -1;
	buf_init(line, start, l);
	(void)buf_skip(b, i + 1);
	return 0;
}

/*
 * RFC 9112 §3: method SP request-target SP HTTP-version. head is the
 * stream from the request line on; line that line once it is complete.
 */
static enum policy_http_res
http_request_line(const struct buf *head, const struct buf *line)
{
	struct buf b = *head;
	uint8_t c = 0;
	size_t n = 0;
	const uint8_t *v;

	/* Judge the method as soon as octets come, line end or not. */
	while (buf_get_u8(&b, &c) == 0 && c != ' ') {
		if (!http_tchar(c) || ++n > HTTP_METHOD_MAX)
			return POLICY_HTTP_NOT_HTTP;
	}
	if (line == NULL)
		return POLICY_HTTP_NEED_MORE;
	b = *line;
	n = 0;
	c = 0;
	while (buf_get_u8(&b, &c) == 0 && c != ' ')
		n++;
	if (n == 0 || c != ' ')
		return POLICY_HTTP_NOT_HTTP;
	n = 0;
	c = 0;
	while (buf_get_u8(&b, &c) == 0 && c != ' ') {
		if (c < 0x21 || c == 0x7f)
			return POLICY_HTTP_MALFORMED;
		n++;
	}
	if (n == 0 || c != ' ' || buf_left(&b) != 8 ||
	    buf_peek_ptr(&b, 8, &v) == -1 || memcmp(v, "HTTP/1.", 7) != 0 ||
	    v[7] < '0' || v[7] > '9')
		return POLICY_HTTP_NOT_HTTP;
	return POLICY_HTTP_OK;
}

/* Host = uri-host [ ":" port ]; OWS already trimmed. */
static enum policy_http_res
http_host_value(const uint8_t *v, size_t n, char host[POLICY_HOST_MAX + 1])
{
	size_t hl = n, i;
	unsigned port = 0;

	if (n == 0)
		return POLICY_HTTP_NO_HOST;	/* §3.2: allowed, names nothing */
	if (v[0] == '[') {
		/* IP-literal (RFC 3986 §3.2.2): kept as written, lower case. */
		const uint8_t *e = memchr(v, ']', n);

		if (e == NULL)
			return POLICY_HTTP_MALFORMED;
		hl = (size_t)(e - v) + 1;
		/* The shortest IPv6address is "::" */
		if (hl < 4 || hl > POLICY_HOST_MAX ||
		    memchr(v, ':', hl) == NULL)
			return POLICY_HTTP_MALFORMED;
		for (i = 0; i < hl; i++) {
			uint8_t c = v[i];

			if (!(c == '[' || c == ']' || c == ':' || c == '.' ||
			    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			    (c >= 'A' && c <= 'F')))
				return POLICY_HTTP_MALFORMED;
			host[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
		}
		host[hl] = '\0';
	} else {
		const uint8_t *colon = memchr(v, ':', n);

		if (colon != NULL)
			hl = (size_t)(colon - v);
		if (policy_name_ipv4((const char *)v, hl)) {
			/* IPv4address: kept as written; no name rule matches */
			memcpy(host, v, hl);
			host[hl] = '\0';
		} else if (policy_name_norm((const char *)v, hl, host) == -1)
			return POLICY_HTTP_MALFORMED;
	}
	if (hl == n)
		return POLICY_HTTP_OK;
	if (v[hl] != ':')
		return POLICY_HTTP_MALFORMED;
	/* port = *DIGIT (RFC 3986 §3.2.3), 0..65535 here. */
	for (i = hl + 1; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || i - hl > 5)
			return POLICY_HTTP_MALFORMED;
		port = port * 10 + (unsigned)(v[i] - '0');
	}
	return port > 65535 ? POLICY_HTTP_MALFORMED : POLICY_HTTP_OK;
}

/* One field line; *is_host set if it is Host. */
static enum policy_http_res
http_field(struct buf *line, char host[POLICY_HOST_MAX + 1], bool *is_host)
{
	const uint8_t *p;
	size_t n = buf_left(line), i, name, s, e;

	*is_host = false;
	if (buf_peek_ptr(line, n, &p) == -1)
		return POLICY_HTTP_MALFORMED;
	if (p[0] == ' ' || p[0] == '\t')
		return POLICY_HTTP_MALFORMED;	/* obs-fold, §5.2 */
	for (i = 0; i < n && p[i] != ':'; i++)
		if (!http_tchar(p[i]))
			return POLICY_HTTP_MALFORMED;	/* incl. SP before ':' */
	if (i == n || i == 0)
		return POLICY_HTTP_MALFORMED;
	name = i;
	if (name != 4 || strncasecmp((const char *)p, "host", 4) != 0)
		return POLICY_HTTP_OK;
	*is_host = true;
	s = name + 1;
	e = n;
	while (s < e && (p[s] == ' ' || p[s] == '\t'))
		s++;
	while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	return http_host_value(p + s, e - s, host);
}

static enum policy_http_res
http_head(const uint8_t *p, size_t len, char host[POLICY_HOST_MAX + 1])
{
	struct buf b, line;
	enum policy_http_res r;
	bool is_host;
	const uint8_t *q;
	size_t skip = 0;
	int l;

	/* §2.2: a server SHOULD ignore empty lines before the request line,
	 * and common ones ignore any number: so must we, or a CRLF in front
	 * would walk a request past its Host rule. */
	while (skip < len && (p[skip] == '\n' || (p[skip] == '\r' &&
	    (skip + 1 == len || p[skip + 1] == '\n'))))
		skip++;
	if (skip == len)
		return POLICY_HTTP_NEED_MORE;
	buf_init(&b, p + skip, len - skip);
	{
		struct buf head = b;

		if ((l = http_line(&b, &line)) == -1)
			return POLICY_HTTP_NOT_HTTP;
		if ((r = http_request_line(&head, l == 0 ? &line : NULL)) !=
		    POLICY_HTTP_OK)
			return r;
	}
	for (;;) {
		if ((l = http_line(&b, &line)) == -1)
			return POLICY_HTTP_MALFORMED;
		if (l == 1)
			return POLICY_HTTP_NEED_MORE;
		if (buf_left(&line) == 0)
			return POLICY_HTTP_NO_HOST;	/* end of the head */
		r = http_field(&line, host, &is_host);
		if (!is_host) {
			if (r != POLICY_HTTP_OK)
				return r;
			continue;
		}
		if (r != POLICY_HTTP_OK && r != POLICY_HTTP_NO_HOST)
			return r;
		/* §5.2: a server may unfold an obs-fold line into the Host
		 * before it: the next line must not start with SP or HTAB. */
		if (buf_peek_ptr(&b, 1, &q) == -1)
			return POLICY_HTTP_NEED_MORE;
		if (q[0] == ' ' || q[0] == '\t')
			return POLICY_HTTP_MALFORMED;
		return r;
	}
}

enum policy_http_res
policy_http_host(const uint8_t *p, size_t len, char host[POLICY_HOST_MAX + 1])
{
	enum policy_http_res r = http_head(p, len, host);

	/* The caller holds at most the cap (policy_reasm). */
	if (r == POLICY_HTTP_NEED_MORE && len >= POLICY_REASM_CAP)
		return POLICY_HTTP_TOO_BIG;
	return r;
}
