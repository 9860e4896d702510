/* fat: FAT12, FAT16 and FAT32 volumes made by mkfs.fat and filled by mcopy
 * (long and Unicode names, nested directories, an empty file, a read-only
 * file, a deleted file, a file fragmented around a hole), checked against the
 * source tree with sha256sum; hostile volumes patched by hand (Python):
 * truncation, bad BPB fields, a long name with a wrong checksum, a directory
 * that contains itself, a chain that loops, sizes larger than the chain or
 * the volume, a long name "..". */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT "MTOOLS_SKIP_CHECK=1 TZ=UTC "

static bool have_tools(void)
{
	return gbt_have_tool("mkfs.fat") && gbt_have_tool("mcopy");
}

/* The source tree every volume gets. */
static void make_src(void)
{
	gbt_sh("rm -rf src && mkdir -p src/Nested/deeper/deepest src/empty_dir && "
	       "head -c 300000 /dev/urandom > src/big.bin && "
	       "seq 1 3000 > 'src/A long file name with spaces.txt' && "
	       "echo unicode > 'src/h\xc3\xa9llo w\xc3\xb6rld.txt' && "
	       "echo short > src/SHORT.TXT && echo lower > src/lower.txt && "
	       "echo deep > src/Nested/deeper/deepest/deep.txt && "
	       "head -c 5000 /dev/urandom > src/Nested/deeper/mid.dat && "
	       ": > src/empty && echo ro > src/readonly.txt && "
	       "touch -d '2020-01-02 03:04:06 UTC' src/SHORT.TXT");
}

/* mkfs + mcopy; then a hole is punched (gap deleted) and frag.bin written
 * across it, so its chain is not contiguous. */
static void make_vol(const char *img, const char *mkfs, unsigned kib)
{
	gbt_sh("rm -f %s && mkfs.fat -C %s %s %u >/dev/null", img, mkfs, img, kib);
	gbt_sh(MT "mcopy -s -m -i %s src/* ::/", img);
	gbt_sh("head -c 20000 /dev/urandom > gap && head -c 100 /dev/urandom > after && "
	       "head -c 90000 /dev/urandom > frag.bin && "
	       MT "mcopy -i %s gap ::/gap && " MT "mcopy -i %s after ::/after && "
	       MT "mdel -i %s ::/gap && " MT "mcopy -i %s frag.bin ::/frag.bin && "
	       MT "mattrib -i %s +r ::/readonly.txt",
	       img, img, img, img, img);
}

static void check_tree(const struct gb_scan *s, const char *variant)
{
	const struct gb_node *n = gbt_node(s, "fat");

	assert_non_null(n);
	assert_int_equal(n->offset, 0);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	gbt_assert_file_matches(s, "fat", "/big.bin", "src/big.bin");
	gbt_assert_file_matches(s, "fat", "/A long file name with spaces.txt",
				"src/A long file name with spaces.txt");
	gbt_assert_file_matches(s, "fat", "/h\xc3\xa9llo w\xc3\xb6rld.txt",
				"src/h\xc3\xa9llo w\xc3\xb6rld.txt");
	gbt_assert_file_matches(s, "fat", "/SHORT.TXT", "src/SHORT.TXT");
	gbt_assert_file_matches(s, "fat", "/lower.txt", "src/lower.txt");
	gbt_assert_file_matches(s, "fat", "/Nested/deeper/deepest/deep.txt",
				"src/Nested/deeper/deepest/deep.txt");
	gbt_assert_file_matches(s, "fat", "/Nested/deeper/mid.dat", "src/Nested/deeper/mid.dat");
	gbt_assert_file_matches(s, "fat", "/empty", "src/empty");
	gbt_assert_file_matches(s, "fat", "/frag.bin", "frag.bin");
	gbt_assert_file_matches(s, "fat", "/after", "after");
	gbt_assert_type(s, "fat", "/empty_dir", GB_FT_DIR);
	gbt_assert_type(s, "fat", "/Nested/deeper", GB_FT_DIR);
	gbt_assert_mode(s, "fat", "/readonly.txt", 0444);
	gbt_assert_mode(s, "fat", "/big.bin", 0644);
	gbt_assert_mode(s, "fat", "/Nested", 0755);
	assert_null(gbt_file(s, "fat", "/gap"));
	/* 9 files + frag.bin + after; 4 directories */
	size_t files = 0, dirs = 0;
	for (size_t i = 0; i < s->n_files; i++) {
		if (s->files[i].node != n->id || strcmp(s->files[i].path, "/") == 0)
			continue;
		if (s->files[i].type == GB_FT_FILE)
			files++;
		else if (s->files[i].type == GB_FT_DIR)
			dirs++;
	}
	assert_int_equal(files, 11);
	assert_int_equal(dirs, 4);
}

static void test_fat12(void **state)
{
	struct gb_scan *s;

	(void)state;
	if (!have_tools())
		skip();
	make_src();
	make_vol("f12.img", "-F 12", 1440);
	s = gbt_scan("f12.img", "out");
	check_tree(s, "fat12");
	gb_scan_free(s);
}

static void test_fat16(void **state)
{
	struct gb_scan *s;

	(void)state;
	if (!have_tools())
		skip();
	make_src();
	make_vol("f16.img", "-F 16 -s 1 -S 1024", 12000);
	s = gbt_scan("f16.img", "out");
	check_tree(s, "fat16");
	gb_scan_free(s);
}

static void test_fat32(void **state)
{
	struct gb_scan *s;

	(void)state;
	if (!have_tools())
		skip();
	make_src();
	make_vol("f32.img", "-F 32 -s 1", 40000);
	s = gbt_scan("f32.img", "out");
	check_tree(s, "fat32");
	gb_scan_free(s);
}

/* FAT12 floppy, 1440 KiB, for the hostile patches: a.txt (long name
 * "Alpha file.txt"), dir D with x.bin inside. */
static void small_vol(void)
{
	gbt_sh("rm -rf s2 f.img && mkdir -p s2/D && seq 1 2000 > 's2/Alpha file.txt' && "
	       "head -c 9000 /dev/urandom > s2/D/x.bin && echo ab > s2/Ab && "
	       "mkfs.fat -C -F 12 f.img 1440 >/dev/null && " MT "mcopy -s -i f.img s2/* ::/");
}

/* Python over f.img: `code` sees `img` (bytearray), geometry helpers. */
static void patch(const char *code)
{
	gbt_sh("python3 - <<'EOF'\n"
	       "import struct\n"
	       "img=bytearray(open('f.img','rb').read())\n"
	       "bps,spc,rsvd,nf,rootn=struct.unpack_from('<HBHBH',img,11)\n"
	       "fatsz=struct.unpack_from('<H',img,22)[0]\n"
	       "root=(rsvd+nf*fatsz)*bps; data=root+rootn*32\n"
	       "def ent(dirofs,name):\n"
	       "    for o in range(dirofs,dirofs+rootn*32,32):\n"
	       "        if img[o:o+11]==name: return o\n"
	       "    raise SystemExit('no entry %%r'%%name)\n"
	       "def coff(c): return data+(c-2)*spc*bps\n"
	       "def setfat(c,v):\n"
	       "    for k in range(nf):\n"
	       "        o=rsvd*bps+k*fatsz*bps+c+c//2\n"
	       "        w=struct.unpack_from('<H',img,o)[0]\n"
	       "        w=(w&0xf)|(v<<4) if c&1 else (w&0xf000)|v\n"
	       "        struct.pack_into('<H',img,o,w)\n"
	       "%s\n"
	       "open('f.img','wb').write(img)\n"
	       "EOF",
	       code);
}

static void test_lfn_checksum(void **state)
{
	struct gb_scan *s;

	(void)state;
	if (!have_tools())
		skip();
	small_vol();
	s = gbt_scan("f.img", "out");
	gbt_assert_file_matches(s, "fat", "/Alpha file.txt", "s2/Alpha file.txt");
	gbt_assert_file_matches(s, "fat", "/D/x.bin", "s2/D/x.bin");
	gbt_assert_file_matches(s, "fat", "/Ab", "s2/Ab");
	gb_scan_free(s);
	/* a wrong checksum in the long name: the short name is used instead */
	patch("o=ent(root,b'ALPHAF~1TXT')\n"
	      "img[o-32+13]^=0x55");
	s = gbt_scan("f.img", "out");
	assert_null(gbt_file(s, "fat", "/Alpha file.txt"));
	gbt_assert_file_matches(s, "fat", "/ALPHAF~1.TXT", "s2/Alpha file.txt");
	gb_scan_free(s);
}

static void test_dir_loop(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	if (!have_tools())
		skip();
	small_vol();
	/* x.bin inside D becomes a directory pointing at D itself */
	patch("o=ent(root,b'D          ')\n"
	      "c=struct.unpack_from('<H',img,o+26)[0]\n"
	      "d=coff(c)\n"
	      "for k in range(d,d+512,32):\n"
	      "    if img[k:k+11]==b'X       BIN':\n"
	      "        img[k+11]=0x10; struct.pack_into('<H',img,k+26,c)\n");
	s = gbt_scan("f.img", "out");
	n = gbt_node(s, "fat");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "ancestors"));
	gbt_assert_type(s, "fat", "/D/x.bin", GB_FT_DIR);
	gb_scan_free(s);
}

static void test_chain_loop_and_sizes(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	(void)state;
	if (!have_tools())
		skip();
	small_vol();
	/* the long file's chain loops back to its first cluster; its size is huge */
	patch("o=ent(root,b'ALPHAF~1TXT')\n"
	      "c=struct.unpack_from('<H',img,o+26)[0]\n"
	      "setfat(c+1,c)\n"
	      "struct.pack_into('<I',img,o+28,0xffffffff)\n");
	s = gbt_scan("f.img", "out");
	n = gbt_node(s, "fat");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "larger than the volume"));
	f = gbt_file(s, "fat", "/Alpha file.txt");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size <= 1474560);
	gbt_assert_file_matches(s, "fat", "/D/x.bin", "s2/D/x.bin");
	gb_scan_free(s);

	/* a size larger than the chain: kept, truncated, reported */
	small_vol();
	patch("o=ent(root,b'ALPHAF~1TXT')\n"
	      "struct.pack_into('<I',img,o+28,40000)\n");
	s = gbt_scan("f.img", "out");
	n = gbt_node(s, "fat");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "short of the size"));
	f = gbt_file(s, "fat", "/Alpha file.txt");
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);
}

static void test_dotdot_name(void **state)
{
	struct gb_scan *s;

	(void)state;
	if (!have_tools())
		skip();
	small_vol();
	/* the long name "Ab" becomes ".." (checksum still valid) */
	patch("o=ent(root,b'AB         ')\n"
	      "img[o-32+1:o-32+5]=b'.\\0.\\0'\n");
	gbt_sh("rm -rf canary && mkdir canary");
	s = gbt_scan("f.img", "out");
	assert_non_null(gbt_node(s, "fat"));
	gbt_assert_file_matches(s, "fat", "/D/x.bin", "s2/D/x.bin");
	gbt_assert_dir_empty("canary");
	gb_scan_free(s);
}

static void test_bad_bpb_and_truncation(void **state)
{
	static const char *bad[] = {
		"struct.pack_into('<H',img,11,768)",  /* bytes/sector not a power of two */
		"img[13]=3",                         /* sectors/cluster */
		"img[16]=0",                         /* no FAT */
		"img[16]=3",                         /* three FATs */
		"img[21]=0x12",                      /* media byte */
		"img[rsvd*bps]=0xf9",                /* FAT[0] disagrees with the media byte */
		"struct.pack_into('<H',img,19,30)", /* total smaller than the metadata */
		"struct.pack_into('<H',img,22,1)",   /* FAT too small for the clusters */
		"struct.pack_into('<H',img,14,0)",   /* no reserved sector */
		"img[0]=0",                          /* no jump */
	};
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	if (!have_tools())
		skip();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		small_vol();
		patch(bad[i]);
		s = gbt_scan("f.img", "out");
		if (gbt_node(s, "fat"))
			fail_msg("patched BPB still accepted: %s", bad[i]);
		gb_scan_free(s);
	}
	/* truncated inside the data: what is there is kept */
	small_vol();
	gbt_sh("head -c 40000 f.img > t.img");
	s = gbt_scan("t.img", "out");
	n = gbt_node(s, "fat");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "truncated"));
	gb_scan_free(s);
	/* truncated inside the root directory */
	gbt_sh("head -c 9800 f.img > t2.img");
	s = gbt_scan("t2.img", "out");
	n = gbt_node(s, "fat");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fat12),
		cmocka_unit_test(test_fat16),
		cmocka_unit_test(test_fat32),
		cmocka_unit_test(test_lfn_checksum),
		cmocka_unit_test(test_dir_loop),
		cmocka_unit_test(test_chain_loop_and_sizes),
		cmocka_unit_test(test_dotdot_name),
		cmocka_unit_test(test_bad_bpb_and_truncation),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
