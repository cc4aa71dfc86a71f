/*
 * sb.c - bounded strings, the wiping allocator and file I/O for the CLI
 * (sb.h). Old storage is wiped on growth and on free.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sb.h"

_Noreturn void
sb_oom(void)
{
	fputs("branchgate: out of memory\n", stderr);
	exit(CLI_API);
}

void *
sb_calloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		sb_oom();
	return p;
}

/* A size header in front of each block so that free can wipe it. */
#define WIPE_HDR	sizeof(max_align_t)

void *
sb_wipe_malloc(size_t n)
{
	unsigned char	*p;

	if (n > SIZE_MAX - WIPE_HDR || (p = malloc(n + WIPE_HDR)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + WIPE_HDR;
}

void
sb_wipe_free(void *q)
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

void
sb_free(struct sbuf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

int
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
			sb_oom();
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

int
sb_adds(struct sbuf *b, const char *s)
{
	return sb_add(b, s, strlen(s));
}

int
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
		sb_oom();
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	r = sb_add(b, big, (size_t)n);
	free(big);
	return r;
}

int
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = sb_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
sb_chomp(struct sbuf *b)
{
	if (b->len > 0 && b->p[b->len - 1] == '\n') {
		b->p[--b->len] = '\0';
		if (b->len > 0 && b->p[b->len - 1] == '\r')
			b->p[--b->len] = '\0';
	}
}

int
sb_read_fd(int fd, struct sbuf *b)
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

int
sb_write_fd(int fd, const char *p, size_t n)
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

int
sb_write_private(const char *path, const struct sbuf *b)
{
	struct sbuf	 tmp = SB_INIT(CLI_URL_MAX);
	int		 fd = -1, r, saved;
	bool		 made = false;

	sb_addf(&tmp, "%s.XXXXXX", path);
	if (tmp.over) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if ((fd = mkstemp(tmp.p)) == -1)
		goto fail;
	made = true;
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    sb_write_fd(fd, b->p != NULL ? b->p : "", b->len) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	r = close(fd);
	fd = -1;
	if (r == -1 || rename(tmp.p, path) == -1)
		goto fail;
	sb_free(&tmp);
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (made)
		unlink(tmp.p);
	sb_free(&tmp);
	errno = saved;
	return -1;
}
