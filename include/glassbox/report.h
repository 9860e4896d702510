/* Reporters: read a finished scan and write it out. Nothing else does output I/O. */
#ifndef GLASSBOX_REPORT_H
#define GLASSBOX_REPORT_H

#include <stdio.h>

#include <glassbox/export.h>
#include <glassbox/audit.h>
#include <glassbox/scan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write report.json to path atomically (temp file + rename). `audit` may be
 * NULL (a scan without audit). */
GB_API int gb_report_json_write_file(const struct gb_scan *scan, const struct gb_audit *audit,
				     const char *path);
/* Write the JSON report to a stream. */
GB_API int gb_report_json_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out);
/* The terminal summary: counts per node and kind, errors, findings. */
GB_API int gb_report_text_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out);

struct json_t;
/* A CycloneDX 1.6 JSON SBOM of the audit's components (and their
 * vulnerabilities); `audit` may be NULL (an SBOM without components).
 * Returns 0, -GB_ENOMEM or -GB_EIO. */
GB_API int gb_report_cyclonedx_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out);
/* The same, written atomically to path (temp file + rename). */
GB_API int gb_report_cyclonedx_write_file(const struct gb_scan *scan, const struct gb_audit *audit,
					  const char *path);
/* The same from a parsed report.json (`glassbox sbom`): -GB_EINVAL when the
 * object is not a glassbox report. */
GB_API int gb_report_cyclonedx_from_report(const struct json_t *report, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
