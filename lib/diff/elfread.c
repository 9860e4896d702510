/* elfread: a small, bounds-checked ELF reader for the equivalence checks.
 *
 * ELF layout (System V gABI): a header (52 bytes for ELFCLASS32, 64 for
 * ELFCLASS64) whose e_ident[EI_DATA] gives the byte order of every field; a
 * section header table at e_shoff (e_shnum entries of e_shentsize bytes; when
 * e_shnum is 0 the count is in section 0's sh_size, and SHN_XINDEX in
 * e_shstrndx means the index is in section 0's sh_link); a program header
 * table at e_phoff. Symbol tables (SHT_SYMTAB, SHT_DYNSYM) hold 16- or
 * 24-byte entries whose names live in the section named by sh_link.
 *
 * Every field is read through the span readers; sections that point outside
 * the file get an empty data span (and still compare by their headers).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

#define MAX_SECTIONS 8192u /* more: compared through the segments only */
#define MAX_PHDRS 4096u
#define MAX_SYMS (1u << 22)

static int rd16(const struct gb_span *s, uint64_t off, bool be, uint16_t *v)
{
	return be ? gb_rd_u16be(s, off, v) : gb_rd_u16le(s, off, v);
}

static int rd32(const struct gb_span *s, uint64_t off, bool be, uint32_t *v)
{
	return be ? gb_rd_u32be(s, off, v) : gb_rd_u32le(s, off, v);
}

static int rd64(const struct gb_span *s, uint64_t off, bool be, uint64_t *v)
{
	return be ? gb_rd_u64be(s, off, v) : gb_rd_u64le(s, off, v);
}

/* A word: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
static int rdw(const struct eq_elf *e, uint64_t off, uint64_t *v)
{
	if (e->is64)
		return rd64(&e->f, off, e->be, v);
	uint32_t x;
	int r = rd32(&e->f, off, e->be, &x);
	*v = x;
	return r;
}

bool gb__is_elf(struct gb_span f)
{
	return f.n >= 52 && memcmp(f.p, ELFMAG, SELFMAG) == 0 &&
	       (f.p[EI_CLASS] == ELFCLASS32 || f.p[EI_CLASS] == ELFCLASS64) &&
	       (f.p[EI_DATA] == ELFDATA2LSB || f.p[EI_DATA] == ELFDATA2MSB);
}

/* A NUL-terminated string at off inside a string table, or "". */
static const char *str_at(struct gb_span tab, uint64_t off)
{
	if (off >= tab.n)
		return "";
	const void *nul = memchr(tab.p + off, 0, tab.n - (size_t)off);
	return nul ? (const char *)tab.p + off : "";
}

static int read_header(struct eq_elf *e, uint64_t *phoff, uint16_t *shentsize, uint16_t *phentsize)
{
	const struct gb_span *f = &e->f;
	uint32_t v32;
	uint64_t v;

	if (!gb__is_elf(*f))
		return -GB_ECORRUPT;
	e->is64 = f->p[EI_CLASS] == ELFCLASS64;
	e->be = f->p[EI_DATA] == ELFDATA2MSB;
	if (e->is64 && f->n < 64)
		return -GB_ECORRUPT;
	if (rd16(f, 16, e->be, &e->type) < 0 || rd16(f, 18, e->be, &e->machine) < 0)
		return -GB_ECORRUPT;
	uint64_t o = 24;
	if (rdw(e, o, &e->entry) < 0)
		return -GB_ECORRUPT;
	o += e->is64 ? 8 : 4;
	if (rdw(e, o, phoff) < 0)
		return -GB_ECORRUPT;
	o += e->is64 ? 8 : 4;
	if (rdw(e, o, &v) < 0)
		return -GB_ECORRUPT;
	e->shoff = v;
	o += e->is64 ? 8 : 4;
	if (rd32(f, o, e->be, &v32) < 0)
		return -GB_ECORRUPT;
	e->eflags = v32;
	o += 4 + 2; /* e_flags, e_ehsize */
	if (rd16(f, o, e->be, phentsize) < 0 || rd16(f, o + 2, e->be, &e->phnum) < 0 ||
	    rd16(f, o + 4, e->be, shentsize) < 0 || rd16(f, o + 6, e->be, &e->shnum) < 0 ||
	    rd16(f, o + 8, e->be, &e->shstrndx) < 0)
		return -GB_ECORRUPT;
	return 0;
}

static int read_section(struct eq_elf *e, uint64_t off, struct eq_sec *s, uint32_t *name)
{
	uint64_t w[4];
	uint32_t type, link;

	if (rd32(&e->f, off, e->be, name) < 0 || rd32(&e->f, off + 4, e->be, &type) < 0)
		return -GB_ETRUNC;
	uint64_t o = off + 8, ws = e->is64 ? 8 : 4;
	for (int i = 0; i < 4; i++, o += ws) /* flags, addr, offset, size */
		if (rdw(e, o, &w[i]) < 0)
			return -GB_ETRUNC;
	if (rd32(&e->f, o, e->be, &link) < 0)
		return -GB_ETRUNC;
	o += 8; /* sh_link, sh_info */
	if (rdw(e, o, &s->align) < 0)
		return -GB_ETRUNC;
	s->type = type;
	s->flags = w[0];
	s->addr = w[1];
	s->off = w[2];
	s->size = w[3];
	s->link = link;
	s->name = "";
	s->data = gb_span_make(NULL, 0);
	if (type != SHT_NOBITS && type != SHT_NULL)
		(void)gb_span_sub(&e->f, s->off, s->size, &s->data);
	return 0;
}

static int read_sections(struct eq_elf *e, uint16_t shentsize)
{
	uint64_t n = e->shnum, end;
	uint32_t strndx = e->shstrndx;
	uint32_t name0;
	struct eq_sec s0;

	if (!e->shoff || shentsize < (e->is64 ? 64 : 40))
		return 0;
	if (read_section(e, e->shoff, &s0, &name0) < 0)
		return 0;
	if (n == 0)
		n = s0.size;
	if (strndx == SHN_XINDEX)
		strndx = s0.link;
	if (n == 0 || n > MAX_SECTIONS || gb_mul_u64(n, shentsize, &end) < 0 ||
	    !gb_span_has(&e->f, e->shoff, end))
		return 0;
	e->sec = calloc((size_t)n, sizeof(*e->sec));
	if (!e->sec)
		return -GB_ENOMEM;
	uint32_t *names = calloc((size_t)n, sizeof(*names));
	if (!names)
		return -GB_ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		if (read_section(e, e->shoff + i * shentsize, &e->sec[i], &names[i]) < 0) {
			free(names);
			return 0;
		}
	}
	e->shnum = (uint16_t)(n > 0xffff ? 0xffff : n);
	if (strndx < n) {
		struct gb_span tab = e->sec[strndx].data;
		for (uint64_t i = 0; i < e->shnum; i++)
			e->sec[i].name = str_at(tab, names[i]);
	}
	free(names);
	return 0;
}

static int read_phdrs(struct eq_elf *e, uint64_t phoff, uint16_t phentsize)
{
	uint64_t end;
	if (!e->phnum || phentsize < (e->is64 ? 56 : 32) || e->phnum > MAX_PHDRS ||
	    gb_mul_u64(e->phnum, phentsize, &end) < 0 || !gb_span_has(&e->f, phoff, end)) {
		e->phnum = 0;
		return 0;
	}
	e->ph = calloc(e->phnum, sizeof(*e->ph));
	if (!e->ph)
		return -GB_ENOMEM;
	for (uint16_t i = 0; i < e->phnum; i++) {
		uint64_t o = phoff + (uint64_t)i * phentsize;
		struct eq_phdr *p = &e->ph[i];
		int r = rd32(&e->f, o, e->be, &p->type);
		if (e->is64) {
			r |= rd32(&e->f, o + 4, e->be, &p->flags);
			r |= rd64(&e->f, o + 8, e->be, &p->off);
			r |= rd64(&e->f, o + 16, e->be, &p->vaddr);
			r |= rd64(&e->f, o + 32, e->be, &p->filesz);
			r |= rd64(&e->f, o + 40, e->be, &p->memsz);
			r |= rd64(&e->f, o + 48, e->be, &p->align);
		} else {
			uint32_t v[7];
			for (int k = 0; k < 7; k++)
				r |= rd32(&e->f, o + 4 + 4 * (uint64_t)k, e->be, &v[k]);
			p->off = v[0];
			p->vaddr = v[1];
			p->filesz = v[3];
			p->memsz = v[4];
			p->flags = v[5];
			p->align = v[6];
		}
		if (r)
			return -GB_ECORRUPT;
	}
	return 0;
}

static int read_symtab(struct eq_elf *e, const struct eq_sec *s)
{
	size_t ent = e->is64 ? 24 : 16;
	if (s->link >= e->shnum || !s->data.n)
		return 0;
	struct gb_span str = e->sec[s->link].data;
	size_t n = s->data.n / ent;
	if (n > MAX_SYMS)
		n = MAX_SYMS;
	struct eq_sym *nw = realloc(e->sym, (e->nsym + n) * sizeof(*e->sym));
	if (!nw && n)
		return -GB_ENOMEM;
	if (nw)
		e->sym = nw;
	for (size_t i = 1; i < n; i++) {
		uint64_t o = (uint64_t)i * ent;
		uint32_t name;
		uint16_t shndx = 0;
		uint8_t info = 0;
		uint64_t value = 0, size = 0;
		int r = rd32(&s->data, o, e->be, &name);
		if (e->is64) {
			r |= gb_rd_u8(&s->data, o + 4, &info);
			r |= rd16(&s->data, o + 6, e->be, &shndx);
			r |= rd64(&s->data, o + 8, e->be, &value);
			r |= rd64(&s->data, o + 16, e->be, &size);
		} else {
			uint32_t v, sz;
			r |= rd32(&s->data, o + 4, e->be, &v);
			r |= rd32(&s->data, o + 8, e->be, &sz);
			r |= gb_rd_u8(&s->data, o + 12, &info);
			r |= rd16(&s->data, o + 14, e->be, &shndx);
			value = v;
			size = sz;
		}
		if (r)
			break;
		uint8_t t = ELF32_ST_TYPE(info);
		if (shndx == SHN_UNDEF || (t != STT_FUNC && t != STT_OBJECT && t != STT_GNU_IFUNC))
			continue;
		const char *nm = str_at(str, name);
		if (!*nm)
			continue;
		struct eq_sym *y = &e->sym[e->nsym++];
		y->name = nm;
		y->value = value;
		y->size = size;
		y->type = t == STT_GNU_IFUNC ? STT_FUNC : t;
		y->shndx = shndx;
	}
	return 0;
}

static void read_soname(struct eq_elf *e, const struct eq_sec *s)
{
	size_t ent = e->is64 ? 16 : 8;
	if (s->link >= e->shnum)
		return;
	for (uint64_t o = 0; o + ent <= s->data.n; o += ent) {
		uint64_t tag, val;
		if (rdw(e, o, &tag) < 0 || rdw(e, o + ent / 2, &val) < 0 || tag == DT_NULL)
			return;
		if (tag == DT_SONAME) {
			const char *nm = str_at(e->sec[s->link].data, val);
			e->soname = *nm ? nm : NULL;
			return;
		}
	}
}

int gb__elf_parse(struct gb_span f, struct eq_elf *ret)
{
	struct eq_elf e;
	uint64_t phoff = 0;
	uint16_t shentsize = 0, phentsize = 0;

	memset(&e, 0, sizeof(e));
	e.f = f;
	int r = read_header(&e, &phoff, &shentsize, &phentsize);
	e.phoff = phoff;
	e.phentsize = phentsize;
	if (r == 0)
		r = read_phdrs(&e, phoff, phentsize);
	if (r == 0)
		r = read_sections(&e, shentsize);
	if (r == 0 && !e.sec)
		e.shnum = 0;
	for (uint16_t i = 0; r == 0 && i < e.shnum; i++) {
		if (e.sec[i].type == SHT_SYMTAB || e.sec[i].type == SHT_DYNSYM)
			r = read_symtab(&e, &e.sec[i]);
		else if (e.sec[i].type == SHT_DYNAMIC)
			read_soname(&e, &e.sec[i]);
	}
	if (r < 0) {
		gb__elf_free(&e);
		return r;
	}
	*ret = e;
	return 0;
}

void gb__elf_free(struct eq_elf *e)
{
	if (!e)
		return;
	free(e->sec);
	free(e->ph);
	free(e->sym);
	memset(e, 0, sizeof(*e));
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int gb__elf_symhashes(const struct eq_elf *e, uint64_t **ret, size_t *ret_n)
{
	uint64_t *h = malloc((e->nsym ? e->nsym : 1) * sizeof(*h));
	if (!h)
		return -GB_ENOMEM;
	for (size_t i = 0; i < e->nsym; i++)
		h[i] = fnv1a64(e->sym[i].name);
	gb_qsort(h, e->nsym, sizeof(*h), cmp_u64);
	size_t n = 0;
	for (size_t i = 0; i < e->nsym; i++)
		if (n == 0 || h[n - 1] != h[i])
			h[n++] = h[i];
	*ret = h;
	*ret_n = n;
	return 0;
}

/* ARM Thumb functions have bit 0 set in their symbol value. */
static uint64_t sym_start(const struct eq_elf *e, const struct eq_sym *s)
{
	return e->machine == EM_ARM ? s->value & ~1ULL : s->value;
}

static const struct eq_sym *func_in(const struct eq_elf *e, uint64_t addr)
{
	const struct eq_sym *best = NULL;
	if (!e)
		return NULL;
	for (size_t i = 0; i < e->nsym; i++) {
		const struct eq_sym *s = &e->sym[i];
		if (s->type != STT_FUNC)
			continue;
		uint64_t st = sym_start(e, s);
		if (addr < st || addr - st >= (s->size ? s->size : 1))
			continue;
		/* prefer the tightest cover, then a global-looking name */
		if (!best || s->size < best->size)
			best = s;
	}
	return best;
}

const struct eq_sym *gb__elf_func_at(const struct eq_elf *a, const struct eq_elf *b, uint64_t addr)
{
	const struct eq_sym *s = func_in(a, addr);
	return s ? s : func_in(b, addr);
}
