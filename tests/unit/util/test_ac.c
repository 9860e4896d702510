/* Aho-Corasick against a brute-force memmem oracle on random data. */
#include "../harness.h"

#include <stdlib.h>
#include <string.h>

#include "util/ac.h"

struct hits {
	size_t n;
	size_t count[8];
};

static int on_hit(void *ctx, uint32_t id, size_t start)
{
	struct hits *h = ctx;
	h->count[id]++;
	h->n++;
	return 0;
}

static size_t brute(const uint8_t *d, size_t n, const char *p, size_t len)
{
	size_t c = 0;
	for (size_t i = 0; i + len <= n; i++)
		c += memcmp(d + i, p, len) == 0;
	return c;
}

static void test_matches_equal_bruteforce(void **state)
{
	const char *pats[] = {"ab", "abc", "bca", "c", "hsqs", "\x1f\x8b\x08", "aab", "b"};
	size_t lens[] = {2, 3, 3, 1, 4, 3, 3, 1};
	struct gb_ac *ac;
	assert_int_equal(gb_ac_new(&ac), 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(gb_ac_add(ac, (const uint8_t *)pats[i], lens[i], i), 0);
	assert_int_equal(gb_ac_build(ac), 0);

	size_t n = 1 << 16;
	uint8_t *d = malloc(n);
	srand(42);
	const char alphabet[] = "abchsq\x1f\x8b\x08";
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)alphabet[rand() % 9];
	struct hits h = {0};
	assert_int_equal(gb_ac_scan(ac, d, n, on_hit, &h), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(h.count[i], brute(d, n, pats[i], lens[i]));
	free(d);
	gb_ac_free(ac);
}

/* Without 1-byte patterns the root skips by byte pairs: every match is still
 * found, also at the first and the last possible position. */
static void test_pair_skip_equals_bruteforce(void **state)
{
	const char *pats[] = {"ab", "abc", "\x01\x00\x00", "\x85\x19", "hsqs", "\x1f\x8b\x08", "aab", "qz"};
	size_t lens[] = {2, 3, 3, 2, 4, 3, 3, 2};
	struct gb_ac *ac;
	assert_int_equal(gb_ac_new(&ac), 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(gb_ac_add(ac, (const uint8_t *)pats[i], lens[i], i), 0);
	assert_int_equal(gb_ac_build(ac), 0);

	for (int round = 0; round < 2; round++) {
		size_t n = 1 << 16;
		uint8_t *d = malloc(n);
		srand(7 + round);
		const char alphabet[] = "abhsqz\x01\x00\x85\x19\x1f\x8b\x08";
		for (size_t i = 0; i < n; i++)
			d[i] = round ? (uint8_t)rand() : (uint8_t)alphabet[rand() % 13];
		memcpy(d, "hsqs", 4);
		memcpy(d + n - 2, "qz", 2);
		struct hits h = {0};
		assert_int_equal(gb_ac_scan(ac, d, n, on_hit, &h), 0);
		for (int i = 0; i < 8; i++)
			assert_int_equal(h.count[i], brute(d, n, pats[i], lens[i]));
		assert_true(h.count[4] >= 1 && h.count[7] >= 1);
		free(d);
	}
	/* a 1-byte input and an empty one */
	struct hits h = {0};
	assert_int_equal(gb_ac_scan(ac, (const uint8_t *)"a", 1, on_hit, &h), 0);
	assert_int_equal(gb_ac_scan(ac, (const uint8_t *)"", 0, on_hit, &h), 0);
	assert_int_equal(h.n, 0);
	gb_ac_free(ac);
}

static int stop_first(void *ctx, uint32_t id, size_t start)
{
	*(size_t *)ctx = start;
	return 7;
}

static void test_reports_start_offset_and_stops(void **state)
{
	struct gb_ac *ac;
	assert_int_equal(gb_ac_new(&ac), 0);
	assert_int_equal(gb_ac_add(ac, (const uint8_t *)"ustar", 5, 0), 0);
	assert_int_equal(gb_ac_build(ac), 0);
	size_t at = 0;
	const char *d = "xxxxxustarxxustar";
	assert_int_equal(gb_ac_scan(ac, (const uint8_t *)d, strlen(d), stop_first, &at), 7);
	assert_int_equal(at, 5);
	gb_ac_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_equal_bruteforce),
		cmocka_unit_test(test_pair_skip_equals_bruteforce),
		cmocka_unit_test(test_reports_start_offset_and_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
