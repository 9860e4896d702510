/* elfcmp: are two ELF files the same program? Compared by normalised views.
 *
 * 1. Headers: class, byte order, type, machine, flags and entry point must
 *    match; e_shoff/e_shnum/e_shstrndx are layout (padding).
 * 2. Sections are paired by name (and occurrence). The normalisable ones
 *    (.note.gnu.build-id, .gnu_debuglink, .debug_* / .zdebug_*, .symtab /
 *    .strtab / .symtab_shndx, the section-name table) may be absent on one
 *    side or differ; every other section must exist on both sides with the
 *    same type, flags, address and size, and the same bytes, where a
 *    difference in a non-executable section may be explained by the
 *    same-length rule (build paths, build dates: normalise.c).
 *    Moved file offsets or other alignment are padding.
 * 3. Loaded bytes: every PT_LOAD segment pair must have the same address and
 *    sizes, and its bytes are compared too, so that nothing loaded hides
 *    outside the section table (files without one, such as sstrip's output,
 *    are compared this way only); a build-id note found through PT_NOTE is
 *    masked.
 * Differences in executable sections are attributed to the covering
 * function symbol (.symtab or .dynsym of either side) or an address range,
 * and the first differing instructions are disassembled (disasm.c).
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

#define MAX_DIFFS 256

enum cat { CAT_SKIP, CAT_CONTENT, CAT_BUILDID, CAT_DEBUGLINK, CAT_DEBUG, CAT_SYMTAB };

static enum cat categorise(const struct eq_elf *e, uint16_t i)
{
	const struct eq_sec *s = &e->sec[i];
	if (s->type == SHT_NULL || i == e->shstrndx)
		return CAT_SKIP;
	if (strcmp(s->name, ".note.gnu.build-id") == 0)
		return CAT_BUILDID;
	if (strcmp(s->name, ".gnu_debuglink") == 0 || strcmp(s->name, ".gnu_debugaltlink") == 0)
		return CAT_DEBUGLINK;
	if (strncmp(s->name, ".debug_", 7) == 0 || strncmp(s->name, ".zdebug_", 8) == 0)
		return CAT_DEBUG;
	if (s->type == SHT_SYMTAB || s->type == SHT_SYMTAB_SHNDX || strcmp(s->name, ".symtab") == 0 ||
	    strcmp(s->name, ".strtab") == 0)
		return CAT_SYMTAB;
	return CAT_CONTENT;
}

static const uint32_t presence_norm[] = {
	[CAT_BUILDID] = GB_NORM_BUILD_ID,
	[CAT_DEBUGLINK] = GB_NORM_DEBUGLINK,
	[CAT_DEBUG] = GB_NORM_DEBUG_INFO,
	[CAT_SYMTAB] = GB_NORM_STRIP,
};

/* The section of b paired with section i of a: same name, same occurrence. */
static int find_pair(const struct eq_elf *a, uint16_t i, const struct eq_elf *b)
{
	unsigned occ = 0;
	for (uint16_t k = 0; k < i; k++)
		occ += strcmp(a->sec[k].name, a->sec[i].name) == 0;
	for (uint16_t k = 0; k < b->shnum; k++)
		if (strcmp(b->sec[k].name, a->sec[i].name) == 0 && occ-- == 0)
			return k;
	return -1;
}

struct ctx {
	const struct eq_elf *a, *b;
	const struct eq_sec *sa, *sb;
	struct eq_result *r;
	int err;
	/* first executable difference, for the disassembly */
	bool have_first;
	uint64_t first_addr;
	const struct eq_sec *first_sa, *first_sb;
};

static const char *sym_name_dup(const struct eq_sym *s)
{
	return s ? s->name : NULL;
}

/* Add differing bytes [addr, addr+len) of an executable section, merged per
 * function (or per nearby range when no symbol covers them). */
static void add_code(struct ctx *c, uint64_t addr, uint64_t len)
{
	struct eq_result *r = c->r;
	if (r->n_diffs >= MAX_DIFFS) {
		r->diffs[r->n_diffs - 1].bytes += len; /* past the cap: counted, not placed */
		return;
	}
	while (len) {
		const struct eq_sym *f = gb__elf_func_at(c->a, c->b, addr);
		uint64_t take = len;
		if (f) {
			uint64_t st = c->a->machine == EM_ARM ? f->value & ~1ULL : f->value;
			uint64_t fend = st + (f->size ? f->size : 1);
			if (fend - addr < take)
				take = fend - addr;
		}
		const char *fn = sym_name_dup(f);
		bool merged = false;
		for (size_t k = r->n_diffs; k-- > 0;) {
			struct gb_equiv_difference *d = &r->diffs[k];
			if (!d->section || strcmp(d->section, c->sa->name) != 0)
				break;
			bool same = fn ? d->function && strcmp(d->function, fn) == 0
				       : !d->function && addr <= d->end + 16;
			if (same) {
				if (addr < d->start)
					d->start = addr;
				if (addr + take > d->end)
					d->end = addr + take;
				d->bytes += take;
				merged = true;
				break;
			}
		}
		if (!merged && r->n_diffs < MAX_DIFFS &&
		    gb__result_add_diff(r, c->sa->name, fn, addr, addr + take, take) < 0)
			c->err = -GB_ENOMEM;
		addr += take;
		len -= take;
	}
}

static void code_cb(void *ctx, uint64_t off, uint64_t len)
{
	struct ctx *c = ctx;
	uint64_t addr = c->sa->addr + off;
	if (!c->have_first) {
		c->have_first = true;
		c->first_addr = addr;
		c->first_sa = c->sa;
		c->first_sb = c->sb;
	}
	add_code(c, addr, len);
}

/* Exact comparison (no masking) that reports differing runs. */
static uint64_t exact_compare(struct gb_span x, struct gb_span y, struct ctx *c)
{
	size_t n = x.n < y.n ? x.n : y.n, i = 0;
	uint64_t total = 0;
	while (i < n) {
		if (n - i >= 64 && memcmp(x.p + i, y.p + i, 64) == 0) {
			i += 64;
			continue;
		}
		if (x.p[i] == y.p[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && x.p[j] != y.p[j])
			j++;
		total += j - i;
		if (c)
			code_cb(c, i, j - i);
		i = j;
	}
	return total;
}

static bool is_text_section(const struct eq_sec *s)
{
	return (s->flags & SHF_EXECINSTR) != 0;
}

/* Compare one paired content section; returns true when it differs. */
static bool compare_content(struct ctx *c, const struct eq_sec *sa, const struct eq_sec *sb,
			    uint32_t *norms)
{
	struct eq_result *r = c->r;
	if (sa->type != sb->type || sa->flags != sb->flags || sa->addr != sb->addr ||
	    sa->size != sb->size) {
		uint64_t d = sa->size > sb->size ? sa->size - sb->size : sb->size - sa->size;
		uint64_t common = 0;
		if (sa->type != SHT_NOBITS && sb->type != SHT_NOBITS) {
			struct gb_span x = sa->data, y = sb->data;
			size_t n = x.n < y.n ? x.n : y.n;
			x.n = y.n = n;
			common = exact_compare(x, y, NULL);
		}
		if (r->n_diffs < MAX_DIFFS)
			gb__result_add_diff(r, sa->name, NULL, sa->addr, sa->addr + (sa->size > sb->size ? sa->size : sb->size),
					    d + common);
		if (!r->note)
			gb__result_note(r, "section %s: %s", sa->name,
					sa->addr != sb->addr ? "moved (address differs)"
					: sa->size != sb->size ? "size differs"
							       : "type or flags differ");
		return true;
	}
	if (sa->off != sb->off || sa->align != sb->align)
		*norms |= GB_NORM_PADDING;
	if (sa->type == SHT_NOBITS)
		return false;
	if (sa->data.n != sb->data.n) /* one side points outside its file */
		return true;
	c->sa = sa;
	c->sb = sb;
	if (is_text_section(sa)) {
		size_t before = r->n_diffs;
		uint64_t n = exact_compare(sa->data, sb->data, c);
		(void)before;
		return n != 0;
	}
	struct eq_cmp cmp;
	gb__masked_compare(sa->data, sb->data, &cmp, NULL, NULL);
	*norms |= cmp.norms;
	if (cmp.real && r->n_diffs < MAX_DIFFS)
		gb__result_add_diff(r, sa->name, NULL, sa->addr + cmp.first, sa->addr + cmp.last + 1,
				    cmp.real);
	return cmp.real != 0;
}

/* A normalisable section present on both sides: which normalisation, if any. */
static uint32_t compare_normalisable(enum cat k, const struct eq_sec *sa, const struct eq_sec *sb)
{
	if (sa->data.n == sb->data.n && sa->size == sb->size &&
	    (sa->data.n == 0 || memcmp(sa->data.p, sb->data.p, sa->data.n) == 0))
		return 0;
	switch (k) {
	case CAT_BUILDID:
		return GB_NORM_BUILD_ID;
	case CAT_DEBUGLINK:
		return GB_NORM_DEBUGLINK;
	case CAT_SYMTAB:
		return GB_NORM_SYMTAB;
	case CAT_DEBUG:
		if (sa->data.n == sb->data.n) {
			struct eq_cmp cmp;
			gb__masked_compare(sa->data, sb->data, &cmp, NULL, NULL);
			if (!cmp.real)
				return cmp.norms;
		}
		return GB_NORM_DEBUG_INFO;
	default:
		return 0;
	}
}

/* The ELF header or the program header table: compared field by field. */
static bool in_headers(const struct eq_elf *e, uint64_t off)
{
	uint64_t eh = e->is64 ? 64 : 52;
	return off < eh || (off >= e->phoff && off - e->phoff < (uint64_t)e->phnum * e->phentsize);
}

/* e_shoff, e_shnum, e_shstrndx: where the section table is (layout). */
static bool layout_field(bool is64, size_t off)
{
	return is64 ? (off >= 40 && off < 48) || (off >= 60 && off < 64)
		    : (off >= 32 && off < 36) || (off >= 48 && off < 52);
}

/* File ranges of GNU build-id descriptors, found through PT_NOTE. */
static bool in_build_id(const struct eq_elf *e, uint64_t off)
{
	for (uint16_t i = 0; i < e->phnum; i++) {
		const struct eq_phdr *p = &e->ph[i];
		struct gb_span seg;
		if (p->type != PT_NOTE || gb_span_sub(&e->f, p->off, p->filesz, &seg) < 0)
			continue;
		uint64_t o = 0;
		while (o + 12 <= seg.n) {
			uint32_t nsz = 0, dsz = 0, type = 0;
			int r = e->be ? gb_rd_u32be(&seg, o, &nsz) | gb_rd_u32be(&seg, o + 4, &dsz) |
						gb_rd_u32be(&seg, o + 8, &type)
				      : gb_rd_u32le(&seg, o, &nsz) | gb_rd_u32le(&seg, o + 4, &dsz) |
						gb_rd_u32le(&seg, o + 8, &type);
			if (r)
				break;
			uint64_t name_end = o + 12 + (((uint64_t)nsz + 3) & ~3ULL);
			uint64_t desc_end = name_end + (((uint64_t)dsz + 3) & ~3ULL);
			if (desc_end > seg.n)
				break;
			if (type == NT_GNU_BUILD_ID && nsz == 4 && memcmp(seg.p + o + 12, "GNU", 4) == 0 &&
			    off >= p->off + name_end && off < p->off + name_end + dsz)
				return true;
			o = desc_end;
		}
	}
	return false;
}

/* The end address of the loaded section covering vaddr, or 0. */
static uint64_t alloc_section_end(const struct eq_elf *e, uint64_t vaddr)
{
	for (uint16_t i = 0; i < e->shnum; i++) {
		const struct eq_sec *s = &e->sec[i];
		if ((s->flags & SHF_ALLOC) && s->type != SHT_NOBITS && vaddr >= s->addr &&
		    vaddr - s->addr < s->size)
			return s->addr + s->size;
	}
	return 0;
}

/* Loaded bytes not covered by any section, compared segment by segment. */
static bool compare_segments(struct ctx *c, uint32_t *norms)
{
	const struct eq_elf *a = c->a, *b = c->b;
	bool differ = false;
	uint16_t na = 0, nb = 0;
	for (uint16_t i = 0; i < a->phnum; i++)
		na += a->ph[i].type == PT_LOAD;
	for (uint16_t i = 0; i < b->phnum; i++)
		nb += b->ph[i].type == PT_LOAD;
	if (na != nb || a->phnum != b->phnum) {
		gb__result_note(c->r, "program headers differ (%u vs %u)", a->phnum, b->phnum);
		gb__result_add_diff(c->r, "(program headers)", NULL, 0, 0, 1);
		return true;
	}
	for (uint16_t i = 0; i < a->phnum; i++) {
		const struct eq_phdr *p = &a->ph[i], *q = &b->ph[i];
		if (p->type != q->type || p->flags != q->flags || p->vaddr != q->vaddr ||
		    p->filesz != q->filesz || p->memsz != q->memsz) {
			/* a PT_NOTE/PT_GNU_* may legitimately vanish with the section it covers */
			if (p->type != PT_LOAD && p->type == q->type && p->type == PT_NOTE)
				continue;
			if (!c->r->note)
				gb__result_note(c->r, "program header %u differs (type %#x, vaddr %#llx)", i,
						p->type, (unsigned long long)p->vaddr);
			if (c->r->n_diffs < MAX_DIFFS)
				gb__result_add_diff(c->r, "(program headers)", NULL, p->vaddr,
						    p->vaddr + p->memsz, 1);
			differ = true;
			continue;
		}
		if (p->off != q->off || p->align != q->align)
			*norms |= GB_NORM_PADDING;
		if (p->type != PT_LOAD)
			continue;
		struct gb_span x, y;
		if (gb_span_sub(&a->f, p->off, p->filesz, &x) < 0 ||
		    gb_span_sub(&b->f, q->off, q->filesz, &y) < 0) {
			differ = true;
			continue;
		}
		for (uint64_t o = 0; o < x.n;) {
			if (x.n - o >= 64 && memcmp(x.p + o, y.p + o, 64) == 0) {
				o += 64;
				continue;
			}
			if (x.p[o] == y.p[o] || in_headers(a, p->off + o)) {
				o++;
				continue;
			}
			uint64_t send = alloc_section_end(a, p->vaddr + o);
			if (send) { /* compared as a section: skip to its end */
				o = send - p->vaddr < x.n ? send - p->vaddr : x.n;
				continue;
			}
			if (in_build_id(a, p->off + o)) {
				*norms |= GB_NORM_BUILD_ID;
				o++;
				continue;
			}
			uint64_t s = o;
			while (o < x.n && x.p[o] != y.p[o] && !alloc_section_end(a, p->vaddr + o) &&
			       !in_headers(a, p->off + o))
				o++;
			if (c->r->n_diffs < MAX_DIFFS)
				gb__result_add_diff(c->r, "(outside sections)",
						    sym_name_dup(gb__elf_func_at(a, b, p->vaddr + s)),
						    p->vaddr + s, p->vaddr + o, o - s);
			differ = true;
		}
	}
	return differ;
}

static bool same_header(const struct eq_elf *a, const struct eq_elf *b, struct eq_result *r)
{
	const char *what = NULL;
	size_t eh = a->is64 ? 64 : 52;
	for (size_t i = 0; a->is64 == b->is64 && i < eh && i < a->f.n && i < b->f.n; i++)
		if (a->f.p[i] != b->f.p[i] && !layout_field(a->is64, i))
			what = "identification or version fields";
	if (a->is64 != b->is64 || a->be != b->be)
		what = "class or byte order";
	else if (a->machine != b->machine)
		what = "machine";
	else if (a->type != b->type)
		what = "type";
	else if (a->eflags != b->eflags)
		what = "flags";
	else if (a->entry != b->entry)
		what = "entry point";
	if (!what)
		return true;
	gb__result_note(r, "ELF header differs: %s", what);
	gb__result_add_diff(r, "(ELF header)", NULL, 0, 0, 1);
	return false;
}

static int compare(const struct eq_elf *a, const struct eq_elf *b, struct eq_result *r)
{
	struct ctx c = {.a = a, .b = b, .r = r};
	uint32_t norms = 0;
	bool differ = !same_header(a, b, r), set_changed = false;

	for (uint16_t i = 0; i < a->shnum; i++) {
		enum cat k = categorise(a, i);
		if (k == CAT_SKIP)
			continue;
		int j = find_pair(a, i, b);
		if (j < 0 || categorise(b, (uint16_t)j) != k) {
			if (k != CAT_CONTENT) {
				norms |= presence_norm[k];
				set_changed = true;
				continue;
			}
			if (!r->note)
				gb__result_note(r, "section %s only in the shipped file", a->sec[i].name);
			if (r->n_diffs < MAX_DIFFS)
				gb__result_add_diff(r, a->sec[i].name, NULL, a->sec[i].addr,
						    a->sec[i].addr + a->sec[i].size, a->sec[i].size);
			differ = true;
			continue;
		}
		if (k == CAT_CONTENT)
			differ |= compare_content(&c, &a->sec[i], &b->sec[j], &norms);
		else
			norms |= compare_normalisable(k, &a->sec[i], &b->sec[j]);
		if (c.err)
			return c.err;
	}
	for (uint16_t j = 0; j < b->shnum; j++) {
		enum cat k = categorise(b, j);
		if (k == CAT_SKIP || find_pair(b, j, a) >= 0)
			continue;
		if (k != CAT_CONTENT) {
			norms |= presence_norm[k];
			set_changed = true;
			continue;
		}
		if (!r->note)
			gb__result_note(r, "section %s only in the rebuilt file", b->sec[j].name);
		if (r->n_diffs < MAX_DIFFS)
			gb__result_add_diff(r, b->sec[j].name, NULL, b->sec[j].addr,
					    b->sec[j].addr + b->sec[j].size, b->sec[j].size);
		differ = true;
	}
	differ |= compare_segments(&c, &norms);
	if (c.err)
		return c.err;
	if (!set_changed && (a->shoff != b->shoff || a->shnum != b->shnum || a->shstrndx != b->shstrndx))
		norms |= GB_NORM_PADDING;
	if (set_changed)
		norms &= ~(uint32_t)GB_NORM_PADDING; /* offsets moved because sections went */

	if (differ) {
		r->verdict = GB_EQUIV_DIFFERENT;
		if (c.have_first) {
			const struct eq_sym *f = gb__elf_func_at(a, b, c.first_addr);
			uint64_t fs = f ? (a->machine == EM_ARM ? f->value & ~1ULL : f->value) : c.first_sa->addr;
			bool thumb = a->machine == EM_ARM && f && (f->value & 1);
			r->disasm = gb__disasm_pair(a, b, c.first_sa->addr, c.first_sa->data,
						    c.first_sb->data, fs, c.first_addr, thumb);
			if (!r->note)
				gb__result_note(r, "code differs in %s at %#llx%s%s", c.first_sa->name,
						(unsigned long long)c.first_addr, f ? " in " : "",
						f ? f->name : "");
		}
		return 0;
	}
	r->verdict = GB_EQUIV_EQUIVALENT;
	r->norms = norms ? norms : GB_NORM_PADDING;
	return 0;
}

int gb__elf_compare(struct gb_span a, struct gb_span b, struct eq_result *r)
{
	struct eq_elf ea, eb;
	int ret = gb__elf_parse(a, &ea);
	if (ret < 0)
		return ret;
	ret = gb__elf_parse(b, &eb);
	if (ret < 0) {
		gb__elf_free(&ea);
		return ret;
	}
	ret = compare(&ea, &eb, r);
	gb__elf_free(&ea);
	gb__elf_free(&eb);
	return ret;
}
