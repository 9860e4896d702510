/* The FDT walker: node paths and properties checked against Debian's fdtget
 * on blobs compiled by dtc, and hand-built hostile structure blocks. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <util/fdt.h>

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A blob with the given structure block and strings block. Caller frees. */
static uint8_t *make_blob(const uint8_t *st, size_t st_len, const char *strings, size_t str_len,
			  size_t *ret_n)
{
	size_t n = 40 + 16 + st_len + str_len;
	uint8_t *b = calloc(1, n);

	assert_non_null(b);
	put_be32(b, GB_FDT_MAGIC);
	put_be32(b + 4, (uint32_t)n);
	put_be32(b + 8, 56);
	put_be32(b + 12, (uint32_t)(56 + st_len));
	put_be32(b + 16, 40);
	put_be32(b + 20, 17);
	put_be32(b + 24, 16);
	put_be32(b + 32, (uint32_t)str_len);
	put_be32(b + 36, (uint32_t)st_len);
	memcpy(b + 56, st, st_len);
	memcpy(b + 56 + st_len, strings, str_len);
	*ret_n = n;
	return b;
}

struct listing {
	char text[8192];
	size_t len;
	unsigned max_depth;
};

static int list_cb(void *ctx, const struct gb_fdt_item *it)
{
	struct listing *l = ctx;
	const char *k = it->kind == GB_FDT_NODE_BEGIN ? "B" : it->kind == GB_FDT_NODE_END ? "E" : "P";

	if (it->depth > l->max_depth)
		l->max_depth = it->depth;
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s %u %s %s%s", k,
				   it->depth, it->path, it->name, it->kind == GB_FDT_PROPERTY ? "=" : "");
	if (it->kind == GB_FDT_PROPERTY)
		for (uint32_t i = 0; i < it->value_len; i++)
			l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%02x",
						   it->value[i]);
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "\n");
	assert_true(l->len < sizeof(l->text));
	return 0;
}

static void test_hand_built_walk(void **state)
{
	/* / { a = <0x2a>; child@1 { s = "hi"; grand { }; }; }; */
	uint8_t st[128];
	size_t o = 0, n;
	memset(st, 0, sizeof(st));
	put_be32(st + o, 1); o += 4; o += 4;                           /* "" */
	put_be32(st + o, 3); put_be32(st + o + 4, 4); put_be32(st + o + 8, 0); put_be32(st + o + 12, 42); o += 16;
	put_be32(st + o, 4); o += 4;                                   /* NOP */
	put_be32(st + o, 1); memcpy(st + o + 4, "child@1", 8); o += 12;
	put_be32(st + o, 3); put_be32(st + o + 4, 3); put_be32(st + o + 8, 2); memcpy(st + o + 12, "hi", 3); o += 16;
	put_be32(st + o, 1); memcpy(st + o + 4, "grand", 6); o += 12;
	put_be32(st + o, 2); o += 4;
	put_be32(st + o, 2); o += 4;
	put_be32(st + o, 2); o += 4;
	put_be32(st + o, 9); o += 4;
	uint8_t *b = make_blob(st, o, "a\0s\0", 4, &n);
	struct gb_span in = gb_span_make(b, n);
	struct gb_fdt fdt;
	struct listing l = {.len = 0};

	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(fdt.totalsize, n);
	assert_int_equal(gb_fdt_walk(&fdt, list_cb, &l), 0);
	assert_string_equal(l.text,
			    "B 0 / \n"
			    "P 0 / a=0000002a\n"
			    "B 1 /child@1 child@1\n"
			    "P 1 /child@1 s=686900\n"
			    "B 2 /child@1/grand grand\n"
			    "E 2 /child@1/grand grand\n"
			    "E 1 /child@1 child@1\n"
			    "E 0 / \n");
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), 0);

	/* the value offset points at the value inside the blob */
	struct gb_fdt_item it = {.kind = GB_FDT_PROPERTY, .value = b + 56 + 20, .value_len = 4};
	uint32_t v;
	assert_int_equal(gb_fdt_prop_u32(&it, &v), 0);
	assert_int_equal(v, 42);
	it.value_len = 3;
	assert_int_equal(gb_fdt_prop_u32(&it, &v), -GB_ECORRUPT);
	it.value = (const uint8_t *)"abc";
	assert_null(gb_fdt_prop_str(&it));
	it.value = (const uint8_t *)"ab\0";
	assert_string_equal(gb_fdt_prop_str(&it), "ab");

	/* every truncation of the structure block is refused */
	for (size_t cut = 4; cut < o; cut += 4) {
		uint8_t *c = make_blob(st, cut, "a\0s\0", 4, &n);
		struct gb_span cin = gb_span_make(c, n);
		int r = gb_fdt_open(&cin, &fdt);
		/* too small a block for a root node is refused by the header check */
		assert_int_equal(r, cut < 8 ? -GB_ECORRUPT : 0);
		if (r == 0)
			assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
		free(c);
	}
	/* a name without its NUL in the strings block */
	uint8_t *c = make_blob(st, o, "a\0ss", 4, &n);
	in = gb_span_make(c, n);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
	free(c);
	free(b);
}

static int stop_at_grand(void *ctx, const struct gb_fdt_item *it)
{
	return it->kind == GB_FDT_NODE_BEGIN && strcmp(it->name, "grand") == 0 ? 7 : 0;
}

static void test_callback_stops(void **state)
{
	uint8_t st[64];
	size_t o = 0, n;
	memset(st, 0, sizeof(st));
	put_be32(st + o, 1); o += 8;
	put_be32(st + o, 1); memcpy(st + o + 4, "grand", 6); o += 12;
	put_be32(st + o, 0x77); o += 4; /* junk after the stop point is never read */
	uint8_t *b = make_blob(st, o, "", 1, &n);
	struct gb_span in = gb_span_make(b, n);
	struct gb_fdt fdt;
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, stop_at_grand, NULL), 7);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
	free(b);
}

static void test_caps(void **state)
{
	struct gb_fdt fdt;
	size_t n;

	/* nesting past GB_FDT_MAX_DEPTH */
	size_t depth = GB_FDT_MAX_DEPTH + 2, o = 0;
	uint8_t *st = calloc(depth * 12 + 8, 1);
	for (size_t i = 0; i < depth; i++) {
		put_be32(st + o, 1);
		memcpy(st + o + 4, "abcdefg", 8);
		o += 12;
	}
	uint8_t *b = make_blob(st, o, "", 1, &n);
	struct gb_span in = gb_span_make(b, n);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
	free(b);
	free(st);

	/* a path longer than GB_FDT_PATH_MAX with few levels */
	size_t nl = 200, lv = 4;
	st = calloc(lv * (4 + nl + 4) + 8, 1);
	o = 0;
	put_be32(st + o, 1);
	o += 8;
	for (size_t i = 0; i < lv; i++) {
		put_be32(st + o, 1);
		memset(st + o + 4, 'x', nl);
		o += (4 + nl + 1 + 3) & ~(size_t)3;
	}
	b = make_blob(st, o, "", 1, &n);
	in = gb_span_make(b, n);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
	free(b);
	free(st);

	/* more tokens than GB_FDT_MAX_TOKENS (all NOPs) */
	size_t nt = GB_FDT_MAX_TOKENS + 8;
	st = calloc(nt, 4);
	put_be32(st, 1); /* root */
	for (size_t i = 2; i < nt; i++)
		put_be32(st + 4 * i, 4);
	b = make_blob(st, nt * 4, "", 1, &n);
	in = gb_span_make(b, n);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), -GB_ECORRUPT);
	free(b);
	free(st);
}

static void test_header_checks(void **state)
{
	uint8_t st[16];
	size_t n;
	struct gb_fdt fdt;

	memset(st, 0, sizeof(st));
	put_be32(st, 1);
	put_be32(st + 8, 2);
	put_be32(st + 12, 9);
	uint8_t *b = make_blob(st, sizeof(st), "", 1, &n);
	struct gb_span in = gb_span_make(b, n);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, NULL, NULL), 0);
	in = gb_span_make(b, n - 1);
	assert_int_equal(gb_fdt_open(&in, &fdt), -GB_ETRUNC);
	in = gb_span_make(b, 39);
	assert_int_equal(gb_fdt_open(&in, &fdt), -GB_ENOTFOUND);
	in = gb_span_make(b, n);
	b[0] = 0xd1;
	assert_int_equal(gb_fdt_open(&in, &fdt), -GB_ENOTFOUND);
	b[0] = 0xd0;
	/* version 16: size_dt_struct is not used */
	put_be32(b + 20, 16);
	put_be32(b + 36, 0xffffffff);
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(fdt.size_struct, n - 56);
	put_be32(b + 20, 15);
	assert_int_equal(gb_fdt_open(&in, &fdt), -GB_ECORRUPT);
	put_be32(b + 20, 17);
	put_be32(b + 36, sizeof(st));
	/* a reservation map without its terminator */
	put_be32(b + 40, 1);
	assert_int_equal(gb_fdt_open(&in, &fdt), -GB_ECORRUPT);
	free(b);
}

/* Paths and property names match fdtget's view of a dtc-compiled blob. */
static void test_against_fdtget(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n"
		"/ { model = \"m\"; compatible = \"a,b\";\n"
		"  cpus { #address-cells = <1>; #size-cells = <0>;\n"
		"    cpu@0 { reg = <0>; device_type = \"cpu\"; }; cpu@1 { reg = <1>; }; };\n"
		"  soc { uart@1000 { reg = <0x1000 0x100>; status = \"okay\"; }; empty { }; };\n"
		"};\n";

	if (!gbt_have_tool("dtc") || !gbt_have_tool("fdtget")) {
		print_message("dtc or fdtget missing (device-tree-compiler)\n");
		skip();
	}
	gbt_write_file("t.dts", dts, sizeof(dts) - 1);
	gbt_sh("dtc -q -I dts -O dtb -o t.dtb t.dts");
	size_t n;
	uint8_t *b = gbt_read_file("t.dtb", &n);
	struct gb_span in = gb_span_make(b, n);
	struct gb_fdt fdt;
	struct listing l = {.len = 0};
	assert_int_equal(gb_fdt_open(&in, &fdt), 0);
	assert_int_equal(gb_fdt_walk(&fdt, list_cb, &l), 0);
	assert_int_equal(l.max_depth, 2);

	/* for every node we saw, fdtget lists the same properties and children */
	char *save = NULL, *text = strdup(l.text);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char kind, path[256];
		unsigned d;
		if (sscanf(line, "%c %u %255s", &kind, &d, path) != 3 || kind != 'B')
			continue;
		char mine[2048] = "", mykids[2048] = "";
		/* properties and direct children of path, in order */
		size_t plen = strlen(path);
		char *s2 = NULL, *t2 = strdup(l.text);
		for (char *x = strtok_r(t2, "\n", &s2); x; x = strtok_r(NULL, "\n", &s2)) {
			char k2, p2[256], nm[256];
			unsigned d2;
			if (sscanf(x, "%c %u %255s %255[^=]", &k2, &d2, p2, nm) != 4)
				continue;
			if (k2 == 'P' && strcmp(p2, path) == 0) {
				strcat(mine, nm);
				strcat(mine, "\n");
			}
			if (k2 == 'B' && d2 == d + 1 && strncmp(p2, path, plen) == 0 &&
			    (plen == 1 || p2[plen] == '/')) {
				strcat(mykids, nm);
				strcat(mykids, "\n");
			}
		}
		free(t2);
		gbt_sh("fdtget -p t.dtb '%s' > want.p && fdtget -l t.dtb '%s' > want.l", path, path);
		size_t wn;
		char *want = gbt_read_file("want.p", &wn);
		want[wn] = '\0';
		assert_string_equal(mine, want);
		free(want);
		want = gbt_read_file("want.l", &wn);
		want[wn] = '\0';
		assert_string_equal(mykids, want);
		free(want);
	}
	free(text);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_built_walk),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_against_fdtget),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
