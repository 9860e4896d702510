#include "../harness.h"

#include <string.h>

#include "util/pathutil.h"

static void check(const char *in, const char *want, bool want_escaped)
{
	char out[256];
	bool esc;
	gb_path_normalize(in, out, &esc);
	assert_string_equal(out, want);
	assert_int_equal(esc, want_escaped);
}

static void test_normalize(void **state)
{
	check("/etc/passwd", "etc/passwd", false);
	check("./etc//passwd", "etc/passwd", false);
	check("etc/./init.d/../passwd", "etc/passwd", false);
	check("/", "", false);
	check(".", "", false);
	check("../../tmp/x", "tmp/x", true);
	check("ok/../../x", "x", true);
	check("a/b/../../..", "", true);
	check("..\\..\\x", "..\\..\\x", false); /* a backslash is an ordinary byte */
}

static void test_utf8_escape(void **state)
{
	char out[64];
	assert_false(gb_path_utf8_escape("caf\xc3\xa9", out));
	assert_string_equal(out, "caf\xc3\xa9");
	assert_true(gb_path_utf8_escape("a\xff" "b", out));
	assert_string_equal(out, "a\\xffb");
	assert_true(gb_path_utf8_escape("\xc0\xaf", out)); /* overlong '/' */
	assert_string_equal(out, "\\xc0\\xaf");
	assert_true(gb_path_utf8_escape("\xed\xa0\x80", out)); /* surrogate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_utf8_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
