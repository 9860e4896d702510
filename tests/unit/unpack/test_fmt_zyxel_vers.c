/* zyxel_vers: the VERS block of OpenWrt's realtek initramfs images for ZyXEL
 * switches, written at test time the way its Build/zyxel-vers step writes it
 * (printf + date after a gzip kernel), wrapped in a uImage by Debian's
 * mkimage (u-boot-tools); hostile blocks: malformed lines, bad dates,
 * truncation, too long codes. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_zyxel_vers;

static int probe_str(const char *s, struct gb_probe *pr)
{
	struct gb_span in = gb_span_make(s, strlen(s));

	return gb__fmt_zyxel_vers.probe(&in, pr);
}

static void test_in_uimage(void **state)
{
	if (!gbt_have_tool("mkimage")) {
		print_message("mkimage missing (u-boot-tools)\n");
		skip();
	}
	gbt_make_kernel_rootfs(100);
	/* as Build/zyxel-vers: ( echo VERS; for hw in ...; do echo -n "V9.99($hw.0) | "; date ...; done ) */
	gbt_sh("cp k.gz kv && ( echo VERS; for hw in AAZI AAHI; do printf 'V9.99(%%s.0) | ' $hw;"
	       " date -u -d @1700000000 +%%m/%%d/%%Y; done ) >> kv"
	       " && mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000400"
	       " -n 'OpenWrt kernel' -d kv uImage >/dev/null");
	struct gb_scan *s = gbt_scan("uImage", "out");
	const struct gb_node *c = gbt_node(s, "zyxel_vers");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "hw_codes"), "AAZI,AAHI");
	assert_string_equal(gbt_node_attr(c, "version"), "V9.99(AAZI.0)");
	assert_string_equal(gbt_node_attr(c, "date"), "11/14/2023");
	assert_int_equal(c->size, 5 + 2 * 27);
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	size_t kn;
	free(gbt_read_file("k.gz", &kn));
	assert_int_equal(c->parent, u->id);
	assert_int_equal(c->offset, 64 + kn); /* right after the gzip kernel */
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	struct gb_probe pr;
	static const char *const bad[] = {
		"VERS\n",
		"VERS\nV9.99(AAZI.0) | 01/31/2024",          /* no newline */
		"VERS\nV9.99(AAZI.0) | 13/01/2024\n",        /* month */
		"VERS\nV9.99(AAZI.0) | 01/00/2024\n",        /* day */
		"VERS\nV9.99(AAZI.0) |  01/31/2024\n",
		"VERS\nV9.99(AAZI0) | 01/31/2024\n",
		"VERS\nV9.99(.0) | 01/31/2024\n",            /* empty code */
		"VERS\nV9.99(AAZIAAZIA.0) | 01/31/2024\n",   /* code too long */
		"VERS\nV99999.9(AAZI.0) | 01/31/2024\n",     /* too many digits */
		"VERS\nV9.99(AA-I.0) | 01/31/2024\n",
		"VERS\nV9.(AAZI.0) | 01/31/2024\n",
		"VERSV9.99(AAZI.0) | 01/31/2024\n",
		"VERS\nV9.99(AAZI.0) | 1/31/2024\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (probe_str(bad[i], &pr) != -GB_ENOTFOUND)
			fail_msg("accepted: %s", bad[i]);
	}
	/* stops at the first line that is not one, and after 16 lines */
	assert_int_equal(probe_str("VERS\nV9.99(AAZI.0) | 01/31/2024\ngarbage\n", &pr), 0);
	assert_int_equal(pr.size, 5 + 27);
	char many[5 + 20 * 27 + 1] = "VERS\n";
	for (int i = 0; i < 20; i++)
		strcat(many, "V1.00(ABCD.1) | 12/31/1999\n");
	assert_int_equal(probe_str(many, &pr), 0);
	assert_int_equal(pr.size, 5 + 16 * 27);
	/* truncated in the middle of the second line: only the first counts */
	assert_int_equal(probe_str("VERS\nV9.99(AAZI.0) | 01/31/2024\nV9.99(AAHI.0) | 01/3", &pr), 0);
	assert_int_equal(pr.size, 5 + 27);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_uimage, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
