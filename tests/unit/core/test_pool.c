#include "../harness.h"

#include <stdatomic.h>

#include "core/pool.h"

static _Atomic int counter;
static struct gb_pool *pool;

static void bump(void *arg)
{
	atomic_fetch_add(&counter, 1);
}

static void spawner(void *arg)
{
	/* tasks may queue tasks */
	for (int i = 0; i < 10; i++)
		gb_pool_submit(pool, bump, NULL);
}

static int square(void *ctx, size_t i)
{
	int *out = ctx;
	out[i] = (int)(i * i);
	return i == 77 ? -GB_ECORRUPT : 0;
}

static void nested(void *arg)
{
	/* a task fans out on the pool it runs on: must not deadlock */
	int out[100];
	int r = gb_pool_parallel(pool, 100, square, out);
	if (r == -GB_ECORRUPT && out[99] == 99 * 99)
		atomic_fetch_add(&counter, 1000);
}

static void test_wait_covers_spawned_tasks(void **state)
{
	atomic_store(&counter, 0);
	assert_int_equal(gb_pool_new(2, "gb-test", &pool), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(gb_pool_submit(pool, spawner, NULL), 0);
	gb_pool_wait(pool);
	assert_int_equal(atomic_load(&counter), 50);
	gb_pool_free(pool);
}

static void test_parallel_inside_tasks(void **state)
{
	atomic_store(&counter, 0);
	assert_int_equal(gb_pool_new(2, "gb-test", &pool), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(gb_pool_submit(pool, nested, NULL), 0);
	gb_pool_wait(pool);
	assert_int_equal(atomic_load(&counter), 4000);
	gb_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_covers_spawned_tasks),
		cmocka_unit_test(test_parallel_inside_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
