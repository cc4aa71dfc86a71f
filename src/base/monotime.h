/*
 * monotime.h - monotonic time as its own type (nanoseconds since an
 * arbitrary start), for every interval and timer. Never compared with wall
 * clock time.
 */
#ifndef MONOTIME_H
#define MONOTIME_H

#include <stdint.h>

typedef int64_t monotime_t;

#define MONOTIME_NEVER	INT64_MAX
#define MONOTIME_SEC	((monotime_t)1000000000)
#define MONOTIME_MSEC	((monotime_t)1000000)

monotime_t	monotime_now(void);

#endif
