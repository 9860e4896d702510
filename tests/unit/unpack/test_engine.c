/* The engine end to end on small inputs: unclaimed regions, input errors,
 * recursion through several formats, and each limit tripping. Fixtures are
 * made with Debian's tools; expectations come from the fixture, not from
 * earlier glassbox output. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_random_blob_is_one_unclaimed_region(void **state)
{
	gbt_sh("head -c 65536 /dev/urandom > blob.bin");
	struct gb_scan *s = gbt_scan("blob.bin", "out");
	assert_int_equal(s->n_nodes, 1);
	assert_string_equal(s->nodes[0].format, "input");
	assert_int_equal(s->nodes[0].parent, -1);
	assert_int_equal(s->input_size, 65536);
	char want[65];
	gbt_sha256sum("blob.bin", want);
	assert_string_equal(s->input_sha256, want);
	assert_int_equal(s->n_regions, 1);
	assert_int_equal(s->regions[0].offset, 0);
	assert_int_equal(s->regions[0].size, 65536);
	assert_true(s->regions[0].entropy > 7.9);
	assert_int_equal(s->regions[0].fill, -1);
	gb_scan_free(s);
}

static void test_padding_region_has_fill(void **state)
{
	gbt_sh("head -c 4096 /dev/zero | tr '\\0' '\\377' > pad.bin");
	struct gb_scan *s = gbt_scan("pad.bin", "out");
	assert_int_equal(s->n_regions, 1);
	assert_int_equal(s->regions[0].fill, 0xff);
	assert_true(s->regions[0].entropy < 0.001);
	gb_scan_free(s);
}

static void test_unreadable_input(void **state)
{
	struct gb_scan_opts o;
	struct gb_scan *s = NULL;
	gb_scan_opts_init(&o);
	o.input = "does-not-exist.bin";
	o.outdir = "out";
	assert_int_equal(gb_scan_run(&o, &s), -GB_EIO);
	assert_non_null(s);
	assert_non_null(s->error);
	gb_scan_free(s);
	gbt_sh("mkdir -p adir");
	o.input = "adir";
	s = NULL;
	assert_int_equal(gb_scan_run(&o, &s), -GB_EIO);
	gb_scan_free(s);
}

static void test_image_in_zip_in_tar_in_gzip(void **state)
{
	if (!gbt_have_tool("zip") || !gbt_have_tool("mksquashfs"))
		skip();
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && mksquashfs root fs.sqfs -comp xz -quiet -no-progress >/dev/null"
	       " && zip -q inner.zip fs.sqfs && tar cf mid.tar inner.zip && gzip -c mid.tar > outer.tgz");
	struct gb_scan *s = gbt_scan("outer.tgz", "out");
	assert_int_equal(gbt_count_nodes(s, "gzip"), 1);
	assert_int_equal(gbt_count_nodes(s, "tar"), 1);
	assert_int_equal(gbt_count_nodes(s, "zip"), 1);
	assert_int_equal(gbt_count_nodes(s, "squashfs"), 1);
	gbt_assert_file_matches(s, "squashfs", "/etc/passwd", "root/etc/passwd");
	const struct gb_node *sq = gbt_node(s, "squashfs");
	assert_int_equal(sq->depth, 4);
	assert_non_null(sq->source_path);
	assert_string_equal(sq->source_path, "/fs.sqfs");
	/* the extracted tree mirrors the nesting */
	char path[4096];
	snprintf(path, sizeof(path), "out/%s/etc/passwd", sq->dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	gb_scan_free(s);
}

static void test_depth_limit(void **state)
{
	gbt_sh("echo payload > p && gzip -c p > g1 && gzip -c g1 > g2 && gzip -c g2 > g3 && gzip -c g3 > g4 && gzip -c g4 > g5");
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_depth = 3;
	struct gb_scan *s = gbt_scan_limits("g5", "out", &lim);
	int depth_error = 0;
	for (size_t i = 0; i < s->n_nodes; i++) {
		assert_true(s->nodes[i].depth <= 4);
		if (s->nodes[i].status == GB_STATUS_ERROR && s->nodes[i].error && strstr(s->nodes[i].error, "depth"))
			depth_error++;
	}
	assert_int_equal(depth_error, 1);
	gb_scan_free(s);
}

static void test_entry_limit(void **state)
{
	gbt_sh("mkdir -p many && for i in $(seq 1 50); do echo $i > many/f$i; done && tar cf many.tar many");
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_entries = 20;
	struct gb_scan *s = gbt_scan_limits("many.tar", "out", &lim);
	const struct gb_node *t = gbt_node(s, "tar");
	assert_non_null(t);
	assert_int_not_equal(t->status, GB_STATUS_OK);
	assert_non_null(strstr(t->error, "entry limit"));
	assert_true(gbt_count_files(s, t->id) <= 20);
	gb_scan_free(s);
}

static void test_total_bytes_limit(void **state)
{
	gbt_sh("head -c 3000000 /dev/urandom > big && tar cf big.tar big p2 2>/dev/null || (cp big p2 && tar cf big.tar big p2)");
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_total_bytes = 4000000;
	struct gb_scan *s = gbt_scan_limits("big.tar", "out", &lim);
	const struct gb_node *t = gbt_node(s, "tar");
	assert_non_null(t);
	assert_int_not_equal(t->status, GB_STATUS_OK);
	assert_non_null(strstr(t->error, "total output limit"));
	assert_true(s->bytes_written <= 4000000 + 262144);
	gb_scan_free(s);
}

static void test_traversal_goes_to_lost_found(void **state)
{
	gbt_sh("mkdir -p canary && python3 - <<'EOF'\n"
	       "import tarfile, io\n"
	       "t = tarfile.open('evil.tar', 'w')\n"
	       "for name in ['../../canary/x', 'ok/../../canary/y', '/abs/z', 'fine']:\n"
	       "    ti = tarfile.TarInfo(name); data = b'evil'; ti.size = len(data)\n"
	       "    t.addfile(ti, io.BytesIO(data))\n"
	       "t.close()\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("evil.tar", "out/deep");
	gbt_assert_dir_empty("canary");
	const struct gb_file *f = gbt_file(s, "tar", "/../../canary/x");
	assert_non_null(f);
	assert_non_null(f->note);
	assert_non_null(strstr(f->disk, "lost+found/"));
	f = gbt_file(s, "tar", "/abs/z");
	assert_non_null(f);
	assert_null(f->note);
	assert_non_null(gbt_file(s, "tar", "/fine"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_blob_is_one_unclaimed_region),
		cmocka_unit_test(test_padding_region_has_fill),
		cmocka_unit_test(test_unreadable_input),
		cmocka_unit_test(test_image_in_zip_in_tar_in_gzip),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_total_bytes_limit),
		cmocka_unit_test(test_traversal_goes_to_lost_found),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
