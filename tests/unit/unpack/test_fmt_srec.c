/* srec: Motorola S-records made at test time with srecord's srec_cat (S19,
 * S28, S37, with and without a start address) from random binaries; the
 * oracle is the input's sha256sum, or srec_cat's own 0xff-filled binary for a
 * sparse file. Plus hostile records: bad checksum, wrong count, reserved S4,
 * text that starts with "S1". */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_srec;

static void need_srec_cat(void)
{
	if (!gbt_have_tool("srec_cat"))
		skip();
}

static const char *attr(const struct gb_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

static void test_roundtrip(void **state)
{
	static const struct {
		const char *size, *offset, *alen, *start;
		enum gb_confidence conf;
	} cases[] = {
		{"100", "0", "2", "0x1234", GB_CONF_HIGH},
		{"40000", "0x100", "2", NULL, GB_CONF_MEDIUM},
		{"70000", "0", "3", "0x10000", GB_CONF_HIGH},
		{"70000", "0x08000000", "4", "0x08000123", GB_CONF_HIGH},
		{"5000", "0x20000", "4", NULL, GB_CONF_MEDIUM},
	};
	need_srec_cat();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		gbt_sh("head -c %s /dev/urandom > in.bin && srec_cat in.bin -binary -offset %s %s%s"
		       " -o f.s -motorola -address-length=%s",
		       cases[i].size, cases[i].offset, cases[i].start ? "-execution-start-address=" : "",
		       cases[i].start ? cases[i].start : "", cases[i].alen);
		size_t n;
		uint8_t *img = gbt_read_file("f.s", &n);
		struct gb_span in = gb_span_make(img, n);
		struct gb_probe pr;
		assert_int_equal(gb__fmt_srec.probe(&in, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_int_equal(pr.confidence, cases[i].conf);
		free(img);

		struct gb_scan *s = gbt_scan("f.s", "out");
		const struct gb_node *h = gbt_node(s, "srec");
		assert_non_null(h);
		assert_int_equal(h->status, GB_STATUS_OK);
		snprintf(name, sizeof(name), "/0x%08llx.bin", strtoull(cases[i].offset, NULL, 0));
		gbt_assert_file_matches(s, "srec", name, "in.bin");
		assert_string_equal(attr(h, "header"), "http://srecord.sourceforge.net/");
		if (cases[i].start) {
			char want[16];
			snprintf(want, sizeof(want), "0x%08llx", strtoull(cases[i].start, NULL, 0));
			assert_string_equal(attr(h, "entry"), want);
		} else {
			assert_null(attr(h, "entry"));
		}
		gb_scan_free(s);
	}
}

static void test_gap_and_order(void **state)
{
	need_srec_cat();
	gbt_sh("head -c 1000 /dev/urandom > a.bin && head -c 3000 /dev/urandom > b.bin"
	       " && srec_cat a.bin -binary -offset 0x1000 b.bin -binary -offset 0x9000 -o f.s -motorola"
	       " && srec_cat '(' f.s -motorola -fill 0xff -over f.s -motorola ')' -offset -0x1000"
	       " -o exp.bin -binary");
	struct gb_scan *s = gbt_scan("f.s", "out");
	gbt_assert_file_matches(s, "srec", "/0x00001000.bin", "exp.bin");
	gb_scan_free(s);
	if (!gbt_have_tool("shuf"))
		return;
	/* data records shuffled, header first, termination last */
	gbt_sh("srec_cat a.bin -binary -offset 0x1000 b.bin -binary -offset 0x9000"
	       " -execution-start-address=0x1000 -o f.s -motorola"
	       " && head -1 f.s > g.s && grep '^S[123]' f.s | shuf >> g.s && grep '^S[5-9]' f.s >> g.s");
	s = gbt_scan("g.s", "out2");
	const struct gb_node *h = gbt_node(s, "srec");
	assert_non_null(h);
	assert_int_equal(h->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "srec", "/0x00001000.bin", "exp.bin");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	struct gb_probe pr;
	struct gb_span in;
	size_t n;

	need_srec_cat();
	gbt_sh("head -c 3000 /dev/urandom > in.bin && srec_cat in.bin -binary"
	       " -execution-start-address=0 -o f.s -motorola");
	uint8_t *img = gbt_read_file("f.s", &n);
	/* a record in the middle broken: truncated there, medium confidence */
	char *mid = strchr((char *)img + n / 2, 'S');
	mid[9] = mid[9] == 'A' ? 'B' : 'A';
	gbt_write_file("mid.s", img, n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_srec.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	assert_int_equal(pr.size, (uint64_t)(mid - (char *)img));
	free(img);
	struct gb_scan *s = gbt_scan("mid.s", "out");
	const struct gb_node *h = gbt_node(s, "srec");
	assert_non_null(h);
	assert_true(gbt_count_files(s, h->id) == 1);
	gb_scan_free(s);

	static const char *const junk[] = {
		"S1 is a sentence\nS2 as well\n",
		"S9030000FC\n",                         /* termination only: no data */
		"S10400000102FA\nS9030000FC\n",         /* count 4 but 5 bytes follow */
		"S104000001FB\nS9030000FC\n",           /* checksum off by one */
		"S404000001FA\nS9030000FC\n",           /* reserved type */
		"S10200\n",                             /* count smaller than the address */
		"S",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		in = gb_span_make(junk[i], strlen(junk[i]));
		assert_int_equal(gb__fmt_srec.probe(&in, &pr), -GB_ENOTFOUND);
	}
	static const char ok[] = "S104000001FA\r\nS9030000FC\r\ntrailing";
	/* first record: 04+00+00+01 = 0x05, checksum 0xFA */
	in = gb_span_make(ok, sizeof(ok) - 1);
	assert_int_equal(gb__fmt_srec.probe(&in, &pr), 0);
	assert_int_equal(pr.size, strlen("S104000001FA\r\nS9030000FC\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_gap_and_order, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
