/* elf_file: open one ELF with libelf and collect what the elf analyzer needs.
 *
 * The facts follow readelf's reading, which is what truth.json and the
 * evaluators use: program headers (PT_INTERP, PT_DYNAMIC, PT_GNU_RELRO,
 * PT_GNU_STACK), the dynamic segment (DT_FLAGS, DT_FLAGS_1, DT_BIND_NOW,
 * DT_PLTGOT, the MIPS GOT tags, DT_STRTAB for the names), the .dynsym
 * section (or, in files whose section table was removed as OpenWrt's sstrip
 * does, DT_SYMTAB sized by DT_HASH or DT_GNU_HASH) and the section names.
 *
 * libelf checks that every table it hands out lies inside the file; the
 * addresses and offsets we follow ourselves (DT_STRTAB, the hash tables,
 * PT_INTERP) are checked against the file size here.
 */
#include <string.h>

#include <glassbox/errors.h>

#include "analyze/elf_int.h"

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

#define MAX_PHDRS 4096
#define MAX_DYN 100000
#define MAX_SYMS (1u << 22)

int64_t gb__elf_vaddr_off(const struct gb__elf *e, uint64_t vaddr, uint64_t len)
{
	size_t phnum;

	if (elf_getphdrnum(e->elf, &phnum) != 0)
		return -1;
	if (phnum > MAX_PHDRS)
		phnum = MAX_PHDRS;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		uint64_t rel = vaddr - ph.p_vaddr;
		if (len > ph.p_filesz - rel)
			continue;
		if (ph.p_offset > e->n || rel > e->n - ph.p_offset || len > e->n - ph.p_offset - rel)
			continue;
		return (int64_t)(ph.p_offset + rel);
	}
	return -1;
}

static void read_phdrs(struct gb__elf *e, uint64_t *dyn_off, uint64_t *dyn_size)
{
	size_t phnum;

	if (elf_getphdrnum(e->elf, &phnum) != 0)
		return;
	if (phnum > MAX_PHDRS)
		phnum = MAX_PHDRS;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e->elf, (int)i, &ph))
			break;
		switch (ph.p_type) {
		case PT_INTERP:
			e->has_interp = true;
			if (ph.p_offset < e->n) {
				size_t max = e->n - ph.p_offset;
				if (ph.p_filesz < max)
					max = ph.p_filesz;
				e->interp = (const char *)e->p + ph.p_offset;
				e->interp_len = strnlen(e->interp, max);
			}
			break;
		case PT_DYNAMIC:
			e->has_dynamic = true;
			*dyn_off = ph.p_offset;
			*dyn_size = ph.p_filesz;
			break;
		case PT_GNU_RELRO:
			e->has_relro = true;
			break;
		case PT_GNU_STACK:
			e->has_stack = true;
			e->stack_x = (ph.p_flags & PF_X) != 0;
			break;
		default:
			break;
		}
	}
}

struct dyn_addrs {
	uint64_t strtab, strsz, symtab, hash, gnu_hash;
	bool have_strtab, have_symtab;
};

static void read_dynamic(struct gb__elf *e, uint64_t off, uint64_t size, struct dyn_addrs *a)
{
	GElf_Dyn d;

	if (!size || off > e->n || size > e->n - off)
		return;
	e->dyn = elf_getdata_rawchunk(e->elf, (int64_t)off, size, ELF_T_DYN);
	if (!e->dyn)
		return;
	for (size_t i = 0; i < MAX_DYN && gelf_getdyn(e->dyn, (int)i, &d); i++) {
		e->n_dyn = i + 1;
		uint64_t v = d.d_un.d_val;
		switch (d.d_tag) {
		case DT_NULL:
			return;
		case DT_STRTAB:
			a->strtab = v;
			a->have_strtab = true;
			break;
		case DT_STRSZ:
			a->strsz = v;
			break;
		case DT_SYMTAB:
			a->symtab = v;
			a->have_symtab = true;
			break;
		case DT_HASH:
			a->hash = v;
			break;
		case DT_GNU_HASH:
			a->gnu_hash = v;
			break;
		case DT_BIND_NOW:
			e->bind_now = true;
			break;
		case DT_FLAGS:
			if (v & DF_BIND_NOW)
				e->bind_now = true;
			break;
		case DT_FLAGS_1:
			if (v & DF_1_NOW)
				e->bind_now = true;
			if (v & DF_1_PIE)
				e->pie_flag = true;
			break;
		case DT_PLTGOT:
			e->pltgot = v;
			break;
		default:
			if (e->eh.e_machine != EM_MIPS)
				break;
			if (d.d_tag == DT_MIPS_LOCAL_GOTNO) {
				e->mips_local_gotno = v;
				e->has_mips_got = true;
			} else if (d.d_tag == DT_MIPS_GOTSYM) {
				e->mips_gotsym = v;
			} else if (d.d_tag == DT_MIPS_SYMTABNO) {
				e->mips_symtabno = v;
			}
			break;
		}
	}
}

/* The string table named by DT_STRTAB/DT_STRSZ, as file bytes. */
static void map_dynstr(struct gb__elf *e, const struct dyn_addrs *a)
{
	if (!a->have_strtab || !a->strsz)
		return;
	int64_t off = gb__elf_vaddr_off(e, a->strtab, a->strsz);
	if (off < 0)
		return;
	e->dynstr = e->p + off;
	e->dynstr_len = (size_t)a->strsz;
}

static uint32_t rd32(const struct gb__elf *e, const uint8_t *b)
{
	if (e->be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* Number of dynamic symbols from DT_HASH (nchain) or DT_GNU_HASH (highest
 * index reachable from the buckets, plus one); 0 when neither is readable. */
static size_t dynsym_count(const struct gb__elf *e, const struct dyn_addrs *a)
{
	int64_t off;

	if (a->hash && (off = gb__elf_vaddr_off(e, a->hash, 8)) >= 0)
		return rd32(e, e->p + off + 4);
	if (!a->gnu_hash || (off = gb__elf_vaddr_off(e, a->gnu_hash, 16)) < 0)
		return 0;
	const uint8_t *h = e->p + off;
	uint64_t nbuckets = rd32(e, h), symoffset = rd32(e, h + 4), bloom = rd32(e, h + 8);
	uint64_t buckets = a->gnu_hash + 16 + bloom * (e->is64 ? 8 : 4);
	if (nbuckets > MAX_SYMS || bloom > MAX_SYMS || (off = gb__elf_vaddr_off(e, buckets, nbuckets * 4)) < 0)
		return 0;
	uint64_t max = 0;
	for (uint64_t i = 0; i < nbuckets; i++) {
		uint32_t b = rd32(e, e->p + off + i * 4);
		if (b > max)
			max = b;
	}
	if (max < symoffset)
		return (size_t)symoffset;
	uint64_t chain = buckets + nbuckets * 4;
	for (uint64_t idx = max; idx < MAX_SYMS; idx++) {
		int64_t c = gb__elf_vaddr_off(e, chain + (idx - symoffset) * 4, 4);
		if (c < 0)
			return 0;
		if (rd32(e, e->p + c) & 1)
			return (size_t)idx + 1;
	}
	return 0;
}

/* .dynsym and its strings from the section table. */
static bool dynsym_from_sections(struct gb__elf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		Elf_Scn *str = elf_getscn(e->elf, sh.sh_link);
		Elf_Data *sd = str ? elf_getdata(str, NULL) : NULL;
		size_t ent = gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
		if (!d || !ent)
			return false;
		e->sym = d;
		e->n_sym = d->d_size / ent;
		if (sd && sd->d_buf) {
			e->symstr = sd->d_buf;
			e->symstr_len = sd->d_size;
		}
		return true;
	}
	return false;
}

static void dynsym_from_dynamic(struct gb__elf *e, const struct dyn_addrs *a)
{
	size_t ent = gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	size_t count = dynsym_count(e, a);
	if (!a->have_symtab || !count || !ent || count > MAX_SYMS)
		return;
	int64_t off = gb__elf_vaddr_off(e, a->symtab, (uint64_t)count * ent);
	if (off < 0)
		return;
	e->sym = elf_getdata_rawchunk(e->elf, off, count * ent, ELF_T_SYM);
	if (!e->sym)
		return;
	e->n_sym = count;
	e->symstr = e->dynstr;
	e->symstr_len = e->dynstr_len;
}

static void read_sections(struct gb__elf *e)
{
	size_t shnum;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrnum(e->elf, &shnum) != 0 || shnum == 0 || elf_getshdrstrndx(e->elf, &e->shstrndx) != 0)
		return;
	e->have_sections = true;
	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(e->elf, e->shstrndx, sh.sh_name);
		if (name && strcmp(name, ".symtab") == 0)
			e->has_symtab = true;
	}
}

const char *gb__elf_symname(const struct gb__elf *e, const GElf_Sym *s)
{
	if (!e->symstr || s->st_name >= e->symstr_len)
		return NULL;
	const char *p = (const char *)e->symstr + s->st_name;
	return memchr(p, '\0', e->symstr_len - s->st_name) ? p : NULL;
}

int gb__elf_open(struct gb__elf *e, const uint8_t *p, size_t n)
{
	struct dyn_addrs a = {0};
	uint64_t dyn_off = 0, dyn_size = 0;

	memset(e, 0, sizeof(*e));
	e->p = p;
	e->n = n;
	/* elf_memory() wants a char *; libelf only reads the image (ELF_C_READ_MMAP),
	 * converting foreign byte orders into memory of its own. */
	e->elf = elf_memory((char *)(uintptr_t)p, n);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || !gelf_getehdr(e->elf, &e->eh)) {
		gb__elf_close(e);
		return -GB_ECORRUPT;
	}
	e->is64 = gelf_getclass(e->elf) == ELFCLASS64;
	e->be = e->eh.e_ident[EI_DATA] == ELFDATA2MSB;
	read_phdrs(e, &dyn_off, &dyn_size);
	read_dynamic(e, dyn_off, dyn_size, &a);
	map_dynstr(e, &a);
	read_sections(e);
	if (!(e->have_sections && dynsym_from_sections(e)))
		dynsym_from_dynamic(e, &a);
	return 0;
}

void gb__elf_close(struct gb__elf *e)
{
	if (e->elf)
		elf_end(e->elf);
	e->elf = NULL;
}
