/*
 * sb.h - the CLI's bytes: a bounded growing string that wipes what it
 * held (it carries PSKs and tokens), jansson's wiping allocator, and
 * whole-file reads and writes.
 */
#ifndef SB_H
#define SB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * NUL-terminated, bounded by max. Exceeding max sets the sticky "over"
 * flag, checked once where the buffer is used.
 */
struct sbuf {
	char	*p;
	size_t	 len, cap, max;
	bool	 over;
};

#define SB_INIT(m)	{ NULL, 0, 0, (m), false }
#define SB_TEXT		((size_t)-1 / 2)	/* no bound but memory */

_Noreturn void	sb_oom(void);
void	*sb_calloc(size_t, size_t);
/* Jansson's allocator pair: free wipes the block. */
void	*sb_wipe_malloc(size_t);
void	 sb_wipe_free(void *);

void	sb_free(struct sbuf *);
int	sb_add(struct sbuf *, const void *, size_t);
int	sb_adds(struct sbuf *, const char *);
int	sb_vaddf(struct sbuf *, const char *, va_list);
int	sb_addf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Remove one trailing "\n" or "\r\n". */
void	sb_chomp(struct sbuf *);

/* Read fd to EOF into b; -1 with errno set (EFBIG past b->max). */
int	sb_read_fd(int, struct sbuf *);
int	sb_write_fd(int, const char *, size_t);
/* Write b to path, mode 0600, atomically; 0 or -1 with errno set. */
int	sb_write_private(const char *, const struct sbuf *);

#endif
