/* dtb: plain device tree blobs compiled by Debian's dtc, alone, carved from
 * a blob, and broken in the ways a hostile image would break them. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_dtb;
extern const struct gb_format gb__fmt_fit;

static const char dts[] =
	"/dts-v1/;\n"
	"/memreserve/ 0x10000000 0x4000;\n"
	"/ {\n"
	"  model = \"glassbox board\"; compatible = \"gb,board\", \"gb,soc\";\n"
	"  #address-cells = <1>; #size-cells = <1>;\n"
	"  cpus { cpu@0 { device_type = \"cpu\"; reg = <0>; }; };\n"
	"  memory@0 { device_type = \"memory\"; reg = <0 0x8000000>; };\n"
	"  soc { serial@1000 { compatible = \"ns16550a\"; reg = <0x1000 0x100>; }; };\n"
	"};\n";

static void make_dtb(void)
{
	if (!gbt_have_tool("dtc")) {
		print_message("dtc missing (device-tree-compiler)\n");
		skip();
	}
	gbt_write_file("b.dts", dts, sizeof(dts) - 1);
	gbt_sh("dtc -q -I dts -O dtb -o b.dtb b.dts");
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_probe_hand_built(void **state)
{
	/* header, empty reservation map, root node with one property, strings */
	uint8_t b[40 + 16 + 32 + 8];
	struct gb_probe pr;

	memset(b, 0, sizeof(b));
	put_be32(b, 0xd00dfeed);
	put_be32(b + 4, sizeof(b));
	put_be32(b + 8, 56);       /* off_dt_struct */
	put_be32(b + 12, 88);      /* off_dt_strings */
	put_be32(b + 16, 40);      /* off_mem_rsvmap */
	put_be32(b + 20, 17);
	put_be32(b + 24, 16);
	put_be32(b + 32, 8);       /* size_dt_strings */
	put_be32(b + 36, 32);      /* size_dt_struct */
	put_be32(b + 56, 1);       /* BEGIN_NODE "" */
	put_be32(b + 64, 3);       /* PROP len 4 nameoff 0 */
	put_be32(b + 68, 4);
	put_be32(b + 72, 0);
	put_be32(b + 76, 42);
	put_be32(b + 80, 2);       /* END_NODE */
	put_be32(b + 84, 9);       /* END */
	memcpy(b + 88, "answer", 7);
	struct gb_span in = gb_span_make(b, sizeof(b));
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), 0);
	assert_int_equal(pr.size, sizeof(b));
	assert_true(pr.identify_only);
	assert_string_equal(pr.variant, "v17");
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), -GB_ENOTFOUND);

	/* one field at a time made hostile */
	static const struct {
		unsigned off;
		uint32_t val;
	} bad[] = {
		{4, 0xffffffff}, {4, 20}, {8, 0xfffffffc}, {8, 57}, {12, 0xfffffff0},
		{16, 44}, {16, 92}, {20, 15}, {24, 18}, {32, 0x7fffffff}, {36, 0xfffffff0},
		{36, 4}, {56, 7}, {64, 5}, {68, 0x1000}, {72, 8}, {80, 9}, {84, 1},
		{92, 0x61616161},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t c[sizeof(b)];
		memcpy(c, b, sizeof(b));
		put_be32(c + bad[i].off, bad[i].val);
		in = gb_span_make(c, sizeof(c));
		if (gb__fmt_dtb.probe(&in, &pr) != -GB_ENOTFOUND)
			fail_msg("field at %u = 0x%x was accepted", bad[i].off, bad[i].val);
	}
	/* too short for totalsize */
	in = gb_span_make(b, sizeof(b) - 1);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
}

static void test_dtc_blob(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_dtb();
	uint8_t *img = gbt_read_file("b.dtb", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	free(img);

	struct gb_scan *s = gbt_scan("b.dtb", "out");
	const struct gb_node *d = gbt_node(s, "dtb");
	assert_non_null(d);
	assert_true(d->identify_only);
	assert_int_equal(d->status, GB_STATUS_OK);
	assert_int_equal(d->size, n);
	assert_null(gbt_node(s, "fit"));
	gb_scan_free(s);

	/* a tree with a top-level /images node is a FIT, not a plain dtb; one
	 * deeper down does not count */
	gbt_sh("printf '/dts-v1/;\\n/ { images { k { data = <1>; }; }; };\\n' > fit.dts"
	       " && dtc -q -I dts -O dtb -o fit.dtb fit.dts"
	       " && printf '/dts-v1/;\\n/ { soc { images { }; }; };\\n' > deep.dts"
	       " && dtc -q -I dts -O dtb -o deep.dtb deep.dts");
	img = gbt_read_file("fit.dtb", &n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), 0);
	free(img);
	img = gbt_read_file("deep.dtb", &n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), 0);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_carved_from_blob(void **state)
{
	size_t n;

	make_dtb();
	free(gbt_read_file("b.dtb", &n));
	/* dtc -p pads the blob: totalsize covers the padding */
	gbt_sh("dtc -q -p 300 -I dts -O dtb -o padded.dtb b.dts");
	size_t pn;
	free(gbt_read_file("padded.dtb", &pn));
	assert_int_equal(pn, n + 300);
	gbt_sh("head -c 4099 /dev/urandom > blob && cat b.dtb >> blob && head -c 64 /dev/urandom >> blob"
	       " && cat padded.dtb >> blob && head -c 17 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	assert_int_equal(gbt_count_nodes(s, "dtb"), 2);
	const struct gb_node *d = gbt_node(s, "dtb");
	assert_int_equal(d->offset, 4099);
	assert_int_equal(d->size, n);
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].format && strcmp(s->nodes[i].format, "dtb") == 0 && s->nodes[i].offset != 4099) {
			assert_int_equal(s->nodes[i].offset, 4099 + n + 64);
			assert_int_equal(s->nodes[i].size, pn);
		}
	gb_scan_free(s);
}

static void test_truncated_and_corrupt(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_dtb();
	uint8_t *img = gbt_read_file("b.dtb", &n);
	/* every truncation is refused */
	for (size_t cut = 0; cut < n; cut += 7) {
		struct gb_span in = gb_span_make(img, cut);
		assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	}
	/* a property length running out of the structure block */
	uint32_t soff = be32(img + 8);
	uint8_t *p = img + soff;
	size_t k;
	for (k = 0; k + 4 <= n - soff && be32(p + k) != 3; k += 4)
		;
	assert_true(k + 12 <= n - soff);
	put_be32(p + k + 4, 0x7ffffff0);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	gbt_write_file("bad.dtb", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("bad.dtb", "out");
	assert_null(gbt_node(s, "dtb"));
	gb_scan_free(s);
}

static void test_deep_nesting_refused(void **state)
{
	/* 40 nested nodes: past the walker's depth cap */
	if (!gbt_have_tool("dtc"))
		skip();
	FILE *f = fopen("deep.dts", "w");
	assert_non_null(f);
	fprintf(f, "/dts-v1/;\n/ {\n");
	for (int i = 0; i < 40; i++)
		fprintf(f, "n%d {\n", i);
	for (int i = 0; i < 40; i++)
		fprintf(f, "};\n");
	fprintf(f, "};\n");
	fclose(f);
	gbt_sh("dtc -q -I dts -O dtb -o deep.dtb deep.dts");
	size_t n;
	struct gb_probe pr;
	uint8_t *img = gbt_read_file("deep.dtb", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_hand_built, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_dtc_blob, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_carved_from_blob, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated_and_corrupt, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_deep_nesting_refused, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
