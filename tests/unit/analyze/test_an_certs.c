/* certs: X.509 certificates made at test time with openssl (req -x509 for
 * self-signed ones, `openssl ca -selfsign -startdate -enddate` for one that
 * expired in 2020, a CA-signed leaf, 1024-bit RSA with SHA-1 and MD5
 * signatures), as PEM, DER, inside a key file and inside binary data, plus
 * trust stores. The oracle is openssl x509's own view of each certificate:
 * subject (-nameopt oneline), dates (-dateopt iso_8601), SHA-256 fingerprint. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


static struct gb_audit *audit_image(struct gb_scan **ret_scan)
{
	return gbt_audit_dir("root", "certs", ret_scan);
}

static void dump(const struct gb_audit *a)
{
	gbt_dump_findings(a);
}

static size_t count(const struct gb_audit *a, const char *rule, const char *path)
{
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i, n = 0;
	json_array_foreach(arr, i, f)
		n += (!rule || strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0) &&
		     (!path || strcmp(json_string_value(json_object_get(f, "path")), path) == 0);
	return n;
}

static const json_t *the_finding(const struct gb_audit *a, const char *rule, const char *path)
{
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i;

	if (count(a, rule, path) != 1) {
		fprintf(stderr, "want exactly one %s for %s\n", rule, path);
		dump(a);
	}
	assert_int_equal(count(a, rule, path), 1);
	json_array_foreach(arr, i, f)
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
			return f;
	return NULL;
}

static char *slurp_line(const char *path)
{
	size_t n;
	char *s = gbt_read_file(path, &n);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void expect_str_file(const json_t *d, const char *key, const char *file)
{
	char *want = slurp_line(file);
	const char *got = json_string_value(json_object_get(d, key));
	if (!got || strcmp(got, want) != 0)
		fprintf(stderr, "details.%s = %s, want %s\n", key, got, want);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

/* Record openssl's view of a certificate in oracle/<name>.{subject,fp,na}. */
#define ORACLE(cert, name)                                                                                         \
	"openssl x509 -in " cert " -noout -subject -nameopt oneline | sed 's/^subject=//' > oracle/" name ".subject" \
	" && openssl x509 -in " cert " -noout -fingerprint -sha256 | sed 's/.*=//' > oracle/" name ".fp"            \
	" && openssl x509 -in " cert " -noout -enddate -dateopt iso_8601 | sed 's/notAfter=//;s/ /T/' > oracle/" name ".na"

static void expect_cert(const json_t *f, const char *name, const char *sev, const char *key_type, int bits,
			const char *sigalg)
{
	const json_t *d = json_object_get(f, "details");
	char file[256];

	assert_string_equal(json_string_value(json_object_get(f, "severity")), sev);
	snprintf(file, sizeof(file), "oracle/%s.subject", name);
	expect_str_file(d, "subject", file);
	snprintf(file, sizeof(file), "oracle/%s.fp", name);
	expect_str_file(d, "sha256", file);
	snprintf(file, sizeof(file), "oracle/%s.na", name);
	expect_str_file(d, "not_after", file);
	assert_string_equal(json_string_value(json_object_get(d, "key_type")), key_type);
	assert_int_equal(json_integer_value(json_object_get(d, "key_bits")), bits);
	assert_string_equal(json_string_value(json_object_get(d, "signature_algorithm")), sigalg);
}

static void need_openssl(void)
{
	if (!gbt_have_tool("openssl"))
		skip();
}

/* An `openssl ca` set-up that signs with explicit start and end dates. */
static void make_ca_config(void)
{
	static const char cnf[] = "[ca]\ndefault_ca=d\n[d]\ndir=ca\ndatabase=ca/index.txt\nnew_certs_dir=ca/new\n"
				  "serial=ca/serial\npolicy=p\nunique_subject=no\ncopy_extensions=none\n"
				  "x509_extensions=ext\n[p]\ncommonName=supplied\norganizationName=optional\n"
				  "[ext]\nbasicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\n";
	gbt_sh("rm -rf ca && mkdir -p ca/new && : > ca/index.txt && echo 1000 > ca/serial");
	gbt_write_file("ca/ca.cnf", cnf, sizeof(cnf) - 1);
}

static void test_device_certs(void **state)
{
	struct gb_scan *scan;

	need_openssl();
	make_ca_config();
	gbt_sh("rm -rf root oracle && mkdir -p root/etc/ssl/certs root/etc/hostapd root/etc/tr069 root/www oracle"
	       /* self-signed, valid for 10 years */
	       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -subj '/CN=dev.local/O=Acme'"
	       "    -days 3650 -sha256 -out root/etc/ssl/certs/self.crt 2>/dev/null"
	       /* self-signed, 2015-2020 */
	       " && openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj '/O=Acme/CN=old.local' -out old.csr 2>/dev/null"
	       " && openssl ca -batch -config ca/ca.cnf -selfsign -keyfile old.key -in old.csr -startdate 20150101000000Z"
	       "    -enddate 20200101000000Z -md sha256 -notext -out root/etc/hostapd/server.pem 2>/dev/null"
	       /* 1024-bit RSA, SHA-1 and MD5 signatures */
	       " && openssl req -x509 -newkey rsa:1024 -nodes -keyout weak.key -subj '/CN=weak' -days 3650 -sha1"
	       "    -out root/etc/ssl/certs/weak.crt 2>/dev/null"
	       " && openssl req -x509 -newkey rsa:1024 -nodes -keyout md5.key -subj '/CN=md5' -days 3650 -md5"
	       "    -out md5.crt 2>/dev/null"
	       /* a CA-signed leaf (the CA itself is not shipped) */
	       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj '/CN=Vendor CA' -days 3650 -out ca.crt 2>/dev/null"
	       " && openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -subj '/CN=leaf.local' -out leaf.csr 2>/dev/null"
	       " && openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256"
	       "    -out root/etc/ssl/certs/leaf.crt 2>/dev/null"
	       /* the expired one as DER; the md5 one after its key in one file; the self-signed one in binary data */
	       " && openssl x509 -in root/etc/hostapd/server.pem -outform DER -out root/etc/tr069/acs.der"
	       " && cat md5.key md5.crt > root/etc/tr069/client.pem"
	       " && (head -c 3000 /dev/urandom; cat root/etc/ssl/certs/self.crt; head -c 100 /dev/urandom) > root/www/blob.bin"
	       " && grep -obUa -- '-----BEGIN CERTIFICATE-----' root/www/blob.bin | cut -d: -f1 > oracle/blob.off"
	       " && " ORACLE("root/etc/ssl/certs/self.crt", "self")
	       " && " ORACLE("root/etc/hostapd/server.pem", "old")
	       " && " ORACLE("root/etc/ssl/certs/weak.crt", "weak")
	       " && " ORACLE("md5.crt", "md5"));
	struct gb_audit *a = audit_image(&scan);
	const json_t *f, *w;

	/* self-signed, nothing else */
	f = the_finding(a, "cert.self-signed", "/etc/ssl/certs/self.crt");
	expect_cert(f, "self", "low", "rsa", 2048, "sha256WithRSAEncryption");
	assert_int_equal(json_integer_value(json_object_get(f, "line")), 1);
	assert_int_equal(count(a, NULL, "/etc/ssl/certs/self.crt"), 1);

	/* expired in 2020 (and self-signed) */
	f = the_finding(a, "cert.expired", "/etc/hostapd/server.pem");
	expect_cert(f, "old", "medium", "rsa", 2048, "sha256WithRSAEncryption");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "details"), "not_before")),
			    "2015-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "details"), "not_after")),
			    "2020-01-01T00:00:00Z");
	assert_non_null(json_object_get(json_object_get(f, "details"), "reference_time"));
	the_finding(a, "cert.self-signed", "/etc/hostapd/server.pem");
	assert_int_equal(count(a, NULL, "/etc/hostapd/server.pem"), 2);

	/* the same as DER: evidence is offset 0 */
	f = the_finding(a, "cert.expired", "/etc/tr069/acs.der");
	expect_cert(f, "old", "medium", "rsa", 2048, "sha256WithRSAEncryption");
	assert_true(json_is_null(json_object_get(f, "line")));
	assert_int_equal(json_integer_value(json_object_get(f, "offset")), 0);

	/* weak: 1024-bit RSA with SHA-1 */
	f = the_finding(a, "cert.weak-key", "/etc/ssl/certs/weak.crt");
	expect_cert(f, "weak", "medium", "rsa", 1024, "sha1WithRSAEncryption");
	w = json_object_get(json_object_get(f, "details"), "weaknesses");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(json_string_value(json_array_get(w, 0)), "rsa-1024");
	assert_string_equal(json_string_value(json_array_get(w, 1)), "sha1-signature");

	/* MD5, after its private key in the same file (line 2 of the cert block) */
	f = the_finding(a, "cert.weak-key", "/etc/tr069/client.pem");
	expect_cert(f, "md5", "medium", "rsa", 1024, "md5WithRSAEncryption");
	w = json_object_get(json_object_get(f, "details"), "weaknesses");
	assert_string_equal(json_string_value(json_array_get(w, 1)), "md5-signature");
	assert_true(json_integer_value(json_object_get(f, "line")) > 1);

	/* inside binary data, at its byte offset */
	f = the_finding(a, "cert.self-signed", "/www/blob.bin");
	expect_cert(f, "self", "low", "rsa", 2048, "sha256WithRSAEncryption");
	char *off = slurp_line("oracle/blob.off");
	assert_int_equal(json_integer_value(json_object_get(f, "offset")), strtol(off, NULL, 10));
	free(off);

	/* a CA-signed, valid, strong leaf is not a finding */
	assert_int_equal(count(a, NULL, "/etc/ssl/certs/leaf.crt"), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* Trust stores: roots are self-signed by design; an expired root is info. */
static void test_trust_stores(void **state)
{
	struct gb_scan *scan;

	need_openssl();
	make_ca_config();
	gbt_sh("rm -rf root oracle && mkdir -p root/etc/ssl/certs root/usr/share/ca-certificates/mozilla"
	       " root/etc/ssl/roots root/etc/app oracle"
	       " && openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj '/CN=Old Root' -out old.csr 2>/dev/null"
	       " && openssl ca -batch -config ca/ca.cnf -selfsign -keyfile old.key -in old.csr -startdate 20100101000000Z"
	       "    -enddate 20200101000000Z -md sha1 -notext -out old.crt 2>/dev/null"
	       " && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do"
	       "    openssl req -x509 -newkey rsa:1024 -nodes -keyout /dev/null -subj \"/CN=Root $i\" -days 3650 -sha1"
	       "      -out root/etc/ssl/roots/root$i.crt 2>/dev/null; done"
	       " && cat old.crt root/etc/ssl/roots/root1.crt > root/etc/ssl/certs/ca-certificates.crt"
	       " && cp old.crt root/usr/share/ca-certificates/mozilla/Old_Root.crt"
	       " && cat root/etc/ssl/roots/root2.crt root/etc/ssl/roots/root3.crt root/etc/ssl/roots/root4.crt old.crt"
	       "    > root/etc/app/bundle.pem");
	struct gb_audit *a = audit_image(&scan);
	const json_t *f;

	f = the_finding(a, "cert.expired", "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "info");
	assert_true(json_is_true(json_object_get(json_object_get(f, "details"), "trust_store")));
	assert_int_equal(count(a, NULL, "/etc/ssl/certs/ca-certificates.crt"), 1);
	f = the_finding(a, "cert.expired", "/usr/share/ca-certificates/mozilla/Old_Root.crt");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "info");
	f = the_finding(a, "cert.expired", "/etc/app/bundle.pem");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "info");
	/* 16 self-signed 1024-bit SHA-1 roots in one directory: a store, nothing reported;
	 * only the three expired copies above are findings */
	assert_int_equal(count(a, NULL, NULL), 3);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* Broken certificates: no crash, no finding. */
static void test_hostile(void **state)
{
	struct gb_scan *scan;

	need_openssl();
	gbt_sh("rm -rf root && mkdir -p root/etc"
	       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj '/CN=x' -days 30 -out x.crt 2>/dev/null"
	       " && { head -5 x.crt; tail -1 x.crt; } > root/etc/cut.crt"
	       " && { echo '-----BEGIN CERTIFICATE-----'; head -c 900 /dev/urandom | base64; echo '-----END CERTIFICATE-----'; }"
	       "    > root/etc/random.crt"
	       " && openssl x509 -in x.crt -outform DER | head -c 500 > root/etc/cut.der"
	       " && { printf '\\060\\202\\377\\377\\060\\202'; head -c 200 /dev/urandom; } > root/etc/len.der");
	struct gb_audit *a = audit_image(&scan);
	if (count(a, NULL, NULL))
		dump(a);
	assert_int_equal(count(a, NULL, NULL), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_certs),
		cmocka_unit_test(test_trust_stores),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
