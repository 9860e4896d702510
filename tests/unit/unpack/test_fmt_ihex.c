/* ihex: Intel HEX made at test time with srecord's srec_cat from random
 * binaries (the oracle is the input's sha256sum, or srec_cat's own 0xff-filled
 * binary output for sparse files), plus hand-written records (segment
 * addresses, out-of-order records, overlaps) and hostile files: bad checksum,
 * wrong lengths, huge address gaps, fill bombs against the size limit. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_ihex;

static void need_srec_cat(void)
{
	if (!gbt_have_tool("srec_cat"))
		skip();
}

/* One record with its checksum, appended to f. */
static void rec(FILE *f, unsigned type, unsigned addr, const uint8_t *d, unsigned n)
{
	unsigned sum = n + (addr >> 8) + (addr & 0xff) + type;

	fprintf(f, ":%02X%04X%02X", n, addr & 0xffff, type);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%02X", d[i]);
		sum += d[i];
	}
	fprintf(f, "%02X\r\n", (0x100 - (sum & 0xff)) & 0xff);
}

static const struct gb_file *file_named(const struct gb_scan *s, const char *path)
{
	return gbt_file(s, "ihex", path);
}

static void test_roundtrip(void **state)
{
	static const char *const cases[][2] = {
		{"100", "0"}, {"70000", "0"}, {"70000", "0x08000000"}, {"200000", "0xfff00000"},
	};
	need_srec_cat();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		gbt_sh("head -c %s /dev/urandom > in.bin && srec_cat in.bin -binary -offset %s -o f.hex -intel",
		       cases[i][0], cases[i][1]);
		size_t n;
		uint8_t *img = gbt_read_file("f.hex", &n);
		struct gb_span in = gb_span_make(img, n);
		struct gb_probe pr;
		assert_int_equal(gb__fmt_ihex.probe(&in, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_int_equal(pr.confidence, GB_CONF_HIGH);
		free(img);

		struct gb_scan *s = gbt_scan("f.hex", "out");
		const struct gb_node *h = gbt_node(s, "ihex");
		assert_non_null(h);
		assert_int_equal(h->status, GB_STATUS_OK);
		snprintf(name, sizeof(name), "/0x%08llx.bin", strtoull(cases[i][1], NULL, 0));
		gbt_assert_file_matches(s, "ihex", name, "in.bin");
		assert_int_equal(gbt_count_files(s, h->id), 1);
		gb_scan_free(s);
	}
}

/* Two blocks with a gap: one file, the gap 0xff (oracle: srec_cat -fill). */
static void test_gap_filled(void **state)
{
	need_srec_cat();
	gbt_sh("head -c 1000 /dev/urandom > a.bin && head -c 3000 /dev/urandom > b.bin"
	       " && srec_cat a.bin -binary -offset 0x1000 b.bin -binary -offset 0x9000 -o f.hex -intel"
	       " && srec_cat '(' f.hex -intel -fill 0xff -over f.hex -intel ')' -offset -0x1000"
	       " -o exp.bin -binary");
	struct gb_scan *s = gbt_scan("f.hex", "out");
	gbt_assert_file_matches(s, "ihex", "/0x00001000.bin", "exp.bin");
	gb_scan_free(s);

	/* more than 1 MiB apart: two files */
	gbt_sh("srec_cat a.bin -binary -offset 0x1000 b.bin -binary -offset 0x08000000 -o g.hex -intel");
	s = gbt_scan("g.hex", "out2");
	gbt_assert_file_matches(s, "ihex", "/0x00001000.bin", "a.bin");
	gbt_assert_file_matches(s, "ihex", "/0x08000000.bin", "b.bin");
	gb_scan_free(s);
}

/* Shuffled data records (below 64 KiB, so no base record matters). */
static void test_out_of_order(void **state)
{
	need_srec_cat();
	if (!gbt_have_tool("shuf"))
		skip();
	gbt_sh("head -c 30000 /dev/urandom > in.bin && srec_cat in.bin -binary -o f.hex -intel"
	       " && grep -v '^:00000001' f.hex | grep -v '^:02000004' | shuf > g.hex"
	       " && printf ':00000001FF\\n' >> g.hex");
	struct gb_scan *s = gbt_scan("g.hex", "out");
	const struct gb_node *h = gbt_node(s, "ihex");
	assert_non_null(h);
	assert_int_equal(h->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "ihex", "/0x00000000.bin", "in.bin");
	gb_scan_free(s);
}

/* Extended segment addresses (type 02), a start address (05), an overlap. */
static void test_segment_and_entry(void **state)
{
	uint8_t d[16], e[4] = {0x08, 0x00, 0x01, 0x23}, seg[2] = {0x10, 0x00};
	FILE *f = fopen("f.hex", "w");

	for (unsigned i = 0; i < 16; i++)
		d[i] = (uint8_t)(i * 7);
	rec(f, 2, 0, seg, 2);         /* base 0x10000 */
	rec(f, 0, 0x0010, d, 16);     /* 0x10010 */
	rec(f, 0, 0x0020, d, 16);     /* 0x10020 */
	rec(f, 0, 0x0028, d + 8, 8);  /* overlaps the previous record's tail */
	rec(f, 5, 0, e, 4);
	rec(f, 1, 0, NULL, 0);
	fclose(f);
	f = fopen("exp.bin", "w");
	fwrite(d, 1, 16, f);
	fwrite(d, 1, 16, f);
	fclose(f);
	struct gb_scan *s = gbt_scan("f.hex", "out");
	const struct gb_node *h = gbt_node(s, "ihex");
	assert_non_null(h);
	assert_int_equal(h->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(h->error, "overlapping data at address 0x10028"));
	gbt_assert_file_matches(s, "ihex", "/0x00010010.bin", "exp.bin");
	assert_int_equal(h->n_attrs, 1);
	assert_string_equal(h->attrs[0].key, "entry");
	assert_string_equal(h->attrs[0].value, "0x08000123");
	gb_scan_free(s);
}

static void test_bad_checksum_and_text(void **state)
{
	size_t n;
	struct gb_probe pr;
	struct gb_span in;

	need_srec_cat();
	gbt_sh("head -c 3000 /dev/urandom > in.bin && srec_cat in.bin -binary -o f.hex -intel");
	uint8_t *img = gbt_read_file("f.hex", &n);
	/* first data record's checksum broken: one valid line only, not enough */
	char *l2 = strchr((char *)img, '\n') + 1;
	char *cc = strchr(l2, '\r') ? strchr(l2, '\r') - 1 : strchr(l2, '\n') - 1;
	char saved = *cc;
	*cc = *cc == '0' ? '1' : '0';
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_ihex.probe(&in, &pr), -GB_ENOTFOUND);
	*cc = saved;
	/* a record in the middle broken: truncated there, medium, partial */
	char *mid = (char *)img + n / 2;
	mid = strchr(mid, ':');
	mid[9] = mid[9] == 'A' ? 'B' : 'A';
	gbt_write_file("mid.hex", img, n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_ihex.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	assert_int_equal(pr.size, (uint64_t)(mid - (char *)img));
	free(img);
	struct gb_scan *s = gbt_scan("mid.hex", "out");
	const struct gb_node *h = gbt_node(s, "ihex");
	assert_non_null(h);
	assert_int_equal(h->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(h->error, "no end-of-file record"));
	gb_scan_free(s);

	/* text that merely starts with ':' or has short lines */
	static const char *const junk[] = {
		":hello\n:world\n:00000001FF\n",
		":00000001FF\n",                        /* EOF only: no data */
		":0300000001020301\n:00000001FF\n",     /* LL says 3, 4 bytes given */
		":0100000001FE\n:0100000001FF\n",       /* second checksum wrong */
		":02000004000\n",                       /* odd digit count */
		":0100000606F3\n:00000001FF\n",         /* type 06 */
		":",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		in = gb_span_make(junk[i], strlen(junk[i]));
		assert_int_equal(gb__fmt_ihex.probe(&in, &pr), -GB_ENOTFOUND);
	}
	static const char ok[] = ":0100000001FE\n:00000001FF\n";
	in = gb_span_make(ok, sizeof(ok) - 1);
	assert_int_equal(gb__fmt_ihex.probe(&in, &pr), 0);
	assert_int_equal(pr.size, sizeof(ok) - 1);
}

/* Records 1 MiB - 1 apart: each 15-byte line asks for a 1 MiB 0xff fill.
 * The file-size limit stops it; the node says so. */
static void test_fill_bomb(void **state)
{
	uint8_t b = 0x42, base[2];
	FILE *f = fopen("bomb.hex", "w");

	for (unsigned i = 0; i < 400; i++) {
		unsigned a = i * ((1U << 20) - 1);
		base[0] = (uint8_t)(a >> 24);
		base[1] = (uint8_t)(a >> 16);
		rec(f, 4, 0, base, 2);
		rec(f, 0, a & 0xffff, &b, 1);
	}
	rec(f, 1, 0, NULL, 0);
	fclose(f);
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_file_bytes = 16U << 20;
	struct gb_scan *s = gbt_scan_limits("bomb.hex", "out", &lim);
	const struct gb_node *h = gbt_node(s, "ihex");
	assert_non_null(h);
	assert_true(h->status == GB_STATUS_PARTIAL || h->status == GB_STATUS_ERROR);
	assert_non_null(h->error);
	const struct gb_file *out = file_named(s, "/0x00000000.bin");
	assert_non_null(out);
	assert_true(out->size <= 16U << 20);
	assert_true(out->incomplete);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_gap_filled, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_out_of_order, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_segment_and_entry, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_checksum_and_text, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_fill_bomb, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
