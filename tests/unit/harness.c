#include "harness.h"

#include <jansson.h>

#include <glassbox/sys/format.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[4096];
static char olddir[4096];

int gbt_setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/gbtest.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	if (!getcwd(olddir, sizeof(olddir)))
		return -1;
	if (chdir(tmpdir) < 0)
		return -1;
	return 0;
}

int gbt_teardown_tmpdir(void **state)
{
	if (chdir(olddir) < 0)
		return -1;
	if (getenv("GBT_KEEP"))
		fprintf(stderr, "kept %s\n", tmpdir);
	else
		gbt_sh_status("chmod -R u+rwX '%s' 2>/dev/null; rm -rf '%s'", tmpdir, tmpdir);
	return 0;
}

__attribute__((format(printf, 1, 0))) static int vsh(const char *fmt, va_list ap)
{
	char *cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		return -1;
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "gbt_sh: '%s' -> status %d\n", cmd, st == -1 ? -1 : WEXITSTATUS(st));
	free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

void gbt_sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int st = vsh(fmt, ap);
	va_end(ap);
	assert_int_equal(st, 0);
}

int gbt_sh_status(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int st = vsh(fmt, ap);
	va_end(ap);
	return st;
}

bool gbt_have_tool(const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", name);
	int st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void gbt_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

void *gbt_read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct stat st;
	assert_int_equal(fstat(fileno(f), &st), 0);
	void *buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*n = (size_t)st.st_size;
	return buf;
}

struct gb_scan *gbt_scan_limits(const char *image, const char *outdir, const struct gb_limits *lim)
{
	struct gb_scan_opts opts;
	struct gb_scan *scan = NULL;

	gb_scan_opts_init(&opts);
	if (lim)
		opts.limits = *lim;
	opts.input = image;
	opts.outdir = outdir;
	opts.jobs = 2;
	gbt_sh_status("rm -rf '%s'", outdir);
	int r = gb_scan_run(&opts, &scan);
	if (r < 0)
		fprintf(stderr, "gb_scan_run(%s): %s: %s\n", image, gb_strerror(r),
			scan && scan->error ? scan->error : "");
	assert_int_equal(r, 0);
	assert_non_null(scan);
	/* Also exercise the reporter on every scan a test makes. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/report.json", outdir);
	assert_int_equal(gb_report_json_write_file(scan, NULL, path), 0);
	return scan;
}

struct gb_scan *gbt_scan(const char *image, const char *outdir)
{
	return gbt_scan_limits(image, outdir, NULL);
}

const struct gb_node *gbt_node(const struct gb_scan *s, const char *format)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].format, format) == 0)
			return &s->nodes[i];
	return NULL;
}

size_t gbt_count_nodes(const struct gb_scan *s, const char *format)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_nodes; i++)
		n += strcmp(s->nodes[i].format, format) == 0;
	return n;
}

const struct gb_file *gbt_file(const struct gb_scan *s, const char *format, const char *path)
{
	const struct gb_node *n = format ? gbt_node(s, format) : NULL;
	if (format && !n)
		return NULL;
	for (size_t i = 0; i < s->n_files; i++) {
		const struct gb_file *f = &s->files[i];
		if ((!n || f->node == n->id) && strcmp(f->path, path) == 0)
			return f;
	}
	return NULL;
}

size_t gbt_count_files(const struct gb_scan *s, int node)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_files; i++)
		n += s->files[i].node == node;
	return n;
}

void gbt_sha256sum(const char *path, char hex[65])
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "sha256sum < '%s'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fread(hex, 1, 64, p), 64);
	hex[64] = '\0';
	pclose(p);
}

void gbt_assert_file_matches(const struct gb_scan *s, const char *format, const char *path,
			     const char *src_file)
{
	const struct gb_file *f = gbt_file(s, format, path);
	char want[65];
	if (!f)
		fprintf(stderr, "no file %s in a %s node\n", path, format ? format : "(any)");
	assert_non_null(f);
	assert_true(f->type == GB_FT_FILE || f->type == GB_FT_HARDLINK);
	gbt_sha256sum(src_file, want);
	if (strcmp(f->sha256, want) != 0)
		fprintf(stderr, "%s: sha256 %s, expected %s\n", path, f->sha256, want);
	assert_string_equal(f->sha256, want);
}

void gbt_assert_dir_empty(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", dir);
	assert_int_equal(system(cmd), 0);
}

struct gb_audit *gbt_audit_dir(const char *root, const char *analyzer, struct gb_scan **ret_scan)
{
	struct gb_audit_opts opts;
	struct gb_audit *a = NULL;
	const char *only[] = {analyzer};
	char img[512], out[512];

	struct gb_audit_prep *prep = NULL;

	/* The way the CLI runs it: the analyzer loads on its own thread while
	 * the scan runs, then audits the finished scan. */
	gb_audit_opts_init(&opts);
	opts.jobs = 2;
	opts.only = only;
	opts.n_only = 1;
	assert_int_equal(gb_audit_prepare(&opts, true, &prep), 0);
	snprintf(img, sizeof(img), "%s.tar", root);
	snprintf(out, sizeof(out), "%s.out", root);
	gbt_sh("rm -f '%s' && tar -C '%s' --owner=0 --group=0 -cf '%s' .", img, root, img);
	*ret_scan = gbt_scan(img, out);
	assert_int_equal(gb_audit_run_prepared(prep, *ret_scan, &a), 0);
	return a;
}

void gbt_dump_findings(const struct gb_audit *a)
{
	char *s = json_dumps(gb_audit_section(a, "findings"), JSON_INDENT(1));
	fprintf(stderr, "%s\n", s ? s : "?");
	free(s);
}

static const struct gb_file *must_find(const struct gb_scan *s, const char *format, const char *path)
{
	const struct gb_file *f = gbt_file(s, format, path);
	if (!f)
		fprintf(stderr, "no file %s in a %s node\n", path, format ? format : "(any)");
	assert_non_null(f);
	return f;
}

void gbt_assert_type(const struct gb_scan *s, const char *format, const char *path, enum gb_ftype type)
{
	assert_int_equal(must_find(s, format, path)->type, type);
}

void gbt_assert_symlink(const struct gb_scan *s, const char *format, const char *path, const char *target)
{
	const struct gb_file *f = must_find(s, format, path);
	assert_int_equal(f->type, GB_FT_SYMLINK);
	assert_string_equal(f->target, target);
}

void gbt_assert_mode(const struct gb_scan *s, const char *format, const char *path, uint32_t mode)
{
	assert_int_equal(must_find(s, format, path)->mode, mode);
}

const char *gbt_node_attr(const struct gb_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

const struct gb_node *gbt_child_labelled(const struct gb_scan *s, int parent, const char *label)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].parent == parent && s->nodes[i].label && strcmp(s->nodes[i].label, label) == 0)
			return &s->nodes[i];
	return NULL;
}

void gbt_make_kernel_rootfs(size_t blob_bytes)
{
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && head -c %zu /dev/urandom > root/etc/blob && tar cf r.tar -C root etc"
	       " && head -c 20000 /dev/urandom > vmlinux && gzip -9 -n -c vmlinux > k.gz",
	       blob_bytes);
}

int gbt_probe_buf(const struct gb_format *fmt, const uint8_t *p, size_t n, struct gb_probe *pr)
{
	struct gb_span in = gb_span_make(p, n);
	return fmt->probe(&in, pr);
}

int gbt_probe_file(const struct gb_format *fmt, const char *path, uint64_t *size)
{
	size_t n;
	struct gb_probe pr;
	uint8_t *img = gbt_read_file(path, &n);
	int r = gbt_probe_buf(fmt, img, n, &pr);

	free(img);
	if (r < 0)
		return 0;
	*size = pr.size;
	return (int)pr.confidence;
}
