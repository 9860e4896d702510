/* linux: Linux kernel images.
 *
 * x86 bzImage (Documentation/arch/x86/boot.rst; little-endian):
 *   0x1f1  u8   setup_sects     real-mode setup sectors (0 means 4)
 *   0x1f4  u32  syssize         protected-mode code size in 16-byte units
 *   0x1fe  u16  boot_flag       0xaa55 (bytes 55 aa)
 *   0x202  "HdrS"               setup header magic
 *   0x206  u16  version         boot protocol (>= 0x0200)
 *   0x20e  u16  kernel_version  pointer - 0x200 to "5.4.72 (user@host) #1 ..."
 *   0x248  u32  payload_offset  (protocol >= 2.08) from the protected-mode
 *   0x24c  u32  payload_length   code at (setup_sects + 1) * 512
 *   The image is (setup_sects + 1) * 512 + syssize * 16 bytes.
 * ARM zImage (arch/arm/boot/compressed/head.S), words in the kernel's byte
 * order: 0x24 magic 0x016f2818, 0x28 start, 0x2c end (the image is end -
 * start bytes), 0x30 0x04030201 (endianness marker, newer kernels). The
 * compressed kernel ("piggy") follows the decompressor stub.
 * ARM64 Image (Documentation/arch/arm64/booting.rst; little-endian):
 *   8 u64 text_offset, 16 u64 image_size (0 on kernels before 3.17),
 *   0x38 "ARM\x64". Not compressed.
 * RISC-V Image (Documentation/arch/riscv/boot-image-header.rst):
 *   8 u64 text_offset, 16 u64 image_size, 0x30 "RISCV\0\0\0" (deprecated),
 *   0x38 "RSC\x05" (header 0.2); either one with the other field zero, or
 *   both. Not compressed.
 * ELF vmlinux: an ELF executable holding a valid "Linux version" banner (what
 *   a bzImage's payload decompresses to); its extent is that of its program
 *   and section headers.
 * Banner: "Linux version <release> (<builder>) ..." in any uncompressed kernel
 *   (a decompressed ARM or MIPS kernel): identified only, variant = release.
 *
 * probe checks the magics and the header fields used (sizes inside the data
 * or clamped, boot flag, protocol version); the variant is the kernel release
 * when the header or the image shows it ("5.4.72"), else the image type.
 *
 * unpack: bzImage and zImage decode their compressed payload (bzImage: from
 * the header; zImage, or an old bzImage: the first gzip/xz/lzma/lzo/lz4/
 * zstd/bzip2 stream whose probe passes after the stub) with the engine's
 * single-stream decompressors into the file "vmlinux", watching the decoded
 * bytes for the banner (the variant becomes its release). The stub before
 * the payload is carved as a region (a DTB may sit there). Uncompressed
 * images (ARM64, RISC-V, ELF vmlinux) carve their bytes after the header as a
 * region. Either way the kernel's embedded initramfs (a newc cpio, raw or
 * compressed) is found by carving the kernel's bytes again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define BANNER "Linux version "
#define BANNER_LEN (sizeof(BANNER) - 1)
#define BANNER_MAX 512      /* longest banner line we look at */
#define BANNER_TRIES 256    /* banner candidates validated per search */
#define PAYLOAD_TRIES 64    /* compressed-stream candidates per zImage */
#define ELF_PH_MAX 4096
#define ELF_SH_MAX 65535

enum kind { K_BZIMAGE, K_ZIMAGE_LE, K_ZIMAGE_BE, K_ARM64, K_RISCV, K_ELF, K_BANNER };

static const char *const kind_names[] = {
	"bzImage", "zImage", "zImage-be", "arm64-Image", "riscv-Image", "vmlinux", "banner",
};

/* ---- the banner --------------------------------------------------------- */

/* The release of a valid banner at p (n bytes available): "Linux version "
 * then digits '.' digits and more non-blank bytes, then " (". Returns the
 * length of the banner line (to '\n', NUL or BANNER_MAX), or 0. */
static size_t banner_parse(const uint8_t *p, size_t n, char *rel, size_t reln)
{
	size_t i = BANNER_LEN, start, len;

	if (n < BANNER_LEN + 5 || memcmp(p, BANNER, BANNER_LEN) != 0)
		return 0;
	start = i;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == start || i >= n || p[i] != '.')
		return 0;
	i++;
	if (i >= n || p[i] < '0' || p[i] > '9')
		return 0;
	while (i < n && i - start < 64 && p[i] > 0x20 && p[i] < 0x7f)
		i++;
	if (i + 1 >= n || p[i] != ' ' || p[i + 1] != '(')
		return 0;
	if (rel) {
		len = i - start < reln ? i - start : reln - 1;
		memcpy(rel, p + start, len);
		rel[len] = '\0';
	}
	len = i;
	while (len < n && len < BANNER_MAX && p[len] != '\n' && p[len] != '\0')
		len++;
	return len;
}

/* Find a valid banner in p[0..n); the release goes to rel. */
static bool banner_find(const uint8_t *p, size_t n, char *rel, size_t reln)
{
	const uint8_t *q = p, *end = p + n;

	for (unsigned tries = 0; tries < BANNER_TRIES && q < end; tries++) {
		q = memmem(q, (size_t)(end - q), BANNER, BANNER_LEN);
		if (!q)
			return false;
		if (banner_parse(q, (size_t)(end - q), rel, reln))
			return true;
		q++;
	}
	return false;
}

/* Watches decoded data for the banner across chunk boundaries. */
struct banner_tap {
	bool found;
	char rel[32];
	uint8_t carry[BANNER_MAX];
	size_t ncarry;
	uint8_t win[2 * BANNER_MAX];
};

static void banner_tap(void *ctx, const uint8_t *buf, size_t n)
{
	struct banner_tap *t = ctx;
	size_t head = n < BANNER_MAX ? n : BANNER_MAX;

	if (t->found)
		return;
	/* the end of the previous chunk with the start of this one */
	memcpy(t->win, t->carry, t->ncarry);
	memcpy(t->win + t->ncarry, buf, head);
	if (banner_find(t->win, t->ncarry + head, t->rel, sizeof(t->rel)) ||
	    banner_find(buf, n, t->rel, sizeof(t->rel))) {
		t->found = true;
		return;
	}
	if (n >= BANNER_MAX) {
		memcpy(t->carry, buf + n - BANNER_MAX, BANNER_MAX);
		t->ncarry = BANNER_MAX;
	} else {
		size_t keep = t->ncarry + n > BANNER_MAX ? BANNER_MAX - n : t->ncarry;
		memmove(t->carry, t->carry + t->ncarry - keep, keep);
		memcpy(t->carry + keep, buf, n);
		t->ncarry = keep + n;
	}
}

/* ---- headers ------------------------------------------------------------ */

struct kimg {
	enum kind kind;
	uint64_t size;     /* bytes the image covers (clamped to the data) */
	uint64_t hdr;      /* header bytes not carved again (uncompressed kinds) */
	uint64_t pl_off;   /* bzImage: payload, when the header gives it */
	uint64_t pl_len;
	char rel[32];      /* kernel release, "" when unknown */
};

static uint64_t clamp(uint64_t v, const struct gb_span *in)
{
	return v < in->n ? v : in->n;
}

/* The first token of the bzImage's kernel_version string. */
static void bz_release(const struct gb_span *in, char *rel, size_t reln)
{
	uint16_t ptr;
	size_t i = 0;

	if (gb_rd_u16le(in, 0x20e, &ptr) < 0 || ptr == 0)
		return;
	for (uint64_t off = 0x200 + (uint64_t)ptr; i + 1 < reln; off++, i++) {
		uint8_t c;
		if (gb_rd_u8(in, off, &c) < 0 || c <= 0x20 || c >= 0x7f)
			break;
		rel[i] = (char)c;
	}
	rel[i] = '\0';
	if (i == 0 || rel[0] < '0' || rel[0] > '9')
		rel[0] = '\0';
}

static int parse_bzimage(const struct gb_span *in, struct kimg *k)
{
	uint8_t sects;
	uint16_t flag, ver;
	uint32_t syssize, off, len;
	uint64_t setup;

	if (!gb_span_eq(in, 0x202, "HdrS", 4) || gb_rd_u16le(in, 0x1fe, &flag) < 0 ||
	    flag != 0xaa55 || gb_rd_u16le(in, 0x206, &ver) < 0 || ver < 0x200 ||
	    gb_rd_u8(in, 0x1f1, &sects) < 0 || gb_rd_u32le(in, 0x1f4, &syssize) < 0)
		return -GB_ENOTFOUND;
	setup = ((uint64_t)(sects ? sects : 4) + 1) * 512;
	if (setup >= in->n)
		return -GB_ENOTFOUND;
	k->kind = K_BZIMAGE;
	k->size = ver >= 0x204 && syssize ? clamp(setup + (uint64_t)syssize * 16, in) : in->n;
	k->hdr = setup;
	if (ver >= 0x208 && gb_rd_u32le(in, 0x248, &off) == 0 && gb_rd_u32le(in, 0x24c, &len) == 0 &&
	    len > 0 && setup + off < k->size) {
		k->pl_off = setup + off;
		k->pl_len = len < k->size - k->pl_off ? len : k->size - k->pl_off;
	}
	bz_release(in, k->rel, sizeof(k->rel));
	return 0;
}

static int parse_zimage(const struct gb_span *in, struct kimg *k)
{
	uint32_t magic, start, end;
	bool be;

	if (gb_rd_u32le(in, 0x24, &magic) < 0)
		return -GB_ENOTFOUND;
	if (magic == 0x016f2818u)
		be = false;
	else if (magic == 0x18286f01u)
		be = true;
	else
		return -GB_ENOTFOUND;
	if ((be ? gb_rd_u32be(in, 0x28, &start) : gb_rd_u32le(in, 0x28, &start)) < 0 ||
	    (be ? gb_rd_u32be(in, 0x2c, &end) : gb_rd_u32le(in, 0x2c, &end)) < 0)
		return -GB_ENOTFOUND;
	if (end <= start || end - start < 0x40)
		return -GB_ENOTFOUND;
	k->kind = be ? K_ZIMAGE_BE : K_ZIMAGE_LE;
	k->size = clamp(end - start, in);
	k->hdr = 0x30;
	return 0;
}

/* ARM64 and RISC-V Image headers: 64 bytes, image_size at 16. */
static int parse_image(const struct gb_span *in, struct kimg *k)
{
	uint64_t isize;

	if (gb_span_eq(in, 0x38, "ARM\x64", 4))
		k->kind = K_ARM64;
	else if ((gb_span_eq(in, 0x30, "RISCV\0\0\0", 8) &&
		  (gb_span_eq(in, 0x38, "RSC\x05", 4) || gb_span_eq(in, 0x38, "\0\0\0\0", 4))) ||
		 (gb_span_eq(in, 0x38, "RSC\x05", 4) && gb_span_eq(in, 0x30, "\0\0\0\0\0\0\0\0", 8)))
		k->kind = K_RISCV; /* header 0.1 has only the first magic; "magic" is deprecated */
	else
		return -GB_ENOTFOUND;
	if (gb_rd_u64le(in, 16, &isize) < 0 || in->n <= 0x40)
		return -GB_ENOTFOUND;
	k->size = isize ? clamp(isize, in) : in->n;
	if (k->size <= 0x40)
		return -GB_ENOTFOUND;
	k->hdr = 0x40;
	banner_find(in->p, (size_t)k->size, k->rel, sizeof(k->rel));
	return 0;
}

/* Read an ELF field of 2, 4 or 8 bytes in the file's byte order. */
static int elf_rd(const struct gb_span *in, bool be, uint64_t off, unsigned w, uint64_t *v)
{
	uint16_t a = 0;
	uint32_t b = 0;
	int r;

	if (w == 2) {
		r = be ? gb_rd_u16be(in, off, &a) : gb_rd_u16le(in, off, &a);
		*v = a;
	} else if (w == 4) {
		r = be ? gb_rd_u32be(in, off, &b) : gb_rd_u32le(in, off, &b);
		*v = b;
	} else {
		r = be ? gb_rd_u64be(in, off, v) : gb_rd_u64le(in, off, v);
	}
	return r;
}

/* An ELF executable with a kernel banner inside its extent. */
static int parse_elf(const struct gb_span *in, struct kimg *k)
{
	uint8_t cls, data;
	uint64_t type, phoff, shoff, phnum, shnum, phent, shent, end, o, s;
	bool is64, be;
	unsigned w;

	if (!gb_span_eq(in, 0, "\x7f" "ELF", 4) || gb_rd_u8(in, 4, &cls) < 0 ||
	    gb_rd_u8(in, 5, &data) < 0 || (cls != 1 && cls != 2) || (data != 1 && data != 2))
		return -GB_ENOTFOUND;
	is64 = cls == 2;
	be = data == 2;
	w = is64 ? 8 : 4;
	if (elf_rd(in, be, 16, 2, &type) < 0 || (type != 2 && type != 3) ||
	    elf_rd(in, be, is64 ? 32 : 28, w, &phoff) < 0 ||
	    elf_rd(in, be, is64 ? 40 : 32, w, &shoff) < 0 ||
	    elf_rd(in, be, is64 ? 54 : 42, 2, &phent) < 0 ||
	    elf_rd(in, be, is64 ? 56 : 44, 2, &phnum) < 0 ||
	    elf_rd(in, be, is64 ? 58 : 46, 2, &shent) < 0 ||
	    elf_rd(in, be, is64 ? 60 : 48, 2, &shnum) < 0)
		return -GB_ENOTFOUND;
	if (phnum == 0 || phnum > ELF_PH_MAX || phent != (is64 ? 56u : 32u))
		return -GB_ENOTFOUND;
	end = is64 ? 64 : 52;
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t h = phoff + i * phent;
		if (elf_rd(in, be, h + (is64 ? 8 : 4), w, &o) < 0 ||
		    elf_rd(in, be, h + (is64 ? 32 : 16), w, &s) < 0)
			return -GB_ENOTFOUND;
		if (gb_add_u64(o, s, &o) == 0 && o <= in->n && o > end)
			end = o;
	}
	if (shnum && shnum <= ELF_SH_MAX && shent == (is64 ? 64u : 40u) &&
	    gb_add_u64(shoff, shnum * shent, &o) == 0 && o <= in->n && o > end)
		end = o;
	if (!banner_find(in->p, (size_t)end, k->rel, sizeof(k->rel)))
		return -GB_ENOTFOUND;
	k->kind = K_ELF;
	k->size = end;
	k->hdr = is64 ? 64 : 52;
	return 0;
}

static int parse_banner(const struct gb_span *in, struct kimg *k)
{
	size_t len = banner_parse(in->p, in->n, k->rel, sizeof(k->rel));

	if (!len)
		return -GB_ENOTFOUND;
	k->kind = K_BANNER;
	k->size = len;
	return 0;
}

static int parse(const struct gb_span *in, struct kimg *k)
{
	memset(k, 0, sizeof(*k));
	if (parse_bzimage(in, k) == 0 || parse_zimage(in, k) == 0 || parse_image(in, k) == 0 ||
	    parse_elf(in, k) == 0 || parse_banner(in, k) == 0)
		return 0;
	return -GB_ENOTFOUND;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct kimg k;

	if (parse(in, &k) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = k.size;
	ret->confidence = k.kind == K_BANNER || k.kind == K_ZIMAGE_LE || k.kind == K_ZIMAGE_BE
				  ? GB_CONF_MEDIUM : GB_CONF_HIGH;
	ret->identify_only = k.kind == K_BANNER;
	/* a whole ELF or raw kernel stays what the analyzers look into */
	if (k.kind == K_ELF)
		ret->file_kind = "elf";
	else if (k.kind == K_ARM64 || k.kind == K_RISCV)
		ret->file_kind = "data";
	snprintf(ret->variant, sizeof(ret->variant), "%s", k.rel[0] ? k.rel : kind_names[k.kind]);
	return 0;
}

/* ---- unpacking ---------------------------------------------------------- */

/* The compressors a kernel payload can use, with the bytes each starts with. */
static const struct {
	const char *format;
	const char *magic;
	size_t len;
} payload_kinds[] = {
	{"gzip", "\x1f\x8b\x08", 3},
	{"xz", "\xfd" "7zXZ\x00", 6},
	{"lzma", "\x5d\x00\x00", 3},
	{"lzop", "\x89" "LZO\x00", 5},
	{"lz4", "\x02\x21\x4c\x18", 4},
	{"zstd", "\x28\xb5\x2f\xfd", 4},
	{"bzip2", "BZh", 3},
};
#define N_PAYLOAD_KINDS (sizeof(payload_kinds) / sizeof(payload_kinds[0]))

/* Decode the payload that starts exactly at `pl` with whichever compressor
 * accepts it; -GB_ENOTFOUND when none does. */
static int decode_at(struct gb_unpack *u, const struct gb_span *pl, struct banner_tap *t,
		     const char **ret_fmt)
{
	for (size_t i = 0; i < N_PAYLOAD_KINDS; i++) {
		if (!gb_span_eq(pl, 0, payload_kinds[i].magic, payload_kinds[i].len))
			continue;
		int r = gb_unpack_stream(u, payload_kinds[i].format, pl, "vmlinux", banner_tap, t, NULL);
		if (r != -GB_ENOTFOUND) {
			*ret_fmt = payload_kinds[i].format;
			return r;
		}
	}
	return -GB_ENOTFOUND;
}

/* The next offset >= from (inside [from, end)) where a payload magic starts. */
static uint64_t next_magic(const struct gb_span *in, uint64_t from, uint64_t end)
{
	uint64_t best = end;

	for (size_t i = 0; i < N_PAYLOAD_KINDS; i++) {
		const uint8_t *q = memmem(in->p + from, (size_t)(end - from), payload_kinds[i].magic,
					  payload_kinds[i].len);
		if (q && (uint64_t)(q - in->p) < best)
			best = (uint64_t)(q - in->p);
	}
	return best;
}

/* Search [from, k->size) for the first stream a decompressor accepts. */
static int decode_search(struct gb_unpack *u, const struct gb_span *in, const struct kimg *k,
			 uint64_t from, struct banner_tap *t, uint64_t *ret_off, const char **ret_fmt)
{
	uint64_t off = from;

	for (unsigned tries = 0; tries < PAYLOAD_TRIES && off < k->size; tries++) {
		struct gb_span pl;

		off = next_magic(in, off, k->size);
		if (off >= k->size || gb_span_sub(in, off, k->size - off, &pl) < 0)
			break;
		int r = decode_at(u, &pl, t, ret_fmt);
		if (r != -GB_ENOTFOUND) {
			*ret_off = off;
			return r;
		}
		off++;
	}
	return -GB_ENOTFOUND;
}

static int unpack_compressed(struct gb_unpack *u, const struct gb_span *in, const struct kimg *k)
{
	struct banner_tap *t = calloc(1, sizeof(*t));
	const char *fmt = "?";
	uint64_t off = 0;
	int r = -GB_ENOTFOUND;

	if (!t)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	if (k->pl_len) {
		struct gb_span pl = {in->p + k->pl_off, (size_t)k->pl_len};
		off = k->pl_off;
		r = decode_at(u, &pl, t, &fmt);
		if (r == -GB_ENOTFOUND)
			gb_unpack_warn(u, "%s: no known compressed stream at the header's payload "
				       "offset 0x%llx: searching", kind_names[k->kind],
				       (unsigned long long)off);
	}
	if (r == -GB_ENOTFOUND)
		r = decode_search(u, in, k, k->hdr, t, &off, &fmt);
	if (r == -GB_ENOTFOUND) {
		off = k->size;
		r = gb_unpack_fail(u, -GB_ENOTFOUND, "%s: no gzip/xz/lzma/lzo/lz4/zstd/bzip2 payload "
				   "found in its %llu bytes", kind_names[k->kind],
				   (unsigned long long)k->size);
	}
	if (t->found)
		gb_unpack_set_variant(u, t->rel);
	free(t);
	/* the stub (zImage: it may hold a DTB) is carved again */
	if (k->kind != K_BZIMAGE && off > k->hdr) {
		int q = gb_unpack_region(u, k->hdr, off - k->hdr, "stub");
		if (q < 0)
			return q;
	}
	(void)fmt;
	return r;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct kimg k;

	if (parse(in, &k) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "kernel image header no longer valid");
	switch (k.kind) {
	case K_BZIMAGE:
	case K_ZIMAGE_LE:
	case K_ZIMAGE_BE:
		return unpack_compressed(u, in, &k);
	case K_ARM64:
	case K_RISCV:
	case K_ELF:
		/* not compressed: the kernel's own bytes after the header */
		return gb_unpack_region(u, k.hdr, k.size - k.hdr, "kernel");
	case K_BANNER:
		break;
	}
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("HdrS", 0x202),
	GB_MAGIC("\x18\x28\x6f\x01", 0x24),
	GB_MAGIC("\x01\x6f\x28\x18", 0x24),
	GB_MAGIC("ARM\x64", 0x38),
	GB_MAGIC("RISCV\0\0\0", 0x30),
	GB_MAGIC("RSC\x05", 0x38),
	GB_MAGIC("\x7f" "ELF", 0),
	GB_MAGIC(BANNER, 0),
};

const struct gb_format gb__fmt_linux = {
	.name = "linux",
	.description = "Linux kernel image (bzImage, zImage, Image, vmlinux)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
