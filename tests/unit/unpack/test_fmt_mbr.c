/* mbr: DOS tables made by sfdisk (primaries, an extended partition with an
 * EBR chain, an ext2 made by mke2fs at a partition's offset, gzip streams at
 * partition starts as markers checked with sha256sum), GPT made by sgdisk
 * (names, ext2 inside), a 4096-byte-sector GPT built by hand (Python's
 * zlib.crc32); hostile: FAT boot sectors and random sectors ending in 55AA,
 * overlapping entries, bad statuses, EBR loops, partitions past the end,
 * truncation, bad GPT header and array CRCs, absurd entry counts. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The child node of `format` whose parent is an mbr node and whose label is `label`. */
static const struct gb_node *child(const struct gb_scan *s, const char *format, const char *label)
{
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct gb_node *n = &s->nodes[i];

		if (strcmp(n->format, format) == 0 && n->label && strcmp(n->label, label) == 0 &&
		    n->parent >= 0 && strcmp(s->nodes[n->parent].format, "mbr") == 0)
			return n;
	}
	fail_msg("no %s node labelled %s", format, label);
	return NULL;
}

/* A gzip marker: m<i>.gz (of m<i>, random) written at sector `lba` of img. */
static void put_marker(const char *img, unsigned i, unsigned lba)
{
	gbt_sh("head -c %u /dev/urandom > m%u && gzip -kn9 m%u && "
	       "dd if=m%u.gz of=%s bs=512 seek=%u conv=notrunc status=none",
	       3000 + i * 100, i, i, i, img, lba);
}

static void assert_marker(const struct gb_scan *s, const char *label, unsigned i, uint64_t lba)
{
	const struct gb_node *n = child(s, "gzip", label);
	char src[16];
	const struct gb_file *f = NULL;

	assert_int_equal(n->offset, lba * 512);
	for (size_t k = 0; k < s->n_files; k++)
		if (s->files[k].node == n->id && s->files[k].type == GB_FT_FILE)
			f = &s->files[k];
	assert_non_null(f);
	snprintf(src, sizeof(src), "m%u", i);
	char hex[65];
	gbt_sha256sum(src, hex);
	assert_string_equal(f->sha256, hex);
}

static void test_sfdisk_dos(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n, *e;

	(void)state;
	if (!gbt_have_tool("sfdisk") || !gbt_have_tool("mke2fs") || !gbt_have_tool("debugfs"))
		skip();
	/* p1 ext2 at 2048 (4 MiB), p2 fat16 type, p3 extended 12288.. with logicals */
	gbt_sh("rm -f d.img && truncate -s 12M d.img && printf '%%s\\n' 'label: dos' "
	       "'start=2048, size=8192, type=83, bootable' 'start=10240, size=2048, type=6' "
	       "'start=12288, size=8192, type=5' 'start=14336, size=2048, type=83' "
	       "'start=18432, size=2048, type=c' | sfdisk -q d.img");
	gbt_sh("rm -rf src && mkdir -p src/sub && head -c 70000 /dev/urandom > src/sub/blob && "
	       "echo hello > src/hello.txt && "
	       "mke2fs -q -F -t ext2 -b 1024 -d src -E offset=%u d.img 4096", 2048 * 512);
	put_marker("d.img", 2, 10240);
	put_marker("d.img", 5, 14336);
	put_marker("d.img", 6, 18432);
	/* sfdisk's own view (the oracle for the logical partitions' places) */
	gbt_sh("sfdisk -d d.img | grep -q 'd.img5 : start=       14336, size=        2048, type=83'");
	gbt_sh("sfdisk -d d.img | grep -q 'd.img6 : start=       18432, size=        2048, type=c'");
	s = gbt_scan("d.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->offset, 0);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "dos");
	e = child(s, "extfs", "p1-linux");
	assert_int_equal(e->offset, 2048 * 512);
	gbt_assert_file_matches(s, "extfs", "/sub/blob", "src/sub/blob");
	gbt_assert_file_matches(s, "extfs", "/hello.txt", "src/hello.txt");
	assert_marker(s, "p2-fat16", 2, 10240);
	assert_marker(s, "p5-linux", 5, 14336);
	assert_marker(s, "p6-fat32", 6, 18432);
	/* the extended container itself is not a partition */
	assert_int_equal(gbt_count_nodes(s, "mbr"), 1);
	gb_scan_free(s);
}

static void test_sgdisk_gpt(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n, *e;

	(void)state;
	if (!gbt_have_tool("sgdisk") || !gbt_have_tool("mke2fs"))
		skip();
	gbt_sh("rm -f g.img && truncate -s 10M g.img && "
	       "sgdisk -n 1:2048:4095 -c 1:boot -t 1:ef00 -n 2:4096:16383 -c 2:rootfs "
	       "-t 2:8300 g.img >/dev/null");
	gbt_sh("rm -rf src && mkdir -p src/etc && echo root:x:0:0 > src/etc/passwd && "
	       "head -c 50000 /dev/urandom > src/r.bin && "
	       "mke2fs -q -F -t ext2 -b 1024 -d src -E offset=%u g.img 6144", 4096 * 512);
	put_marker("g.img", 1, 2048);
	s = gbt_scan("g.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "gpt-512");
	assert_int_equal(n->size, 10 * 1024 * 1024);
	e = child(s, "extfs", "p2-rootfs");
	assert_int_equal(e->offset, 4096 * 512);
	gbt_assert_file_matches(s, "extfs", "/etc/passwd", "src/etc/passwd");
	gbt_assert_file_matches(s, "extfs", "/r.bin", "src/r.bin");
	assert_marker(s, "p1-boot", 1, 2048);
	gb_scan_free(s);
}

/* A GPT by hand: sector size ss, partitions (first, last, name) at their
 * places, optional corruption: "hdrcrc", "arrcrc", "count", "none". */
static void gpt_py(const char *out, unsigned ss, const char *bad)
{
	gbt_sh("python3 - <<'EOF'\n"
	       "import struct, zlib, uuid\n"
	       "ss=%u; bad='%s'; nsec=128\n"
	       "img=bytearray(ss*nsec)\n"
	       "mbr=bytearray(512); mbr[446:462]=struct.pack('<B3sB3sII',0,b'\\0\\2\\0',0xee,b'\\xff\\xff\\xff',1,nsec-1)\n"
	       "mbr[510:512]=b'\\x55\\xaa'; img[0:512]=mbr\n"
	       "parts=[(8,15,'kern'),(16,47,'data')]\n"
	       "ents=bytearray(128*128)\n"
	       "for i,(f,l,nm) in enumerate(parts):\n"
	       "    e=uuid.UUID('0fc63daf-8483-4772-8e79-3d69d8477de4').bytes_le+uuid.uuid4().bytes_le\n"
	       "    e+=struct.pack('<QQQ',f,l,0)+nm.encode('utf-16-le').ljust(72,b'\\0')\n"
	       "    ents[i*128:(i+1)*128]=e\n"
	       "n=128\n"
	       "acrc=zlib.crc32(ents)\n"
	       "if bad=='arrcrc': acrc^=1\n"
	       "if bad=='count': n=0x7fffffff\n"
	       "h=bytearray(struct.pack('<8sIIIIQQQQ16sQIII',b'EFI PART',0x10000,92,0,0,1,nsec-1,\n"
	       "   2+(128*128+ss-1)//ss,nsec-2-(128*128+ss-1)//ss,uuid.uuid4().bytes_le,2,n,128,acrc))\n"
	       "c=zlib.crc32(h)\n"
	       "if bad=='hdrcrc': c^=1\n"
	       "h[16:20]=struct.pack('<I',c)\n"
	       "img[ss:ss+92]=h; img[2*ss:2*ss+len(ents)]=ents\n"
	       "img[8*ss:8*ss+4]=b'KERN'; img[16*ss:16*ss+4]=b'DATA'\n"
	       "open('%s','wb').write(img)\n"
	       "EOF",
	       ss, bad, out);
}

static const struct gb_region *region_at(const struct gb_scan *s, int node, uint64_t off)
{
	for (size_t i = 0; i < s->n_regions; i++)
		if (s->regions[i].node == node && s->regions[i].offset == off)
			return &s->regions[i];
	return NULL;
}

static void test_gpt_4096(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_region *r;

	(void)state;
	gpt_py("g4.img", 4096, "none");
	s = gbt_scan("g4.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "gpt-4096");
	r = region_at(s, n->id, 8 * 4096);
	assert_non_null(r);
	assert_int_equal(r->size, 8 * 4096);
	r = region_at(s, n->id, 16 * 4096);
	assert_non_null(r);
	assert_int_equal(r->size, 32 * 4096);
	gb_scan_free(s);

	gpt_py("g5.img", 512, "none");
	s = gbt_scan("g5.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_string_equal(n->variant, "gpt-512");
	assert_non_null(region_at(s, n->id, 8 * 512));
	gb_scan_free(s);
}

static void test_gpt_hostile(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	/* header CRC wrong: a protective MBR without a GPT is not a table */
	gpt_py("h.img", 512, "hdrcrc");
	s = gbt_scan("h.img", "out");
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* entry array CRC wrong: used, with a warning */
	gpt_py("a.img", 4096, "arrcrc");
	s = gbt_scan("a.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "CRC32 mismatch"));
	assert_non_null(region_at(s, n->id, 16 * 4096));
	gb_scan_free(s);
	/* absurd entry count (CRC recomputed): refused */
	gpt_py("c.img", 512, "count");
	s = gbt_scan("c.img", "out");
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* GPT truncated after the header: the array is missing */
	gpt_py("t.img", 4096, "none");
	gbt_sh("truncate -s 5000 t.img");
	s = gbt_scan("t.img", "out");
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	assert_non_null(strstr(n->error, "past the end"));
	gb_scan_free(s);
}

/* A DOS sector by hand: entries (status, type, start, count). */
struct ent {
	uint8_t status, type;
	uint32_t start, count;
};

static void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static void dos_sector(uint8_t *sec, const struct ent *e, unsigned n)
{
	memset(sec + 446, 0, 64);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *b = sec + 446 + 16 * i;

		b[0] = e[i].status;
		b[4] = e[i].type;
		put_le32(b + 8, e[i].start);
		put_le32(b + 12, e[i].count);
	}
	sec[510] = 0x55;
	sec[511] = 0xaa;
}

static struct gb_scan *scan_bytes(const uint8_t *img, size_t n)
{
	gbt_write_file("x.img", img, n);
	return gbt_scan("x.img", "out");
}

static void test_not_a_table(void **state)
{
	static uint8_t img[64 * 512];
	struct gb_scan *s;

	(void)state;
	/* FAT boot sectors end in 55AA and are no tables */
	if (gbt_have_tool("mkfs.fat")) {
		gbt_sh("rm -f f.img && mkfs.fat -C -F 12 f.img 1440 >/dev/null && "
		       "rm -f f32.img && mkfs.fat -C -F 32 f32.img 40000 >/dev/null");
		s = gbt_scan("f.img", "out");
		assert_null(gbt_node(s, "mbr"));
		gb_scan_free(s);
		s = gbt_scan("f32.img", "out");
		assert_null(gbt_node(s, "mbr"));
		gb_scan_free(s);
	}
	/* random sector ending in 55AA */
	gbt_sh("head -c 32768 /dev/urandom > r.img && printf '\\125\\252' | "
	       "dd of=r.img bs=1 seek=510 conv=notrunc status=none");
	s = gbt_scan("r.img", "out");
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* overlapping entries */
	memset(img, 0, sizeof(img));
	dos_sector(img, (struct ent[]){{0, 0x83, 1, 20}, {0, 0x83, 10, 20}}, 2);
	s = scan_bytes(img, sizeof(img));
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* a bad status byte */
	dos_sector(img, (struct ent[]){{0x81, 0x83, 1, 20}}, 1);
	s = scan_bytes(img, sizeof(img));
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* no partition at all; one starting at LBA 0 */
	dos_sector(img, NULL, 0);
	s = scan_bytes(img, sizeof(img));
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	dos_sector(img, (struct ent[]){{0, 0x83, 0, 20}}, 1);
	s = scan_bytes(img, sizeof(img));
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* the magic is meaningless away from the start */
	static uint8_t big[1024 + 64 * 512];
	memset(big, 0, sizeof(big));
	dos_sector(big + 1024, (struct ent[]){{0, 0x83, 1, 20}}, 1);
	s = scan_bytes(big, sizeof(big));
	assert_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
	/* control: the same sector at the start is a table */
	dos_sector(img, (struct ent[]){{0, 0x83, 1, 20}}, 1);
	s = scan_bytes(img, sizeof(img));
	assert_non_null(gbt_node(s, "mbr"));
	gb_scan_free(s);
}

static void test_dos_hostile(void **state)
{
	static uint8_t img[64 * 512];
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	/* EBR chain that loops back to itself: logicals once, then a warning */
	memset(img, 0, sizeof(img));
	dos_sector(img, (struct ent[]){{0, 0x83, 1, 3}, {0, 0x05, 8, 40}}, 2);
	dos_sector(img + 8 * 512, (struct ent[]){{0, 0x83, 2, 4}, {0, 0x05, 10, 20}}, 2);
	/* the second EBR's next pointer is itself */
	dos_sector(img + 18 * 512, (struct ent[]){{0, 0x83, 2, 4}, {0, 0x05, 10, 20}}, 2);
	s = scan_bytes(img, sizeof(img));
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "loops back"));
	assert_non_null(region_at(s, n->id, 10 * 512)); /* p5 */
	assert_non_null(region_at(s, n->id, 20 * 512)); /* p6 */
	gb_scan_free(s);

	/* a partition past the end, one truncated */
	dos_sector(img, (struct ent[]){{0x80, 0x83, 1, 3}, {0, 0x83, 60, 100}, {0, 0x0c, 5000, 9}},
		   3);
	s = scan_bytes(img, sizeof(img));
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "truncated"));
	assert_non_null(strstr(n->error, "past the end"));
	const struct gb_region *r = region_at(s, n->id, 60 * 512);
	assert_non_null(r);
	assert_int_equal(r->size, 4 * 512);
	gb_scan_free(s);

	/* an endless chain of EBRs, each pointing to the next: bounded */
	static uint8_t chain[300 * 512];
	memset(chain, 0, sizeof(chain));
	dos_sector(chain, (struct ent[]){{0, 0x05, 1, 299}}, 1);
	for (unsigned i = 0; i < 298; i++)
		dos_sector(chain + (1 + i) * 512, (struct ent[]){{0, 0, 0, 0}, {0, 0x05, i + 1, 1}}, 2);
	s = scan_bytes(chain, sizeof(chain));
	n = gbt_node(s, "mbr");
	assert_non_null(n);
	assert_non_null(strstr(n->error, "longer than"));
	gb_scan_free(s);
}

static void test_fat_in_partition(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	(void)state;
	if (!gbt_have_tool("sfdisk") || !gbt_have_tool("mkfs.fat") || !gbt_have_tool("mcopy"))
		skip();
	gbt_sh("rm -f mf.img && truncate -s 20M mf.img && "
	       "printf 'label: dos\\nstart=2048, size=30000, type=6\\n' | sfdisk -q mf.img && "
	       "mkfs.fat -F 16 --offset 2048 mf.img 15000 >/dev/null 2>&1 && "
	       "head -c 40000 /dev/urandom > in.bin && "
	       "MTOOLS_SKIP_CHECK=1 mcopy -i mf.img@@1M in.bin ::/in.bin");
	s = gbt_scan("mf.img", "out");
	n = child(s, "fat", "p1-fat16");
	assert_int_equal(n->offset, 2048 * 512);
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "fat", "/in.bin", "in.bin");
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sfdisk_dos),
		cmocka_unit_test(test_sgdisk_gpt),
		cmocka_unit_test(test_fat_in_partition),
		cmocka_unit_test(test_gpt_4096),
		cmocka_unit_test(test_gpt_hostile),
		cmocka_unit_test(test_not_a_table),
		cmocka_unit_test(test_dos_hostile),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
