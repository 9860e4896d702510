/* keys: private keys in every format glassbox reads, made at test time with
 * Debian's own tools (openssl genpkey/genrsa/ecparam/pkcs8, ssh-keygen,
 * puttygen, dropbearkey, cc for a binary that embeds a key), packed with tar,
 * scanned and audited with only this analyzer. The oracle is what the tools
 * say about the keys they made: `openssl pkey -pubout -outform DER |
 * sha256sum` and `ssh-keygen -l` fingerprints, the bits asked for, and
 * `grep -ob` for byte offsets. Look-alikes (a format string, a block whose
 * body is not a key, a tampered PuTTY file, hostile blobs) must give nothing. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


static struct gb_audit *audit_image(struct gb_scan **ret_scan)
{
	return gbt_audit_dir("root", "keys", ret_scan);
}

static void dump(const struct gb_audit *a)
{
	gbt_dump_findings(a);
}

/* The only finding of `rule` for `path`; fails when there is none or several. */
static const json_t *the_finding(const struct gb_audit *a, const char *rule, const char *path)
{
	const json_t *arr = gb_audit_section(a, "findings"), *f, *hit = NULL;
	size_t i, n = 0;

	json_array_foreach(arr, i, f)
	{
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "path")), path) == 0) {
			hit = f;
			n++;
		}
	}
	if (n != 1) {
		fprintf(stderr, "%zu findings of %s for %s\n", n, rule, path);
		dump(a);
	}
	assert_int_equal(n, 1);
	return hit;
}

static size_t count_rule(const struct gb_audit *a, const char *rule)
{
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i, n = 0;
	json_array_foreach(arr, i, f)
		n += strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0;
	return n;
}

/* A one-line file written by a fixture command (trailing newline removed). */
static char *slurp_line(const char *path)
{
	size_t n;
	char *s = gbt_read_file(path, &n);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void expect_detail_str(const json_t *d, const char *key, const char *want)
{
	const json_t *v = json_object_get(d, key);
	if (!want) {
		assert_true(json_is_null(v));
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fprintf(stderr, "details.%s = %s, want %s\n", key, json_string_value(v), want);
	assert_string_equal(json_string_value(v), want);
}

/* Check a key.private finding against the oracle. fp_file: a file holding the
 * expected fingerprint (or NULL for none); line 0 = expect an offset instead. */
static void expect_key(const struct gb_audit *a, const char *path, const char *type, int bits, bool encrypted,
		       const char *format, const char *fp_file, int line, long offset)
{
	const json_t *f = the_finding(a, "key.private", path);
	const json_t *d = json_object_get(f, "details");

	assert_string_equal(json_string_value(json_object_get(f, "severity")), "high");
	expect_detail_str(d, "type", type);
	if (bits)
		assert_int_equal(json_integer_value(json_object_get(d, "bits")), bits);
	else
		assert_true(json_is_null(json_object_get(d, "bits")));
	assert_int_equal(json_is_true(json_object_get(d, "encrypted")), encrypted);
	expect_detail_str(d, "format", format);
	if (fp_file) {
		char *fp = slurp_line(fp_file);
		expect_detail_str(d, "fingerprint", fp);
		free(fp);
	} else {
		assert_true(json_is_null(json_object_get(d, "fingerprint")));
	}
	if (line) {
		assert_int_equal(json_integer_value(json_object_get(f, "line")), line);
		assert_true(json_is_null(json_object_get(f, "offset")));
	} else {
		assert_true(json_is_null(json_object_get(f, "line")));
		assert_int_equal(json_integer_value(json_object_get(f, "offset")), offset);
	}
}

static long offset_in(const char *file)
{
	char *s = slurp_line(file);
	long v = strtol(s, NULL, 10);
	free(s);
	return v;
}

static void need(const char *tool)
{
	if (!gbt_have_tool(tool)) {
		fprintf(stderr, "%s is needed for this test\n", tool);
		skip();
	}
}

/* The fingerprint glassbox reports for PEM/DER keys: SHA-256 of the DER SubjectPublicKeyInfo. */
#define SPKI_FP(key, out) "openssl pkey -in " key " -pubout -outform DER | sha256sum | sed 's/ .*//;s/^/SHA256:/' > " out

/* PEM (PKCS#1, PKCS#8, SEC1, DSA, both encrypted forms) and DER keys. */
static void test_pem_and_der(void **state)
{
	struct gb_scan *scan;

	need("openssl");
	gbt_sh("rm -rf root fp && mkdir -p root/etc/ssl/private root/etc/ipsec.d root/usr/share/keys fp"
	       " && cd root/etc/ssl/private"
	       " && openssl genrsa -traditional -out rsa1024.key 1024 2>/dev/null"
	       " && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.key"
	       " && openssl ecparam -name prime256v1 -genkey -noout -out ec.key"
	       " && openssl genpkey -algorithm ed25519 -out ed.key"
	       " && openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out dsa.param"
	       " && openssl genpkey -paramfile dsa.param | openssl pkey -traditional -out dsa.key && rm dsa.param"
	       " && openssl pkcs8 -topk8 -v2 aes-256-cbc -in rsa2048.key -passout pass:s3cret -out p8enc.key"
	       " && openssl rsa -in rsa1024.key -traditional -aes128 -passout pass:s3cret -out tradenc.key 2>/dev/null"
	       " && openssl rsa -in rsa1024.key -traditional -outform DER -out ../../ipsec.d/rsa.der 2>/dev/null"
	       " && openssl pkcs8 -topk8 -nocrypt -in ec.key -outform DER -out p8ec.der"
	       " && openssl pkey -in ec.key -outform DER -out ../../ipsec.d/sec1.der"
	       " && (head -c 1000 /dev/urandom; cat p8ec.der; head -c 700 /dev/urandom) > ../../../usr/share/keys/blob.bin"
	       " && rm p8ec.der"
	       " && (printf 'comment line\\nanother\\n'; cat ed.key) > ../../ipsec.d/with-text.conf"
	       " && " SPKI_FP("rsa1024.key", "../../../../fp/rsa1024")
	       " && " SPKI_FP("rsa2048.key", "../../../../fp/rsa2048")
	       " && " SPKI_FP("ec.key", "../../../../fp/ec")
	       " && " SPKI_FP("ed.key", "../../../../fp/ed")
	       " && " SPKI_FP("dsa.key", "../../../../fp/dsa"));
	/* look-alikes: a label without a body, a body that is not a key, a
	 * certificate request, a public key */
	gbt_sh("cd root/etc && printf -- '-----BEGIN RSA PRIVATE KEY-----\\n' > fake-header.txt"
	       " && printf -- '-----BEGIN RSA PRIVATE KEY-----\\nSGVsbG8sIHdvcmxkLiBOb3QgYSBrZXku\\n"
	       "-----END RSA PRIVATE KEY-----\\n' > fake-body.pem"
	       " && openssl pkey -in ssl/private/rsa2048.key -pubout -out public.pem");
	struct gb_audit *a = audit_image(&scan);

	expect_key(a, "/etc/ssl/private/rsa1024.key", "rsa", 1024, false, "PEM PKCS#1", "fp/rsa1024", 1, 0);
	expect_key(a, "/etc/ssl/private/rsa2048.key", "rsa", 2048, false, "PEM PKCS#8", "fp/rsa2048", 1, 0);
	expect_key(a, "/etc/ssl/private/ec.key", "ec", 256, false, "PEM SEC1", "fp/ec", 1, 0);
	expect_detail_str(json_object_get(the_finding(a, "key.private", "/etc/ssl/private/ec.key"), "details"), "curve",
			  "prime256v1");
	expect_key(a, "/etc/ssl/private/ed.key", "ed25519", 256, false, "PEM PKCS#8", "fp/ed", 1, 0);
	expect_key(a, "/etc/ssl/private/dsa.key", "dsa", 1024, false, "PEM DSA", "fp/dsa", 1, 0);
	expect_key(a, "/etc/ssl/private/p8enc.key", NULL, 0, true, "PEM PKCS#8 (encrypted)", NULL, 1, 0);
	expect_key(a, "/etc/ssl/private/tradenc.key", "rsa", 0, true, "PEM PKCS#1 (encrypted)", NULL, 1, 0);
	expect_key(a, "/etc/ipsec.d/rsa.der", "rsa", 1024, false, "DER PKCS#1", "fp/rsa1024", 0, 0);
	expect_key(a, "/etc/ipsec.d/sec1.der", "ec", 256, false, "DER SEC1", "fp/ec", 0, 0);
	expect_key(a, "/usr/share/keys/blob.bin", "ec", 256, false, "DER PKCS#8", "fp/ec", 0, 1000);
	expect_key(a, "/etc/ipsec.d/with-text.conf", "ed25519", 256, false, "PEM PKCS#8", "fp/ed", 3, 0);
	/* nothing else: the look-alikes gave nothing */
	assert_int_equal(count_rule(a, "key.private"), 11);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* A key compiled into a program, next to dropbearconvert's format string. */
static void test_embedded_in_elf(void **state)
{
	struct gb_scan *scan;

	need("openssl");
	need("cc");
	static const char prog[] =
		"#include <stdio.h>\n"
		"static const char fmt[] = \"-----BEGIN RSA PRIVATE KEY-----\\n\";\n"
		"__asm__(\".section .rodata\\n.ascii \\\"garbage\\\"\\n.incbin \\\"k.pem\\\"\\n.previous\");\n"
		"int main(void) { puts(fmt); return 0; }\n";
	gbt_sh("rm -rf root fp && mkdir -p root/usr/sbin fp && openssl genpkey -algorithm ed25519 -out k.pem"
	       " && " SPKI_FP("k.pem", "fp/k"));
	gbt_write_file("prog.c", prog, strlen(prog));
	gbt_sh("cc -O0 -o root/usr/sbin/vendord prog.c"
	       " && grep -obUa -- '-----BEGIN PRIVATE KEY-----' root/usr/sbin/vendord | cut -d: -f1 > fp/off"
	       " && test $(grep -cobUa -- '-----BEGIN RSA PRIVATE KEY-----' root/usr/sbin/vendord) -ge 1");
	struct gb_audit *a = audit_image(&scan);
	const struct gb_file *f = gbt_file(scan, NULL, "/usr/sbin/vendord");
	assert_non_null(f);
	assert_string_equal(f->kind, "elf");
	expect_key(a, "/usr/sbin/vendord", "ed25519", 256, false, "PEM PKCS#8", "fp/k", 0, offset_in("fp/off"));
	assert_int_equal(count_rule(a, "key.private"), 1);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* OpenSSH (plain and with a passphrase), PuTTY v2/v3 and Dropbear keys. */
static void test_ssh_formats(void **state)
{
	struct gb_scan *scan;
	bool putty = gbt_have_tool("puttygen"), dropbear = gbt_have_tool("dropbearkey");
	size_t expected = 3;

	need("ssh-keygen");
	gbt_sh("rm -rf root fp && mkdir -p root/root/.ssh root/etc/dropbear root/etc/keys fp"
	       " && ssh-keygen -q -t ed25519 -N '' -C 'root@device' -f root/root/.ssh/id_ed25519"
	       " && ssh-keygen -q -t rsa -b 3072 -N 'a pass phrase' -f root/root/.ssh/id_rsa"
	       " && ssh-keygen -q -t ecdsa -b 256 -N '' -f root/etc/keys/ecdsa"
	       " && for k in root/root/.ssh/id_ed25519 root/root/.ssh/id_rsa root/etc/keys/ecdsa; do"
	       "    ssh-keygen -l -E sha256 -f $k.pub | cut -d' ' -f2 > fp/$(basename $k); rm $k.pub; done");
	if (putty) {
		gbt_sh(": > empty && printf 'pw\\n' > pw"
		       " && puttygen -t rsa -b 2048 -C rsa-key --ppk-param version=2 --new-passphrase empty -o root/etc/keys/v2.ppk"
		       " && puttygen -t ed25519 -C ed-key --new-passphrase empty -o root/etc/keys/v3.ppk"
		       " && puttygen -t ed25519 --new-passphrase pw -o root/etc/keys/enc.ppk"
		       " && sed -e '/^Private-MAC: 0/{s/: 0/: 1/;b' -e '}' -e 's/^Private-MAC: ./Private-MAC: 0/'"
		       "    root/etc/keys/v3.ppk > root/etc/keys/tampered.ppk"
		       " && ! cmp -s root/etc/keys/v3.ppk root/etc/keys/tampered.ppk"
		       " && for k in v2 v3 enc; do puttygen root/etc/keys/$k.ppk -O public-openssh -o $k.pub"
		       "    && ssh-keygen -l -E sha256 -f $k.pub | cut -d' ' -f2 > fp/$k; done");
		expected += 3;
	}
	if (dropbear) {
		gbt_sh("for t in rsa ed25519 ecdsa; do dropbearkey -t $t -f root/etc/dropbear/dropbear_${t}_host_key >/dev/null 2>&1"
		       " && dropbearkey -y -f root/etc/dropbear/dropbear_${t}_host_key | grep '^ssh-\\|^ecdsa-' > db.pub"
		       " && ssh-keygen -l -E sha256 -f db.pub | cut -d' ' -f2 > fp/db_$t; done");
		expected += 3;
	}
	struct gb_audit *a = audit_image(&scan);

	expect_key(a, "/root/.ssh/id_ed25519", "ed25519", 256, false, "OpenSSH", "fp/id_ed25519", 1, 0);
	expect_detail_str(json_object_get(the_finding(a, "key.private", "/root/.ssh/id_ed25519"), "details"), "comment",
			  "root@device");
	expect_key(a, "/root/.ssh/id_rsa", "rsa", 3072, true, "OpenSSH (encrypted)", "fp/id_rsa", 1, 0);
	expect_key(a, "/etc/keys/ecdsa", "ec", 256, false, "OpenSSH", "fp/ecdsa", 1, 0);
	if (putty) {
		expect_key(a, "/etc/keys/v2.ppk", "rsa", 2048, false, "PuTTY PPK v2", "fp/v2", 1, 0);
		expect_key(a, "/etc/keys/v3.ppk", "ed25519", 256, false, "PuTTY PPK v3", "fp/v3", 1, 0);
		expect_key(a, "/etc/keys/enc.ppk", "ed25519", 256, true, "PuTTY PPK v3 (encrypted)", "fp/enc", 1, 0);
	} else {
		fprintf(stderr, "puttygen missing: PuTTY cases not run\n");
	}
	if (dropbear) {
		expect_key(a, "/etc/dropbear/dropbear_rsa_host_key", "rsa", 2048, false, "Dropbear", "fp/db_rsa", 0, 0);
		expect_key(a, "/etc/dropbear/dropbear_ed25519_host_key", "ed25519", 256, false, "Dropbear",
			   "fp/db_ed25519", 0, 0);
		expect_key(a, "/etc/dropbear/dropbear_ecdsa_host_key", "ec", 256, false, "Dropbear", "fp/db_ecdsa", 0, 0);
	} else {
		fprintf(stderr, "dropbearkey missing: Dropbear cases not run\n");
	}
	/* the tampered PuTTY file is not a key */
	assert_int_equal(count_rule(a, "key.private"), expected);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void expect_entry(const json_t *keys, size_t i, const char *alg, int line, const char *fp_file,
			 const char *comment, bool options)
{
	const json_t *k = json_array_get(keys, i);
	char *fp = slurp_line(fp_file);

	assert_non_null(k);
	assert_string_equal(json_string_value(json_object_get(k, "alg")), alg);
	assert_int_equal(json_integer_value(json_object_get(k, "line")), line);
	assert_string_equal(json_string_value(json_object_get(k, "fingerprint")), fp);
	expect_detail_str(k, "comment", comment);
	assert_int_equal(json_is_true(json_object_get(k, "options")), options);
	free(fp);
}

static void test_authorized_keys(void **state)
{
	struct gb_scan *scan;

	need("ssh-keygen");
	gbt_sh("rm -rf root fp && mkdir -p root/root/.ssh root/etc/dropbear root/home/u/.ssh root/home/v/.ssh fp"
	       " && for t in ed25519 rsa ecdsa; do ssh-keygen -q -t $t -N '' -C \"$t@vendor\" -f k_$t"
	       "    && ssh-keygen -l -E sha256 -f k_$t.pub | cut -d' ' -f2 > fp/$t; done"
	       " && { echo '# support access'; echo; cat k_ed25519.pub;"
	       "      printf 'command=\"echo hi there\",no-pty %%s\\n' \"$(cat k_rsa.pub)\";"
	       "      echo 'ssh-rsa AAAAnot-a-key broken'; cut -d' ' -f1,2 k_ecdsa.pub; } > root/root/.ssh/authorized_keys"
	       " && cp k_rsa.pub root/etc/dropbear/authorized_keys"
	       " && cp k_rsa.pub root/home/u/.ssh/id_rsa.pub"
	       " && echo '# nobody' > root/home/v/.ssh/authorized_keys");
	struct gb_audit *a = audit_image(&scan);

	const json_t *f = the_finding(a, "key.authorized-keys", "/root/.ssh/authorized_keys");
	const json_t *d = json_object_get(f, "details");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "medium");
	assert_int_equal(json_integer_value(json_object_get(f, "line")), 3);
	assert_int_equal(json_integer_value(json_object_get(d, "entries")), 3);
	const json_t *keys = json_object_get(d, "keys");
	assert_int_equal(json_array_size(keys), 3);
	expect_entry(keys, 0, "ssh-ed25519", 3, "fp/ed25519", "ed25519@vendor", false);
	expect_entry(keys, 1, "ssh-rsa", 4, "fp/rsa", "rsa@vendor", true);
	expect_entry(keys, 2, "ecdsa-sha2-nistp256", 6, "fp/ecdsa", NULL, false);

	f = the_finding(a, "key.authorized-keys", "/etc/dropbear/authorized_keys");
	d = json_object_get(f, "details");
	assert_int_equal(json_integer_value(json_object_get(d, "entries")), 1);
	expect_entry(json_object_get(d, "keys"), 0, "ssh-rsa", 1, "fp/rsa", "rsa@vendor", false);
	/* a public key elsewhere and an authorized_keys without keys are not findings */
	assert_int_equal(count_rule(a, "key.authorized-keys"), 2);
	assert_int_equal(count_rule(a, "key.private"), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* OpenSSL's `speed` test keys are compiled into every openssl binary:
 * recognised by fingerprint, reported at info. */
static void test_known_test_keys(void **state)
{
	struct gb_scan *scan;

	if (gbt_sh_status("test -f /usr/bin/openssl") != 0)
		skip();
	gbt_sh("rm -rf root && mkdir -p root/usr/bin && cp /usr/bin/openssl root/usr/bin/openssl");
	struct gb_audit *a = audit_image(&scan);
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i, n = 0;

	json_array_foreach(arr, i, f)
	{
		const json_t *d = json_object_get(f, "details");
		assert_string_equal(json_string_value(json_object_get(f, "severity")), "info");
		assert_non_null(strstr(json_string_value(json_object_get(d, "known_key")), "OpenSSL speed test key"));
		n++;
	}
	assert_true(n >= 1);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* Broken and hostile blocks: no crash, no finding. */
static void test_hostile(void **state)
{
	struct gb_scan *scan;

	need("ssh-keygen");
	need("openssl");
	gbt_sh("rm -rf root && mkdir -p root/etc && cd root/etc"
	       " && ssh-keygen -q -t ed25519 -N '' -f real && rm real.pub"
	       /* an OpenSSH block cut short inside its base64 */
	       " && { head -3 real; tail -1 real; } > cut.key && rm real"
	       /* random bytes under every label */
	       " && for l in 'OPENSSH PRIVATE KEY' 'RSA PRIVATE KEY' 'PRIVATE KEY' 'ENCRYPTED PRIVATE KEY' 'EC PRIVATE KEY'; do"
	       "    echo \"-----BEGIN $l-----\"; head -c 600 /dev/urandom | base64; echo \"-----END $l-----\"; done > random.pem"
	       /* openssh-key-v1 with absurd lengths */
	       " && { echo '-----BEGIN OPENSSH PRIVATE KEY-----';"
	       "      printf 'openssh-key-v1\\000\\377\\377\\377\\377none' | base64;"
	       "      echo '-----END OPENSSH PRIVATE KEY-----'; } > lengths.key"
	       /* encrypted-looking headers over a body of the wrong size */
	       " && { echo '-----BEGIN RSA PRIVATE KEY-----'; echo 'Proc-Type: 4,ENCRYPTED';"
	       "      echo 'DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF'; echo;"
	       "      head -c 33 /dev/urandom | base64; echo '-----END RSA PRIVATE KEY-----'; } > badenc.key"
	       /* a PuTTY header with absurd line counts */
	       " && printf 'PuTTY-User-Key-File-3: ssh-rsa\\nEncryption: none\\nComment: x\\nPublic-Lines: 99999\\nAAAA\\n' > big.ppk"
	       /* DER shapes inside random data */
	       " && { head -c 100 /dev/urandom; printf '\\060\\202\\001\\000\\002\\001\\000\\002\\202'; head -c 300 /dev/urandom; } > der.bin"
	       /* a label that never ends */
	       " && { printf -- '-----BEGIN '; head -c 5000 /dev/zero | tr '\\0' A; } > label.pem");
	struct gb_audit *a = audit_image(&scan);
	if (json_array_size(gb_audit_section(a, "findings")))
		dump(a);
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_and_der),
		cmocka_unit_test(test_embedded_in_elf),
		cmocka_unit_test(test_ssh_formats),
		cmocka_unit_test(test_authorized_keys),
		cmocka_unit_test(test_known_test_keys),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
