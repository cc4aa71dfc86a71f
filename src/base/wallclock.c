/*
 * wallclock.c - UTC millisecond timestamps and their ISO 8601 text form.
 * One parser for every ISO 8601 time we read: stored and served times
 * (wallclock_parse), $filter bounds in api_logs.c and the CLI's
 * --since/--until; the flags say how far each reader relaxes it.
 */
#include "wallclock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
wallclock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
wallclock_fmt(int64_t ms, char buf[WALLCLOCK_STRLEN])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, WALLCLOCK_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return buf;
}

static bool
wc_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n digits at *p into *v; advances *p. */
static int
wc_digits(const char **p, int n, int *v)
{
	int x = 0;

	for (; n > 0; n--, (*p)++) {
		if (!wc_isdigit(**p))
			return -1;
		x = x * 10 + (**p - '0');
	}
	*v = x;
	return 0;
}

static int
wc_date(const char **p, unsigned flags, struct tm *tm)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, leap;

	if (wc_digits(p, 4, &y) == -1 || *(*p)++ != '-' ||
	    wc_digits(p, 2, &mo) == -1 || *(*p)++ != '-' ||
	    wc_digits(p, 2, &d) == -1)
		return -1;
	/* Gregorian leap years: every 4th, except centuries not 400th. */
	leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if ((y < 1 && !(flags & WALLCLOCK_LENIENT)) || mo < 1 || mo > 12 ||
	    d < 1 || d > mdays[mo - 1] + (mo == 2 ? leap : 0))
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	return 0;
}

/* T hh:mm[:ss[.fraction]]; *frac in ms, *finer for nonzero digits past. */
static int
wc_time(const char **p, unsigned flags, struct tm *tm, int *frac,
    bool *finer)
{
	bool lenient = flags & WALLCLOCK_LENIENT;
	const char *s = *p;
	int h, mi, sec = 0, f = 0, i;

	if (*s != 'T' && *s != 't' && !(lenient && *s == ' '))
		return -1;
	s++;
	if (wc_digits(&s, 2, &h) == -1 || *s++ != ':' ||
	    wc_digits(&s, 2, &mi) == -1 || h > 23 || mi > 59)
		return -1;
	*finer = false;
	if (*s == ':') {
		s++;
		if (wc_digits(&s, 2, &sec) == -1 || sec > 59)
			return -1;
		if (*s == '.' || (lenient && *s == ',')) {
			s++;
			/* OData caps the fraction at 12 digits. */
			for (i = 0; wc_isdigit(*s) && (lenient || i < 12);
			    i++, s++) {
				if (i < 3)
					f = f * 10 + (*s - '0');
				else if (*s != '0')
					*finer = true;
			}
			if (i == 0 || wc_isdigit(*s))
				return -1;
			for (; i < 3; i++)
				f *= 10;
		}
	} else if (!(flags & WALLCLOCK_SECONDS_OPTIONAL))
		return -1;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec;
	*frac = f;
	*p = s;
	return 0;
}

/* Z, +hh:mm or -hh:mm into *off, minutes east of UTC. */
static int
wc_zone(const char **p, unsigned flags, int *off)
{
	const char *s = *p;
	int sign, oh, om;

	if (*s == 'Z' || *s == 'z') {
		*off = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (wc_digits(&s, 2, &oh) == -1)
			return -1;
		if (*s == ':')
			s++;
		else if (!(flags & WALLCLOCK_LENIENT))
			return -1;
		if (wc_digits(&s, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
		*off = sign * (oh * 60 + om);
	} else if (flags & WALLCLOCK_NO_ZONE_OK)
		*off = 0;
	else
		return -1;
	*p = s;
	return 0;
}

int
wallclock_parse_iso(const char *s, unsigned flags, int64_t *ms, bool *finer)
{
	struct tm tm;
	int frac = 0, off = 0;
	bool fine = false;

	memset(&tm, 0, sizeof(tm));
	if (wc_date(&s, flags, &tm) == -1)
		return -1;
	if ((*s != '\0' || !(flags & WALLCLOCK_DATE_ONLY_OK)) &&
	    (wc_time(&s, flags, &tm, &frac, &fine) == -1 ||
	    wc_zone(&s, flags, &off) == -1))
		return -1;
	if (*s != '\0')
		return -1;
	/* The fields are in range: timegm() has nothing to normalise. */
	*ms = (int64_t)timegm(&tm) * 1000 + frac - (int64_t)off * 60000;
	if (finer != NULL)
		*finer = fine;
	return 0;
}

int
wallclock_parse(const char *s, int64_t *ms)
{
	return wallclock_parse_iso(s, 0, ms, NULL);
}
