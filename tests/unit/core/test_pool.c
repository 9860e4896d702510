#include "../harness.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

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

/* The name of the calling thread, from the kernel (what top -H and perf show). */
static void own_comm(void *arg)
{
	char *out = arg;
	FILE *f = fopen("/proc/thread-self/comm", "r");
	if (f) {
		if (!fgets(out, 16, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

/* Workers carry the pool's name, cut to the kernel's 15 bytes. */
static void test_thread_names(void **state)
{
	char comm[16] = "";
	assert_int_equal(gb_pool_new(1, "gb-test-with-a-long-name", &pool), 0);
	assert_int_equal(gb_pool_submit(pool, own_comm, comm), 0);
	gb_pool_wait(pool);
	gb_pool_free(pool);
	assert_string_equal(comm, "gb-test-with-a-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_covers_spawned_tasks),
		cmocka_unit_test(test_parallel_inside_tasks),
		cmocka_unit_test(test_thread_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
