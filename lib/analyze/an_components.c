/* components: which third-party software ships, in which versions, in how
 * many copies, from the bytes alone (firmware has no package database).
 *
 * The signatures are data (data/components.json, documented in
 * docs/components.md, compiled in by scripts/embed.py): per component its
 * CPE and purl, version patterns (banners such as "OpenSSL 1.0.2k  26 Jan
 * 2017" or "SSH-2.0-dropbear_2022.83"), markers (strings that say "this file
 * belongs to the component" without a version), SONAMEs and file-name hints.
 *
 * Each file worth it (ELF, raw data such as decompressed kernels) is read
 * once: one Aho-Corasick pass finds every pattern's literal anchor and every
 * marker, and a bounded regex around each hit reads the version. Patterns
 * marked "gated" (weak anchors) run only in files that carry one of the
 * component's markers, SONAMEs or file-name hints. In finish(), files with a
 * marker but no version (pppd plugins, libthread_db, OpenSSL's legacy.so)
 * are searched for the versions that other files of the image proved, via
 * the component's "confirm" templates: no version is ever invented.
 *
 * Output: the "components" section, one item per (name, version) with every
 * copy (node, path, sha256, evidence string and offset), the vulnerabilities
 * from the vulnerability database when one is present, and the summary keys
 * copy_lines ("3 copies of 2 versions of OpenSSL"), components, copies and
 * vulnerabilities. BusyBox copies carry their applet list, kernels whether an
 * IKCONFIG blob is present; lib/analyze/components.h hands both to the
 * vulnerability database's applicability rules. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/components_int.h"

extern const unsigned char gb__components_json[];
extern const size_t gb__components_json_len;

/* A version found in the file being read. */
struct found {
	size_t comp;
	char version[MAX_VERSION];
	int priority;
	char evidence[MAX_EVIDENCE];
	size_t offset;
	const char *method;
};

/* Why a file belongs to a component without a version (the first marker, or its SONAME). */
struct mark {
	bool on;
	int64_t offset;
	char evidence[96];
};

/* One file being read. */
struct fscan {
	struct state *st;
	const struct gb_span *data;
	unsigned kind;
	struct mark *marks;       /* per component */
	uint16_t *attempts;       /* per pattern */
	size_t base;              /* offset of the range being scanned */
	unsigned long budget;     /* regex steps left for this file */
	struct found found[MAX_FOUND];
	size_t n_found;
};

/* ---- ELF SONAME (bounded raw read: the analyzer needs nothing else) ---- */

static uint64_t rd(const uint8_t *p, unsigned size, bool be)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

/* The DT_SONAME of an ELF file into buf; false when it has none. */
static bool elf_soname(const struct gb_span *d, char *buf, size_t cap)
{
	const uint8_t *p = d->p;
	size_t n = d->n;
	if (n < 52 || memcmp(p, "\x7f" "ELF", 4) != 0 || (p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2))
		return false;
	bool is64 = p[4] == 2, be = p[5] == 2;
	unsigned w = is64 ? 8 : 4;
	if (is64 && n < 64)
		return false;
	uint64_t phoff = rd(p + (is64 ? 32 : 28), w, be);
	unsigned phentsize = (unsigned)rd(p + (is64 ? 54 : 42), 2, be);
	unsigned phnum = (unsigned)rd(p + (is64 ? 56 : 44), 2, be);
	if (phentsize < (is64 ? 56u : 32u) || phnum > 256)
		return false;
	uint64_t dyn_off = 0, dyn_size = 0;
	struct {
		uint64_t vaddr, off, size;
	} loads[32];
	unsigned nl = 0;
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t o = phoff + (uint64_t)i * phentsize;
		if (o > n || n - o < phentsize)
			return false;
		const uint8_t *ph = p + o;
		uint32_t type = (uint32_t)rd(ph, 4, be);
		uint64_t off = is64 ? rd(ph + 8, 8, be) : rd(ph + 4, 4, be);
		uint64_t vaddr = is64 ? rd(ph + 16, 8, be) : rd(ph + 8, 4, be);
		uint64_t filesz = is64 ? rd(ph + 32, 8, be) : rd(ph + 16, 4, be);
		if (type == 1 && nl < 32)
			loads[nl++] = (typeof(loads[0])){vaddr, off, filesz};
		else if (type == 2) {
			dyn_off = off;
			dyn_size = filesz;
		}
	}
	if (!dyn_size || dyn_off > n || dyn_size > n - dyn_off)
		return false;
	uint64_t strtab = 0, soname = UINT64_MAX;
	bool have_strtab = false;
	for (uint64_t o = dyn_off; o + 2 * w <= dyn_off + dyn_size; o += 2 * w) {
		uint64_t tag = rd(p + o, w, be), val = rd(p + o + w, w, be);
		if (tag == 0)
			break;
		if (tag == 5) {
			strtab = val;
			have_strtab = true;
		} else if (tag == 14) {
			soname = val;
		}
	}
	if (!have_strtab || soname == UINT64_MAX)
		return false;
	for (unsigned i = 0; i < nl; i++) {
		if (strtab < loads[i].vaddr || strtab - loads[i].vaddr >= loads[i].size)
			continue;
		uint64_t off = loads[i].off + (strtab - loads[i].vaddr);
		if (off > n || soname > n - off)
			return false;
		off += soname;
		size_t k = 0;
		while (off + k < n && p[off + k] && k + 1 < cap) {
			buf[k] = (char)p[off + k];
			k++;
		}
		if (off + k >= n || p[off + k])
			return false;
		buf[k] = '\0';
		return k > 0;
	}
	return false;
}

/* The byte ranges of an ELF file worth scanning: everything but the
 * executable sections (code holds no banners; .text is often half the file,
 * most of a kernel). Without a sane section table, the whole file. Returns
 * the number of ranges written to r[] (at most cap). */
struct range {
	size_t off, len;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static size_t elf_scan_ranges(const struct gb_span *d, struct range *r, size_t cap)
{
	const uint8_t *p = d->p;
	size_t n = d->n, nx = 0;
	struct range code[64];

	r[0] = (struct range){0, n};
	if (n < 64 || memcmp(p, "\x7f" "ELF", 4) != 0 || (p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2))
		return 1;
	bool is64 = p[4] == 2, be = p[5] == 2;
	uint64_t shoff = rd(p + (is64 ? 40 : 32), is64 ? 8 : 4, be);
	unsigned shentsize = (unsigned)rd(p + (is64 ? 58 : 46), 2, be);
	unsigned shnum = (unsigned)rd(p + (is64 ? 60 : 48), 2, be);
	if (shentsize < (is64 ? 64u : 40u) || shnum == 0 || shnum > 4096 || shoff > n ||
	    (uint64_t)shnum * shentsize > n - shoff)
		return 1;
	for (unsigned i = 0; i < shnum && nx < 64; i++) {
		const uint8_t *sh = p + shoff + (uint64_t)i * shentsize;
		uint32_t type = (uint32_t)rd(sh + 4, 4, be);
		uint64_t flags = rd(sh + 8, is64 ? 8 : 4, be);
		uint64_t off = rd(sh + (is64 ? 24 : 16), is64 ? 8 : 4, be);
		uint64_t size = rd(sh + (is64 ? 32 : 20), is64 ? 8 : 4, be);
		if (type != 1 || !(flags & 0x4) || size < 4096 || off > n || size > n - off)
			continue;
		code[nx++] = (struct range){(size_t)off, (size_t)size};
	}
	if (!nx)
		return 1;
	gb_qsort(code, nx, sizeof(code[0]), range_cmp);
	size_t k = 0, pos = 0;
	for (size_t i = 0; i < nx && k + 1 < cap; i++) {
		if (code[i].off > pos)
			r[k++] = (struct range){pos, code[i].off - pos};
		if (code[i].off + code[i].len > pos)
			pos = code[i].off + code[i].len;
	}
	if (pos < n && k < cap)
		r[k++] = (struct range){pos, n - pos};
	return k;
}

/* ---- per-file facts ---- */

/* BusyBox keeps its applet names as one sorted, NUL-separated block that
 * starts "[\0[[\0". */
static void busybox_applets(const struct gb_span *d, struct copy *c)
{
	const uint8_t *q = memmem(d->p, d->n, "[\0[[\0", 5);
	c->applets_read = true;
	if (!q)
		return;
	size_t i = (size_t)(q - d->p);
	c->applets = calloc(MAX_APPLETS, sizeof(char *));
	while (c->applets && c->n_applets < MAX_APPLETS && i < d->n) {
		size_t j = i;
		while (j < d->n && j - i < 64 && d->p[j] &&
		       (d->p[j] == '[' || d->p[j] == ']' || d->p[j] == '_' || d->p[j] == '.' || d->p[j] == '-' ||
			(d->p[j] >= 'a' && d->p[j] <= 'z') || (d->p[j] >= '0' && d->p[j] <= '9')))
			j++;
		if (j == i || j >= d->n || d->p[j] != 0)
			break;
		c->applets[c->n_applets] = strndup((const char *)d->p + i, j - i);
		if (!c->applets[c->n_applets])
			break;
		c->n_applets++;
		i = j + 1;
	}
}

/* The kernel's embedded config (CONFIG_IKCONFIG): "IKCFG_ST", a gzip stream
 * of the .config, "IKCFG_ED". Keeps the names of the options set to y or m. */
static void kernel_ikconfig(const struct gb_span *d, struct copy *c)
{
	const uint8_t *q = memmem(d->p, d->n, "IKCFG_ST", 8);
	c->ikconfig = 0;
	if (!q || (size_t)(q - d->p) + 10 > d->n || q[8] != 0x1f || q[9] != 0x8b)
		return;
	size_t off = (size_t)(q - d->p) + 8;
	uint8_t *out = malloc(MAX_IKCONFIG + 1);
	z_stream z = {0};
	if (!out || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return;
	}
	z.next_in = (Bytef *)(d->p + off);
	z.avail_in = (uInt)(d->n - off > UINT32_MAX ? UINT32_MAX : d->n - off);
	z.next_out = out;
	z.avail_out = MAX_IKCONFIG;
	int zr = inflate(&z, Z_FINISH);
	size_t len = MAX_IKCONFIG - z.avail_out;
	inflateEnd(&z);
	if (zr != Z_STREAM_END && zr != Z_BUF_ERROR && zr != Z_OK) {
		free(out);
		return;
	}
	out[len] = 0;
	size_t cap = 256;
	c->config = malloc(cap * sizeof(char *));
	for (char *line = (char *)out, *nl; c->config && line < (char *)out + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)((char *)out + len - line));
		if (!nl)
			nl = (char *)out + len;
		char *eq = memchr(line, '=', (size_t)(nl - line));
		if (strncmp(line, "CONFIG_", 7) == 0 && eq && eq + 2 == nl && (eq[1] == 'y' || eq[1] == 'm')) {
			if (c->n_config == cap) {
				char **nc = realloc(c->config, cap * 2 * sizeof(char *));
				if (!nc)
					break;
				c->config = nc;
				cap *= 2;
			}
			c->config[c->n_config] = strndup(line, (size_t)(eq - line));
			if (!c->config[c->n_config])
				break;
			c->n_config++;
		}
	}
	free(out);
	if (c->config)
		gb_qsort(c->config, c->n_config, sizeof(char *), gb__comp_strp_cmp);
	c->ikconfig = 1;
}

/* ---- matching one file ---- */

static void add_found(struct fscan *fs, size_t comp, const char *version, int priority, const uint8_t *ev,
		      size_t ev_len, size_t offset, const char *method)
{
	for (size_t i = 0; i < fs->n_found; i++) {
		struct found *f = &fs->found[i];
		if (f->comp == comp && strcmp(f->version, version) == 0) {
			if (priority > f->priority) {
				/* the stronger evidence is the one to show */
				f->priority = priority;
				gb__comp_render(ev, ev_len, f->evidence, sizeof(f->evidence));
				f->offset = offset;
				f->method = method;
			}
			return;
		}
	}
	if (fs->n_found >= MAX_FOUND)
		return;
	struct found *f = &fs->found[fs->n_found++];
	f->comp = comp;
	snprintf(f->version, sizeof(f->version), "%s", version);
	f->priority = priority;
	gb__comp_render(ev, ev_len, f->evidence, sizeof(f->evidence));
	f->offset = offset;
	f->method = method;
}

static void try_pattern(struct fscan *fs, size_t pi, size_t hit)
{
	const struct gb_sig_pattern *pat = &fs->st->db->pats[pi];
	const struct gb_sig_component *c = &fs->st->db->comps[pat->comp];
	struct gb_sig_match m;
	char v[MAX_VERSION];

	if (fs->attempts[pi] >= MAX_ATTEMPTS)
		return;
	fs->attempts[pi]++;
	if (!gb__sig_re_find_at_anchor(pat->re, fs->data->p, fs->data->n, hit, &m, &fs->budget))
		return;
	if (!gb__sig_normalize(c, fs->data->p + m.vstart, m.vend - m.vstart, v, sizeof(v)))
		return;
	add_found(fs, pat->comp, v, pat->priority, fs->data->p + m.start, m.end - m.start, m.start, "pattern");
}

static int on_hit(void *ctx, uint32_t id, size_t start)
{
	struct fscan *fs = ctx;
	const struct gb_sig_db *db = fs->st->db;

	if (id & MARKER_BIT) {
		size_t comp = fs->st->marker_comp[id & ~MARKER_BIT];
		if ((db->comps[comp].files & fs->kind) && !fs->marks[comp].on) {
			const struct gb_sig_bytes *mk = &db->comps[comp].markers[fs->st->marker_idx[id & ~MARKER_BIT]];
			fs->marks[comp].on = true;
			fs->marks[comp].offset = (int64_t)(fs->base + start);
			gb__comp_render(mk->p, mk->n, fs->marks[comp].evidence, sizeof(fs->marks[comp].evidence));
		}
		return 0;
	}
	if (db->comps[db->pats[id].comp].files & fs->kind)
		try_pattern(fs, id, fs->base + start);
	return 0;
}

/* Gated patterns: only where a marker, SONAME or file-name hint says the
 * file belongs to the component. */
static void run_gated(struct fscan *fs, const struct gb_file *f)
{
	const struct gb_sig_db *db = fs->st->db;
	for (size_t pi = 0; pi < db->n_pats; pi++) {
		const struct gb_sig_pattern *pat = &db->pats[pi];
		const struct gb_sig_component *c = &db->comps[pat->comp];
		if (!pat->gated || !(c->files & fs->kind))
			continue;
		if (!fs->marks[pat->comp].on && !gb__sig_glob_hint(c, f->path))
			continue;
		const uint8_t *p = fs->data->p, *end = p + fs->data->n;
		while (p < end && fs->attempts[pi] < MAX_ATTEMPTS) {
			const uint8_t *q = memmem(p, (size_t)(end - p), pat->anchor, pat->anchor_len);
			if (!q)
				break;
			try_pattern(fs, pi, (size_t)(q - fs->data->p));
			p = q + 1;
		}
	}
}

static int push_pending(struct state *st, size_t comp, const struct gb_file *f, const struct mark *mk)
{
	if (st->n_pend == st->cap_pend) {
		size_t cap = st->cap_pend ? st->cap_pend * 2 : 64;
		struct pending *np = realloc(st->pend, cap * sizeof(*np));
		if (!np)
			return -GB_ENOMEM;
		st->pend = np;
		st->cap_pend = cap;
	}
	struct pending *pd = &st->pend[st->n_pend++];
	pd->comp = comp;
	pd->file = f;
	pd->offset = mk->offset;
	snprintf(pd->evidence, sizeof(pd->evidence), "%s", mk->evidence);
	return 0;
}

/* Turn a file's findings into copies (facts read once per file). */
static int record(struct fscan *fs, const struct gb_file *f)
{
	struct state *st = fs->st;
	const struct gb_sig_db *db = st->db;
	int r = 0;

	for (size_t i = 0; i < fs->n_found; i++) {
		const struct found *fd = &fs->found[i];
		bool best = true;
		for (size_t k = 0; k < fs->n_found; k++)
			if (fs->found[k].comp == fd->comp && fs->found[k].priority > fd->priority)
				best = false;
		if (!best)
			continue;
		const struct gb_sig_component *c = &db->comps[fd->comp];
		struct copy cp = {.comp = fd->comp, .file = f, .offset = (int64_t)fd->offset,
				  .method = fd->method, .ikconfig = -1};
		cp.version = strdup(fd->version);
		cp.evidence = strdup(fd->evidence);
		if (!cp.version || !cp.evidence) {
			gb__comp_free_copy(&cp);
			return -GB_ENOMEM;
		}
		if (c->facts == GB_SIG_FACTS_BUSYBOX)
			busybox_applets(fs->data, &cp);
		else if (c->facts == GB_SIG_FACTS_IKCONFIG)
			kernel_ikconfig(fs->data, &cp);
		pthread_mutex_lock(&st->lock);
		r = gb__comp_push_copy(st, &cp);
		pthread_mutex_unlock(&st->lock);
		if (r < 0) {
			gb__comp_free_copy(&cp);
			return r;
		}
	}
	for (size_t ci = 0; ci < db->n_comps; ci++) {
		if (!fs->marks[ci].on || (!db->comps[ci].n_confirm && !db->comps[ci].unversioned))
			continue;
		bool has = false;
		for (size_t i = 0; i < fs->n_found; i++)
			has |= fs->found[i].comp == ci;
		if (has)
			continue;
		pthread_mutex_lock(&st->lock);
		r = push_pending(st, ci, f, &fs->marks[ci]);
		pthread_mutex_unlock(&st->lock);
		if (r < 0)
			return r;
	}
	return 0;
}

static unsigned kind_bit(const struct gb_file *f)
{
	const char *k = f->kind;
	if (!k || strcmp(k, "data") == 0)
		return GB_SIG_DATA;
	if (strcmp(k, "elf") == 0)
		return GB_SIG_ELF;
	if (strcmp(k, "text") == 0 || strcmp(k, "script") == 0 || strcmp(k, "shell-script") == 0)
		return strncmp(f->path, "/usr/share/", 11) == 0 ? 0 : GB_SIG_TEXT;
	return 0;
}

static bool wants(void *state, const struct gb_afile *af)
{
	const struct state *st = state;
	const struct gb_file *f = af->file;
	return f->type == GB_FT_FILE && f->disk && f->size >= 16 && (kind_bit(f) & st->db->files);
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct state *st = state;
	const struct gb_sig_db *db = st->db;
	struct fscan fs = {.st = st, .data = &af->data, .kind = kind_bit(af->file), .budget = MAX_FILE_STEPS};
	int r;

	if (!af->data.n)
		return 0;
	fs.marks = calloc(db->n_comps, sizeof(*fs.marks));
	fs.attempts = calloc(db->n_pats, sizeof(uint16_t));
	if (!fs.marks || !fs.attempts) {
		free(fs.marks);
		free(fs.attempts);
		return -GB_ENOMEM;
	}
	struct range ranges[66];
	size_t nr = fs.kind == GB_SIG_ELF ? elf_scan_ranges(&af->data, ranges, 66) : 0;
	if (!nr)
		ranges[nr++] = (struct range){0, af->data.n};
	for (size_t i = 0; i < nr; i++) {
		fs.base = ranges[i].off;
		gb_ac_scan(st->ac, af->data.p + ranges[i].off, ranges[i].len, on_hit, &fs);
	}
	char soname[256];
	if (fs.kind == GB_SIG_ELF && elf_soname(&af->data, soname, sizeof(soname))) {
		for (size_t ci = 0; ci < db->n_comps; ci++)
			for (size_t k = 0; k < db->comps[ci].n_sonames && !fs.marks[ci].on; k++) {
				if (!gb__sig_re_full(db->comps[ci].sonames[k], soname, strlen(soname)))
					continue;
				fs.marks[ci].on = true;
				fs.marks[ci].offset = -1;
				snprintf(fs.marks[ci].evidence, sizeof(fs.marks[ci].evidence), "SONAME %.80s", soname);
			}
	}
	run_gated(&fs, af->file);
	r = record(&fs, af->file);
	free(fs.marks);
	free(fs.attempts);
	return r;
}

/* ---- lifecycle ---- */

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_copies; i++)
		gb__comp_free_copy(&st->copies[i]);
	free(st->copies);
	free(st->pend);
	free(st->marker_comp);
	free(st->marker_idx);
	gb_ac_free(st->ac);
	gb__sig_db_free(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static int build_matcher(struct state *st)
{
	const struct gb_sig_db *db = st->db;
	int r = gb_ac_new(&st->ac);
	if (r < 0)
		return r;
	for (size_t i = 0; i < db->n_pats; i++) {
		if (db->pats[i].gated)
			continue;
		r = gb_ac_add(st->ac, db->pats[i].anchor, db->pats[i].anchor_len, (uint32_t)i);
		if (r < 0)
			return r;
	}
	for (size_t ci = 0; ci < db->n_comps; ci++)
		st->n_markers += db->comps[ci].n_markers;
	st->marker_comp = calloc(st->n_markers + 1, sizeof(size_t));
	st->marker_idx = calloc(st->n_markers + 1, sizeof(size_t));
	if (!st->marker_comp || !st->marker_idx)
		return -GB_ENOMEM;
	size_t m = 0;
	for (size_t ci = 0; ci < db->n_comps; ci++) {
		for (size_t k = 0; k < db->comps[ci].n_markers; k++, m++) {
			const struct gb_sig_bytes *mk = &db->comps[ci].markers[k];
			st->marker_comp[m] = ci;
			st->marker_idx[m] = k;
			r = gb_ac_add(st->ac, mk->p, mk->n > 255 ? 255 : mk->n, (uint32_t)m | MARKER_BIT);
			if (r < 0)
				return r;
		}
	}
	return gb_ac_build(st->ac);
}

static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));
	char err[512];
	int r;

	if (!st)
		return -GB_ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	r = gb__sig_db_load((const char *)gb__components_json, gb__components_json_len, &st->db, err, sizeof(err));
	if (r == -GB_EINVAL)
		gb_audit_init_error("%s", err);
	if (r == 0)
		r = build_matcher(st);
	if (r < 0) {
		fini(st);
		return r;
	}
	*ret_state = st;
	return 0;
}

const struct gb_analyzer gb__an_components = {
	.name = "components",
	.description = "third-party components and versions from banners, markers and SONAMEs; known vulnerabilities",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = gb__comp_finish,
	.fini = fini,
};
