/* report.json: the machine-readable inventory (docs/report.md), written with
 * jansson. Field names are a contract: add fields, never rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/atomic.h"

#include <glassbox/errors.h>
#include <glassbox/report.h>
#include <glassbox/version.h>

/* jansson refuses invalid UTF-8; every string we emit was escaped already,
 * but never let a stray byte lose the report. */
static json_t *str_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("(invalid UTF-8)");
}

static json_t *mode_string(uint32_t mode)
{
	char buf[8];
	snprintf(buf, sizeof(buf), "%04o", mode & 07777);
	return json_string(buf);
}

static json_t *node_json(const struct gb_node *n)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(n->id));
	json_object_set_new(o, "parent", n->parent >= 0 ? json_integer(n->parent) : json_null());
	json_object_set_new(o, "format", str_or_null(n->format));
	json_object_set_new(o, "variant", str_or_null(n->variant));
	json_object_set_new(o, "label", str_or_null(n->label));
	json_object_set_new(o, "source_path", str_or_null(n->source_path));
	json_object_set_new(o, "offset", json_integer((json_int_t)n->offset));
	json_object_set_new(o, "size", json_integer((json_int_t)n->size));
	json_object_set_new(o, "depth", json_integer(n->depth));
	json_object_set_new(o, "status", json_string(gb_status_name(n->status)));
	json_object_set_new(o, "error", str_or_null(n->error));
	json_object_set_new(o, "dir", str_or_null(n->dir));
	json_object_set_new(o, "identify_only", json_boolean(n->identify_only));
	json_object_set_new(o, "entries", json_integer(n->n_entries));
	if (n->n_attrs) {
		json_t *a = json_object();
		for (size_t i = 0; i < n->n_attrs; i++)
			json_object_set_new(a, n->attrs[i].key, str_or_null(n->attrs[i].value));
		json_object_set_new(o, "attrs", a);
	}
	return o;
}

static const char *attr_get(const struct gb_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

/* One U-Boot environment block (a node of format "ubootenv"): its attrs
 * "var.NAME" are the variables; "crc_ok", "redundant" and "console" are facts
 * the format derived (lib/unpack/fmt_ubootenv.c). */
static json_t *env_json(const struct gb_node *n)
{
	json_t *o = json_object(), *vars = json_object();
	const char *crc = attr_get(n, "crc_ok"), *red = attr_get(n, "redundant");

	for (size_t i = 0; i < n->n_attrs; i++)
		if (strncmp(n->attrs[i].key, "var.", 4) == 0)
			json_object_set_new(vars, n->attrs[i].key + 4, str_or_null(n->attrs[i].value));
	json_object_set_new(o, "node", json_integer(n->id));
	json_object_set_new(o, "source_path", str_or_null(n->source_path));
	json_object_set_new(o, "offset", json_integer((json_int_t)n->offset));
	json_object_set_new(o, "size", json_integer((json_int_t)n->size));
	json_object_set_new(o, "crc_ok", json_boolean(crc && strcmp(crc, "true") == 0));
	json_object_set_new(o, "redundant", json_boolean(red && strcmp(red, "true") == 0));
	json_object_set_new(o, "vars", vars);
	json_object_set_new(o, "bootcmd", str_or_null(attr_get(n, "var.bootcmd")));
	json_object_set_new(o, "bootargs", str_or_null(attr_get(n, "var.bootargs")));
	json_object_set_new(o, "console", str_or_null(attr_get(n, "console")));
	return o;
}

static json_t *envs_json(const struct gb_scan *scan)
{
	json_t *a = json_array();

	for (size_t i = 0; i < scan->n_nodes; i++)
		if (scan->nodes[i].format && strcmp(scan->nodes[i].format, "ubootenv") == 0)
			json_array_append_new(a, env_json(&scan->nodes[i]));
	return a;
}

static json_t *file_json(const struct gb_file *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "node", json_integer(f->node));
	json_object_set_new(o, "path", str_or_null(f->path));
	json_object_set_new(o, "type", json_string(gb_ftype_name(f->type)));
	json_object_set_new(o, "mode", mode_string(f->mode));
	json_object_set_new(o, "uid", json_integer(f->uid));
	json_object_set_new(o, "gid", json_integer(f->gid));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	json_object_set_new(o, "sha256", f->sha256[0] ? json_string(f->sha256) : json_null());
	json_object_set_new(o, "target", str_or_null(f->target));
	if (f->type == GB_FT_CHARDEV || f->type == GB_FT_BLOCKDEV) {
		json_object_set_new(o, "major", json_integer(f->major));
		json_object_set_new(o, "minor", json_integer(f->minor));
	}
	json_object_set_new(o, "kind", str_or_null(f->kind));
	json_object_set_new(o, "disk", str_or_null(f->disk));
	json_object_set_new(o, "note", str_or_null(f->note));
	if (f->incomplete)
		json_object_set_new(o, "incomplete", json_true());
	return o;
}

static json_t *region_json(const struct gb_region *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "node", json_integer(r->node));
	json_object_set_new(o, "source_path", str_or_null(r->source_path));
	json_object_set_new(o, "offset", json_integer((json_int_t)r->offset));
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	json_object_set_new(o, "entropy", json_real((double)(long)(r->entropy * 1000 + 0.5) / 1000));
	json_object_set_new(o, "fill", r->fill >= 0 ? json_integer(r->fill) : json_null());
	return o;
}

static json_t *summary_json(const struct gb_scan *scan)
{
	json_t *o = json_object();
	json_t *formats = json_object(), *kinds = json_object();
	size_t errors = 0, partial = 0;

	for (size_t i = 0; i < scan->n_nodes; i++) {
		const struct gb_node *n = &scan->nodes[i];
		json_t *c = json_object_get(formats, n->format);
		json_object_set_new(formats, n->format, json_integer(c ? json_integer_value(c) + 1 : 1));
		errors += n->status == GB_STATUS_ERROR;
		partial += n->status == GB_STATUS_PARTIAL;
	}
	for (size_t i = 0; i < scan->n_files; i++) {
		const char *k = scan->files[i].kind;
		if (!k)
			k = gb_ftype_name(scan->files[i].type);
		json_t *c = json_object_get(kinds, k);
		json_object_set_new(kinds, k, json_integer(c ? json_integer_value(c) + 1 : 1));
	}
	json_object_set_new(o, "nodes", json_integer((json_int_t)scan->n_nodes));
	json_object_set_new(o, "files", json_integer((json_int_t)scan->n_files));
	json_object_set_new(o, "nodes_error", json_integer((json_int_t)errors));
	json_object_set_new(o, "nodes_partial", json_integer((json_int_t)partial));
	json_object_set_new(o, "formats", formats);
	json_object_set_new(o, "kinds", kinds);
	json_object_set_new(o, "bytes_written", json_integer((json_int_t)scan->bytes_written));
	json_object_set_new(o, "seconds", json_real((double)(long)(scan->seconds * 1000) / 1000));
	json_object_set_new(o, "jobs", json_integer(scan->jobs));
	return o;
}

static json_t *report_json(const struct gb_scan *scan, const struct gb_audit *audit)
{
	json_t *root = json_object(), *tool = json_object(), *input = json_object();
	json_t *nodes = json_array(), *files = json_array(), *regions = json_array();

	json_object_set_new(root, "schema_version", json_integer(GLASSBOX_REPORT_SCHEMA_VERSION));
	json_object_set_new(tool, "name", json_string("glassbox"));
	json_object_set_new(tool, "version", json_string(gb_version()));
	json_object_set_new(root, "tool", tool);
	json_object_set_new(input, "path", str_or_null(scan->input_path));
	json_object_set_new(input, "size", json_integer((json_int_t)scan->input_size));
	json_object_set_new(input, "sha256", json_string(scan->input_sha256));
	json_object_set_new(root, "input", input);
	json_object_set_new(root, "summary", summary_json(scan));
	for (size_t i = 0; i < scan->n_nodes; i++)
		json_array_append_new(nodes, node_json(&scan->nodes[i]));
	for (size_t i = 0; i < scan->n_files; i++)
		json_array_append_new(files, file_json(&scan->files[i]));
	for (size_t i = 0; i < scan->n_regions; i++)
		json_array_append_new(regions, region_json(&scan->regions[i]));
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "regions", regions);
	json_object_set_new(root, "env", envs_json(scan));
	if (audit) {
		/* Borrowed: root lives only until it is written. */
		json_object_set(root, "audit", (json_t *)gb_audit_summary(audit));
		for (const char *const *sec = gb_audit_sections(audit); *sec; sec++)
			json_object_set(root, *sec, (json_t *)gb_audit_section(audit, *sec));
	}
	return root;
}

int gb_report_json_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out)
{
	json_t *root = report_json(scan, audit);
	if (!root)
		return -GB_ENOMEM;
	int r = json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (r < 0 || fputc('\n', out) == EOF)
		return -GB_EIO;
	return 0;
}

struct json_job {
	const struct gb_scan *scan;
	const struct gb_audit *audit;
};

static int write_json_job(void *ctx, FILE *f)
{
	const struct json_job *j = ctx;
	return gb_report_json_write(j->scan, j->audit, f);
}

int gb_report_json_write_file(const struct gb_scan *scan, const struct gb_audit *audit, const char *path)
{
	struct json_job j = {scan, audit};
	return gb_write_atomic(path, write_json_job, &j);
}
