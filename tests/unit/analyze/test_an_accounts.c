/* accounts: passwd/shadow/group fixtures with hashes made by Debian's own
 * tools (openssl passwd -1/-5/-6, mkpasswd from whois for DES, yescrypt and
 * bcrypt), packed with tar, scanned and audited with only this analyzer.
 * The oracle is what the fixture planted: which user, which password, which
 * line of which file. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const only_accounts[] = {"accounts"};
static unsigned crack_budget_ms; /* opts.crack_budget_ms of the next audit_image() */

/* Scan img.tar and audit it with the accounts analyzer alone. */
static struct gb_audit *audit_image(const char *wordlist, struct gb_scan **ret_scan, int *ret_r)
{
	struct gb_audit_opts opts;
	struct gb_audit *a = NULL;

	*ret_scan = gbt_scan("img.tar", "out");
	gb_audit_opts_init(&opts);
	opts.jobs = 2;
	opts.only = only_accounts;
	opts.n_only = 1;
	opts.wordlist = wordlist;
	opts.crack_budget_ms = crack_budget_ms;
	int r = gb_audit_run(*ret_scan, &opts, &a);
	if (ret_r)
		*ret_r = r;
	else
		assert_int_equal(r, 0);
	return a;
}

static void pack(void)
{
	gbt_sh("rm -f img.tar && tar -C root --owner=0 --group=0 -cf img.tar .");
}

/* The finding of `rule` whose details[key] == value (NULL if none). */
static const json_t *finding(const struct gb_audit *a, const char *rule, const char *key, const char *value)
{
	const json_t *arr = gb_audit_section(a, "findings");
	size_t i;
	const json_t *f;
	json_array_foreach(arr, i, f)
	{
		const json_t *d = json_object_get(f, "details");
		const char *v = json_string_value(json_object_get(d, key));
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 && v && strcmp(v, value) == 0)
			return f;
	}
	return NULL;
}

static size_t count_rule(const struct gb_audit *a, const char *rule)
{
	const json_t *arr = gb_audit_section(a, "findings");
	size_t i, n = 0;
	const json_t *f;
	json_array_foreach(arr, i, f)
		n += strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0;
	return n;
}

static void dump(const struct gb_audit *a)
{
	char *s = json_dumps(gb_audit_section(a, "findings"), JSON_INDENT(1));
	fprintf(stderr, "%s\n", s ? s : "?");
	free(s);
}

/* Assert a finding: rule, user, path, line, severity, and a details field. */
static const json_t *expect(const struct gb_audit *a, const char *rule, const char *user, const char *path,
			    int line, const char *sev)
{
	const json_t *f = finding(a, rule, "user", user);
	if (!f) {
		fprintf(stderr, "missing %s for %s\n", rule, user);
		dump(a);
	}
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "path")), path);
	assert_int_equal(json_integer_value(json_object_get(f, "line")), line);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), sev);
	return f;
}

static void expect_password(const struct gb_audit *a, const char *user, const char *path, int line,
			    const char *password, const char *hash_type, const char *source)
{
	const json_t *f = expect(a, "credential.default-password", user, path, line, "critical");
	const json_t *d = json_object_get(f, "details");
	assert_string_equal(json_string_value(json_object_get(d, "password")), password);
	assert_string_equal(json_string_value(json_object_get(d, "hash_type")), hash_type);
	assert_string_equal(json_string_value(json_object_get(d, "candidate_source")), source);
}

static void need_tools(void)
{
	if (!gbt_have_tool("openssl") || !gbt_have_tool("mkpasswd") || !gbt_have_tool("tar")) {
		fprintf(stderr, "openssl, mkpasswd (whois) and tar are needed\n");
		skip();
	}
}

/* Every hash kind, each account on a known line; passwords from the
 * built-in list, from the account name, and one that is not guessable. */
static void test_hash_kinds(void **state)
{
	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc && cd root/etc && printf 'lab-box\\n' > hostname"
	       " && H_MD5=$(openssl passwd -1 -salt Ab3dEf9h admin)"
	       " && H_SHA256=$(openssl passwd -5 -salt saltsaltsalt webadm123)"
	       " && H_SHA512=$(openssl passwd -6 -salt 0123456789abcdef Zte521)"
	       " && H_DES=$(mkpasswd -m descrypt -S xy xc3511)"
	       " && H_YES=$(mkpasswd -m yescrypt modern)"
	       " && H_BCRYPT=$(mkpasswd -m bcrypt -R 5 bcr)"
	       " && H_STRONG=$(openssl passwd -6 -salt fedcba9876543210 'q7#Vz!not-in-any-list')"
	       " && H_INPW=$(openssl passwd -1 -salt Zz9yY8xX 1234)"
	       " && H_GRP=$(openssl passwd -1 -salt GgGgGgGg wheel)"
	       " && H_CTX=$(openssl passwd -6 -salt ctxctxctxctx lab-admin)"
	       " && printf 'root:x:0:0:root:/root:/bin/sh\\n"    /* 1 */
	       "webadm:x:1000:1000:Web Admin:/home/webadm:/bin/sh\\n" /* 2 */
	       "svc:x:1001:1001::/:/bin/false\\n"                 /* 3 */
	       "legacy:x:1002:1002::/:/bin/sh\\n"                  /* 4 */
	       "# a comment line\\n"                               /* 5 */
	       "modern:x:1003:1003::/:/bin/sh\\n"                  /* 6 */
	       "bcr:x:1004:1004::/:/bin/sh\\n"                     /* 7 */
	       "strong:x:1005:1005::/:/bin/sh\\n"                  /* 8 */
	       "guest:x:1006:1006::/:/bin/sh\\n"                   /* 9 */
	       "toor:!:0:0::/root:/bin/sh\\n"                      /* 10 */
	       "inpw:%%s:1007:1007::/:/bin/sh\\n"                  /* 11 */
	       "nopw::1008:1008::/:/bin/sh\\n"                     /* 12 */
	       "daemon:*:1:1::/:/bin/false\\n"                     /* 13 */
	       "admin:x:1009:1009::/:/bin/sh\\n'"                  /* 14 */
	       " \"$H_INPW\" > passwd"
	       " && printf 'root:%%s:19000:0:99999:7:::\\n" /* 1 */
	       "webadm:%%s:19000::::::\\n"                   /* 2 */
	       "svc:%%s:19000::::::\\n"                      /* 3 */
	       "legacy:%%s:19000::::::\\n"                   /* 4 */
	       "\\n"                                         /* 5 */
	       "modern:%%s:19000::::::\\n"                   /* 6 */
	       "bcr:%%s:19000::::::\\n"                      /* 7 */
	       "strong:%%s:19000::::::\\n"                   /* 8 */
	       "guest::19000::::::\\n"                       /* 9 */
	       "daemon:*:19000::::::\\n"                     /* 10 */
	       "admin:%%s:19000::::::\\n'"                   /* 11 */
	       " \"$H_MD5\" \"$H_SHA256\" \"$H_SHA512\" \"$H_DES\" \"$H_YES\" \"$H_BCRYPT\" \"$H_STRONG\" \"$H_CTX\""
	       " > shadow"
	       " && printf 'root:x:0:\\nwheel:%%s:10:root\\n' \"$H_GRP\" > group");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);

	expect_password(a, "root", "/etc/shadow", 1, "admin", "md5", "credentials-list");
	expect_password(a, "webadm", "/etc/shadow", 2, "webadm123", "sha256", "account-name");
	expect_password(a, "svc", "/etc/shadow", 3, "Zte521", "sha512", "credentials-list");
	expect_password(a, "legacy", "/etc/shadow", 4, "xc3511", "des", "credentials-list");
	expect_password(a, "modern", "/etc/shadow", 6, "modern", "yescrypt", "account-name");
	expect_password(a, "bcr", "/etc/shadow", 7, "bcr", "bcrypt", "account-name");
	expect_password(a, "inpw", "/etc/passwd", 11, "1234", "md5", "credentials-list");
	/* host name "lab-box": its part "lab" joined with the user name */
	expect_password(a, "admin", "/etc/shadow", 11, "lab-admin", "sha512", "image-context");
	assert_null(finding(a, "credential.default-password", "user", "strong"));

	const json_t *g = finding(a, "credential.default-password", "group", "wheel");
	assert_non_null(g);
	assert_string_equal(json_string_value(json_object_get(g, "path")), "/etc/group");
	assert_int_equal(json_integer_value(json_object_get(g, "line")), 2);

	/* weak hashes: MD5 and DES, wherever they are */
	const json_t *w = expect(a, "credential.weak-hash", "root", "/etc/shadow", 1, "medium");
	assert_string_equal(json_string_value(json_object_get(json_object_get(w, "details"), "hash_type")), "md5");
	w = expect(a, "credential.weak-hash", "legacy", "/etc/shadow", 4, "medium");
	assert_string_equal(json_string_value(json_object_get(json_object_get(w, "details"), "hash_type")), "des");
	expect(a, "credential.weak-hash", "inpw", "/etc/passwd", 11, "medium");
	assert_null(finding(a, "credential.weak-hash", "user", "svc"));
	assert_null(finding(a, "credential.weak-hash", "user", "modern"));

	/* accounts */
	expect(a, "account.uid0-extra", "toor", "/etc/passwd", 10, "high");
	assert_null(finding(a, "account.uid0-extra", "user", "root"));
	assert_int_equal(count_rule(a, "account.uid0-extra"), 1);
	expect(a, "account.hash-in-passwd", "inpw", "/etc/passwd", 11, "medium");
	assert_int_equal(count_rule(a, "account.hash-in-passwd"), 1);
	expect(a, "account.empty-password", "guest", "/etc/shadow", 9, "critical");
	expect(a, "account.empty-password", "nopw", "/etc/passwd", 12, "critical");
	assert_int_equal(count_rule(a, "account.empty-password"), 2);

	/* the summary: 10 hashes (9 accounts + 1 group), all but one cracked */
	const json_t *c = json_object_get(gb_audit_summary(a), "credentials");
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "hashes")), 10);
	assert_int_equal(json_integer_value(json_object_get(c, "cracked")), 9);
	assert_true(json_integer_value(json_object_get(c, "candidates")) >= 100);
	assert_true(json_is_real(json_object_get(c, "seconds")));
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* --wordlist: a password in no built-in list is found only with it. */
static void test_wordlist(void **state)
{
	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc"
	       " && printf 'root:x:0:0::/root:/bin/sh\\nops:x:1000:1000::/:/bin/sh\\n' > root/etc/passwd"
	       " && printf 'root:!:1::::::\\nops:%%s:1::::::\\n' \"$(openssl passwd -6 -salt wwwwwwwwwwwwwwww"
	       " 'Correct-Horse-42')\" > root/etc/shadow"
	       " && printf 'alpha\\r\\n\\nbeta\\nCorrect-Horse-42\\ngamma\\n' > words.txt");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);
	assert_null(finding(a, "credential.default-password", "user", "ops"));
	gb_audit_free(a);
	gb_scan_free(scan);

	a = audit_image("words.txt", &scan, NULL);
	expect_password(a, "ops", "/etc/shadow", 2, "Correct-Horse-42", "sha512", "wordlist");
	const json_t *c = json_object_get(gb_audit_summary(a), "credentials");
	assert_int_equal(json_integer_value(json_object_get(c, "cracked")), 1);
	gb_audit_free(a);
	gb_scan_free(scan);

	/* an unreadable wordlist is the caller's error, said clearly */
	int r;
	a = audit_image("no-such-words.txt", &scan, &r);
	assert_int_equal(r, -GB_EINVAL);
	assert_non_null(gb_audit_error(a));
	assert_non_null(strstr(gb_audit_error(a), "no-such-words.txt"));
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* --crack-budget: a DES hash (~20 us a try) gets the whole built-in list by
 * default, and only the first ~50 candidates with a 1 ms budget. */
static void test_crack_budget(void **state)
{
	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc"
	       " && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && printf 'root:%%s:1::::::\\n' \"$(mkpasswd -m descrypt -S ab 'Nowhere9')\" > root/etc/shadow");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);
	const json_t *c = json_object_get(gb_audit_summary(a), "credentials");
	assert_int_equal(json_integer_value(json_object_get(c, "hashes")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "capped")), 0);
	gb_audit_free(a);
	gb_scan_free(scan);

	crack_budget_ms = 1;
	a = audit_image(NULL, &scan, NULL);
	crack_budget_ms = 0;
	c = json_object_get(gb_audit_summary(a), "credentials");
	assert_int_equal(json_integer_value(json_object_get(c, "capped")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "cracked")), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* The image's own symlinks are followed: /etc -> rom copies, as OpenWrt
 * and read-only-root firmware do; etc_ro is an etc directory too. */
static void test_symlinks(void **state)
{
	need_tools();
	gbt_sh("rm -rf root && mkdir -p root/etc root/rom/etc root/etc_ro"
	       " && printf 'root:x:0:0::/root:/bin/sh\\n' > root/rom/etc/passwd"
	       " && printf 'root:%%s:1::::::\\n' \"$(openssl passwd -1 -salt rOmRoMrO realtek)\" > root/rom/etc/shadow"
	       " && ln -s ../rom/etc/passwd root/etc/passwd && ln -s /rom/etc/shadow root/etc/shadow"
	       " && printf 'admin:%%s:0:0::/:/bin/sh\\n' \"$(mkpasswd -m descrypt -S ro smcadmin)\""
	       " > root/etc_ro/passwd");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);
	expect_password(a, "root", "/rom/etc/shadow", 1, "realtek", "md5", "credentials-list");
	expect_password(a, "admin", "/etc_ro/passwd", 1, "smcadmin", "des", "credentials-list");
	expect(a, "account.uid0-extra", "admin", "/etc_ro/passwd", 1, "high");
	/* /etc/passwd and /rom/etc/passwd are one file: reported once */
	assert_int_equal(count_rule(a, "credential.default-password"), 2);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* Hostile databases: random bytes, a 100,000-byte line, NULs, too many
 * fields, non-ASCII names; the sane lines among them still count, with
 * their right line numbers. */
static void test_hostile(void **state)
{
	if (!gbt_have_tool("tar") || !gbt_have_tool("python3"))
		skip();
	gbt_sh("rm -rf root && mkdir -p root/etc && python3 -c \""
	       "import random\n"
	       "r = random.Random(7)\n"
	       "junk = bytes(r.getrandbits(8) for _ in range(300000)).replace(b'\\\\n', b'')\n"
	       "lines = [junk[:100000], b'x' * 100000 + b':' + b'y' * 5000, b'a:' * 5000,\n"
	       "         b'nul\\\\0name::0:0::/:/bin/sh', b'\\\\xc3\\\\xa9t\\\\xc3\\\\xa9::0:0::/:/bin/sh',\n"
	       "         b'evil::0:0::/:/bin/sh', b':::::', b'onlyname', b'big:\\\\x246\\\\x24' + b'z' * 100000,\n"
	       "         junk[100000:], b'late:x:0:0::/:/bin/sh']\n"
	       "open('root/etc/passwd', 'wb').write(b'\\\\n'.join(lines) + b'\\\\n')\n"
	       "open('root/etc/shadow', 'wb').write(junk[:5000] + b'\\\\nlate::1::::::\\\\n' + junk[5000:200000])\n"
	       "open('root/etc/group', 'wb').write(junk[:70000])\n"
	       "\"");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);
	expect(a, "account.empty-password", "evil", "/etc/passwd", 6, "critical");
	expect(a, "account.uid0-extra", "evil", "/etc/passwd", 6, "high");
	expect(a, "account.uid0-extra", "late", "/etc/passwd", 11, "high");
	expect(a, "account.empty-password", "late", "/etc/shadow", 2, "critical");
	/* the NUL and non-ASCII names, and the oversized hash, are not accounts */
	assert_int_equal(count_rule(a, "account.uid0-extra"), 2);
	assert_int_equal(count_rule(a, "credential.default-password"), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* A clean skeleton (locked root, no hashes) gives no finding at all. */
static void test_clean(void **state)
{
	if (!gbt_have_tool("tar"))
		skip();
	gbt_sh("rm -rf root && mkdir -p root/etc"
	       " && printf 'root:x:0:0:root:/root:/bin/sh\\ndaemon:x:1:1::/usr/sbin:/bin/false\\n"
	       "nobody:x:65534:65534::/nonexistent:/bin/false\\n' > root/etc/passwd"
	       " && printf 'root:!:19000:0:99999:7:::\\ndaemon:*:19000::::::\\nnobody:*:19000::::::\\n'"
	       " > root/etc/shadow && printf 'root:x:0:\\nnogroup:x:65534:\\n' > root/etc/group");
	pack();

	struct gb_scan *scan;
	struct gb_audit *a = audit_image(NULL, &scan, NULL);
	if (json_array_size(gb_audit_section(a, "findings")))
		dump(a);
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 0);
	const json_t *c = json_object_get(gb_audit_summary(a), "credentials");
	assert_int_equal(json_integer_value(json_object_get(c, "hashes")), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_kinds),
		cmocka_unit_test(test_wordlist),
		cmocka_unit_test(test_crack_budget),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_clean),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
