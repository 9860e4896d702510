/* ubootenv: environment blocks made at test time with u-boot-tools'
 * mkenvimage (single, redundant, big-endian, several sizes), embedded in
 * random "flash" bytes; the oracle is the text file given to mkenvimage
 * (env.txt must hash the same, every variable must be in the node's attrs and
 * in report.json's "env" section). Plus hand-made hostile blocks: damaged CRC
 * (heuristic), truncated, no terminator, binary values, too many variables. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <glassbox/report.h>
#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_ubootenv;

static const char env_text[] =
	"bootargs=console=ttyS0,115200 root=/dev/mtdblock2 rootfstype=squashfs\n"
	"bootcmd=bootm 0x9f020000\n"
	"bootdelay=1\n"
	"baudrate=115200\n"
	"ipaddr=192.168.1.1\n"
	"serverip=192.168.1.10\n";

static void need_mkenvimage(void)
{
	if (!gbt_have_tool("mkenvimage"))
		skip();
	gbt_write_file("env.txt", env_text, sizeof(env_text) - 1);
}

static const char *attr(const struct gb_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

static void assert_vars(const struct gb_node *n)
{
	assert_string_equal(attr(n, "var.bootcmd"), "bootm 0x9f020000");
	assert_string_equal(attr(n, "var.bootargs"),
			    "console=ttyS0,115200 root=/dev/mtdblock2 rootfstype=squashfs");
	assert_string_equal(attr(n, "var.bootdelay"), "1");
	assert_string_equal(attr(n, "var.serverip"), "192.168.1.10");
	assert_string_equal(attr(n, "console"), "ttyS0,115200");
}

static void test_probe_sizes(void **state)
{
	static const unsigned sizes[] = {0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000};
	need_mkenvimage();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int red = 0; red < 2; red++) {
			size_t n;
			struct gb_probe pr;

			gbt_sh("mkenvimage %s -s 0x%x -o e.bin env.txt", red ? "-r" : "", sizes[i]);
			uint8_t *img = gbt_read_file("e.bin", &n);
			assert_int_equal(n, sizes[i]);
			struct gb_span in = gb_span_make(img, n);
			assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), 0);
			assert_int_equal(pr.size, sizes[i]);
			assert_int_equal(pr.confidence, GB_CONF_HIGH);
			assert_string_equal(pr.variant, red ? "redundant" : "single");
			/* truncated: the CRC cannot match, the heuristic still sees the pairs */
			in = gb_span_make(img, n - 1);
			assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
			free(img);
		}
	}
	gbt_sh("mkenvimage -b -s 0x4000 -o e.bin env.txt");
	size_t n;
	struct gb_probe pr;
	uint8_t *img = gbt_read_file("e.bin", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), 0);
	assert_string_equal(pr.variant, "single-be");
	free(img);
}

static void test_flash_dump(void **state)
{
	need_mkenvimage();
	gbt_sh("mkenvimage -s 0x10000 -o e1.bin env.txt && mkenvimage -r -s 0x2000 -o e2.bin env.txt"
	       " && head -c 5000 /dev/urandom > dump && cat e1.bin >> dump"
	       " && head -c 777 /dev/urandom >> dump && cat e2.bin >> dump"
	       " && head -c 300 /dev/zero >> dump");
	struct gb_scan *s = gbt_scan("dump", "out");
	assert_int_equal(gbt_count_nodes(s, "ubootenv"), 2);
	const struct gb_node *a = NULL, *b = NULL;
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].format, "ubootenv") == 0)
			*(a ? &b : &a) = &s->nodes[i];
	assert_int_equal(a->offset, 5000);
	assert_int_equal(a->size, 0x10000);
	assert_int_equal(a->status, GB_STATUS_OK);
	assert_string_equal(attr(a, "crc_ok"), "true");
	assert_string_equal(attr(a, "redundant"), "false");
	assert_vars(a);
	assert_int_equal(b->offset, 5000 + 0x10000 + 777);
	assert_int_equal(b->size, 0x2000);
	assert_string_equal(attr(b, "redundant"), "true");
	assert_string_equal(attr(b, "flags"), "1");
	assert_vars(b);
	/* oracle: the text handed to mkenvimage */
	gbt_assert_file_matches(s, "ubootenv", "/env.txt", "env.txt");

	/* report.json: attrs and the top-level env section */
	FILE *f = fopen("report.json", "w+");
	assert_non_null(f);
	assert_int_equal(gb_report_json_write(s, NULL, f), 0);
	rewind(f);
	json_error_t err;
	json_t *root = json_loadf(f, 0, &err);
	fclose(f);
	assert_non_null(root);
	json_t *env = json_object_get(root, "env");
	assert_true(json_is_array(env));
	assert_int_equal(json_array_size(env), 2);
	json_t *e0 = json_array_get(env, 0), *e1 = json_array_get(env, 1);
	assert_int_equal(json_integer_value(json_object_get(e0, "offset")), 5000);
	assert_int_equal(json_integer_value(json_object_get(e0, "size")), 0x10000);
	assert_true(json_is_true(json_object_get(e0, "crc_ok")));
	assert_true(json_is_false(json_object_get(e0, "redundant")));
	assert_true(json_is_true(json_object_get(e1, "redundant")));
	assert_string_equal(json_string_value(json_object_get(e0, "bootcmd")), "bootm 0x9f020000");
	assert_string_equal(json_string_value(json_object_get(e0, "console")), "ttyS0,115200");
	json_t *vars = json_object_get(e0, "vars");
	assert_int_equal(json_object_size(vars), 6);
	assert_string_equal(json_string_value(json_object_get(vars, "ipaddr")), "192.168.1.1");
	json_t *node = json_array_get(json_object_get(root, "nodes"),
				      (size_t)json_integer_value(json_object_get(e0, "node")));
	assert_string_equal(json_string_value(json_object_get(node, "format")), "ubootenv");
	assert_string_equal(json_string_value(json_object_get(json_object_get(node, "attrs"), "var.bootdelay")), "1");
	json_decref(root);
	gb_scan_free(s);
}

static void test_bad_crc_heuristic(void **state)
{
	size_t n;

	need_mkenvimage();
	gbt_sh("mkenvimage -s 0x1000 -o e.bin env.txt");
	uint8_t *img = gbt_read_file("e.bin", &n);
	img[0] ^= 0x55; /* damage the CRC */
	gbt_write_file("bad.bin", img, n);
	struct gb_scan *s = gbt_scan("bad.bin", "out");
	const struct gb_node *e = gbt_node(s, "ubootenv");
	assert_non_null(e);
	assert_string_equal(e->variant, "nocrc");
	assert_int_equal(e->offset, 4);
	assert_int_equal(e->size, sizeof(env_text)); /* pairs + NULs + final NUL */
	assert_int_equal(e->status, GB_STATUS_OK);
	assert_string_equal(attr(e, "detection"), "heuristic");
	assert_string_equal(attr(e, "crc_ok"), "false");
	assert_vars(e);
	gb_scan_free(s);

	/* a damaged block without boot variables is nothing */
	static const uint8_t weak[] = "XXXXipaddr=1\0serverip=2\0loadaddr=3\0\0";
	struct gb_span in = gb_span_make(weak, sizeof(weak));
	struct gb_probe pr;
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(weak + 4, sizeof(weak) - 4);
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_hostile(void **state)
{
	struct gb_probe pr;
	struct gb_span in;
	/* no double NUL: runs to the end */
	static const uint8_t open_end[] = "bootcmd=a\0bootargs=b\0baudrate=c\0ipaddr=d";
	in = gb_span_make(open_end, sizeof(open_end) - 1);
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	/* control bytes in a value, '=' missing, empty name */
	static const uint8_t ctl[] = "bootcmd=a\x01\0bootargs=b\0baudrate=c\0\0";
	in = gb_span_make(ctl, sizeof(ctl));
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	static const uint8_t noeq[] = "bootcmd=a\0bootargs\0baudrate=c\0\0";
	in = gb_span_make(noeq, sizeof(noeq));
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	static const uint8_t noname[] = "bootcmd=a\0=b\0baudrate=c\0\0";
	in = gb_span_make(noname, sizeof(noname));
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	/* empty and tiny spans */
	in = gb_span_make(open_end, 0);
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(open_end, 3);
	assert_int_equal(gb__fmt_ubootenv.probe(&in, &pr), -GB_ENOTFOUND);
}

/* More variables than a node keeps attributes: the rest are dropped with a
 * warning, env.txt still has them all, the layout facts are kept. */
static void test_too_many_vars(void **state)
{
	need_mkenvimage();
	FILE *f = fopen("many.txt", "w");
	assert_non_null(f);
	fprintf(f, "bootcmd=run x\n");
	for (int i = 0; i < GB_MAX_NODE_ATTRS + 100; i++)
		fprintf(f, "v%05d=%d\n", i, i);
	fclose(f);
	gbt_sh("mkenvimage -s 0x40000 -o e.bin many.txt");
	struct gb_scan *s = gbt_scan("e.bin", "out");
	const struct gb_node *e = gbt_node(s, "ubootenv");
	assert_non_null(e);
	assert_int_equal(e->n_attrs, GB_MAX_NODE_ATTRS);
	assert_string_equal(attr(e, "crc_ok"), "true");
	assert_int_equal(e->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(e->error, "attributes"));
	gbt_assert_file_matches(s, "ubootenv", "/env.txt", "many.txt");
	gb_scan_free(s);
}

/* Non-UTF-8 bytes in a value are escaped in attrs, kept verbatim in env.txt. */
static void test_binary_value(void **state)
{
	need_mkenvimage();
	gbt_sh("printf 'bootcmd=run \\377\\376x\\nbootargs=console=ttyAMA0 console=ttyS1,9600n8\\n' > b.txt"
	       " && mkenvimage -s 0x1000 -o e.bin b.txt");
	struct gb_scan *s = gbt_scan("e.bin", "out");
	const struct gb_node *e = gbt_node(s, "ubootenv");
	assert_non_null(e);
	assert_string_equal(attr(e, "var.bootcmd"), "run \\xff\\xfex");
	assert_string_equal(attr(e, "console"), "ttyS1,9600n8");
	gbt_assert_file_matches(s, "ubootenv", "/env.txt", "b.txt");
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_sizes, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_flash_dump, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_crc_heuristic, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_too_many_vars, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_binary_value, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
