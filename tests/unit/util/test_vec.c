/* gb_grow and gb_u64set against plain arrays as the oracle. */
#include "../harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

static void test_grow(void **state)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	assert_int_equal(gb_grow((void **)&v, &cap, 1, sizeof(*v)), 0);
	assert_int_equal(cap, 64);
	for (uint32_t i = 0; i < 10000; i++) {
		assert_int_equal(gb_grow((void **)&v, &cap, i + 1, sizeof(*v)), 0);
		assert_true(cap >= i + 1);
		v[i] = i;
	}
	for (uint32_t i = 0; i < 10000; i++)
		assert_int_equal(v[i], i);
	/* a size that overflows is refused and leaves the array alone */
	size_t before = cap;
	assert_int_equal(gb_grow((void **)&v, &cap, SIZE_MAX / 2, sizeof(*v)), -GB_ENOMEM);
	assert_int_equal(cap, before);
	assert_int_equal(v[9999], 9999);
	free(v);
}

static void test_u64set(void **state)
{
	struct gb_u64set s = {0};
	static uint8_t oracle[1 << 16];

	srand(5);
	for (int i = 0; i < 200000; i++) {
		uint64_t k = (uint64_t)(rand() & 0xffff);
		int want = oracle[k] ? 1 : 0;
		assert_int_equal(gb_u64set_add(&s, k), want);
		oracle[k] = 1;
	}
	/* 0, UINT64_MAX and UINT64_MAX - 1 are ordinary keys */
	assert_int_equal(gb_u64set_add(&s, UINT64_MAX), 0);
	assert_int_equal(gb_u64set_add(&s, UINT64_MAX), 1);
	assert_int_equal(gb_u64set_add(&s, UINT64_MAX - 1), 0);
	assert_int_equal(gb_u64set_add(&s, UINT64_MAX - 1), 1);
	assert_int_equal(gb_u64set_add(&s, 0), oracle[0] ? 1 : 0);
	assert_int_equal(gb_u64set_add(&s, 0), 1);
	gb_u64set_free(&s);
	assert_int_equal(gb_u64set_add(&s, 7), 0);
	gb_u64set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_u64set),
	};
	return cmocka_run_group_tests_name("vec", tests, NULL, NULL);
}
