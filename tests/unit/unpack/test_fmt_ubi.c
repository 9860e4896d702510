/* ubi: images made by ubinize (mtd-utils) from a mkfs.ubifs image (dynamic
 * volume) and raw bytes (static volume), checked against the source files
 * with sha256sum; the UBIFS in the volume is carved again and checked
 * against its source tree. Flash-dump variants made from them: PEBs out of
 * order, erased PEBs after the image, several copies of a LEB (newest wins,
 * a copy with a bad data CRC loses), a LEB missing; hostile volume tables
 * ("..", "/" in names, bad CRCs), absurd LEB numbers and sizes, truncation. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_ubi;

#define PEB 131072u
#define VID_OFF 2048u
#define DATA_OFF 4096u
#define LEB (PEB - DATA_OFF)
#define TOOLS "PATH=$PATH:/usr/sbin "

static bool need_tools(void)
{
	return (gbt_have_tool("mkfs.ubifs") || gbt_have_tool("/usr/sbin/mkfs.ubifs")) &&
	       (gbt_have_tool("ubinize") || gbt_have_tool("/usr/sbin/ubinize"));
}

static uint32_t ucrc(const void *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_be32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_be64(uint8_t *b, uint64_t v)
{
	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b + 4, (uint32_t)v);
}

/* A tree, its UBIFS image, 300001 random bytes, and the UBI image with a
 * dynamic "rootfs" (autoresize), a static "kernel" and an empty volume. */
static void make_ubi(void)
{
	static bool made;

	if (made)
		return;
	gbt_sh("rm -rf src && mkdir -p src/etc src/bin && seq 1 5000 > src/etc/numbers && "
	       "head -c 200000 /dev/urandom > src/bin/blob && ln -s ../etc/numbers src/bin/link && "
	       "chmod 4711 src/bin/blob && head -c 300001 /dev/urandom > kernel.bin");
	gbt_sh(TOOLS "mkfs.ubifs -r src -m 2048 -e 126976 -c 100 -x zlib -o rootfs.ubifs");
	gbt_sh("printf '%%s\\n' '[rootfs]' mode=ubi image=rootfs.ubifs vol_id=0 vol_type=dynamic "
	       "vol_name=rootfs vol_flags=autoresize '[kernel]' mode=ubi image=kernel.bin vol_id=1 "
	       "vol_type=static vol_name=kernel '[data]' mode=ubi vol_id=2 vol_type=dynamic "
	       "vol_size=1MiB vol_name=data > ubinize.cfg");
	gbt_sh(TOOLS "ubinize -o ubi.img -m 2048 -p 128KiB ubinize.cfg");
	made = true;
}

static const struct gb_file *must(const struct gb_scan *s, const char *fmt, const char *path)
{
	const struct gb_file *f = gbt_file(s, fmt, path);
	if (!f)
		fail_msg("%s not recorded in %s", path, fmt);
	return f;
}

static void check_ubifs_inside(const struct gb_scan *s)
{
	const struct gb_node *n = gbt_node(s, "ubifs");

	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "ubifs", "/etc/numbers", "src/etc/numbers");
	gbt_assert_file_matches(s, "ubifs", "/bin/blob", "src/bin/blob");
	gbt_assert_mode(s, "ubifs", "/bin/blob", 04711);
	gbt_assert_symlink(s, "ubifs", "/bin/link", "../etc/numbers");
}

static void test_ubinize(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct stat st;

	if (!need_tools())
		skip();
	make_ubi();
	s = gbt_scan("ubi.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "peb-128k");
	assert_int_equal(n->offset, 0);
	assert_int_equal(stat("ubi.img", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);
	gbt_assert_file_matches(s, "ubi", "/kernel", "kernel.bin");
	gbt_assert_file_matches(s, "ubi", "/rootfs", "rootfs.ubifs");
	assert_null(gbt_file(s, "ubi", "/data")); /* no LEB mapped */
	assert_int_equal(gbt_count_files(s, n->id), 2);
	check_ubifs_inside(s);
	gb_scan_free(s);
}

/* ---- flash dumps made from the ubinize image ----------------------------- */

struct img {
	uint8_t *p;
	size_t n;
};

static struct img load(void)
{
	struct img m;
	m.p = gbt_read_file("ubi.img", &m.n);
	assert_int_equal(m.n % PEB, 0);
	return m;
}

/* The PEB holding (vol_id, lnum), or -1. */
static long find_peb(const struct img *m, uint32_t vol_id, uint32_t lnum)
{
	for (size_t i = 0; i < m->n / PEB; i++) {
		const uint8_t *v = m->p + i * PEB + VID_OFF;
		if (!memcmp(v, "UBI!", 4) && be32(v + 8) == vol_id && be32(v + 12) == lnum)
			return (long)i;
	}
	return -1;
}

static void seal_vid(uint8_t *v)
{
	put_be32(v + 60, ucrc(v, 60));
}

/* Append a copy of PEB i with new data (first 16 bytes), sqnum and flags. */
static void add_copy(struct img *m, size_t i, uint64_t sqnum, const char *data, bool fix_crc)
{
	uint8_t *p;

	m->p = realloc(m->p, m->n + PEB);
	p = m->p + m->n;
	memcpy(p, m->p + i * PEB, PEB);
	m->n += PEB;
	memcpy(p + DATA_OFF, data, 16);
	p[VID_OFF + 6] = 1; /* copy_flag */
	put_be64(p + VID_OFF + 40, sqnum);
	if (fix_crc)
		put_be32(p + VID_OFF + 32, ucrc(p + DATA_OFF, be32(p + VID_OFF + 20)));
	seal_vid(p + VID_OFF);
}

/* PEBs reversed, 8 erased PEBs appended, LEB 1 of "kernel" rewritten twice
 * (a good newer copy and a newest copy with a bad data CRC). */
static void test_raw_dump(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m;
	uint8_t *rev;
	long k1;
	size_t npeb;
	FILE *exp;
	uint8_t *kern;
	size_t kn;

	if (!need_tools())
		skip();
	make_ubi();
	m = load();
	k1 = find_peb(&m, 1, 1);
	assert_true(k1 >= 0);
	add_copy(&m, (size_t)k1, 1000000, "NEWER COPY DATA!", true);
	add_copy(&m, (size_t)k1, 2000000, "NEWEST BAD CRC!!", false);
	npeb = m.n / PEB;
	rev = malloc(m.n + 8 * PEB);
	for (size_t i = 0; i < npeb; i++)
		memcpy(rev + i * PEB, m.p + (npeb - 1 - i) * PEB, PEB);
	memset(rev + m.n, 0xff, 8 * PEB);
	gbt_write_file("dump.img", rev, m.n + 8 * PEB);
	free(rev);
	free(m.p);
	kern = gbt_read_file("kernel.bin", &kn);
	memcpy(kern + LEB, "NEWER COPY DATA!", 16);
	exp = fopen("kernel.expected", "wb");
	fwrite(kern, 1, kn, exp);
	fclose(exp);
	free(kern);

	s = gbt_scan("dump.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->offset, 0);
	assert_int_equal(n->size, (npeb) * (uint64_t)PEB); /* erased PEBs are not covered */
	assert_int_equal(n->status, GB_STATUS_PARTIAL);     /* the bad copy is reported */
	assert_non_null(strstr(n->error, "LEB"));
	gbt_assert_file_matches(s, "ubi", "/kernel", "kernel.expected");
	gbt_assert_file_matches(s, "ubi", "/rootfs", "rootfs.ubifs");
	check_ubifs_inside(s);
	gb_scan_free(s);
}

/* LEB 1 of the static volume erased: 0xff-filled, flagged. */
static void test_missing_leb(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m;
	long k1;
	uint8_t *kern;
	size_t kn;

	if (!need_tools())
		skip();
	make_ubi();
	m = load();
	k1 = find_peb(&m, 1, 1);
	assert_true(k1 >= 0);
	memset(m.p + (size_t)k1 * PEB, 0xff, PEB);
	gbt_write_file("hole.img", m.p, m.n);
	free(m.p);
	kern = gbt_read_file("kernel.bin", &kn);
	memset(kern + LEB, 0xff, LEB);
	gbt_write_file("kernel.expected", kern, kn);
	free(kern);

	s = gbt_scan("hole.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "missing"));
	gbt_assert_file_matches(s, "ubi", "/kernel", "kernel.expected");
	gbt_assert_file_matches(s, "ubi", "/rootfs", "rootfs.ubifs");
	gb_scan_free(s);
}

/* Rewrite record `rec` of both volume-table copies with `name`. */
static void set_vtbl_name(struct img *m, unsigned rec, const char *name, bool fix_crc)
{
	for (uint32_t lnum = 0; lnum < 2; lnum++) {
		long i = find_peb(m, 0x7fffefff, lnum);
		assert_true(i >= 0);
		uint8_t *r = m->p + (size_t)i * PEB + DATA_OFF + rec * 172;
		memset(r + 16, 0, 128);
		memcpy(r + 16, name, strlen(name));
		r[14] = (uint8_t)(strlen(name) >> 8);
		r[15] = (uint8_t)strlen(name);
		if (fix_crc)
			put_be32(r + 168, ucrc(r, 168));
	}
}

static void test_hostile_vtbl_names(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m;

	if (!need_tools())
		skip();
	make_ubi();
	m = load();
	set_vtbl_name(&m, 0, "..", true);
	set_vtbl_name(&m, 1, "../../canary/k", true);
	gbt_write_file("names.img", m.p, m.n);
	free(m.p);
	gbt_sh("rm -rf canary && mkdir canary");

	s = gbt_scan("names.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "ubi", "/_.", "rootfs.ubifs");
	gbt_assert_file_matches(s, "ubi", "/.._.._canary_k", "kernel.bin");
	gbt_assert_dir_empty("canary");
	check_ubifs_inside(s);
	gb_scan_free(s);
}

/* Both volume-table copies damaged: volumes are named by id. */
static void test_bad_vtbl(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m;

	if (!need_tools())
		skip();
	make_ubi();
	m = load();
	set_vtbl_name(&m, 1, "other", false);
	gbt_write_file("vtbl.img", m.p, m.n);
	free(m.p);

	s = gbt_scan("vtbl.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "volume table"));
	gbt_assert_file_matches(s, "ubi", "/ubi_vol0", "rootfs.ubifs");
	gbt_assert_file_matches(s, "ubi", "/ubi_vol1", "kernel.bin");
	gb_scan_free(s);
}

/* Absurd LEB numbers, used_ebs and data_size; a bad VID CRC; a cut image. */
static void test_hostile_headers(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct img m;
	long i;
	uint8_t *v;

	if (!need_tools())
		skip();
	make_ubi();
	m = load();
	i = find_peb(&m, 0, 3); /* rootfs LEB 3 claims LEB 0x7fff0000 */
	v = m.p + (size_t)i * PEB + VID_OFF;
	put_be32(v + 12, 0x7fff0000);
	seal_vid(v);
	i = find_peb(&m, 1, 0); /* kernel LEB 0 claims used_ebs 2^32-1 and data_size 2^32-1 */
	v = m.p + (size_t)i * PEB + VID_OFF;
	put_be32(v + 24, 0xffffffff);
	put_be32(v + 20, 0xffffffff);
	seal_vid(v);
	i = find_peb(&m, 0, 4); /* bad VID CRC */
	m.p[(size_t)i * PEB + VID_OFF + 13] ^= 1;
	gbt_write_file("bad.img", m.p, m.n);
	gbt_write_file("cut.img", m.p, m.n - PEB - 1000);
	free(m.p);

	s = gbt_scan("bad.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	f = must(s, "ubi", "/rootfs");
	assert_true(f->size <= 40 * (uint64_t)PEB);
	f = must(s, "ubi", "/kernel");
	assert_true(f->incomplete);
	assert_true(f->size <= 40 * (uint64_t)PEB);
	gb_scan_free(s);

	s = gbt_scan("cut.img", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "truncated"));
	gb_scan_free(s);
}

/* ---- probe on hand-built headers ------------------------------------------ */

static void ec_hdr(uint8_t *p, uint32_t vid, uint32_t data, uint32_t seq)
{
	memset(p, 0, 64);
	memcpy(p, "UBI#", 4);
	p[4] = 1;
	put_be32(p + 16, vid);
	put_be32(p + 20, data);
	put_be32(p + 24, seq);
	put_be32(p + 60, ucrc(p, 60));
}

static void test_probe(void **state)
{
	uint8_t *buf = malloc(64 * 1024);
	struct gb_probe p;
	struct gb_span sp;

	/* 1 KiB PEBs, 20 of them, then other data */
	memset(buf, 0x5a, 64 * 1024);
	for (int i = 0; i < 20; i++) {
		memset(buf + i * 1024, 0xff, 1024);
		ec_hdr(buf + i * 1024, 64, 128, 77);
	}
	sp = gb_span_make(buf, 64 * 1024);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), 0);
	assert_int_equal(p.size, 20 * 1024);
	assert_string_equal(p.variant, "peb-1k");
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	/* PEB 1 erased (a bad block in a dump): the PEB size is not doubled */
	memset(buf + 1024, 0xff, 1024);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), 0);
	assert_int_equal(p.size, 20 * 1024);
	assert_string_equal(p.variant, "peb-1k");
	ec_hdr(buf + 1024, 64, 128, 77);
	/* another UBI image (other image_seq) right after: not covered */
	ec_hdr(buf + 20 * 1024, 64, 128, 78);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), 0);
	assert_int_equal(p.size, 20 * 1024);
	/* one PEB only */
	sp = gb_span_make(buf, 1024);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), 0);
	assert_int_equal(p.size, 1024);
	/* bad CRC, version, offsets */
	sp = gb_span_make(buf, 64 * 1024);
	buf[10] ^= 1;
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), -GB_ENOTFOUND);
	ec_hdr(buf, 64, 32, 77); /* data before the VID header */
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), -GB_ENOTFOUND);
	ec_hdr(buf, 64, 0x7fffffff, 77);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), -GB_ENOTFOUND);
	ec_hdr(buf, 64, 128, 77);
	buf[4] = 2;
	put_be32(buf + 60, ucrc(buf, 60));
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), -GB_ENOTFOUND);
	sp = gb_span_make(buf, 10);
	assert_int_equal(gb__fmt_ubi.probe(&sp, &p), -GB_ENOTFOUND);
	free(buf);
}

/* EC headers only (erased UBI): detected, nothing to extract, no crash. */
static void test_empty_ubi(void **state)
{
	uint8_t *buf = malloc(16 * 2048);
	struct gb_scan *s;
	const struct gb_node *n;

	memset(buf, 0xff, 16 * 2048);
	for (int i = 0; i < 16; i++)
		ec_hdr(buf + i * 2048, 512, 1024, 1);
	gbt_write_file("empty.ubi", buf, 16 * 2048);
	free(buf);
	s = gbt_scan("empty.ubi", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->size, 16 * 2048);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_int_equal(gbt_count_files(s, n->id), 0);
	gb_scan_free(s);
}

/* 62 volumes, each one LEB far out: the volumes together never take more
 * than the image's LEB bytes (no quadratic 0xff fill). */
static void test_gap_budget(void **state)
{
	uint8_t *buf = malloc(64 * 1024);
	struct gb_scan *s;
	const struct gb_node *n;
	uint64_t total = 0;

	memset(buf, 0xff, 64 * 1024);
	for (uint32_t i = 0; i < 64; i++) {
		uint8_t *v = buf + i * 1024 + 64;
		ec_hdr(buf + i * 1024, 64, 128, 1);
		if (i < 2)
			continue;
		memset(v, 0, 64);
		memcpy(v, "UBI!", 4);
		v[4] = 1;
		v[5] = 1;
		put_be32(v + 8, i);      /* vol_id */
		put_be32(v + 12, 60);    /* lnum */
		put_be64(v + 40, i);
		seal_vid(v);
	}
	gbt_write_file("gaps.ubi", buf, 64 * 1024);
	free(buf);
	s = gbt_scan("gaps.ubi", "out");
	n = gbt_node(s, "ubi");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id)
			total += s->files[i].size;
	assert_true(total > 0);
	assert_true(total <= 64 * 896);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_ubinize),
		cmocka_unit_test(test_raw_dump),
		cmocka_unit_test(test_missing_leb),
		cmocka_unit_test(test_hostile_vtbl_names),
		cmocka_unit_test(test_bad_vtbl),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_empty_ubi),
		cmocka_unit_test(test_gap_budget),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
