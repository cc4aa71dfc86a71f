/*
 * api_static.c - the web console's files. The console (web/, bundled by
 * esbuild at build time) is a handful of files: index.html and hashed
 * assets. They are read once at start into a table and served by exact
 * name from it, so no request path ever reaches the file system: "..",
 * encoded slashes and symlinks have nothing to walk.
 *
 * Caching (RFC 9111 §5.2.2, RFC 9110 §8.8.3): the assets' names carry a
 * content hash, so they are "immutable" for a year; index.html names them,
 * so it is "no-cache" and revalidated by its ETag (a hash of the bytes,
 * 304 on If-None-Match). No file is served without a content type, and
 * nosniff keeps the browser from guessing one.
 */
#include "api_static.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <microhttpd.h>
#include <openssl/evp.h>

#include "log.h"

#define STATIC_FILES_MAX	64
#define STATIC_FILE_MAX		(8 * 1024 * 1024)
#define STATIC_NAME_MAX		96

/*
 * No inline script or style anywhere in the console (the bundle sets
 * styles through the CSSOM, which style-src does not govern). Framing is
 * refused twice, for browsers that predate frame-ancestors.
 */
#define STATIC_CSP "default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"font-src 'self'; object-src 'none'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"

struct static_file {
	char		 name[STATIC_NAME_MAX + 1];	/* "assets/x.js" */
	const char	*mime;
	char		 etag[2 + 32 + 1];		/* "\"hex\"" */
	bool		 immutable;
	uint8_t		*data;
	size_t		 len;
};

struct api_static {
	struct static_file	files[STATIC_FILES_MAX];
	size_t			nfiles;
};

static const struct {
	const char	*ext;
	const char	*mime;
} static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".json", "application/json" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
static_mime(const char *name)
{
	size_t i, n = strlen(name), e;

	for (i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++) {
		e = strlen(static_types[i].ext);
		if (n > e && strcasecmp(name + n - e, static_types[i].ext) == 0)
			return static_types[i].mime;
	}
	return NULL;
}

/* Letters, digits, '-', '_' and inner dots: what esbuild's names use. */
static bool
static_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > STATIC_NAME_MAX - 7 || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return false;
	return strstr(s, "..") == NULL;
}

static int
static_read(const char *path, uint8_t **data, size_t *len)
{
	FILE *f;
	struct stat st;
	uint8_t *b = NULL;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > STATIC_FILE_MAX)
		goto fail;
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	if (fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto fail;
	fclose(f);
	*data = b;
	*len = (size_t)st.st_size;
	return 0;
fail:
	free(b);
	fclose(f);
	return -1;
}

static int
static_add(struct api_static *s, const char *dir, const char *name,
    bool immutable)
{
	struct static_file *f;
	char path[4096];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;

	if (s->nfiles == STATIC_FILES_MAX) {
		log_warn("api: console: more than %d files, '%s' left out",
		    STATIC_FILES_MAX, name);
		return 0;
	}
	f = &s->files[s->nfiles];
	if ((f->mime = static_mime(name)) == NULL)
		return 0;	/* no known type: not served */
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (static_read(path, &f->data, &f->len) == -1) {
		log_warn("api: console: cannot read %s", path);
		return -1;
	}
	if (EVP_Digest(f->data, f->len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		free(f->data);
		return -1;
	}
	f->etag[0] = '"';
	for (i = 0; i < 16 && i < mdlen; i++)
		snprintf(f->etag + 1 + 2 * i, 3, "%02x", md[i]);
	snprintf(f->etag + 1 + 2 * i, 2, "\"");
	f->immutable = immutable;
	s->nfiles++;
	return 0;
}

int
api_static_load(struct api_static **out, const char *dir)
{
	struct api_static *s;
	char adir[4096];
	DIR *d;
	struct dirent *e;
	struct stat st;

	*out = NULL;
	if (dir == NULL || dir[0] == '\0')
		return 0;
	snprintf(adir, sizeof(adir), "%s/index.html", dir);
	if (stat(adir, &st) == -1) {
		log_warn("api: no web console at %s (build it with 'make "
		    "build'); the API is served without it", dir);
		return 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	if (static_add(s, dir, "index.html", false) == -1)
		goto fail;
	snprintf(adir, sizeof(adir), "%s/assets", dir);
	if ((d = opendir(adir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char name[STATIC_NAME_MAX + 1];
			size_t n = strlen(e->d_name);

			/* static_name_ok caps the length: it fits after "assets/". */
			if (!static_name_ok(e->d_name) || n + 8 > sizeof(name))
				continue;
			memcpy(name, "assets/", 7);
			memcpy(name + 7, e->d_name, n + 1);
			if (static_add(s, dir, name, true) == -1) {
				closedir(d);
				goto fail;
			}
		}
		closedir(d);
	}
	log_info("api: web console from %s (%zu files)", dir, s->nfiles);
	*out = s;
	return 0;
fail:
	api_static_free(s);
	return -1;
}

void
api_static_free(struct api_static *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i].data);
	free(s);
}

void
api_static_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", STATIC_CSP);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* If-None-Match: a list of entity tags or "*" (RFC 9110 §13.1.2). */
static bool
static_etag_matches(struct MHD_Connection *conn, const char *etag)
{
	const char *h, *p;
	size_t n = strlen(etag);

	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (h == NULL)
		return false;
	if (strcmp(h, "*") == 0)
		return true;
	for (p = h; (p = strstr(p, etag)) != NULL; p += n)
		if ((p == h || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
	return false;
}

bool
api_static_serve(struct api_static *s, struct MHD_Connection *conn,
    const char *method, const char *url, int *ret)
{
	const struct static_file *f = NULL;
	struct MHD_Response *resp;
	const char *name;
	unsigned status = MHD_HTTP_OK;
	size_t i;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return false;
	if (strcmp(url, "/") == 0)
		name = "index.html";
	else if (url[0] == '/')
		name = url + 1;
	else
		return false;
	if (strcmp(name, "index.html") != 0 &&
	    (strncmp(name, "assets/", 7) != 0 || !static_name_ok(name + 7)))
		return false;
	for (i = 0; s != NULL && i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0) {
			f = &s->files[i];
			break;
		}
	if (f == NULL)
		return false;	/* the API's JSON 404 */
	if (static_etag_matches(conn, f->etag)) {
		status = MHD_HTTP_NOT_MODIFIED;
		resp = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	} else
		resp = MHD_create_response_from_buffer(f->len, f->data,
		    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		*ret = MHD_NO;
		return true;
	}
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    f->mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	api_static_security_headers(resp);
	*ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return true;
}
