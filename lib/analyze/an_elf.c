/* elf: how every ELF file is hardened, and which dangerous functions it calls.
 *
 * For each file of kind "elf" (any architecture, class and byte order) one
 * object goes to the report's "elf" section: machine, class, endianness,
 * type, interpreter, DT_NEEDED, SONAME, RPATH/RUNPATH and the hardening
 * facts, computed the way readelf shows them (and the way truth.json and
 * docs/hardening.md define them):
 *   nx       PT_GNU_STACK present and not executable
 *   pie      ET_DYN with PT_INTERP, or DF_1_PIE
 *   relro    PT_GNU_RELRO: "full" with DT_BIND_NOW / DF_BIND_NOW / DF_1_NOW,
 *            else "partial"; "none" without it
 *   canary   imports __stack_chk_fail or __stack_chk_guard
 *   fortify  imports a __*_chk function other than __stack_chk_fail
 *   stripped no section named .symtab
 * Imports are the undefined FUNC/NOTYPE/OBJECT symbols of the dynamic symbol
 * table; a static binary (no PT_DYNAMIC) has none that can be seen, so its
 * canary, fortify, fortified and fortifiable are null. fortifiable counts the
 * imported functions that have a __<name>_chk variant in the image's own
 * libc (found through DT_NEEDED in the usual library directories of the same
 * container), not the host's.
 *
 * unsafe_imports lists the imported functions of the unsafe families with
 * their call sites in the code (elf_calls.c), null where the architecture is
 * not supported. The image summary gets the totals per family.
 *
 * Rules (one finding per binary): elf.unsafe-function, elf.no-nx,
 * elf.no-pie (executables), elf.no-relro, elf.no-canary; REL objects (kernel
 * modules) and facts that are null are skipped. Severity is low or info:
 * these describe how a binary was built, not a planted door.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/elf_int.h"
#include "util/vec.h"

enum family { FAM_MEMCPY, FAM_STRCPY, FAM_SPRINTF, FAM_GETS, FAM_SCANF, FAM_EXEC, N_FAM };

static const char *const family_names[N_FAM] = {
	"memcpy-like", "strcpy-like", "sprintf-like", "gets", "scanf-like", "exec-like",
};

/* The unsafe functions, sorted by name (bsearch). `low`: unbounded copies and
 * shell commands, reported at low; the others (bounded or common) at info. */
static const struct unsafe {
	const char *name;
	enum family fam;
	bool low;
} unsafe_fns[] = {
	{"execl", FAM_EXEC, false},     {"execle", FAM_EXEC, false},    {"execlp", FAM_EXEC, false},
	{"execv", FAM_EXEC, false},     {"execve", FAM_EXEC, false},    {"execvp", FAM_EXEC, false},
	{"execvpe", FAM_EXEC, false},   {"fscanf", FAM_SCANF, false},   {"gets", FAM_GETS, true},
	{"memcpy", FAM_MEMCPY, false},  {"memmove", FAM_MEMCPY, false}, {"popen", FAM_EXEC, true},
	{"scanf", FAM_SCANF, false},    {"sprintf", FAM_SPRINTF, true}, {"sscanf", FAM_SCANF, false},
	{"stpcpy", FAM_STRCPY, true},   {"strcat", FAM_STRCPY, true},   {"strcpy", FAM_STRCPY, true},
	{"strncat", FAM_STRCPY, false}, {"strncpy", FAM_STRCPY, false}, {"system", FAM_EXEC, true},
	{"vfscanf", FAM_SCANF, false},  {"vscanf", FAM_SCANF, false},   {"vsprintf", FAM_SPRINTF, true},
	{"vsscanf", FAM_SCANF, false},
};
#define N_UNSAFE (sizeof(unsafe_fns) / sizeof(unsafe_fns[0]))

/* The libc of one container for one architecture: the names F for which it
 * exports __F_chk. The architecture is part of the key: an image may carry
 * i386 or 32-bit ARM programs beside its 64-bit ones, and which of them asks
 * first must not decide the answer for the others. */
struct libc_chk {
	int node;
	char *needed;  /* the DT_NEEDED name it was looked up by */
	unsigned machine;
	bool is64, be;
	bool found;
	char **names;  /* sorted */
	size_t n;
};

struct state {
	pthread_mutex_t lock;
	struct libc_chk **libcs; /* each entry allocated once: callers keep pointers to it */
	size_t n_libcs, cap_libcs;
	uint64_t fam_sites[N_FAM];
	uint64_t unknown_sites; /* binaries with unsafe imports whose call sites could not be counted */
};

/* ---- small helpers ---- */

static int unsafe_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct unsafe *)el)->name);
}

/* Index into unsafe_fns of an imported name (__isoc99_/__isoc23_ scanf
 * aliases folded), or -1. */
static int unsafe_index(const char *name)
{
	if (strncmp(name, "__isoc99_", 9) == 0 || strncmp(name, "__isoc23_", 9) == 0) {
		const struct unsafe *u = bsearch(name + 9, unsafe_fns, N_UNSAFE, sizeof(*u), unsafe_cmp);
		return u && u->fam == FAM_SCANF ? (int)(u - unsafe_fns) : -1;
	}
	const struct unsafe *u = bsearch(name, unsafe_fns, N_UNSAFE, sizeof(*u), unsafe_cmp);
	return u ? (int)(u - unsafe_fns) : -1;
}

/* __<word>_chk (as the regex __\w+_chk), other than __stack_chk_fail. */
static bool is_chk(const char *s)
{
	size_t n = strlen(s);
	if (n < 7 || strncmp(s, "__", 2) != 0 || strcmp(s + n - 4, "_chk") != 0 || strcmp(s, "__stack_chk_fail") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
			return false;
	return true;
}

/* A JSON string from untrusted bytes: as is when valid UTF-8, else with every
 * byte outside printable ASCII replaced by '?'. */
static json_t *jstr_bytes(const char *s, size_t n)
{
	json_t *j;
	char buf[512];

	if (!s)
		return json_null();
	if ((j = json_stringn(s, n)))
		return j;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	return json_stringn(buf, n);
}

static json_t *jstr_dyn(const struct gb__elf *e, uint64_t off)
{
	if (!e->dynstr || off >= e->dynstr_len)
		return json_null();
	const char *s = (const char *)e->dynstr + off;
	const char *end = memchr(s, '\0', e->dynstr_len - off);
	return end ? jstr_bytes(s, (size_t)(end - s)) : json_null();
}

static const char *machine_name(unsigned m, char *buf, size_t cap)
{
	static const struct {
		unsigned em;
		const char *name;
	} names[] = {
		{EM_SPARC, "SPARC"},     {EM_386, "386"},         {EM_68K, "68K"},       {EM_MIPS, "MIPS"},
		{EM_MIPS_RS3_LE, "MIPS_RS3_LE"},                  {EM_PARISC, "PARISC"}, {EM_SPARC32PLUS, "SPARC32PLUS"},
		{EM_PPC, "PPC"},         {EM_PPC64, "PPC64"},     {EM_S390, "S390"},     {EM_ARM, "ARM"},
		{EM_SH, "SH"},           {EM_SPARCV9, "SPARCV9"}, {EM_IA_64, "IA_64"},   {EM_X86_64, "X86_64"},
		{EM_XTENSA, "XTENSA"},   {EM_ARC_COMPACT, "ARC_COMPACT"},                {EM_OPENRISC, "OPENRISC"},
		{EM_AARCH64, "AARCH64"}, {EM_MICROBLAZE, "MICROBLAZE"},                  {EM_RISCV, "RISCV"},
		{EM_LOONGARCH, "LOONGARCH"}, {EM_NDS32, "NDS32"}, {EM_ALTERA_NIOS2, "ALTERA_NIOS2"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].em == m)
			return names[i].name;
	snprintf(buf, cap, "%u", m);
	return buf;
}

static const char *type_name(unsigned t, char *buf, size_t cap)
{
	static const char *const names[] = {"NONE", "REL", "EXEC", "DYN", "CORE"};
	if (t < 5)
		return names[t];
	snprintf(buf, cap, "%u", t);
	return buf;
}

/* ---- imports ---- */

struct imports {
	const char **names; /* distinct, sorted */
	size_t n;
	int32_t *symk;      /* per dynamic symbol: index into unsafe_fns or -1 */
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_import(const struct gb__elf *e, const GElf_Sym *s)
{
	unsigned t = GELF_ST_TYPE(s->st_info);
	return s->st_shndx == SHN_UNDEF && (t == STT_FUNC || t == STT_NOTYPE || t == STT_OBJECT);
}

static int collect_imports(const struct gb__elf *e, struct imports *im)
{
	memset(im, 0, sizeof(*im));
	if (!e->n_sym)
		return 0;
	im->names = calloc(e->n_sym, sizeof(*im->names));
	im->symk = malloc(e->n_sym * sizeof(*im->symk));
	if (!im->names || !im->symk)
		return -GB_ENOMEM;
	for (size_t i = 0; i < e->n_sym; i++) {
		GElf_Sym s;
		const char *name;
		im->symk[i] = -1;
		if (!gelf_getsym(e->sym, (int)i, &s) || !is_import(e, &s) || !(name = gb__elf_symname(e, &s)) || !*name)
			continue;
		im->names[im->n++] = name;
		im->symk[i] = unsafe_index(name);
	}
	gb_qsort(im->names, im->n, sizeof(*im->names), name_cmp);
	size_t w = 0;
	for (size_t i = 0; i < im->n; i++)
		if (w == 0 || strcmp(im->names[w - 1], im->names[i]) != 0)
			im->names[w++] = im->names[i];
	im->n = w;
	return 0;
}

static bool imports_has(const struct imports *im, const char *name)
{
	return im->n && bsearch(&name, im->names, im->n, sizeof(*im->names), name_cmp);
}

static void imports_free(struct imports *im)
{
	free(im->names);
	free(im->symk);
}

/* ---- the image's own libc: its __*_chk exports ---- */

static bool is_libc_name(const char *s)
{
	return strncmp(s, "libc.so", 7) == 0 || strncmp(s, "libc.musl", 9) == 0 || strncmp(s, "libuClibc", 9) == 0;
}

/* Debian multiarch directories for a machine (both ARM float ABIs). */
static size_t triplets(const struct gb__elf *e, const char *out[3])
{
	switch (e->eh.e_machine) {
	case EM_X86_64:
		out[0] = "x86_64-linux-gnu";
		return 1;
	case EM_386:
		out[0] = "i386-linux-gnu";
		return 1;
	case EM_AARCH64:
		out[0] = "aarch64-linux-gnu";
		return 1;
	case EM_ARM:
		out[0] = "arm-linux-gnueabihf";
		out[1] = "arm-linux-gnueabi";
		return 2;
	case EM_MIPS:
		if (e->is64)
			out[0] = e->be ? "mips64-linux-gnuabi64" : "mips64el-linux-gnuabi64";
		else
			out[0] = e->be ? "mips-linux-gnu" : "mipsel-linux-gnu";
		return 1;
	case EM_PPC:
		out[0] = "powerpc-linux-gnu";
		return 1;
	case EM_PPC64:
		out[0] = e->be ? "powerpc64-linux-gnu" : "powerpc64le-linux-gnu";
		return 1;
	case EM_S390:
		out[0] = "s390x-linux-gnu";
		return 1;
	case EM_RISCV:
		out[0] = "riscv64-linux-gnu";
		return 1;
	default:
		return 0;
	}
}

/* Fill c->names from the libc file's defined dynamic symbols __F_chk, when it
 * is an ELF file of c's architecture (else c->found stays false). */
static int load_chk_names(struct gb_aout *out, const struct gb_file *f, struct libc_chk *c)
{
	struct gb_span sp;
	struct gb__elf e;
	size_t cap = 0;
	int r = 0;

	if (gb_audit_map(out, f, &sp) < 0)
		return 0;
	if (gb__elf_open(&e, sp.p, sp.n) == 0) {
		if (e.eh.e_machine != c->machine || e.is64 != c->is64 || e.be != c->be) {
			gb__elf_close(&e);
			gb_audit_unmap(&sp);
			return 0;
		}
		c->found = true;
		for (size_t i = 0; i < e.n_sym && r == 0; i++) {
			GElf_Sym s;
			const char *name;
			if (!gelf_getsym(e.sym, (int)i, &s) || s.st_shndx == SHN_UNDEF || !(name = gb__elf_symname(&e, &s)) ||
			    !is_chk(name))
				continue;
			if (c->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				char **nv = realloc(c->names, ncap * sizeof(*nv));
				if (!nv) {
					r = -GB_ENOMEM;
					break;
				}
				c->names = nv;
				cap = ncap;
			}
			/* "__memcpy_chk" -> "memcpy" */
			c->names[c->n] = strndup(name + 2, strlen(name) - 6);
			if (!c->names[c->n])
				r = -GB_ENOMEM;
			else
				c->n++;
		}
		gb__elf_close(&e);
		if (c->n > 1)
			gb_qsort(c->names, c->n, sizeof(*c->names), name_cmp);
	}
	gb_audit_unmap(&sp);
	return r;
}

/* Look for the libc named `name` where the loader of the program's
 * architecture would (the multiarch directories first) and read the first
 * one of the same architecture into c. */
static int find_libc(struct gb_aout *out, int node, const struct gb__elf *e, const char *name, struct libc_chk *c)
{
	static const char *const dirs[] = {"/lib", "/usr/lib", "/lib64", "/usr/lib64", "/lib32", "/usr/lib32"};
	const char *trip[3];
	size_t nt = triplets(e, trip);
	char path[512];
	const struct gb_file *f;
	int r;

	for (size_t i = 0; i < nt; i++) {
		for (size_t d = 0; d < 2; d++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dirs[d], trip[i], name);
			if ((f = gb_audit_lookup(out, node, path)) && ((r = load_chk_names(out, f, c)) < 0 || c->found))
				return r;
		}
	}
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[d], name);
		if ((f = gb_audit_lookup(out, node, path)) && ((r = load_chk_names(out, f, c)) < 0 || c->found))
			return r;
	}
	return 0;
}

/* The cached libc entry for (node, architecture, needed name); NULL on allocation failure.
 * The cache lock is held while a libc is read, once per container. */
static const struct libc_chk *libc_for(struct state *st, struct gb_aout *out, int node, const struct gb__elf *e,
				       const char *needed)
{
	struct libc_chk *c = NULL;

	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < st->n_libcs; i++)
		if (st->libcs[i]->node == node && st->libcs[i]->machine == e->eh.e_machine &&
		    st->libcs[i]->is64 == e->is64 && st->libcs[i]->be == e->be &&
		    strcmp(st->libcs[i]->needed, needed) == 0) {
			c = st->libcs[i];
			goto out;
		}
	if (gb_grow((void **)&st->libcs, &st->cap_libcs, st->n_libcs + 1, sizeof(*st->libcs)) < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	c->node = node;
	c->machine = e->eh.e_machine;
	c->is64 = e->is64;
	c->be = e->be;
	c->needed = strdup(needed);
	if (!c->needed) {
		free(c);
		c = NULL;
		goto out;
	}
	st->libcs[st->n_libcs++] = c;
	find_libc(out, node, e, needed, c);
out:
	pthread_mutex_unlock(&st->lock);
	return c;
}

/* Imported functions F with __F_chk in the libc (F or __F_chk imported);
 * -1 when the container holds no libc. The libc is the one DT_NEEDED names,
 * else (plugins, the loader) the container's libc.so.6, .so.0 or .so. */
static long fortifiable(struct state *st, struct gb_aout *out, const struct gb_afile *af, const struct gb__elf *e,
			const struct imports *im)
{
	static const char *const fallback[] = {"libc.so.6", "libc.so.0", "libc.so"};
	const struct libc_chk *c = NULL;
	GElf_Dyn d;
	long n = 0;

	for (size_t i = 0; i < e->n_dyn && gelf_getdyn(e->dyn, (int)i, &d) && d.d_tag != DT_NULL; i++) {
		if (d.d_tag != DT_NEEDED || !e->dynstr || d.d_un.d_val >= e->dynstr_len)
			continue;
		const char *s = (const char *)e->dynstr + d.d_un.d_val;
		if (memchr(s, '\0', e->dynstr_len - d.d_un.d_val) && is_libc_name(s)) {
			c = libc_for(st, out, af->file->node, e, s);
			break;
		}
	}
	/* a plugin that names no libc runs inside a process that has one: the container's */
	for (size_t i = 0; !c && i < sizeof(fallback) / sizeof(fallback[0]); i++) {
		c = libc_for(st, out, af->file->node, e, fallback[i]);
		if (c && !c->found)
			c = NULL;
	}
	if (!c || !c->found)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		char chk[256];
		snprintf(chk, sizeof(chk), "__%s_chk", c->names[i]);
		if (imports_has(im, c->names[i]) || imports_has(im, chk))
			n++;
	}
	return n;
}

/* ---- the report item ---- */

static json_t *dyn_strings(const struct gb__elf *e, int64_t tag, bool all)
{
	json_t *arr = all ? json_array() : NULL;
	GElf_Dyn d;

	for (size_t i = 0; i < e->n_dyn && gelf_getdyn(e->dyn, (int)i, &d) && d.d_tag != DT_NULL; i++) {
		if (d.d_tag != tag)
			continue;
		if (!all)
			return jstr_dyn(e, d.d_un.d_val);
		json_array_append_new(arr, jstr_dyn(e, d.d_un.d_val));
	}
	return all ? arr : json_null();
}

static const char *relro_name(const struct gb__elf *e)
{
	return !e->has_relro ? "none" : e->bind_now ? "full" : "partial";
}

static json_t *opt_bool(bool known, bool v)
{
	return known ? json_boolean(v) : json_null();
}

static json_t *opt_int(bool known, long v)
{
	return known ? json_integer(v) : json_null();
}

/* The facts every finding and the item share. */
struct facts {
	bool is_static, pie, canary, fortify;
	long fortified, fortifiable;
	size_t n_imports;
	bool counted;              /* call sites known */
	uint32_t counts[N_UNSAFE];
	bool present[N_UNSAFE];
	size_t n_present;
};

static json_t *unsafe_array(const struct facts *fa)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < N_UNSAFE; k++)
		if (fa->present[k])
			json_array_append_new(arr, json_pack("{s:s, s:o}", "name", unsafe_fns[k].name, "call_sites",
							     opt_int(fa->counted, fa->counts[k])));
	return arr;
}

static json_t *make_item(const struct gb_afile *af, const struct gb__elf *e, const struct facts *fa)
{
	char mb[16], tb[16];
	json_t *j = json_object();

	json_object_set_new(j, "node", json_integer(af->file->node));
	json_object_set_new(j, "path", json_string(af->file->path));
	json_object_set_new(j, "machine", json_string(machine_name(e->eh.e_machine, mb, sizeof(mb))));
	json_object_set_new(j, "class", json_integer(e->is64 ? 64 : 32));
	json_object_set_new(j, "endian", json_string(e->be ? "big" : "little"));
	json_object_set_new(j, "type", json_string(type_name(e->eh.e_type, tb, sizeof(tb))));
	json_object_set_new(j, "interpreter", e->interp ? jstr_bytes(e->interp, e->interp_len) : json_null());
	json_object_set_new(j, "needed", dyn_strings(e, DT_NEEDED, true));
	json_object_set_new(j, "soname", dyn_strings(e, DT_SONAME, false));
	json_object_set_new(j, "nx", json_boolean(e->has_stack && !e->stack_x));
	json_object_set_new(j, "pie", json_boolean(fa->pie));
	json_object_set_new(j, "relro", json_string(relro_name(e)));
	json_object_set_new(j, "canary", opt_bool(!fa->is_static, fa->canary));
	json_object_set_new(j, "fortify", opt_bool(!fa->is_static, fa->fortify));
	json_object_set_new(j, "fortified", opt_int(!fa->is_static, fa->fortified));
	json_object_set_new(j, "fortifiable", opt_int(fa->fortifiable >= 0, fa->fortifiable));
	json_object_set_new(j, "rpath", dyn_strings(e, DT_RPATH, false));
	json_object_set_new(j, "runpath", dyn_strings(e, DT_RUNPATH, false));
	json_object_set_new(j, "stripped", json_boolean(!e->has_symtab));
	json_object_set_new(j, "static", json_boolean(fa->is_static));
	json_object_set_new(j, "unsafe_imports", unsafe_array(fa));
	return j;
}

/* A file that libelf refuses: what its identification bytes say, and why. */
static json_t *broken_item(const struct gb_afile *af)
{
	const uint8_t *p = af->data.p;
	size_t n = af->data.n;
	json_t *j = json_pack("{s:i, s:s}", "node", (json_int_t)af->file->node, "path", af->file->path);

	if (n >= 20 && (p[4] == ELFCLASS32 || p[4] == ELFCLASS64) && (p[5] == ELFDATA2LSB || p[5] == ELFDATA2MSB)) {
		char mb[16], tb[16];
		bool be = p[5] == ELFDATA2MSB;
		unsigned type = be ? (unsigned)p[16] << 8 | p[17] : (unsigned)p[17] << 8 | p[16];
		unsigned mach = be ? (unsigned)p[18] << 8 | p[19] : (unsigned)p[19] << 8 | p[18];
		json_object_set_new(j, "machine", json_string(machine_name(mach, mb, sizeof(mb))));
		json_object_set_new(j, "class", json_integer(p[4] == ELFCLASS64 ? 64 : 32));
		json_object_set_new(j, "endian", json_string(be ? "big" : "little"));
		json_object_set_new(j, "type", json_string(type_name(type, tb, sizeof(tb))));
	}
	json_object_set_new(j, "error", json_string(elf_errmsg(-1) ? elf_errmsg(-1) : "not a valid ELF file"));
	return j;
}

/* ---- findings ---- */

static void report(struct gb_aout *out, const struct gb_afile *af, const struct gb__elf *e, const struct facts *fa)
{
	const struct gb_file *f = af->file;
	unsigned type = e->eh.e_type;
	bool exe_or_lib = type == ET_EXEC || type == ET_DYN;

	if (fa->n_present) {
		bool low = false;
		json_int_t total = 0;
		for (size_t k = 0; k < N_UNSAFE; k++) {
			if (!fa->present[k])
				continue;
			low |= unsafe_fns[k].low;
			total += fa->counts[k];
		}
		json_t *d = json_pack("{s:o, s:o}", "functions", unsafe_array(fa), "call_sites",
				      fa->counted ? json_integer(total) : json_null());
		if (fa->counted)
			gb_aout_finding(out, "elf.unsafe-function", low ? GB_SEV_LOW : GB_SEV_INFO, f, 0, -1, d,
					"%s imports %zu unsafe function(s) called from %lld site(s)", f->path,
					fa->n_present, (long long)total);
		else
			gb_aout_finding(out, "elf.unsafe-function", low ? GB_SEV_LOW : GB_SEV_INFO, f, 0, -1, d,
					"%s imports %zu unsafe function(s)", f->path, fa->n_present);
	}
	if (!exe_or_lib)
		return;
	if (!(e->has_stack && !e->stack_x))
		gb_aout_finding(out, "elf.no-nx", GB_SEV_LOW, f, 0, -1,
				json_pack("{s:b, s:b}", "gnu_stack_present", e->has_stack, "stack_executable",
					  e->has_stack && e->stack_x),
				e->has_stack ? "%s asks for an executable stack (PT_GNU_STACK has PF_X)"
					     : "%s has no PT_GNU_STACK header, so its stack is executable",
				f->path);
	if (type == ET_EXEC)
		gb_aout_finding(out, "elf.no-pie", GB_SEV_LOW, f, 0, -1,
				json_pack("{s:s, s:b}", "type", "EXEC", "static", fa->is_static),
				"%s is not position-independent: it loads at a fixed address", f->path);
	if (!e->has_relro)
		gb_aout_finding(out, "elf.no-relro", GB_SEV_LOW, f, 0, -1, json_pack("{s:s}", "relro", "none"),
				"%s has no RELRO: its GOT and relocated data stay writable", f->path);
	/* a file that imports nothing (the loader) gives no evidence either way */
	if (!fa->is_static && !fa->canary && fa->n_imports)
		gb_aout_finding(out, "elf.no-canary", GB_SEV_LOW, f, 0, -1,
				json_pack("{s:i, s:i}", "imports", (json_int_t)fa->n_imports, "fortified",
					  (json_int_t)fa->fortified),
				"%s does not use stack canaries (no __stack_chk_fail import)", f->path);
}

/* ---- the analyzer ---- */

static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return -GB_ENOMEM;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(st);
		return -GB_EUNSUP;
	}
	pthread_mutex_init(&st->lock, NULL);
	*ret_state = st;
	return 0;
}

static bool wants(void *state, const struct gb_afile *f)
{
	return f->file->kind && strcmp(f->file->kind, "elf") == 0 &&
	       (f->file->type == GB_FT_FILE || f->file->type == GB_FT_HARDLINK);
}

static void add_totals(struct state *st, const struct facts *fa)
{
	pthread_mutex_lock(&st->lock);
	if (fa->n_present && !fa->counted)
		st->unknown_sites++;
	for (size_t k = 0; fa->counted && k < N_UNSAFE; k++)
		if (fa->present[k])
			st->fam_sites[unsafe_fns[k].fam] += fa->counts[k];
	pthread_mutex_unlock(&st->lock);
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct state *st = state;
	struct gb__elf e;
	struct imports im;
	struct facts fa = {0};
	int r;

	if (!af->data.n)
		return 0;
	if (gb__elf_open(&e, af->data.p, af->data.n) < 0)
		return gb_aout_append(out, "elf", broken_item(af));
	r = collect_imports(&e, &im);
	if (r < 0)
		goto done;
	fa.is_static = !e.has_dynamic;
	fa.n_imports = im.n;
	fa.pie = (e.eh.e_type == ET_DYN && e.has_interp) || e.pie_flag;
	fa.canary = imports_has(&im, "__stack_chk_fail") || imports_has(&im, "__stack_chk_guard");
	for (size_t i = 0; i < im.n; i++)
		fa.fortified += is_chk(im.names[i]);
	fa.fortify = fa.fortified > 0;
	fa.fortifiable = fa.is_static ? -1 : fortifiable(st, out, af, &e, &im);
	for (size_t i = 0; i < e.n_sym; i++)
		if (im.symk[i] >= 0 && !fa.present[im.symk[i]]) {
			fa.present[im.symk[i]] = true;
			fa.n_present++;
		}
	if (fa.n_present) {
		r = gb__elf_call_sites(&e, im.symk, N_UNSAFE, fa.counts);
		if (r == -GB_ENOMEM)
			goto done;
		fa.counted = r == 0;
		r = 0;
	}
	add_totals(st, &fa);
	r = gb_aout_append(out, "elf", make_item(af, &e, &fa));
	report(out, af, &e, &fa);
done:
	imports_free(&im);
	gb__elf_close(&e);
	return r;
}

static int finish(void *state, struct gb_aout *out)
{
	struct state *st = state;
	json_t *fam = json_object();

	for (size_t i = 0; i < N_FAM; i++)
		json_object_set_new(fam, family_names[i], json_integer((json_int_t)st->fam_sites[i]));
	gb_aout_summary_set(out, "unsafe_call_sites", fam);
	return gb_aout_summary_set(out, "unsafe_call_sites_uncounted_binaries", json_integer((json_int_t)st->unknown_sites));
}

static void fini(void *state)
{
	struct state *st = state;
	for (size_t i = 0; i < st->n_libcs; i++) {
		for (size_t j = 0; j < st->libcs[i]->n; j++)
			free(st->libcs[i]->names[j]);
		free(st->libcs[i]->names);
		free(st->libcs[i]->needed);
		free(st->libcs[i]);
	}
	free(st->libcs);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

const struct gb_analyzer gb__an_elf = {
	.name = "elf",
	.description = "ELF hardening facts, unsafe imports and their call sites",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
