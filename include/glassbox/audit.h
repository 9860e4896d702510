/* glassbox audit: what ships. After a scan, every analyzer looks at every
 * extracted file (in parallel) and reports facts (ELF hardening, components)
 * and findings (rule, severity, evidence). The result is JSON (jansson),
 * because that is what every reporter writes. */
#ifndef GLASSBOX_AUDIT_H
#define GLASSBOX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <glassbox/export.h>
#include <glassbox/scan.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

enum gb_severity {
	GB_SEV_INFO = 0,
	GB_SEV_LOW = 1,
	GB_SEV_MEDIUM = 2,
	GB_SEV_HIGH = 3,
	GB_SEV_CRITICAL = 4,
};

struct gb_audit_opts {
	unsigned jobs;              /* 0 = number of online CPUs */
	const char *wordlist;       /* extra passwords for credential cracking, one per line */
	unsigned crack_budget_ms;   /* estimated CPU per hash for the built-in and derived
	                             * candidates (never fewer than 8 are tried; --wordlist
	                             * lines always all are); 0 = the default, 1000 */
	const char *const *rules;   /* YARA rule files or directories */
	size_t n_rules;
	bool no_default_rules;      /* do not load the built-in rules/ set */
	const char *vulndb;         /* SQLite vulnerability database, NULL = default path */
	const char *const *only;    /* run only these analyzers (NULL = all) */
	size_t n_only;
};

struct gb_audit;

GB_API void gb_audit_opts_init(struct gb_audit_opts *opts);
/* The name of analyzer i in registry order ("fsperms", "keys"...), NULL past the last. */
GB_API const char *gb_analyzer_name(size_t i);
/* Audit a finished scan (its OUTDIR must still hold the extracted files).
 * Returns 0 and *ret, or -GB_ENOMEM / -GB_EINVAL (bad rules, unreadable
 * wordlist: *ret then has ->error). */
GB_API int gb_audit_run(const struct gb_scan *scan, const struct gb_audit_opts *opts, struct gb_audit **ret);
/* The same in two steps, so that the analyzers' loading (signature databases,
 * YARA compilation, the credential list: nothing that depends on the scan)
 * overlaps the scan: gb_audit_prepare() before gb_scan_run(), with background
 * true to load on a thread of its own, then gb_audit_run_prepared(), which
 * waits for it and always consumes prep. opts must outlive both.
 * gb_audit_prep_free() abandons a prepared audit (when the scan failed). */
struct gb_audit_prep;
GB_API int gb_audit_prepare(const struct gb_audit_opts *opts, bool background, struct gb_audit_prep **ret);
GB_API int gb_audit_run_prepared(struct gb_audit_prep *prep, const struct gb_scan *scan, struct gb_audit **ret);
GB_API void gb_audit_prep_free(struct gb_audit_prep *prep);
GB_API void gb_audit_free(struct gb_audit *audit);
/* An array section of the report: "findings", "elf", "components"...; NULL if absent. */
GB_API const struct json_t *gb_audit_section(const struct gb_audit *audit, const char *name);
/* Names of all sections, in report order (NULL-terminated, borrowed). */
GB_API const char *const *gb_audit_sections(const struct gb_audit *audit);
/* The audit summary object ({"findings_by_severity": ..., per analyzer keys}). */
GB_API const struct json_t *gb_audit_summary(const struct gb_audit *audit);
/* Highest finding severity, or -1 when there is no finding. */
GB_API int gb_audit_max_severity(const struct gb_audit *audit);
GB_API const char *gb_audit_error(const struct gb_audit *audit);

GB_API const char *gb_severity_name(enum gb_severity s);
/* Parse "critical".."info"; -1 if unknown. */
GB_API int gb_severity_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
