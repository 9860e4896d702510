/* The terminal summary: the container tree, file counts per kind, errors. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>
#include <jansson.h>

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

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Findings grouped by severity, the most severe first. */
static void write_findings(const struct gb_audit *audit, FILE *out)
{
	const json_t *findings = gb_audit_section(audit, "findings");
	static const char *const sev[] = {"critical", "high", "medium", "low", "info"};
	size_t n = json_array_size(findings);

	fprintf(out, "\nfindings: %zu", n);
	const json_t *by = json_object_get(gb_audit_summary(audit), "findings_by_severity");
	for (size_t s = 0; s < 5; s++)
		fprintf(out, "%s%s %lld", s ? ", " : " (", sev[s], (long long)json_integer_value(json_object_get(by, sev[s])));
	fprintf(out, ")\n");
	for (size_t s = 0; s < 5; s++) {
		size_t shown = 0, total = 0, i;
		const json_t *f;
		json_array_foreach(findings, i, f)
		{
			if (strcmp(jstr(f, "severity"), sev[s]) != 0)
				continue;
			total++;
			if (shown >= 25)
				continue;
			shown++;
			json_int_t line = json_integer_value(json_object_get(f, "line"));
			fprintf(out, "  %-8s %-28s %s", sev[s], jstr(f, "rule"), jstr(f, "path"));
			if (line)
				fprintf(out, ":%lld", (long long)line);
			fprintf(out, "  %s\n", jstr(f, "message"));
		}
		if (total > shown)
			fprintf(out, "  %-8s ... and %zu more (see report.json)\n", sev[s], total - shown);
	}
}

/* How many binaries lack each protection. */
static void write_hardening(const struct gb_audit *audit, FILE *out)
{
	const json_t *elf = gb_audit_section(audit, "elf");
	size_t n = json_array_size(elf), nx = 0, pie = 0, relro = 0, prelro = 0, canary = 0, fortify = 0, i;
	const json_t *e;
	if (!n)
		return;
	json_array_foreach(elf, i, e)
	{
		nx += json_is_false(json_object_get(e, "nx"));
		pie += json_is_false(json_object_get(e, "pie"));
		relro += strcmp(jstr(e, "relro"), "none") == 0;
		prelro += strcmp(jstr(e, "relro"), "partial") == 0;
		canary += json_is_false(json_object_get(e, "canary"));
		fortify += json_is_false(json_object_get(e, "fortify"));
	}
	fprintf(out, "\nhardening of %zu ELF files: without NX %zu, without PIE %zu, without RELRO %zu (partial %zu), "
		     "without stack canary %zu, without FORTIFY %zu\n",
		n, nx, pie, relro, prelro, canary, fortify);
	const json_t *fam = json_object_get(gb_audit_summary(audit), "unsafe_call_sites");
	const char *k;
	const json_t *v;
	if (json_object_size(fam)) {
		fprintf(out, "unsafe function call sites across the image:");
		json_object_foreach((json_t *)fam, k, v)
			fprintf(out, " %s %lld;", k, (long long)json_integer_value(v));
		fputc('\n', out);
	}
}

/* Components with copy counts and CVE counts. */
static void write_components(const struct gb_audit *audit, FILE *out)
{
	const json_t *comps = gb_audit_section(audit, "components");
	size_t i;
	const json_t *c;
	if (!json_array_size(comps))
		return;
	fprintf(out, "\ncomponents (%zu):\n", json_array_size(comps));
	json_array_foreach(comps, i, c)
	{
		size_t vulns = json_array_size(json_object_get(c, "vulnerabilities"));
		fprintf(out, "  %-20s %-16s %3zu copies  %zu CVEs\n", jstr(c, "name"), jstr(c, "version"),
			json_array_size(json_object_get(c, "copies")), vulns);
	}
	const json_t *lines = json_object_get(gb_audit_summary(audit), "copy_lines");
	const json_t *l;
	json_array_foreach(lines, i, l)
		fprintf(out, "%s\n", json_string_value(l));
}

int gb_report_text_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out)
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
	if (audit) {
		write_components(audit, out);
		write_hardening(audit, out);
		write_findings(audit, out);
	}
	human_size(scan->bytes_written, sz, sizeof(sz));
	fprintf(out, "\n%s written to %s in %.2f s with %u jobs; report: %s/report.json\n", sz, scan->outdir,
		scan->seconds, scan->jobs, scan->outdir);
	return ferror(out) ? -GB_EIO : 0;
}
