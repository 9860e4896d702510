/* Test cases shared by the single-stream compression formats (gzip, xz,
 * lzma, bzip2, zstd, lz4, lzop): each test_fmt_<name>.c describes its Debian
 * tool in a struct cc_fmt and runs these scenarios on fixtures that tool
 * makes at test time. The oracle is the tool's input (sha256sum, cmp), never
 * earlier glassbox output.
 */
#ifndef GB_TESTS_COMPRESSED_CASES_H
#define GB_TESTS_COMPRESSED_CASES_H

#include "../harness.h"

#include <glassbox/sys/format.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cc_fmt {
	const char *format; /* node format name */
	const char *tool;   /* program the fixtures need */
	const char *cmd;    /* shell command compressing stdin to stdout */
	const char *ext;    /* suffix of the fixtures, stripped from the output name */
};

/* Skip the calling test (cmocka longjmps out of it) when a tool is missing. */
static inline void cc_need_tool(const char *tool)
{
	if (!gbt_have_tool(tool)) {
		print_message("skipped: %s is not installed\n", tool);
		skip();
	}
}

static inline uint64_t cc_fsize(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Random bytes then text: incompressible and compressible parts. */
static inline void cc_make_sample(const char *path, unsigned kib)
{
	gbt_sh("{ head -c %uK /dev/urandom; seq 1 20000; } > '%s'", kib, path);
}

/* The node of `format` carved from the input's own bytes at `off`. */
static inline const struct gb_node *cc_node_at(const struct gb_scan *s, const char *format,
					       uint64_t off)
{
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct gb_node *n = &s->nodes[i];
		if (n->format && strcmp(n->format, format) == 0 && n->parent == 0 &&
		    !n->source_path && n->offset == off)
			return n;
	}
	return NULL;
}

static inline const struct gb_file *cc_file(const struct gb_scan *s, const struct gb_node *n,
					    const char *path)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	fprintf(stderr, "no file %s in node %d (%s)\n", path, n->id, n->format);
	return NULL;
}

static inline void cc_assert_matches(const struct gb_file *f, const char *src)
{
	char want[65];

	assert_non_null(f);
	assert_int_equal(f->type, GB_FT_FILE);
	gbt_sha256sum(src, want);
	assert_string_equal(f->sha256, want);
	assert_false(f->incomplete);
}

static inline void cc_assert_error_has(const struct gb_node *n, const char *what)
{
	if (!n->error || !strstr(n->error, what))
		fprintf(stderr, "node error '%s' lacks '%s'\n", n->error ? n->error : "(null)",
			what);
	assert_non_null(n->error);
	assert_non_null(strstr(n->error, what));
}

/* compress(sample) -> one node covering the whole file, output /rt. */
static inline void cc_roundtrip(const struct cc_fmt *fmt, const char *cmd, unsigned kib)
{
	char img[64];

	cc_need_tool(fmt->tool);
	cc_make_sample("rt", kib);
	snprintf(img, sizeof(img), "rt%s", fmt->ext);
	gbt_sh("%s < rt > '%s'", cmd ? cmd : fmt->cmd, img);
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_int_equal(n->size, cc_fsize(img));
	cc_assert_matches(cc_file(s, n, "/rt"), "rt");
	assert_int_equal(gbt_count_files(s, n->id), 1);
	gb_scan_free(s);
}

/* An empty input compresses to a valid stream that decodes to an empty file. */
static inline void cc_empty(const struct cc_fmt *fmt)
{
	char img[64];

	cc_need_tool(fmt->tool);
	snprintf(img, sizeof(img), "empty%s", fmt->ext);
	gbt_sh(": | %s > '%s'", fmt->cmd, img);
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	const struct gb_file *f = cc_file(s, n, "/empty");
	assert_non_null(f);
	assert_int_equal(f->size, 0);
	gb_scan_free(s);
}

/* Two streams back to back: one node when the format decodes them as one
 * output (gzip members, xz/bzip2 streams, zstd/lz4 frames). */
static inline void cc_concatenated(const struct cc_fmt *fmt)
{
	char img[64];

	cc_need_tool(fmt->tool);
	cc_make_sample("ca", 100);
	cc_make_sample("cb", 50);
	gbt_sh("cat ca cb > cab");
	snprintf(img, sizeof(img), "cab%s", fmt->ext);
	gbt_sh("{ %s < ca; %s < cb; } > '%s'", fmt->cmd, fmt->cmd, img);
	struct gb_scan *s = gbt_scan(img, "out");
	assert_int_equal(gbt_count_nodes(s, fmt->format), 1);
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, cc_fsize(img));
	cc_assert_matches(cc_file(s, n, "/cab"), "cab");
	gb_scan_free(s);
}

/* stream A, text garbage, stream B: A's node ends exactly where A ends (the
 * garbage is not an error) and B is found after the garbage. `out_a` and
 * `out_b` are the output paths (the stream may record a name). */
static inline void cc_trailing(const struct cc_fmt *fmt, const char *out_a, const char *out_b)
{
	cc_need_tool(fmt->tool);
	cc_make_sample("ta", 64);
	cc_make_sample("tb", 32);
	gbt_sh("%s < ta > ta.c && %s < tb > tb.c", fmt->cmd, fmt->cmd);
	gbt_sh("for i in $(seq 1 40); do printf 'trailing garbage, not a stream %%d\\n' $i; done"
	       " > junk");
	gbt_sh("cat ta.c junk tb.c > trail.img");
	uint64_t a = cc_fsize("ta.c"), j = cc_fsize("junk");
	struct gb_scan *s = gbt_scan("trail.img", "out");
	assert_int_equal(gbt_count_nodes(s, fmt->format), 2);
	const struct gb_node *na = cc_node_at(s, fmt->format, 0);
	const struct gb_node *nb = cc_node_at(s, fmt->format, a + j);
	assert_non_null(na);
	assert_non_null(nb);
	assert_int_equal(na->status, GB_STATUS_OK);
	assert_int_equal(na->size, a);
	assert_int_equal(nb->status, GB_STATUS_OK);
	assert_int_equal(nb->size, cc_fsize("tb.c"));
	cc_assert_matches(cc_file(s, na, out_a), "ta");
	cc_assert_matches(cc_file(s, nb, out_b), "tb");
	gb_scan_free(s);
}

/* The first half of a stream: a partial node saying "truncated", whose output
 * is a non-empty prefix of the original. */
static inline void cc_truncated(const struct cc_fmt *fmt, const char *cmd, unsigned kib)
{
	char img[64];

	cc_need_tool(fmt->tool);
	cc_make_sample("tr", kib);
	gbt_sh("%s < tr > tr.full", cmd ? cmd : fmt->cmd);
	snprintf(img, sizeof(img), "tr%s", fmt->ext);
	gbt_sh("head -c %llu tr.full > '%s'", (unsigned long long)cc_fsize("tr.full") / 2, img);
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	cc_assert_error_has(n, "truncated");
	const struct gb_file *f = cc_file(s, n, "/tr");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size > 0 && f->size < cc_fsize("tr"));
	assert_non_null(f->disk);
	gbt_sh("cmp -n %llu 'out/%s' tr", (unsigned long long)f->size, f->disk);
	gb_scan_free(s);
}

/* Bytes flipped in the middle of the compressed data: the node is not "ok"
 * and says why; nothing crashes. */
static inline void cc_corrupt_data(const struct cc_fmt *fmt)
{
	char img[64];

	cc_need_tool(fmt->tool);
	cc_make_sample("cd", 256);
	snprintf(img, sizeof(img), "cd%s", fmt->ext);
	gbt_sh("%s < cd > '%s'", fmt->cmd, img);
	uint64_t mid = cc_fsize(img) / 2;
	gbt_sh("printf '\\125\\252\\125\\252\\125\\252\\125\\252' | "
	       "dd of='%s' bs=1 seek=%llu conv=notrunc status=none", img, (unsigned long long)mid);
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_non_null(n->error);
	gb_scan_free(s);
}

/* Overwrite one header byte at `off` with `val`: probe must reject it, so
 * there is no node of this format. */
static inline void cc_bad_header(const struct cc_fmt *fmt, unsigned off, unsigned val)
{
	char img[64];

	cc_need_tool(fmt->tool);
	cc_make_sample("bh", 16);
	snprintf(img, sizeof(img), "bh%s", fmt->ext);
	gbt_sh("%s < bh > '%s'", fmt->cmd, img);
	gbt_sh("printf '\\%03o' | dd of='%s' bs=1 seek=%u conv=notrunc status=none", val, img, off);
	struct gb_scan *s = gbt_scan(img, "out");
	assert_int_equal(gbt_count_nodes(s, fmt->format), 0);
	gb_scan_free(s);
}

/* A bomb (zeros) with max_file_bytes lowered to 8 MiB: the node is not "ok",
 * names the limit, and the file written stops at the limit. */
static inline void cc_bomb(const struct cc_fmt *fmt, unsigned mib)
{
	char img[64];
	struct gb_limits lim;

	cc_need_tool(fmt->tool);
	snprintf(img, sizeof(img), "bomb%s", fmt->ext);
	gbt_sh("head -c %uM /dev/zero | %s > '%s'", mib, fmt->cmd, img);
	gb_limits_default(&lim);
	lim.max_file_bytes = 8ULL << 20;
	struct gb_scan *s = gbt_scan_limits(img, "out", &lim);
	const struct gb_node *n = cc_node_at(s, fmt->format, 0);
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	cc_assert_error_has(n, "limit");
	const struct gb_file *f = cc_file(s, n, "/bomb");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size <= lim.max_file_bytes);
	assert_non_null(f->disk);
	char path[512];
	snprintf(path, sizeof(path), "out/%s", f->disk);
	assert_true(cc_fsize(path) <= lim.max_file_bytes);
	gb_scan_free(s);
}

/* Run a format's probe on a hand-built buffer. */
static inline int cc_probe(const struct gb_format *f, const void *buf, size_t n,
			   struct gb_probe *ret)
{
	struct gb_span sp = gb_span_make(buf, n);
	memset(ret, 0x5a, sizeof(*ret));
	return f->probe(&sp, ret);
}

#endif
