/* gb_grow, gb_u64set, gb_strpool_add and gb_lower_bound against plain arrays
 * and linear scans as the oracle. */
#include "../harness.h"

#include <stdint.h>
#include <stdio.h>
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

static void test_strpool(void **state)
{
	char *pool = NULL, name[16];
	size_t n = 0, cap = 0, off[300];

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "dir/%d", i);
		assert_int_equal(gb_strpool_add(&pool, &n, &cap, name, strlen(name), &off[i]), 0);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "dir/%d", i);
		assert_string_equal(pool + off[i], name);
	}
	/* a length is taken as given: the copy stops there and is terminated */
	assert_int_equal(gb_strpool_add(&pool, &n, &cap, "abcdef", 3, &off[0]), 0);
	assert_string_equal(pool + off[0], "abc");
	assert_int_equal(n, off[0] + 4);
	assert_int_equal(gb_strpool_add(&pool, &n, &cap, "x", SIZE_MAX - n, &off[1]), -GB_ENOMEM);
	assert_int_equal(n, off[0] + 4);
	free(pool);
}

struct kv32 {
	uint8_t pad;
	uint32_t key;
};

struct kv64 {
	uint64_t other, key;
};

static void test_lower_bound(void **state)
{
	struct kv32 a[64];
	struct kv64 b[64];

	for (size_t i = 0; i < 64; i++) {
		a[i].key = (uint32_t)(i / 3 * 2) + 0x80000000U; /* runs of equal keys */
		b[i].key = (uint64_t)(i / 2 * 5) << 33;
	}
	for (uint64_t k = 0; k < 50; k++) {
		uint32_t ka = (uint32_t)k + 0x80000000U;
		uint64_t kb = (k * 2) << 32;
		size_t ea = 0, eb = 0;

		while (ea < 64 && a[ea].key < ka)
			ea++;
		while (eb < 64 && b[eb].key < kb)
			eb++;
		assert_int_equal(GB_LOWER_BOUND(a, 64, key, ka), ea);
		assert_int_equal(GB_LOWER_BOUND(b, 64, key, kb), eb);
	}
	assert_int_equal(GB_LOWER_BOUND(a, 0, key, 5), 0);
	assert_int_equal(GB_LOWER_BOUND(b, 64, key, UINT64_MAX), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_u64set),
		cmocka_unit_test(test_strpool),
		cmocka_unit_test(test_lower_bound),
	};
	return cmocka_run_group_tests_name("vec", tests, NULL, NULL);
}
