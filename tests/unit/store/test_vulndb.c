/* The vulnerability database (lib/store): import of real NVD API 2.0
 * records (tests/data/nvd/, from ../shared/vulnfeed and the NVD mirror
 * fkie-cad/nvd-json-data-feeds: tests/data/SOURCES.md), the same records in
 * the NVD 1.1 feed layout (tests/data/nvd11/), curl's own OSV records
 * (tests/data/osv/), gzip, stats, applicability, and hostile input.
 *
 * The expected matches are the NVD configurations as published, read by hand
 * (and, for the versions ../shared/vulnfeed/expected.json covers, equal to
 * that independent matcher's lists), never glassbox's own earlier output. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <glassbox/vulndb.h>

#include "analyze/components.h"

static char *data_path(const char *rel)
{
	const char *root = getenv("GB_SOURCE_ROOT");
	char *p = NULL;
	assert_true(asprintf(&p, "%s/tests/data/%s", root ? root : "../..", rel) > 0);
	return p;
}

static struct gb_vulndb *fresh_db(void)
{
	struct gb_vulndb *db = NULL;
	unlink("v.sqlite");
	assert_int_equal(gb_vulndb_open_flags("v.sqlite", GB_VULNDB_CREATE, &db), 0);
	return db;
}

static void import(struct gb_vulndb *db, const char *rel, struct gb_vulndb_import_stats *st)
{
	char *p = data_path(rel);
	int r = gb_vulndb_import_file(db, p, st);
	if (r < 0)
		fail_msg("import %s: %s", p, gb_vulndb_error(db));
	free(p);
}

static const char *const nvd_files[] = {
	"nvd/CVE-2018-1000500.json", "nvd/CVE-2019-5747.json",  "nvd/CVE-2021-28831.json", "nvd/CVE-2021-36369.json",
	"nvd/CVE-2021-42374.json",   "nvd/CVE-2021-42378.json", "nvd/CVE-2022-28391.json", "nvd/CVE-2022-30065.json",
	"nvd/CVE-2023-28450.json",   "nvd/CVE-2023-3817.json",  "nvd/CVE-2023-38408.json", "nvd/CVE-2023-45853.json",
	"nvd/CVE-2023-48795.json",   "nvd/CVE-2024-1086.json",  "nvd/CVE-2024-26925.json", "nvd/CVE-2025-47203.json",
	"nvd/CVE-2026-28388.json",   "nvd/CVE-2026-31790.json",
};
#define N_NVD (sizeof(nvd_files) / sizeof(nvd_files[0]))

static struct gb_vulndb *db_with_all(void)
{
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	for (size_t i = 0; i < N_NVD; i++) {
		import(db, nvd_files[i], &st);
		assert_int_equal(st.records, 1);
		assert_string_equal(st.format, "nvd-2.0");
	}
	return db;
}

/* The matched ids, comma-separated (sorted by the database). */
static char *ids(struct gb_vulndb *db, const char *part, const char *vp, const char *version)
{
	char vendor[128];
	const char *colon = strchr(vp, ':');
	snprintf(vendor, sizeof(vendor), "%.*s", (int)(colon - vp), vp);
	json_t *arr = NULL;
	assert_int_equal(gb_vulndb_match(db, part, vendor, colon + 1, version, &arr), 0);
	static char buf[2048];
	size_t k = 0, i;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(arr, i, v)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", k ? "," : "",
				      json_string_value(json_object_get(v, "id")));
	json_decref(arr);
	return buf;
}

/* The match object for one id, or NULL (caller decrefs). */
static json_t *one(struct gb_vulndb *db, const char *part, const char *vendor, const char *product,
		   const char *version, const char *id)
{
	json_t *arr = NULL, *found = NULL, *v;
	size_t i;
	assert_int_equal(gb_vulndb_match(db, part, vendor, product, version, &arr), 0);
	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			found = json_incref(v);
	json_decref(arr);
	return found;
}

#define IDS(db, part, vp, ver, want) assert_string_equal(ids(db, part, vp, ver), want)

static void test_ranges_each_bound(void **state)
{
	struct gb_vulndb *db = db_with_all();

	/* versionEndIncluding: CVE-2022-28391 busybox <= 1.35.0, CVE-2019-5747 <= 1.30.0;
	 * exact: CVE-2022-30065 busybox 1.35.0; start and end including: CVE-2021-28831
	 * 1.32.0..1.32.1, CVE-2021-42374 1.27.0..1.33.1, CVE-2021-42378 1.16.0..1.33.1;
	 * end excluding: CVE-2018-1000500 < 1.32.0 */
	IDS(db, "a", "busybox:busybox", "1.35.0", "CVE-2022-28391,CVE-2022-30065");
	IDS(db, "a", "busybox:busybox", "1.35.1", "");
	IDS(db, "a", "busybox:busybox", "1.30.0", "CVE-2018-1000500,CVE-2019-5747,CVE-2021-42374,CVE-2021-42378,CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.30.1", "CVE-2018-1000500,CVE-2021-42374,CVE-2021-42378,CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.32.0", "CVE-2021-28831,CVE-2021-42374,CVE-2021-42378,CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.31.1", "CVE-2018-1000500,CVE-2021-42374,CVE-2021-42378,CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.33.1", "CVE-2021-42374,CVE-2021-42378,CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.34.0", "CVE-2022-28391");
	IDS(db, "a", "busybox:busybox", "1.26.2", "CVE-2018-1000500,CVE-2019-5747,CVE-2021-42378,CVE-2022-28391");
	/* versionEndExcluding with fixed_in: dnsmasq < 2.90 */
	IDS(db, "a", "thekelleys:dnsmasq", "2.89", "CVE-2023-28450");
	IDS(db, "a", "thekelleys:dnsmasq", "2.90", "");
	json_t *v = one(db, "a", "thekelleys", "dnsmasq", "2.85", "CVE-2023-28450");
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "fixed_in")), "2.90");
	assert_true(json_is_true(json_object_get(v, "applicable")));
	assert_string_equal(json_string_value(json_object_get(v, "source")), "nvd");
	assert_non_null(json_object_get(v, "cvss"));
	assert_non_null(json_string_value(json_object_get(v, "summary")));
	json_decref(v);
	/* versionStartIncluding + versionEndExcluding: openssl 3.0.0 <= v < 3.0.20 */
	IDS(db, "a", "openssl:openssl", "3.0.0", "CVE-2023-3817,CVE-2026-28388,CVE-2026-31790"); /* 3817: < 3.0.10 */
	IDS(db, "a", "openssl:openssl", "3.0.19", "CVE-2026-28388,CVE-2026-31790");
	IDS(db, "a", "openssl:openssl", "3.0.20", "");
	IDS(db, "a", "openssl:openssl", "2.9.9", "");
	/* dropbear <= 2020.81 and Terrapin's < 2022.83 */
	IDS(db, "a", "dropbear_ssh_project:dropbear_ssh", "2020.81", "CVE-2021-36369,CVE-2023-48795");
	IDS(db, "a", "dropbear_ssh_project:dropbear_ssh", "2022.83", "");
	/* zlib < 1.3.1 */
	IDS(db, "a", "zlib:zlib", "1.2.13", "CVE-2023-45853");
	IDS(db, "a", "zlib:zlib", "1.3.1", "");
	/* a record without configurations never matches */
	IDS(db, "a", "dropbear_ssh_project:dropbear_ssh", "2020.79", "CVE-2021-36369,CVE-2023-48795");
	/* the part is checked; vendor and product case does not matter */
	IDS(db, "o", "busybox:busybox", "1.35.0", "");
	IDS(db, NULL, "BusyBox:BusyBox", "1.35.0", "CVE-2022-28391,CVE-2022-30065");
	gb_vulndb_close(db);
}

static void test_start_excluding(void **state)
{
	/* no real record of the feed uses versionStartExcluding: CVE-2023-28450's
	 * configuration with the key renamed (a derived record, said here) */
	char *p = data_path("nvd/CVE-2023-28450.json");
	size_t n;
	char *text = gbt_read_file(p, &n);
	text[n] = '\0'; /* gbt_read_file leaves room for it */
	free(p);
	char *k = strstr(text, "\"versionEndExcluding\": \"2.90\"");
	assert_non_null(k);
	char *out = NULL;
	assert_true(asprintf(&out, "%.*s\"versionStartExcluding\": \"2.80\", %s", (int)(k - text), text, k) > 0);
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	assert_int_equal(gb_vulndb_import_buffer(db, out, strlen(out), "derived", &st), 0);
	IDS(db, "a", "thekelleys:dnsmasq", "2.80", "");
	IDS(db, "a", "thekelleys:dnsmasq", "2.81", "CVE-2023-28450");
	IDS(db, "a", "thekelleys:dnsmasq", "2.90", "");
	gb_vulndb_close(db);
	free(out);
	free(text);
}

static void test_letter_releases(void **state)
{
	struct gb_vulndb *db = db_with_all();
	/* CVE-2023-3817 lists 1.0.2:-, 1.0.2:beta1..3, 1.0.2a..zh, 1.1.1:-,
	 * 1.1.1:pre1..9 and 1.1.1a..u exactly; CVE-2026-28388 has the ranges
	 * 1.0.2 <= v < 1.0.2zp and 1.1.1 <= v < 1.1.1zg */
	IDS(db, "a", "openssl:openssl", "1.0.2k", "CVE-2023-3817,CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.0.2zh", "CVE-2023-3817,CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.0.2zi", "CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.0.2zo", "CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.0.2zp", "");
	IDS(db, "a", "openssl:openssl", "1.0.2", "CVE-2023-3817,CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.0.2-beta2", "CVE-2023-3817");
	IDS(db, "a", "openssl:openssl", "1.1.1", "CVE-2023-3817,CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.1.1-pre9", "CVE-2023-3817");
	IDS(db, "a", "openssl:openssl", "1.1.1u", "CVE-2023-3817,CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.1.1w", "CVE-2026-28388"); /* "1.1.1:-" is not every 1.1.1x */
	IDS(db, "a", "openssl:openssl", "1.1.1zf", "CVE-2026-28388");
	IDS(db, "a", "openssl:openssl", "1.1.1zg", "");
	/* OpenSSH: < 9.3, 9.3:-, 9.3:p1 (CVE-2023-38408), < 9.6 (Terrapin) */
	IDS(db, "a", "openbsd:openssh", "9.2p1", "CVE-2023-38408,CVE-2023-48795");
	IDS(db, "a", "openbsd:openssh", "9.3", "CVE-2023-38408,CVE-2023-48795");
	IDS(db, "a", "openbsd:openssh", "9.3p1", "CVE-2023-38408,CVE-2023-48795");
	IDS(db, "a", "openbsd:openssh", "9.3p2", "CVE-2023-48795");
	IDS(db, "a", "openbsd:openssh", "9.6p1", "");
	/* kernel: 6.1 <= v < 6.1.76 and the exact 6.8:rc1 (CVE-2024-1086) */
	IDS(db, "o", "linux:linux_kernel", "6.1.75", "CVE-2024-1086");
	IDS(db, "o", "linux:linux_kernel", "6.1.76", "");
	IDS(db, "o", "linux:linux_kernel", "6.8-rc1", "CVE-2024-1086");
	IDS(db, "o", "linux:linux_kernel", "6.8", "");
	gb_vulndb_close(db);
}

static void test_and_configurations(void **state)
{
	struct gb_vulndb *db = db_with_all();
	/* CVE-2022-30065: SCALANCE SC622-2C firmware < 3.0 AND the hardware
	 * (vulnerable: false): the firmware matches, conditionally */
	json_t *v = one(db, "o", "siemens", "scalance_sc622-2c_firmware", "2.3", "CVE-2022-30065");
	assert_non_null(v);
	assert_true(json_is_true(json_object_get(v, "conditional")));
	assert_true(json_is_true(json_object_get(v, "applicable")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "requires"), 0)),
			    "cpe:2.3:h:siemens:scalance_sc622-2c:-:*:*:*:*:*:*:*");
	json_decref(v);
	IDS(db, "o", "siemens:scalance_sc622-2c_firmware", "3.0", "");
	/* the platform itself (vulnerable: false) is never a hit */
	IDS(db, "h", "siemens:scalance_sc622-2c", "1.0", "");
	IDS(db, "o", "apple:macos", "15.0", ""); /* macOS 14.0 <= v < 14.4 is itself vulnerable */
	/* Terrapin: Transmit 5 < 5.10.4 only on macOS: not a platform firmware runs */
	v = one(db, "a", "panic", "transmit_5", "5.10.3", "CVE-2023-48795");
	assert_non_null(v);
	assert_true(json_is_true(json_object_get(v, "conditional")));
	assert_true(json_is_false(json_object_get(v, "applicable")));
	assert_non_null(strstr(json_string_value(json_object_get(v, "reason")), "apple:macos"));
	json_decref(v);
	IDS(db, "a", "panic:transmit_5", "5.10.4", "");
	/* the components themselves are in OR configurations: unconditional */
	v = one(db, "a", "busybox", "busybox", "1.35.0", "CVE-2022-30065");
	assert_non_null(v);
	assert_null(json_object_get(v, "conditional"));
	json_decref(v);
	/* an escaped product name: erlang\/otp */
	assert_string_not_equal(ids(db, "a", "erlang:erlang/otp", "25.0"), "");
	gb_vulndb_close(db);
}

static void test_nvd11_feed(void **state)
{
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	import(db, "nvd11/nvdcve-1.1-sample.json", &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.cpe_rows, 40); /* every cpe23Uri of the file */
	assert_string_equal(st.format, "nvd-1.1");
	IDS(db, "a", "busybox:busybox", "1.35.0", "CVE-2022-28391,CVE-2022-30065");
	IDS(db, "a", "busybox:busybox", "1.30.1", "CVE-2021-42374,CVE-2022-28391");
	IDS(db, "a", "thekelleys:dnsmasq", "2.89", "CVE-2023-28450");
	IDS(db, "a", "openbsd:openssh", "9.3p1", "CVE-2023-38408");
	IDS(db, "a", "openbsd:openssh", "9.3p2", "");
	json_t *v = one(db, "o", "siemens", "scalance_sc622-2c_firmware", "2.3", "CVE-2022-30065");
	assert_non_null(v);
	assert_true(json_is_true(json_object_get(v, "conditional")));
	json_decref(v);
	v = one(db, NULL, "busybox", "busybox", "1.35.0", "CVE-2022-28391");
	assert_string_equal(json_string_value(json_object_get(v, "severity")), "high");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "cvss"), "version")), "3.1");
	json_decref(v);
	gb_vulndb_close(db);
}

static void test_osv(void **state)
{
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	import(db, "osv/curl.json", &st);
	assert_int_equal(st.records, 2);
	assert_string_equal(st.format, "osv");
	assert_int_equal(st.unmapped, 0);
	/* CURL-CVE-2023-46219: 7.84.0 <= v < 8.5.0; CURL-CVE-2023-38546: 7.9.1 <= v < 8.4.0 */
	IDS(db, "a", "haxx:curl", "7.88.1", "CURL-CVE-2023-38546,CURL-CVE-2023-46219");
	IDS(db, "a", "haxx:curl", "8.4.0", "CURL-CVE-2023-46219");
	IDS(db, "a", "haxx:curl", "7.83.1", "CURL-CVE-2023-38546");
	IDS(db, "a", "haxx:curl", "7.9", "");
	IDS(db, "a", "haxx:curl", "8.5.0", "");
	json_t *v = one(db, "a", "haxx", "curl", "8.0.1", "CURL-CVE-2023-46219");
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "fixed_in")), "8.5.0");
	assert_string_equal(json_string_value(json_object_get(v, "severity")), "low");
	assert_string_equal(json_string_value(json_object_get(v, "source")), "osv");
	json_decref(v);

	/* a distribution package and an unknown one are skipped and counted
	 * (records written here, the shape of OSV's Debian and PyPI records) */
	static const char other[] =
		"[{\"id\": \"DEBIAN-CVE-2022-28391\", \"modified\": \"2025-01-01T00:00:00Z\","
		" \"affected\": [{\"package\": {\"ecosystem\": \"Debian:12\", \"name\": \"busybox\"},"
		" \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1:1.35.0-4+deb12u1\"}]}]}]},"
		" {\"id\": \"PYSEC-0000-1\", \"modified\": \"2025-01-01T00:00:00Z\","
		" \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"requests\"}, \"versions\": [\"2.0\"]}]}]";
	assert_int_equal(gb_vulndb_import_buffer(db, other, sizeof(other) - 1, "other", &st), 0);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.unmapped, 2);
	assert_non_null(strstr(st.notes, "Debian"));
	assert_non_null(strstr(st.notes, "PyPI/requests"));
	IDS(db, "a", "busybox:busybox", "1.35.0", "");
	gb_vulndb_close(db);
}

static void test_shapes_gzip_replace_stats(void **state)
{
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;

	/* an API 2.0 response around two records, gzip'd: as the API and the
	 * yearly 2.0 feeds deliver them */
	char *a = data_path("nvd/CVE-2022-28391.json"), *b = data_path("nvd/CVE-2023-45853.json");
	size_t na, nb;
	char *ta = gbt_read_file(a, &na), *tb = gbt_read_file(b, &nb);
	FILE *f = fopen("resp.json", "w");
	assert_non_null(f);
	fprintf(f,
		"{\"resultsPerPage\": 2, \"startIndex\": 0, \"totalResults\": 2, \"format\": \"NVD_CVE\","
		" \"version\": \"2.0\", \"timestamp\": \"2026-06-17T00:00:00.000\", \"vulnerabilities\": [{\"cve\": %.*s},"
		" {\"cve\": %.*s}]}",
		(int)na, ta, (int)nb, tb);
	fclose(f);
	gbt_sh("gzip -9 -k resp.json");
	assert_int_equal(gb_vulndb_import_file(db, "resp.json.gz", &st), 0);
	assert_int_equal(st.records, 2);
	assert_string_equal(st.format, "nvd-2.0");
	uint64_t rows = st.cpe_rows;
	IDS(db, "a", "zlib:zlib", "1.2.13", "CVE-2023-45853");

	/* the same again, from a gzip'd buffer: replaced, not duplicated */
	size_t nz;
	void *z = gbt_read_file("resp.json.gz", &nz);
	assert_int_equal(gb_vulndb_import_buffer(db, z, nz, "resp.json.gz", &st), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.cpe_rows, rows);
	free(z);

	/* JSON lines: two records one after another */
	f = fopen("lines.json", "w");
	fprintf(f, "%.*s\n%.*s\n", (int)na, ta, (int)nb, tb);
	fclose(f);
	assert_int_equal(gb_vulndb_import_file(db, "lines.json", &st), 0);
	assert_int_equal(st.records, 2);

	json_t *s = NULL;
	assert_int_equal(gb_vulndb_stats(db, &s), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "records")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "records_by_source"), "nvd")), 2);
	assert_int_equal(json_integer_value(json_object_get(s, "cpe_rows")), (json_int_t)rows);
	assert_int_equal(json_array_size(json_object_get(s, "imports")), 3);
	assert_non_null(json_string_value(json_object_get(s, "last_import")));
	assert_int_equal(json_integer_value(json_object_get(s, "schema")), 1);
	json_decref(s);
	gb_vulndb_close(db);
	free(a);
	free(b);
	free(ta);
	free(tb);
}

static void test_readonly(void **state)
{
	struct gb_vulndb *db = NULL;
	struct gb_vulndb_import_stats st;
	assert_int_equal(gb_vulndb_open("missing.sqlite", &db), -GB_ENOTFOUND);
	assert_non_null(strstr(gb_vulndb_error(NULL), "missing.sqlite"));
	gbt_write_file("notdb.sqlite", "this is not a database, just text long enough........", 54);
	assert_true(gb_vulndb_open("notdb.sqlite", &db) < 0);
	assert_true(gb_vulndb_open_flags("notdb.sqlite", GB_VULNDB_CREATE, &db) < 0);

	gbt_sh("mkdir -p ro");
	db = NULL;
	assert_int_equal(gb_vulndb_open_flags("ro/v.sqlite", GB_VULNDB_CREATE, &db), 0);
	import(db, "nvd/CVE-2022-28391.json", &st);
	gb_vulndb_close(db);
	/* a scan's read-only open writes nothing: no journal, -wal or -shm,
	 * even in a directory it may not write */
	gbt_sh("chmod 0555 ro");
	assert_int_equal(gb_vulndb_open("ro/v.sqlite", &db), 0);
	IDS(db, "a", "busybox:busybox", "1.35.0", "CVE-2022-28391");
	assert_int_equal(gb_vulndb_import_buffer(db, "[]", 2, "x", &st), -GB_EINVAL);
	gb_vulndb_close(db);
	gbt_sh("chmod 0755 ro; test \"$(ls ro)\" = v.sqlite");
}

static void expect_corrupt(const char *text, size_t n, const char *what)
{
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	int r = gb_vulndb_import_buffer(db, text, n, "bad.json", &st);
	if (r != -GB_ECORRUPT || !strstr(gb_vulndb_error(db), what))
		fail_msg("%.40s: got %d \"%s\", wanted ECORRUPT with \"%s\"", text, r, gb_vulndb_error(db), what);
	gb_vulndb_close(db);
}

static void test_malformed(void **state)
{
	char *p = data_path("nvd/CVE-2022-30065.json");
	size_t n;
	char *text = gbt_read_file(p, &n);
	free(p);
	expect_corrupt(text, n / 2, "truncated");
	expect_corrupt("", 0, "empty");
	expect_corrupt("hello", 5, "not JSON");
	expect_corrupt("{\"vulnerabilities\": [{\"cve\": {\"id\": }}]}", 40, "record 1");
	expect_corrupt("{\"vulnerabilities\": [{}, ]}", 27, "malformed");
	expect_corrupt("{\"vulnerabilities\": [{} {}]}", 28, "expected ','");
	expect_corrupt("[{\"id\": \"x\"}] trailing", 22, "after the JSON value");
	expect_corrupt("{\"a\" 1}", 7, "expected ':'");
	expect_corrupt("[\"\\", 3, "truncated");
	free(text);

	/* a record over 64 MiB (a gzip bomb of one string): a limit, not a crash */
	size_t big = (65u << 20) + 64, k = 0;
	char *bomb = malloc(big);
	assert_non_null(bomb);
	k += (size_t)sprintf(bomb, "[{\"id\": \"");
	memset(bomb + k, 'a', big - k - 4);
	memcpy(bomb + big - 4, "\"}]\n", 4);
	FILE *f = fopen("bomb.json", "wb");
	assert_int_equal(fwrite(bomb, 1, big, f), big);
	fclose(f);
	free(bomb);
	gbt_sh("gzip -1 bomb.json");
	struct gb_vulndb *bdb = fresh_db();
	struct gb_vulndb_import_stats bst;
	assert_int_equal(gb_vulndb_import_file(bdb, "bomb.json.gz", &bst), -GB_ELIMIT);
	assert_non_null(strstr(gb_vulndb_error(bdb), "64 MiB"));
	gb_vulndb_close(bdb);

	/* well-formed JSON that is no record: skipped, not an error */
	struct gb_vulndb *db = fresh_db();
	struct gb_vulndb_import_stats st;
	assert_int_equal(gb_vulndb_import_buffer(db, "[1, \"x\", {\"a\": 1}, {\"cve\": {}}]", 31, "x", &st), 0);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.skipped, 4);
	/* gzip that is not: a clean error */
	static const unsigned char badgz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff};
	assert_true(gb_vulndb_import_buffer(db, badgz, sizeof(badgz), "bad.gz", &st) < 0);
	assert_int_equal(gb_vulndb_import_file(db, "does-not-exist.json", &st), -GB_EIO);
	gb_vulndb_close(db);
}

static const char *const busybox_applets[] = {"ash", "cat", "ls", "netstat", "sh", "tar", "wget"};
static const char *const kernel_config[] = {"CONFIG_ARM", "CONFIG_NET", "CONFIG_NETFILTER", "CONFIG_SQUASHFS"};

static void test_applicability(void **state)
{
	struct gb_vulndb *db = db_with_all();
	json_t *arr = NULL;

	/* a BusyBox with ash, netstat, tar, wget but no awk and no unlzma */
	struct gb_comp_facts bb = {.name = "BusyBox", .version = "1.30.1", .part = "a", .vendor = "busybox",
				   .product = "busybox", .applets_known = true, .applets = busybox_applets,
				   .n_applets = sizeof(busybox_applets) / sizeof(busybox_applets[0])};
	assert_int_equal(gb_vulndb_match(db, "a", "busybox", "busybox", "1.30.1", &arr), 0);
	assert_int_equal(gb_vulndb_refine(db, &bb, arr), 0);
	size_t i;
	json_t *v;
	int off = 0;
	json_array_foreach(arr, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		bool app = json_is_true(json_object_get(v, "applicable"));
		const char *reason = json_string_value(json_object_get(v, "reason"));
		if (strcmp(id, "CVE-2021-42378") == 0) { /* "Busybox's awk applet" */
			assert_false(app);
			assert_non_null(strstr(reason, "awk"));
			off++;
		} else if (strcmp(id, "CVE-2021-42374") == 0) { /* "unlzma applet" (lzma-capable tar is there) */
			assert_true(app);
		} else if (strcmp(id, "CVE-2018-1000500") == 0) { /* "busybox wget" */
			assert_true(app);
		} else if (strcmp(id, "CVE-2022-28391") == 0) { /* netstat */
			assert_true(app);
		}
	}
	assert_int_equal(off, 1);
	json_decref(arr);

	/* without the applet list nothing changes */
	bb.applets_known = false;
	assert_int_equal(gb_vulndb_match(db, "a", "busybox", "busybox", "1.30.1", &arr), 0);
	assert_int_equal(gb_vulndb_refine(db, &bb, arr), 0);
	json_array_foreach(arr, i, v)
		assert_true(json_is_true(json_object_get(v, "applicable")));
	json_decref(arr);

	/* a kernel whose IKCONFIG has netfilter but not nf_tables: CVE-2024-1086
	 * ("netfilter: nf_tables component") and CVE-2024-26925 (kernel.org
	 * title "netfilter: nf_tables: ...") are not applicable */
	struct gb_comp_facts k = {.name = "Linux", .version = "6.1.75", .part = "o", .vendor = "linux",
				  .product = "linux_kernel", .config_known = true, .config = kernel_config,
				  .n_config = sizeof(kernel_config) / sizeof(kernel_config[0])};
	arr = json_pack("[{s:s, s:b}, {s:s, s:b}]", "id", "CVE-2024-1086", "applicable", 1, "id", "CVE-2024-26925",
			"applicable", 1);
	assert_int_equal(gb_vulndb_refine(db, &k, arr), 0);
	json_array_foreach(arr, i, v)
	{
		assert_true(json_is_false(json_object_get(v, "applicable")));
		assert_non_null(strstr(json_string_value(json_object_get(v, "reason")), "CONFIG_NF_TABLES"));
	}
	json_decref(arr);
	/* with CONFIG_NF_TABLES set (as a module) they stay */
	static const char *const with_nft[] = {"CONFIG_ARM", "CONFIG_NETFILTER", "CONFIG_NF_TABLES"};
	k.config = with_nft;
	k.n_config = 3;
	assert_int_equal(gb_vulndb_match(db, "o", "linux", "linux_kernel", "6.1.75", &arr), 0);
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(gb_vulndb_refine(db, &k, arr), 0);
	assert_true(json_is_true(json_object_get(json_array_get(arr, 0), "applicable")));
	json_decref(arr);
	gb_vulndb_close(db);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, gbt_setup_tmpdir, gbt_teardown_tmpdir)
	const struct CMUnitTest tests[] = {
		T(test_ranges_each_bound), T(test_start_excluding), T(test_letter_releases),
		T(test_and_configurations), T(test_nvd11_feed), T(test_osv),
		T(test_shapes_gzip_replace_stats), T(test_readonly), T(test_malformed),
		T(test_applicability),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
