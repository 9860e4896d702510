/* The vulnerability database: a SQLite file (schema below, rules in
 * docs/vulndb.md).
 *
 *   meta(key, value)                 schema version, created, last_import
 *   vulns(vid, id, source, ...)      one row per record (id + source unique):
 *                                    summary, CVSS score/version/vector, severity
 *   cpes(vid, seq, config, grp, ngroups, vulnerable, part, vendor, product,
 *        version, upd, vs, vs_incl, ve, ve_incl, criteria)
 *                                    one row per CPE match of a record's
 *                                    configurations, clustered by vid (WITHOUT
 *                                    ROWID) so a record's rows are replaced
 *                                    cheaply; indexed on (vendor, product,
 *                                    vulnerable) for matching
 *   imports(file, format, records, cpe_rows, skipped, at)
 *
 * A configuration is an AND of groups, a group an OR of CPE matches (NVD
 * API 2.0 configurations, NVD 1.1 nodes and OSV ranges are all flattened to
 * that). A component matches a record when a vulnerable row of its
 * vendor:product contains its version; when that row's configuration has
 * other groups (an AND: "running on" platforms, companion products) the match
 * is reported as conditional with the CPEs it requires.
 *
 * Scans open the file read-only and immutable (file:PATH?mode=ro&immutable=1)
 * so that SQLite creates no journal, -wal or -shm file and takes no lock: the
 * scan's sandbox only lets it read. An import running at the same time is not
 * seen consistently; do not scan while importing into the same file. */
#include <glassbox/sys/span.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glassbox/errors.h>

#include "store/store.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS vulns(vid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL,"
	" published TEXT, modified TEXT, status TEXT, summary TEXT, score REAL, cvss_version TEXT,"
	" vector TEXT, severity TEXT, UNIQUE(id, source));"
	"CREATE TABLE IF NOT EXISTS cpes(vid INTEGER NOT NULL, seq INTEGER NOT NULL, config INTEGER NOT NULL,"
	" grp INTEGER NOT NULL, ngroups INTEGER NOT NULL, vulnerable INTEGER NOT NULL, part TEXT,"
	" vendor TEXT NOT NULL, product TEXT NOT NULL, version TEXT, upd TEXT, vs TEXT, vs_incl INTEGER,"
	" ve TEXT, ve_incl INTEGER, criteria TEXT, PRIMARY KEY(vid, seq)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS cpes_product ON cpes(vendor, product, vulnerable);"
	"CREATE TABLE IF NOT EXISTS imports(file TEXT, format TEXT, records INTEGER, cpe_rows INTEGER,"
	" skipped INTEGER, at TEXT);";

static const char *const stmt_sql[ST__MAX] = {
	[ST_VULN_INSERT] = "INSERT INTO vulns(id, source, published, modified, status, summary, score, cvss_version,"
			   " vector, severity) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
			   " ON CONFLICT(id, source) DO UPDATE SET published = ?3, modified = ?4, status = ?5,"
			   " summary = ?6, score = ?7, cvss_version = ?8, vector = ?9, severity = ?10"
			   " RETURNING vid",
	[ST_VULN_FIND] = "SELECT vid FROM vulns WHERE id = ?1 AND source = ?2",
	[ST_VULN_DELETE] = "DELETE FROM vulns WHERE vid = ?1",
	[ST_CPE_DELETE] = "DELETE FROM cpes WHERE vid = ?1",
	[ST_CPE_INSERT] = "INSERT INTO cpes(vid, seq, config, grp, ngroups, vulnerable, part, vendor, product, version,"
			  " upd, vs, vs_incl, ve, ve_incl, criteria)"
			  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[ST_MATCH] = "SELECT vid, config, grp, ngroups, part, version, upd, vs, vs_incl, ve, ve_incl, criteria"
		     " FROM cpes WHERE vendor = ?1 AND product = ?2 AND vulnerable = 1",
	[ST_GROUPS] = "SELECT vulnerable, criteria, part, vendor, product, grp FROM cpes"
		      " WHERE vid = ?1 AND config = ?2 AND grp <> ?3 ORDER BY grp, seq LIMIT 256",
	[ST_VULN_GET] = "SELECT id, source, published, summary, score, cvss_version, vector, severity"
			" FROM vulns WHERE vid = ?1",
	[ST_SUMMARY_GET] = "SELECT summary FROM vulns WHERE id = ?1 ORDER BY source = 'nvd' DESC LIMIT 1",
};

int gb__vulndb_fail(struct gb_vulndb *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
	return code;
}

/* Why the last gb_vulndb_open*() of this thread failed. */
static _Thread_local char open_err[512];

const char *gb_vulndb_error(const struct gb_vulndb *db)
{
	return db ? db->err : open_err;
}

sqlite3_stmt *gb__vulndb_stmt(struct gb_vulndb *db, enum stmt_id id)
{
	if (db->st[id]) {
		sqlite3_reset(db->st[id]);
		sqlite3_clear_bindings(db->st[id]);
		return db->st[id];
	}
	if (sqlite3_prepare_v3(db->sql, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &db->st[id], NULL) != SQLITE_OK) {
		gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
		return NULL;
	}
	return db->st[id];
}

int gb__vulndb_exec(struct gb_vulndb *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->sql));
		sqlite3_free(msg);
		return -GB_EIO;
	}
	return 0;
}

void gb_vulndb_close(struct gb_vulndb *db)
{
	if (!db)
		return;
	for (int i = 0; i < ST__MAX; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close(db->sql);
	json_decref(db->osv_map);
	json_decref(db->appl);
	free(db->path);
	free(db);
}

/* "file:" URI of a path: %-escape what URIs reserve. */
static char *file_uri(const char *path)
{
	size_t n = strlen(path);
	char *u = malloc(3 * n + 40);
	if (!u)
		return NULL;
	size_t k = (size_t)sprintf(u, "file:");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f)
			k += (size_t)sprintf(u + k, "%%%02X", c);
		else
			u[k++] = (char)c;
	}
	strcpy(u + k, "?mode=ro&immutable=1");
	return u;
}

static int meta_get(struct gb_vulndb *db, const char *key, char *buf, size_t cap)
{
	sqlite3_stmt *st;
	buf[0] = '\0';
	if (sqlite3_prepare_v2(db->sql, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return -GB_ENOTFOUND;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int r = -GB_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		snprintf(buf, cap, "%s", v ? (const char *)v : "");
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

static int meta_set(struct gb_vulndb *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->sql, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &st, NULL) !=
	    SQLITE_OK)
		return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	return 0;
}

static void now_iso(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Is the open file a glassbox database of the schema we know? */
static int check_schema(struct gb_vulndb *db)
{
	char v[32];
	if (meta_get(db, "schema", v, sizeof(v)) < 0)
		return gb__vulndb_fail(db, -GB_ECORRUPT, "%s: not a glassbox vulnerability database", db->path);
	if (atoi(v) != GB_VULNDB_SCHEMA)
		return gb__vulndb_fail(db, -GB_ECORRUPT, "%s: schema version %s, this glassbox knows %d", db->path, v,
				       GB_VULNDB_SCHEMA);
	return 0;
}

static int create_schema(struct gb_vulndb *db)
{
	sqlite3_stmt *st;
	int tables = 0;
	if (sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", -1, &st, NULL) !=
	    SQLITE_OK) {
		int code = sqlite3_errcode(db->sql) == SQLITE_NOTADB ? -GB_ECORRUPT : -GB_EIO;
		return gb__vulndb_fail(db, code, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (tables > 0)
		return check_schema(db);
	int r = gb__vulndb_exec(db, "BEGIN");
	if (r == 0)
		r = gb__vulndb_exec(db, schema_sql);
	char num[16], now[32];
	snprintf(num, sizeof(num), "%d", GB_VULNDB_SCHEMA);
	now_iso(now, sizeof(now));
	if (r == 0)
		r = meta_set(db, "schema", num);
	if (r == 0)
		r = meta_set(db, "created", now);
	if (r == 0)
		return gb__vulndb_exec(db, "COMMIT");
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int gb_vulndb_open_flags(const char *path, int flags, struct gb_vulndb **ret)
{
	struct gb_vulndb *db;
	struct stat sb;
	int r;

	if (!path || !ret || (flags != GB_VULNDB_READONLY && flags != GB_VULNDB_CREATE))
		return -GB_EINVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -GB_ENOMEM;
	db->path = strdup(path);
	if (!db->path) {
		free(db);
		return -GB_ENOMEM;
	}
	db->writable = flags == GB_VULNDB_CREATE;
	if (db->writable) {
		if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
			r = gb__vulndb_fail(db, -GB_EIO, "%s: %s", path,
					    db->sql ? sqlite3_errmsg(db->sql) : "cannot open");
			goto fail;
		}
		sqlite3_busy_timeout(db->sql, 10000);
		/* a rollback journal, no WAL: one file, nothing left beside it. No
		 * fsync per batch (an import is repeatable; a failed one rolls back
		 * its batch): the importer's last commit is a synchronous one. */
		r = gb__vulndb_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF;"
					"PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY");
		if (r == 0)
			r = create_schema(db);
	} else {
		if (stat(path, &sb) < 0) {
			r = gb__vulndb_fail(db, errno == ENOENT ? -GB_ENOTFOUND : -GB_EIO, "%s: %s", path, strerror(errno));
			goto fail;
		}
		char *uri = file_uri(path);
		if (!uri) {
			r = -GB_ENOMEM;
			goto fail;
		}
		int rc = sqlite3_open_v2(uri, &db->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
		free(uri);
		if (rc != SQLITE_OK) {
			r = gb__vulndb_fail(db, -GB_EIO, "%s: %s", path, db->sql ? sqlite3_errmsg(db->sql) : "cannot open");
			goto fail;
		}
		r = check_schema(db);
	}
	if (r < 0)
		goto fail;
	*ret = db;
	return 0;
fail:
	snprintf(open_err, sizeof(open_err), "%s", db->err[0] ? db->err : gb_strerror(r));
	gb_vulndb_close(db);
	return r;
}

int gb_vulndb_open(const char *path, struct gb_vulndb **ret)
{
	return gb_vulndb_open_flags(path, GB_VULNDB_READONLY, ret);
}

/* ---- writing records ---- */

struct gb_vrow *gb__vrec_row(struct gb_vrec *rec)
{
	if (rec->n_rows == rec->cap_rows) {
		size_t cap = rec->cap_rows ? rec->cap_rows * 2 : 16;
		struct gb_vrow *rows = realloc(rec->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		rec->rows = rows;
		rec->cap_rows = cap;
	}
	struct gb_vrow *r = &rec->rows[rec->n_rows++];
	memset(r, 0, sizeof(*r));
	return r;
}

void gb__vrec_reset(struct gb_vrec *rec)
{
	free(rec->rows);
	memset(rec, 0, sizeof(*rec));
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int gb__vulndb_put(struct gb_vulndb *db, struct gb_vrec *rec, struct gb_vulndb_import_stats *stats)
{
	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_VULN_INSERT);
	if (!st)
		return -GB_EIO;
	bind_text(st, 1, rec->id);
	bind_text(st, 2, rec->source);
	bind_text(st, 3, rec->published);
	bind_text(st, 4, rec->modified);
	bind_text(st, 5, rec->status);
	bind_text(st, 6, rec->summary);
	if (rec->score >= 0)
		sqlite3_bind_double(st, 7, rec->score);
	bind_text(st, 8, rec->cvss_version);
	bind_text(st, 9, rec->vector);
	bind_text(st, 10, rec->severity ? rec->severity : "unknown");
	if (sqlite3_step(st) != SQLITE_ROW)
		return gb__vulndb_fail(db, -GB_EIO, "%s: storing %s: %s", db->path, rec->id, sqlite3_errmsg(db->sql));
	sqlite3_int64 vid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	st = gb__vulndb_stmt(db, ST_CPE_DELETE);
	if (!st)
		return -GB_EIO;
	sqlite3_bind_int64(st, 1, vid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));

	for (size_t i = 0; i < rec->n_rows; i++) {
		const struct gb_vrow *r = &rec->rows[i];
		st = gb__vulndb_stmt(db, ST_CPE_INSERT);
		if (!st)
			return -GB_EIO;
		sqlite3_bind_int64(st, 1, vid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int(st, 3, r->config);
		sqlite3_bind_int(st, 4, r->grp);
		sqlite3_bind_int(st, 5, r->ngroups);
		sqlite3_bind_int(st, 6, r->vulnerable);
		bind_text(st, 7, r->cpe.part);
		bind_text(st, 8, r->cpe.vendor);
		bind_text(st, 9, r->cpe.product);
		bind_text(st, 10, r->cpe.version[0] ? r->cpe.version : NULL);
		bind_text(st, 11, r->cpe.update[0] ? r->cpe.update : NULL);
		bind_text(st, 12, r->vs);
		sqlite3_bind_int(st, 13, r->vs_incl);
		bind_text(st, 14, r->ve);
		sqlite3_bind_int(st, 15, r->ve_incl);
		bind_text(st, 16, r->criteria);
		if (sqlite3_step(st) != SQLITE_DONE)
			return gb__vulndb_fail(db, -GB_EIO, "%s: storing %s: %s", db->path, rec->id,
					       sqlite3_errmsg(db->sql));
	}
	stats->records++;
	stats->cpe_rows += rec->n_rows;
	return 0;
}

int gb__vulndb_drop(struct gb_vulndb *db, const char *id, const char *source)
{
	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_VULN_FIND);
	if (!st)
		return -GB_EIO;
	bind_text(st, 1, id);
	bind_text(st, 2, source);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	sqlite3_int64 vid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	enum stmt_id ids[2] = {ST_CPE_DELETE, ST_VULN_DELETE};
	for (int i = 0; i < 2; i++) {
		st = gb__vulndb_stmt(db, ids[i]);
		if (!st)
			return -GB_EIO;
		sqlite3_bind_int64(st, 1, vid);
		if (sqlite3_step(st) != SQLITE_DONE)
			return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	}
	return 0;
}

/* Called by the importer when a file is done (in its last transaction). */
int gb__vulndb_log_import(struct gb_vulndb *db, const char *file, const struct gb_vulndb_import_stats *s)
{
	char now[32];
	sqlite3_stmt *st;
	now_iso(now, sizeof(now));
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO imports(file, format, records, cpe_rows, skipped, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	bind_text(st, 1, file);
	bind_text(st, 2, s->format);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)s->records);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)s->cpe_rows);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)s->skipped);
	bind_text(st, 6, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	return meta_set(db, "last_import", now);
}

/* ---- matching ---- */

struct hit {
	sqlite3_int64 vid;
	int config, grp, ngroups;
	char *criteria;
	char *range;     /* human text of the range that matched */
	char *fixed_in;  /* versionEndExcluding */
};

static char *xstrdup(const unsigned char *s)
{
	return strdup(s ? (const char *)s : "");
}

static char *range_text(const unsigned char *ver, const unsigned char *upd, const unsigned char *vs, int vs_incl,
			const unsigned char *ve, int ve_incl)
{
	char buf[256];
	if (vs || ve) {
		int k = 0;
		if (vs)
			k = snprintf(buf, sizeof(buf), "%s %s", vs_incl ? ">=" : ">", vs);
		if (ve)
			snprintf(buf + k, sizeof(buf) - (size_t)k, "%s%s %s", k ? ", " : "", ve_incl ? "<=" : "<", ve);
	} else if (!ver || !*ver || strcmp((const char *)ver, "*") == 0) {
		snprintf(buf, sizeof(buf), "all versions");
	} else {
		snprintf(buf, sizeof(buf), "= %s%s%s", ver, upd && *upd && strcmp((const char *)upd, "*") ? " " : "",
			 upd && *upd && strcmp((const char *)upd, "*") ? (const char *)upd : "");
	}
	return strdup(buf);
}

static void hit_free(struct hit *h)
{
	free(h->criteria);
	free(h->range);
	free(h->fixed_in);
}

/* "requires": the CPEs of the configuration's other groups. *foreign is set
 * when one of those groups holds only platforms that network firmware does
 * not run (data/vuln-applicability.json): the AND cannot be satisfied. */
static json_t *requires_of(struct gb_vulndb *db, const struct hit *h, bool *foreign)
{
	json_t *arr = json_array();
	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_GROUPS);
	int grp = -1;
	bool grp_foreign = false;
	size_t n = 0;

	*foreign = false;
	if (!arr || !st)
		return arr;
	sqlite3_bind_int64(st, 1, h->vid);
	sqlite3_bind_int(st, 2, h->config);
	sqlite3_bind_int(st, 3, h->grp);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int g = sqlite3_column_int(st, 5);
		const char *crit = (const char *)sqlite3_column_text(st, 1);
		if (g != grp) {
			*foreign |= grp >= 0 && grp_foreign;
			grp = g;
			grp_foreign = true;
		}
		if (n++ < 20 && crit)
			json_array_append_new(arr, json_string(crit));
		grp_foreign &= gb__foreign_platform(db, (const char *)sqlite3_column_text(st, 2),
						    (const char *)sqlite3_column_text(st, 3),
						    (const char *)sqlite3_column_text(st, 4));
	}
	*foreign |= grp >= 0 && grp_foreign;
	sqlite3_reset(st);
	return arr;
}

static json_t *vuln_json(struct gb_vulndb *db, const struct hit *h, const char *vendor, const char *product,
			 const char *version)
{
	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_VULN_GET);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, h->vid);
	if (sqlite3_step(st) != SQLITE_ROW)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	const char *id = (const char *)sqlite3_column_text(st, 0);
	json_object_set_new(o, "id", json_string(id ? id : ""));
	json_object_set_new(o, "source", json_string((const char *)sqlite3_column_text(st, 1)));
	const char *pub = (const char *)sqlite3_column_text(st, 2);
	if (pub)
		json_object_set_new(o, "published", json_string(pub));
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		const char *ver = (const char *)sqlite3_column_text(st, 5);
		const char *vec = (const char *)sqlite3_column_text(st, 6);
		json_object_set_new(o, "cvss",
				    json_pack("{s:f, s:s, s:s}", "score", sqlite3_column_double(st, 4), "version",
					      ver ? ver : "", "vector", vec ? vec : ""));
	} else {
		json_object_set_new(o, "cvss", json_null());
	}
	const char *sev = (const char *)sqlite3_column_text(st, 7);
	json_object_set_new(o, "severity", json_string(sev ? sev : "unknown"));
	/* the first paragraph, bounded: descriptions of kernel CVEs run long */
	const char *sum = (const char *)sqlite3_column_text(st, 3);
	if (sum) {
		size_t n = strcspn(sum, "\n");
		if (n == 0 || n > GB_VULNDB_SUMMARY_MAX)
			n = strnlen(sum, GB_VULNDB_SUMMARY_MAX);
		while (n > 0 && n < strlen(sum) && (sum[n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		char *s = strndup(sum, n);
		json_object_set_new(o, "summary", s ? json_string(s) : json_string(""));
		free(s);
	}
	if (h->fixed_in)
		json_object_set_new(o, "fixed_in", json_string(h->fixed_in));
	json_object_set_new(o, "match", json_pack("{s:s, s:s}", "cpe", h->criteria ? h->criteria : "", "range",
						   h->range ? h->range : ""));
	json_object_set_new(o, "applicable", json_true());
	char reason[512];
	snprintf(reason, sizeof(reason), "%s:%s %s is in %s (%s)", vendor, product, version, h->range ? h->range : "",
		 h->criteria ? h->criteria : "");
	if (h->ngroups > 1) {
		bool foreign;
		json_t *req = requires_of(db, h, &foreign);
		json_object_set_new(o, "conditional", json_true());
		char first[200] = "";
		if (json_array_size(req))
			snprintf(first, sizeof(first), "%s", json_string_value(json_array_get(req, 0)));
		json_object_set_new(o, "requires", req);
		if (foreign) {
			json_object_set_new(o, "applicable", json_false());
			snprintf(reason, sizeof(reason),
				 "the configuration needs platform %s%s, which firmware of this kind does not run", first,
				 json_array_size(req) > 1 ? " (or another listed platform)" : "");
		} else {
			size_t k = strlen(reason);
			snprintf(reason + k, sizeof(reason) - k, "; only together with %s%s", first,
				 json_array_size(req) > 1 ? " and the other CPEs in \"requires\"" : "");
		}
	}
	json_object_set_new(o, "reason", json_string(reason));
	sqlite3_reset(st);
	return o;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->vid != y->vid)
		return x->vid < y->vid ? -1 : 1;
	/* an unconditional match first */
	return (x->ngroups > 1) - (y->ngroups > 1);
}

static int id_cmp(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
	int c = strcmp(x ? x : "", y ? y : "");
	if (c)
		return c;
	/* the NVD record first when OSV has the same id */
	const char *sx = json_string_value(json_object_get(*(json_t *const *)a, "source"));
	const char *sy = json_string_value(json_object_get(*(json_t *const *)b, "source"));
	return (strcmp(sx ? sx : "", "nvd") != 0) - (strcmp(sy ? sy : "", "nvd") != 0);
}

int gb_vulndb_match(struct gb_vulndb *db, const char *part, const char *vendor, const char *product,
		    const char *version, json_t **ret_array)
{
	struct hit *hits = NULL;
	size_t n = 0, cap = 0;
	char v[128], p[128];
	int r = 0;

	if (!db || !vendor || !product || !ret_array)
		return -GB_EINVAL;
	snprintf(v, sizeof(v), "%s", vendor);
	snprintf(p, sizeof(p), "%s", product);
	for (char *c = v; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	for (char *c = p; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);

	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_MATCH);
	if (!st)
		return -GB_EIO;
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *rpart = sqlite3_column_text(st, 4);
		if (part && *part && strcmp(part, "*") && rpart && *rpart && strcmp((const char *)rpart, part) != 0)
			continue;
		const unsigned char *ver = sqlite3_column_text(st, 5), *upd = sqlite3_column_text(st, 6);
		const unsigned char *vs = sqlite3_column_text(st, 7), *ve = sqlite3_column_text(st, 9);
		int vs_incl = sqlite3_column_int(st, 8), ve_incl = sqlite3_column_int(st, 10);
		if (!gb__row_matches(version, (const char *)ver, (const char *)upd, (const char *)vs, vs_incl,
				     (const char *)ve, ve_incl))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct hit *nh = realloc(hits, nc * sizeof(*nh));
			if (!nh) {
				r = -GB_ENOMEM;
				break;
			}
			hits = nh;
			cap = nc;
		}
		struct hit *h = &hits[n++];
		memset(h, 0, sizeof(*h));
		h->vid = sqlite3_column_int64(st, 0);
		h->config = sqlite3_column_int(st, 1);
		h->grp = sqlite3_column_int(st, 2);
		h->ngroups = sqlite3_column_int(st, 3);
		h->criteria = xstrdup(sqlite3_column_text(st, 11));
		h->range = range_text(ver, upd, vs, vs_incl, ve, ve_incl);
		if (ve && !ve_incl)
			h->fixed_in = xstrdup(ve);
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = gb__vulndb_fail(db, -GB_EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_reset(st);

	json_t *arr = json_array();
	if (!arr)
		r = -GB_ENOMEM;
	if (r == 0 && n) {
		gb_qsort(hits, n, sizeof(*hits), hit_cmp);
		json_t **items = calloc(n, sizeof(*items));
		size_t ni = 0;
		if (!items)
			r = -GB_ENOMEM;
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (i && hits[i].vid == hits[i - 1].vid)
				continue; /* the first (unconditional) match of a record */
			json_t *o = vuln_json(db, &hits[i], v, p, version);
			if (o)
				items[ni++] = o;
		}
		if (items) {
			gb_qsort(items, ni, sizeof(*items), id_cmp);
			for (size_t i = 0; i < ni; i++) {
				const char *id = json_string_value(json_object_get(items[i], "id"));
				const char *prev = i ? json_string_value(json_object_get(items[i - 1], "id")) : NULL;
				if (prev && id && strcmp(prev, id) == 0)
					json_decref(items[i]); /* the same id from another source */
				else
					json_array_append_new(arr, items[i]);
			}
		}
		free(items);
	}
	for (size_t i = 0; i < n; i++)
		hit_free(&hits[i]);
	free(hits);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret_array = arr;
	return 0;
}

/* The whole description of a record (for the applicability rules). */
char *gb__vulndb_summary(struct gb_vulndb *db, const char *id)
{
	sqlite3_stmt *st = gb__vulndb_stmt(db, ST_SUMMARY_GET);
	char *s = NULL;
	if (!st || !id)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		s = xstrdup(sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return s;
}

/* Declared by the components analyzer (lib/analyze/components.h), which
 * calls it through a weak reference: defined here, beside gb_vulndb_match(),
 * so that linking the one links the other. */
int gb_vulndb_refine(struct gb_vulndb *db, const struct gb_comp_facts *facts, json_t *vulns);
int gb_vulndb_refine(struct gb_vulndb *db, const struct gb_comp_facts *facts, json_t *vulns)
{
	if (!db || !facts || !vulns)
		return -GB_EINVAL;
	return gb__vulndb_applicability(db, facts, vulns);
}

/* ---- stats ---- */

static json_int_t count_of(struct gb_vulndb *db, const char *sql)
{
	sqlite3_stmt *st;
	json_int_t n = -1;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int gb_vulndb_stats(struct gb_vulndb *db, json_t **ret)
{
	char buf[64];
	sqlite3_stmt *st;
	if (!db || !ret)
		return -GB_EINVAL;
	json_t *o = json_object(), *by = json_object(), *imports = json_array();
	if (!o || !by || !imports) {
		json_decref(o);
		json_decref(by);
		json_decref(imports);
		return -GB_ENOMEM;
	}
	json_object_set_new(o, "path", json_string(db->path));
	meta_get(db, "schema", buf, sizeof(buf));
	json_object_set_new(o, "schema", json_integer(atoi(buf)));
	json_object_set_new(o, "records", json_integer(count_of(db, "SELECT count(*) FROM vulns")));
	if (sqlite3_prepare_v2(db->sql, "SELECT source, count(*) FROM vulns GROUP BY source ORDER BY source", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(by, (const char *)sqlite3_column_text(st, 0),
					    json_integer(sqlite3_column_int64(st, 1)));
		sqlite3_finalize(st);
	}
	json_object_set_new(o, "records_by_source", by);
	json_object_set_new(o, "cpe_rows", json_integer(count_of(db, "SELECT count(*) FROM cpes")));
	json_object_set_new(o, "products",
			    json_integer(count_of(db, "SELECT count(*) FROM (SELECT DISTINCT vendor, product FROM cpes"
						      " WHERE vulnerable = 1)")));
	json_object_set_new(o, "last_import",
			    meta_get(db, "last_import", buf, sizeof(buf)) == 0 ? json_string(buf) : json_null());
	if (sqlite3_prepare_v2(db->sql,
			       "SELECT file, format, records, cpe_rows, skipped, at FROM imports ORDER BY rowid DESC LIMIT 20",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *f = (const char *)sqlite3_column_text(st, 0);
			const char *fmt = (const char *)sqlite3_column_text(st, 1);
			const char *at = (const char *)sqlite3_column_text(st, 5);
			json_array_append_new(imports,
					      json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "file", f ? f : "", "format",
							fmt ? fmt : "", "records", (json_int_t)sqlite3_column_int64(st, 2),
							"cpe_rows", (json_int_t)sqlite3_column_int64(st, 3), "skipped",
							(json_int_t)sqlite3_column_int64(st, 4), "at", at ? at : ""));
		}
		sqlite3_finalize(st);
	}
	json_object_set_new(o, "imports", imports);
	*ret = o;
	return 0;
}
