/* Version ordering (lib/store/version.c) and one-row version matching, on the
 * cases that real feeds contain: OpenSSL letter releases, OpenSSH portable
 * "p" releases, Dropbear YYYY.NN, kernel versions, pre-releases. The expected
 * orders are the projects' own release orders (OpenSSL's and OpenSSH's
 * release notes, kernel.org), not glassbox's output. */
#include "../harness.h"

#include <glassbox/vulndb.h>

#include "store/store.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* a < b, and the comparison is antisymmetric */
static void lt(const char *a, const char *b)
{
	if (sign(gb_version_cmp(a, b)) != -1 || sign(gb_version_cmp(b, a)) != 1)
		fail_msg("expected %s < %s (cmp %d, reverse %d)", a, b, gb_version_cmp(a, b), gb_version_cmp(b, a));
}

static void eq(const char *a, const char *b)
{
	if (gb_version_cmp(a, b) != 0 || gb_version_cmp(b, a) != 0)
		fail_msg("expected %s == %s (cmp %d)", a, b, gb_version_cmp(a, b));
}

static void test_openssl_letters(void **state)
{
	lt("1.0.2", "1.0.2a");
	lt("1.0.2a", "1.0.2k");
	lt("1.0.2k", "1.0.2zf");
	lt("1.0.2y", "1.0.2z");
	lt("1.0.2z", "1.0.2za"); /* base 26: one letter before two */
	lt("1.0.2za", "1.0.2zb");
	lt("1.0.2zb", "1.0.2zf");
	lt("1.0.2zh", "1.0.2zp");
	lt("1.0.2zz", "1.0.3");
	lt("1.1.1t", "1.1.1w");
	lt("1.1.1w", "1.1.1x");
	lt("1.1.1w", "1.1.1zg");
	lt("1.1.1zg", "3.0.0");
	lt("0.9.8zh", "1.0.0");
	eq("1.0.2K", "1.0.2k");
	/* pre-releases come before the release and its letter releases */
	lt("1.1.1-pre1", "1.1.1-pre9");
	lt("1.1.1-pre9", "1.1.1");
	lt("1.1.1pre9", "1.1.1a");
	lt("1.0.2-beta1", "1.0.2-beta3");
	lt("1.0.2-beta3", "1.0.2");
	eq("1.0.2beta1", "1.0.2-beta1");
	lt("3.0.0-alpha17", "3.0.0-beta1");
	lt("3.0.0-beta2", "3.0.0");
}

static void test_dotted_numeric(void **state)
{
	lt("1.9", "1.10");
	lt("1.4.8", "1.4.79");
	lt("3.0.9", "3.0.10");
	lt("2.85", "2.90");
	lt("2.90", "2.91");
	lt("1.35.0", "1.36.1");
	lt("1.2.13", "1.3.1");
	lt("1.2.11", "1.2.13");
	eq("007", "7");
	lt("7.88.1", "8.14.1");
	lt("7.9.8", "7.10");
	eq("v2.9", "2.9");
	eq("2.9.0", "2.9");
}

static void test_dropbear_years(void **state)
{
	lt("2020.81", "2022.83");
	lt("2022.83", "2025.88");
	lt("2025.88", "2025.89");
	lt("0.53.1", "2011.54");
	lt("2019.78", "2020.79");
}

static void test_kernel(void **state)
{
	eq("5.10.0", "5.10");
	eq("5.10", "5.10.0.0");
	lt("5.10", "5.10.1");
	lt("5.10-rc1", "5.10-rc2");
	lt("5.10-rc7", "5.10");
	lt("5.9.16", "5.10-rc1");
	lt("6.1.9", "6.1.176");
	lt("4.19.325", "5.4");
}

static void test_openssh_p(void **state)
{
	lt("8.4p1", "9.0p1");
	lt("9.2p1", "9.3");
	lt("9.3", "9.3p1");
	lt("9.3p1", "9.3p2");
	lt("9.9p2", "10.0p1");
	lt("7.4", "8.4p1");
	eq("9.3P1", "9.3p1");
}

static void test_row_match(void **state)
{
	/* ranges: every bound kind, inside and outside */
	assert_true(gb__row_matches("1.35.0", "*", "*", NULL, false, "1.35.0", true));   /* <= */
	assert_false(gb__row_matches("1.35.1", "*", "*", NULL, false, "1.35.0", true));
	assert_true(gb__row_matches("2.89", "*", "*", NULL, false, "2.90", false));       /* < */
	assert_false(gb__row_matches("2.90", "*", "*", NULL, false, "2.90", false));
	assert_true(gb__row_matches("3.0.0", "*", "*", "3.0.0", true, "3.0.20", false));  /* >= */
	assert_false(gb__row_matches("1.1.1w", "*", "*", "3.0.0", true, "3.0.20", false));
	assert_false(gb__row_matches("3.0.0", "*", "*", "3.0.0", false, NULL, false));    /* > */
	assert_true(gb__row_matches("3.0.1", "*", "*", "3.0.0", false, NULL, false));
	assert_true(gb__row_matches("1.1.1w", "*", "*", "1.1.1", true, "1.1.1zg", false));
	assert_false(gb__row_matches("1.1.1zg", "*", "*", "1.1.1", true, "1.1.1zg", false));
	/* "*" with no range: every version; "-": none */
	assert_true(gb__row_matches("1.2.3", "*", "*", NULL, false, NULL, false));
	assert_false(gb__row_matches("1.2.3", "-", "*", NULL, false, NULL, false));
	/* exact versions and updates */
	assert_true(gb__row_matches("1.35.0", "1.35.0", "*", NULL, false, NULL, false));
	assert_false(gb__row_matches("1.35.1", "1.35.0", "*", NULL, false, NULL, false));
	assert_true(gb__row_matches("1.0.2k", "1.0.2k", "*", NULL, false, NULL, false));
	assert_false(gb__row_matches("1.1.1w", "1.1.1", "-", NULL, false, NULL, false)); /* 1.1.1:- is 1.1.1 only */
	assert_false(gb__row_matches("1.1.1w", "1.1.1", "*", NULL, false, NULL, false)); /* a letter is no update */
	assert_true(gb__row_matches("1.1.1", "1.1.1", "-", NULL, false, NULL, false));
	assert_true(gb__row_matches("1.1.1-pre9", "1.1.1", "pre9", NULL, false, NULL, false));
	assert_true(gb__row_matches("9.3p1", "9.3", "p1", NULL, false, NULL, false));
	assert_false(gb__row_matches("9.3p2", "9.3", "p1", NULL, false, NULL, false));
	assert_false(gb__row_matches("9.3p1", "9.3", "-", NULL, false, NULL, false));
	assert_true(gb__row_matches("9.3p1", "9.3", "*", NULL, false, NULL, false));
	assert_false(gb__row_matches("", "*", "*", NULL, false, NULL, false));
	assert_false(gb__row_matches(NULL, "*", "*", NULL, false, NULL, false));
}

static void test_cpe_parse(void **state)
{
	struct gb_cpe c;
	assert_int_equal(gb__cpe_parse("cpe:2.3:a:erlang:erlang\\/otp:*:*:*:*:*:*:*:*", &c), 0);
	assert_string_equal(c.part, "a");
	assert_string_equal(c.vendor, "erlang");
	assert_string_equal(c.product, "erlang/otp");
	assert_string_equal(c.version, "*");
	assert_int_equal(gb__cpe_parse("cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*", &c), 0);
	assert_string_equal(c.version, "9.3");
	assert_string_equal(c.update, "p1");
	assert_int_equal(gb__cpe_parse("cpe:2.3:o:Linux:Linux_Kernel:5.10", &c), 0);
	assert_string_equal(c.vendor, "linux");
	assert_string_equal(c.product, "linux_kernel");
	assert_string_equal(c.update, "");
	assert_int_equal(gb__cpe_parse("cpe:/a:busybox:busybox:1.35.0", &c), -GB_EINVAL);
	assert_int_equal(gb__cpe_parse("cpe:2.3:a:busybox", &c), -GB_EINVAL);
	assert_int_equal(gb__cpe_parse("cpe:2.3:a:x:y\\", &c), -GB_EINVAL);
	assert_int_equal(gb__cpe_parse("", &c), -GB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_letters), cmocka_unit_test(test_dotted_numeric),
		cmocka_unit_test(test_dropbear_years),  cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_openssh_p),       cmocka_unit_test(test_row_match),
		cmocka_unit_test(test_cpe_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
