/*
 * test_wallclock.c - wallclock_parse_iso(), the one ISO 8601 reader: the
 * strict OData form, each flag on its own, leap years, offsets, fractions
 * and the "finer than a millisecond" flag, refused forms leaving the
 * outputs alone, and wallclock_parse() as the inverse of wallclock_fmt().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "wallclock.h"

#define D2026	INT64_C(1767225600000)		/* 2026-01-01T00:00:00Z */
#define MIN	INT64_C(60000)
#define DAY	INT64_C(86400000)
/* The api_logs.c $filter and the CLI's --since/--until. */
#define ODATA	WALLCLOCK_SECONDS_OPTIONAL
#define CLI	(WALLCLOCK_DATE_ONLY_OK | WALLCLOCK_SECONDS_OPTIONAL | \
		WALLCLOCK_NO_ZONE_OK | WALLCLOCK_LENIENT)

static void
test_accepted(void **state)
{
	static const struct {
		const char	*s;
		unsigned	 flags;
		int64_t		 ms;
		bool		 finer;
	} t[] = {
		{ "2026-01-01T00:00:00Z", 0, D2026, false },
		{ "2026-01-01t00:00:00z", 0, D2026, false },
		{ "2026-01-01T00:00:00.5Z", 0, D2026 + 500, false },
		{ "2026-01-01T00:00:00.123Z", 0, D2026 + 123, false },
		{ "2026-01-01T00:00:00.1239Z", 0, D2026 + 123, true },
		{ "2026-01-01T00:00:00.123000000000Z", 0, D2026 + 123, false },
		{ "2026-01-01T00:00:00.000000000001Z", 0, D2026, true },
		{ "2025-12-31T23:59:59.999Z", 0, D2026 - 1, false },
		{ "2026-01-01T02:00:00+02:00", 0, D2026, false },
		{ "2025-12-31T19:00:01.5-05:00", 0, D2026 + 1500, false },
		{ "2026-01-01T00:00:00+23:59", 0, D2026 - 1439 * MIN, false },
		{ "2026-01-01T00:00:00-00:30", 0, D2026 + 30 * MIN, false },
		{ "1970-01-01T00:00:00Z", 0, 0, false },
		{ "1969-12-31T23:59:59Z", 0, -1000, false },
		{ "0001-01-01T00:00:00Z", 0, INT64_C(-62135596800000), false },
		{ "9999-12-31T23:59:59.999Z", 0, INT64_C(253402300799999),
		    false },
		{ "2026-01-01T00:00Z", ODATA, D2026, false },
		{ "2026-01-01T01:00+01:00", ODATA, D2026, false },
		{ "2026-01-01T00:00:00.0000001Z", ODATA, D2026, true },
		{ "2026-11-22T18:24:46.137Z", CLI, INT64_C(1795371886137),
		    false },
		{ "2026-01-01", CLI, D2026, false },
		{ "2026-01-01T00:00", CLI, D2026, false },
		{ "2026-01-01T00:00:00", CLI, D2026, false },
		{ "2026-01-01 00:00:00,5", CLI, D2026 + 500, false },
		{ "2026-01-01T01:00+0100", CLI, D2026, false },
		{ "2026-01-01T01:00:00+01:00", CLI, D2026, false },
		{ "2026-01-01T00:00:00.1234567890123Z", CLI, D2026 + 123, true },
		{ "0000-01-01T00:00:00Z", CLI, INT64_C(-62167219200000), false },
	};
	int64_t ms;
	bool finer;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		finer = !t[i].finer;
		if (wallclock_parse_iso(t[i].s, t[i].flags, &ms, &finer) != 0)
			fail_msg("refused %s (flags %#x)", t[i].s, t[i].flags);
		if (ms != t[i].ms || finer != t[i].finer)
			fail_msg("%s: %lld finer %d, want %lld finer %d", t[i].s,
			    (long long)ms, finer, (long long)t[i].ms,
			    t[i].finer);
		/* *finer is optional. */
		assert_int_equal(wallclock_parse_iso(t[i].s, t[i].flags, &ms,
		    NULL), 0);
	}
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*s;
		unsigned	 flags;
	} t[] = {
		{ "", CLI },
		{ "yesterday", CLI },
		{ "'2026-01-01T00:00:00Z'", CLI },
		{ " 2026-01-01T00:00:00Z", CLI },
		{ "+2026-01-01T00:00:00Z", CLI },
		{ "2026-1-01T00:00:00Z", CLI },
		{ "2026-01-1", CLI },
		{ "20260101T000000Z", CLI },
		{ "2026-00-01T00:00:00Z", CLI },
		{ "2026-13-01T00:00:00Z", CLI },
		{ "2026-01-00T00:00:00Z", CLI },
		{ "2026-01-32T00:00:00Z", CLI },
		{ "2026-02-30T00:00:00Z", CLI },
		{ "2026-04-31", CLI },
		{ "2026-01-01T24:00:00Z", CLI },
		{ "2026-01-01T00:60:00Z", CLI },
		{ "2026-01-01T00:00:60Z", CLI },
		{ "2026-01-01T0:00:00Z", CLI },
		{ "2026-01-01T00:00:00.Z", CLI },
		{ "2026-01-01T00:00.5Z", CLI },
		{ "2026-01-01T", CLI },
		{ "2026-01-01Z", CLI },
		{ "2026-01-01x", CLI },
		{ "2026-01-01T00:00:00Zx", CLI },
		{ "2026-01-01T00:00:00Z ", CLI },
		{ "2026-01-01T00:00:00+", CLI },
		{ "2026-01-01T00:00:00+01", CLI },
		{ "2026-01-01T00:00:00+1:00", CLI },
		{ "2026-01-01T00:00:00+24:00", CLI },
		{ "2026-01-01T00:00:00+01:60", CLI },
		{ "2026-01-01T00:00:00+01:00:00", CLI },
		{ "2026-01-01T00:00:00.1234567890123Z", ODATA },
		{ "0000-01-01T00:00:00Z", ODATA },
		{ "2026-01-01T00:00:00", ODATA },
		{ "2026-01-01", ODATA },
		{ "2026-01-01T00:00Z", 0 },
	};
	int64_t ms;
	bool finer;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ms = 42;
		finer = true;
		if (wallclock_parse_iso(t[i].s, t[i].flags, &ms, &finer) !=
		    -1)
			fail_msg("took '%s' (flags %#x)", t[i].s, t[i].flags);
		assert_true(ms == 42 && finer);
	}
}

/* Each relaxation is refused under all the others and taken on its own. */
static void
test_flags(void **state)
{
	static const struct {
		const char	*s;
		unsigned	 flag;
	} t[] = {
		{ "2026-01-01T00:00Z", WALLCLOCK_SECONDS_OPTIONAL },
		{ "2026-01-01", WALLCLOCK_DATE_ONLY_OK },
		{ "2026-01-01T00:00:00", WALLCLOCK_NO_ZONE_OK },
		{ "2026-01-01 00:00:00Z", WALLCLOCK_LENIENT },
		{ "2026-01-01T00:00:00,000Z", WALLCLOCK_LENIENT },
		{ "2026-01-01T01:00:00+0100", WALLCLOCK_LENIENT },
		{ "2026-01-01T00:00:00.0000000000000Z", WALLCLOCK_LENIENT },
	};
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (wallclock_parse_iso(t[i].s, CLI & ~t[i].flag, &ms,
		    NULL) != -1)
			fail_msg("took '%s' without flag %#x", t[i].s,
			    t[i].flag);
		ms = 0;
		if (wallclock_parse_iso(t[i].s, t[i].flag, &ms, NULL) != 0 ||
		    ms != D2026)
			fail_msg("'%s' with flag %#x: %lld", t[i].s, t[i].flag,
			    (long long)ms);
	}
}

/* February 29th exists in exactly the Gregorian leap years. */
static void
test_leap_years(void **state)
{
	static const struct {
		int	y;
		bool	leap;
	} t[] = {
		{ 1900, false }, { 1970, false }, { 1972, true },
		{ 2000, true }, { 2024, true }, { 2025, false },
		{ 2100, false }, { 2400, true }, { 1, false }, { 4, true },
	};
	char s[WALLCLOCK_STRLEN];
	int64_t feb28, mar1, ms;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(s, sizeof(s), "%04d-02-28T00:00:00Z", t[i].y);
		assert_int_equal(wallclock_parse_iso(s, 0, &feb28, NULL), 0);
		snprintf(s, sizeof(s), "%04d-03-01T00:00:00Z", t[i].y);
		assert_int_equal(wallclock_parse_iso(s, 0, &mar1, NULL), 0);
		snprintf(s, sizeof(s), "%04d-02-29T00:00:00Z", t[i].y);
		rc = wallclock_parse_iso(s, 0, &ms, NULL);
		if (t[i].leap) {
			assert_int_equal(rc, 0);
			assert_true(ms == feb28 + DAY);
			assert_true(mar1 == feb28 + 2 * DAY);
		} else {
			assert_int_equal(rc, -1);
			assert_true(mar1 == feb28 + DAY);
		}
	}
}

/* What the API writes, the CLI reads back to the millisecond. */
static void
test_fmt_round_trip(void **state)
{
	const int64_t t[] = { 0, 1, 999, D2026, D2026 + 59 * MIN + 59999,
	    INT64_C(1795371886137), INT64_C(253402300799999),
	    wallclock_now_ms() };
	char s[WALLCLOCK_STRLEN];
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		wallclock_fmt(t[i], s);
		assert_int_equal(wallclock_parse(s, &ms), 0);
		assert_true(ms == t[i]);
	}
	/* wallclock_parse() is the strict form: seconds and zone needed. */
	assert_int_equal(wallclock_parse("2026-01-01T00:00:00Z", &ms), 0);
	assert_true(ms == D2026);
	assert_int_equal(wallclock_parse("2026-01-01T00:00Z", &ms), -1);
	assert_int_equal(wallclock_parse("2026-01-01T00:00:00", &ms), -1);
	assert_int_equal(wallclock_parse("2026-01-01", &ms), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_fmt_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
