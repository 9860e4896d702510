/* secrets: credentials planted in configs and scripts, and the look-alikes
 * that must stay quiet (placeholders, variables, package checksums, opkg
 * control data, documentation, test trees, program code). Token values are
 * derived at test time from SHA-256 digests (openssl dgst | base32/base64),
 * so no credential-shaped literal sits in the source. The oracle is the
 * fixture itself: which file, which line, which kind of token. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


static struct gb_audit *audit_image(struct gb_scan **ret_scan)
{
	return gbt_audit_dir("root", "secrets", ret_scan);
}

static void dump(const struct gb_audit *a)
{
	gbt_dump_findings(a);
}

struct want {
	const char *path;
	int line;    /* 0: evidence is an offset */
	const char *token_type;
	const char *severity;
	const char *name; /* details.name for assignments */
};

static bool matches(const json_t *f, const struct want *w)
{
	const json_t *d = json_object_get(f, "details");
	const char *name = json_string_value(json_object_get(d, "name"));
	return strcmp(json_string_value(json_object_get(f, "path")), w->path) == 0 &&
	       json_integer_value(json_object_get(f, "line")) == w->line &&
	       strcmp(json_string_value(json_object_get(d, "token_type")), w->token_type) == 0 &&
	       strcmp(json_string_value(json_object_get(f, "severity")), w->severity) == 0 &&
	       (!w->name || (name && strcmp(name, w->name) == 0));
}

/* Every wanted finding is there, and nothing else. */
static void expect_exactly(const struct gb_audit *a, const struct want *w, size_t n)
{
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i;
	bool ok = json_array_size(arr) == n;

	for (size_t k = 0; k < n; k++) {
		bool found = false;
		json_array_foreach(arr, i, f)
			found |= matches(f, &w[k]);
		if (!found) {
			fprintf(stderr, "missing: %s line %d %s\n", w[k].path, w[k].line, w[k].token_type);
			ok = false;
		}
	}
	if (!ok)
		dump(a);
	assert_true(ok);
}

static void need_tools(void)
{
	if (!gbt_have_tool("openssl") || !gbt_have_tool("base32") || !gbt_have_tool("tar"))
		skip();
}

/* Shell snippets: deterministic random-looking strings (seed -> SHA-256). */
#define B32(seed, n) "$(printf " #seed " | openssl dgst -sha256 -binary | base32 -w0 | cut -c1-" #n ")"
#define B64(seed, n) "$(printf " #seed " | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' 'Xy' | cut -c1-" #n ")"
#define ALNUM(seed, n) "$(printf " #seed " | openssl dgst -sha512 -binary | base64 -w0 | tr -d '+/=' | cut -c1-" #n ")"

static void test_tokens_and_passwords(void **state)
{
	struct gb_scan *scan;

	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc/config root/etc/ppp root/www/cgi-bin root/usr/lib/app"
	       " && A=AK; A=${A}IA" B32(s1, 16) " && S=" B64(s2, 40)
	       " && printf '# uploader\\n[cloud]\\naws_access_key_id = %%s\\naws_secret_access_key = %%s\\nregion = eu-west-1\\n'"
	       "    \"$A\" \"$S\" > root/etc/ppp/cloud.conf"
	       " && A2=AS; A2=${A2}IA" B32(s3, 16)
	       " && printf 'id=%%s\\n' \"$A2\" > root/etc/ppp/id-only.conf"
	       " && G=gh; G=${G}p_" ALNUM(s4, 36)
	       " && P=github; P=${P}_pat_" ALNUM(s5, 40) ALNUM(s6, 42)
	       " && L=xo; L=${L}xb-2740912384-4471128764-" ALNUM(s7, 24)
	       " && T=sk; T=${T}_live_" ALNUM(s8, 24)
	       " && K=AI; K=${K}za" ALNUM(s9, 35)
	       " && printf '#!/bin/sh\\n# push build status\\nGH=%%s\\nPAT=%%s\\ncurl -H \"Authorization: token $GH\" x\\n'"
	       "    \"$G\" \"$P\" > root/usr/lib/app/notify.sh"
	       " && printf '{\\n  \"slack\": \"%%s\",\\n  \"stripe\": \"%%s\",\\n  \"maps\": \"%%s\"\\n}\\n'"
	       "    \"$L\" \"$T\" \"$K\" > root/www/app.json");
	/* passwords assigned in configs and scripts */
	gbt_sh("cd root/etc && printf 'interface=wlan0\\nwpa_passphrase=Gr33nF1eld!2019\\n' > hostapd.conf"
	       " && printf 'network={\\n    ssid=\"office\"\\n    psk=\"Tr0ub4dor&3x\"\\n}\\n' > wpa_supplicant.conf"
	       " && printf \"config wifi-iface\\n\\toption ssid 'OpenWrt'\\n\\toption key 'Wlan#Key2020'\\n\" > config/wireless"
	       " && printf 'lan_ipaddr=192.168.1.1\\000http_passwd=Adm1n@Web\\000http_username=admin\\000' > nvram.default"
	       " && printf '<Config><Username>cpe</Username><Password>Xk9#mLp2Qw</Password></Config>\\n' > tr069.xml"
	       " && printf '#!/bin/sh\\nexport DB_PASSWORD=\"pg_Pa55w0rd_2021\"\\nexec db\\n' > db.sh");
	struct gb_audit *a = audit_image(&scan);
	static const struct want w[] = {
		{"/etc/ppp/cloud.conf", 3, "aws-access-key", "high", NULL},
		{"/etc/ppp/id-only.conf", 1, "aws-access-key", "medium", NULL},
		{"/usr/lib/app/notify.sh", 3, "github-token", "high", NULL},
		{"/usr/lib/app/notify.sh", 4, "github-token", "high", NULL},
		{"/www/app.json", 2, "slack-token", "high", NULL},
		{"/www/app.json", 3, "stripe-live-key", "high", NULL},
		{"/www/app.json", 4, "google-api-key", "high", NULL},
		{"/etc/hostapd.conf", 2, "assigned-password", "medium", "wpa_passphrase"},
		{"/etc/wpa_supplicant.conf", 3, "assigned-password", "medium", "psk"},
		{"/etc/config/wireless", 3, "assigned-password", "medium", "key"},
		{"/etc/nvram.default", 0, "assigned-password", "medium", "http_passwd"},
		{"/etc/tr069.xml", 1, "assigned-password", "medium", "Password"},
		{"/etc/db.sh", 2, "assigned-password", "medium", "DB_PASSWORD"},
	};
	expect_exactly(a, w, sizeof(w) / sizeof(w[0]));

	/* the AWS finding names the key id and masks the secret */
	const json_t *arr = gb_audit_section(a, "findings"), *f;
	size_t i;
	json_array_foreach(arr, i, f)
	{
		if (!matches(f, &w[0]))
			continue;
		const json_t *d = json_object_get(f, "details");
		const char *id = json_string_value(json_object_get(d, "access_key_id"));
		const char *sec = json_string_value(json_object_get(d, "secret_access_key"));
		assert_non_null(id);
		assert_int_equal(strlen(id), 20);
		assert_int_equal(strncmp(id, "AKIA", 4), 0);
		assert_non_null(sec);
		assert_int_equal(strlen(sec), 40);
		assert_non_null(strstr(sec, "****"));
		assert_true(json_real_value(json_object_get(d, "entropy")) > 3.0);
	}
	/* the nvram blob has no lines: the evidence is the value's offset */
	json_array_foreach(arr, i, f)
		if (strcmp(json_string_value(json_object_get(f, "path")), "/etc/nvram.default") == 0)
			assert_int_equal(json_integer_value(json_object_get(f, "offset")), 35);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* What must not be reported. */
static void test_look_alikes(void **state)
{
	struct gb_scan *scan;

	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc/ssl root/usr/lib/opkg/info root/var/lib/dpkg/info"
	       " root/usr/share/doc/app root/usr/lib/python3/app/tests root/usr/lib/lua/luci root/www/cgi-bin"
	       " && G=gh; G=${G}p_" ALNUM(t1, 36) " && S=" B64(t2, 40)
	       /* package checksums and control data */
	       " && printf 'a\\n' > root/etc/a && printf 'b\\n' > root/etc/b"
	       " && (cd root/etc && sha256sum a b > sha256sums && md5sum a b > ../var/lib/dpkg/info/app.md5sums)"
	       " && printf 'Package: app\\nVersion: 1.0\\nSHA256sum: %%s\\nMD5Sum: %%s\\n'"
	       "    \"$(sha256sum root/etc/a | cut -c1-64)\" \"$(md5sum root/etc/a | cut -c1-32)\" > root/usr/lib/opkg/info/app.control"
	       /* placeholders, variables, comments, paths, words */
	       " && printf '%%s\\n' 'password=changeme' 'password=' 'password=${PASSWORD}' 'pass=$1'"
	       "    '# password=C0mmented!Out' 'key = value' 'secret = pass:insta' 'api_key = <your-api-key>'"
	       "    'challengePassword = A challenge password' 'private_key = /etc/ssl/private/server.key'"
	       "    'passwd: required' 'token=rwuser' 'password: S3cr3t_example' 'psk=12345678'"
	       "    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE' > root/etc/app.conf"
	       /* documentation and tests may show real-looking tokens */
	       " && printf 'Example:\\n  GITHUB_TOKEN=%%s\\n  password=Adm1n@Web\\n' \"$G\" > root/usr/share/doc/app/README"
	       " && printf 'VECTOR_PASSWORD = \"Str0ng!Pass#1\"\\nSECRET = \"%%s\"\\n' \"$S\" > root/usr/lib/python3/app/tests/test_kdf.py"
	       /* program code: expressions, not literals */
	       " && printf '%%s\\n' 'local pass = luci.http.formvalue(\"pass\")' 'password = self.password'"
	       "    'token_type = tokens.get(name)' > root/usr/lib/lua/luci/auth.lua"
	       " && printf '%%s\\n' '#!/bin/sh' 'read -p \"Password: \" pw' 'if [ \"$pass\" = \"$expected\" ]; then'"
	       "    '  echo ok' 'fi' 'PASS=\"$(cat /etc/pass)\"' > root/www/cgi-bin/login.cgi"
	       /* accounts are the accounts analyzer's */
	       " && printf 'root:$6$abcdefgh$Zq9.hashhashhash:19000:0:99999:7:::\\n' > root/etc/shadow");
	struct gb_audit *a = audit_image(&scan);
	expect_exactly(a, NULL, 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_and_passwords),
		cmocka_unit_test(test_look_alikes),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
