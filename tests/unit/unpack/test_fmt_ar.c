/* ar: archives made by binutils' ar (GNU long-name table) and a Debian
 * package made by dpkg-deb, whose data.tar is carved again; hand-built
 * hostile members. The oracle is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_ar;

static void test_gnu_ar(void **state)
{
	if (!gbt_have_tool("ar"))
		skip();
	gbt_sh("mkdir -p src && printf 'one\\n' > src/a.o && head -c 3001 /dev/urandom > src/odd.bin"
	       " && seq 1 5000 > src/a-member-name-longer-than-sixteen-bytes.txt"
	       " && cd src && ar rcU ../t.a a.o odd.bin a-member-name-longer-than-sixteen-bytes.txt");
	struct gb_scan *s = gbt_scan("t.a", "out");
	const struct gb_node *n = gbt_node(s, "ar");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	struct stat st;
	assert_int_equal(stat("t.a", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);
	gbt_assert_file_matches(s, "ar", "/a.o", "src/a.o");
	gbt_assert_file_matches(s, "ar", "/odd.bin", "src/odd.bin");
	gbt_assert_file_matches(s, "ar", "/a-member-name-longer-than-sixteen-bytes.txt",
				"src/a-member-name-longer-than-sixteen-bytes.txt");
	gb_scan_free(s);
}

/* A .deb: debian-binary, control.tar.*, data.tar.*; the data tar is found
 * inside its compressed member and unpacked. */
static void test_deb(void **state)
{
	if (!gbt_have_tool("dpkg-deb"))
		skip();
	gbt_sh("mkdir -p pkg/DEBIAN pkg/usr/bin && printf 'Package: gbtest\\nVersion: 1.0\\n"
	       "Architecture: all\\nMaintainer: t <t@example.org>\\nDescription: test\\n'"
	       " > pkg/DEBIAN/control && printf '#!/bin/sh\\necho hi\\n' > pkg/usr/bin/hello"
	       " && chmod 755 pkg/usr/bin/hello && dpkg-deb -Zxz --root-owner-group -b pkg t.deb"
	       " >/dev/null");
	struct gb_scan *s = gbt_scan("t.deb", "out");
	const struct gb_node *n = gbt_node(s, "ar");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_non_null(gbt_file(s, "ar", "/debian-binary"));
	assert_non_null(gbt_file(s, "ar", "/data.tar.xz"));
	/* two tar nodes (control, data): any node */
	gbt_assert_file_matches(s, NULL, "/usr/bin/hello", "pkg/usr/bin/hello");
	gbt_assert_mode(s, NULL, "/usr/bin/hello", 0755);
	gb_scan_free(s);
}

/* One member header: name, size; data and the pad byte follow. */
static size_t put_member(uint8_t *p, const char *name, const char *data, size_t n)
{
	char h[61];
	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "100644", n);
	memcpy(p, h, 60);
	memcpy(p + 60, data, n);
	size_t len = 60 + n;
	if (len & 1)
		p[len++] = '\n';
	return len;
}

/* Names that climb out, an absolute name, a size past the end. */
static void test_hostile(void **state)
{
	uint8_t buf[4096];
	size_t n = 0;

	memcpy(buf, "!<arch>\n", 8);
	n = 8;
	n += put_member(buf + n, "../../escape/", "evil", 4);
	n += put_member(buf + n, "/etc/passwd/", "root", 4);
	n += put_member(buf + n, "ok.txt/", "fine\n", 5);
	gbt_write_file("h.a", buf, n);
	gbt_sh("mkdir -p box");
	struct gb_scan *s = gbt_scan("h.a", "box/out");
	const struct gb_node *node = gbt_node(s, "ar");
	assert_non_null(node);
	assert_int_equal(node->size, n);
	assert_non_null(gbt_file(s, "ar", "/ok.txt"));
	assert_int_equal(access("escape", F_OK), -1);
	assert_int_equal(access("box/escape", F_OK), -1);
	/* recorded as the archive says, written to lost+found, with a note */
	const struct gb_file *f = gbt_file(s, "ar", "/../../escape");
	assert_non_null(f);
	assert_non_null(f->note);
	assert_non_null(strstr(f->disk, "lost+found"));
	/* an absolute name stays inside the container root */
	f = gbt_file(s, "ar", "/etc/passwd");
	assert_non_null(f);
	assert_null(f->note);
	assert_non_null(strstr(f->disk, "etc/passwd"));
	gb_scan_free(s);

	/* a member whose size runs past the end: the archive ends before it */
	n = 8;
	n += put_member(buf + n, "a/", "1234", 4);
	size_t cut = n;
	n += put_member(buf + n, "b/", "5678", 4);
	memcpy(buf + cut + 48, "999999    ", 10);
	struct gb_probe pr;
	struct gb_span sp = gb_span_make(buf, n);
	assert_int_equal(gb__fmt_ar.probe(&sp, &pr), 0);
	assert_int_equal(pr.size, cut);

	/* no member at all, or a broken first header: not ar */
	sp = gb_span_make(buf, 8);
	assert_int_equal(gb__fmt_ar.probe(&sp, &pr), -GB_ENOTFOUND);
	buf[8 + 58] = 'x';
	sp = gb_span_make(buf, n);
	assert_int_equal(gb__fmt_ar.probe(&sp, &pr), -GB_ENOTFOUND);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gnu_ar),
		T(test_deb),
		T(test_hostile),
	};
	return cmocka_run_group_tests_name("fmt_ar", tests, NULL, NULL);
}
