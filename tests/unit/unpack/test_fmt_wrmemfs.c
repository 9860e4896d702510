/* wrmemfs: Wind River management filesystems built by hand (Python), the
 * files compressed by xz-utils' `lzma` (LZMA-alone) or stored; checked with
 * sha256sum against the source files. Hostile: bad flag, absurd counts,
 * unterminated names, data inside the table, a record past the end, data that
 * is not LZMA, a name with "..", truncation. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* build FS out.bin from files f1..f3 ; flag 1: LZMA; `mut` edits the bytes */
static void build(const char *out, int flag, const char *names, const char *mut)
{
	gbt_sh("python3 - <<'EOF'\n"
	       "import struct, subprocess\n"
	       "flag=%d; names=[%s]\n"
	       "srcs=['f1','f2','f3']\n"
	       "datas=[]\n"
	       "for s in srcs:\n"
	       "    d=open(s,'rb').read()\n"
	       "    if flag: d=subprocess.run(['lzma','-c','-1'],input=d,stdout=subprocess.PIPE,check=True).stdout\n"
	       "    datas.append(d)\n"
	       "hdr=b'ow'*16+struct.pack('>III',flag,len(srcs),0)\n"
	       "off=44+48*len(srcs); tab=b''; body=b''\n"
	       "for n,d in zip(names,datas):\n"
	       "    tab+=n.ljust(40,b'\\0')+struct.pack('>II',len(d),off+len(body))\n"
	       "    body+=d+b'\\0'*(-len(d)%%4)\n"
	       "img=bytearray(hdr+tab+body)\n"
	       "%s\n"
	       "open('%s','wb').write(b'PREFIX'*10+img+b'\\xff'*100)\n"
	       "EOF",
	       flag, names, mut, out);
}

static void sources(void)
{
	gbt_sh("seq 1 4000 > f1 && head -c 7000 /dev/urandom > f2 && echo '<html>tp</html>' > f3");
}

#define NAMES "b'index.htm',b'logo.gif',b'menu.js'"

static void test_lzma_and_stored(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	if (!gbt_have_tool("lzma"))
		skip();
	sources();
	build("z.bin", 1, NAMES, "");
	s = gbt_scan("z.bin", "out");
	n = gbt_node(s, "wrmemfs");
	assert_non_null(n);
	assert_int_equal(n->offset, 60);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "lzma");
	gbt_assert_file_matches(s, "wrmemfs", "/index.htm", "f1");
	gbt_assert_file_matches(s, "wrmemfs", "/logo.gif", "f2");
	gbt_assert_file_matches(s, "wrmemfs", "/menu.js", "f3");
	assert_int_equal(gbt_count_files(s, n->id), 3);
	gb_scan_free(s);

	build("s.bin", 0, NAMES, "");
	s = gbt_scan("s.bin", "out");
	n = gbt_node(s, "wrmemfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "stored");
	gbt_assert_file_matches(s, "wrmemfs", "/index.htm", "f1");
	gbt_assert_file_matches(s, "wrmemfs", "/logo.gif", "f2");
	gbt_assert_file_matches(s, "wrmemfs", "/menu.js", "f3");
	gb_scan_free(s);
}

static void test_refused(void **state)
{
	static const char *bad[] = {
		"img[35]=2",                                /* flag */
		"img[36:40]=struct.pack('>I',0)",           /* no files */
		"img[36:40]=struct.pack('>I',0x7fffffff)",  /* absurd count */
		"img[44:84]=b'x'*40",                       /* name not terminated */
		"img[44]=0",                                /* empty name */
		"img[44+44:44+48]=struct.pack('>I',50)",    /* data inside the table */
		"img[31]=0x41",                             /* magic */
	};
	struct gb_scan *s;

	(void)state;
	if (!gbt_have_tool("lzma"))
		skip();
	sources();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build("b.bin", 1, NAMES, bad[i]);
		s = gbt_scan("b.bin", "out");
		if (gbt_node(s, "wrmemfs"))
			fail_msg("accepted: %s", bad[i]);
		gb_scan_free(s);
	}
}

static void test_hostile(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	if (!gbt_have_tool("lzma"))
		skip();
	sources();
	/* a record past the end, one that is not LZMA, a ".." name */
	build("h.bin", 1, "b'../../escape',b'logo.gif',b'menu.js'",
	      "img[44+48+44:44+48+48]=struct.pack('>I',0x7ffff000)\n"
	      "o=struct.unpack('>I',img[44+96+44:44+96+48])[0]; img[o:o+13]=b'\\xff'*13");
	gbt_sh("rm -rf canary && mkdir canary");
	s = gbt_scan("h.bin", "out");
	n = gbt_node(s, "wrmemfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "past the end"));
	assert_non_null(strstr(n->error, "not an LZMA stream"));
	assert_non_null(gbt_file(s, "wrmemfs", "/menu.js"));
	gbt_assert_dir_empty("canary");
	assert_int_equal(gbt_sh_status("test -e escape || test -e ../escape"), 1);
	gb_scan_free(s);

	/* truncated in the middle of the data */
	build("t.bin", 1, NAMES, "img=img[:200]");
	s = gbt_scan("t.bin", "out");
	n = gbt_node(s, "wrmemfs");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lzma_and_stored),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
