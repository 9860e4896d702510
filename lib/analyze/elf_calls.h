/* Internal to elf_calls.c and elf_calls_risc.c: the call-site counter's state.
 * See elf_calls.c for the method. */
#ifndef GB_ANALYZE_ELF_CALLS_H
#define GB_ANALYZE_ELF_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capstone/capstone.h>

#include "analyze/elf_int.h"

#define ELF_MAX_REGIONS 512

struct tgt {
	uint64_t addr;
	int32_t k;
};

struct tset {
	struct tgt *v;
	size_t n, cap;
};

struct region {
	const uint8_t *p;
	size_t n;
	uint64_t addr;
	bool plt;
};

struct cc {
	const struct gb__elf *e;
	const int32_t *symk;
	size_t nk;
	uint32_t *counts;
	struct tset slots, stubs;
	struct tset picstubs; /* PPC32 PIC stubs: address -> r30 displacement */
	struct region reg[ELF_MAX_REGIONS];
	size_t n_reg;
	uint64_t scanned; /* bytes in reg[] */
	bool ibe; /* instruction words are big-endian */
	uint64_t mask; /* address arithmetic wraps at the class width */
	csh cs, cs2;   /* cs2: Thumb on ARM */
	cs_insn *insn, *insn2;
};

/* Byte readers: the callers check the bounds. */
static inline uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static inline uint32_t word(const struct cc *c, const uint8_t *b)
{
	return c->ibe ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : le32(b);
}

static inline uint16_t half(const struct cc *c, const uint8_t *b)
{
	return c->ibe ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static inline int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ULL << (bits - 1);
	v &= (1ULL << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

/* Sorted address -> function index (or displacement) sets. */
int gb__tset_add(struct tset *s, uint64_t addr, int32_t k);
int32_t gb__tset_find(const struct tset *s, uint64_t addr); /* -1 when absent */
/* Decode one instruction at r->p[i] with capstone; true when it is `size` bytes long. */
bool gb__cc_decode(csh h, cs_insn *insn, const struct region *r, size_t i, unsigned size);

/* elf_calls_risc.c */
int gb__mips_stubs(struct cc *c);
void gb__mips_calls(struct cc *c);
int gb__ppc_stubs(struct cc *c);
void gb__ppc_calls(struct cc *c);

#endif
