/* report: equiv.json (docs/equiv.md) and the terminal summary of a finished
 * comparison. Field names are a contract: add fields, never rename.
 *
 * Every string that comes from the inputs (paths, diff text, notes that
 * quote paths) is made valid UTF-8 with gb_path_utf8_escape(), as report.json
 * does, because jansson refuses anything else. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/version.h>

#include "core/atomic.h"
#include "diff/diff_int.h"
#include "util/pathutil.h"

static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strlen(s);
	if (n > (64u << 20))
		n = 64u << 20;
	char *buf = malloc(4 * n + 1);
	if (!buf)
		return NULL;
	char *in = strndup(s, n);
	if (!in) {
		free(buf);
		return NULL;
	}
	gb_path_utf8_escape(in, buf);
	json_t *j = json_string(buf);
	free(in);
	free(buf);
	return j;
}

static json_t *side_json(const struct gb_equiv_side *s)
{
	if (!s->present)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "path", jstr(s->path));
	json_object_set_new(o, "sha256", s->sha256[0] ? json_string(s->sha256) : json_null());
	json_object_set_new(o, "size", json_integer((json_int_t)s->size));
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", s->mode & 07777);
	json_object_set_new(o, "mode", json_string(mode));
	if (s->target)
		json_object_set_new(o, "target", jstr(s->target));
	return o;
}

static json_t *norms_json(uint32_t norms)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < GB__NORM_COUNT; i++)
		if (norms & (1u << i))
			json_array_append_new(a, json_string(gb_equiv_norm_name(1u << i)));
	return a;
}

static json_t *file_json(const struct gb_equiv_file *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", jstr(f->path));
	json_object_set_new(o, "verdict", json_string(gb_equiv_verdict_name(f->verdict)));
	json_object_set_new(o, "kind", jstr(f->kind));
	json_object_set_new(o, "paired_by", jstr(f->paired_by));
	json_object_set_new(o, "container", jstr(f->container));
	json_object_set_new(o, "is_container", json_boolean(f->is_container));
	if (f->verdict == GB_EQUIV_EQUIVALENT)
		json_object_set_new(o, "normalisations", norms_json(f->normalisations));
	if (f->verdict == GB_EQUIV_DIFFERENT) {
		json_t *d = json_array();
		for (size_t i = 0; i < f->n_differences; i++) {
			const struct gb_equiv_difference *x = &f->differences[i];
			json_t *e = json_object();
			json_object_set_new(e, "section", jstr(x->section));
			json_object_set_new(e, "function", jstr(x->function));
			json_object_set_new(e, "address", json_pack("{s:I, s:I}", "start", (json_int_t)x->start,
								    "end", (json_int_t)x->end));
			json_object_set_new(e, "bytes", json_integer((json_int_t)x->bytes));
			json_array_append_new(d, e);
		}
		json_object_set_new(o, "differences", d);
		json_object_set_new(o, "diff", jstr(f->diff));
		json_object_set_new(o, "disasm", jstr(f->disasm));
		json_object_set_new(o, "note", jstr(f->note));
	}
	json_object_set_new(o, "shipped", side_json(&f->shipped));
	json_object_set_new(o, "rebuilt", side_json(&f->rebuilt));
	return o;
}

static json_t *equiv_json(const struct gb_equiv *eq)
{
	json_t *root = json_object();
	const struct gb_equiv_summary *s = &eq->summary;
	json_object_set_new(root, "schema_version", json_integer(1));
	json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "glassbox", "version", gb_version()));
	json_object_set_new(root, "shipped", json_pack("{s:o, s:s}", "input", jstr(eq->shipped_input), "as",
						      eq->shipped_as ? eq->shipped_as : "?"));
	json_object_set_new(root, "rebuilt", json_pack("{s:o, s:s}", "input", jstr(eq->rebuilt_input), "as",
						      eq->rebuilt_as ? eq->rebuilt_as : "?"));
	if (eq->rebuild) {
		const struct gb_equiv_rebuild *r = eq->rebuild;
		json_t *o = json_object();
		json_object_set_new(o, "command", jstr(r->command));
		json_object_set_new(o, "source", jstr(r->source));
		json_object_set_new(o, "copy", jstr(r->copy));
		json_object_set_new(o, "artifacts", jstr(r->artifacts));
		json_object_set_new(o, "log", jstr(r->log));
		json_object_set_new(o, "source_date_epoch", json_integer((json_int_t)r->source_date_epoch));
		json_object_set_new(o, "epoch_from", json_string(r->epoch_from_flag ? "flag" : "source"));
		json_object_set_new(o, "exit_status", json_integer(r->exit_status));
		json_object_set_new(o, "seconds", json_real(r->seconds));
		json_object_set_new(root, "rebuild", o);
	} else {
		json_object_set_new(root, "rebuild", json_null());
	}
	json_t *sum = json_object();
	json_object_set_new(sum, "identical", json_integer((json_int_t)s->identical));
	json_object_set_new(sum, "equivalent", json_integer((json_int_t)s->equivalent));
	json_object_set_new(sum, "different", json_integer((json_int_t)s->different));
	json_object_set_new(sum, "missing", json_integer((json_int_t)s->missing));
	json_object_set_new(sum, "extra", json_integer((json_int_t)s->extra));
	json_object_set_new(sum, "shipped_files", json_integer((json_int_t)s->shipped_files));
	json_object_set_new(sum, "shipped_bytes", json_integer((json_int_t)s->shipped_bytes));
	json_object_set_new(sum, "proven_bytes", json_integer((json_int_t)s->proven_bytes));
	json_object_set_new(sum, "seconds", json_real(eq->seconds));
	json_object_set_new(sum, "jobs", json_integer(eq->jobs));
	json_object_set_new(root, "summary", sum);
	json_t *files = json_array();
	for (size_t i = 0; i < eq->n_files; i++)
		json_array_append_new(files, file_json(&eq->files[i]));
	json_object_set_new(root, "files", files);
	return root;
}

int gb_equiv_json_write(const struct gb_equiv *eq, FILE *out)
{
	json_t *root = equiv_json(eq);
	if (!root)
		return -GB_ENOMEM;
	int r = json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (r < 0 || fputc('\n', out) == EOF)
		return -GB_EIO;
	return 0;
}

static int write_equiv_job(void *ctx, FILE *f)
{
	return gb_equiv_json_write(ctx, f);
}

int gb_equiv_json_write_file(const struct gb_equiv *eq, const char *path)
{
	return gb_write_atomic(path, write_equiv_job, (void *)eq);
}

/* ------------------------------------------------------------- terminal */

static void put_esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void list(const struct gb_equiv *eq, FILE *out, enum gb_equiv_verdict v, size_t max)
{
	size_t n = 0, shown = 0;
	for (size_t i = 0; i < eq->n_files; i++)
		n += eq->files[i].verdict == v && !eq->files[i].is_container;
	if (!n)
		return;
	fprintf(out, "%s (%zu):\n", gb_equiv_verdict_name(v), n);
	for (size_t i = 0; i < eq->n_files; i++) {
		const struct gb_equiv_file *f = &eq->files[i];
		if (f->verdict != v || f->is_container)
			continue;
		if (shown++ == max) {
			fprintf(out, "  ... and %zu more (equiv.json lists them all)\n", n - max);
			break;
		}
		fputs("  ", out);
		put_esc(out, f->path);
		if (f->paired_by && strcmp(f->paired_by, "path") != 0) {
			fprintf(out, "  (paired by %s with ", f->paired_by);
			put_esc(out, f->rebuilt.path);
			fputc(')', out);
		}
		fputc('\n', out);
		if (v != GB_EQUIV_DIFFERENT)
			continue;
		if (f->note) {
			fputs("      ", out);
			put_esc(out, f->note);
			fputc('\n', out);
		}
		for (size_t k = 0; k < f->n_differences && k < 8; k++) {
			const struct gb_equiv_difference *d = &f->differences[k];
			fprintf(out, "      %s%s%s [%#llx, %#llx) %llu bytes\n", d->section ? d->section : "(file)",
				d->function ? "  " : "", d->function ? d->function : "",
				(unsigned long long)d->start, (unsigned long long)d->end,
				(unsigned long long)d->bytes);
		}
		if (f->n_differences > 8)
			fprintf(out, "      ... %zu more differences\n", f->n_differences - 8);
		if (f->disasm && shown <= 5) {
			const char *p = f->disasm;
			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t l = nl ? (size_t)(nl - p) : strlen(p);
				fprintf(out, "        %.*s\n", (int)l, p);
				p += l + (nl ? 1 : 0);
			}
		}
		if (f->diff && shown <= 5) {
			const char *p = f->diff;
			for (int lines = 0; *p && lines < 40; lines++) {
				const char *nl = strchr(p, '\n');
				size_t l = nl ? (size_t)(nl - p) : strlen(p);
				fputs("        ", out);
				for (size_t k = 0; k < l; k++) {
					unsigned char c = (unsigned char)p[k];
					fputc(c < 0x20 && c != '\t' ? '?' : c, out);
				}
				fputc('\n', out);
				p += l + (nl ? 1 : 0);
			}
		}
	}
}

int gb_equiv_text_write(const struct gb_equiv *eq, FILE *out)
{
	const struct gb_equiv_summary *s = &eq->summary;
	fputs("shipped: ", out);
	put_esc(out, eq->shipped_input);
	fprintf(out, " (%s)\nrebuilt: ", eq->shipped_as ? eq->shipped_as : "?");
	put_esc(out, eq->rebuilt_input);
	fprintf(out, " (%s)\n\n", eq->rebuilt_as ? eq->rebuilt_as : "?");
	list(eq, out, GB_EQUIV_DIFFERENT, 50);
	list(eq, out, GB_EQUIV_MISSING, 50);
	list(eq, out, GB_EQUIV_EXTRA, 20);

	unsigned long long per[GB__NORM_COUNT] = {0};
	for (size_t i = 0; i < eq->n_files; i++)
		if (eq->files[i].verdict == GB_EQUIV_EQUIVALENT && !eq->files[i].is_container)
			for (unsigned k = 0; k < GB__NORM_COUNT; k++)
				per[k] += (eq->files[i].normalisations >> k) & 1;
	fprintf(out, "\nsummary:\n");
	fprintf(out, "  shipped files  %llu (%llu bytes)\n", (unsigned long long)s->shipped_files,
		(unsigned long long)s->shipped_bytes);
	fprintf(out, "  identical      %llu\n", (unsigned long long)s->identical);
	fprintf(out, "  equivalent     %llu", (unsigned long long)s->equivalent);
	const char *sep = "  (";
	for (unsigned k = 0; k < GB__NORM_COUNT; k++) {
		if (!per[k])
			continue;
		fprintf(out, "%s%s %llu", sep, gb_equiv_norm_name(1u << k), per[k]);
		sep = ", ";
	}
	fprintf(out, "%s\n", *sep == ',' ? ")" : "");
	fprintf(out, "  different      %llu\n", (unsigned long long)s->different);
	fprintf(out, "  missing        %llu\n", (unsigned long long)s->missing);
	fprintf(out, "  extra          %llu\n", (unsigned long long)s->extra);
	double pct = s->shipped_bytes ? 100.0 * (double)s->proven_bytes / (double)s->shipped_bytes : 100.0;
	fprintf(out, "  proven         %llu of %llu bytes (%.2f%%) identical or equivalent\n",
		(unsigned long long)s->proven_bytes, (unsigned long long)s->shipped_bytes, pct);
	fprintf(out, "  time           %.2f s, %u jobs\n", eq->seconds, eq->jobs);
	return ferror(out) ? -GB_EIO : 0;
}
