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
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/components.h"
#include "analyze/signatures.h"
#include "util/ac.h"

#if __has_include(<glassbox/vulndb.h>)
#include <glassbox/vulndb.h>
#else
int gb_vulndb_open(const char *path, struct gb_vulndb **ret);
void gb_vulndb_close(struct gb_vulndb *db);
int gb_vulndb_match(struct gb_vulndb *db, const char *cpe_part, const char *vendor, const char *product,
		    const char *version, json_t **ret_array);
#endif
/* The vulnerability database lives in a layer that may not be linked (unit
 * tests of this library): call it only when it is. */
#pragma weak gb_vulndb_open
#pragma weak gb_vulndb_close
#pragma weak gb_vulndb_match
#pragma weak gb_vulndb_refine

extern const unsigned char gb__components_json[];
extern const size_t gb__components_json_len;

#define MARKER_BIT (1u << 30)
#define MAX_ATTEMPTS 256     /* regex verifications per pattern and file */
#define MAX_FOUND 32         /* versions per file */
#define MAX_VERSION 64
#define MAX_EVIDENCE 160
#define MAX_APPLETS 1024
#define MAX_IKCONFIG (8u << 20)

struct copy {
	size_t comp;
	char *version;            /* NULL: the component without a readable version */
	const struct gb_file *file;
	char *evidence;
	int64_t offset;
	const char *method;       /* "pattern", "confirmed", "marker" */
	char **applets;           /* BusyBox */
	size_t n_applets;
	bool applets_read;
	int ikconfig;             /* Linux: -1 n/a, 0 none, 1 read */
	char **config;
	size_t n_config;
};

struct pending {
	size_t comp;
	const struct gb_file *file;
};

struct state {
	struct gb_sig_db *db;
	struct gb_ac *ac;
	size_t *marker_comp;      /* global marker index -> component */
	size_t n_markers;
	pthread_mutex_t lock;
	struct copy *copies;
	size_t n_copies, cap_copies;
	struct pending *pend;
	size_t n_pend, cap_pend;
};

struct found {
	size_t comp;
	char version[MAX_VERSION];
	int priority;
	char evidence[MAX_EVIDENCE];
	size_t offset;
	const char *method;
};

/* One file being read. */
struct fscan {
	struct state *st;
	const struct gb_span *data;
	unsigned kind;
	bool *marked;             /* per component */
	uint16_t *attempts;       /* per pattern */
	size_t base;              /* offset of the range being scanned */
	struct found found[MAX_FOUND];
	size_t n_found;
};

/* ---- small helpers ---- */

/* Printable rendering of evidence bytes: \0, \n, \xHH escapes. */
static void render(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	while (n && p[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n && k + 5 < cap; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[k++] = (char)c;
		else if (c == '\\')
			k += (size_t)snprintf(out + k, cap - k, "\\\\");
		else if (c == 0)
			k += (size_t)snprintf(out + k, cap - k, "\\0");
		else if (c == '\n')
			k += (size_t)snprintf(out + k, cap - k, "\\n");
		else
			k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
	}
	out[k < cap ? k : cap - 1] = '\0';
}

/* Version order good enough to pick the newest of a few candidates: numeric
 * runs compare as numbers, letters as strings ("1.0.2k" < "1.0.2zf"). */
static int vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a && !((*a >= '0' && *a <= '9') || (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z')))
			a++;
		while (*b && !((*b >= '0' && *b <= '9') || (*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z')))
			b++;
		if (!*a || !*b)
			return *a ? 1 : *b ? -1 : 0;
		bool da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
		if (da != db)
			return da ? 1 : -1;
		if (da) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		} else {
			size_t la = 0, lb = 0;
			while (a[la] && ((a[la] >= 'a' && a[la] <= 'z') || (a[la] >= 'A' && a[la] <= 'Z')))
				la++;
			while (b[lb] && ((b[lb] >= 'a' && b[lb] <= 'z') || (b[lb] >= 'A' && b[lb] <= 'Z')))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		}
	}
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

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
	qsort(code, nx, sizeof(code[0]), range_cmp);
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

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		qsort(c->config, c->n_config, sizeof(char *), strp_cmp);
	c->ikconfig = 1;
}

/* ---- matching one file ---- */

static void add_found(struct fscan *fs, size_t comp, const char *version, int priority, const uint8_t *ev,
		      size_t ev_len, size_t offset, const char *method)
{
	for (size_t i = 0; i < fs->n_found; i++) {
		struct found *f = &fs->found[i];
		if (f->comp == comp && strcmp(f->version, version) == 0) {
			if (priority > f->priority)
				f->priority = priority;
			return;
		}
	}
	if (fs->n_found >= MAX_FOUND)
		return;
	struct found *f = &fs->found[fs->n_found++];
	f->comp = comp;
	snprintf(f->version, sizeof(f->version), "%s", version);
	f->priority = priority;
	render(ev, ev_len, f->evidence, sizeof(f->evidence));
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
	if (!gb__sig_re_find_at_anchor(pat->re, fs->data->p, fs->data->n, hit, &m))
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
		if (db->comps[comp].files & fs->kind)
			fs->marked[comp] = true;
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
		if (!fs->marked[pat->comp] && !gb__sig_glob_hint(c, f->path))
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

static int push_copy(struct state *st, struct copy *c)
{
	if (st->n_copies == st->cap_copies) {
		size_t cap = st->cap_copies ? st->cap_copies * 2 : 64;
		struct copy *nc = realloc(st->copies, cap * sizeof(*nc));
		if (!nc)
			return -GB_ENOMEM;
		st->copies = nc;
		st->cap_copies = cap;
	}
	st->copies[st->n_copies++] = *c;
	return 0;
}

static int push_pending(struct state *st, size_t comp, const struct gb_file *f)
{
	if (st->n_pend == st->cap_pend) {
		size_t cap = st->cap_pend ? st->cap_pend * 2 : 64;
		struct pending *np = realloc(st->pend, cap * sizeof(*np));
		if (!np)
			return -GB_ENOMEM;
		st->pend = np;
		st->cap_pend = cap;
	}
	st->pend[st->n_pend++] = (struct pending){comp, f};
	return 0;
}

static void free_copy(struct copy *c)
{
	free(c->version);
	free(c->evidence);
	free_strv(c->applets, c->n_applets);
	free_strv(c->config, c->n_config);
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
			free_copy(&cp);
			return -GB_ENOMEM;
		}
		if (c->facts == GB_SIG_FACTS_BUSYBOX)
			busybox_applets(fs->data, &cp);
		else if (c->facts == GB_SIG_FACTS_IKCONFIG)
			kernel_ikconfig(fs->data, &cp);
		pthread_mutex_lock(&st->lock);
		r = push_copy(st, &cp);
		pthread_mutex_unlock(&st->lock);
		if (r < 0) {
			free_copy(&cp);
			return r;
		}
	}
	for (size_t ci = 0; ci < db->n_comps; ci++) {
		if (!fs->marked[ci] || (!db->comps[ci].n_confirm && !db->comps[ci].unversioned))
			continue;
		bool has = false;
		for (size_t i = 0; i < fs->n_found; i++)
			has |= fs->found[i].comp == ci;
		if (has)
			continue;
		pthread_mutex_lock(&st->lock);
		r = push_pending(st, ci, f);
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
	struct fscan fs = {.st = st, .data = &af->data, .kind = kind_bit(af->file)};
	int r;

	if (!af->data.n)
		return 0;
	fs.marked = calloc(db->n_comps, sizeof(bool));
	fs.attempts = calloc(db->n_pats, sizeof(uint16_t));
	if (!fs.marked || !fs.attempts) {
		free(fs.marked);
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
			for (size_t k = 0; k < db->comps[ci].n_sonames && !fs.marked[ci]; k++)
				fs.marked[ci] = gb__sig_re_full(db->comps[ci].sonames[k], soname, strlen(soname));
	}
	run_gated(&fs, af->file);
	r = record(&fs, af->file);
	free(fs.marked);
	free(fs.attempts);
	return r;
}

/* ---- finish: confirmations, grouping, vulnerabilities ---- */

/* Does p contain pre + version + post, the version not glued to more digits? */
static bool template_in(const struct gb_span *d, const struct gb_sig_bytes *pre, const char *v,
			const struct gb_sig_bytes *post, char *ev, size_t evcap, int64_t *ret_off)
{
	size_t vl = strlen(v), len = pre->n + vl + post->n;
	uint8_t buf[512];
	if (len > sizeof(buf))
		return false;
	memcpy(buf, pre->p, pre->n);
	memcpy(buf + pre->n, v, vl);
	memcpy(buf + pre->n + vl, post->p, post->n);
	const uint8_t *p = d->p, *end = d->p + d->n;
	while (p < end) {
		const uint8_t *q = memmem(p, (size_t)(end - p), buf, len);
		if (!q)
			return false;
		p = q + 1;
		const uint8_t *vs = q + pre->n, *ve = vs + vl;
		if (vs > d->p && ((vs[-1] >= '0' && vs[-1] <= '9') || vs[-1] == '.'))
			continue;
		if (ve < end && ((*ve >= '0' && *ve <= '9') || (*ve == '.' && ve + 1 < end && ve[1] >= '0' && ve[1] <= '9')))
			continue;
		render(q, len, ev, evcap);
		*ret_off = q - d->p;
		return true;
	}
	return false;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->comp < y->comp ? -1 : x->comp > y->comp;
}

/* Versions of component ci proved by patterns, newest first. */
static size_t confirmed_versions(const struct state *st, size_t ci, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct copy *c = &st->copies[i];
		if (c->comp != ci || !c->version || strcmp(c->method, "pattern") != 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(out[k], c->version) == 0;
		if (!dup && n < cap)
			out[n++] = c->version;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && vercmp(out[k - 1], out[k]) < 0; k--) {
			const char *t = out[k];
			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return n;
}

static int confirm_pending(struct state *st, struct gb_aout *out)
{
	qsort(st->pend, st->n_pend, sizeof(*st->pend), pending_cmp);
	for (size_t i = 0; i < st->n_pend; i++) {
		const struct pending *pd = &st->pend[i];
		const struct gb_sig_component *c = &st->db->comps[pd->comp];
		const char *vers[16];
		size_t nv = confirmed_versions(st, pd->comp, vers, 16);
		struct copy cp = {.comp = pd->comp, .file = pd->file, .offset = -1, .ikconfig = -1};
		char ev[MAX_EVIDENCE] = "";
		struct gb_span d;

		if (nv && c->n_confirm && gb_audit_map(out, pd->file, &d) == 0) {
			/* the newest version any template shows */
			for (size_t k = 0; k < nv && !cp.version; k++)
				for (size_t t = 0; t < c->n_confirm && !cp.version; t++)
					if (template_in(&d, &c->confirm_pre[t], vers[k], &c->confirm_post[t], ev,
							sizeof(ev), &cp.offset)) {
						cp.version = strdup(vers[k]);
						cp.method = "confirmed";
						if (!cp.version) {
							gb_audit_unmap(&d);
							return -GB_ENOMEM;
						}
					}
			gb_audit_unmap(&d);
		}
		if (!cp.version && !c->unversioned)
			continue;
		if (!cp.version) {
			cp.method = "marker";
			snprintf(ev, sizeof(ev), "%s", "");
		}
		cp.evidence = strdup(ev);
		if (!cp.evidence || push_copy(st, &cp) < 0) {
			free_copy(&cp);
			return -GB_ENOMEM;
		}
	}
	return 0;
}

static int copy_cmp_db(const struct gb_sig_db *db, const struct copy *x, const struct copy *y)
{
	int c = strcmp(db->comps[x->comp].name, db->comps[y->comp].name);
	if (c)
		return c;
	if (!x->version || !y->version) {
		if (x->version != y->version)
			return x->version ? 1 : -1;
	} else if ((c = vercmp(x->version, y->version)) != 0 || (c = strcmp(x->version, y->version)) != 0) {
		return c;
	}
	if (x->file->node != y->file->node)
		return x->file->node < y->file->node ? -1 : 1;
	return strcmp(x->file->path, y->file->path);
}

static const struct gb_sig_db *sort_db;

static int copy_cmp(const void *a, const void *b)
{
	return copy_cmp_db(sort_db, a, b);
}

/* CPE 2.3 formatted-string value: backslash before anything but
 * alphanumerics and . - _ ("*" when unknown). */
static void cpe_value(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	if (!s) {
		snprintf(out, cap, "*");
		return;
	}
	for (; *s && k + 3 < cap; s++) {
		bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
			     *s == '.' || *s == '-' || *s == '_';
		if (!plain)
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

static json_t *cpe_string(const struct gb_sig_component *c, const char *vendor, const char *product,
			  const char *version)
{
	char v[2 * MAX_VERSION + 4], ve[160], pr[160], buf[512];
	cpe_value(version, v, sizeof(v));
	cpe_value(vendor, ve, sizeof(ve));
	cpe_value(product, pr, sizeof(pr));
	snprintf(buf, sizeof(buf), "cpe:2.3:%s:%s:%s:%s:*:*:*:*:*:*:*", c->part, ve, pr, v);
	return json_string(buf);
}

static json_t *purl_string(const struct gb_sig_component *c, const char *version)
{
	char buf[512];
	size_t k = (size_t)snprintf(buf, sizeof(buf), "%s", c->purl);
	if (version && k + 1 < sizeof(buf)) {
		buf[k++] = '@';
		/* percent-encode what a purl version may not hold verbatim */
		for (const char *s = version; *s && k + 4 < sizeof(buf); s++) {
			bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				     *s == '.' || *s == '-' || *s == '_' || *s == '~';
			if (plain)
				buf[k++] = *s;
			else
				k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%%%02X", (unsigned char)*s);
		}
		buf[k] = '\0';
	}
	return json_string(buf);
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *copy_json(const struct copy *c)
{
	json_t *o = json_object();
	json_t *path = json_string(c->file->path);
	json_object_set_new(o, "node", json_integer(c->file->node));
	json_object_set_new(o, "path", path ? path : json_string("(invalid UTF-8)"));
	json_object_set_new(o, "sha256", c->file->sha256[0] ? json_string(c->file->sha256) : json_null());
	json_object_set_new(o, "size", json_integer((json_int_t)c->file->size));
	json_t *ev = json_pack("{s:s, s:o, s:s}", "string", c->evidence ? c->evidence : "", "offset",
			       c->offset >= 0 ? json_integer(c->offset) : json_null(), "method", c->method);
	json_object_set_new(o, "evidence", ev);
	if (c->applets_read)
		json_object_set_new(o, "applets", strv_json(c->applets, c->n_applets));
	if (c->ikconfig >= 0)
		json_object_set_new(o, "ikconfig", json_pack("{s:b, s:I}", "present", c->ikconfig == 1,
							     "options", (json_int_t)c->n_config));
	return o;
}

/* ---- facts for the vulnerability database (components.h) ---- */

int gb_comp_facts_applet(const struct gb_comp_facts *f, const char *applet)
{
	if (!f->applets_known)
		return -1;
	return bsearch(&applet, f->applets, f->n_applets, sizeof(char *), strp_cmp) != NULL;
}

int gb_comp_facts_config(const struct gb_comp_facts *f, const char *option)
{
	char buf[256];
	const char *key = buf;
	if (!f->config_known)
		return -1;
	if (strncmp(option, "CONFIG_", 7) == 0)
		key = option;
	else
		snprintf(buf, sizeof(buf), "CONFIG_%s", option);
	return bsearch(&key, f->config, f->n_config, sizeof(char *), strp_cmp) != NULL;
}

/* The sorted union of string lists; *ret borrows the strings. */
static const char **union_strv(const struct copy *copies, size_t n, bool applets, size_t *ret_n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += applets ? copies[i].n_applets : copies[i].n_config;
	const char **v = malloc((total + 1) * sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; v && i < n; i++) {
		char **src = applets ? copies[i].applets : copies[i].config;
		size_t ns = applets ? copies[i].n_applets : copies[i].n_config;
		for (size_t j = 0; j < ns; j++)
			v[k++] = src[j];
	}
	if (v)
		qsort(v, k, sizeof(char *), strp_cmp);
	size_t u = 0;
	for (size_t i = 0; v && i < k; i++)
		if (!u || strcmp(v[u - 1], v[i]) != 0)
			v[u++] = v[i];
	*ret_n = u;
	return v;
}

/* ---- vulnerabilities ---- */

static const char *vulndb_path(const struct gb_audit_opts *opts, char *buf, size_t cap)
{
	if (opts->vulndb)
		return opts->vulndb;
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, cap, "%s/glassbox/vulndb.sqlite", xdg);
	else if (home && *home)
		snprintf(buf, cap, "%s/.local/share/glassbox/vulndb.sqlite", home);
	else
		return NULL;
	return buf;
}

static int vuln_id_cmp(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
	return strcmp(x ? x : "", y ? y : "");
}

/* Every record matching the component's CPEs, once per id, sorted by id. */
static json_t *match_vulns(struct gb_vulndb *vdb, const struct gb_sig_component *c, const char *version,
			   const struct gb_comp_facts *facts)
{
	json_t *all = json_array();
	size_t n = 0;
	json_t **v = NULL;

	for (size_t k = 0; all && k <= c->n_also; k++) {
		char vendor[128], product[128];
		if (k == 0) {
			snprintf(vendor, sizeof(vendor), "%s", c->vendor);
			snprintf(product, sizeof(product), "%s", c->product);
		} else {
			const char *colon = strchr(c->also[k - 1], ':');
			snprintf(vendor, sizeof(vendor), "%.*s", (int)(colon - c->also[k - 1]), c->also[k - 1]);
			snprintf(product, sizeof(product), "%s", colon + 1);
		}
		json_t *arr = NULL;
		if (gb_vulndb_match(vdb, c->part, vendor, product, version, &arr) < 0 || !arr)
			continue;
		size_t i;
		json_t *item;
		json_array_foreach(arr, i, item)
		{
			const char *id = json_string_value(json_object_get(item, "id"));
			bool dup = false;
			for (size_t j = 0; id && j < json_array_size(all); j++)
				dup |= strcmp(id, json_string_value(json_object_get(json_array_get(all, j), "id"))) == 0;
			if (!dup)
				json_array_append(all, item);
		}
		json_decref(arr);
	}
	if (!all)
		return json_array();
	if (gb_vulndb_refine)
		gb_vulndb_refine(vdb, facts, all);
	n = json_array_size(all);
	v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return all;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(all, i));
	qsort(v, n, sizeof(*v), vuln_id_cmp);
	json_array_clear(all);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(all, v[i]);
	free(v);
	return all;
}

/* ---- finish ---- */

struct totals {
	json_int_t matched, applicable;
	json_t *by_sev;
};

static void count_vulns(struct totals *t, const json_t *vulns)
{
	size_t i;
	const json_t *v;
	json_array_foreach(vulns, i, v)
	{
		t->matched++;
		if (json_is_false(json_object_get(v, "applicable")))
			continue;
		t->applicable++;
		const char *sev = json_string_value(json_object_get(v, "severity"));
		char key[32];
		snprintf(key, sizeof(key), "%s", sev && *sev ? sev : "unknown");
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		json_t *cur = json_object_get(t->by_sev, key);
		json_object_set_new(t->by_sev, key, json_integer(cur ? json_integer_value(cur) + 1 : 1));
	}
}

/* One report item for copies[0..n) (same component and version). */
static json_t *component_json(struct state *st, struct gb_vulndb *vdb, const struct copy *copies, size_t n,
			      struct totals *t)
{
	const struct gb_sig_component *c = &st->db->comps[copies[0].comp];
	const char *version = copies[0].version;
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "version", version ? json_string(version) : json_null());
	json_object_set_new(o, "cpe", cpe_string(c, c->vendor, c->product, version));
	json_object_set_new(o, "purl", purl_string(c, version));
	json_object_set_new(o, "type", json_string(c->type));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, copy_json(&copies[i]));
	json_object_set_new(o, "copies", arr);

	json_t *vulns = NULL;
	if (vdb && version) {
		struct gb_comp_facts facts = {.name = c->name, .version = version, .part = c->part,
					      .vendor = c->vendor, .product = c->product};
		const char **apps = NULL, **cfg = NULL;
		bool apps_known = c->facts == GB_SIG_FACTS_BUSYBOX, cfg_known = c->facts == GB_SIG_FACTS_IKCONFIG;
		for (size_t i = 0; i < n; i++) {
			apps_known &= copies[i].n_applets > 0;
			cfg_known &= copies[i].ikconfig == 1;
		}
		if (apps_known)
			apps = union_strv(copies, n, true, &facts.n_applets);
		if (cfg_known)
			cfg = union_strv(copies, n, false, &facts.n_config);
		facts.applets_known = apps != NULL;
		facts.applets = apps;
		facts.config_known = cfg != NULL;
		facts.config = cfg;
		vulns = match_vulns(vdb, c, version, &facts);
		free(apps);
		free(cfg);
		count_vulns(t, vulns);
	}
	json_object_set_new(o, "vulnerabilities", vulns ? vulns : json_array());
	return o;
}

/* "3 copies of 2 versions of OpenSSL" for every component with more than one
 * copy or version, and always for OpenSSL. */
static json_t *copy_lines(const struct state *st)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < st->n_copies;) {
		size_t j = i, versions = 0;
		const char *name = st->db->comps[st->copies[i].comp].name;
		while (j < st->n_copies && st->copies[j].comp == st->copies[i].comp) {
			const char *v = st->copies[j].version, *pv = j > i ? st->copies[j - 1].version : NULL;
			if (j == i || (v && pv ? strcmp(v, pv) != 0 : v != pv))
				versions++;
			j++;
		}
		size_t copies = j - i;
		if (copies > 1 || versions > 1 || strcmp(name, "OpenSSL") == 0) {
			char line[256];
			snprintf(line, sizeof(line), "%zu cop%s of %zu version%s of %s", copies, copies == 1 ? "y" : "ies",
				 versions, versions == 1 ? "" : "s", name);
			json_array_append_new(lines, json_string(line));
		}
		i = j;
	}
	return lines;
}

static int finish(void *state, struct gb_aout *out)
{
	struct state *st = state;
	const struct gb_audit_opts *opts = gb_aout_opts(out);
	struct gb_vulndb *vdb = NULL;
	char pathbuf[4096];
	int r;

	r = confirm_pending(st, out);
	if (r < 0)
		return r;
	sort_db = st->db;
	qsort(st->copies, st->n_copies, sizeof(*st->copies), copy_cmp);

	const char *vpath = vulndb_path(opts, pathbuf, sizeof(pathbuf));
	json_t *vinfo = json_object();
	json_object_set_new(vinfo, "path", vpath ? json_string(vpath) : json_null());
	if (!gb_vulndb_open || !gb_vulndb_match) {
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string("vulnerability database support not linked"));
	} else if (!vpath || access(vpath, R_OK) != 0) {
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string(opts->vulndb ? strerror(errno) : "no database"));
	} else if ((r = gb_vulndb_open(vpath, &vdb)) < 0) {
		vdb = NULL;
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string(gb_strerror(r)));
	} else {
		json_object_set_new(vinfo, "used", json_true());
	}

	struct totals t = {0, 0, json_object()};
	size_t groups = 0;
	for (size_t i = 0; i < st->n_copies;) {
		size_t j = i + 1;
		while (j < st->n_copies && st->copies[j].comp == st->copies[i].comp &&
		       (st->copies[j].version && st->copies[i].version
				? strcmp(st->copies[j].version, st->copies[i].version) == 0
				: st->copies[j].version == st->copies[i].version))
			j++;
		r = gb_aout_append(out, "components", component_json(st, vdb, &st->copies[i], j - i, &t));
		if (r < 0)
			break;
		groups++;
		i = j;
	}
	if (vdb && gb_vulndb_close)
		gb_vulndb_close(vdb);
	gb_aout_summary_set(out, "components", json_integer((json_int_t)groups));
	gb_aout_summary_set(out, "component_copies", json_integer((json_int_t)st->n_copies));
	gb_aout_summary_set(out, "copy_lines", copy_lines(st));
	if (json_is_true(json_object_get(vinfo, "used")))
		gb_aout_summary_set(out, "vulnerabilities",
				    json_pack("{s:I, s:I, s:o}", "matched", t.matched, "applicable", t.applicable,
					      "by_severity", t.by_sev));
	else
		json_decref(t.by_sev);
	gb_aout_summary_set(out, "vulndb", vinfo);
	return r < 0 ? r : 0;
}

/* ---- lifecycle ---- */

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_copies; i++)
		free_copy(&st->copies[i]);
	free(st->copies);
	free(st->pend);
	free(st->marker_comp);
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
	if (!st->marker_comp)
		return -GB_ENOMEM;
	size_t m = 0;
	for (size_t ci = 0; ci < db->n_comps; ci++) {
		for (size_t k = 0; k < db->comps[ci].n_markers; k++, m++) {
			const struct gb_sig_bytes *mk = &db->comps[ci].markers[k];
			st->marker_comp[m] = ci;
			r = gb_ac_add(st->ac, mk->p, mk->n > 255 ? 255 : mk->n, (uint32_t)m | MARKER_BIT);
			if (r < 0)
				return r;
		}
	}
	return gb_ac_build(st->ac);
}

static int init(const struct gb_audit_opts *opts, const struct gb_scan *scan, void **ret_state)
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
	.finish = finish,
	.fini = fini,
};
