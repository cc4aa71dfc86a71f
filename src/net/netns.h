/*
 * netns.h - named network namespaces, made the way `ip netns add` makes
 * them: a bind mount of a namespace onto /run/netns/NAME, so that
 * `ip netns exec NAME ...` works for debugging, BIRD and the tests.
 *
 * A namespace is entered only by short-lived threads (netns_run), never by
 * the calling thread. Sockets and TUN fds keep the namespace they were
 * created in, so the daemon creates them inside (netns_socket) and then
 * uses them from its own namespace.
 */
#ifndef NETNS_H
#define NETNS_H

#include <stddef.h>

#define NETNS_DIR	"/run/netns"

/* Creates NAME (fails with EEXIST if it exists); *fd is an fd to it. */
int	netns_create(const char *name, int *fd);
/* An O_CLOEXEC fd to an existing named namespace, -1 if none. */
int	netns_open(const char *name);
/* Unmounts and unlinks NAME; 0 if it did not exist. */
int	netns_delete(const char *name);
/* Every name under NETNS_DIR that starts with prefix. */
int	netns_list(const char *prefix,
	    void (*cb)(void *arg, const char *name), void *arg);

/*
 * Runs fn(arg) in a thread that joined the namespace fd (-1: the caller's
 * namespace) and returns its result; errno is carried back on -1.
 */
int	netns_run(int fd, int (*fn)(void *), void *arg);
/* socket(2) inside the namespace fd; the socket stays there. */
int	netns_socket(int fd, int domain, int type, int proto);
/* Writes value to a /proc/sys path inside the namespace fd (-1: ours). */
int	netns_sysctl(int fd, const char *path, const char *value);

#endif
