/*
 * test_buf.c - the bounds-checked cursors: every reader fails on short
 * input without touching its output, sub-cursors stay inside their parent,
 * writers latch an error instead of overflowing, back-patching stays in
 * range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"

static const uint8_t seq[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

static void
test_read_order(void **state)
{
	struct buf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	buf_init(&b, seq, sizeof(seq));
	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(buf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(buf_get_u32(&b, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(buf_get_u64(&b, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(buf_left(&b), 0);
	assert_int_equal(buf_done(&b), 0);
}

static void
test_short_untouched(void **state)
{
	struct buf b;
	uint8_t u8 = 0xaa, out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	uint16_t u16 = 0xaaaa;
	uint32_t u32 = 0xaaaaaaaa;
	uint64_t u64 = 0xaaaaaaaaaaaaaaaaULL;
	const uint8_t *p = NULL;
	size_t n;

	(void)state;
	for (n = 0; n < 8; n++) {
		buf_init(&b, seq, n);
		if (n < 2) {
			assert_int_equal(buf_get_u16(&b, &u16), -1);
			assert_int_equal(u16, 0xaaaa);
		}
		if (n < 4) {
			assert_int_equal(buf_get_u32(&b, &u32), -1);
			assert_int_equal(u32, 0xaaaaaaaa);
			assert_int_equal(buf_get_bytes(&b, out, 4), -1);
			assert_int_equal(out[0], 0xaa);
		}
		assert_int_equal(buf_get_u64(&b, &u64), -1);
		assert_true(u64 == 0xaaaaaaaaaaaaaaaaULL);
		assert_int_equal(buf_peek_ptr(&b, n + 1, &p), -1);
		assert_null(p);
		assert_int_equal(buf_skip(&b, n + 1), -1);
		/* a failed read consumes nothing */
		assert_int_equal(buf_left(&b), n);
	}
	buf_init(&b, seq, 0);
	assert_int_equal(buf_get_u8(&b, &u8), -1);
	assert_int_equal(u8, 0xaa);
	assert_int_equal(buf_done(&b), 0);
	buf_init(&b, NULL, 5);
	assert_int_equal(buf_left(&b), 0);
}

static void
test_sub(void **state)
{
	struct buf b, sub, subsub;
	const uint8_t *p;
	uint8_t u8;

	(void)state;
	buf_init(&b, seq, sizeof(seq));
	assert_int_equal(buf_skip(&b, 2), 0);
	assert_int_equal(buf_get_sub(&b, 4, &sub), 0);
	assert_int_equal(buf_offset(&b), 6);
	assert_int_equal(buf_left(&sub), 4);
	assert_int_equal(buf_get_u8(&sub, &u8), 0);
	assert_int_equal(u8, 0x03);
	/* cannot read past the sub-cursor even though the parent has more */
	assert_int_equal(buf_get_sub(&sub, 4, &subsub), -1);
	assert_int_equal(buf_get_sub(&sub, 3, &subsub), 0);
	assert_int_equal(buf_done(&sub), 0);
	assert_int_equal(buf_peek_ptr(&subsub, 3, &p), 0);
	assert_int_equal(p[0], 0x04);
	assert_int_equal(p[2], 0x06);
	assert_int_equal(buf_done(&subsub), 0);
	assert_int_equal(buf_get_sub(&b, sizeof(seq), &sub), -1);
	assert_int_equal(buf_done(&b), -1);
	assert_int_equal(buf_get_sub(&b, 0, &sub), 0);
	assert_int_equal(buf_left(&sub), 0);
}

static void
test_write(void **state)
{
	uint8_t st[16];
	struct wbuf w;
	size_t at;
	int errs = 0;

	(void)state;
	memset(st, 0xee, sizeof(st));
	wbuf_init(&w, st, sizeof(st));
	errs += wbuf_add_u8(&w, 0x01);
	errs += wbuf_reserve(&w, 2, &at);
	errs += wbuf_add_u32(&w, 0x02030405);
	errs += wbuf_add_u64(&w, 0x060708090a0b0c0dULL);
	assert_int_equal(errs, 0);
	assert_int_equal(at, 1);
	assert_int_equal(wbuf_set_u16_at(&w, at, 0xbeef), 0);
	assert_int_equal(wbuf_len(&w), 15);
	assert_int_equal(st[1], 0xbe);
	assert_int_equal(st[2], 0xef);
	assert_int_equal(st[3], 0x02);
	assert_int_equal(st[14], 0x0d);
	/* overflow: error latches, nothing written past cap */
	assert_int_equal(wbuf_add_u16(&w, 0x1111), -1);
	assert_true(w.err);
	assert_int_equal(st[15], 0xee);
	assert_int_equal(wbuf_len(&w), 15);
	assert_int_equal(wbuf_add_u8(&w, 0), -1);	/* still latched */
}

static void
test_patch_range(void **state)
{
	uint8_t st[8];
	struct wbuf w;
	size_t at;

	(void)state;
	wbuf_init(&w, st, sizeof(st));
	assert_int_equal(wbuf_add_u16(&w, 0), 0);
	assert_int_equal(wbuf_set_u32_at(&w, 0, 1), -1);	/* past len */
	assert_true(w.err);
	wbuf_init(&w, st, sizeof(st));
	assert_int_equal(wbuf_reserve(&w, 4, &at), 0);
	assert_int_equal(wbuf_set_u32_at(&w, at, 0x01020304), 0);
	assert_int_equal(wbuf_set_u8_at(&w, 3, 0xff), 0);
	assert_int_equal(st[3], 0xff);
	assert_non_null(wbuf_ptr_at(&w, 0, 4));
	assert_null(wbuf_ptr_at(&w, 1, 4));
	assert_null(wbuf_ptr_at(&w, (size_t)-1, 2));
	assert_int_equal(wbuf_reserve(&w, 5, &at), -1);
	assert_int_equal(wbuf_add_bytes(&w, "x", 1), -1);
	wbuf_init(&w, st, sizeof(st));
	assert_int_equal(wbuf_add_bytes(&w, "12345678", 8), 0);
	assert_int_equal(wbuf_add_zero(&w, 0), 0);
	assert_int_equal(wbuf_add_zero(&w, 1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_order),
		cmocka_unit_test(test_short_untouched),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_patch_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
