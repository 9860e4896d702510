/* Importing vulnerability feeds: a streaming JSON splitter that hands one
 * record at a time to the NVD (nvd_records.c) or OSV (osv_import.c) reader.
 *
 * The full NVD is over 300,000 records and several GB of JSON, so no file is
 * ever loaded whole. A small scanner that knows strings, escapes and nesting
 * (nothing else) walks the bytes as they are read (zlib's gzread: gzip'd or
 * plain) and finds the boundaries of one record at a time; jansson parses
 * just that record (json_loadb) and it is stored; members no reader uses
 * (references above all) are cut out of the bytes first. Accepted shapes:
 *
 *   {"vulnerabilities": [{"cve": {...}}, ...], ...}  NVD API 2.0 response and
 *                                                    the 2.0 yearly feeds
 *   {"id": "CVE-...", "configurations": [...], ...}  one API 2.0 CVE record
 *   {"CVE_Items": [{"cve": ..., "configurations":    NVD 1.1 JSON feed
 *      {"nodes": [...]}, "impact": ...}, ...], ...}
 *   {"id": ..., "affected": [...], ...}              one OSV record
 *   [record, record, ...], {"vulns": [...]}          arrays of any of these
 *
 * and several such values one after another (JSON lines). Members of a
 * top-level object other than those arrays are kept (bounded) so that a
 * single record can be reassembled. A record is at most 64 MiB
 * (GB_VULNDB_MAX_RECORD). Records are inserted with prepared statements in
 * transactions of GB_VULNDB_BATCH records; a failure rolls back only the
 * batch in progress. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/errors.h>

#include "store/store.h"

#define CHUNK (1u << 20)
#define NO_MARK ((size_t)-1)
#define RD_EOF (-1000)

struct reader {
	gzFile gz;
	const uint8_t *mem;  /* buffer input */
	size_t mem_len, mem_pos;
	z_stream zs;         /* buffer input that is gzip'd */
	bool zmem, zdone;
	uint8_t *buf;
	size_t len, pos, cap, mark;
	uint64_t base;       /* stream offset of buf[0] */
	bool eof;
};

struct importer {
	struct gb_vulndb *db;
	struct reader *rd;
	const char *name;
	struct gb_vulndb_import_stats *stats;
	uint64_t n_record;   /* records seen (for messages) */
	size_t in_txn;
	bool txn;
};

/* ---- reading ---- */

static int rd_read(struct reader *rd, uint8_t *dst, size_t cap, size_t *got)
{
	*got = 0;
	if (rd->gz) {
		int n = gzread(rd->gz, dst, (unsigned)cap);
		if (n < 0)
			return -GB_EIO;
		*got = (size_t)n;
		return 0;
	}
	if (!rd->zmem) {
		size_t n = rd->mem_len - rd->mem_pos < cap ? rd->mem_len - rd->mem_pos : cap;
		memcpy(dst, rd->mem + rd->mem_pos, n);
		rd->mem_pos += n;
		*got = n;
		return 0;
	}
	if (rd->zdone)
		return 0;
	rd->zs.next_out = dst;
	rd->zs.avail_out = (uInt)cap;
	while (rd->zs.avail_out == cap) {
		int zr = inflate(&rd->zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* another gzip member may follow */
			if (rd->zs.avail_in >= 2 && rd->zs.next_in[0] == 0x1f && rd->zs.next_in[1] == 0x8b) {
				inflateReset(&rd->zs);
				continue;
			}
			rd->zdone = true;
			break;
		}
		if (zr == Z_BUF_ERROR && rd->zs.avail_in == 0)
			return -GB_ETRUNC;
		if (zr != Z_OK)
			return -GB_ECORRUPT;
	}
	*got = cap - rd->zs.avail_out;
	return 0;
}

/* Read more bytes, keeping everything from the mark (or from pos). Returns
 * the number of bytes added, 0 at the end, or a negative -GB_E*. */
static int rd_fill(struct reader *rd)
{
	if (rd->eof)
		return 0;
	size_t keep = rd->mark != NO_MARK ? rd->mark : rd->pos;
	if (keep > 0) {
		memmove(rd->buf, rd->buf + keep, rd->len - keep);
		rd->len -= keep;
		rd->pos -= keep;
		rd->base += keep;
		if (rd->mark != NO_MARK)
			rd->mark = 0;
	}
	if (rd->len > GB_VULNDB_MAX_RECORD)
		return -GB_ELIMIT;
	if (rd->cap - rd->len < CHUNK) {
		size_t cap = rd->cap ? rd->cap * 2 : 4 * CHUNK;
		while (cap - rd->len < CHUNK)
			cap *= 2;
		uint8_t *b = realloc(rd->buf, cap);
		if (!b)
			return -GB_ENOMEM;
		rd->buf = b;
		rd->cap = cap;
	}
	size_t got;
	int r = rd_read(rd, rd->buf + rd->len, CHUNK, &got);
	if (r < 0)
		return r;
	if (got == 0)
		rd->eof = true;
	rd->len += got;
	return (int)got;
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next byte that is not white space (not consumed), RD_EOF, or -GB_E*. */
static int rd_peek(struct reader *rd)
{
	for (;;) {
		while (rd->pos < rd->len && is_ws(rd->buf[rd->pos]))
			rd->pos++;
		if (rd->pos < rd->len)
			return rd->buf[rd->pos];
		int r = rd_fill(rd);
		if (r < 0)
			return r;
		if (r == 0)
			return RD_EOF;
	}
}

/* Advance pos past the JSON value starting at pos. Only strings, escapes
 * and nesting are understood; jansson validates the record afterwards. */
static int rd_skip_value(struct reader *rd)
{
	size_t depth = 0;
	bool str = false, esc = false, scalar = false, started = false;
	for (;;) {
		if (rd->pos >= rd->len) {
			int r = rd_fill(rd);
			if (r < 0)
				return r;
			if (r == 0)
				return scalar ? 0 : -GB_ETRUNC;
		}
		const uint8_t *b = rd->buf;
		size_t i = rd->pos, n = rd->len;
		for (; i < n; i++) {
			uint8_t c = b[i];
			if (str) {
				if (esc) {
					esc = false;
					continue;
				}
				/* the common case: plain string bytes */
				while (i < n && b[i] != '"' && b[i] != '\\')
					i++;
				if (i == n)
					break;
				if (b[i] == '\\') {
					esc = true;
					continue;
				}
				str = false;
				if (depth == 0) {
					rd->pos = i + 1;
					return 0;
				}
				continue;
			}
			if (!started) {
				started = true;
				if (c == '"') {
					str = true;
					continue;
				}
				if (c == '{' || c == '[') {
					depth = 1;
					continue;
				}
				if (c == ',' || c == '}' || c == ']' || c == ':')
					return -GB_ECORRUPT;
				scalar = true;
				continue;
			}
			if (scalar) {
				if (c == ',' || c == '}' || c == ']' || c == ':' || is_ws(c)) {
					rd->pos = i;
					return 0;
				}
				continue;
			}
			if (c == '"')
				str = true;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0) {
				rd->pos = i + 1;
				return 0;
			}
		}
		rd->pos = i;
		if (rd->mark != NO_MARK && rd->pos - rd->mark > GB_VULNDB_MAX_RECORD)
			return -GB_ELIMIT;
	}
}

/* ---- notes and stats ---- */

void gb__import_note(struct gb_vulndb_import_stats *stats, const char *fmt, ...)
{
	char note[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	if (strstr(stats->notes, note))
		return;
	size_t k = strlen(stats->notes);
	if (k + strlen(note) + 3 >= sizeof(stats->notes))
		return;
	snprintf(stats->notes + k, sizeof(stats->notes) - k, "%s%s", k ? "; " : "", note);
}

static void set_format(struct gb_vulndb_import_stats *stats, const char *fmt)
{
	if (!stats->format[0])
		snprintf(stats->format, sizeof(stats->format), "%s", fmt);
	else if (strcmp(stats->format, fmt) != 0)
		snprintf(stats->format, sizeof(stats->format), "mixed");
}

/* ---- records ---- */

static int txn_step(struct importer *im)
{
	struct gb_vulndb *db = im->db;
	if (!im->txn) {
		int r = gb__vulndb_exec(db, "BEGIN");
		if (r < 0)
			return r;
		im->txn = true;
	}
	if (++im->in_txn >= GB_VULNDB_BATCH) {
		int r = gb__vulndb_exec(db, "COMMIT");
		if (r < 0)
			return r;
		im->txn = false;
		im->in_txn = 0;
	}
	return 0;
}

/* ---- members no reader uses ---- */

/* The index of the '"' that closes the string whose contents start at p[i],
 * or n. */
static size_t string_end(const uint8_t *p, size_t i, size_t n)
{
	for (;;) {
		const uint8_t *q = memchr(p + i, '"', n - i);
		if (!q)
			return n;
		size_t e = (size_t)(q - p), bs = 0;
		while (e - bs > i && p[e - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return e;
		i = e + 1;
		if (i >= n)
			return n;
	}
}

/* The end of the JSON value at p[v] (index after it), or 0 when it is not
 * well nested within n bytes. */
static size_t value_end(const uint8_t *p, size_t v, size_t n)
{
	uint8_t stack[64];
	size_t depth = 0;
	if (v >= n)
		return 0;
	if (p[v] != '{' && p[v] != '[' && p[v] != '"') {
		while (v < n && p[v] != ',' && p[v] != '}' && p[v] != ']' && !is_ws(p[v]))
			v++;
		return v;
	}
	for (size_t i = v; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"') {
			i = string_end(p, i + 1, n);
			if (i >= n)
				return 0;
			if (depth == 0)
				return i + 1;
		} else if (c == '{' || c == '[') {
			if (depth == sizeof(stack))
				return 0;
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
				return 0;
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

static bool key_is(const uint8_t *k, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(k, name, n) == 0;
}

/* Cut out the members of the record's top two object levels that no reader
 * uses, before jansson builds them: an NVD record's "references" are often
 * more than half its bytes, and the 2026 records carry a CNA "affected" block
 * that matching ignores (only cut from NVD records: OSV's "affected" is its
 * data). Returns the new length. Stops at anything not well nested and
 * leaves the rest for jansson to report. */
static size_t strip_unused(uint8_t *p, size_t n)
{
	uint8_t stack[64];
	bool nvd[4] = {false, false, false, false};
	size_t depth = 0, i = 0;

	while (i < n) {
		uint8_t c = p[i];
		if (c == '{' || c == '[') {
			if (depth == sizeof(stack))
				return n;
			stack[depth++] = c;
			if (depth < 4)
				nvd[depth] = false;
			i++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
				return n;
			depth--;
			i++;
			continue;
		}
		if (c != '"') {
			i++;
			continue;
		}
		size_t j = string_end(p, i + 1, n);
		if (j >= n)
			return n;
		size_t k = j + 1;
		while (k < n && is_ws(p[k]))
			k++;
		if (depth == 0 || depth > 2 || stack[depth - 1] != '{' || k >= n || p[k] != ':') {
			i = j + 1;
			continue;
		}
		const uint8_t *key = p + i + 1;
		size_t kn = j - i - 1;
		if (key_is(key, kn, "sourceIdentifier") || key_is(key, kn, "vulnStatus"))
			nvd[depth] = true;
		bool drop = key_is(key, kn, "references") || key_is(key, kn, "weaknesses") ||
			    key_is(key, kn, "vendorComments") || key_is(key, kn, "credits") ||
			    (key_is(key, kn, "affected") && nvd[depth]);
		size_t v = k + 1;
		while (v < n && is_ws(p[v]))
			v++;
		size_t e = value_end(p, v, n);
		if (!e)
			return n;
		if (!drop) {
			i = j + 1; /* the value is walked normally (nesting tracked) */
			continue;
		}
		size_t end = e, start = i;
		while (end < n && is_ws(p[end]))
			end++;
		if (end < n && p[end] == ',') {
			end++;
		} else {
			end = e;
			size_t b = start;
			while (b > 0 && is_ws(p[b - 1]))
				b--;
			if (b > 0 && p[b - 1] == ',')
				start = b - 1;
		}
		memmove(p + start, p + end, n - end);
		n -= end - start;
		i = start;
	}
	return n;
}

/* One record's bytes: parse, recognise, store. */
static int process_record(struct importer *im, uint8_t *p, size_t n, uint64_t off)
{
	json_error_t err;
	struct gb_vulndb_import_stats *stats = im->stats;
	int r = 0;

	im->n_record++;
	n = strip_unused(p, n);
	json_t *o = json_loadb((const char *)p, n, JSON_DECODE_ANY, &err);
	if (!o)
		return gb__vulndb_fail(im->db, -GB_ECORRUPT, "%s: record %llu at byte %llu: %s (line %d, column %d)",
				       im->name, (unsigned long long)im->n_record,
				       (unsigned long long)(off + (err.position > 0 ? (uint64_t)err.position : 0)),
				       err.text, err.line, err.column);
	if (!json_is_object(o)) {
		stats->skipped++;
		gb__import_note(stats, "array elements that are not objects were skipped");
		json_decref(o);
		return 0;
	}
	r = txn_step(im);
	if (r < 0)
		goto out;
	json_t *cve = json_object_get(o, "cve");
	if (json_is_object(cve) && json_object_get(cve, "CVE_data_meta")) {
		set_format(stats, "nvd-1.1");
		r = gb__import_nvd11(im->db, o, stats);
	} else if (json_is_object(cve)) {
		set_format(stats, "nvd-2.0");
		r = gb__import_nvd2(im->db, cve, stats);
	} else if (json_object_get(o, "id") &&
		   (json_object_get(o, "descriptions") || json_object_get(o, "vulnStatus") ||
		    json_object_get(o, "sourceIdentifier"))) {
		set_format(stats, "nvd-2.0");
		r = gb__import_nvd2(im->db, o, stats);
	} else if (json_object_get(o, "id") && (json_object_get(o, "affected") || json_object_get(o, "schema_version") ||
						json_object_get(o, "modified"))) {
		set_format(stats, "osv");
		r = gb__import_osv(im->db, o, stats);
	} else {
		stats->skipped++;
		gb__import_note(stats, "objects that are neither NVD nor OSV records were skipped");
	}
out:
	json_decref(o);
	return r;
}

static int corrupt(struct importer *im, const char *what)
{
	return gb__vulndb_fail(im->db, -GB_ECORRUPT, "%s: %s at byte %llu", im->name, what,
			       (unsigned long long)(im->rd->base + im->rd->pos));
}

/* An error of the scanner, with where. */
static int scan_error(struct importer *im, int r)
{
	if (r == -GB_ETRUNC)
		return corrupt(im, "the file ends inside a JSON value (truncated)");
	if (r == -GB_ECORRUPT)
		return corrupt(im, "malformed JSON");
	if (r == -GB_ELIMIT)
		return gb__vulndb_fail(im->db, r, "%s: a record at byte %llu is larger than %u MiB", im->name,
				       (unsigned long long)(im->rd->base + (im->rd->mark != NO_MARK ? im->rd->mark : 0)),
				       GB_VULNDB_MAX_RECORD >> 20);
	if (r == -GB_EIO)
		return gb__vulndb_fail(im->db, r, "%s: read error (or gzip data is corrupt)", im->name);
	return gb__vulndb_fail(im->db, r, "%s: %s", im->name, gb_strerror(r));
}

/* The elements of an array whose '[' was consumed: one record each. */
static int stream_array(struct importer *im)
{
	struct reader *rd = im->rd;
	bool first = true;
	for (;;) {
		int c = rd_peek(rd);
		if (c == RD_EOF)
			return corrupt(im, "the file ends inside an array (truncated)");
		if (c < 0)
			return scan_error(im, c);
		if (c == ']') {
			rd->pos++;
			return 0;
		}
		if (!first) {
			if (c != ',')
				return corrupt(im, "expected ',' or ']' between records");
			rd->pos++;
			c = rd_peek(rd);
			if (c == RD_EOF)
				return corrupt(im, "the file ends inside an array (truncated)");
			if (c < 0)
				return scan_error(im, c);
		}
		first = false;
		rd->mark = rd->pos;
		int r = rd_skip_value(rd);
		if (r < 0)
			return scan_error(im, r);
		r = process_record(im, rd->buf + rd->mark, rd->pos - rd->mark, rd->base + rd->mark);
		rd->mark = NO_MARK;
		if (r < 0)
			return r;
	}
}

struct capture {
	char *p;
	size_t n, cap;
};

static int cap_add(struct capture *c, const void *p, size_t n)
{
	if (c->n + n + 2 > GB_VULNDB_MAX_RECORD)
		return -GB_ELIMIT;
	if (c->n + n + 2 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->n + n + 2)
			cap *= 2;
		char *q = realloc(c->p, cap);
		if (!q)
			return -GB_ENOMEM;
		c->p = q;
		c->cap = cap;
	}
	memcpy(c->p + c->n, p, n);
	c->n += n;
	return 0;
}

static bool is_record_list(const uint8_t *key, size_t n)
{
	static const char *const keys[] = {"\"vulnerabilities\"", "\"CVE_Items\"", "\"vulns\""};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], key, n) == 0)
			return true;
	return false;
}

/* A top-level object whose '{' was consumed: stream its record lists, or
 * reassemble it as one record when it has none. */
static int top_object(struct importer *im)
{
	struct reader *rd = im->rd;
	struct capture cap = {0};
	bool first = true, lists = false;
	uint64_t start = rd->base + rd->pos - 1;
	int r = cap_add(&cap, "{", 1);

	while (r == 0) {
		int c = rd_peek(rd);
		if (c == '}') {
			rd->pos++;
			break;
		}
		if (!first && c == ',') {
			rd->pos++;
			c = rd_peek(rd);
		} else if (!first && c >= 0) {
			r = corrupt(im, "expected ',' or '}'");
			break;
		}
		first = false;
		if (c == RD_EOF || c < 0) {
			r = c == RD_EOF ? corrupt(im, "the file ends inside an object (truncated)") : scan_error(im, c);
			break;
		}
		if (c != '"') {
			r = corrupt(im, "expected a member name");
			break;
		}
		/* the name: copied now, the buffer moves on the next read */
		rd->mark = rd->pos;
		r = rd_skip_value(rd);
		if (r < 0) {
			r = scan_error(im, r);
			break;
		}
		size_t kn = rd->pos - rd->mark;
		bool list_key = is_record_list(rd->buf + rd->mark, kn);
		if (!lists) {
			r = cap_add(&cap, ",", cap.n > 1);
			if (r == 0)
				r = cap_add(&cap, rd->buf + rd->mark, kn);
		}
		rd->mark = NO_MARK;
		c = r < 0 ? r : rd_peek(rd);
		if (c != ':') {
			r = c < 0 && c != RD_EOF ? scan_error(im, c) : corrupt(im, "expected ':'");
			break;
		}
		rd->pos++;
		c = rd_peek(rd);
		if (c < 0) {
			r = c == RD_EOF ? corrupt(im, "the file ends inside an object (truncated)") : scan_error(im, c);
			break;
		}
		if (list_key && c == '[') {
			rd->pos++;
			lists = true;
			r = stream_array(im);
			continue;
		}
		/* any other member: kept while this may still be one record */
		rd->mark = rd->pos;
		r = rd_skip_value(rd);
		if (r < 0)
			r = scan_error(im, r);
		if (r == 0 && !lists) {
			r = cap_add(&cap, ":", 1);
			if (r == 0)
				r = cap_add(&cap, rd->buf + rd->mark, rd->pos - rd->mark);
		}
		rd->mark = NO_MARK;
	}
	if (r == 0 && !lists)
		r = cap_add(&cap, "}", 1);
	if (r == -GB_ELIMIT && !im->db->err[0])
		r = gb__vulndb_fail(im->db, r, "%s: the object at byte %llu is larger than %u MiB", im->name,
				    (unsigned long long)start, GB_VULNDB_MAX_RECORD >> 20);
	else if (r == -GB_ENOMEM)
		r = gb__vulndb_fail(im->db, r, "%s: out of memory", im->name);
	if (r == 0 && !lists)
		r = process_record(im, (uint8_t *)cap.p, cap.n, start); /* one record, reassembled */
	free(cap.p);
	return r;
}

static int import_stream(struct importer *im)
{
	struct reader *rd = im->rd;
	bool any = false;
	for (;;) {
		int c = rd_peek(rd);
		if (c == RD_EOF) {
			if (!any)
				return gb__vulndb_fail(im->db, -GB_ECORRUPT, "%s: empty file", im->name);
			return 0;
		}
		if (c < 0)
			return scan_error(im, c);
		int r;
		if (c == '[') {
			rd->pos++;
			r = stream_array(im);
		} else if (c == '{') {
			rd->pos++;
			r = top_object(im);
		} else {
			return corrupt(im, any ? "data after the JSON value" : "not JSON (expected '{' or '[')");
		}
		if (r < 0)
			return r;
		any = true;
	}
}

static int run_import(struct gb_vulndb *db, struct reader *rd, const char *name, struct gb_vulndb_import_stats *stats)
{
	struct importer im = {.db = db, .rd = rd, .name = name, .stats = stats};
	int r;

	memset(stats, 0, sizeof(*stats));
	db->err[0] = '\0';
	if (!db->writable)
		return gb__vulndb_fail(db, -GB_EINVAL, "%s: the database is open read-only", db->path);
	rd->mark = NO_MARK;
	r = import_stream(&im);
	stats->bytes = rd->base + rd->len;
	if (r == 0 && im.txn) {
		r = gb__vulndb_exec(db, "COMMIT");
		im.txn = r < 0;
	}
	/* the log entry in a last, synchronous transaction: once it is on disk,
	 * so is everything before it (fdatasync covers the whole file) */
	if (r == 0)
		r = gb__vulndb_exec(db, "PRAGMA synchronous = FULL");
	if (r == 0) {
		r = gb__vulndb_exec(db, "BEGIN");
		im.txn = r == 0;
	}
	if (r == 0)
		r = gb__vulndb_log_import(db, name, stats);
	if (r == 0) {
		r = gb__vulndb_exec(db, "COMMIT");
		im.txn = r < 0;
	}
	if (im.txn)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db->sql, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	return r;
}

int gb_vulndb_import_file(struct gb_vulndb *db, const char *path, struct gb_vulndb_import_stats *stats)
{
	struct reader rd = {0};
	if (!db || !path || !stats)
		return -GB_EINVAL;
	rd.gz = gzopen(path, "rb");
	if (!rd.gz)
		return gb__vulndb_fail(db, -GB_EIO, "%s: cannot open: %s", path, strerror(errno));
	gzbuffer(rd.gz, 256 * 1024);
	int r = run_import(db, &rd, path, stats);
	gzclose(rd.gz);
	free(rd.buf);
	return r;
}

int gb_vulndb_import_buffer(struct gb_vulndb *db, const void *buf, size_t len, const char *name,
			    struct gb_vulndb_import_stats *stats)
{
	struct reader rd = {0};
	if (!db || (!buf && len) || !stats)
		return -GB_EINVAL;
	rd.mem = buf;
	rd.mem_len = len;
	if (len >= 2 && rd.mem[0] == 0x1f && rd.mem[1] == 0x8b) {
		rd.zmem = true;
		if (inflateInit2(&rd.zs, 16 + MAX_WBITS) != Z_OK)
			return -GB_ENOMEM;
		rd.zs.next_in = (Bytef *)(uintptr_t)buf;
		rd.zs.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	}
	int r = run_import(db, &rd, name ? name : "buffer", stats);
	if (rd.zmem)
		inflateEnd(&rd.zs);
	free(rd.buf);
	return r;
}
