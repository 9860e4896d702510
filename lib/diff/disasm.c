/* disasm: the first differing instructions of two code sections, side by
 * side, with capstone. The architecture and mode come from e_machine (x86-64,
 * x86, ARM/Thumb, AArch64, MIPS, PowerPC), the byte order from EI_DATA.
 *
 * Both sides are decoded from the same start (the covering function, else a
 * little before the difference) and printed as
 *   "   0x1139  cmp eax, 0x1234              | cmp eax, 0x5678"
 * with "!" marking the lines that differ; at most MAX_LINES lines.
 */
#include <capstone/capstone.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

#define MAX_LINES 16
#define BEFORE 4
#define LOOKBACK 4096

static bool arch_of(const struct eq_elf *e, bool thumb, cs_arch *arch, cs_mode *mode)
{
	cs_mode endian = e->be ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
	switch (e->machine) {
	case EM_X86_64:
		*arch = CS_ARCH_X86;
		*mode = CS_MODE_64;
		return true;
	case EM_386:
		*arch = CS_ARCH_X86;
		*mode = CS_MODE_32;
		return true;
	case EM_ARM:
		*arch = CS_ARCH_ARM;
		*mode = (thumb ? CS_MODE_THUMB : CS_MODE_ARM) | endian;
		return true;
	case EM_AARCH64:
		*arch = CS_ARCH_ARM64;
		*mode = endian;
		return true;
	case EM_MIPS:
		*arch = CS_ARCH_MIPS;
		*mode = (e->is64 ? CS_MODE_MIPS64 : CS_MODE_MIPS32) | endian;
		return true;
	case EM_PPC:
		*arch = CS_ARCH_PPC;
		*mode = CS_MODE_32 | endian;
		return true;
	case EM_PPC64:
		*arch = CS_ARCH_PPC;
		*mode = CS_MODE_64 | endian;
		return true;
	default:
		return false;
	}
}

struct line {
	uint64_t addr;
	uint16_t size;
	char text[80];
};

/* Decode up to max instructions of code (mapped at base) from start. */
static size_t decode(csh h, size_t unit, struct gb_span code, uint64_t base, uint64_t start, struct line *out,
		     size_t max)
{
	if (start < base || start - base >= code.n)
		return 0;
	const uint8_t *p = code.p + (start - base);
	size_t n = code.n - (size_t)(start - base);
	uint64_t addr = start;
	cs_insn *insn = cs_malloc(h);
	size_t k = 0;
	if (!insn)
		return 0;
	while (k < max && n > 0) {
		if (!cs_disasm_iter(h, &p, &n, &addr, insn)) {
			/* undecodable: show one byte (x86) or one word and go on */
			size_t skip = n >= unit ? unit : n;
			out[k].addr = addr;
			out[k].size = (uint16_t)skip;
			snprintf(out[k].text, sizeof(out[k].text), ".byte 0x%02x", p[0]);
			p += skip;
			n -= skip;
			addr += skip;
			k++;
			continue;
		}
		out[k].addr = insn->address;
		out[k].size = insn->size;
		snprintf(out[k].text, sizeof(out[k].text), "%.31s%s%.46s", insn->mnemonic,
			 insn->op_str[0] ? " " : "", insn->op_str);
		k++;
	}
	cs_free(insn, 1);
	return k;
}

char *gb__disasm_pair(const struct eq_elf *ea, const struct eq_elf *eb, uint64_t base,
		      struct gb_span ca, struct gb_span cb, uint64_t func_start, uint64_t diff_addr,
		      bool thumb)
{
	cs_arch arch;
	cs_mode mode;
	csh ha = 0, hb = 0;
	(void)eb;

	if (!arch_of(ea, thumb, &arch, &mode))
		return NULL;
	if (cs_open(arch, mode, &ha) != CS_ERR_OK)
		return NULL;
	if (cs_open(arch, mode, &hb) != CS_ERR_OK) {
		cs_close(&ha);
		return NULL;
	}
	uint64_t start = func_start;
	if (start > diff_addr || diff_addr - start > LOOKBACK) {
		/* no covering symbol near: fixed-width ISAs can start a little before */
		start = diff_addr;
		if (arch != CS_ARCH_X86)
			start = (diff_addr >= base + 16 ? diff_addr - 16 : base) & ~3ULL;
	}
	if (start < base)
		start = base;

	size_t cap = 2048;
	struct line *la = calloc(cap, sizeof(*la)), *lb = calloc(cap, sizeof(*lb));
	char *out = NULL;
	if (!la || !lb)
		goto done;
	size_t unit = arch == CS_ARCH_X86 ? 1 : thumb ? 2 : 4;
	size_t na = decode(ha, unit, ca, base, start, la, cap);
	size_t nb = decode(hb, unit, cb, base, start, lb, cap);
	/* the first instruction whose text or address differs */
	size_t first = 0, n = na < nb ? na : nb;
	while (first < n && la[first].addr == lb[first].addr && strcmp(la[first].text, lb[first].text) == 0 &&
	       la[first].addr + la[first].size <= diff_addr)
		first++;
	size_t from = first > BEFORE ? first - BEFORE : 0;
	size_t len = 0, size = 160 * (MAX_LINES + 2);
	out = malloc(size);
	if (!out)
		goto done;
	len += (size_t)snprintf(out + len, size - len, "%-10s  %-36s | %s\n", "address", "shipped",
				"rebuilt");
	for (size_t i = from; i < from + MAX_LINES && (i < na || i < nb); i++) {
		const char *ta = i < na ? la[i].text : "";
		const char *tb = i < nb ? lb[i].text : "";
		uint64_t addr = i < na ? la[i].addr : lb[i].addr;
		bool d = i >= na || i >= nb || strcmp(ta, tb) != 0 || la[i].addr != lb[i].addr;
		len += (size_t)snprintf(out + len, size - len, "%c %#8llx  %-36.36s | %.36s\n",
					d ? '!' : ' ', (unsigned long long)addr, ta, tb);
		if (len >= size)
			break;
	}
done:
	free(la);
	free(lb);
	cs_close(&ha);
	cs_close(&hb);
	return out;
}
