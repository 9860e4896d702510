/* linux: synthetic kernel images built at test time. The fake kernel is
 * random "code", a "Linux version" banner, and an initramfs made by
 * `cpio -o -H newc` and gzip; xz and gzip compress it as the kernel's build
 * does. The headers (x86 boot sector + setup header, ARM zImage, ARM64 and
 * RISC-V Image, an ELF wrapper) are written here from the documented layouts.
 * Oracles: sha256sum of the fake kernel and of the files packed into the
 * cpio. Hostile cases: truncated payloads, payload offsets out of range,
 * absurd header fields, a decompression bomb. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_linux;

#define REL "6.1.77-gbtest"
#define BANNER_TEXT "Linux version " REL " (gb@build) (gcc 12.2.0) #1 SMP PREEMPT\n"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *cat(uint8_t *img, size_t *n, const void *data, size_t len)
{
	img = realloc(img, *n + len);
	assert_non_null(img);
	memcpy(img + *n, data, len);
	*n += len;
	return img;
}

static uint8_t *cat_file(uint8_t *img, size_t *n, const char *path)
{
	size_t len;
	uint8_t *d = gbt_read_file(path, &len);
	img = cat(img, n, d, len);
	free(d);
	return img;
}

/* kernel.raw: code, banner, more code, the gzip'd initramfs, padding. */
static void make_kernel(void)
{
	if (!gbt_have_tool("cpio") || !gbt_have_tool("xz"))
		skip();
	gbt_sh("rm -rf irfs && mkdir -p irfs/bin irfs/etc && printf '#!/bin/sh\\necho hi\\n' > irfs/init"
	       " && chmod 755 irfs/init && seq 1 3000 > irfs/etc/seq"
	       " && head -c 5000 /dev/urandom > irfs/bin/tool && ln -s tool irfs/bin/sh"
	       " && (cd irfs && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > irfs.cpio"
	       " && gzip -9 -n -c irfs.cpio > irfs.cpio.gz");
	gbt_sh("{ head -c 30000 /dev/urandom; printf '%%s' '" BANNER_TEXT "';"
	       " head -c 20000 /dev/urandom; head -c 100 /dev/zero; cat irfs.cpio.gz;"
	       " head -c 4000 /dev/zero; } > kernel.raw");
}

/* An ELF64 executable with one PT_LOAD over the whole file, holding `path`. */
static void make_elf(const char *path, const char *out)
{
	uint8_t h[64 + 56] = {0};
	size_t n = 0, len;
	uint8_t *body = gbt_read_file(path, &len), *img = NULL;

	memcpy(h, "\x7f" "ELF\x02\x01\x01", 7);
	put16(h + 16, 2);        /* ET_EXEC */
	put16(h + 18, 62);       /* x86-64 */
	put32(h + 20, 1);
	put64(h + 24, 0x1000000);
	put64(h + 32, 64);       /* phoff */
	put16(h + 52, 64);
	put16(h + 54, 56);
	put16(h + 56, 1);
	put32(h + 64, 1);        /* PT_LOAD */
	put64(h + 64 + 8, 0);    /* p_offset */
	put64(h + 64 + 32, sizeof(h) + len); /* p_filesz */
	img = cat(img, &n, h, sizeof(h));
	img = cat(img, &n, body, len);
	gbt_write_file(out, img, n);
	free(body);
	free(img);
}

/* A bzImage whose payload is `payload` (already compressed). */
static void make_bzimage(const char *payload, const char *out, uint32_t pl_off_delta)
{
	uint8_t *img = calloc(1, 1024);
	size_t n = 1024, plen;
	uint8_t *pl = gbt_read_file(payload, &plen);

	img[0x1f1] = 1; /* setup = 2 sectors */
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	put16(img + 0x20e, 0x100); /* string at 0x300 */
	memcpy(img + 0x300, REL " (gb@build) #1 SMP", sizeof(REL " (gb@build) #1 SMP"));
	img = cat(img, &n, "STUBSTUBSTUBSTUB", 16);
	img = cat(img, &n, pl, plen);
	img = cat(img, &n, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16 - plen % 16);
	put32(img + 0x1f4, (uint32_t)((n - 1024) / 16));
	put32(img + 0x248, 16 + pl_off_delta);
	put32(img + 0x24c, (uint32_t)plen);
	gbt_write_file(out, img, n);
	free(img);
	free(pl);
}

/* An ARM zImage: stub, then `payload` at 0x400; `be` stores the words
 * big-endian. */
static void make_zimage(const char *payload, const char *out, bool be)
{
	uint8_t *img = calloc(1, 0x400);
	size_t n = 0x400, plen;
	uint8_t *pl = gbt_read_file(payload, &plen);
	uint32_t words[3] = {0x016f2818u, 0, 0};

	for (unsigned i = 0; i < 9; i++)
		put32(img + 4 * i, 0xe1a00000u);
	memcpy(img + 0x100, "decompressor stub text", 22);
	img = cat(img, &n, pl, plen);
	words[2] = (uint32_t)n;
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *p = img + 0x24 + 4 * i;
		if (be) {
			p[0] = (uint8_t)(words[i] >> 24);
			p[1] = (uint8_t)(words[i] >> 16);
			p[2] = (uint8_t)(words[i] >> 8);
			p[3] = (uint8_t)words[i];
		} else {
			put32(p, words[i]);
		}
	}
	gbt_write_file(out, img, n);
	free(img);
	free(pl);
}

/* An Image of kernel.raw: 0 ARM64, 1 RISC-V (both magics), 2 RISC-V with
 * only "RSC\x05" (the first magic is deprecated). */
static void make_image(const char *out, int riscv)
{
	uint8_t h[64] = {0};
	size_t n = 0;
	uint8_t *img = NULL;

	put64(h + 8, 0x80000);
	img = cat(img, &n, h, sizeof(h));
	img = cat_file(img, &n, "kernel.raw");
	put64(img + 16, n);
	if (riscv) {
		if (riscv == 1)
			memcpy(img + 0x30, "RISCV\0\0\0", 8);
		memcpy(img + 0x38, "RSC\x05", 4);
	} else {
		memcpy(img + 0x38, "ARM\x64", 4);
	}
	gbt_write_file(out, img, n);
	free(img);
}

static const struct gb_node *node_with_variant(const struct gb_scan *s, const char *fmt,
					       const char *variant)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].format && strcmp(s->nodes[i].format, fmt) == 0 &&
		    s->nodes[i].variant && strcmp(s->nodes[i].variant, variant) == 0)
			return &s->nodes[i];
	return NULL;
}

/* The initramfs of kernel.raw was found and matches the packed tree. */
static void assert_initramfs(const struct gb_scan *s)
{
	assert_non_null(gbt_node(s, "cpio"));
	gbt_assert_file_matches(s, "cpio", "/etc/seq", "irfs/etc/seq");
	gbt_assert_file_matches(s, "cpio", "/bin/tool", "irfs/bin/tool");
	gbt_assert_symlink(s, "cpio", "/bin/sh", "tool");
}

static void assert_vmlinux(const struct gb_scan *s, const struct gb_node *k, const char *oracle)
{
	char want[65];

	for (size_t i = 0; i < s->n_files; i++) {
		const struct gb_file *f = &s->files[i];
		if (f->node == k->id && strcmp(f->path, "/vmlinux") == 0) {
			gbt_sha256sum(oracle, want);
			assert_string_equal(f->sha256, want);
			assert_false(f->incomplete);
			return;
		}
	}
	fail_msg("no /vmlinux in node %d", k->id);
}

static void test_bzimage_xz_elf(void **state)
{
	make_kernel();
	make_elf("kernel.raw", "vmlinux.elf");
	gbt_sh("xz --check=crc32 -6 -c vmlinux.elf > payload.xz");
	make_bzimage("payload.xz", "bzImage", 0);

	struct gb_probe pr;
	size_t n;
	uint8_t *img = gbt_read_file("bzImage", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, REL);
	free(img);

	struct gb_scan *s = gbt_scan("bzImage", "out");
	const struct gb_node *k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_int_equal(k->offset, 0);
	assert_int_equal(k->status, GB_STATUS_OK);
	assert_string_equal(k->variant, REL);
	assert_vmlinux(s, k, "vmlinux.elf");
	/* the ELF vmlinux stays an "elf" file for the analyzers */
	const struct gb_file *vf = gbt_file(s, "linux", "/vmlinux");
	assert_non_null(vf);
	assert_string_equal(vf->kind, "elf");
	/* the ELF vmlinux is recognised as a kernel and carved: the initramfs */
	assert_true(gbt_count_nodes(s, "linux") >= 2);
	assert_initramfs(s);
	gb_scan_free(s);
}

static void test_zimage_gzip(void **state)
{
	make_kernel();
	gbt_sh("gzip -9 -n -c kernel.raw > payload.gz");
	make_zimage("payload.gz", "zImage", false);
	struct gb_scan *s = gbt_scan("zImage", "out");
	const struct gb_node *k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_int_equal(k->status, GB_STATUS_OK);
	/* the release comes from the banner in the decoded kernel */
	assert_string_equal(k->variant, REL);
	assert_vmlinux(s, k, "kernel.raw");
	assert_initramfs(s);
	/* the banner of the raw kernel is identified on its own too */
	assert_non_null(node_with_variant(s, "linux", REL));
	gb_scan_free(s);

	/* big-endian words, xz payload */
	gbt_sh("xz -c kernel.raw > payload.xz");
	make_zimage("payload.xz", "zImage-be", true);
	s = gbt_scan("zImage-be", "out");
	k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_string_equal(k->variant, REL);
	assert_vmlinux(s, k, "kernel.raw");
	gb_scan_free(s);
}

static void test_arm64_riscv_images(void **state)
{
	make_kernel();
	for (int riscv = 0; riscv < 3; riscv++) {
		make_image("Image", riscv);
		struct gb_probe pr;
		size_t n;
		uint8_t *img = gbt_read_file("Image", &n);
		struct gb_span in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_linux.probe(&in, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_string_equal(pr.variant, REL);
		free(img);
		struct gb_scan *s = gbt_scan("Image", "out");
		const struct gb_node *k = gbt_node(s, "linux");
		assert_non_null(k);
		assert_int_equal(k->offset, 0);
		assert_int_equal(k->status, GB_STATUS_OK);
		assert_initramfs(s);
		gb_scan_free(s);
	}
}

static void test_banner_only(void **state)
{
	struct gb_probe pr;
	const char *good = BANNER_TEXT;
	const char *bad[] = {
		"Linux version %s (%s) #1\n", "Linux version 6 (x)", "Linux version 6.x (x)",
		"Linux version 6.1(x)", "Linux version ",
	};
	struct gb_span in = gb_span_make(good, strlen(good));

	assert_int_equal(gb__fmt_linux.probe(&in, &pr), 0);
	assert_true(pr.identify_only);
	assert_int_equal(pr.size, strlen(good) - 1);
	assert_string_equal(pr.variant, REL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = gb_span_make(bad[i], strlen(bad[i]));
		assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	}
}

static void test_truncated_payload(void **state)
{
	size_t n;

	make_kernel();
	gbt_sh("xz -c kernel.raw > payload.xz");
	make_bzimage("payload.xz", "bzImage", 0);
	uint8_t *img = gbt_read_file("bzImage", &n);
	gbt_write_file("cut", img, n - 20000);
	free(img);
	struct gb_scan *s = gbt_scan("cut", "out");
	const struct gb_node *k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_int_equal(k->status, GB_STATUS_PARTIAL);
	const struct gb_file *f = gbt_file(s, "linux", "/vmlinux");
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);
}

static void test_hostile_headers(void **state)
{
	struct gb_probe pr;
	size_t n;

	make_kernel();
	gbt_sh("gzip -n -c kernel.raw > payload.gz");
	/* payload offset off by 3: the header is wrong, the search still finds it */
	make_bzimage("payload.gz", "bz-off", 3);
	struct gb_scan *s = gbt_scan("bz-off", "out");
	const struct gb_node *k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_int_equal(k->status, GB_STATUS_PARTIAL);
	assert_vmlinux(s, k, "kernel.raw");
	gb_scan_free(s);

	/* payload offset far outside: searched from the setup's end */
	uint8_t *img = gbt_read_file("bz-off", &n);
	put32(img + 0x248, 0xfffffff0u);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), 0);
	/* setup larger than the file, no boot flag, old protocol */
	img[0x1f1] = 0xff;
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	img[0x1f1] = 1;
	img[0x1fe] = 0;
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	img[0x1fe] = 0x55;
	put16(img + 0x206, 0x01ff);
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);

	/* zImage: end before start, tiny, no payload at all */
	make_zimage("payload.gz", "z", false);
	img = gbt_read_file("z", &n);
	in = gb_span_make(img, n);
	put32(img + 0x28, 0x1000);
	put32(img + 0x2c, 0x800);
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	put32(img + 0x28, 0);
	put32(img + 0x2c, 0x20);
	assert_int_equal(gb__fmt_linux.probe(&in, &pr), -GB_ENOTFOUND);
	put32(img + 0x2c, 0x400);
	gbt_write_file("z-empty", img, 0x400);
	free(img);
	s = gbt_scan("z-empty", "out");
	k = gbt_node(s, "linux");
	assert_non_null(k);
	assert_int_not_equal(k->status, GB_STATUS_OK); /* the stub is still carved */
	assert_non_null(strstr(k->error, "no gzip"));
	gb_scan_free(s);
}

static void test_bomb_is_stopped(void **state)
{
	struct gb_limits lim;

	gbt_sh("head -c 64M /dev/zero | gzip -9 > zeros.gz");
	make_zimage("zeros.gz", "zImage", false);
	gb_limits_default(&lim);
	lim.ratio_floor = 1 << 20;
	lim.max_ratio = 50;
	struct gb_scan *s = gbt_scan_limits("zImage", "out", &lim);
	const struct gb_node *k = gbt_node(s, "linux");
	assert_non_null(k);
	const struct gb_file *f = gbt_file(s, "linux", "/vmlinux");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size < (8u << 20));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage_xz_elf),
		cmocka_unit_test(test_zimage_gzip),
		cmocka_unit_test(test_arm64_riscv_images),
		cmocka_unit_test(test_banner_only),
		cmocka_unit_test(test_truncated_payload),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_bomb_is_stopped),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
