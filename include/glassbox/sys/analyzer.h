/* The analyzer extension API: how an audit rule set plugs in.
 *
 * An analyzer is one `static const struct gb_analyzer` at the bottom of its
 * own lib/analyze/an_<name>.c and one ANALYZER(<name>) line in
 * lib/analyze/analyzers.def. Its lifecycle is YARA's module lifecycle:
 * init() once (load rules, databases; concurrently with the scan), start()
 * once the scan is done, wants() + run() for every file, from
 * several threads at once, finish() once after every file was seen (rules
 * that join several files), fini(). Analyzers never print, never write files
 * and never see each other; they only append to their output.
 */
#ifndef GLASSBOX_SYS_ANALYZER_H
#define GLASSBOX_SYS_ANALYZER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <glassbox/audit.h>
#include <glassbox/scan.h>
#include <glassbox/sys/span.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A file as an analyzer sees it. */
struct gb_afile {
	const struct gb_scan *scan;
	const struct gb_file *file; /* its inventory record: path, type, mode, kind... */
	const struct gb_node *node; /* the container it belongs to */
	struct gb_span data;        /* its extracted bytes (read-only mmap); empty unless a regular file on disk */
};

struct gb_aout; /* the audit's output sink (thread-safe) */

/* Report a finding. `f` gives node and path; line 0 = none; offset < 0 = none.
 * `details` (an object, may be NULL) is stolen. Returns 0 or -GB_ENOMEM. */
int gb_aout_finding(struct gb_aout *o, const char *rule, enum gb_severity sev, const struct gb_file *f,
		    uint64_t line, int64_t offset, json_t *details, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* Append an item (stolen) to a report section ("elf", "components", ...). */
int gb_aout_append(struct gb_aout *o, const char *section, json_t *item);
/* Set key in the audit summary (value stolen). Call from finish(). */
int gb_aout_summary_set(struct gb_aout *o, const char *key, json_t *value);

/* The audit's options (wordlist, rules...). */
const struct gb_audit_opts *gb_aout_opts(const struct gb_aout *o);

/* Look a path up inside one container of the scan, the way the device would:
 * symlinks are followed inside the image's own root (an absolute target is
 * relative to the container root), never on the host; at most 40 links.
 * Returns the regular file's record or NULL. */
const struct gb_file *gb_audit_lookup(const struct gb_aout *o, int node, const char *path);
/* Map the extracted bytes of a file record (read-only). Returns 0 and a span
 * to release with gb_audit_unmap(), or -GB_EIO. An empty file gives an empty span. */
int gb_audit_map(const struct gb_aout *o, const struct gb_file *f, struct gb_span *ret);
void gb_audit_unmap(struct gb_span *span);
/* Run fn(ctx, i) for i < n on the audit's threads (the caller included). */
int gb_aout_parallel(struct gb_aout *o, size_t n, int (*fn)(void *ctx, size_t i), void *ctx);

/* From init() only: say why it fails (a rule's syntax error, an unreadable
 * file) before returning -GB_EINVAL; the audit's error then reads
 * "analyzer <name>: <text>" instead of the bare error code. */
void gb_audit_init_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct gb_analyzer {
	const char *name;        /* one name: an_<name>.c, ANALYZER(<name>), summary keys */
	const char *description;
	/* Load what the analyzer needs that does not depend on the scan (rules,
	 * databases); it runs on another thread while the scan is still running.
	 * *ret_state is passed to the others. May be NULL. */
	int (*init)(const struct gb_audit_opts *opts, void **ret_state);
	/* Bind to the finished scan (index its files...), before any run(). May be NULL. */
	int (*start)(void *state, const struct gb_scan *scan);
	/* Cheap filter on the record (path, kind, type, mode) before any byte is read. NULL = all. */
	bool (*wants)(void *state, const struct gb_afile *f);
	/* Look at one file. Thread-safe: called concurrently for different files. */
	int (*run)(void *state, const struct gb_afile *f, struct gb_aout *out);
	/* After every file: joins, totals, summary keys. May be NULL. */
	int (*finish)(void *state, struct gb_aout *out);
	void (*fini)(void *state);
};

#ifdef __cplusplus
}
#endif
#endif
