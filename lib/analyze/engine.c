/* The audit: every analyzer over every extracted file, on the thread pool.
 *
 * Files are mapped once and shown to every analyzer that wants them; the
 * outputs are JSON sections (findings, elf, components...) sorted at the end
 * so that two audits of the same image give the same report. */
#include <glassbox/sys/span.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glassbox/errors.h>

#include "analyze/audit.h"
#include "core/pool.h"
#include "core/writer.h"

#define MAX_SECTIONS 16

struct gb_aout {
	const struct gb_scan *scan;
	const struct gb_audit_opts *opts;
	struct gb_pool *pool;
	int outfd;
	pthread_mutex_t lock;
	json_t *sections;        /* name -> array */
	const char *order[MAX_SECTIONS + 1];
	size_t n_order;
	json_t *summary;
	/* (node, path) -> file index, for in-image lookups */
	size_t *index;
	size_t index_cap;
};

struct gb_audit {
	struct gb_aout out;
	char *error;
	int max_sev;
};

/* ---- the path index ---- */

static uint64_t key_hash(int node, const char *p)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)node;
	while (*p)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static int build_index(struct gb_aout *o)
{
	size_t cap = 16;
	while (cap < o->scan->n_files * 2 + 2)
		cap *= 2;
	o->index = malloc(cap * sizeof(*o->index));
	if (!o->index)
		return -GB_ENOMEM;
	for (size_t i = 0; i < cap; i++)
		o->index[i] = SIZE_MAX;
	o->index_cap = cap;
	for (size_t i = 0; i < o->scan->n_files; i++) {
		const struct gb_file *f = &o->scan->files[i];
		size_t j = key_hash(f->node, f->path) & (cap - 1);
		while (o->index[j] != SIZE_MAX)
			j = (j + 1) & (cap - 1);
		o->index[j] = i;
	}
	return 0;
}

static const struct gb_file *index_get(const struct gb_aout *o, int node, const char *path)
{
	for (size_t j = key_hash(node, path) & (o->index_cap - 1);; j = (j + 1) & (o->index_cap - 1)) {
		size_t i = o->index[j];
		if (i == SIZE_MAX)
			return NULL;
		const struct gb_file *f = &o->scan->files[i];
		if (f->node == node && strcmp(f->path, path) == 0)
			return f;
	}
}

/* Append the normalised form of `rel` to the absolute path in buf. */
static int path_join(char *buf, size_t cap, const char *rel)
{
	size_t len = strlen(buf);
	const char *p = rel;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 1 && buf[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			buf[len] = '\0';
			continue;
		}
		if (len + n + 2 > cap)
			return -GB_ELIMIT;
		if (len > 1)
			buf[len++] = '/';
		memcpy(buf + len, s, n);
		len += n;
		buf[len] = '\0';
	}
	return 0;
}

const struct gb_file *gb_audit_lookup(const struct gb_aout *o, int node, const char *path)
{
	char cur[4096] = "/";
	char rest[4096];
	unsigned links = 0;

	if (strlen(path) >= sizeof(rest))
		return NULL;
	snprintf(rest, sizeof(rest), "%s", path);
	/* Resolve component by component so that symlinked directories work too. */
	for (;;) {
		char *p = rest;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		char next[4096];
		snprintf(next, sizeof(next), "%s", cur);
		if (path_join(next, sizeof(next), p) < 0)
			return NULL;
		char tail[4096];
		snprintf(tail, sizeof(tail), "%s", slash ? slash + 1 : "");
		const struct gb_file *f = index_get(o, node, next);
		if (f && f->type == GB_FT_SYMLINK && f->target) {
			if (++links > 40)
				return NULL;
			char base[4096];
			if (f->target[0] == '/') {
				snprintf(base, sizeof(base), "/");
			} else {
				snprintf(base, sizeof(base), "%s", cur);
			}
			if (path_join(base, sizeof(base), f->target) < 0)
				return NULL;
			/* continue from the root with target + tail */
			char combined[8192];
			snprintf(combined, sizeof(combined), "%s/%s", base, tail);
			size_t clen = strlen(combined);
			if (clen >= sizeof(rest))
				return NULL;
			memcpy(rest, combined, clen + 1);
			snprintf(cur, sizeof(cur), "/");
			continue;
		}
		snprintf(cur, sizeof(cur), "%s", next);
		snprintf(rest, sizeof(rest), "%s", tail);
	}
	const struct gb_file *f = index_get(o, node, cur);
	if (f && f->type == GB_FT_HARDLINK && f->target)
		f = index_get(o, node, f->target);
	return f && (f->type == GB_FT_FILE || f->type == GB_FT_HARDLINK) ? f : NULL;
}

int gb_audit_map(const struct gb_aout *o, const struct gb_file *f, struct gb_span *ret)
{
	int dirfd, fd;
	const char *name;
	struct stat st;

	ret->p = NULL;
	ret->n = 0;
	if (!f->disk)
		return -GB_EIO;
	if (gb_wr_open_parent(o->outfd, f->disk, &dirfd, &name) < 0)
		return -GB_EIO;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	close(dirfd);
	if (fd < 0)
		return -GB_EIO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -GB_EIO;
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return -GB_EIO;
		}
		ret->p = p;
		ret->n = (size_t)st.st_size;
	} else {
		/* An empty file maps to a valid empty span: analyzers compute
		 * p + n and must not see a null pointer. */
		static const uint8_t empty[1];
		ret->p = empty;
	}
	close(fd);
	return 0;
}

void gb_audit_unmap(struct gb_span *span)
{
	if (span->p && span->n)
		munmap((void *)span->p, span->n);
	span->p = NULL;
	span->n = 0;
}

/* ---- output ---- */

static json_t *section(struct gb_aout *o, const char *name)
{
	json_t *a = json_object_get(o->sections, name);
	if (a)
		return a;
	if (o->n_order >= MAX_SECTIONS)
		return NULL;
	a = json_array();
	json_object_set_new(o->sections, name, a);
	o->order[o->n_order++] = json_object_iter_key(json_object_iter_at(o->sections, name));
	return a;
}

int gb_aout_append(struct gb_aout *o, const char *name, json_t *item)
{
	if (!item)
		return -GB_ENOMEM;
	pthread_mutex_lock(&o->lock);
	json_t *a = section(o, name);
	int r = a ? json_array_append_new(a, item) : -1;
	pthread_mutex_unlock(&o->lock);
	if (!a)
		json_decref(item);
	return r < 0 ? -GB_ENOMEM : 0;
}

int gb_aout_finding(struct gb_aout *o, const char *rule, enum gb_severity sev, const struct gb_file *f,
		    uint64_t line, int64_t offset, json_t *details, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	json_t *j = json_object();
	if (!j) {
		json_decref(details);
		return -GB_ENOMEM;
	}
	json_object_set_new(j, "rule", json_string(rule));
	json_object_set_new(j, "severity", json_string(gb_severity_name(sev)));
	json_object_set_new(j, "node", f ? json_integer(f->node) : json_null());
	json_object_set_new(j, "path", f ? json_string(f->path) : json_null());
	json_object_set_new(j, "line", line ? json_integer((json_int_t)line) : json_null());
	json_object_set_new(j, "offset", offset >= 0 ? json_integer(offset) : json_null());
	json_t *m = json_string(msg);
	json_object_set_new(j, "message", m ? m : json_string("(message not valid UTF-8)"));
	json_object_set_new(j, "details", details ? details : json_object());
	return gb_aout_append(o, "findings", j);
}

int gb_aout_summary_set(struct gb_aout *o, const char *key, json_t *value)
{
	pthread_mutex_lock(&o->lock);
	int r = json_object_set_new(o->summary, key, value);
	pthread_mutex_unlock(&o->lock);
	return r < 0 ? -GB_ENOMEM : 0;
}

const struct gb_audit_opts *gb_aout_opts(const struct gb_aout *o)
{
	return o->opts;
}

int gb_aout_parallel(struct gb_aout *o, size_t n, int (*fn)(void *ctx, size_t i), void *ctx)
{
	return gb_pool_parallel(o->pool, n, fn, ctx);
}

/* ---- running ---- */

/* The message an analyzer's init() left with gb_audit_init_error(); init()
 * runs on the thread that prepares the audit, hence thread-local. */
static _Thread_local char init_error[1024];

void gb_audit_init_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(init_error, sizeof(init_error), fmt, ap);
	va_end(ap);
}

struct active {
	const struct gb_analyzer *an;
	void *state;
	_Atomic uint64_t ns; /* time in run() and finish(), summed over threads */
};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* audit.analyzer_seconds: where an audit's time goes, per analyzer (wall
 * time inside its run() and finish() calls, summed over the threads). */
static void report_times(struct gb_audit *a, const struct active *act, size_t n_act)
{
	json_t *o = json_object();
	for (size_t k = 0; o && k < n_act; k++)
		json_object_set_new(o, act[k].an->name, json_real((double)act[k].ns / 1e9));
	if (o)
		json_object_set_new(a->out.summary, "analyzer_seconds", o);
}

struct run_ctx {
	struct gb_aout *out;
	struct active *act;
	size_t n_act;
	const size_t *order; /* file indices, largest first */
};

static int audit_file(void *arg, size_t i)
{
	struct run_ctx *rc = arg;
	const struct gb_scan *scan = rc->out->scan;
	i = rc->order ? rc->order[i] : i;
	struct gb_afile af = {.scan = scan, .file = &scan->files[i], .node = &scan->nodes[scan->files[i].node]};
	bool mapped = false;

	for (size_t k = 0; k < rc->n_act; k++) {
		const struct gb_analyzer *an = rc->act[k].an;
		if (an->wants && !an->wants(rc->act[k].state, &af))
			continue;
		if (!mapped && (af.file->type == GB_FT_FILE || af.file->type == GB_FT_HARDLINK) && af.file->disk) {
			gb_audit_map(rc->out, af.file, &af.data);
			mapped = true;
		}
		uint64_t t0 = now_ns();
		an->run(rc->act[k].state, &af, rc->out);
		atomic_fetch_add_explicit(&rc->act[k].ns, now_ns() - t0, memory_order_relaxed);
	}
	if (mapped)
		gb_audit_unmap(&af.data);
	return 0;
}

const char *gb_analyzer_name(size_t i)
{
	return i < gb__n_analyzers ? gb__analyzers[i]->name : NULL;
}

static bool selected(const struct gb_audit_opts *opts, const char *name)
{
	if (!opts->only)
		return true;
	for (size_t i = 0; i < opts->n_only; i++)
		if (strcmp(opts->only[i], name) == 0)
			return true;
	return false;
}

static const char *field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int finding_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int c = strcmp(field(x, "rule"), field(y, "rule"));
	if (c)
		return c;
	json_int_t nx = json_integer_value(json_object_get(x, "node"));
	json_int_t ny = json_integer_value(json_object_get(y, "node"));
	if (nx != ny)
		return nx < ny ? -1 : 1;
	c = strcmp(field(x, "path"), field(y, "path"));
	if (c)
		return c;
	json_int_t lx = json_integer_value(json_object_get(x, "line"));
	json_int_t ly = json_integer_value(json_object_get(y, "line"));
	if (lx != ly)
		return lx < ly ? -1 : 1;
	c = strcmp(field(x, "message"), field(y, "message"));
	if (c)
		return c;
	char *dx = json_dumps(json_object_get(x, "details"), JSON_SORT_KEYS | JSON_COMPACT);
	char *dy = json_dumps(json_object_get(y, "details"), JSON_SORT_KEYS | JSON_COMPACT);
	c = strcmp(dx ? dx : "", dy ? dy : "");
	free(dx);
	free(dy);
	return c;
}

static int item_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "node"));
	json_int_t ny = json_integer_value(json_object_get(y, "node"));
	if (nx != ny)
		return nx < ny ? -1 : 1;
	int c = strcmp(field(x, "path"), field(y, "path"));
	if (c)
		return c;
	c = strcmp(field(x, "name"), field(y, "name"));
	if (c)
		return c;
	/* components: one item per (name, version), with no node or path */
	return strcmp(field(x, "version"), field(y, "version"));
}

/* Sort a section in place (deterministic order whatever the threads did). */
static void sort_section(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr);
	if (n < 2)
		return;
	json_t **v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	gb_qsort(v, n, sizeof(*v), cmp);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

static void summarize_findings(struct gb_audit *a)
{
	json_t *by = json_object();
	const char *names[] = {"critical", "high", "medium", "low", "info"};
	for (size_t i = 0; i < 5; i++)
		json_object_set_new(by, names[i], json_integer(0));
	json_t *f = json_object_get(a->out.sections, "findings");
	size_t i;
	json_t *v;
	a->max_sev = -1;
	json_array_foreach(f, i, v)
	{
		const char *s = field(v, "severity");
		json_object_set_new(by, s, json_integer(json_integer_value(json_object_get(by, s)) + 1));
		int sev = gb_severity_parse(s);
		if (sev > a->max_sev)
			a->max_sev = sev;
	}
	json_object_set_new(a->out.summary, "findings_by_severity", by);
	json_object_set_new(a->out.summary, "findings", json_integer((json_int_t)json_array_size(f)));
}

void gb_audit_opts_init(struct gb_audit_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* ---- preparing: the scan-independent part of every analyzer's init ---- */

struct prepared {
	const struct gb_analyzer *an;
	void *state;
	int r;
	char *error; /* init's gb_audit_init_error() text, or NULL */
};

struct gb_audit_prep {
	const struct gb_audit_opts *opts;
	pthread_t thread;
	bool threaded;
	struct prepared act[64];
	size_t n_act;
};

static void *prepare_all(void *arg)
{
	struct gb_audit_prep *p = arg;

	for (size_t i = 0; i < gb__n_analyzers && p->n_act < 64; i++) {
		const struct gb_analyzer *an = gb__analyzers[i];
		if (!selected(p->opts, an->name))
			continue;
		struct prepared *pa = &p->act[p->n_act++];
		pa->an = an;
		if (!an->init)
			continue;
		init_error[0] = '\0';
		pa->r = an->init(p->opts, &pa->state);
		if (pa->r < 0 && init_error[0])
			pa->error = strdup(init_error);
		if (pa->r == -GB_EINVAL)
			break; /* the user's input is unusable: the audit stops there */
	}
	return NULL;
}

/* prepare_all() on a thread of its own, named for top -H and perf. */
static void *prepare_thread(void *arg)
{
	prctl(PR_SET_NAME, "gb-audit-prep", 0, 0, 0);
	return prepare_all(arg);
}

int gb_audit_prepare(const struct gb_audit_opts *opts, bool background, struct gb_audit_prep **ret)
{
	struct gb_audit_prep *p = calloc(1, sizeof(*p));

	*ret = NULL;
	if (!p)
		return -GB_ENOMEM;
	p->opts = opts;
	if (background && pthread_create(&p->thread, NULL, prepare_thread, p) == 0)
		p->threaded = true;
	else
		prepare_all(p);
	*ret = p;
	return 0;
}

static void prep_wait(struct gb_audit_prep *p)
{
	if (p->threaded) {
		pthread_join(p->thread, NULL);
		p->threaded = false;
	}
}

void gb_audit_prep_free(struct gb_audit_prep *p)
{
	if (!p)
		return;
	prep_wait(p);
	for (size_t k = 0; k < p->n_act; k++) {
		if (p->act[k].r == 0 && p->act[k].an->fini)
			p->act[k].an->fini(p->act[k].state);
		free(p->act[k].error);
	}
	free(p);
}

/* ---- running ---- */

static void analyzer_error(struct gb_audit *a, const char *name, const char *text)
{
	json_t *errs = json_object_get(a->out.summary, "analyzer_errors");
	if (!errs) {
		errs = json_array();
		json_object_set_new(a->out.summary, "analyzer_errors", errs);
	}
	json_array_append_new(errs, json_pack("{s:s, s:s}", "analyzer", name, "error", text));
}

/* The prepared analyzers that start on this scan, in act[]; 0 or -GB_EINVAL with a->error. */
static int start_analyzers(struct gb_audit *a, struct gb_audit_prep *p, struct active *act, size_t *n_act)
{
	for (size_t k = 0; k < p->n_act; k++) {
		struct prepared *pa = &p->act[k];
		const char *why = pa->error ? pa->error : gb_strerror(pa->r);
		if (pa->r == -GB_EINVAL) {
			char buf[1280];
			snprintf(buf, sizeof(buf), "analyzer %s: %s", pa->an->name, why);
			a->error = strdup(buf);
			return -GB_EINVAL;
		}
		if (pa->r < 0) {
			/* Our own analyzer failed: the audit goes on without it and
			 * the report says so. */
			analyzer_error(a, pa->an->name, why);
			continue;
		}
		if (pa->an->start) {
			int r = pa->an->start(pa->state, a->out.scan);
			if (r < 0) {
				analyzer_error(a, pa->an->name, gb_strerror(r));
				if (pa->an->fini)
					pa->an->fini(pa->state);
				pa->r = r; /* fini done */
				continue;
			}
		}
		act[*n_act].an = pa->an;
		act[*n_act].state = pa->state;
		atomic_init(&act[*n_act].ns, 0);
		(*n_act)++;
		pa->r = 1; /* handed over: fini is the run's */
	}
	return 0;
}

struct by_size {
	uint64_t size;
	size_t i;
};

static int size_desc(const void *a, const void *b)
{
	const struct by_size *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

/* The order files are handed to the threads: largest first, so that the
 * busybox or libcrypto that takes the longest does not start last and leave
 * every other thread idle at the end (LPT scheduling). Results are sorted
 * after the run, so the order never shows. NULL (index order) without memory. */
static size_t *largest_first(const struct gb_scan *scan)
{
	size_t n = scan->n_files;
	struct by_size *v = malloc((n ? n : 1) * sizeof(*v));
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (!v || !order) {
		free(v);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (struct by_size){scan->files[i].size, i};
	gb_qsort(v, n, sizeof(*v), size_desc);
	for (size_t i = 0; i < n; i++)
		order[i] = v[i].i;
	free(v);
	return order;
}

int gb_audit_run_prepared(struct gb_audit_prep *prep, const struct gb_scan *scan, struct gb_audit **ret)
{
	const struct gb_audit_opts *opts = prep->opts;
	struct gb_audit *a = calloc(1, sizeof(*a));
	struct active act[64];
	size_t n_act = 0;
	int r = 0;

	prep_wait(prep);
	*ret = a;
	if (!a) {
		gb_audit_prep_free(prep);
		return -GB_ENOMEM;
	}
	a->max_sev = -1;
	a->out.scan = scan;
	a->out.opts = opts;
	a->out.outfd = -1;
	pthread_mutex_init(&a->out.lock, NULL);
	a->out.sections = json_object();
	a->out.summary = json_object();
	if (!a->out.sections || !a->out.summary || build_index(&a->out) < 0) {
		gb_audit_prep_free(prep);
		return -GB_ENOMEM;
	}
	section(&a->out, "findings"); /* always present, first */
	a->out.outfd = open(scan->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->out.outfd < 0) {
		a->error = strdup("cannot open the scan's output directory");
		gb_audit_prep_free(prep);
		return -GB_EIO;
	}
	r = gb_pool_new(opts->jobs ? opts->jobs : online_cpus(), "gb-audit", &a->out.pool);
	if (r == 0)
		r = start_analyzers(a, prep, act, &n_act);
	gb_audit_prep_free(prep); /* frees what did not start */
	if (r == 0) {
		struct run_ctx rc = {&a->out, act, n_act, largest_first(scan)};
		gb_pool_parallel(a->out.pool, scan->n_files, audit_file, &rc);
		free((void *)rc.order);
		for (size_t k = 0; k < n_act; k++)
			if (act[k].an->finish) {
				uint64_t t0 = now_ns();
				act[k].an->finish(act[k].state, &a->out);
				act[k].ns += now_ns() - t0;
			}
	}
	report_times(a, act, n_act);
	for (size_t k = 0; k < n_act; k++)
		if (act[k].an->fini)
			act[k].an->fini(act[k].state);

	const char *key;
	json_t *arr;
	json_object_foreach(a->out.sections, key, arr)
		sort_section(arr, strcmp(key, "findings") == 0 ? finding_cmp : item_cmp);
	summarize_findings(a);
	return r;
}

int gb_audit_run(const struct gb_scan *scan, const struct gb_audit_opts *opts, struct gb_audit **ret)
{
	struct gb_audit_prep *prep;
	int r = gb_audit_prepare(opts, false, &prep);
	if (r < 0) {
		*ret = NULL;
		return r;
	}
	return gb_audit_run_prepared(prep, scan, ret);
}

void gb_audit_free(struct gb_audit *a)
{
	if (!a)
		return;
	gb_pool_free(a->out.pool);
	if (a->out.outfd >= 0)
		close(a->out.outfd);
	json_decref(a->out.sections);
	json_decref(a->out.summary);
	free(a->out.index);
	pthread_mutex_destroy(&a->out.lock);
	free(a->error);
	free(a);
}

const json_t *gb_audit_section(const struct gb_audit *a, const char *name)
{
	return a ? json_object_get(a->out.sections, name) : NULL;
}

const char *const *gb_audit_sections(const struct gb_audit *a)
{
	return a->out.order;
}

const json_t *gb_audit_summary(const struct gb_audit *a)
{
	return a->out.summary;
}

int gb_audit_max_severity(const struct gb_audit *a)
{
	return a ? a->max_sev : -1;
}

const char *gb_audit_error(const struct gb_audit *a)
{
	return a ? a->error : NULL;
}

const char *gb_severity_name(enum gb_severity s)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	return (unsigned)s < 5 ? names[s] : "info";
}

int gb_severity_parse(const char *s)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}
