/*
 * notify.h - a wake-up flag one thread raises and an event loop polls:
 * the API thread tells the gateway loop that the configuration changed.
 * Raises coalesce: several before a drain wake the loop once.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

struct notify;

int	notify_new(struct notify **out);
void	notify_free(struct notify *);
/* The fd to poll for reading. */
int	notify_fd(const struct notify *);
/* Thread-safe and async-signal-safe; never blocks. */
void	notify_raise(struct notify *);
/* Clears the flag; true if it was raised. */
int	notify_drain(struct notify *);

#endif
