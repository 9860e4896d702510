/* Unit tests of lib/diff (glassbox equiv): the normalisation rules, the text
 * diff against diff(1), the ELF comparison on a program built here with the
 * system compiler (tests/data/equiv/logind.c), gzip and archive views, and
 * hostile ELF files (truncated, corrupted tables) that must not crash.
 *
 * Oracles: diff -u for the unified diff; for ELF verdicts the way the inputs
 * were made (same source, other directory and SOURCE_DATE_EPOCH: equivalent;
 * one changed constant in check_password: different there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"

#include <glassbox/equiv.h>

#include "diff/diff_int.h"

/* A whole file as a NUL-terminated string. */
static char *read_text(const char *path, size_t *n)
{
	char *raw = gbt_read_file(path, n);
	char *s = malloc(*n + 1);
	assert_non_null(s);
	memcpy(s, raw, *n);
	s[*n] = '\0';
	free(raw);
	return s;
}

static struct gb_span S(const char *s, size_t n)
{
	return gb_span_make(s, n);
}

static void test_mask_rules(void **state)
{
	size_t end;
	static const char pa[] = "x\0/home/build-a/src/logind.c\0y", pb[] = "x\0/home/build-b/src/logind.c\0y";
	assert_int_equal(gb__mask_at(S(pa, sizeof(pa)), S(pb, sizeof(pb)), 14, &end), EQ_MASK_PATH);
	assert_true(end > 14);
	static const char da[] = "built Nov 14 2023 22:13:20", db[] = "built Sep 13 2020 12:26:40";
	assert_int_equal(gb__mask_at(S(da, sizeof(da)), S(db, sizeof(db)), 6, &end), EQ_MASK_DATE);
	assert_int_equal(gb__mask_at(S(da, sizeof(da)), S(db, sizeof(db)), 19, &end), EQ_MASK_DATE);
	static const char ia[] = "v2023-11-14", ib[] = "v2020-09-13";
	assert_int_equal(gb__mask_at(S(ia, sizeof(ia)), S(ib, sizeof(ib)), 4, &end), EQ_MASK_DATE);
	/* not a path: no '/' in the token */
	static const char ta[] = "password=admin", tb[] = "password=guest";
	assert_int_equal(gb__mask_at(S(ta, sizeof(ta)), S(tb, sizeof(tb)), 10, &end), EQ_MASK_NONE);
	/* not NUL-terminated */
	static const char na[] = {'/', 'a', '/', 'b'}, nb[] = {'/', 'a', '/', 'c'};
	assert_int_equal(gb__mask_at(S(na, 4), S(nb, 4), 3, &end), EQ_MASK_NONE);
	/* a non-printable difference */
	static const char ba[] = "/a/\x01", bb[] = "/a/\x02";
	assert_int_equal(gb__mask_at(S(ba, sizeof(ba)), S(bb, sizeof(bb)), 3, &end), EQ_MASK_NONE);
	/* lengths differ: never masked */
	assert_int_equal(gb__mask_at(S(pa, sizeof(pa)), S(pb, sizeof(pb) - 1), 14, &end), EQ_MASK_NONE);

	struct eq_cmp c;
	gb__masked_compare(S(pa, sizeof(pa)), S(pb, sizeof(pb)), &c, NULL, NULL);
	assert_int_equal(c.real, 0);
	assert_int_equal(c.norms, GB_NORM_BUILD_PATH);
	gb__masked_compare(S(ta, sizeof(ta)), S(tb, sizeof(tb)), &c, NULL, NULL);
	assert_int_equal(c.real, 5);
	assert_int_equal(c.first, 9);
}

static void test_trailer(void **state)
{
	uint8_t buf[8192 + 64];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	memset(buf, 'A', 1000);
	struct gb_span body = gb_span_make(buf, 1000);
	assert_true(gb__is_trailer(body, gb_span_make(buf, 1000 + 256)));   /* random signature */
	assert_true(gb__is_trailer(gb_span_make(buf, 1000 + 4), body));     /* CRC32, either side */
	assert_false(gb__is_trailer(body, gb_span_make(buf, 1000 + 4097))); /* too long */
	assert_false(gb__is_trailer(body, body));
	uint8_t pad[1300];
	memcpy(pad, buf, 1000);
	memset(pad + 1000, 0xff, 300);
	assert_false(gb__is_trailer(body, gb_span_make(pad, 1300)));         /* padding is not a trailer */
	memcpy(pad + 1000, "this is plain english text appended to the file, not a signature at all...", 74);
	assert_false(gb__is_trailer(body, gb_span_make(pad, 1074)));
	memcpy(pad + 1000, "-----BEGIN PKCS7-----\n", 22);
	assert_true(gb__is_trailer(body, gb_span_make(pad, 1022)));
	buf[10] ^= 1; /* not a prefix any more */
	assert_false(gb__is_trailer(body, gb_span_make(pad, 1022)));
}

static void test_text_diff(void **state)
{
	FILE *f = fopen("a.txt", "w");
	FILE *g = fopen("b.txt", "w");
	assert_non_null(f);
	assert_non_null(g);
	for (int i = 0; i < 200; i++) {
		fprintf(f, "line %d\n", i);
		if (i == 20)
			fprintf(g, "inserted\n");
		if (i != 50 && i != 51)
			fprintf(g, "line %d%s\n", i, i == 150 ? " changed" : "");
	}
	fclose(f);
	fclose(g);
	size_t na, nb, nd;
	char *a = read_text("a.txt", &na), *b = read_text("b.txt", &nb);
	bool big;
	char *d = gb__text_diff(gb_span_make(a, na), gb_span_make(b, nb), "a.txt", "b.txt", &big);
	assert_non_null(d);
	assert_false(big);
	/* diff -u is the oracle (its header lines carry times: compare from the first hunk) */
	gbt_sh("diff -u a.txt b.txt > expect.txt || true");
	char *e = read_text("expect.txt", &nd);
	const char *h1 = strstr(d, "@@"), *h2 = strstr(e, "@@");
	assert_non_null(h1);
	assert_non_null(h2);
	assert_string_equal(h1, h2);
	free(d);
	d = gb__text_diff(gb_span_make(a, na), gb_span_make(a, na), "a", "a", &big);
	assert_string_equal(d, "--- a\n+++ a\n");
	free(d);
	free(a);
	free(b);
	free(e);
}

/* Build logind in DIR at EPOCH with extra compiler flags. */
static void build(const char *dir, long epoch, const char *flags)
{
	const char *src = getenv("GB_SOURCE_ROOT");
	assert_non_null(src);
	gbt_sh("mkdir -p %s && cp %s/tests/data/equiv/logind.c %s/ && cd %s && "
	       "SOURCE_DATE_EPOCH=%ld cc -O2 -g -Wl,--build-id=sha1 %s -o logind \"$PWD/logind.c\"",
	       dir, src, dir, dir, epoch, flags);
}

static struct gb_equiv *equiv(const char *a, const char *b, const char *out)
{
	struct gb_equiv_opts o;
	struct gb_equiv *eq = NULL;
	gb_equiv_opts_init(&o);
	o.shipped = a;
	o.rebuilt = b;
	o.outdir = out;
	o.jobs = 2;
	assert_int_equal(gb_equiv_run(&o, &eq), 0);
	assert_non_null(eq);
	return eq;
}

static const struct gb_equiv_file *only_leaf(const struct gb_equiv *eq)
{
	const struct gb_equiv_file *f = NULL;
	for (size_t i = 0; i < eq->n_files; i++) {
		if (eq->files[i].is_container)
			continue;
		assert_null(f);
		f = &eq->files[i];
	}
	assert_non_null(f);
	return f;
}

static void test_elf_programs(void **state)
{
	if (!gbt_have_tool("cc") || !gbt_have_tool("strip"))
		skip();
	build("b1/src", 1600000000, "");
	build("b2/src", 1700000000, "");
	build("b3/src", 1600000000, "-DEXTRA_HASH=0x0c6e796fu");
	gbt_sh("strip -o stripped b1/src/logind");

	struct gb_equiv *eq = equiv("b1/src/logind", "b2/src/logind", "o1");
	const struct gb_equiv_file *f = only_leaf(eq);
	assert_int_equal(f->verdict, GB_EQUIV_EQUIVALENT);
	uint32_t want = GB_NORM_BUILD_ID | GB_NORM_BUILD_PATH | GB_NORM_BUILD_DATE;
	assert_int_equal(f->normalisations & want, want);
	assert_int_equal(eq->summary.proven_bytes, eq->summary.shipped_bytes);
	gb_equiv_free(eq);

	eq = equiv("stripped", "b2/src/logind", "o2");
	f = only_leaf(eq);
	assert_int_equal(f->verdict, GB_EQUIV_EQUIVALENT);
	assert_true(f->normalisations & GB_NORM_STRIP);
	gb_equiv_free(eq);

	eq = equiv("b3/src/logind", "b2/src/logind", "o3");
	f = only_leaf(eq);
	assert_int_equal(f->verdict, GB_EQUIV_DIFFERENT);
	assert_int_equal(f->n_differences, 1);
	assert_string_equal(f->differences[0].section, ".text");
	assert_string_equal(f->differences[0].function, "check_password");
	assert_true(f->differences[0].bytes >= 1 && f->differences[0].bytes <= 4);
	assert_non_null(f->disasm);
	assert_int_equal(eq->summary.different, 1);
	assert_int_equal(eq->summary.proven_bytes, 0);
	/* the JSON writer round-trips through a file */
	assert_int_equal(gb_equiv_json_write_file(eq, "o3/equiv.json"), 0);
	gbt_sh("python3 -c 'import json,sys; d=json.load(open(\"o3/equiv.json\")); "
	       "sys.exit(d[\"files\"][0][\"differences\"][0][\"function\"] != \"check_password\")'");
	gb_equiv_free(eq);
}

static void test_gzip_dirs(void **state)
{
	gbt_sh("mkdir -p ga gb && seq 1 5000 > ga/data && cp ga/data gb/data && "
	       "gzip -n -c ga/data > ga/data.gz && touch -d @1600000000 gb/data && gzip -c -N gb/data > gb/data.gz");
	struct gb_equiv *eq = equiv("ga", "gb", "og");
	int seen = 0;
	for (size_t i = 0; i < eq->n_files; i++) {
		const struct gb_equiv_file *f = &eq->files[i];
		if (strcmp(f->path, "/data.gz") == 0) {
			assert_int_equal(f->verdict, GB_EQUIV_EQUIVALENT);
			assert_int_equal(f->normalisations, GB_NORM_GZIP_HEADER);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	gb_equiv_free(eq);

	gbt_sh("mkdir -p t && cd t && echo 1 > one && echo 2 > two && tar -cf ../t1.tar one two && tar -cf ../t2.tar two one");
	size_t n1, n2, l1, l2;
	char *a = gbt_read_file("t1.tar", &n1), *b = gbt_read_file("t2.tar", &n2), *o1, *o2;
	assert_int_equal(gb__archive_order(gb_span_make(a, n1), &o1, &l1), 2);
	assert_int_equal(gb__archive_order(gb_span_make(b, n2), &o2, &l2), 2);
	assert_string_equal(o1, "one");
	assert_string_equal(o2, "two");
	free(o1);
	free(o2);
	free(a);
	free(b);
}

/* Truncated and corrupted ELF files: compared against the original, never a
 * crash (run under ASan+UBSan by make test), verdict different. */
static void test_hostile_elf(void **state)
{
	if (!gbt_have_tool("cc"))
		skip();
	build("h/src", 1600000000, "");
	size_t n;
	uint8_t *orig = gbt_read_file("h/src/logind", &n);
	uint8_t *mut = malloc(n);
	assert_non_null(mut);
	uint32_t x = 7;
	for (int round = 0; round < 400; round++) {
		size_t len = n;
		memcpy(mut, orig, n);
		if (round < 100) {
			len = (size_t)round * n / 100; /* truncations */
		} else {
			for (int k = 0; k < 1 + round % 8; k++) {
				x = x * 1103515245u + 12345u;
				/* headers and the section table at the end are the interesting parts */
				size_t at = (k & 1) ? (x >> 8) % 64 : n - 1 - (x >> 8) % 2048;
				mut[at] = (uint8_t)(x >> 24);
			}
		}
		struct eq_result r;
		memset(&r, 0, sizeof(r));
		int ret = gb__elf_compare(gb_span_make(mut, len), gb_span_make(orig, n), &r);
		assert_true(ret == 0 || ret == -GB_ECORRUPT);
		if (ret == 0 && len != n)
			assert_int_equal(r.verdict, GB_EQUIV_DIFFERENT);
		gb__result_clear(&r);
	}
	free(mut);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_rules),
		cmocka_unit_test(test_trailer),
		cmocka_unit_test(test_text_diff),
		cmocka_unit_test(test_elf_programs),
		cmocka_unit_test(test_gzip_dirs),
		cmocka_unit_test(test_hostile_elf),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
