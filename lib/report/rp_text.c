/* The terminal summary: the container tree, file counts per kind, errors. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>
#include <glassbox/report.h>

struct kind_count {
	const char *kind;
	size_t n;
};

static void human_size(uint64_t n, char *buf, size_t len)
{
	const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	unsigned u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static size_t files_of(const struct gb_scan *scan, int node)
{
	size_t n = 0;
	for (size_t i = 0; i < scan->n_files; i++)
		n += scan->files[i].node == node;
	return n;
}

int gb_report_text_write(const struct gb_scan *scan, FILE *out)
{
	char sz[32];
	size_t errors = 0;

	human_size(scan->input_size, sz, sizeof(sz));
	fprintf(out, "glassbox %s: %s (%s, sha256 %s)\n", "scan", scan->input_path, sz, scan->input_sha256);
	fprintf(out, "\ncontainers (%zu):\n", scan->n_nodes);
	for (size_t i = 0; i < scan->n_nodes; i++) {
		const struct gb_node *n = &scan->nodes[i];
		human_size(n->size, sz, sizeof(sz));
		fprintf(out, "  %*s%-10s @0x%-8" PRIx64 " %10s", (int)n->depth * 2, "", n->format, n->offset, sz);
		if (n->variant)
			fprintf(out, "  [%s]", n->variant);
		if (n->label)
			fprintf(out, "  %s", n->label);
		if (n->source_path)
			fprintf(out, "  in %s", n->source_path);
		size_t nf = files_of(scan, n->id);
		if (nf)
			fprintf(out, "  %zu entries", nf);
		if (n->status != GB_STATUS_OK) {
			fprintf(out, "  %s", gb_status_name(n->status));
			errors++;
		}
		fputc('\n', out);
	}

	struct kind_count kinds[32];
	size_t nk = 0, setuid = 0, devices = 0, lost = 0;
	for (size_t i = 0; i < scan->n_files; i++) {
		const struct gb_file *f = &scan->files[i];
		const char *k = f->kind ? f->kind : gb_ftype_name(f->type);
		size_t j = 0;
		while (j < nk && strcmp(kinds[j].kind, k) != 0)
			j++;
		if (j == nk && nk < 32)
			kinds[nk++] = (struct kind_count){k, 0};
		if (j < nk)
			kinds[j].n++;
		setuid += (f->mode & 06000) != 0 && f->type == GB_FT_FILE;
		devices += f->type == GB_FT_CHARDEV || f->type == GB_FT_BLOCKDEV;
		lost += f->note != NULL;
	}
	fprintf(out, "\nfiles: %zu", scan->n_files);
	for (size_t j = 0; j < nk; j++)
		fprintf(out, "%s%s %zu", j ? ", " : " (", kinds[j].kind, kinds[j].n);
	fprintf(out, "%s\n", nk ? ")" : "");
	fprintf(out, "setuid/setgid files: %zu, device nodes recorded: %zu, entries with notes: %zu\n", setuid,
		devices, lost);
	fprintf(out, "unclaimed regions: %zu\n", scan->n_regions);

	if (errors) {
		fprintf(out, "\nerrors (%zu):\n", errors);
		for (size_t i = 0; i < scan->n_nodes; i++) {
			const struct gb_node *n = &scan->nodes[i];
			if (n->status != GB_STATUS_OK)
				fprintf(out, "  node %d %s @0x%" PRIx64 ": %s: %s\n", n->id, n->format, n->offset,
					gb_status_name(n->status), n->error ? n->error : "");
		}
	}
	human_size(scan->bytes_written, sz, sizeof(sz));
	fprintf(out, "\n%s written to %s in %.2f s with %u jobs; report: %s/report.json\n", sz, scan->outdir,
		scan->seconds, scan->jobs, scan->outdir);
	return ferror(out) ? -GB_EIO : 0;
}
