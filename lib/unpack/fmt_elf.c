/* elf: Executable and Linkable Format (identification only).
 *
 * Layout (System V ABI), fields in the byte order of e_ident[EI_DATA]:
 *    0  e_ident[16]   7f 'E' 'L' 'F', class (1: 32-bit, 2: 64-bit),
 *                     data (1: LSB, 2: MSB), version (1), OS ABI, padding
 *   16  u16 e_type    1 REL, 2 EXEC, 3 DYN, 4 CORE
 *   18  u16 e_machine EM_* (3: 386, 8: MIPS, 40: ARM, 62: X86_64, 183: AARCH64 ...)
 *   20  u32 e_version 1
 *   24  e_entry, e_phoff, e_shoff (4 bytes each in ELF32, 8 in ELF64),
 *       u32 e_flags, u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
 *       e_shstrndx
 * Program headers (32/56 bytes) give each segment's file extent (p_offset,
 * p_filesz); section headers (40/64 bytes) give each section's (sh_offset,
 * sh_size; SHT_NOBITS takes no file space). With more than 0xff00 sections,
 * e_shnum is 0 and section 0's sh_size holds the count; with 0xffff program
 * headers, section 0's sh_info holds it.
 *
 * probe checks: e_ident, e_type, e_machine != 0, e_version, e_ehsize, the
 * header table entry sizes, and that the program header table fits. The size
 * is the furthest end of the ELF header, both header tables, every segment and
 * every section with file data. A section table past the end or with absurd
 * extents is ignored (variant notes "bad-sections"); segments past the end
 * are cut to the data available (variant notes "truncated").
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define ET_REL 1
#define ET_CORE 4
#define SHT_NULL 0
#define SHT_NOBITS 8
#define PN_XNUM 0xffff

struct elf {
	const struct gb_span *in;
	bool is64, be;
	uint16_t type, machine;
	uint16_t phentsize, shentsize;
	uint64_t phoff, shoff;
	uint64_t phnum, shnum;
	uint64_t size;     /* furthest end seen, clamped to in->n */
	bool bad_sections; /* the section table is unusable or points outside */
	bool truncated;    /* a segment runs past the data available */
};

static int rd16(const struct elf *e, uint64_t off, uint16_t *v)
{
	return e->be ? gb_rd_u16be(e->in, off, v) : gb_rd_u16le(e->in, off, v);
}

static int rd32(const struct elf *e, uint64_t off, uint32_t *v)
{
	return e->be ? gb_rd_u32be(e->in, off, v) : gb_rd_u32le(e->in, off, v);
}

/* An address or offset: 4 bytes in ELF32, 8 in ELF64. */
static int rdword(const struct elf *e, uint64_t off, uint64_t *v)
{
	uint32_t w;
	int r;

	if (e->is64)
		return e->be ? gb_rd_u64be(e->in, off, v) : gb_rd_u64le(e->in, off, v);
	r = rd32(e, off, &w);
	if (r == 0)
		*v = w;
	return r;
}

static const char *machine_name(uint16_t m)
{
	static const struct {
		uint16_t em;
		const char *name;
	} tab[] = {
		{2, "SPARC"}, {3, "386"}, {4, "68K"}, {8, "MIPS"}, {10, "MIPS_RS3_LE"},
		{15, "PARISC"}, {18, "SPARC32PLUS"}, {20, "PPC"}, {21, "PPC64"}, {22, "S390"},
		{40, "ARM"}, {42, "SH"}, {43, "SPARCV9"}, {50, "IA_64"}, {62, "X86_64"},
		{76, "CRIS"}, {83, "AVR"}, {92, "OPENRISC"}, {93, "ARC_COMPACT"},
		{94, "XTENSA"}, {106, "BLACKFIN"}, {113, "NIOS2"}, {140, "TI_C6000"},
		{164, "QDSP6"}, {167, "NDS32"}, {183, "AARCH64"}, {185, "AVR32"},
		{189, "MICROBLAZE"}, {195, "ARCV2"}, {243, "RISCV"}, {247, "BPF"},
		{252, "CSKY"}, {258, "LOONGARCH"},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].em == m)
			return tab[i].name;
	return NULL;
}

/* e_ident and the fixed header fields. */
static int read_ehdr(struct elf *e)
{
	const uint8_t *id = gb_span_at(e->in, 0, 16);
	uint16_t ehsize, phnum, shnum;
	uint32_t version;
	uint64_t b; /* where the class-dependent part after e_shoff starts */

	if (!id || memcmp(id, "\x7f" "ELF", 4) != 0)
		return -GB_ENOTFOUND;
	if ((id[4] != 1 && id[4] != 2) || (id[5] != 1 && id[5] != 2) || id[6] != 1)
		return -GB_ENOTFOUND;
	e->is64 = id[4] == 2;
	e->be = id[5] == 2;
	b = e->is64 ? 48 : 36;
	if (rd16(e, 16, &e->type) < 0 || rd16(e, 18, &e->machine) < 0 ||
	    rd32(e, 20, &version) < 0 || rdword(e, e->is64 ? 32 : 28, &e->phoff) < 0 ||
	    rdword(e, e->is64 ? 40 : 32, &e->shoff) < 0 || rd16(e, b + 4, &ehsize) < 0 ||
	    rd16(e, b + 6, &e->phentsize) < 0 || rd16(e, b + 8, &phnum) < 0 ||
	    rd16(e, b + 10, &e->shentsize) < 0 || rd16(e, b + 12, &shnum) < 0)
		return -GB_ENOTFOUND;
	if (e->type < ET_REL || e->type > ET_CORE || e->machine == 0 || version != 1)
		return -GB_ENOTFOUND;
	if (ehsize != (e->is64 ? 64 : 52))
		return -GB_ENOTFOUND;
	if (phnum && e->phentsize != (e->is64 ? 56 : 32))
		return -GB_ENOTFOUND;
	e->phnum = phnum;
	e->shnum = shnum;
	e->size = ehsize;
	return 0;
}

static void extend(struct elf *e, uint64_t end)
{
	if (end > e->size)
		e->size = end;
}

/* [off, off+n*ent) inside the data: the table's end in *ret. */
static bool table_fits(const struct elf *e, uint64_t off, uint64_t n, uint64_t ent, uint64_t *ret)
{
	uint64_t len;

	return gb_mul_u64(n, ent, &len) == 0 && gb_add_u64(off, len, ret) == 0 &&
	       *ret <= e->in->n;
}

/* Section table: counts from section 0 when e_shnum/e_phnum overflowed. */
static void scan_sections(struct elf *e)
{
	uint64_t end, soff = e->is64 ? 24 : 16, ssz = e->is64 ? 32 : 20;

	if (e->shoff == 0) {
		e->bad_sections = e->shnum != 0;
		return;
	}
	if (e->shentsize != (e->is64 ? 64 : 40) ||
	    !table_fits(e, e->shoff, 1, e->shentsize, &end)) {
		e->bad_sections = true;
		return;
	}
	if (e->shnum == 0 && rdword(e, e->shoff + ssz, &e->shnum) < 0)
		e->bad_sections = true;
	if (e->bad_sections || !table_fits(e, e->shoff, e->shnum, e->shentsize, &end)) {
		e->bad_sections = true;
		return;
	}
	extend(e, end);
	for (uint64_t i = 0; i < e->shnum; i++) {
		uint64_t h = e->shoff + i * e->shentsize, off, size, send;
		uint32_t type;

		if (rd32(e, h + 4, &type) < 0 || rdword(e, h + soff, &off) < 0 ||
		    rdword(e, h + ssz, &size) < 0) {
			e->bad_sections = true;
			return;
		}
		if (type == SHT_NULL || type == SHT_NOBITS)
			continue;
		if (gb_add_u64(off, size, &send) < 0 || send > e->in->n) {
			e->bad_sections = true;
			continue;
		}
		extend(e, send);
	}
}

/* PN_XNUM: the real program header count is section 0's sh_info. */
static int phnum_extended(struct elf *e)
{
	uint32_t info;
	uint64_t end;

	if (e->shoff == 0 || e->shentsize != (e->is64 ? 64 : 40) ||
	    !table_fits(e, e->shoff, 1, e->shentsize, &end) ||
	    rd32(e, e->shoff + (e->is64 ? 44 : 28), &info) < 0)
		return -GB_ENOTFOUND;
	e->phnum = info;
	return 0;
}

static int scan_segments(struct elf *e)
{
	uint64_t end, poff = e->is64 ? 8 : 4, psz = e->is64 ? 32 : 16;

	if (e->phnum == PN_XNUM && phnum_extended(e) < 0)
		return -GB_ENOTFOUND;
	if (e->phnum == 0)
		return 0;
	if (!table_fits(e, e->phoff, e->phnum, e->phentsize, &end))
		return -GB_ENOTFOUND;
	extend(e, end);
	for (uint64_t i = 0; i < e->phnum; i++) {
		uint64_t h = e->phoff + i * e->phentsize, off, filesz, send;

		if (rdword(e, h + poff, &off) < 0 || rdword(e, h + psz, &filesz) < 0)
			return -GB_ENOTFOUND;
		if (filesz == 0)
			continue;
		if (gb_add_u64(off, filesz, &send) < 0 || send > e->in->n) {
			e->truncated = true;
			send = e->in->n;
		}
		extend(e, send);
	}
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	static const char *const types[] = {"", "REL", "EXEC", "DYN", "CORE"};
	struct elf e = {.in = in};
	const char *mach;
	char mbuf[12];
	int r = read_ehdr(&e);

	if (r < 0)
		return r;
	r = scan_segments(&e);
	if (r < 0)
		return r;
	scan_sections(&e);

	mach = machine_name(e.machine);
	if (!mach) {
		snprintf(mbuf, sizeof(mbuf), "EM%u", e.machine);
		mach = mbuf;
	}
	memset(ret, 0, sizeof(*ret));
	/* A header cut short (e_ehsize past the end) still identifies: claim
	 * only what is there (fuzz_elf found this). */
	if (e.size > in->n) {
		e.size = in->n;
		e.truncated = true;
	}
	ret->size = e.size;
	ret->confidence = e.bad_sections || e.truncated ? GB_CONF_MEDIUM : GB_CONF_HIGH;
	ret->identify_only = true;
	if (e.truncated || e.bad_sections)
		snprintf(ret->variant, sizeof(ret->variant), "ELF%d %s %s %s", e.is64 ? 64 : 32,
			 mach, types[e.type], e.truncated ? "truncated" : "bad-sections");
	else
		snprintf(ret->variant, sizeof(ret->variant), "ELF%d %s %s %s", e.is64 ? 64 : 32,
			 e.be ? "MSB" : "LSB", mach, types[e.type]);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x7f" "ELF", 0),
};

const struct gb_format gb__fmt_elf = {
	.name = "elf",
	.description = "ELF executable, shared object, object file or core dump",
	.kind = GB_KIND_EXECUTABLE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = NULL,
};
