/* elf: small C programs compiled at test time with and without each
 * protection (cc flags are the oracle: -fstack-protector-all imports
 * __stack_chk_fail, -z norelro drops PT_GNU_RELRO...), plus binutils (nm -D,
 * objdump -d) as independent counters for the _chk imports, the fortifiable
 * functions of the image's own libc and the call sites. The tree is packed
 * with tar, scanned with the real engine and audited with only this analyzer.
 * Cross compilers (mips, powerpc, arm, aarch64, i686), when installed, give
 * foreign-architecture call-site checks; the test says when it skips them. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const only[] = {"elf"};

static struct gb_scan *scan;
static struct gb_audit *audit;

/* strcpy three times, sprintf twice, at -O0 -fno-builtin so that every call stays a call */
static const char calls_c[] = "#include <stdio.h>\n#include <string.h>\n"
			      "char a[64], b[64];\n"
			      "int main(int argc, char **argv)\n{\n"
			      "\tstrcpy(a, argv[0]);\n\tstrcpy(b, a);\n\tstrcpy(a + 1, b);\n"
			      "\tsprintf(b, \"%d\", argc);\n\tsprintf(a, \"%s%d\", b, argc);\n"
			      "\treturn a[0] + b[0];\n}\n";
/* a local buffer (canary material) and a fortifiable copy into a fixed buffer */
static const char prot_c[] = "#include <string.h>\n#include <stdio.h>\n"
			     "int main(int argc, char **argv)\n{\n"
			     "\tchar buf[16];\n\tstrcpy(buf, argv[0]);\n\tmemcpy(buf + 1, argv[0], (size_t)argc);\n"
			     "\tputs(buf);\n\treturn buf[2];\n}\n";
static const char exec_c[] = "#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
			     "int main(int argc, char **argv)\n{\n"
			     "\tFILE *f = popen(argv[0], \"r\");\n\tif (argc > 2) execvp(argv[1], argv + 1);\n"
			     "\treturn system(argv[0]) + (f != NULL);\n}\n";
static const char lib_c[] = "int libx_f(int x) { return x + 1; }\n";

/* Cross compilers tried for the call-site program: name, binary path in the image. */
static const char *const cross[][2] = {
	{"mips-linux-gnu-gcc", "/bin/calls-mips"},        {"mipsel-linux-gnu-gcc", "/bin/calls-mipsel"},
	{"powerpc-linux-gnu-gcc", "/bin/calls-ppc"},      {"arm-linux-gnueabihf-gcc", "/bin/calls-armhf"},
	{"arm-linux-gnueabi-gcc", "/bin/calls-armel"},    {"aarch64-linux-gnu-gcc", "/bin/calls-arm64"},
	{"i686-linux-gnu-gcc", "/bin/calls-i686"},        {"powerpc64le-linux-gnu-gcc", "/bin/calls-ppc64el"},
	{"mips64el-linux-gnuabi64-gcc", "/bin/calls-mips64el"},
};
#define N_CROSS (sizeof(cross) / sizeof(cross[0]))
static bool have_cross[N_CROSS];
static bool have_m32;

static void cc(const char *src, const char *out, const char *flags)
{
	gbt_sh("cc %s -o root%s %s", src, out, flags);
}

static struct gb_audit *run_audit(const char *img, const char *out, struct gb_scan **ret_scan)
{
	struct gb_audit_opts opts;
	struct gb_audit *a = NULL;

	*ret_scan = gbt_scan(img, out);
	assert_non_null(*ret_scan);
	gb_audit_opts_init(&opts);
	opts.jobs = 2;
	opts.only = only;
	opts.n_only = 1;
	assert_int_equal(gb_audit_run(*ret_scan, &opts, &a), 0);
	return a;
}

static int setup(void **state)
{
	if (gbt_setup_tmpdir(state) < 0)
		return -1;
	gbt_write_file("calls.c", calls_c, strlen(calls_c));
	gbt_write_file("prot.c", prot_c, strlen(prot_c));
	gbt_write_file("exec.c", exec_c, strlen(exec_c));
	gbt_write_file("lib.c", lib_c, strlen(lib_c));
	/* merged /usr: the image's libc is found through the image's own /lib link */
	gbt_sh("mkdir -p root/bin root/usr/lib/x86_64-linux-gnu root/opt && ln -s usr/lib root/lib");
	gbt_sh("cp \"$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)\" root/usr/lib/x86_64-linux-gnu/libc.so.6");

	cc("prot.c", "/bin/nocanary", "-O0 -fno-stack-protector");
	cc("prot.c", "/bin/canary", "-O0 -fstack-protector-all");
	cc("prot.c", "/bin/nopie", "-O0 -fno-PIE -no-pie");
	cc("prot.c", "/bin/pie", "-O0 -fPIE -pie");
	cc("prot.c", "/bin/norelro", "-O0 -Wl,-z,norelro");
	cc("prot.c", "/bin/partial", "-O0 -Wl,-z,relro -Wl,-z,lazy");
	cc("prot.c", "/bin/full", "-O0 -Wl,-z,relro -Wl,-z,now");
	cc("prot.c", "/bin/execstack", "-O0 -Wl,-z,execstack");
	cc("prot.c", "/bin/noexecstack", "-O0 -Wl,-z,noexecstack");
	cc("prot.c", "/bin/fortify", "-O2 -D_FORTIFY_SOURCE=2");
	cc("prot.c", "/bin/static", "-O0 -static -fstack-protector-all");
	cc("calls.c", "/bin/calls", "-O0 -fno-builtin");
	cc("calls.c", "/bin/calls-noplt", "-O0 -fno-builtin -fno-plt");
	cc("calls.c", "/bin/calls-ibt", "-O0 -fno-builtin -fcf-protection=full -Wl,-z,ibtplt");
	cc("calls.c", "/bin/calls-now", "-O0 -fno-builtin -Wl,-z,now");
	cc("exec.c", "/bin/exec", "-O0 -fno-builtin");
	gbt_sh("strip -o root/bin/calls-stripped root/bin/calls");
	gbt_sh("cc -shared -fPIC -Wl,-soname,libx.so.1 -o root/opt/libx.so.1 lib.c");
	gbt_sh("cc -O0 -o root/bin/rpath prot.c -Wl,--no-as-needed -Lroot/opt -l:libx.so.1 "
	       "-Wl,--disable-new-dtags,-rpath,/opt/r");
	gbt_sh("cc -O0 -o root/bin/runpath prot.c -Wl,--enable-new-dtags,-rpath,/opt/u");
	gbt_sh("cc -c -o root/opt/obj.o prot.c");
	/* hostile: cut short, and a section table far past the end */
	gbt_sh("head -c 200 root/bin/calls > root/opt/truncated");
	gbt_sh("cp root/bin/calls root/opt/badsections && printf '\\377\\377\\377\\177' | "
	       "dd of=root/opt/badsections bs=1 seek=40 conv=notrunc status=none");
	have_m32 = gbt_sh_status("cc -m32 -O0 -fno-builtin -o root/bin/calls-m32 calls.c 2>/dev/null") == 0;
	for (size_t i = 0; i < N_CROSS; i++)
		have_cross[i] = gbt_have_tool(cross[i][0]) &&
				gbt_sh_status("%s -O0 -fno-builtin -o root%s calls.c", cross[i][0], cross[i][1]) == 0;
	gbt_sh("tar -C root --owner=0 --group=0 -cf img.tar .");
	audit = run_audit("img.tar", "out", &scan);
	return 0;
}

static int teardown(void **state)
{
	gb_audit_free(audit);
	gb_scan_free(scan);
	return gbt_teardown_tmpdir(state);
}

/* ---- lookups ---- */

static const json_t *item(const char *path)
{
	size_t i;
	const json_t *e;
	json_array_foreach(gb_audit_section(audit, "elf"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0)
			return e;
	}
	fprintf(stderr, "no elf item for %s\n", path);
	fail();
	return NULL;
}

static const json_t *field(const char *path, const char *key)
{
	const json_t *v = json_object_get(item(path), key);
	assert_non_null(v);
	return v;
}

static void expect_bool(const char *path, const char *key, bool v)
{
	const json_t *j = field(path, key);
	if (!json_is_boolean(j) || json_is_true(j) != v)
		fprintf(stderr, "%s: %s should be %s\n", path, key, v ? "true" : "false");
	assert_true(json_is_boolean(j));
	assert_int_equal(json_is_true(j), v);
}

static void expect_null(const char *path, const char *key)
{
	assert_true(json_is_null(field(path, key)));
}

static void expect_str(const char *path, const char *key, const char *v)
{
	const char *s = json_string_value(field(path, key));
	if (!s || strcmp(s, v) != 0)
		fprintf(stderr, "%s: %s is %s, expected %s\n", path, key, s ? s : "(not a string)", v);
	assert_non_null(s);
	assert_string_equal(s, v);
}

static long call_sites(const char *path, const char *fn)
{
	size_t i;
	const json_t *u;
	json_array_foreach(field(path, "unsafe_imports"), i, u)
	{
		if (strcmp(json_string_value(json_object_get(u, "name")), fn) == 0) {
			const json_t *c = json_object_get(u, "call_sites");
			return json_is_null(c) ? -2 : (long)json_integer_value(c);
		}
	}
	return -1;
}

static const json_t *finding(const char *rule, const char *path)
{
	size_t i;
	const json_t *f;
	json_array_foreach(gb_audit_section(audit, "findings"), i, f)
	{
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
			return f;
	}
	return NULL;
}

/* The number printed by a shell pipeline (binutils as the oracle). */
static long sh_count(const char *cmd)
{
	size_t n;
	gbt_sh("%s > count.txt", cmd);
	char *s = gbt_read_file("count.txt", &n);
	long v = strtol(s, NULL, 10);
	free(s);
	return v;
}

/* ---- tests ---- */

static void test_identity(void **state)
{
	expect_str("/bin/pie", "machine", "X86_64");
	assert_int_equal(json_integer_value(field("/bin/pie", "class")), 64);
	expect_str("/bin/pie", "endian", "little");
	expect_str("/bin/pie", "type", "DYN");
	expect_str("/bin/nopie", "type", "EXEC");
	expect_str("/opt/obj.o", "type", "REL");
	expect_str("/bin/pie", "interpreter", "/lib64/ld-linux-x86-64.so.2");
	expect_null("/opt/libx.so.1", "interpreter");
	expect_str("/opt/libx.so.1", "soname", "libx.so.1");
	expect_null("/bin/pie", "soname");
	const json_t *needed = field("/bin/rpath", "needed");
	assert_int_equal(json_array_size(needed), 2);
	assert_string_equal(json_string_value(json_array_get(needed, 0)), "libx.so.1");
	assert_string_equal(json_string_value(json_array_get(needed, 1)), "libc.so.6");
	expect_str("/bin/rpath", "rpath", "/opt/r");
	expect_null("/bin/rpath", "runpath");
	expect_str("/bin/runpath", "runpath", "/opt/u");
	expect_null("/bin/runpath", "rpath");
	if (have_m32) {
		expect_str("/bin/calls-m32", "machine", "386");
		assert_int_equal(json_integer_value(field("/bin/calls-m32", "class")), 32);
	}
	static const char *const machine[N_CROSS] = {"MIPS", "MIPS", "PPC", "ARM", "ARM", "AARCH64", "386", "PPC64", "MIPS"};
	for (size_t i = 0; i < N_CROSS; i++) {
		if (!have_cross[i])
			continue;
		expect_str(cross[i][1], "machine", machine[i]);
		bool be = strcmp(cross[i][1], "/bin/calls-mips") == 0 || strcmp(cross[i][1], "/bin/calls-ppc") == 0;
		expect_str(cross[i][1], "endian", be ? "big" : "little");
		bool is64 = strstr(cross[i][1], "64") != NULL;
		assert_int_equal(json_integer_value(field(cross[i][1], "class")), is64 ? 64 : 32);
	}
}

static void test_canary(void **state)
{
	expect_bool("/bin/nocanary", "canary", false);
	expect_bool("/bin/canary", "canary", true);
	assert_non_null(finding("elf.no-canary", "/bin/nocanary"));
	assert_null(finding("elf.no-canary", "/bin/canary"));
}

static void test_pie(void **state)
{
	expect_bool("/bin/nopie", "pie", false);
	expect_bool("/bin/pie", "pie", true);
	expect_bool("/opt/libx.so.1", "pie", false); /* a library is DYN without PT_INTERP */
	assert_non_null(finding("elf.no-pie", "/bin/nopie"));
	assert_null(finding("elf.no-pie", "/bin/pie"));
	assert_null(finding("elf.no-pie", "/opt/libx.so.1"));
}

static void test_relro(void **state)
{
	expect_str("/bin/norelro", "relro", "none");
	expect_str("/bin/partial", "relro", "partial");
	expect_str("/bin/full", "relro", "full");
	assert_non_null(finding("elf.no-relro", "/bin/norelro"));
	assert_null(finding("elf.no-relro", "/bin/partial"));
	assert_null(finding("elf.no-relro", "/bin/full"));
}

static void test_nx(void **state)
{
	expect_bool("/bin/execstack", "nx", false);
	expect_bool("/bin/noexecstack", "nx", true);
	assert_non_null(finding("elf.no-nx", "/bin/execstack"));
	assert_null(finding("elf.no-nx", "/bin/noexecstack"));
}

static void test_fortify(void **state)
{
	long chk = sh_count("nm -D --undefined-only root/bin/fortify | grep -E ' __[A-Za-z0-9_]+_chk(@|$)' | "
			    "grep -v __stack_chk_fail | wc -l");
	assert_true(chk >= 1);
	expect_bool("/bin/fortify", "fortify", true);
	assert_int_equal(json_integer_value(field("/bin/fortify", "fortified")), chk);
	expect_bool("/bin/nocanary", "fortify", false);
	assert_int_equal(json_integer_value(field("/bin/nocanary", "fortified")), 0);

	/* fortifiable: imports F or __F_chk such that the image's libc exports __F_chk */
	gbt_sh("nm -D --defined-only root/usr/lib/x86_64-linux-gnu/libc.so.6 | awk '{print $3}' | "
	       "sed -n 's/@.*//; s/^__\\(.*\\)_chk$/\\1/p' | sort -u > libc_chk.txt");
	const char *bins[] = {"/bin/fortify", "/bin/nocanary", "/bin/calls"};
	for (size_t i = 0; i < 3; i++) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "nm -D --undefined-only root%s | awk '{print $2}' | sed 's/@.*//; s/^__\\(.*\\)_chk$/\\1/' | "
			 "sort -u | comm -12 libc_chk.txt - | wc -l",
			 bins[i]);
		long want = sh_count(cmd);
		const json_t *got = field(bins[i], "fortifiable");
		if (json_integer_value(got) != want)
			fprintf(stderr, "%s: fortifiable %lld, want %ld\n", bins[i], json_integer_value(got), want);
		assert_int_equal(json_integer_value(got), want);
	}
	assert_true(json_integer_value(field("/bin/fortify", "fortifiable")) >= 2); /* strcpy, memcpy */
}

static void expect_calls(const char *path, long strcpy_sites, long sprintf_sites)
{
	long a = call_sites(path, "strcpy"), b = call_sites(path, "sprintf");
	if (a != strcpy_sites || b != sprintf_sites)
		fprintf(stderr, "%s: strcpy %ld sprintf %ld, expected %ld %ld\n", path, a, b, strcpy_sites,
			sprintf_sites);
	assert_int_equal(a, strcpy_sites);
	assert_int_equal(b, sprintf_sites);
}

static void test_call_sites(void **state)
{
	/* the source has 3 and 2; objdump agrees on the host build */
	assert_int_equal(sh_count("objdump -d root/bin/calls | grep -cE 'call.*<strcpy@plt>'"), 3);
	expect_calls("/bin/calls", 3, 2);
	expect_calls("/bin/calls-stripped", 3, 2);
	expect_calls("/bin/calls-noplt", 3, 2); /* call *slot(%rip) */
	expect_calls("/bin/calls-ibt", 3, 2);   /* .plt.sec */
	expect_calls("/bin/calls-now", 3, 2);
	if (have_m32)
		expect_calls("/bin/calls-m32", 3, 2);
	else
		fprintf(stderr, "note: cc -m32 unavailable, i386 call sites not checked here\n");
	for (size_t i = 0; i < N_CROSS; i++) {
		if (have_cross[i])
			expect_calls(cross[i][1], 3, 2);
		else
			fprintf(stderr, "note: %s unavailable, skipped\n", cross[i][0]);
	}
	assert_int_equal(call_sites("/bin/exec", "popen"), 1);
	assert_int_equal(call_sites("/bin/exec", "execvp"), 1);
	assert_int_equal(call_sites("/bin/exec", "system"), 1);
	assert_int_equal(call_sites("/bin/calls", "memcpy"), -1); /* not imported */
}

static void test_static_and_stripped(void **state)
{
	expect_bool("/bin/static", "static", true);
	expect_null("/bin/static", "canary");
	expect_null("/bin/static", "fortify");
	expect_null("/bin/static", "fortified");
	expect_null("/bin/static", "fortifiable");
	assert_null(finding("elf.no-canary", "/bin/static"));
	expect_bool("/bin/pie", "static", false);
	expect_bool("/bin/calls", "stripped", false);
	expect_bool("/bin/calls-stripped", "stripped", true);
}

static void test_findings(void **state)
{
	const json_t *f = finding("elf.unsafe-function", "/bin/calls");
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "low");
	const json_t *d = json_object_get(f, "details");
	assert_int_equal(json_integer_value(json_object_get(d, "call_sites")), 5);
	assert_int_equal(json_array_size(json_object_get(d, "functions")), 2);
	/* REL objects: no hardening findings */
	assert_null(finding("elf.no-nx", "/opt/obj.o"));
	assert_null(finding("elf.no-relro", "/opt/obj.o"));
	assert_null(finding("elf.no-pie", "/opt/obj.o"));
	assert_null(finding("elf.no-canary", "/opt/obj.o"));
	/* one finding per rule and binary */
	size_t i, n = 0;
	json_array_foreach(gb_audit_section(audit, "findings"), i, f)
	{
		n += strcmp(json_string_value(json_object_get(f, "path")), "/bin/nocanary") == 0 &&
		     strcmp(json_string_value(json_object_get(f, "rule")), "elf.no-canary") == 0;
		const char *sev = json_string_value(json_object_get(f, "severity"));
		assert_true(strcmp(sev, "low") == 0 || strcmp(sev, "info") == 0);
	}
	assert_int_equal(n, 1);
}

static void test_summary(void **state)
{
	const json_t *fam = json_object_get(gb_audit_summary(audit), "unsafe_call_sites");
	long want = 0;
	size_t i;
	const json_t *e, *u;
	assert_non_null(fam);
	json_array_foreach(gb_audit_section(audit, "elf"), i, e)
	{
		size_t j;
		json_array_foreach(json_object_get(e, "unsafe_imports"), j, u)
		{
			const char *n = json_string_value(json_object_get(u, "name"));
			if (strcmp(n, "strcpy") == 0 || strcmp(n, "strncpy") == 0 || strcmp(n, "strcat") == 0 ||
			    strcmp(n, "strncat") == 0 || strcmp(n, "stpcpy") == 0)
				want += (long)json_integer_value(json_object_get(u, "call_sites"));
		}
	}
	assert_true(want >= 15);
	assert_int_equal(json_integer_value(json_object_get(fam, "strcpy-like")), want);
	assert_int_equal(json_integer_value(json_object_get(fam, "exec-like")), 3);
}

static void test_hostile(void **state)
{
	/* present, no crash; whatever libelf could not read is said, not guessed */
	const json_t *t = item("/opt/truncated");
	assert_non_null(t);
	const json_t *b = item("/opt/badsections");
	assert_non_null(b);
	expect_str("/opt/badsections", "machine", "X86_64");
}

static void test_no_libc(void **state)
{
	struct gb_scan *s2;
	gbt_sh("mkdir -p nolibc/bin && cp root/bin/fortify nolibc/bin/ && tar -C nolibc -cf nolibc.tar .");
	struct gb_audit *a2 = run_audit("nolibc.tar", "nolibc.out", &s2);
	const json_t *e = json_array_get(gb_audit_section(a2, "elf"), 0);
	assert_non_null(e);
	assert_true(json_is_null(json_object_get(e, "fortifiable")));
	assert_true(json_is_true(json_object_get(e, "fortify")));
	gb_audit_free(a2);
	gb_scan_free(s2);
}

/* The libc is looked up per architecture: a foreign program (an i686 or ARM
 * helper beside x86-64 ones) that is audited first must not make the x86-64
 * programs' libc "absent", nor get the x86-64 libc as its own. It is made the
 * largest file (audited first) and the audit runs on one thread, so the order
 * that once made this fail intermittently is the order every time. */
static void test_libc_per_arch(void **state)
{
	static const char *const foreign[] = {"i686-linux-gnu-gcc", "aarch64-linux-gnu-gcc",
					      "arm-linux-gnueabihf-gcc"};
	const char *xcc = NULL;
	(void)state;
	for (size_t i = 0; !xcc && i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (gbt_have_tool(foreign[i]) &&
		    gbt_sh_status("%s -O0 -fno-builtin -o calls-foreign calls.c 2>/dev/null", foreign[i]) == 0)
			xcc = foreign[i];
	if (!xcc) {
		fprintf(stderr, "SKIP: test_libc_per_arch: no cross compiler (i686, aarch64, armhf)\n");
		return;
	}
	gbt_sh("rm -rf pa && mkdir -p pa/bin pa/usr/lib/x86_64-linux-gnu && ln -s usr/lib pa/lib"
	       " && cp root/usr/lib/x86_64-linux-gnu/libc.so.6 pa/usr/lib/x86_64-linux-gnu/"
	       " && cp root/bin/fortify pa/bin/fortify"
	       " && cp calls-foreign pa/bin/foreign && head -c 16000000 /dev/zero >> pa/bin/foreign"
	       " && tar -C pa --owner=0 --group=0 -cf pa.tar .");
	long want = sh_count("nm -D --undefined-only pa/bin/fortify | awk '{print $2}' | "
			     "sed 's/@.*//; s/^__\\(.*\\)_chk$/\\1/' | sort -u | comm -12 libc_chk.txt - | wc -l");
	assert_true(want >= 2);

	struct gb_scan *s2 = gbt_scan("pa.tar", "pa.out");
	struct gb_audit_opts opts;
	struct gb_audit *a2 = NULL;
	gb_audit_opts_init(&opts);
	opts.jobs = 1;
	opts.only = only;
	opts.n_only = 1;
	assert_int_equal(gb_audit_run(s2, &opts, &a2), 0);
	const json_t *fo = NULL, *fg = NULL, *e;
	size_t i;
	json_array_foreach(gb_audit_section(a2, "elf"), i, e) {
		const char *path = json_string_value(json_object_get(e, "path"));
		if (strcmp(path, "/bin/fortify") == 0)
			fo = e;
		if (strcmp(path, "/bin/foreign") == 0)
			fg = e;
	}
	assert_non_null(fo);
	assert_non_null(fg);
	if (json_integer_value(json_object_get(fo, "fortifiable")) != want)
		fprintf(stderr, "%s beside x86-64: fortifiable %lld, want %ld\n", xcc,
			json_integer_value(json_object_get(fo, "fortifiable")), want);
	assert_int_equal(json_integer_value(json_object_get(fo, "fortifiable")), want);
	assert_true(json_is_null(json_object_get(fg, "fortifiable"))); /* no libc of its own */
	gb_audit_free(a2);
	gb_scan_free(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),    cmocka_unit_test(test_canary),
		cmocka_unit_test(test_pie),         cmocka_unit_test(test_relro),
		cmocka_unit_test(test_nx),          cmocka_unit_test(test_fortify),
		cmocka_unit_test(test_call_sites),  cmocka_unit_test(test_static_and_stripped),
		cmocka_unit_test(test_findings),    cmocka_unit_test(test_summary),
		cmocka_unit_test(test_hostile),     cmocka_unit_test(test_no_libc),
		cmocka_unit_test(test_libc_per_arch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
