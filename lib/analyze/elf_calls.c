/* elf_calls: how many times the code of an ELF calls each imported function.
 *
 * A dynamically linked call reaches an import through its GOT slot, either
 * directly or through a PLT stub that jumps through the slot:
 *   1. slots: the relocations against the dynamic symbol table give the slot
 *      address of each symbol (JUMP_SLOT, GLOB_DAT...); on MIPS the global
 *      GOT is implicit: dynamic symbol i >= DT_MIPS_GOTSYM owns slot
 *      DT_MIPS_LOCAL_GOTNO + i - DT_MIPS_GOTSYM of the GOT at DT_PLTGOT.
 *   2. stubs: each PLT entry is decoded to the slot it jumps through
 *        x86-64   [endbr64] [bnd] jmp *disp(%rip)      (.plt, .plt.sec, .plt.got)
 *        i386     [endbr32] jmp *abs  |  jmp *disp(%ebx)  (ebx = DT_PLTGOT)
 *        ARM      add ip, pc, #a; add ip, ip, #b; [add ip, ip, #c;] ldr pc, [ip, #d]!
 *                 (optionally preceded by the Thumb entry bx pc; b.n .-2)
 *        AArch64  [bti c] adrp x16, page; ldr x17, [x16, #off]
 *        MIPS     lui t7, %hi(slot); lw t9, %lo(slot)(t7)       (.plt of non-PIC code)
 *        PowerPC  [std r2, N(r1)] [addis|lis rX, r2|0, hi] ld|lwz rY, lo(rX); mtctr rY; bctr
 *                 (64-bit: r2 = .got + 0x8000; 32-bit secure PLT: absolute, or
 *                 lwz r11, lo(r30) where r30 is the calling function's GOT pointer)
 *   3. call sites in the other executable sections:
 *        x86      call/jmp/jcc rel32 to a stub; call/jmp *slot (rip-relative,
 *                 absolute, or i386 *disp(%ebx)) for -fno-plt code
 *        ARM      b/bl (ARM) and bl/blx/b.w (Thumb-2) to a stub: files without
 *                 mapping symbols do not say which code is which, so both
 *                 decodings are tried (a false match needs an exact 24+ bit hit)
 *        AArch64  b/bl/b.cond to a stub
 *        MIPS     lw/ld $t9, off($gp) of a slot ($gp = GOT + 0x7ff0; any target
 *                 register, as -O0 code loads into $v0 first), jal/j to a stub
 *        PowerPC  b/bl to a stub (32-bit PIC: r30 followed from the prologue,
 *                 bcl 20,31; mflr r30; addis/addi or lwz/add)
 * Candidates are found from the fixed encodings of those instructions, and
 * each candidate is decoded with capstone, which must agree on the
 * instruction, its length and its target: that keeps the cost to one pass
 * over the bytes (the audit budget) while counting what a linear-sweep
 * disassembler (objdump -d) shows. Other architectures, and files without a
 * section table (except MIPS, whose calls need none), give -GB_EUNSUP: the
 * report then says null rather than guess. The MIPS and PowerPC parts are in
 * elf_calls_risc.c.
 */
#include <glassbox/sys/span.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

#include "analyze/elf_calls.h"

/* ---- address sets ---- */

int gb__tset_add(struct tset *s, uint64_t addr, int32_t k)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 32;
		struct tgt *nv = realloc(s->v, ncap * sizeof(*nv));
		if (!nv)
			return -GB_ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n].addr = addr;
	s->v[s->n].k = k;
	s->n++;
	return 0;
}

static int tgt_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct tgt *)a)->addr, y = ((const struct tgt *)b)->addr;
	return x < y ? -1 : x > y;
}

static void tset_sort(struct tset *s)
{
	if (s->n > 1)
		gb_qsort(s->v, s->n, sizeof(*s->v), tgt_cmp);
}

int32_t gb__tset_find(const struct tset *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].addr < addr)
			lo = mid + 1;
		else if (s->v[mid].addr > addr)
			hi = mid;
		else
			return s->v[mid].k;
	}
	return -1;
}

/* ---- regions, slots ---- */

static bool plt_name(const char *s)
{
	return s && (strncmp(s, ".plt", 4) == 0 || strcmp(s, ".iplt") == 0 || strcmp(s, ".MIPS.stubs") == 0 ||
		     strcmp(s, ".glink") == 0);
}

static void add_region(struct cc *c, uint64_t off, uint64_t size, uint64_t addr, bool plt)
{
	const struct gb__elf *e = c->e;
	if (c->n_reg >= ELF_MAX_REGIONS || off > e->n || size > e->n - off || !size)
		return;
	/* sections do not overlap: a table that makes them (hostile) is not read twice over */
	if (c->scanned + size > 2 * (uint64_t)e->n)
		return;
	c->scanned += size;
	c->reg[c->n_reg++] = (struct region){e->p + off, (size_t)size, addr, plt};
}

static void regions_from_sections(struct cc *c)
{
	const struct gb__elf *e = c->e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || (sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
										     (SHF_ALLOC | SHF_EXECINSTR))
			continue;
		add_region(c, sh.sh_offset, sh.sh_size, sh.sh_addr, plt_name(elf_strptr(e->elf, e->shstrndx, sh.sh_name)));
	}
}

static void regions_from_segments(struct cc *c)
{
	size_t phnum;
	if (elf_getphdrnum(c->e->elf, &phnum) != 0)
		return;
	for (size_t i = 0; i < phnum && i < 4096; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(c->e->elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			add_region(c, ph.p_offset, ph.p_filesz, ph.p_vaddr, false);
	}
}

/* Slots named by relocations against the dynamic symbol table. */
static int slots_from_relocs(struct cc *c)
{
	const struct gb__elf *e = c->e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh, lsh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA))
			continue;
		Elf_Scn *link = elf_getscn(e->elf, sh.sh_link);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!link || !gelf_getshdr(link, &lsh) || lsh.sh_type != SHT_DYNSYM || !d)
			continue;
		bool rela = sh.sh_type == SHT_RELA;
		size_t ent = gelf_fsize(e->elf, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
		for (size_t i = 0; ent && i < d->d_size / ent; i++) {
			GElf_Rela r;
			GElf_Rel rl;
			if (rela ? !gelf_getrela(d, (int)i, &r) : !gelf_getrel(d, (int)i, &rl))
				break;
			if (!rela) {
				r.r_offset = rl.r_offset;
				r.r_info = rl.r_info;
			}
			size_t sym = GELF_R_SYM(r.r_info);
			if (sym < e->n_sym && c->symk[sym] >= 0 && gb__tset_add(&c->slots, r.r_offset, c->symk[sym]) < 0)
				return -GB_ENOMEM;
		}
	}
	return 0;
}

static int slots_from_mips_got(struct cc *c)
{
	const struct gb__elf *e = c->e;
	uint64_t w = e->is64 ? 8 : 4;

	if (!e->has_mips_got || !e->pltgot)
		return 0;
	for (uint64_t i = e->mips_gotsym; i < e->n_sym && (!e->mips_symtabno || i < e->mips_symtabno); i++)
		if (c->symk[i] >= 0 &&
		    gb__tset_add(&c->slots, (e->pltgot + (e->mips_local_gotno + i - e->mips_gotsym) * w) & c->mask,
			     c->symk[i]) < 0)
			return -GB_ENOMEM;
	return 0;
}

/* ---- capstone confirmation ---- */

/* Decode one instruction at r->p[i]; true when it is `size` bytes long. */
bool gb__cc_decode(csh h, cs_insn *insn, const struct region *r, size_t i, unsigned size)
{
	const uint8_t *code = r->p + i;
	size_t n = r->n - i < 16 ? r->n - i : 16;
	uint64_t addr = r->addr + i;
	return cs_disasm_iter(h, &code, &n, &addr, insn) && insn->size == size;
}

/* ---- x86 and x86-64 ---- */

static bool endbr_before(const struct region *r, size_t i)
{
	return i >= 4 && r->p[i - 4] == 0xf3 && r->p[i - 3] == 0x0f && r->p[i - 2] == 0x1e &&
	       (r->p[i - 1] == 0xfa || r->p[i - 1] == 0xfb);
}

/* The slot that `ff 25/15/a3/93 disp32` at r->p[i] goes through, or 0. */
static uint64_t x86_slot(const struct cc *c, const struct region *r, size_t i, bool is64)
{
	uint8_t m = r->p[i + 1];
	int64_t disp = (int32_t)le32(r->p + i + 2);
	if (m == 0x25 || m == 0x15)
		return is64 ? r->addr + i + 6 + (uint64_t)disp : (uint32_t)disp;
	if (!is64 && (m == 0xa3 || m == 0x93) && c->e->pltgot)
		return (c->e->pltgot + (uint64_t)disp) & c->mask;
	return 0;
}

static int x86_stubs(struct cc *c, bool is64)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		for (size_t i = 0; r->plt && i + 6 <= r->n; i++) {
			if (r->p[i] != 0xff || (r->p[i + 1] != 0x25 && r->p[i + 1] != 0xa3))
				continue;
			uint64_t slot = x86_slot(c, r, i, is64);
			int32_t k = slot ? gb__tset_find(&c->slots, slot) : -1;
			if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, 6) || c->insn->id != X86_INS_JMP)
				continue;
			size_t start = i > 0 && r->p[i - 1] == 0xf2 ? i - 1 : i; /* bnd */
			if (gb__tset_add(&c->stubs, r->addr + start, k) < 0)
				return -GB_ENOMEM;
			if (endbr_before(r, start) && gb__tset_add(&c->stubs, r->addr + start - 4, k) < 0)
				return -GB_ENOMEM;
		}
	}
	return 0;
}

static bool x86_is_branch(unsigned id)
{
	return id == X86_INS_CALL || id == X86_INS_JMP || (id >= X86_INS_JAE && id <= X86_INS_JS && id != X86_INS_JMP);
}

static void x86_calls(struct cc *c, bool is64)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		if (r->plt)
			continue;
		for (size_t i = 0; i + 5 <= r->n; i++) {
			uint8_t b = r->p[i];
			int32_t k = -1;
			unsigned size = 0;
			uint64_t target = 0;
			if (b == 0xe8 || b == 0xe9) {
				size = 5;
				target = (r->addr + i + 5 + (uint64_t)(int64_t)(int32_t)le32(r->p + i + 1)) & c->mask;
				k = gb__tset_find(&c->stubs, target);
			} else if (i + 6 > r->n) {
				continue;
			} else if (b == 0x0f && (r->p[i + 1] & 0xf0) == 0x80) {
				size = 6;
				target = (r->addr + i + 6 + (uint64_t)(int64_t)(int32_t)le32(r->p + i + 2)) & c->mask;
				k = gb__tset_find(&c->stubs, target);
			} else if (b == 0xff) {
				uint64_t slot = x86_slot(c, r, i, is64);
				size = 6;
				k = slot ? gb__tset_find(&c->slots, slot) : -1;
			}
			if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, size) || !x86_is_branch(c->insn->id))
				continue;
			const cs_x86_op *op = &c->insn->detail->x86.operands[0];
			if (target && !(op->type == X86_OP_IMM && (uint64_t)op->imm == target))
				continue;
			c->counts[k]++;
		}
	}
}

/* ---- ARM ---- */

/* ARM-mode `add Rd, Rn, #imm` (rotated immediate): true and the parts. */
static bool arm_add_imm(uint32_t w, unsigned *rd, unsigned *rn, uint32_t *imm)
{
	if ((w & 0x0fe00000) != 0x02800000)
		return false;
	unsigned rot = ((w >> 8) & 0xf) * 2;
	uint32_t v = w & 0xff;
	*imm = rot ? (v >> rot) | (v << (32 - rot)) : v;
	*rd = (w >> 12) & 0xf;
	*rn = (w >> 16) & 0xf;
	return true;
}

static int arm_stubs(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		uint32_t ip = 0;
		size_t start = 0;
		bool have = false;
		for (size_t i = 0; r->plt && i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i), imm;
			unsigned rd, rn;
			if (arm_add_imm(w, &rd, &rn, &imm) && rd == 12 && rn == 15) {
				ip = (uint32_t)(r->addr + i + 8) + imm;
				start = i;
				have = true;
			} else if (have && arm_add_imm(w, &rd, &rn, &imm) && rd == 12 && rn == 12) {
				ip += imm;
			} else if (have && (w & 0x0f7ff000) == 0x053cf000) { /* ldr pc, [ip, #+-imm]! */
				uint32_t slot = (w & 0x00800000) ? ip + (w & 0xfff) : ip - (w & 0xfff);
				int32_t k = gb__tset_find(&c->slots, slot);
				have = false;
				if (k < 0)
					continue;
				if (gb__tset_add(&c->stubs, r->addr + start, k) < 0)
					return -GB_ENOMEM;
				/* Thumb entry just before: bx pc; b.n .-2 (or nop) */
				if (start >= 4 && half(c, r->p + start - 4) == 0x4778 &&
				    (half(c, r->p + start - 2) == 0xe7fd || half(c, r->p + start - 2) == 0x46c0) &&
				    gb__tset_add(&c->stubs, r->addr + start - 4, k) < 0)
					return -GB_ENOMEM;
			} else {
				have = false;
			}
		}
	}
	return 0;
}

static void arm_calls(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		if (r->plt)
			continue;
		/* ARM: b/bl<cond> imm24 */
		for (size_t i = (4 - (r->addr & 3)) & 3; i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i);
			if ((w & 0x0e000000) != 0x0a000000 || (w >> 28) == 0xf)
				continue;
			uint32_t target = (uint32_t)(r->addr + i + 8 + (uint64_t)(sext(w & 0xffffff, 24) * 4));
			int32_t k = gb__tset_find(&c->stubs, target);
			if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, 4))
				continue;
			const cs_arm_op *op = &c->insn->detail->arm.operands[0];
			if ((c->insn->id == ARM_INS_BL || c->insn->id == ARM_INS_B) && op->type == ARM_OP_IMM &&
			    (uint32_t)op->imm == target)
				c->counts[k]++;
		}
		/* Thumb-2: bl / blx / b.w imm (32-bit, halfword aligned) */
		for (size_t i = r->addr & 1; i + 4 <= r->n; i += 2) {
			uint16_t h1 = half(c, r->p + i), h2;
			if ((h1 & 0xf800) != 0xf000)
				continue;
			h2 = half(c, r->p + i + 2);
			if ((h2 & 0xc000) != 0xc000 && (h2 & 0xd000) != 0x9000)
				continue;
			uint32_t s = (h1 >> 10) & 1, j1 = (h2 >> 13) & 1, j2 = (h2 >> 11) & 1;
			uint32_t i1 = !(j1 ^ s), i2 = !(j2 ^ s);
			int64_t off = sext(s << 24 | i1 << 23 | i2 << 22 | (uint32_t)(h1 & 0x3ff) << 12 | (uint32_t)(h2 & 0x7ff) << 1, 25);
			bool blx = (h2 & 0xd000) == 0xc000;
			uint64_t pc = r->addr + i + 4;
			uint32_t target = (uint32_t)((blx ? pc & ~3ULL : pc) + (uint64_t)off);
			int32_t k = gb__tset_find(&c->stubs, target);
			if (k < 0 || !gb__cc_decode(c->cs2, c->insn2, r, i, 4))
				continue;
			const cs_arm_op *op = &c->insn2->detail->arm.operands[0];
			if ((c->insn2->id == ARM_INS_BL || c->insn2->id == ARM_INS_BLX || c->insn2->id == ARM_INS_B) &&
			    op->type == ARM_OP_IMM &&
			    (uint32_t)op->imm == target)
				c->counts[k]++;
		}
	}
}

/* ---- AArch64 ---- */

static int a64_stubs(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		uint64_t x16 = 0;
		size_t start = 0;
		bool have = false;
		for (size_t i = 0; r->plt && i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i);
			if ((w & 0x9f00001f) == 0x90000010) { /* adrp x16, page */
				uint64_t imm = ((w >> 29) & 3) | ((uint64_t)((w >> 5) & 0x7ffff) << 2);
				x16 = ((r->addr + i) & ~0xfffULL) + (uint64_t)(sext(imm, 21) * 4096);
				start = i;
				have = true;
			} else if (have && (w & 0xffc003e0) == 0xf9400200) { /* ldr xN, [x16, #imm] */
				int32_t k = gb__tset_find(&c->slots, x16 + ((w >> 10) & 0xfff) * 8);
				have = false;
				if (k < 0)
					continue;
				if (gb__tset_add(&c->stubs, r->addr + start, k) < 0)
					return -GB_ENOMEM;
				/* bti c / bti j / bti jc just before */
				if (start >= 4 && (word(c, r->p + start - 4) & 0xffffff3f) == 0xd503241f &&
				    gb__tset_add(&c->stubs, r->addr + start - 4, k) < 0)
					return -GB_ENOMEM;
			}
		}
	}
	return 0;
}

static void a64_calls(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		if (r->plt)
			continue;
		for (size_t i = (4 - (r->addr & 3)) & 3; i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i);
			uint64_t target;
			if ((w & 0x7c000000) == 0x14000000) /* b, bl */
				target = r->addr + i + (uint64_t)(sext(w & 0x3ffffff, 26) * 4);
			else if ((w & 0xff000010) == 0x54000000) /* b.cond */
				target = r->addr + i + (uint64_t)(sext((w >> 5) & 0x7ffff, 19) * 4);
			else
				continue;
			int32_t k = gb__tset_find(&c->stubs, target);
			if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, 4))
				continue;
			const cs_arm64_op *op = &c->insn->detail->arm64.operands[0];
			if ((c->insn->id == ARM64_INS_BL || c->insn->id == ARM64_INS_B) && op->type == ARM64_OP_IMM &&
			    (uint64_t)op->imm == target)
				c->counts[k]++;
		}
	}
}

/* ---- driver ---- */

static int open_cs(struct cc *c, cs_arch arch, int mode, csh *h, cs_insn **insn)
{
	if (cs_open(arch, (cs_mode)mode, h) != CS_ERR_OK)
		return -GB_EUNSUP;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	*insn = cs_malloc(*h);
	return *insn ? 0 : -GB_ENOMEM;
}

static int setup(struct cc *c)
{
	const struct gb__elf *e = c->e;
	int be = e->be ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;

	c->ibe = e->be;
	switch (e->eh.e_machine) {
	case EM_X86_64:
		return open_cs(c, CS_ARCH_X86, CS_MODE_64, &c->cs, &c->insn);
	case EM_386:
		return open_cs(c, CS_ARCH_X86, CS_MODE_32, &c->cs, &c->insn);
	case EM_ARM: {
		/* BE8 images keep little-endian instructions */
		c->ibe = e->be && !(e->eh.e_flags & EF_ARM_BE8);
		int ibe = c->ibe ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
		int r = open_cs(c, CS_ARCH_ARM, CS_MODE_ARM | ibe, &c->cs, &c->insn);
		return r < 0 ? r : open_cs(c, CS_ARCH_ARM, CS_MODE_THUMB | ibe, &c->cs2, &c->insn2);
	}
	case EM_AARCH64:
		return open_cs(c, CS_ARCH_ARM64, CS_MODE_ARM | be, &c->cs, &c->insn);
	case EM_MIPS:
		return open_cs(c, CS_ARCH_MIPS, (e->is64 ? CS_MODE_MIPS64 : CS_MODE_MIPS32) | be, &c->cs, &c->insn);
	case EM_PPC:
		return open_cs(c, CS_ARCH_PPC, CS_MODE_32 | be, &c->cs, &c->insn);
	case EM_PPC64:
		return open_cs(c, CS_ARCH_PPC, CS_MODE_64 | be, &c->cs, &c->insn);
	default:
		return -GB_EUNSUP;
	}
}

static int count(struct cc *c)
{
	const struct gb__elf *e = c->e;
	bool mips = e->eh.e_machine == EM_MIPS;
	int r;

	if (e->have_sections)
		regions_from_sections(c);
	else if (mips)
		regions_from_segments(c);
	else
		return -GB_EUNSUP;
	/* MIPS64 relocations pack three types into r_info; only the implicit GOT is used there */
	if (e->have_sections && !(mips && e->is64) && (r = slots_from_relocs(c)) < 0)
		return r;
	if (mips && (r = slots_from_mips_got(c)) < 0)
		return r;
	tset_sort(&c->slots);
	switch (e->eh.e_machine) {
	case EM_X86_64:
	case EM_386:
		r = x86_stubs(c, e->eh.e_machine == EM_X86_64);
		break;
	case EM_ARM:
		r = arm_stubs(c);
		break;
	case EM_AARCH64:
		r = a64_stubs(c);
		break;
	case EM_MIPS:
		r = gb__mips_stubs(c);
		break;
	default:
		r = gb__ppc_stubs(c);
		break;
	}
	if (r < 0)
		return r;
	tset_sort(&c->stubs);
	tset_sort(&c->picstubs);
	switch (e->eh.e_machine) {
	case EM_X86_64:
	case EM_386:
		x86_calls(c, e->eh.e_machine == EM_X86_64);
		break;
	case EM_ARM:
		arm_calls(c);
		break;
	case EM_AARCH64:
		a64_calls(c);
		break;
	case EM_MIPS:
		gb__mips_calls(c);
		break;
	default:
		gb__ppc_calls(c);
		break;
	}
	return 0;
}

int gb__elf_call_sites(const struct gb__elf *e, const int32_t *symk, size_t nk, uint32_t *counts)
{
	struct cc *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -GB_ENOMEM;
	memset(counts, 0, nk * sizeof(*counts));
	c->e = e;
	c->symk = symk;
	c->nk = nk;
	c->counts = counts;
	c->mask = e->is64 ? ~0ULL : 0xffffffffULL;
	r = setup(c);
	if (r == 0)
		r = count(c);
	if (c->insn)
		cs_free(c->insn, 1);
	if (c->insn2)
		cs_free(c->insn2, 1);
	if (c->cs)
		cs_close(&c->cs);
	if (c->cs2)
		cs_close(&c->cs2);
	free(c->slots.v);
	free(c->stubs.v);
	free(c->picstubs.v);
	free(c);
	return r;
}
