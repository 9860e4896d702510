/* The terminal summary: the container tree, file counts per kind, errors. */
#include <inttypes.h>
#include <stdbool.h>
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
			if (shown >= (s >= 3 ? 8 : 25)) /* low and info: a sample */
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

/* How many binaries lack each protection. PIE is asked of executables only
 * (a shared library is position-independent by nature but not "PIE"); NX and
 * RELRO of executables and libraries (not REL objects such as kernel
 * modules); canary and FORTIFY of the dynamically linked ones (a static
 * binary's imports cannot be seen: null). */
static void write_hardening(const struct gb_audit *audit, FILE *out)
{
	const json_t *elf = gb_audit_section(audit, "elf");
	size_t n = json_array_size(elf), exe = 0, lib = 0, dyn = 0, i;
	size_t nx = 0, pie = 0, relro = 0, prelro = 0, canary = 0, fortify = 0;
	const json_t *e;
	if (!n)
		return;
	json_array_foreach(elf, i, e)
	{
		const char *type = jstr(e, "type");
		bool is_exe = strcmp(type, "EXEC") == 0 ||
			      (strcmp(type, "DYN") == 0 && json_is_string(json_object_get(e, "interpreter")));
		bool is_lib = !is_exe && strcmp(type, "DYN") == 0;
		if (!is_exe && !is_lib)
			continue;
		exe += is_exe;
		lib += is_lib;
		nx += json_is_false(json_object_get(e, "nx"));
		pie += is_exe && json_is_false(json_object_get(e, "pie"));
		relro += strcmp(jstr(e, "relro"), "none") == 0;
		prelro += strcmp(jstr(e, "relro"), "partial") == 0;
		dyn += json_is_boolean(json_object_get(e, "canary"));
		canary += json_is_false(json_object_get(e, "canary"));
		fortify += json_is_false(json_object_get(e, "fortify"));
	}
	fprintf(out, "\nhardening of %zu ELF files (%zu executables, %zu libraries, %zu dynamically linked):\n", n, exe,
		lib, dyn);
	fprintf(out, "  %-16s %6zu of %zu\n", "no NX stack", nx, exe + lib);
	fprintf(out, "  %-16s %6zu of %zu executables\n", "no PIE", pie, exe);
	fprintf(out, "  %-16s %6zu of %zu (partial RELRO: %zu more)\n", "no RELRO", relro, exe + lib, prelro);
	fprintf(out, "  %-16s %6zu of %zu\n", "no stack canary", canary, dyn);
	fprintf(out, "  %-16s %6zu of %zu\n", "no FORTIFY", fortify, dyn);
	const json_t *sum = gb_audit_summary(audit);
	const json_t *fam = json_object_get(sum, "unsafe_call_sites");
	const char *k;
	const json_t *v;
	if (json_object_size(fam)) {
		const char *sep = "";
		fprintf(out, "unsafe function call sites across the image: ");
		json_object_foreach((json_t *)fam, k, v)
		{
			fprintf(out, "%s%lld %s", sep, (long long)json_integer_value(v), k);
			sep = ", ";
		}
		json_int_t unk = json_integer_value(json_object_get(sum, "unsafe_call_sites_uncounted_binaries"));
		if (unk)
			fprintf(out, " (plus %lld binaries whose architecture has no call-site counting)", (long long)unk);
		fputc('\n', out);
	}
}

static const char *const sev_order[] = {"critical", "high", "medium", "low", "none", "unknown"};

/* " (2 critical, 1 high; 1 not applicable)" for a component's CVEs. */
static void write_cve_counts(const json_t *vulns, FILE *out)
{
	size_t counts[6] = {0}, na = 0, i;
	const json_t *v;
	json_array_foreach(vulns, i, v)
	{
		if (json_is_false(json_object_get(v, "applicable"))) {
			na++;
			continue;
		}
		const char *sev = jstr(v, "severity");
		size_t k = 0;
		while (k < 5 && strcmp(sev, sev_order[k]) != 0)
			k++;
		counts[k]++;
	}
	const char *sep = " (";
	for (size_t k = 0; k < 6; k++) {
		if (counts[k]) {
			fprintf(out, "%s%zu %s", sep, counts[k], sev_order[k]);
			sep = ", ";
		}
	}
	if (na)
		fprintf(out, "%s%zu not applicable", sep[0] == ',' ? "; " : sep, na);
	if (sep[0] == ',' || na)
		fputc(')', out);
}

/* Components with copy counts and CVE counts by severity. */
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
		fprintf(out, "  %-20s %-16s %3zu copies  %zu CVEs", jstr(c, "name"), jstr(c, "version"),
			json_array_size(json_object_get(c, "copies")), vulns);
		write_cve_counts(json_object_get(c, "vulnerabilities"), out);
		fputc('\n', out);
	}
	const json_t *lines = json_object_get(gb_audit_summary(audit), "copy_lines");
	const json_t *l;
	json_array_foreach(lines, i, l)
		fprintf(out, "%s\n", json_string_value(l));
	const json_t *vs = json_object_get(gb_audit_summary(audit), "vulnerabilities");
	if (vs) {
		const json_t *by = json_object_get(vs, "by_severity");
		fprintf(out, "known vulnerabilities: %lld matched, %lld applicable",
			(long long)json_integer_value(json_object_get(vs, "matched")),
			(long long)json_integer_value(json_object_get(vs, "applicable")));
		const char *sep = " (";
		for (size_t k = 0; k < sizeof(sev_order) / sizeof(sev_order[0]); k++) {
			const json_t *n = json_object_get(by, sev_order[k]);
			if (json_integer_value(n) > 0) {
				fprintf(out, "%s%lld %s", sep, (long long)json_integer_value(n), sev_order[k]);
				sep = ", ";
			}
		}
		fprintf(out, "%s\n", sep[0] == ',' ? ")" : "");
	}
}

int gb_report_text_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out)
{
	char sz[32];
	size_t errors = 0;

	human_size(scan->input_size, sz, sizeof(sz));
	fprintf(out, "glassbox %s: %s (%s, sha256 %s)\n", "scan", scan->input_path, sz, scan->input_sha256);
	/* files per node in one pass (files are sorted by node) */
	size_t *per_node = calloc(scan->n_nodes ? scan->n_nodes : 1, sizeof(*per_node));
	for (size_t i = 0; per_node && i < scan->n_files; i++)
		if (scan->files[i].node >= 0 && (size_t)scan->files[i].node < scan->n_nodes)
			per_node[scan->files[i].node]++;
	fprintf(out, "\ncontainers (%zu):\n", scan->n_nodes);
	for (size_t i = 0; i < scan->n_nodes; i++) {
		const struct gb_node *n = &scan->nodes[i];
		if (i == 200) {
			fprintf(out, "  ... and %zu more (see report.json)\n", scan->n_nodes - i);
			break;
		}
		human_size(n->size, sz, sizeof(sz));
		fprintf(out, "  %*s%-10s @0x%-8" PRIx64 " %10s", (int)n->depth * 2, "", n->format, n->offset, sz);
		if (n->variant)
			fprintf(out, "  [%s]", n->variant);
		if (n->label)
			fprintf(out, "  %s", n->label);
		if (n->source_path)
			fprintf(out, "  in %s", n->source_path);
		size_t nf = per_node ? per_node[i] : 0;
		if (nf)
			fprintf(out, "  %zu entries", nf);
		if (n->status != GB_STATUS_OK) {
			fprintf(out, "  %s", gb_status_name(n->status));
			errors++;
		}
		fputc('\n', out);
	}

	free(per_node);
	for (size_t i = 200; i < scan->n_nodes; i++)
		errors += scan->nodes[i].status != GB_STATUS_OK;

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
