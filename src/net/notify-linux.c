/* notify-linux.c - notify.h over a non-blocking eventfd. */
#include "notify.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

struct notify {
	int	fd;
};

int
notify_new(struct notify **out)
{
	struct notify *n;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	if ((n->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_err("%s: eventfd: %s", __func__, strerror(errno));
		free(n);
		return -1;
	}
	*out = n;
	return 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	close(n->fd);
	free(n);
}

int
notify_fd(const struct notify *n)
{
	return n->fd;
}

void
notify_raise(struct notify *n)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already huge: raised anyway. */
	(void)!write(n->fd, &one, sizeof(one));
}

int
notify_drain(struct notify *n)
{
	uint64_t v = 0;

	return read(n->fd, &v, sizeof(v)) == (ssize_t)sizeof(v) && v > 0;
}
