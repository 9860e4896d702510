/* yara: YARA rules over every extracted file.
 *
 * Evaluators bring their own indicators as YARA rules (--rules FILE or DIR,
 * repeatable; a directory is searched recursively for *.yar and *.yara, in
 * name order). glassbox also ships rules/backdoors.yar (known router
 * backdoors, Mirai markers, reverse and bind shell one-liners), compiled into
 * the binary and loaded unless --no-default-rules is given.
 *
 * Rule yara.<rule name>: one finding per matching rule and file, at the offset
 * of its first match. Severity from the rule's meta "severity"
 * (critical|high|medium|low|info), else medium. Details: namespace ("glassbox"
 * for the built-in set, else the rule file's name without extension), tags,
 * meta (every meta field), strings (the first 8 matches: identifier, offset).
 *
 * Files that are containers glassbox unpacked (firmware, filesystem,
 * archive, compressed) are not scanned themselves: their contents are.
 * A rule that does not compile fails the audit with -GB_EINVAL and the
 * compiler's message (file:line: text). The rules are compiled once and
 * shared by every thread (libyara allows YR_MAX_THREADS concurrent scans,
 * which a semaphore enforces); each scan uses fast mode and a timeout. */
#include <dirent.h>
#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gelf.h>
#include <libelf.h>
#include <yara.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#define SCAN_TIMEOUT 30 /* seconds per file */
#define MAX_FILE_SIZE (256u << 20)
#define MAX_RULE_FILES 4096
#define MAX_STRINGS 8
#define MAX_BLOCKS 256 /* data ranges of one ELF file; more: the whole file */

extern const unsigned char gb__rules_backdoors_yar[];
extern const size_t gb__rules_backdoors_yar_len;
/* The same rules compiled at build time (tools/yarac.c). */
extern const unsigned char gb__rules_backdoors_yarc[];
extern const size_t gb__rules_backdoors_yarc_len;

struct state {
	YR_RULES *rules;
	unsigned n_rules;
	bool skip_elf_code; /* the built-in rules alone (no --rules) and libelf usable */
	sem_t slots;
	atomic_ulong files, matches, timeouts, errors;
};

struct compile_err {
	char msg[900];
	unsigned n;
};

static void on_compile(int level, const char *file, int line, const YR_RULE *rule, const char *message, void *arg)
{
	struct compile_err *e = arg;
	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	if (e->n++ == 0)
		snprintf(e->msg, sizeof(e->msg), "%s:%d: %s", file ? file : "(rules)", line, message);
}

/* ---- loading ---- */

static bool rule_file_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && strcmp(name + n - 4, ".yar") == 0) || (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

struct paths {
	char **v;
	size_t n, cap;
};

static int paths_add(struct paths *p, const char *s)
{
	if (p->n == MAX_RULE_FILES)
		return -GB_ELIMIT;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		char **v = realloc(p->v, nc * sizeof(*v));
		if (!v)
			return -GB_ENOMEM;
		p->v = v;
		p->cap = nc;
	}
	p->v[p->n] = strdup(s);
	if (!p->v[p->n])
		return -GB_ENOMEM;
	p->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rule files below dir, recursively (no symlinked directories). */
static int walk(const char *dir, struct paths *out, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	struct paths here = {0};
	int r = 0;

	if (depth > 16)
		return 0;
	d = opendir(dir);
	if (!d) {
		gb_audit_init_error("cannot read rules directory %s: %s", dir, strerror(errno));
		return -GB_EINVAL;
	}
	while ((e = readdir(d)) && r == 0) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && rule_file_name(e->d_name)))
			r = paths_add(&here, path);
		else if (S_ISLNK(st.st_mode) && rule_file_name(e->d_name) && stat(path, &st) == 0 &&
			 S_ISREG(st.st_mode))
			r = paths_add(&here, path);
	}
	closedir(d);
	if (here.n)
		gb_qsort(here.v, here.n, sizeof(*here.v), cmp_str);
	for (size_t i = 0; i < here.n; i++) {
		struct stat st;
		if (r == 0 && lstat(here.v[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = walk(here.v[i], out, depth + 1);
		else if (r == 0)
			r = paths_add(out, here.v[i]);
		free(here.v[i]);
	}
	free(here.v);
	return r;
}

/* The namespace of a rule file: its name without directory and extension. */
static void namespace_of(const char *path, char *buf, size_t cap)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	snprintf(buf, cap, "%s", b);
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
}

static int add_file(YR_COMPILER *c, struct compile_err *err, const char *path)
{
	char ns[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		gb_audit_init_error("cannot read rules %s: %s", path, strerror(errno));
		return -GB_EINVAL;
	}
	namespace_of(path, ns, sizeof(ns));
	int n = yr_compiler_add_file(c, f, ns, path);
	fclose(f);
	if (n > 0 || err->n) {
		gb_audit_init_error("YARA rules do not compile: %s", err->msg[0] ? err->msg : path);
		return -GB_EINVAL;
	}
	return 0;
}

static int add_path(YR_COMPILER *c, struct compile_err *err, const char *path)
{
	struct stat st;
	struct paths files = {0};
	int r;

	if (stat(path, &st) < 0) {
		gb_audit_init_error("cannot read rules %s: %s", path, strerror(errno));
		return -GB_EINVAL;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(c, err, path);
	r = walk(path, &files, 0);
	if (r == 0 && files.n == 0) {
		gb_audit_init_error("no .yar or .yara rule files in %s", path);
		r = -GB_EINVAL;
	}
	if (r == -GB_ELIMIT) {
		gb_audit_init_error("more than %u rule files in %s", MAX_RULE_FILES, path);
		r = -GB_EINVAL;
	}
	for (size_t i = 0; i < files.n; i++) {
		if (r == 0)
			r = add_file(c, err, files.v[i]);
		free(files.v[i]);
	}
	free(files.v);
	return r;
}

struct mem_stream {
	const unsigned char *p;
	size_t n, off;
};

static size_t mem_read(void *ptr, size_t size, size_t count, void *user)
{
	struct mem_stream *m = user;
	size_t k = 0;
	while (k < count && size <= m->n - m->off) {
		memcpy((char *)ptr + k * size, m->p + m->off, size);
		m->off += size;
		k++;
	}
	return k;
}

/* The built-in rules alone, as compiled at build time: 0.2 ms instead of the
 * ~8 ms (and ~9 MiB of page faults) of compiling them. */
static int load_builtin(YR_RULES **ret)
{
	struct mem_stream m = {gb__rules_backdoors_yarc, gb__rules_backdoors_yarc_len, 0};
	YR_STREAM stream = {.user_data = &m, .read = mem_read};
	return yr_rules_load_stream(&stream, ret) == ERROR_SUCCESS ? 0 : -GB_EINVAL;
}

static int compile(const struct gb_audit_opts *opts, YR_RULES **ret)
{
	YR_COMPILER *c = NULL;
	struct compile_err err = {0};
	int r = 0;

	/* A libyara that refuses the saved rules (another version than the
	 * build's) gets them compiled from source below. */
	if (!opts->no_default_rules && opts->n_rules == 0 && load_builtin(ret) == 0)
		return 0;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return -GB_ENOMEM;
	yr_compiler_set_callback(c, on_compile, &err);
	if (!opts->no_default_rules &&
	    (yr_compiler_add_string(c, (const char *)gb__rules_backdoors_yar, "glassbox") > 0 || err.n)) {
		gb_audit_init_error("built-in YARA rules do not compile: %s", err.msg);
		r = -GB_EINVAL;
	}
	for (size_t i = 0; r == 0 && i < opts->n_rules; i++)
		r = add_path(c, &err, opts->rules[i]);
	if (r == 0 && yr_compiler_get_rules(c, ret) != ERROR_SUCCESS)
		r = -GB_ENOMEM;
	yr_compiler_destroy(c);
	return r;
}

static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	struct state *st;
	YR_RULE *rule;
	int r;

	*ret_state = NULL;
	if (opts->no_default_rules && opts->n_rules == 0)
		return 0; /* nothing to match */
	if (yr_initialize() != ERROR_SUCCESS)
		return -GB_ENOMEM;
	st = calloc(1, sizeof(*st));
	if (!st) {
		yr_finalize();
		return -GB_ENOMEM;
	}
	r = compile(opts, &st->rules);
	if (r < 0) {
		free(st);
		yr_finalize();
		return r;
	}
	yr_rules_foreach(st->rules, rule)
		if (!(rule->flags & RULE_FLAGS_PRIVATE))
			st->n_rules++;
	/* The built-in rules alone skip ELF code sections; rules of the user's
	 * see every byte of every file, as YARA's own tool would show them. */
	st->skip_elf_code = opts->n_rules == 0 && elf_version(EV_CURRENT) != EV_NONE;
	sem_init(&st->slots, 0, YR_MAX_THREADS);
	*ret_state = st;
	return 0;
}

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	yr_rules_destroy(st->rules);
	sem_destroy(&st->slots);
	free(st);
	yr_finalize();
}

/* ---- scanning ---- */

struct scan_ctx {
	struct gb_aout *out;
	const struct gb_file *f;
	struct state *st;
};

static json_t *meta_value(const YR_META *m)
{
	switch (m->type) {
	case META_TYPE_INTEGER:
		return json_integer(m->integer);
	case META_TYPE_BOOLEAN:
		return json_boolean(m->integer);
	default: {
		json_t *s = json_string(m->string);
		return s ? s : json_string("(not UTF-8)");
	}
	}
}

static int on_match(YR_SCAN_CONTEXT *context, const YR_RULE *rule, struct scan_ctx *sc)
{
	const char *tag;
	const YR_META *meta;
	const YR_STRING *string;
	const YR_MATCH *match;
	enum gb_severity sev = GB_SEV_MEDIUM;
	const char *description = NULL;
	int64_t first = -1;
	size_t n = 0;
	json_t *d = json_object(), *tags = json_array(), *metas = json_object(), *strs = json_array();

	json_object_set_new(d, "namespace", json_string(rule->ns->name));
	yr_rule_tags_foreach(rule, tag)
		json_array_append_new(tags, json_string(tag));
	yr_rule_metas_foreach(rule, meta)
	{
		json_object_set_new(metas, meta->identifier, meta_value(meta));
		if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "severity") == 0 &&
		    gb_severity_parse(meta->string) >= 0)
			sev = (enum gb_severity)gb_severity_parse(meta->string);
		if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "description") == 0)
			description = meta->string;
	}
	yr_rule_strings_foreach(rule, string)
	{
		/* libyara's notebook hands out unaligned YR_MATCH records: copy each
		 * one out instead of reading through the pointer (what
		 * yr_string_matches_foreach does). */
		for (match = context->matches[string->idx].head; match;) {
			YR_MATCH m;
			memcpy(&m, match, sizeof(m));
			match = m.next;
			if (m.is_private)
				continue;
			int64_t off = m.base + m.offset;
			if (first < 0 || off < first)
				first = off;
			if (n < MAX_STRINGS) {
				json_array_append_new(strs, json_pack("{s:s, s:I}", "identifier", string->identifier,
								      "offset", (json_int_t)off));
				n++;
			}
		}
	}
	json_object_set_new(d, "tags", tags);
	json_object_set_new(d, "meta", metas);
	json_object_set_new(d, "strings", strs);
	char id[256];
	snprintf(id, sizeof(id), "yara.%s", rule->identifier);
	atomic_fetch_add(&sc->st->matches, 1);
	if (description)
		return gb_aout_finding(sc->out, id, sev, sc->f, 0, first, d, "%s: %s (YARA rule %s)", sc->f->path,
				       description, rule->identifier);
	return gb_aout_finding(sc->out, id, sev, sc->f, 0, first, d, "%s matches the YARA rule %s", sc->f->path,
			       rule->identifier);
}

static int callback(YR_SCAN_CONTEXT *context, int message, void *data, void *arg)
{
	if (message == CALLBACK_MSG_RULE_MATCHING)
		on_match(context, data, arg);
	return CALLBACK_CONTINUE;
}

static bool wants(void *state, const struct gb_afile *af)
{
	static const char *const containers[] = {"firmware", "filesystem", "archive", "compressed", "empty", NULL};
	const struct gb_file *f = af->file;

	if (!state || (f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK) || !f->disk)
		return false;
	if (f->size == 0 || f->size > MAX_FILE_SIZE)
		return false;
	for (const char *const *k = containers; *k; k++)
		if (f->kind && strcmp(f->kind, *k) == 0)
			return false;
	return true;
}

/* ---- the data of an ELF file, for the built-in rules ---- */

/* The parts of a file to scan as YARA memory blocks, each at its file offset. */
struct blocks {
	YR_MEMORY_BLOCK b[MAX_BLOCKS];
	size_t n, cur;
	uint64_t file_size;
};

static const uint8_t *block_data(YR_MEMORY_BLOCK *b)
{
	return b->context;
}

static YR_MEMORY_BLOCK *blocks_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct blocks *bl = it->context;
	bl->cur = 0;
	return bl->n ? &bl->b[0] : NULL;
}

static YR_MEMORY_BLOCK *blocks_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct blocks *bl = it->context;
	return bl->cur + 1 < bl->n ? &bl->b[++bl->cur] : NULL;
}

static uint64_t blocks_size(YR_MEMORY_BLOCK_ITERATOR *it)
{
	return ((struct blocks *)it->context)->file_size;
}

struct range {
	uint64_t off, end;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Sections the built-in rules never need: loaded code (.text, .init,
 * .plt...: SHT_PROGBITS with SHF_ALLOC and SHF_EXECINSTR) and the tables the
 * toolchain generates (relocations, symbol, hash and version tables, unwind
 * tables, the GOT). Those rules look for strings and byte tables the program
 * carries as data; together these are two thirds of a shared library. */
static bool builtin_skips(const GElf_Shdr *sh, const char *name)
{
	static const char *const generated[] = {".eh_frame", ".eh_frame_hdr", ".gcc_except_table",
						".ARM.exidx", ".ARM.extab", ".got", ".got.plt"};

	if (sh->sh_size == 0 || sh->sh_offset == 0 || sh->sh_type == SHT_NOBITS)
		return false; /* nothing on disk, or the ELF header: always scanned */
	switch (sh->sh_type) {
	case SHT_RELA:
	case SHT_REL:
	case SHT_RELR:
	case SHT_SYMTAB:
	case SHT_DYNSYM:
	case SHT_HASH:
	case SHT_GNU_HASH:
	case SHT_GNU_versym:
	case SHT_GNU_verdef:
	case SHT_GNU_verneed:
		return true;
	case SHT_PROGBITS:
		if ((sh->sh_flags & (SHF_EXECINSTR | SHF_ALLOC)) == (SHF_EXECINSTR | SHF_ALLOC))
			return true;
		break;
	default:
		break;
	}
	for (size_t i = 0; name && i < sizeof(generated) / sizeof(generated[0]); i++)
		if (strcmp(name, generated[i]) == 0)
			return true;
	return false;
}

/* The file minus the sections builtin_skips() names: false when it has no
 * usable section table, nothing to skip or too many pieces, and the caller
 * scans the whole file. Bytes outside every section (headers, gaps, data
 * appended after the last section) are always scanned. */
static bool elf_data_blocks(const struct gb_span *d, struct blocks *bl)
{
	Elf *elf = elf_memory((char *)d->p, d->n);
	struct range ex[MAX_BLOCKS];
	size_t nex = 0, shnum = 0, shstrndx = 0;
	bool ok = false;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrnum(elf, &shnum) != 0 || shnum == 0)
		goto out;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		shstrndx = SHN_UNDEF; /* types still apply; names do not */
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			goto out;
		const char *name = shstrndx != SHN_UNDEF ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
		if (!builtin_skips(&sh, name) || sh.sh_offset >= d->n)
			continue;
		if (nex == MAX_BLOCKS)
			goto out;
		uint64_t end = sh.sh_size > d->n - sh.sh_offset ? d->n : sh.sh_offset + sh.sh_size;
		ex[nex++] = (struct range){sh.sh_offset, end};
	}
	qsort(ex, nex, sizeof(*ex), range_cmp);
	uint64_t pos = 0;
	bl->n = 0;
	for (size_t i = 0; i <= nex; i++) {
		uint64_t start = i < nex ? ex[i].off : d->n;
		if (start > pos) {
			if (bl->n == MAX_BLOCKS)
				goto out;
			bl->b[bl->n++] = (YR_MEMORY_BLOCK){.size = (size_t)(start - pos), .base = pos,
							   .context = (void *)(d->p + pos), .fetch_data = block_data};
		}
		if (i < nex && ex[i].end > pos)
			pos = ex[i].end;
	}
	bl->file_size = d->n;
	ok = nex > 0;
out:
	if (elf)
		elf_end(elf);
	return ok;
}

static int scan_file(struct state *st, const struct gb_afile *af, struct scan_ctx *sc)
{
	if (st->skip_elf_code && af->file->kind && strcmp(af->file->kind, "elf") == 0) {
		struct blocks *bl = malloc(sizeof(*bl));
		if (bl && elf_data_blocks(&af->data, bl)) {
			YR_MEMORY_BLOCK_ITERATOR it = {.context = bl, .first = blocks_first, .next = blocks_next,
						       .file_size = blocks_size, .last_error = ERROR_SUCCESS};
			int r = yr_rules_scan_mem_blocks(st->rules, &it, SCAN_FLAGS_FAST_MODE, callback, sc,
							 SCAN_TIMEOUT);
			free(bl);
			return r;
		}
		free(bl);
	}
	return yr_rules_scan_mem(st->rules, af->data.p, af->data.n, SCAN_FLAGS_FAST_MODE, callback, sc,
				 SCAN_TIMEOUT);
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct state *st = state;
	struct scan_ctx sc = {.out = out, .f = af->file, .st = st};

	if (!af->data.p || af->data.n == 0)
		return 0;
	atomic_fetch_add(&st->files, 1);
	sem_wait(&st->slots);
	int r = scan_file(st, af, &sc);
	sem_post(&st->slots);
	if (r == ERROR_SCAN_TIMEOUT)
		atomic_fetch_add(&st->timeouts, 1);
	else if (r != ERROR_SUCCESS)
		atomic_fetch_add(&st->errors, 1);
	return 0;
}

static int finish(void *state, struct gb_aout *out)
{
	struct state *st = state;
	if (!st)
		return 0;
	return gb_aout_summary_set(out, "yara",
				   json_pack("{s:i, s:I, s:I, s:I, s:I}", "rules", (json_int_t)st->n_rules, "files_scanned",
					     (json_int_t)atomic_load(&st->files), "matches",
					     (json_int_t)atomic_load(&st->matches), "timeouts",
					     (json_int_t)atomic_load(&st->timeouts), "errors",
					     (json_int_t)atomic_load(&st->errors)));
}

const struct gb_analyzer gb__an_yara = {
	.name = "yara",
	.description = "YARA rules (built-in backdoor indicators and --rules) over every file",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
