/* components: fixtures built at test time (small C programs and shared
 * objects with the banners real builds carry, a gzip'd kernel blob with an
 * IKCONFIG, the host's own BusyBox and C library), packed with tar, scanned
 * with the real engine and audited with only this analyzer.
 *
 * Oracles: the strings we compiled in (their offsets from grep -b), the
 * host's tools about themselves (`busybox --list`, `getconf
 * GNU_LIBC_VERSION`), and the config we wrote. Look-alikes that must not
 * match: an application that only prints the OpenSSL header's banner,
 * OpenSSH's compatibility patterns, a format string, a ppp plugin whose
 * version merely ends like the real one, a blob of 100,000 half anchors.
 *
 * The vulnerability database is replaced by the stubs below (they take
 * precedence over the analyzer's weak references), which check that the
 * facts API (lib/analyze/components.h) hands over the applets and the
 * kernel config. The regex matcher has its own direct tests at the end. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analyze/components.h"
#include "analyze/signatures.h"

static const char *const only[] = {"components"};

static struct gb_scan *scan;
static struct gb_audit *audit;
static bool have_busybox;
static char libc_version[32];

/* ---- vulnerability database stubs ---- */

struct gb_vulndb {
	int dummy;
};
static struct gb_vulndb stub_db;
static int refine_calls;
static int bb_has_ls = -2, bb_has_bogus = -2, k_nf = -2, k_usb = -2, k_nf_short = -2;

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
	assert_ptr_equal(db, &stub_db);
}

int gb_vulndb_match(struct gb_vulndb *db, const char *cpe_part, const char *vendor, const char *product,
		    const char *version, json_t **ret_array)
{
	json_t *a = json_array();
	if (strcmp(vendor, "busybox") == 0 || strcmp(product, "linux_kernel") == 0 ||
	    (strcmp(vendor, "openssl") == 0 && strcmp(version, "1.0.2k") == 0))
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "id", "CVE-0000-0001", "severity", "HIGH",
						   "applicable", 1));
	if (strcmp(vendor, "busybox") == 0)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "id", "CVE-0000-0002", "severity", "LOW",
						   "applicable", 1));
	*ret_array = a;
	return 0;
}

int gb_vulndb_refine(struct gb_vulndb *db, const struct gb_comp_facts *f, json_t *vulns)
{
	refine_calls++;
	if (strcmp(f->name, "BusyBox") == 0) {
		bb_has_ls = gb_comp_facts_applet(f, "ls");
		bb_has_bogus = gb_comp_facts_applet(f, "no-such-applet");
		json_object_set_new(json_array_get(vulns, 0), "applicable", json_false());
	} else if (strcmp(f->name, "Linux") == 0) {
		k_nf = gb_comp_facts_config(f, "CONFIG_NF_TABLES");
		k_nf_short = gb_comp_facts_config(f, "NF_TABLES");
		k_usb = gb_comp_facts_config(f, "CONFIG_USB");
	}
	return 0;
}

/* ---- fixtures ---- */

static const char crypto_c[] =
	"const char banner[] = \"OpenSSL 1.0.2k  26 Jan 2017\";\n"
	"const char *OpenSSL_version(int t) { return t ? \"OPENSSLDIR: \\\"/usr/lib/ssl\\\"\" : banner; }\n";
/* an application built against OpenSSL: the header's banner, none of the library */
static const char app_c[] = "#include <stdio.h>\n"
			    "int main(void) { printf(\"OpenSSL build=%s\\n\", \"OpenSSL 1.1.1w  11 Sep 2023\");\n"
			    "puts(\"OpenSSH_2.3.0*,OpenSSH_2.5.0*,OpenSSH_3.0*\");\n"
			    "puts(\"Linux version %s (%s@%s) (%s) %s\\n\");\n"
			    "return 0; }\n";
static const char dropbear_c[] = "#include <stdio.h>\n"
				 "int main(void) { puts(\"SSH-2.0-dropbear_2019.78\\r\\n\"); return 0; }\n";
static const char pppd_c[] = "#include <stdio.h>\n"
			     "char pppd_version[] = \"2.4.9\";\n"
			     "int main(void) { puts(\"pppoe-discovery from pppd 2.4.9\\n\"); return 0; }\n";
static const char plugin_c[] = "char pppd_version[] = PV;\nint plugin_init(void) { return 0; }\n";

static const char config[] = "#\n# Linux/x86 4.14.180 Kernel Configuration\n#\n"
			     "CONFIG_64BIT=y\nCONFIG_NF_TABLES=m\nCONFIG_NET=y\n"
			     "# CONFIG_USB is not set\nCONFIG_LOCALVERSION=\"\"\nCONFIG_HZ=250\n";
#define CONFIG_ON 3 /* the =y and =m lines above */

static const char mkkernel_py[] =
	"import gzip, random\n"
	"r = random.Random(7)\n"
	"cfg = open('config', 'rb').read()\n"
	"blob = bytes(r.getrandbits(8) for _ in range(20000))\n"
	"blob += b'Linux version 4.14.180 (builder@host) (gcc version 7.3.0 (GCC)) #1 SMP PREEMPT Mon Jan 1 00:00:00 "
	"UTC 2021\\n\\0'\n"
	"blob += bytes(r.getrandbits(8) for _ in range(5000))\n"
	"blob += b'IKCFG_ST' + gzip.compress(cfg, mtime=0) + b'IKCFG_ED'\n"
	"blob += bytes(r.getrandbits(8) for _ in range(3000))\n"
	"open('root/boot/vmlinux.gz', 'wb').write(gzip.compress(blob, mtime=0))\n"
	/* 100,000 anchors without versions, in a blob the analyzer reads */
	"open('root/opt/many.bin', 'wb').write(b'\\x01' + b'Linux version \\x01OpenSSL \\x02' * 100000)\n";

/* A whole text file, NUL-terminated (malloc'd). */
static char *read_text(const char *path)
{
	size_t n;
	char *t = gbt_read_file(path, &n);
	t[n] = '\0'; /* gbt_read_file allocates one byte more */
	return t;
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
	opts.vulndb = "stub.sqlite";
	assert_int_equal(gb_audit_run(*ret_scan, &opts, &a), 0);
	return a;
}

static int setup(void **state)
{
	if (gbt_setup_tmpdir(state) < 0)
		return -1;
	gbt_write_file("crypto.c", crypto_c, strlen(crypto_c));
	gbt_write_file("app.c", app_c, strlen(app_c));
	gbt_write_file("dropbear.c", dropbear_c, strlen(dropbear_c));
	gbt_write_file("pppd.c", pppd_c, strlen(pppd_c));
	gbt_write_file("plugin.c", plugin_c, strlen(plugin_c));
	gbt_write_file("config", config, strlen(config));
	gbt_write_file("mkkernel.py", mkkernel_py, strlen(mkkernel_py));
	gbt_write_file("stub.sqlite", "", 0);
	gbt_sh("mkdir -p root/bin root/usr/bin root/usr/sbin root/usr/lib/pppd/2.4.9 root/lib root/boot root/opt "
	       "root/usr/share/doc/openssl");
	gbt_sh("cc -O0 -shared -fPIC -Wl,-soname,libcrypto.so.1.0.0 -o root/usr/lib/libcrypto.so.1.0.0 crypto.c");
	gbt_sh("cc -O0 -o root/usr/bin/app app.c");
	gbt_sh("cc -O0 -o root/usr/sbin/dropbear dropbear.c");
	gbt_sh("cc -O0 -o root/usr/sbin/pppd pppd.c");
	gbt_sh("cc -O0 -shared -fPIC -DPV='\"2.4.9\"' -o root/usr/lib/pppd/2.4.9/good.so plugin.c");
	gbt_sh("cc -O0 -shared -fPIC -DPV='\"12.4.9\"' -o root/usr/lib/pppd/2.4.9/lookalike.so plugin.c");
	/* text is not read: a changelog line is no copy */
	gbt_sh("printf 'Changes between OpenSSL 1.0.0 29 Mar 2010 and 1.0.1\\n' > root/usr/share/doc/openssl/changelog");
	gbt_sh("python3 mkkernel.py");
	have_busybox = gbt_have_tool("busybox");
	if (have_busybox)
		gbt_sh("cp \"$(command -v busybox)\" root/bin/busybox && busybox --list | LC_ALL=C sort > applets.txt && "
		       "busybox 2>&1 | head -1 | sed -n 's/^BusyBox v\\([0-9.]*\\).*/\\1/p' > bbversion.txt");
	gbt_sh("cp \"$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)\" root/lib/libc.so.6");
	gbt_sh("getconf GNU_LIBC_VERSION | sed 's/^glibc //' > libcversion.txt");
	char *v = read_text("libcversion.txt");
	snprintf(libc_version, sizeof(libc_version), "%.*s", (int)strcspn(v, "\n"), v);
	free(v);
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

static const json_t *component(const char *name, const char *version)
{
	size_t i;
	const json_t *c;
	json_array_foreach(gb_audit_section(audit, "components"), i, c)
	{
		const char *v = json_string_value(json_object_get(c, "version"));
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
		    (version ? v && strcmp(v, version) == 0 : !v))
			return c;
	}
	return NULL;
}

static size_t versions_of(const char *name)
{
	size_t i, n = 0;
	const json_t *c;
	json_array_foreach(gb_audit_section(audit, "components"), i, c)
		n += strcmp(json_string_value(json_object_get(c, "name")), name) == 0;
	return n;
}

static const json_t *copy_at(const json_t *c, const char *path)
{
	size_t i;
	const json_t *cp;
	json_array_foreach(json_object_get(c, "copies"), i, cp)
	{
		if (strcmp(json_string_value(json_object_get(cp, "path")), path) == 0)
			return cp;
	}
	return NULL;
}

/* grep -b: byte offset of the first occurrence of s in the scanned copy of path */
static long grep_offset(const char *path, const char *s)
{
	const struct gb_file *f = gbt_file(scan, NULL, path);
	assert_non_null(f);
	gbt_sh("grep -obUaF '%s' 'out/%s' | head -1 | cut -d: -f1 > off.txt", s, f->disk);
	char *t = read_text("off.txt");
	long off = strtol(t, NULL, 10);
	free(t);
	return off;
}

/* ---- tests ---- */

static void test_openssl_letter_release(void **state)
{
	const json_t *c = component("OpenSSL", "1.0.2k");
	assert_non_null(c);
	assert_int_equal(json_array_size(json_object_get(c, "copies")), 1);
	const json_t *cp = copy_at(c, "/usr/lib/libcrypto.so.1.0.0");
	assert_non_null(cp);
	const json_t *ev = json_object_get(cp, "evidence");
	assert_string_equal(json_string_value(json_object_get(ev, "string")), "OpenSSL 1.0.2k  26 Jan 2017");
	assert_int_equal(json_integer_value(json_object_get(ev, "offset")),
			 grep_offset("/usr/lib/libcrypto.so.1.0.0", "OpenSSL 1.0.2k"));
	assert_string_equal(json_string_value(json_object_get(c, "cpe")),
			    "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*");
	assert_string_equal(json_string_value(json_object_get(c, "purl")), "pkg:generic/openssl@1.0.2k");
	/* the application that only prints the header's banner is no copy, and
	 * the changelog text is not read */
	assert_int_equal(versions_of("OpenSSL"), 1);
}

static void test_lookalikes(void **state)
{
	assert_int_equal(versions_of("OpenSSH"), 0);
	/* one kernel: the format string and the 100,000 bare anchors give nothing */
	assert_int_equal(versions_of("Linux"), 1);
	const json_t *k = component("Linux", "4.14.180");
	assert_non_null(k);
	assert_int_equal(json_array_size(json_object_get(k, "copies")), 1);
}

static void test_dropbear(void **state)
{
	const json_t *c = component("Dropbear", "2019.78");
	assert_non_null(c);
	assert_non_null(copy_at(c, "/usr/sbin/dropbear"));
	assert_string_equal(json_string_value(json_object_get(c, "cpe")),
			    "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2019.78:*:*:*:*:*:*:*");
	assert_int_equal(versions_of("Dropbear"), 1);
}

static void test_kernel_in_gzip(void **state)
{
	const json_t *c = component("Linux", "4.14.180");
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "cpe")),
			    "cpe:2.3:o:linux:linux_kernel:4.14.180:*:*:*:*:*:*:*");
	const json_t *cp = json_array_get(json_object_get(c, "copies"), 0);
	int node = (int)json_integer_value(json_object_get(cp, "node"));
	assert_true(node > 0 && (size_t)node < scan->n_nodes);
	assert_string_equal(scan->nodes[node].format, "gzip");
	assert_string_equal(scan->nodes[node].source_path, "/boot/vmlinux.gz");
	const json_t *ik = json_object_get(cp, "ikconfig");
	assert_true(json_is_true(json_object_get(ik, "present")));
	assert_int_equal(json_integer_value(json_object_get(ik, "options")), CONFIG_ON);
	/* the facts reached the vulnerability database */
	assert_int_equal(k_nf, 1);
	assert_int_equal(k_nf_short, 1);
	assert_int_equal(k_usb, 0);
}

static void test_busybox(void **state)
{
	if (!have_busybox) {
		fprintf(stderr, "busybox not installed (scripts/install-deps): skipped\n");
		skip();
	}
	char *ver = read_text("bbversion.txt");
	ver[strcspn(ver, "\n")] = '\0';
	const json_t *c = component("BusyBox", ver);
	free(ver);
	assert_non_null(c);
	const json_t *cp = copy_at(c, "/bin/busybox");
	assert_non_null(cp);
	/* the applet table equals what busybox itself lists */
	const json_t *apps = json_object_get(cp, "applets");
	char *list = read_text("applets.txt");
	size_t i = 0, count = 0;
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n"), i++) {
		assert_true(i < json_array_size(apps));
		assert_string_equal(json_string_value(json_array_get(apps, i)), line);
		count++;
	}
	free(list);
	assert_int_equal(json_array_size(apps), count);
	assert_int_equal(bb_has_ls, 1);
	assert_int_equal(bb_has_bogus, 0);
	/* the refined vulnerability list: the stub marked the first one not applicable */
	const json_t *v = json_object_get(c, "vulnerabilities");
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "id")), "CVE-0000-0001");
	assert_true(json_is_false(json_object_get(json_array_get(v, 0), "applicable")));
}

static void test_confirmed_plugins(void **state)
{
	const json_t *c = component("pppd", "2.4.9");
	assert_non_null(c);
	assert_non_null(copy_at(c, "/usr/sbin/pppd"));
	const json_t *good = copy_at(c, "/usr/lib/pppd/2.4.9/good.so");
	assert_non_null(good);
	assert_string_equal(json_string_value(json_object_get(json_object_get(good, "evidence"), "method")),
			    "confirmed");
	/* "12.4.9" merely ends like the version */
	assert_null(copy_at(c, "/usr/lib/pppd/2.4.9/lookalike.so"));
	assert_int_equal(json_array_size(json_object_get(c, "copies")), 2);
	assert_int_equal(versions_of("pppd"), 1);
}

static void test_glibc(void **state)
{
	const json_t *c = component("glibc", libc_version);
	assert_non_null(c);
	assert_non_null(copy_at(c, "/lib/libc.so.6"));
	assert_int_equal(versions_of("glibc"), 1);
}

static void test_summary(void **state)
{
	const json_t *sum = gb_audit_summary(audit);
	const json_t *lines = json_object_get(sum, "copy_lines");
	bool ssl = false, ppp = false;
	size_t i;
	const json_t *l;
	json_array_foreach(lines, i, l)
	{
		ssl |= strcmp(json_string_value(l), "1 copy of 1 version of OpenSSL") == 0;
		ppp |= strcmp(json_string_value(l), "2 copies of 1 version of pppd") == 0;
	}
	assert_true(ssl);
	assert_true(ppp);
	assert_int_equal(json_integer_value(json_object_get(sum, "components")),
			 json_array_size(gb_audit_section(audit, "components")));
	assert_true(json_is_true(json_object_get(json_object_get(sum, "vulndb"), "used")));
	assert_true(refine_calls > 0);
	/* OpenSSL 1.0.2k: one applicable HIGH from the stub */
	const json_t *v = json_object_get(sum, "vulnerabilities");
	assert_true(json_integer_value(json_object_get(json_object_get(v, "by_severity"), "high")) >= 2);
}

/* ---- the regex matcher ---- */

static struct gb_sig_re *re(const char *src)
{
	struct gb_sig_re *r = NULL;
	char err[200];
	assert_int_equal(gb__sig_re_compile(src, strlen(src), 0, false, &r, err, sizeof(err)), 0);
	return r;
}

static bool find(struct gb_sig_re *r, const char *data, size_t n, char *out)
{
	const uint8_t *a;
	size_t pmin, pmax, alen = gb__sig_re_anchor(r, &a, &pmin, &pmax);
	const uint8_t *p = (const uint8_t *)data;
	unsigned long budget = 1000000;
	for (size_t i = 0; alen && i + alen <= n; i++) {
		struct gb_sig_match m;
		if (memcmp(p + i, a, alen) == 0 && gb__sig_re_find_at_anchor(r, p, n, i, &m, &budget)) {
			snprintf(out, 64, "%.*s", (int)(m.vend - m.vstart), data + m.vstart);
			return true;
		}
	}
	return false;
}

static void test_regex(void **state)
{
	char v[64];
	struct gb_sig_re *r = re("Dropbear( sshd| server| client)? v?([0-9]{4}\\.[0-9]+)");
	const uint8_t *a;
	size_t pmin, pmax;
	assert_int_equal(gb__sig_re_anchor(r, &a, &pmin, &pmax), 8);
	assert_memory_equal(a, "Dropbear", 8);
	assert_true(find(r, "xx Dropbear server v2022.83\n", 28, v));
	assert_string_equal(v, "2022.83");
	assert_true(find(r, "Dropbear 2019.78", 16, v));
	assert_string_equal(v, "2019.78");
	assert_false(find(r, "Dropbear v20.1", 14, v));
	gb__sig_re_free(r);

	/* the anchor may follow a bounded prefix; NULs are bytes */
	static const char gmp[] = "\xff" "6.2.1\0\0\0ABC";
	r = re("([0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2})\\0{1,8}ABC");
	assert_true(find(r, gmp, sizeof(gmp) - 1, v));
	assert_string_equal(v, "6.2.1");
	/* boundaries: the whole number, never the tail of a longer one */
	static const char longer[] = "116.2.1\0ABC";
	assert_false(find(r, longer, sizeof(longer) - 1, v));
	assert_true(find(r, longer + 1, sizeof(longer) - 2, v));
	assert_string_equal(v, "16.2.1");
	gb__sig_re_free(r);

	r = re("OpenSSL ([0-3]\\.[0-9]+\\.[0-9]+[a-z]{0,2}) {1,2}[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}");
	assert_true(find(r, "OpenSSL 1.0.2zf  21 Jun 2022", 28, v));
	assert_string_equal(v, "1.0.2zf");
	assert_false(find(r, "OpenSSL 1.0.0 or later", 22, v));
	/* a version glued to more digits is refused, not cut */
	assert_false(find(r, "OpenSSL 1.0.23 1 Jan 2020", 25, v) && strcmp(v, "1.0.2") == 0);
	gb__sig_re_free(r);

	/* full matches for SONAMEs; alternation must not stop at the first branch */
	r = NULL;
	char err[200];
	static const char soname[] = "libc(?:|rypto)\\.so\\.[0-9.]+";
	assert_int_equal(gb__sig_re_compile(soname, strlen(soname), 0, true, &r, err, sizeof(err)), 0);
	assert_true(gb__sig_re_full(r, "libcrypto.so.1.1", 16));
	assert_true(gb__sig_re_full(r, "libc.so.6", 9));
	assert_false(gb__sig_re_full(r, "libcrypto.so.1.1x", 17));
	gb__sig_re_free(r);

	/* syntax errors and unanchorable patterns are refused with a message */
	const char *bad[] = {"abc(", "a{3,1}", "[z-a]", "x\\q", "^abc", "a{999}", "(a)(b)(c)(d)(e)(f)(g)(h)(i)"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = NULL;
		err[0] = '\0';
		assert_int_equal(gb__sig_re_compile(bad[i], strlen(bad[i]), 0, true, &r, err, sizeof(err)), -GB_EINVAL);
		assert_null(r);
		assert_true(strlen(err) > 0);
	}
	/* catastrophic backtracking is cut by the step budget, not by time */
	r = re("(?:a*)*b(x)");
	char aaa[2000];
	memset(aaa, 'a', sizeof(aaa));
	struct gb_sig_match m;
	assert_false(gb__sig_re_match_at(r, (const uint8_t *)aaa, sizeof(aaa), 0, &m));
	gb__sig_re_free(r);
}

/* The shipped database loads, and every component names a CPE and purl. */
static void test_database(void **state)
{
	extern const unsigned char gb__components_json[];
	extern const size_t gb__components_json_len;
	struct gb_sig_db *db = NULL;
	char err[512];
	assert_int_equal(gb__sig_db_load((const char *)gb__components_json, gb__components_json_len, &db, err,
					 sizeof(err)),
			 0);
	assert_true(db->n_comps >= 40);
	for (size_t i = 0; i < db->n_comps; i++) {
		assert_true(strlen(db->comps[i].vendor) > 0 && strlen(db->comps[i].product) > 0);
		assert_true(strncmp(db->comps[i].purl, "pkg:", 4) == 0);
	}
	gb__sig_db_free(db);
	/* a bad entry is named in the message */
	static const char bad[] = "{\"components\": [{\"name\": \"X\", \"cpe\": \"x:x\", \"purl\": \"pkg:generic/x\", "
				  "\"patterns\": [{\"regex\": \"ab(\"}]}]}";
	db = NULL;
	assert_int_equal(gb__sig_db_load(bad, strlen(bad), &db, err, sizeof(err)), -GB_EINVAL);
	assert_non_null(strstr(err, "X"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_letter_release),
		cmocka_unit_test(test_lookalikes),
		cmocka_unit_test(test_dropbear),
		cmocka_unit_test(test_kernel_in_gzip),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_confirmed_plugins),
		cmocka_unit_test(test_glibc),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_database),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
