/* Internal to lib/diff: the two sides' entries, the ELF reader, the
 * normalised-view comparisons and the per-pair result.
 *
 * Everything here reads untrusted bytes: every read goes through the span
 * readers of glassbox/sys/span.h or is checked against the span's length. */
#ifndef GB_DIFF_INT_H
#define GB_DIFF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/equiv.h>
#include <glassbox/scan.h>
#include <glassbox/sys/span.h>

/* ------------------------------------------------------------------ sides */

enum eq_etype { EQ_FILE = 1, EQ_SYMLINK };

struct eq_entry {
	char *key;            /* pairing key ("" for the input itself) */
	char *disk;           /* relative to the side's root fd; NULL when not on disk */
	enum eq_etype type;
	char *target;         /* symlink target */
	uint64_t size;
	char sha256[65];
	uint32_t mode;
	bool have_mode;
	const char *kind;     /* static string */
	int parent;           /* entry index of the enclosing container, -1 at top */
	const char *cformat;  /* format of the first node unpacked from it (containers) */
	bool is_container;
	unsigned depth;
	int partner;          /* entry index on the other side, -1 */
	const char *paired_by;
	int result;           /* index into the results, -1 */
};

struct eq_side {
	const char *input;
	const char *as;       /* "image", "directory", "file" */
	int rootfd;           /* disk paths are relative to it */
	struct gb_scan *scan; /* image sides */
	struct eq_entry *e;
	size_t n, cap;
};

/* Build a side from an image, directory or file. Images are scanned into
 * outdir (created). errbuf gets the reason on failure. Returns 0, -GB_EIO
 * (unreadable input), -GB_ENOMEM. */
int gb__side_load(struct eq_side *s, const char *input, const char *outdir, unsigned jobs,
		  const struct gb_limits *lim, char *errbuf, size_t errlen);
void gb__side_free(struct eq_side *s);
/* Unpack file entry ei of a directory side with the scan (into outdir) and
 * add what it holds as entries nested in it (keys "KEY!..."). Returns 0
 * (also when nothing was found), -GB_ENOMEM, -GB_EIO. */
int gb__side_nest(struct eq_side *s, size_t ei, const char *outdir, unsigned jobs,
		  const struct gb_limits *lim);
/* Does the file start like a container the scan unpacks (magic check)? */
bool gb__looks_container(struct gb_span f);
/* SHA-256 of a file under the side's root (for directory entries). */
int gb__side_hash(const struct eq_side *s, struct eq_entry *e);

/* Pair the entries of the two sides (sets partner, paired_by), considering
 * only entries from index a0 of a and b0 of b. */
int gb__pair(struct eq_side *a, size_t a0, struct eq_side *b, size_t b0);

/* ------------------------------------------------------------------- ELF */

struct eq_sec {
	const char *name;     /* inside the file (NUL-terminated there) or a static "" */
	uint32_t type;
	uint64_t flags, addr, off, size, align;
	uint32_t link;
	struct gb_span data;  /* empty for SHT_NOBITS or out-of-file */
};

struct eq_sym {
	const char *name;
	uint64_t value, size;
	uint8_t type;         /* STT_* */
	uint16_t shndx;
};

struct eq_phdr {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz, memsz, align;
};

struct eq_elf {
	struct gb_span f;
	bool is64, be;
	uint16_t type, machine;
	uint32_t eflags;
	uint64_t entry, shoff, phoff;
	uint16_t phentsize;
	uint16_t shnum, shstrndx, phnum;
	struct eq_sec *sec;   /* shnum entries (malloc'd) */
	struct eq_phdr *ph;   /* phnum entries */
	struct eq_sym *sym;   /* functions and objects from .symtab and .dynsym */
	size_t nsym;
	const char *soname;
};

/* Parse the ELF in f (which must outlive it). Returns 0, -GB_ECORRUPT,
 * -GB_ENOMEM. A damaged section table leaves shnum 0 (still usable). */
int gb__elf_parse(struct gb_span f, struct eq_elf *ret);
void gb__elf_free(struct eq_elf *e);
bool gb__is_elf(struct gb_span f);
/* Defined function/object symbol names as sorted 64-bit hashes (malloc'd). */
int gb__elf_symhashes(const struct eq_elf *e, uint64_t **ret, size_t *ret_n);
/* The function symbol covering addr, from a or b (either may be NULL). */
const struct eq_sym *gb__elf_func_at(const struct eq_elf *a, const struct eq_elf *b, uint64_t addr);

/* ---------------------------------------------------------- per-pair result */

struct eq_result {
	enum gb_equiv_verdict verdict;
	uint32_t norms;
	struct gb_equiv_difference *diffs; /* malloc'd, section/function strings malloc'd */
	size_t n_diffs, cap_diffs;
	char *disasm, *diff, *note;        /* malloc'd */
};

void gb__result_clear(struct eq_result *r);
int gb__result_add_diff(struct eq_result *r, const char *section, const char *function,
			uint64_t start, uint64_t end, uint64_t bytes);
void gb__result_note(struct eq_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Compare two ELF files by normalised views. */
int gb__elf_compare(struct gb_span a, struct gb_span b, struct eq_result *r);

/* Disassemble the region around the first difference at addr (both sides,
 * code bytes ca/cb mapped at base) side by side; malloc'd text or NULL. */
char *gb__disasm_pair(const struct eq_elf *ea, const struct eq_elf *eb, uint64_t base,
		      struct gb_span ca, struct gb_span cb, uint64_t func_start, uint64_t diff_addr,
		      bool thumb);

/* ------------------------------------------------------------- normalise */

enum eq_mask { EQ_MASK_NONE = 0, EQ_MASK_PATH, EQ_MASK_DATE };

/* Is the difference at i of two same-length buffers inside a build path or a
 * build date/time string (docs/equiv.md, "same-length rule")? *ret_end gets
 * the end of that string so the caller can skip it. */
enum eq_mask gb__mask_at(struct gb_span a, struct gb_span b, size_t i, size_t *ret_end);

struct eq_cmp {
	uint64_t real;        /* bytes that differ and are not explained */
	uint64_t first, last; /* offsets of the first and last unexplained difference */
	uint32_t norms;       /* GB_NORM_BUILD_PATH / GB_NORM_BUILD_DATE used */
};
/* Compare two same-length buffers with path/date masking. Unexplained
 * differing bytes go through cb(ctx, off, len) runs when cb is set. */
void gb__masked_compare(struct gb_span a, struct gb_span b, struct eq_cmp *ret,
			void (*cb)(void *ctx, uint64_t off, uint64_t len), void *ctx);

/* An appended signature or checksum (docs/equiv.md): the shorter is a
 * prefix of the longer and the tail qualifies. */
bool gb__is_trailer(struct gb_span a, struct gb_span b);
bool gb__is_gzip(struct gb_span s);
/* Inflate a gzip stream (all members) into *ret (malloc'd), at most cap
 * bytes. Returns 0, -GB_ECORRUPT, -GB_ELIMIT, -GB_ENOMEM. */
int gb__gunzip(struct gb_span s, uint64_t cap, uint8_t **ret, size_t *ret_n);
/* Names of an archive's members in order (tar, cpio, zip via libarchive);
 * returns the count, 0 when it is not an archive libarchive reads; names are
 * malloc'd in a NUL-separated block *ret. */
int gb__archive_order(struct gb_span s, char **ret, size_t *ret_len);
bool gb__looks_text(struct gb_span s);

/* Unified diff of two text buffers (Myers), capped; malloc'd text, or NULL
 * with *too_big set when past the caps. */
char *gb__text_diff(struct gb_span a, struct gb_span b, const char *name_a, const char *name_b,
		    bool *too_big);

#endif
