/* gb_write_atomic: the file appears whole or not at all, and the temporaries
 * of killed earlier writers are cleaned up by the next successful write. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic.h"

static int write_hello(void *ctx, FILE *f)
{
	return fputs((const char *)ctx, f) < 0 ? -GB_EIO : 0;
}

static int write_fail(void *ctx, FILE *f)
{
	fputs("half", f);
	return -GB_EIO;
}

static void test_atomic(void **state)
{
	/* what a killed writer leaves, and names that are not ours */
	gbt_sh("printf x > report.json.tmp.AbC123 && printf y > report.json.tmp.zzzzzz"
	       " && printf keep > report.json.tmp.toolongname && printf keep > other.json.tmp.AbC123");
	assert_int_equal(gb_write_atomic("report.json", write_hello, "hello\n"), 0);
	size_t n;
	char *s = gbt_read_file("report.json", &n);
	assert_int_equal(n, 6);
	assert_memory_equal(s, "hello\n", 6);
	free(s);
	assert_int_equal(access("report.json.tmp.AbC123", F_OK), -1);
	assert_int_equal(access("report.json.tmp.zzzzzz", F_OK), -1);
	assert_int_equal(access("report.json.tmp.toolongname", F_OK), 0);
	assert_int_equal(access("other.json.tmp.AbC123", F_OK), 0);

	/* a failing writer leaves the old file and no temporary */
	assert_int_equal(gb_write_atomic("report.json", write_fail, NULL), -GB_EIO);
	s = gbt_read_file("report.json", &n);
	assert_memory_equal(s, "hello\n", 6);
	free(s);
	assert_int_equal(gbt_sh_status("ls report.json.tmp.?????? 2>/dev/null | grep -q ."), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_atomic, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests_name("atomic", tests, NULL, NULL);
}
