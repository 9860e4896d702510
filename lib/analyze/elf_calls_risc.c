/* elf_calls_risc: the MIPS and PowerPC parts of the call-site counter
 * (method and stub shapes: elf_calls.c). */
#include <string.h>

#include <glassbox/errors.h>

#include "analyze/elf_calls.h"

/* ---- MIPS ---- */

int gb__mips_stubs(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		for (size_t i = 0; r->plt && i + 8 <= r->n; i += 4) {
			uint32_t w1 = word(c, r->p + i), w2 = word(c, r->p + i + 4);
			/* lui $t7, hi; lw/ld $t9, lo($t7) */
			if ((w1 & 0xffff0000) != 0x3c0f0000 ||
			    ((w2 & 0xffff0000) != 0x8df90000 && (w2 & 0xffff0000) != 0xddf90000))
				continue;
			uint64_t slot = ((uint64_t)(sext(w1 & 0xffff, 16) * 65536) + (uint64_t)sext(w2 & 0xffff, 16)) & c->mask;
			int32_t k = gb__tset_find(&c->slots, slot);
			if (k >= 0 && gb__tset_add(&c->stubs, r->addr + i, k) < 0)
				return -GB_ENOMEM;
		}
	}
	return 0;
}

void gb__mips_calls(struct cc *c)
{
	uint64_t gp = (c->e->pltgot + 0x7ff0) & c->mask;
	bool have_gp = c->e->has_mips_got && c->e->pltgot;

	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		if (r->plt)
			continue;
		for (size_t i = (4 - (r->addr & 3)) & 3; i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i), hi = w & 0xffe00000;
			int32_t k;
			/* lw/ld rt, off($gp): rt is $t9 in optimised code, any register at -O0 */
			if (have_gp && (hi == 0x8f800000 || (c->e->is64 && hi == 0xdf800000))) {
				k = gb__tset_find(&c->slots, (gp + (uint64_t)sext(w & 0xffff, 16)) & c->mask);
				if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, 4))
					continue;
				const cs_mips_op *op = &c->insn->detail->mips.operands[1];
				if ((c->insn->id == MIPS_INS_LW || c->insn->id == MIPS_INS_LD) && op->type == MIPS_OP_MEM &&
				    op->mem.base == MIPS_REG_GP)
					c->counts[k]++;
			} else if (((w >> 26) == 3 || (w >> 26) == 2) && c->stubs.n) { /* jal, j (tail call) */
				uint64_t target = ((r->addr + i + 4) & ~0x0fffffffULL) | (uint64_t)(w & 0x3ffffff) << 2;
				k = gb__tset_find(&c->stubs, target & c->mask);
				if (k >= 0 && gb__cc_decode(c->cs, c->insn, r, i, 4) &&
				    (c->insn->id == MIPS_INS_JAL || c->insn->id == MIPS_INS_J))
					c->counts[k]++;
			}
		}
	}
}

/* ---- PowerPC ---- */

static uint64_t got_addr(const struct gb__elf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *name;
		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e->elf, e->shstrndx, sh.sh_name)) &&
		    strcmp(name, ".got") == 0)
			return sh.sh_addr;
	}
	return 0;
}

/* One PLT call stub at r->p[i]:
 *   [std r2, 24|40(r1)] [addis|lis rX, (r2|0), hi] ld|lwz rY, lo(rX) mtctr rY
 * 64-bit: rX = r2 = the TOC (.got + 0x8000). 32-bit: an absolute lis/lwz
 * (non-PIC secure PLT), or lwz r11, lo(r30) whose r30 is the caller's GOT
 * pointer (PIC: -fpic uses the GOT, -fPIC a per-object .got2 + 0x8000):
 * returns 2 with *d = lo; the call site supplies r30. Returns 1 with *k for a
 * stub whose slot is known, 0 for none. */
static int ppc_stub(const struct cc *c, const struct region *r, size_t i, uint64_t toc, int32_t *k, int32_t *d)
{
	const struct gb__elf *e = c->e;
	uint64_t base[32] = {0};
	bool known[32] = {false};
	size_t j = i;

	known[2] = e->is64 && toc;
	base[2] = toc;
	if (e->is64 && j + 4 <= r->n && (word(c, r->p + j) == 0xf8410018 || word(c, r->p + j) == 0xf8410028))
		j += 4;
	if (j + 4 > r->n)
		return 0;
	uint32_t w = word(c, r->p + j);
	if ((w >> 26) == 15) { /* addis rD, rA, hi (lis when rA = 0) */
		unsigned rd = (w >> 21) & 31, ra = (w >> 16) & 31;
		if (ra && !known[ra])
			return 0;
		base[rd] = (ra ? base[ra] : 0) + (uint64_t)(sext(w & 0xffff, 16) * 65536);
		known[rd] = true;
		j += 4;
		if (j + 4 > r->n)
			return 0;
		w = word(c, r->p + j);
	}
	unsigned op = w >> 26, rt = (w >> 21) & 31, ra = (w >> 16) & 31;
	int64_t disp;
	if (e->is64 && op == 58 && (w & 3) == 0)
		disp = sext(w & 0xfffc, 16);
	else if (!e->is64 && op == 32)
		disp = sext(w & 0xffff, 16);
	else
		return 0;
	if (!ra || j + 12 > r->n || word(c, r->p + j + 4) != (0x7c0903a6 | rt << 21) || word(c, r->p + j + 8) != 0x4e800420)
		return 0;
	if (!e->is64 && ra == 30 && j == i) {
		*d = (int32_t)disp;
		return 2;
	}
	if (!known[ra])
		return 0;
	*k = gb__tset_find(&c->slots, (base[ra] + (uint64_t)disp) & c->mask);
	return *k >= 0;
}

int gb__ppc_stubs(struct cc *c)
{
	uint64_t toc = c->e->is64 ? got_addr(c->e) : 0;
	if (toc)
		toc += 0x8000;
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		for (size_t i = 0; i + 12 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i), op = w >> 26;
			int32_t k = -1, d = 0;
			if (op != 62 && op != 15 && op != 58 && op != 32) /* std, addis, ld, lwz */
				continue;
			switch (ppc_stub(c, r, i, toc, &k, &d)) {
			case 1:
				if (gb__tset_add(&c->stubs, r->addr + i, k) < 0)
					return -GB_ENOMEM;
				break;
			case 2:
				if (gb__tset_add(&c->picstubs, r->addr + i, d) < 0)
					return -GB_ENOMEM;
				break;
			default:
				break;
			}
		}
	}
	return 0;
}

/* The 32-bit PIC GOT pointer as the code computes it into r30:
 *   bcl 20,31,.+4; mflr r30; addis r30,r30,hi; addi r30,r30,lo    (-fPIC)
 *   bcl 20,31,.+8; .long off; mflr r30; lwz r0,0(r30); add r30,r0,r30  (-fpic)
 * Followed linearly: every function that calls through such a stub sets
 * r30 in its prologue first. */
struct r30 {
	uint64_t lr, r30, r0;
	bool lr_ok, r30_ok, r0_ok;
};

static void ppc_track_r30(const struct cc *c, struct r30 *t, uint64_t addr, uint32_t w)
{
	if (w == 0x429f0005 || w == 0x429f0009) { /* bcl 20,31,.+4|.+8 */
		t->lr = addr + 4;
		t->lr_ok = true;
	} else if (w == 0x7fc802a6) { /* mflr r30 */
		t->r30 = t->lr;
		t->r30_ok = t->lr_ok;
	} else if ((w & 0xffff0000) == 0x3fde0000) { /* addis r30,r30,hi */
		t->r30 += (uint64_t)(sext(w & 0xffff, 16) * 65536);
	} else if ((w & 0xffff0000) == 0x3bde0000) { /* addi r30,r30,lo */
		t->r30 += (uint64_t)sext(w & 0xffff, 16);
	} else if ((w & 0xffff0000) == 0x801e0000 && t->r30_ok) { /* lwz r0, d(r30) */
		int64_t off = gb__elf_vaddr_off(c->e, (t->r30 + (uint64_t)sext(w & 0xffff, 16)) & c->mask, 4);
		t->r0_ok = off >= 0;
		if (t->r0_ok)
			t->r0 = word(c, c->e->p + off);
	} else if (w == 0x7fc0f214 && t->r0_ok) { /* add r30,r0,r30 */
		t->r30 += t->r0;
	}
	t->r30 &= c->mask;
}

void gb__ppc_calls(struct cc *c)
{
	for (size_t ri = 0; ri < c->n_reg; ri++) {
		const struct region *r = &c->reg[ri];
		struct r30 t = {0};
		if (r->plt)
			continue;
		for (size_t i = (4 - (r->addr & 3)) & 3; i + 4 <= r->n; i += 4) {
			uint32_t w = word(c, r->p + i);
			if (!c->e->is64 && c->picstubs.n)
				ppc_track_r30(c, &t, r->addr + i, w);
			if ((w & 0xfc000002) != 0x48000000) /* b, bl (relative) */
				continue;
			uint64_t target = (r->addr + i + (uint64_t)sext(w & 0x03fffffc, 26)) & c->mask;
			int32_t k = gb__tset_find(&c->stubs, target), d;
			/* (a displacement is a multiple of 4, never the -1 of "absent") */
			if (k < 0 && t.r30_ok && (d = gb__tset_find(&c->picstubs, target)) != -1)
				k = gb__tset_find(&c->slots, (t.r30 + (uint64_t)(int64_t)d) & c->mask);
			if (k < 0 || !gb__cc_decode(c->cs, c->insn, r, i, 4))
				continue;
			const cs_ppc_op *op = &c->insn->detail->ppc.operands[0];
			if ((c->insn->id == PPC_INS_BL || c->insn->id == PPC_INS_B) && op->type == PPC_OP_IMM &&
			    ((uint64_t)op->imm & c->mask) == target)
				c->counts[k]++;
		}
	}
}
