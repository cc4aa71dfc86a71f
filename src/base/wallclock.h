/*
 * wallclock.h - UTC timestamps for stored objects (lastModifiedDateTime,
 * createdDateTime). Intervals and timers use monotonic time, never this.
 */
#ifndef WALLCLOCK_H
#define WALLCLOCK_H

#include <stdint.h>

#define WALLCLOCK_STRLEN	64

/* Milliseconds since the Unix epoch, UTC. */
int64_t	wallclock_now_ms(void);
/* ISO 8601 "2024-02-01T00:41:48.123Z". */
const char *wallclock_fmt(int64_t ms, char buf[WALLCLOCK_STRLEN]);
/* Inverse of wallclock_fmt (fraction optional); -1 on error. */
int	wallclock_parse(const char *s, int64_t *ms);

#endif
