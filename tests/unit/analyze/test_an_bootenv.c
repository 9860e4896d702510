/* bootenv: U-Boot environments made at test time with u-boot-tools'
 * mkenvimage, put in a directory tree, packed with tar, scanned (the
 * ubootenv format finds the block in the file) and audited with only this
 * analyzer. The oracle is the fixture text: which variable enables what, on
 * which line. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static size_t count_rule(const struct gb_audit *a, const char *rule)
{
	size_t i, n = 0;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		n += strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0;
	return n;
}

static const json_t *finding(const struct gb_audit *a, const char *rule)
{
	size_t i;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0)
			return f;
	return NULL;
}

static struct gb_audit *audit_env(const char *text, struct gb_scan **s)
{
	if (!gbt_have_tool("mkenvimage"))
		skip();
	gbt_sh("rm -rf root && mkdir -p root/boot");
	gbt_write_file("env.txt", text, strlen(text));
	gbt_sh("mkenvimage -s 0x2000 -o root/boot/uboot-env.bin env.txt");
	return gbt_audit_dir("root", "bootenv", s);
}

static void test_init_shell(void **state)
{
	struct gb_scan *s;
	struct gb_audit *a = audit_env("baudrate=115200\n"
				       "bootargs=console=ttyS0,115200 root=/dev/mtdblock2 init=/bin/sh\n"
				       "bootcmd=bootm 0x9f020000\n", &s);
	assert_int_equal(count_rule(a, "bootenv.init-shell"), 1);
	const json_t *f = finding(a, "bootenv.init-shell");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "high");
	assert_string_equal(json_string_value(json_object_get(f, "path")), "/env.txt");
	assert_int_equal(json_integer_value(json_object_get(f, "line")), 2);
	assert_int_equal(count_rule(a, "bootenv.netconsole"), 0);
	assert_int_equal(count_rule(a, "bootenv.net-preboot"), 0);
	gb_audit_free(a);
	gb_scan_free(s);

	/* a real init, or "sh" only as part of another word: nothing */
	a = audit_env("bootargs=console=ttyS0 init=/sbin/init rdinit=/bin/shell\nbootcmd=run x\n", &s);
	if (json_array_size(gb_audit_section(a, "findings")) != 0)
		gbt_dump_findings(a);
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 0);
	gb_audit_free(a);
	gb_scan_free(s);

	/* rdinit to busybox, the last init= wins */
	a = audit_env("bootargs=init=/bin/sh init=/sbin/procd rdinit=/bin/busybox\nbootcmd=x\n", &s);
	assert_int_equal(count_rule(a, "bootenv.init-shell"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(finding(a, "bootenv.init-shell"),
								   "message")), "rdinit=/bin/busybox"));
	gb_audit_free(a);
	gb_scan_free(s);
}

static void test_netconsole_and_preboot(void **state)
{
	struct gb_scan *s;
	struct gb_audit *a = audit_env("bootcmd=bootm\n"
				       "ncip=192.168.1.2\n"
				       "preboot=dhcp; tftpboot 0x80000000 rescue.img\n"
				       "stdin=serial, nc\n"
				       "stdout=serial,nc\n", &s);
	assert_int_equal(count_rule(a, "bootenv.netconsole"), 1);
	const json_t *f = finding(a, "bootenv.netconsole");
	assert_int_equal(json_integer_value(json_object_get(f, "line")), 4);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "medium");
	assert_int_equal(count_rule(a, "bootenv.net-preboot"), 1);
	assert_int_equal(json_integer_value(json_object_get(finding(a, "bootenv.net-preboot"), "line")), 3);
	gb_audit_free(a);
	gb_scan_free(s);

	/* Linux netconsole in the bootargs; a serial-only console and a local preboot */
	a = audit_env("bootargs=console=ttyS0 netconsole=6665@10.0.0.2/eth0,6666@10.0.0.1/\n"
		      "bootcmd=bootm\nstdin=serial\nstdout=serial,ncx\npreboot=usb start\n", &s);
	assert_int_equal(count_rule(a, "bootenv.netconsole"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(finding(a, "bootenv.netconsole"),
								   "message")), "netconsole=6665@10.0.0.2"));
	assert_int_equal(count_rule(a, "bootenv.net-preboot"), 0);
	gb_audit_free(a);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_shell, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_netconsole_and_preboot, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
