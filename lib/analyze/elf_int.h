/* Internal to the elf analyzer: one ELF file opened with libelf, shared by
 * an_elf.c (hardening facts, imports) and elf_calls.c (call sites).
 *
 * Everything here describes untrusted bytes: libelf checks its own tables
 * (section data inside the file, string termination), and every raw read
 * done by our code is checked against [p, p + n). */
#ifndef GB_ANALYZE_ELF_INT_H
#define GB_ANALYZE_ELF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

struct gb__elf {
	Elf *elf;
	const uint8_t *p; /* the whole file */
	size_t n;
	GElf_Ehdr eh;
	bool is64, be;
	bool have_sections; /* libelf could read the section table */
	size_t shstrndx;

	/* program headers */
	bool has_interp, has_dynamic, has_relro, has_stack, stack_x;
	const char *interp; /* inside p, interp_len bytes, not NUL-terminated */
	size_t interp_len;

	/* the dynamic segment */
	Elf_Data *dyn;
	size_t n_dyn;
	const uint8_t *dynstr; /* DT_STRTAB as file bytes (NULL when unmapped) */
	size_t dynstr_len;
	bool bind_now, pie_flag;
	uint64_t pltgot; /* DT_PLTGOT, 0 when absent */
	bool has_mips_got;
	uint64_t mips_local_gotno, mips_gotsym, mips_symtabno;

	/* the dynamic symbol table (.dynsym, or DT_SYMTAB when there are no sections) */
	Elf_Data *sym;
	size_t n_sym;
	const uint8_t *symstr;
	size_t symstr_len;

	bool has_symtab; /* a section named .symtab */
};

/* Open the ELF in [p, p+n) (the bytes must outlive it). Returns 0, or
 * -GB_ECORRUPT when libelf refuses the header. Close with gb__elf_close(). */
int gb__elf_open(struct gb__elf *e, const uint8_t *p, size_t n);
void gb__elf_close(struct gb__elf *e);

/* Symbol i of the dynamic symbol table; its name (NUL-terminated inside the
 * string table) or NULL. */
const char *gb__elf_symname(const struct gb__elf *e, const GElf_Sym *s);

/* Virtual address -> file offset through the PT_LOAD segments; -1 if unmapped. */
int64_t gb__elf_vaddr_off(const struct gb__elf *e, uint64_t vaddr, uint64_t len);

/* Count the call sites of imported functions.
 *
 * symk[i] (i < e->n_sym) is the function index (< nk) of dynamic symbol i, or
 * -1 for symbols that are not counted. counts[k] receives the number of call
 * sites of function k. Returns 0, -GB_EUNSUP when the architecture (or a
 * file without a section table, except on MIPS) is not supported, or
 * -GB_ENOMEM. */
int gb__elf_call_sites(const struct gb__elf *e, const int32_t *symk, size_t nk, uint32_t *counts);

#endif
