/*
 * wallclock.h - UTC timestamps for stored objects (lastModifiedDateTime,
 * createdDateTime). Intervals and timers use monotonic time, never this.
 */
#ifndef WALLCLOCK_H
#define WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define WALLCLOCK_STRLEN	64

/*
 * wallclock_parse_iso() flags. With none it takes the OData 4.0
 * dateTimeOffsetValue with seconds required, years 0001 to 9999:
 * YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm), 1 to 12 fraction
 * digits, T and Z in either case.
 */
#define WALLCLOCK_SECONDS_OPTIONAL	0x01	/* hh:mm, as OData allows */
#define WALLCLOCK_DATE_ONLY_OK		0x02	/* YYYY-MM-DD: midnight UTC */
#define WALLCLOCK_NO_ZONE_OK		0x04	/* a time without zone: UTC */
/*
 * And what people type besides: ' ' for T, ',' for '.', +hhmm offsets,
 * any number of fraction digits, year 0000.
 */
#define WALLCLOCK_LENIENT		0x08

/* Milliseconds since the Unix epoch, UTC. */
int64_t	wallclock_now_ms(void);
/* ISO 8601 "2024-02-01T00:41:48.123Z". */
const char *wallclock_fmt(int64_t ms, char buf[WALLCLOCK_STRLEN]);
/*
 * ISO 8601 text to ms since the epoch, rounded down to the millisecond;
 * *finer (may be NULL) tells whether the fraction went beyond it. Every
 * field is range-checked (2025-02-29 is refused) and the whole string must
 * be used. 0, or -1 with *ms and *finer untouched.
 */
int	wallclock_parse_iso(const char *s, unsigned flags, int64_t *ms,
	    bool *finer);
/* Inverse of wallclock_fmt (fraction optional): no flags; -1 on error. */
int	wallclock_parse(const char *s, int64_t *ms);

#endif
