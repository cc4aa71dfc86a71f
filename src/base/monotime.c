/* monotime.c - CLOCK_MONOTONIC in nanoseconds. */
#include "monotime.h"

#include <time.h>

monotime_t
monotime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (monotime_t)ts.tv_sec * MONOTIME_SEC + ts.tv_nsec;
}
