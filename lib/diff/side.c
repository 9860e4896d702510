/* side: turn one input (image, directory or file) into the entries that are
 * paired and compared.
 *
 * Keys (docs/equiv.md, "Pairing"): a file inside the image's main filesystem
 * (the node with the most files) is keyed by its path there ("/bin/busybox"),
 * whatever the container offsets; a file of another node carved from its
 * parent's bytes gets that node's description in front ("<uimage:kernel/
 * gzip>/data": format, label, and "#k" for the k-th sibling of the same
 * description); a file unpacked from a file F is keyed "F!" + its path, and
 * the single output of a compressor "F!gzip". The input itself is the entry
 * with key "" (the container of everything in it). A directory's files are
 * keyed "/" + their path below it. A single file is the "" entry alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/mapfile.h"
#include "diff/diff_int.h"

#define MAX_ENTRIES 4000000

static void seterr(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static struct eq_entry *add(struct eq_side *s)
{
	if (s->n == s->cap) {
		if (s->n >= MAX_ENTRIES)
			return NULL;
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct eq_entry *nw = realloc(s->e, nc * sizeof(*nw));
		if (!nw)
			return NULL;
		s->e = nw;
		s->cap = nc;
	}
	struct eq_entry *e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	e->parent = -1;
	e->partner = -1;
	e->result = -1;
	e->type = EQ_FILE;
	return e;
}

/* ------------------------------------------------------------- directories */

static int walk(struct eq_side *s, int dfd, const char *rel, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(dfd);
		return -GB_EIO;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char *path;
		if (asprintf(&path, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0) {
			r = -GB_ENOMEM;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = depth < 256 ? openat(dirfd(d), de->d_name,
						       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
					      : -1;
			if (sub >= 0)
				r = walk(s, sub, path, depth + 1);
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
			free(path);
			continue;
		}
		struct eq_entry *e = add(s);
		if (!e) {
			free(path);
			r = -GB_ENOMEM;
			break;
		}
		e->disk = path;
		if (asprintf(&e->key, "/%s", path) < 0) {
			e->key = NULL;
			r = -GB_ENOMEM;
			break;
		}
		e->size = (uint64_t)st.st_size;
		e->mode = st.st_mode & 07777;
		e->have_mode = true;
		if (S_ISLNK(st.st_mode)) {
			char buf[PATH_MAX];
			ssize_t n = readlinkat(dirfd(d), de->d_name, buf, sizeof(buf) - 1);
			e->type = EQ_SYMLINK;
			e->kind = "symlink";
			e->target = strndup(buf, n > 0 ? (size_t)n : 0);
			if (!e->target)
				r = -GB_ENOMEM;
		}
	}
	closedir(d);
	return r;
}

static int cmp_key(const void *x, const void *y)
{
	return strcmp(((const struct eq_entry *)x)->key, ((const struct eq_entry *)y)->key);
}

int gb__side_hash(const struct eq_side *s, struct eq_entry *e)
{
	struct gb_map *m;
	if (e->type != EQ_FILE || !e->disk || e->sha256[0])
		return 0;
	int r = gb_map_open(s->rootfd, e->disk, 1, &m);
	if (r < 0)
		return r;
	r = gb_sha256_hex(m->p, m->n, e->sha256);
	e->size = m->n;
	gb_map_unref(m);
	return r;
}

/* ------------------------------------------------------------------ images */

struct keyer {
	struct eq_side *s;
	const struct gb_scan *scan;
	int primary;
	char **prefix;        /* per node, NULL until computed */
	int *container;       /* per node: entry index of its container */
	size_t *order;        /* files sorted by (node, path) */
	int *file_entry;      /* per scan file: entry index or -1 */
	int base;             /* entry of node 0: the input, or the nested container */
	const char *prefix0;  /* key prefix of everything ("" at the top, "F!" nested) */
};

static bool is_stream(const char *fmt)
{
	static const char *const s[] = {"gzip", "xz", "lzma", "bzip2", "zstd", "lz4", "lzop"};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(fmt, s[i]) == 0)
			return true;
	return false;
}

static int cmp_file(const struct gb_scan *sc, size_t x, size_t y)
{
	const struct gb_file *a = &sc->files[x], *b = &sc->files[y];
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return strcmp(a->path, b->path);
}

static int cmp_order(const void *x, const void *y, void *sc)
{
	return cmp_file(sc, *(const size_t *)x, *(const size_t *)y);
}

/* The scan file at (node, path), or -1. */
static long find_file(const struct keyer *k, int node, const char *path)
{
	size_t lo = 0, hi = k->scan->n_files;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct gb_file *f = &k->scan->files[k->order[mid]];
		int c = f->node != node ? (f->node < node ? -1 : 1) : strcmp(f->path, path);
		if (c == 0)
			return (long)k->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int file_key(struct keyer *k, size_t fi, char **ret);

static int node_prefix(struct keyer *k, int n, const char **ret)
{
	const struct gb_node *nd = &k->scan->nodes[n];
	if (k->prefix[n]) {
		*ret = k->prefix[n];
		return 0;
	}
	char *p = NULL;
	if (n == 0 || n == k->primary) {
		p = strdup(k->prefix0);
	} else if (nd->source_path && is_stream(nd->format)) {
		long fi = find_file(k, nd->parent, nd->source_path);
		char *fk = NULL;
		if (fi >= 0 && file_key(k, (size_t)fi, &fk) < 0)
			return -GB_ENOMEM;
		if (asprintf(&p, "%s!%s", fk ? fk : nd->source_path, nd->format) < 0)
			p = NULL;
		free(fk);
	} else if (nd->source_path) {
		long fi = find_file(k, nd->parent, nd->source_path);
		char *fk = NULL;
		if (fi >= 0 && file_key(k, (size_t)fi, &fk) < 0)
			return -GB_ENOMEM;
		if (asprintf(&p, "%s!", fk ? fk : nd->source_path) < 0)
			p = NULL;
		free(fk);
	} else {
		const char *pp;
		int r = node_prefix(k, nd->parent, &pp);
		if (r < 0)
			return r;
		/* the k-th sibling with the same format and label */
		unsigned ord = 0;
		for (int i = 0; i < n; i++) {
			const struct gb_node *o = &k->scan->nodes[i];
			if (o->parent == nd->parent && !o->source_path && strcmp(o->format, nd->format) == 0 &&
			    strcmp(o->label ? o->label : "", nd->label ? nd->label : "") == 0)
				ord++;
		}
		char ords[16] = "";
		if (ord)
			snprintf(ords, sizeof(ords), "#%u", ord);
		size_t l = strlen(pp);
		/* "<a/b>" nests as "<a/b/c>" */
		if (l >= 2 && pp[0] == '<' && pp[l - 1] == '>') {
			if (asprintf(&p, "%.*s/%s%s%s%s>", (int)(l - 1), pp, nd->format, nd->label ? ":" : "",
				     nd->label ? nd->label : "", ords) < 0)
				p = NULL;
		} else if (asprintf(&p, "%s<%s%s%s%s>", pp, nd->format, nd->label ? ":" : "",
				    nd->label ? nd->label : "", ords) < 0) {
			p = NULL;
		}
	}
	if (!p)
		return -GB_ENOMEM;
	k->prefix[n] = p;
	*ret = p;
	return 0;
}

static int file_key(struct keyer *k, size_t fi, char **ret)
{
	const struct gb_file *f = &k->scan->files[fi];
	const struct gb_node *nd = &k->scan->nodes[f->node];
	const char *pp;
	int r = node_prefix(k, f->node, &pp);
	if (r < 0)
		return r;
	bool drop = is_stream(nd->format) && nd->n_entries <= 1;
	if (asprintf(ret, "%s%s", pp, drop ? "" : f->path) < 0)
		return -GB_ENOMEM;
	return 0;
}

/* Entry index of the container of node n: the file it was unpacked from, or
 * the input entry (0). */
static int container_of(struct keyer *k, int n)
{
	while (n > 0) {
		const struct gb_node *nd = &k->scan->nodes[n];
		if (nd->source_path) {
			long fi = find_file(k, nd->parent, nd->source_path);
			return fi >= 0 && k->file_entry[fi] >= 0 ? k->file_entry[fi] : k->base;
		}
		n = nd->parent;
	}
	return k->base;
}

/* Add the files of scan sc to side s. At the top (parent < 0) the input
 * itself becomes an entry; nested (the scan of the file entry `parent` of a
 * directory side), keys get "KEY!" in front and disk paths are absolute. */
static int load_scan(struct eq_side *s, const struct gb_scan *sc, const char *abs_input, int parent,
		     const char *disk_base)
{
	char *pre = NULL;
	if (parent >= 0 && asprintf(&pre, "%s!", s->e[parent].key) < 0)
		return -GB_ENOMEM;
	struct keyer k = {.s = s, .scan = sc, .primary = -1, .base = parent, .prefix0 = pre ? pre : ""};
	int r = -GB_ENOMEM;
	size_t best = 0;

	k.prefix = calloc(sc->n_nodes + 1, sizeof(char *));
	k.order = malloc((sc->n_files + 1) * sizeof(size_t));
	k.file_entry = malloc((sc->n_files + 1) * sizeof(int));
	size_t *count = calloc(sc->n_nodes + 1, sizeof(size_t));
	if (!k.prefix || !k.order || !k.file_entry || !count)
		goto out;
	for (size_t i = 0; i < sc->n_files; i++) {
		k.order[i] = i;
		k.file_entry[i] = -1;
		if (sc->files[i].node >= 0 && (size_t)sc->files[i].node < sc->n_nodes)
			count[sc->files[i].node]++;
	}
	for (size_t n = 1; n < sc->n_nodes; n++) {
		if (count[n] > best) {
			best = count[n];
			k.primary = (int)n;
		}
	}
	qsort_r(k.order, sc->n_files, sizeof(size_t), cmp_order, (void *)sc);

	/* the input itself */
	if (parent < 0) {
		k.base = (int)s->n;
		struct eq_entry *in = add(s);
		if (!in || !(in->key = strdup("")) || !(in->disk = strdup(abs_input)))
			goto out;
		in->size = sc->input_size;
		memcpy(in->sha256, sc->input_sha256, sizeof(in->sha256));
		in->kind = sc->n_nodes > 1 && !sc->nodes[1].identify_only ? "firmware" : "data";
		if (sc->n_nodes > 1 && sc->nodes[1].identify_only && strcmp(sc->nodes[1].format, "elf") == 0)
			in->kind = "elf";
	}

	for (size_t i = 0; i < sc->n_files; i++) {
		const struct gb_file *f = &sc->files[i];
		if (f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK && f->type != GB_FT_SYMLINK)
			continue;
		struct eq_entry *e = add(s);
		if (!e)
			goto out;
		k.file_entry[i] = (int)(e - s->e);
		if (file_key(&k, i, &e->key) < 0)
			goto out;
		e->disk = NULL;
		if (f->disk && disk_base && asprintf(&e->disk, "%s/%s", disk_base, f->disk) < 0)
			e->disk = NULL;
		else if (f->disk && !disk_base)
			e->disk = strdup(f->disk);
		if (f->disk && !e->disk)
			goto out;
		e->size = f->size;
		e->mode = f->mode;
		e->have_mode = true;
		e->kind = f->kind ? f->kind : "data";
		memcpy(e->sha256, f->sha256, sizeof(e->sha256));
		if (f->type == GB_FT_SYMLINK) {
			e->type = EQ_SYMLINK;
			e->kind = "symlink";
			e->target = strdup(f->target ? f->target : "");
			if (!e->target)
				goto out;
		}
	}
	/* containers and depth (entries were added in file order; parents may come later) */
	for (size_t i = 0; i < sc->n_files; i++) {
		int ei = k.file_entry[i];
		if (ei < 0)
			continue;
		s->e[ei].parent = container_of(&k, sc->files[i].node);
	}
	for (size_t n = 1; n < sc->n_nodes; n++) {
		const struct gb_node *nd = &sc->nodes[n];
		if (nd->identify_only)
			continue;
		int ce = container_of(&k, (int)n);
		if (ce >= 0 && !s->e[ce].is_container) {
			s->e[ce].is_container = true;
			s->e[ce].cformat = nd->format;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		unsigned d = 0;
		for (int p = s->e[i].parent; p >= 0 && d < 64; p = s->e[p].parent)
			d++;
		s->e[i].depth = d;
	}
	r = 0;
out:
	if (k.prefix)
		for (size_t n = 0; n < sc->n_nodes; n++)
			free(k.prefix[n]);
	free(k.prefix);
	free(k.order);
	free(k.file_entry);
	free(count);
	free(pre);
	return r;
}

int gb__side_load(struct eq_side *s, const char *input, const char *outdir, unsigned jobs,
		  const struct gb_limits *lim, char *err, size_t errlen)
{
	struct stat st;

	s->input = input;
	s->rootfd = -1;
	if (lstat(input, &st) < 0) {
		seterr(err, errlen, "cannot read %s: %s", input, strerror(errno));
		return -GB_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		s->as = "directory";
		s->rootfd = open(input, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int fd = s->rootfd >= 0 ? dup(s->rootfd) : -1;
		if (fd < 0) {
			seterr(err, errlen, "cannot open %s: %s", input, strerror(errno));
			return -GB_EIO;
		}
		int r = walk(s, fd, "", 0);
		if (r < 0) {
			seterr(err, errlen, "cannot walk %s: %s", input,
			       r == -GB_ENOMEM ? "out of memory" : strerror(errno));
			return r;
		}
		gb_qsort(s->e, s->n, sizeof(*s->e), cmp_key);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s is neither a file nor a directory", input);
		return -GB_EIO;
	}
	char *abs = realpath(input, NULL);
	if (!abs) {
		seterr(err, errlen, "cannot read %s: %s", input, strerror(errno));
		return -GB_EIO;
	}
	struct gb_scan_opts so;
	gb_scan_opts_init(&so);
	so.input = abs;
	so.outdir = outdir;
	so.jobs = jobs;
	so.limits = *lim;
	int r = gb_scan_run(&so, &s->scan);
	if (r < 0) {
		seterr(err, errlen, "cannot unpack %s: %s", input,
		       s->scan && s->scan->error ? s->scan->error : gb_strerror(r));
		free(abs);
		return r == -GB_ENOMEM ? r : -GB_EIO;
	}
	s->rootfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		seterr(err, errlen, "cannot open %s: %s", outdir, strerror(errno));
		free(abs);
		return -GB_EIO;
	}
	r = load_scan(s, s->scan, abs, -1, NULL);
	free(abs);
	if (r < 0) {
		seterr(err, errlen, "out of memory");
		return r;
	}
	s->as = s->n > 1 ? "image" : "file";
	return 0;
}

int gb__side_nest(struct eq_side *s, size_t ei, const char *outdir, unsigned jobs,
		  const struct gb_limits *lim)
{
	struct eq_entry *e = &s->e[ei];
	char *in = NULL;
	struct gb_scan *sc = NULL;
	int r;

	if (e->disk[0] == '/')
		in = strdup(e->disk);
	else {
		char *dir = NULL;
		if (asprintf(&dir, "/proc/self/fd/%d", s->rootfd) >= 0) {
			char *root = realpath(dir, NULL);
			if (root && asprintf(&in, "%s/%s", root, e->disk) < 0)
				in = NULL;
			free(root);
		}
		free(dir);
	}
	if (!in)
		return -GB_ENOMEM;
	struct gb_scan_opts so;
	gb_scan_opts_init(&so);
	so.input = in;
	so.outdir = outdir;
	so.jobs = jobs;
	so.limits = *lim;
	r = gb_scan_run(&so, &sc);
	char *base = r == 0 ? realpath(outdir, NULL) : NULL;
	if (r == 0 && base && sc->n_files)
		r = load_scan(s, sc, in, (int)ei, base);
	free(base);
	gb_scan_free(sc);
	free(in);
	return r;
}

void gb__side_free(struct eq_side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		free(s->e[i].disk);
		free(s->e[i].target);
	}
	free(s->e);
	if (s->rootfd >= 0)
		close(s->rootfd);
	gb_scan_free(s->scan);
	memset(s, 0, sizeof(*s));
	s->rootfd = -1;
}
