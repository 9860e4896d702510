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

#ifdef __cplusplus
}
#endif
#endif
