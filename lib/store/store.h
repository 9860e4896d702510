/* Internals of lib/store shared between its files (not installed). */
#ifndef GB_STORE_STORE_H
#define GB_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include <glassbox/vulndb.h>

#define GB_VULNDB_SCHEMA 1
#define GB_VULNDB_MAX_RECORD (64u << 20) /* bytes of one JSON record */
#define GB_VULNDB_BATCH 5000             /* records per transaction */
#define GB_VULNDB_SUMMARY_MAX 600        /* bytes of "summary" in match results */

enum stmt_id {
	ST_VULN_INSERT,
	ST_VULN_FIND,
	ST_VULN_DELETE,
	ST_CPE_DELETE,
	ST_CPE_INSERT,
	ST_MATCH,
	ST_GROUPS,
	ST_VULN_GET,
	ST_SUMMARY_GET,
	ST__MAX
};

struct gb_vulndb {
	sqlite3 *sql;
	char *path;
	bool writable;
	sqlite3_stmt *st[ST__MAX];
	json_t *osv_map, *appl; /* compiled-in tables, parsed on first use */
	char err[512];
};

/* Set db->err (printf-style) and return `code` (a negative -GB_E*). */
int gb__vulndb_fail(struct gb_vulndb *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The prepared statement `id` (created on first use). NULL with db->err set. */
sqlite3_stmt *gb__vulndb_stmt(struct gb_vulndb *db, enum stmt_id id);
int gb__vulndb_exec(struct gb_vulndb *db, const char *sql);

/* ---- CPE 2.3 formatted strings ---- */
struct gb_cpe {
	char part[4];
	char vendor[128], product[128];
	char version[96], update[64];
};
/* Parse "cpe:2.3:a:vendor:product:version:update:..." (backslash escapes
 * honoured and removed; vendor and product lowercased). 0 or -GB_EINVAL. */
int gb__cpe_parse(const char *s, struct gb_cpe *ret);

/* ---- one record as it goes into the database ---- */
struct gb_vrow {
	/* the configuration structure: a row belongs to group `grp` of
	 * configuration `config`; a configuration matches when every one of its
	 * `ngroups` groups has a matching row (an AND of ORs) */
	int config, grp, ngroups;
	bool vulnerable;
	const char *criteria; /* the CPE string as given (NULL for OSV: built) */
	struct gb_cpe cpe;
	const char *vs, *ve;  /* range bounds or NULL */
	bool vs_incl, ve_incl;
};

struct gb_vrec {
	const char *id, *source, *published, *modified, *status, *summary;
	double score;         /* < 0: none */
	const char *cvss_version, *vector, *severity;
	struct gb_vrow *rows;
	size_t n_rows, cap_rows;
};

/* Store one record (replacing a previous one with the same id and source);
 * adds to stats. 0 or a negative -GB_E*. */
int gb__vulndb_put(struct gb_vulndb *db, struct gb_vrec *rec, struct gb_vulndb_import_stats *stats);
/* Delete the record id/source if present (a rejected CVE). */
int gb__vulndb_drop(struct gb_vulndb *db, const char *id, const char *source);
/* Log a finished import of `file` (imports table, meta last_import). */
int gb__vulndb_log_import(struct gb_vulndb *db, const char *file, const struct gb_vulndb_import_stats *s);
/* The full description of record `id` (malloc'd) or NULL. */
char *gb__vulndb_summary(struct gb_vulndb *db, const char *id);
/* Is part:vendor:product a platform firmware does not run (Windows, macOS...)? */
bool gb__foreign_platform(struct gb_vulndb *db, const char *part, const char *vendor, const char *product);
/* Append a row to rec (NULL on ENOMEM). */
struct gb_vrow *gb__vrec_row(struct gb_vrec *rec);
void gb__vrec_reset(struct gb_vrec *rec);

/* Record handlers of the importer (nvd_import.c, osv_import.c). Each returns
 * 0 (stored or skipped: stats say which) or a negative -GB_E*. */
int gb__import_nvd2(struct gb_vulndb *db, json_t *cve, struct gb_vulndb_import_stats *stats);
int gb__import_nvd11(struct gb_vulndb *db, json_t *item, struct gb_vulndb_import_stats *stats);
int gb__import_osv(struct gb_vulndb *db, json_t *rec, struct gb_vulndb_import_stats *stats);
/* Add "N reason" style notes to stats->notes (deduplicated, bounded). */
void gb__import_note(struct gb_vulndb_import_stats *stats, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* CVSS 3.x base score from a vector ("CVSS:3.1/AV:N/..."); -1 if unparsable. */
double gb__cvss3_score(const char *vector);
/* "critical".."none" for a CVSS 3/4 score, CVSS 2 ranges for version "2.0". */
const char *gb__cvss_severity(double score, const char *version);

/* Version matching of one row (docs/vulndb.md). */
bool gb__row_matches(const char *version, const char *crit_version, const char *crit_update, const char *vs,
		     bool vs_incl, const char *ve, bool ve_incl);

/* Applicability tables (data/vuln-applicability.json). */
struct gb_comp_facts;
int gb__vulndb_applicability(struct gb_vulndb *db, const struct gb_comp_facts *facts, json_t *vulns);

#endif
