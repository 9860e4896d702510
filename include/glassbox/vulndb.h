/* glassbox vulnerability database: known vulnerabilities (NVD API 2.0 and
 * 1.1 JSON, OSV JSON) imported into a local SQLite file, and matched against
 * a component's CPE vendor:product and version (docs/vulndb.md has the
 * matching rules, the version ordering and the schema).
 *
 * The scan opens the database read-only and immutable (no journal, no lock
 * file: the scan's sandbox allows only reading it); `glassbox vulndb import`
 * opens it read-write. One handle is used by one thread at a time. */
#ifndef GLASSBOX_VULNDB_H
#define GLASSBOX_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include <glassbox/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;
struct gb_vulndb;

enum {
	GB_VULNDB_READONLY = 0, /* file:PATH?mode=ro&immutable=1: nothing is ever written */
	GB_VULNDB_CREATE = 1,   /* read-write; the file and its schema are created when missing */
};

/* Open the database at `path` with GB_VULNDB_READONLY or GB_VULNDB_CREATE.
 * Returns 0 and *ret (free with gb_vulndb_close()), or -GB_ENOTFOUND (no
 * such file, read-only), -GB_EIO (not an SQLite file, unwritable),
 * -GB_ECORRUPT (not a glassbox database or an unknown schema version),
 * -GB_ENOMEM. */
GB_API int gb_vulndb_open_flags(const char *path, int flags, struct gb_vulndb **ret);
/* gb_vulndb_open_flags(path, GB_VULNDB_READONLY, ret): what a scan uses. */
GB_API int gb_vulndb_open(const char *path, struct gb_vulndb **ret);
/* Accepts NULL. */
GB_API void gb_vulndb_close(struct gb_vulndb *db);
/* The message of the last failure on this handle ("" if none); borrowed.
 * With NULL: why the last gb_vulndb_open*() of this thread failed. */
GB_API const char *gb_vulndb_error(const struct gb_vulndb *db);

/* The vulnerabilities whose configurations match the component
 * part:vendor:product at `version` (part "a", "o" or "h"; NULL or "" = any
 * part). *ret_array is a new JSON array (possibly empty) of objects:
 *   {"id", "source" ("nvd" | "osv"), "cvss": {"score", "version", "vector"}
 *    or null, "severity" ("critical", "high", "medium", "low", "none",
 *    "unknown"), "summary", "published", "fixed_in" (only when a matching
 *    range ends with versionEndExcluding / OSV "fixed"), "match" (the CPE
 *    criteria and range that matched), "applicable": true, "reason" (why it
 *    matched; gb_vulndb_refine() replaces it when not applicable),
 *    "conditional" + "requires" (only for AND configurations: the other
 *    CPEs the configuration needs)}
 * sorted by id, one entry per id. Returns 0 or -GB_ENOMEM / -GB_EIO. */
GB_API int gb_vulndb_match(struct gb_vulndb *db, const char *part, const char *vendor, const char *product,
			   const char *version, struct json_t **ret_array);

/* What one import did. */
struct gb_vulndb_import_stats {
	uint64_t records;  /* vulnerability records stored (new or replaced) */
	uint64_t cpe_rows; /* CPE match rows stored */
	uint64_t skipped;  /* records not stored (rejected, no id, nothing mappable...) */
	uint64_t unmapped; /* OSV affected[] entries without a vendor:product mapping */
	uint64_t bytes;    /* JSON bytes read (after gunzip) */
	char format[32];   /* "nvd-2.0", "nvd-1.1", "osv", "mixed" or "" */
	char notes[512];   /* why records were skipped, e.g. "12 rejected; OSV Debian:12/openssl unmapped" */
};

/* Import one file: NVD API 2.0 (one CVE record, an API response or a yearly
 * feed), an NVD 1.1 feed (CVE_Items) or OSV (one record, an array, or
 * {"vulns": [...]}), gzip'd or not. The JSON is streamed one record at a time
 * and inserted in batched transactions; a record already present (same id
 * and source) is replaced. Returns 0 and fills *stats, or -GB_EIO (unreadable
 * file or database write failure), -GB_ECORRUPT (not JSON, malformed record,
 * truncated file: gb_vulndb_error() says where; records of earlier batches
 * stay imported), -GB_ELIMIT (a record over 64 MiB), -GB_ENOMEM. */
GB_API int gb_vulndb_import_file(struct gb_vulndb *db, const char *path, struct gb_vulndb_import_stats *stats);
/* The same on a buffer (gzip'd or not); `name` is for messages. */
GB_API int gb_vulndb_import_buffer(struct gb_vulndb *db, const void *buf, size_t len, const char *name,
				   struct gb_vulndb_import_stats *stats);

/* What the database holds: {"path", "schema", "records", "records_by_source"
 * {source: n}, "cpe_rows", "products", "last_import", "imports": [{"file",
 * "format", "records", "cpe_rows", "skipped", "at"}]}. Returns 0 and a new
 * object, or -GB_EIO / -GB_ENOMEM. */
GB_API int gb_vulndb_stats(struct gb_vulndb *db, struct json_t **ret);

/* Version ordering used by matching (docs/vulndb.md): <0, 0, >0 like strcmp.
 * Numeric parts compare as numbers (1.10 > 1.9), missing trailing zeros are
 * equal (5.10 == 5.10.0), letter suffixes are post-releases ordered as
 * base-26 numbers (1.0.2 < 1.0.2a < 1.0.2z < 1.0.2za < 1.0.2zf), "p1" is a
 * post-release (8.4 < 8.4p1 < 9.0p1), alpha/beta/pre/rc/dev are
 * pre-releases (5.10-rc1 < 5.10, 1.1.1-pre9 < 1.1.1). */
GB_API int gb_version_cmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
