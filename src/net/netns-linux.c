/*
 * netns-linux.c - netns.h on Linux. netns_create follows iproute2's
 * netns_add(): /run/netns is made a shared mount (bind-mounted onto itself
 * first if it is not a mount point), so a namespace mounted there is seen
 * from every mount namespace; then a thread unshares its network
 * namespace and bind-mounts /proc/thread-self/ns/net onto the file. The
 * mount keeps the namespace alive after the thread is gone.
 *
 * setns() and unshare(CLONE_NEWNET) affect only the calling thread, which
 * is why every excursion into a namespace is a thread of its own: the
 * daemon's threads never leave the daemon's namespace.
 */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct netns_job {
	int	  fd;
	int	(*fn)(void *);
	void	 *arg;
	int	  rc;
	int	  err;
};

/* Names are file names under NETNS_DIR and interface-name friendly. */
static int
netns_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int
netns_path(const char *name, char *path, size_t len)
{
	int n;

	if (!netns_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(path, len, "%s/%s", NETNS_DIR, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void *
netns_thread(void *p)
{
	struct netns_job *j = p;

	if (j->fd != -1 && setns(j->fd, CLONE_NEWNET) == -1) {
		j->rc = -1;
		j->err = errno;
		return NULL;
	}
	errno = 0;
	j->rc = j->fn(j->arg);
	j->err = errno;
	return NULL;
}

int
netns_run(int fd, int (*fn)(void *), void *arg)
{
	struct netns_job j = { .fd = fd, .fn = fn, .arg = arg };
	pthread_t t;
	int e;

	if ((e = pthread_create(&t, NULL, netns_thread, &j)) != 0) {
		errno = e;
		return -1;
	}
	pthread_join(t, NULL);
	errno = j.err;
	return j.rc;
}

struct netns_sock {
	int	domain, type, proto;
};

static int
netns_socket_fn(void *arg)
{
	struct netns_sock *s = arg;

	return socket(s->domain, s->type | SOCK_CLOEXEC, s->proto);
}

int
netns_socket(int fd, int domain, int type, int proto)
{
	struct netns_sock s = { domain, type, proto };

	return netns_run(fd, netns_socket_fn, &s);
}

struct netns_write {
	const char	*path;
	const char	*value;
};

static int
netns_sysctl_fn(void *arg)
{
	struct netns_write *w = arg;
	size_t len = strlen(w->value);
	ssize_t n;
	int fd, e;

	if ((fd = open(w->path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, w->value, len);
	e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n == -1 ? e : EIO;
		return -1;
	}
	return 0;
}

int
netns_sysctl(int fd, const char *path, const char *value)
{
	struct netns_write w = { path, value };

	if (strncmp(path, "/proc/sys/", 10) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* /proc/sys/net shows the namespace of the thread that opens it. */
	if (netns_run(fd, netns_sysctl_fn, &w) == -1) {
		log_err("netns: %s = %s: %s", path, value, strerror(errno));
		return -1;
	}
	return 0;
}

/* As iproute2: mounts under NETNS_DIR must propagate to every mount ns. */
static int
netns_dir_shared(void)
{
	int made = 0;

	if (mkdir(NETNS_DIR, 0755) == -1 && errno != EEXIST)
		return -1;
	while (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == -1) {
		if (errno != EINVAL || made)
			return -1;
		if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC,
		    NULL) == -1)
			return -1;
		made = 1;
	}
	return 0;
}

static int
netns_create_fn(void *arg)
{
	const char *path = arg;

	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	return mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL);
}

int
netns_create(const char *name, int *fd)
{
	char path[PATH_MAX];
	int f;

	*fd = -1;
	if (netns_path(name, path, sizeof(path)) == -1)
		goto fail_log;
	if (netns_dir_shared() == -1)
		goto fail_log;
	if ((f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0)) == -1)
		goto fail_log;
	close(f);
	if (netns_run(-1, netns_create_fn, path) == -1) {
		log_err("netns: create %s: %s", name, strerror(errno));
		goto fail;
	}
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_err("netns: open %s: %s", name, strerror(errno));
		goto fail;
	}
	return 0;
fail_log:
	log_err("netns: %s %s: %s", NETNS_DIR, name, strerror(errno));
	return -1;
fail:
	netns_delete(name);
	return -1;
}

int
netns_open(const char *name)
{
	char path[PATH_MAX];

	if (netns_path(name, path, sizeof(path)) == -1)
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

int
netns_delete(const char *name)
{
	char path[PATH_MAX];

	if (netns_path(name, path, sizeof(path)) == -1)
		return -1;
	/* Lazy: an fd or a socket still inside keeps the namespace alive. */
	if (umount2(path, MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT) {
		log_err("netns: umount %s: %s", path, strerror(errno));
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_err("netns: unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Names are collected first: the callback may delete what it is given. */
int
netns_list(const char *prefix, void (*cb)(void *arg, const char *name),
    void *arg)
{
	size_t plen = strlen(prefix), n = 0, cap = 0, i;
	char **names = NULL, **nn;
	struct dirent *de;
	int rc = -1;
	DIR *d;

	if ((d = opendir(NETNS_DIR)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    !netns_name_ok(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				goto fail;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto fail;
		n++;
	}
	for (i = 0; i < n; i++)
		cb(arg, names[i]);
	rc = 0;
fail:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
