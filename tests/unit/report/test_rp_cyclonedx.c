/* rp_cyclonedx: the SBOM of a scanned fixture validates against the
 * CycloneDX 1.6 JSON schema (tests/data/schemas, checked with Debian's
 * python3-jsonschema; the schema's two references are resolved locally by
 * their $id), carries what the audit found, and is the same whether written
 * from the live scan, from report.json, or by `glassbox sbom`.
 *
 * The vulnerability database is replaced by the stubs below, so that the
 * vulnerabilities section (ratings, not-applicable analysis) is exercised
 * without a database. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct gb_vulndb {
	int dummy;
};
static struct gb_vulndb stub_db;

int gb_vulndb_open(const char *path, struct gb_vulndb **ret);
void gb_vulndb_close(struct gb_vulndb *db);
int gb_vulndb_match(struct gb_vulndb *db, const char *cpe_part, const char *vendor, const char *product,
		    const char *version, json_t **ret_array);

int gb_vulndb_open(const char *path, struct gb_vulndb **ret)
{
	*ret = &stub_db;
	return 0;
}

void gb_vulndb_close(struct gb_vulndb *db)
{
}

int gb_vulndb_match(struct gb_vulndb *db, const char *cpe_part, const char *vendor, const char *product,
		    const char *version, json_t **ret_array)
{
	json_t *a = json_array();
	if (strcmp(vendor, "openssl") == 0) {
		json_array_append_new(a, json_pack("{s:s, s:{s:f, s:s, s:s}, s:s, s:s, s:s, s:b}", "id", "CVE-2017-3735",
						   "cvss", "score", 5.3, "version", "3.1", "vector",
						   "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "severity", "MEDIUM",
						   "summary", "one-byte overread in IPAddressFamily", "fixed_in", "1.0.2m",
						   "applicable", 1));
		json_array_append_new(a, json_pack("{s:s, s:{s:f, s:s, s:s}, s:s, s:s, s:b, s:s}", "id",
						   "CVE-2016-0000", "cvss", "score", 7.5, "version", "2.0", "vector",
						   "AV:N/AC:L/Au:N/C:P/I:P/A:P", "severity", "HIGH", "summary",
						   "a feature this build lacks", "applicable", 0, "reason",
						   "the vulnerable code is not built in"));
	}
	*ret_array = a;
	return 0;
}

static const char crypto_c[] = "const char banner[] = \"OpenSSL 1.0.2k  26 Jan 2017\";\n"
			       "const char *OpenSSL_version(int t) { return t ? \"x\" : banner; }\n";
static const char dropbear_c[] = "#include <stdio.h>\n"
				 "int main(void) { puts(\"SSH-2.0-dropbear_2022.83\\r\\n\"); return 0; }\n";

/* The validator: schema registry from tests/data/schemas, exit 1 on errors. */
static const char validate_py[] =
	"import json, os, sys\n"
	"import jsonschema\n"
	"from referencing import Registry, Resource\n"
	"from referencing.jsonschema import DRAFT7\n"
	"d = sys.argv[1]\n"
	"schemas = {}\n"
	"for f in ('bom-1.6.schema.json', 'spdx.schema.json', 'jsf-0.82.schema.json'):\n"
	"    s = json.load(open(os.path.join(d, f)))\n"
	"    schemas[s['$id']] = s\n"
	"reg = Registry().with_resources([(k, Resource.from_contents(v, default_specification=DRAFT7))\n"
	"                                 for k, v in schemas.items()])\n"
	"v = jsonschema.Draft7Validator(schemas['http://cyclonedx.org/schema/bom-1.6.schema.json'], registry=reg,\n"
	"                               format_checker=jsonschema.FormatChecker())\n"
	"bad = 0\n"
	"for path in sys.argv[2:]:\n"
	"    for e in v.iter_errors(json.load(open(path))):\n"
	"        print(path, list(e.path), e.message[:300], file=sys.stderr)\n"
	"        bad += 1\n"
	"sys.exit(1 if bad else 0)\n";

static struct gb_scan *scan;
static struct gb_audit *audit;
static json_t *bom;

static int setup(void **state)
{
	struct gb_audit_opts opts;
	static const char *const only[] = {"components"};

	if (gbt_setup_tmpdir(state) < 0)
		return -1;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	gbt_write_file("crypto.c", crypto_c, strlen(crypto_c));
	gbt_write_file("dropbear.c", dropbear_c, strlen(dropbear_c));
	gbt_write_file("validate.py", validate_py, strlen(validate_py));
	gbt_write_file("stub.sqlite", "", 0);
	gbt_sh("mkdir -p root/usr/lib root/usr/sbin root/opt/lib");
	gbt_sh("cc -O0 -shared -fPIC -Wl,-soname,libcrypto.so.1.0.0 -o root/usr/lib/libcrypto.so.1.0.0 crypto.c");
	gbt_sh("cp root/usr/lib/libcrypto.so.1.0.0 root/opt/lib/libcrypto.so.1.0.0");
	gbt_sh("cc -O0 -o root/usr/sbin/dropbear dropbear.c");
	gbt_sh("tar -C root --owner=0 --group=0 -cf img.tar .");
	scan = gbt_scan("img.tar", "out");
	assert_non_null(scan);
	gb_audit_opts_init(&opts);
	opts.jobs = 2;
	opts.only = only;
	opts.n_only = 1;
	opts.vulndb = "stub.sqlite";
	assert_int_equal(gb_audit_run(scan, &opts, &audit), 0);

	FILE *f = fopen("direct.cdx.json", "w");
	assert_non_null(f);
	assert_int_equal(gb_report_cyclonedx_write(scan, audit, f), 0);
	fclose(f);
	json_error_t err;
	bom = json_load_file("direct.cdx.json", 0, &err);
	assert_non_null(bom);
	return 0;
}

static int teardown(void **state)
{
	json_decref(bom);
	gb_audit_free(audit);
	gb_scan_free(scan);
	return gbt_teardown_tmpdir(state);
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const json_t *component(const char *name)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(bom, "components"), i, c)
	{
		if (strcmp(jstr(c, "name"), name) == 0)
			return c;
	}
	return NULL;
}

static void test_schema_valid(void **state)
{
	const char *src = getenv("GB_SOURCE_ROOT");
	assert_non_null(src);
	if (gbt_sh_status("python3 -c 'import jsonschema, referencing' 2>/dev/null") != 0) {
		fprintf(stderr, "python3-jsonschema missing (scripts/install-deps): skipped\n");
		skip();
	}
	gbt_sh("python3 validate.py '%s/tests/data/schemas' direct.cdx.json", src);
	/* the validator is not a rubber stamp: a broken hash algorithm fails */
	gbt_sh("sed 's/\"SHA-256\"/\"SHA256\"/' direct.cdx.json > broken.cdx.json");
	assert_int_not_equal(gbt_sh_status("python3 validate.py '%s/tests/data/schemas' broken.cdx.json 2>/dev/null",
					   src),
			     0);
}

static void test_content(void **state)
{
	char sha[65];
	assert_string_equal(jstr(bom, "bomFormat"), "CycloneDX");
	assert_string_equal(jstr(bom, "specVersion"), "1.6");
	/* urn:uuid, version 5 */
	const char *serial = jstr(bom, "serialNumber");
	assert_int_equal(strlen(serial), 9 + 36);
	assert_int_equal(strncmp(serial, "urn:uuid:", 9), 0);
	assert_int_equal(serial[9 + 14], '5');
	const json_t *md = json_object_get(bom, "metadata");
	assert_string_equal(jstr(md, "timestamp"), "2023-11-14T22:13:20Z");
	const json_t *fw = json_object_get(md, "component");
	assert_string_equal(jstr(fw, "type"), "firmware");
	gbt_sha256sum("img.tar", sha);
	assert_string_equal(jstr(json_array_get(json_object_get(fw, "hashes"), 0), "content"), sha);

	const json_t *ssl = component("OpenSSL");
	assert_non_null(ssl);
	assert_string_equal(jstr(ssl, "version"), "1.0.2k");
	assert_string_equal(jstr(ssl, "cpe"), "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*");
	assert_string_equal(jstr(ssl, "purl"), "pkg:generic/openssl@1.0.2k");
	/* two copies, identical bytes: one hash, two occurrences */
	gbt_sha256sum("root/usr/lib/libcrypto.so.1.0.0", sha);
	const json_t *hashes = json_object_get(ssl, "hashes");
	assert_int_equal(json_array_size(hashes), 1);
	assert_string_equal(jstr(json_array_get(hashes, 0), "content"), sha);
	const json_t *occ = json_object_get(json_object_get(ssl, "evidence"), "occurrences");
	assert_int_equal(json_array_size(occ), 2);
	assert_string_equal(jstr(json_array_get(occ, 0), "location"), "/opt/lib/libcrypto.so.1.0.0");
	assert_string_equal(jstr(json_array_get(occ, 1), "location"), "/usr/lib/libcrypto.so.1.0.0");
	assert_string_equal(jstr(json_array_get(occ, 0), "additionalContext"), "OpenSSL 1.0.2k  26 Jan 2017");
	const json_t *db = component("Dropbear");
	assert_non_null(db);
	assert_string_equal(jstr(db, "type"), "application");
	assert_string_equal(jstr(db, "version"), "2022.83");
}

static const json_t *vuln(const char *id)
{
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(bom, "vulnerabilities"), i, v)
	{
		if (strcmp(jstr(v, "id"), id) == 0)
			return v;
	}
	return NULL;
}

static void test_vulnerabilities(void **state)
{
	assert_int_equal(json_array_size(json_object_get(bom, "vulnerabilities")), 2);
	const json_t *v = vuln("CVE-2017-3735");
	assert_non_null(v);
	assert_string_equal(jstr(json_object_get(v, "source"), "name"), "NVD");
	assert_string_equal(jstr(json_object_get(v, "source"), "url"), "https://nvd.nist.gov/vuln/detail/CVE-2017-3735");
	const json_t *r = json_array_get(json_object_get(v, "ratings"), 0);
	assert_string_equal(jstr(r, "method"), "CVSSv31");
	assert_string_equal(jstr(r, "severity"), "medium");
	assert_true(json_real_value(json_object_get(r, "score")) > 5.2 &&
		    json_real_value(json_object_get(r, "score")) < 5.4);
	assert_string_equal(jstr(v, "recommendation"), "Upgrade to 1.0.2m");
	assert_null(json_object_get(v, "analysis"));
	const json_t *aff = json_array_get(json_object_get(v, "affects"), 0);
	assert_string_equal(jstr(aff, "ref"), jstr(component("OpenSSL"), "bom-ref"));

	v = vuln("CVE-2016-0000");
	assert_non_null(v);
	assert_string_equal(jstr(json_array_get(json_object_get(v, "ratings"), 0), "method"), "CVSSv2");
	const json_t *an = json_object_get(v, "analysis");
	assert_string_equal(jstr(an, "state"), "not_affected");
	assert_string_equal(jstr(an, "justification"), "code_not_present");
	assert_string_equal(jstr(an, "detail"), "the vulnerable code is not built in");
}

/* report.json -> SBOM gives the same bytes, in the library and in the CLI. */
static void test_same_from_report(void **state)
{
	assert_int_equal(gb_report_json_write_file(scan, audit, "report.json"), 0);
	json_error_t err;
	json_t *report = json_load_file("report.json", 0, &err);
	assert_non_null(report);
	FILE *f = fopen("from-report.cdx.json", "w");
	assert_int_equal(gb_report_cyclonedx_from_report(report, f), 0);
	fclose(f);
	json_decref(report);
	gbt_sh("cmp direct.cdx.json from-report.cdx.json");
	const char *exe = getenv("GLASSBOX");
	assert_non_null(exe);
	gbt_sh("'%s' sbom report.json -o cli.cdx.json && cmp direct.cdx.json cli.cdx.json", exe);
	gbt_sh("'%s' sbom report.json | cmp - direct.cdx.json", exe);
	/* not a report */
	gbt_sh("echo '[1, 2]' > notreport.json");
	assert_int_equal(gbt_sh_status("'%s' sbom notreport.json >/dev/null 2>&1", exe), 3);
	/* written atomically by the scan path too */
	assert_int_equal(gb_report_cyclonedx_write_file(scan, audit, "file.cdx.json"), 0);
	gbt_sh("cmp direct.cdx.json file.cdx.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_valid),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_vulnerabilities),
		cmocka_unit_test(test_same_from_report),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
