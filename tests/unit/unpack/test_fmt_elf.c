/* elf: identification of real executables (this test binary, programs from
 * /usr/bin) against the file's own size and readelf's view of it, ELFs carved
 * from a blob, hand-built headers for other machines, and hostile headers
 * (e_shnum = 65535 with e_shoff past the end, truncation, random damage). */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_elf;

static void put16(uint8_t *p, uint16_t v, bool be)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void test_self(void **state)
{
	size_t n;
	struct gb_probe pr;

	/* /proc/self/exe in a shell would be the shell: name this process */
	gbt_sh("cp /proc/%d/exe self.elf", (int)getpid());
	uint8_t *img = gbt_read_file("self.elf", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_true(pr.identify_only);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
#if defined(__x86_64__)
	assert_true(strncmp(pr.variant, "ELF64 LSB X86_64 ", 17) == 0);
#elif defined(__aarch64__)
	assert_true(strncmp(pr.variant, "ELF64 LSB AARCH64 ", 18) == 0);
#endif
	free(img);

	struct gb_scan *s = gbt_scan("self.elf", "out");
	const struct gb_node *e = gbt_node(s, "elf");
	assert_non_null(e);
	assert_true(e->identify_only);
	assert_int_equal(e->offset, 0);
	assert_int_equal(e->size, n);
	gb_scan_free(s);
}

/* The size of an ELF per readelf: max(section table end, every segment's and
 * every non-NOBITS section's file end). */
static unsigned long long readelf_size(const char *path)
{
	char cmd[2048];
	unsigned long long v = 0;
	snprintf(cmd, sizeof(cmd),
		 "readelf -W -h -l -S '%s' | python3 -c '\n"
		 "import re, sys\n"
		 "m = 0; h = {}\n"
		 "for l in sys.stdin:\n"
		 "    k = re.match(r\"  (Start of section headers|Size of section headers|Number of section headers): +([0-9]+)\", l)\n"
		 "    if k: h[k.group(1)] = int(k.group(2))\n"
		 "    s = re.match(r\"  \\[ *[0-9]+\\] \\S* +(\\S+) +([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) \", l)\n"
		 "    if s and s.group(1) not in (\"NULL\", \"NOBITS\"): m = max(m, int(s.group(3), 16) + int(s.group(4), 16))\n"
		 "    p = re.match(r\"  [A-Z_]+ +(0x[0-9a-f]+) 0x[0-9a-f]+ 0x[0-9a-f]+ (0x[0-9a-f]+) \", l)\n"
		 "    if p: m = max(m, int(p.group(1), 16) + int(p.group(2), 16))\n"
		 "print(max(m, h[\"Start of section headers\"] + h[\"Size of section headers\"] * h[\"Number of section headers\"]))\n"
		 "'",
		 path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llu", &v), 1);
	pclose(p);
	return v;
}

static void test_usr_bin(void **state)
{
	static const char *const progs[] = {"/usr/bin/true", "/usr/bin/ls", "/usr/bin/tar", "/usr/bin/gzip",
					    "/usr/bin/readelf"};
	unsigned checked = 0;

	if (!gbt_have_tool("readelf") || !gbt_have_tool("python3")) {
		print_message("readelf or python3 missing\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		size_t n;
		struct gb_probe pr;

		if (gbt_sh_status("test -r %s", progs[i]) != 0)
			continue;
		uint8_t *img = gbt_read_file(progs[i], &n);
		struct gb_span in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
		assert_int_equal(pr.size, readelf_size(progs[i]));
		assert_int_equal(pr.size, n);
		assert_true(strstr(pr.variant, " DYN") || strstr(pr.variant, " EXEC"));
		free(img);
		checked++;
	}
	assert_true(checked >= 2);
}

static void test_carved_from_blob(void **state)
{
	size_t n;

	gbt_sh("cp /usr/bin/true t.elf && head -c 4096 /dev/urandom > blob && cat t.elf >> blob"
	       " && head -c 1234 /dev/zero >> blob && head -c 999 /dev/urandom >> blob");
	free(gbt_read_file("t.elf", &n));
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *e = gbt_node(s, "elf");
	assert_non_null(e);
	assert_int_equal(e->offset, 4096);
	assert_int_equal(e->size, n);
	assert_true(e->identify_only);
	gb_scan_free(s);
}

/* A minimal header for another machine: 32-bit, no sections, one segment. */
static void test_hand_built_headers(void **state)
{
	static const struct {
		bool is64, be;
		uint16_t machine, type;
		const char *variant;
	} cases[] = {
		{false, true, 8, 2, "ELF32 MSB MIPS EXEC"},
		{false, false, 8, 2, "ELF32 LSB MIPS EXEC"},
		{false, false, 40, 3, "ELF32 LSB ARM DYN"},
		{true, false, 183, 2, "ELF64 LSB AARCH64 EXEC"},
		{true, true, 21, 2, "ELF64 MSB PPC64 EXEC"},
		{true, false, 243, 1, "ELF64 LSB RISCV REL"},
		{false, true, 20, 4, "ELF32 MSB PPC CORE"},
		{true, false, 0x4242, 2, "ELF64 LSB EM16962 EXEC"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[512];
		bool be = cases[i].be, is64 = cases[i].is64;
		struct gb_probe pr;

		memset(b, 0, sizeof(b));
		memcpy(b, "\x7f" "ELF", 4);
		b[4] = is64 ? 2 : 1;
		b[5] = be ? 2 : 1;
		b[6] = 1;
		put16(b + 16, cases[i].type, be);
		put16(b + 18, cases[i].machine, be);
		put32(b + 20, 1, be);
		if (is64) {
			b[32 + (be ? 7 : 0)] = 64;       /* e_phoff */
			put16(b + 52, 64, be);           /* e_ehsize */
			put16(b + 54, 56, be);           /* e_phentsize */
			put16(b + 56, 1, be);            /* e_phnum */
			put32(b + 64, 1, be);            /* PT_LOAD */
			b[64 + 8 + (be ? 7 : 0)] = 0;    /* p_offset 0 */
			put16(b + 64 + 32 + (be ? 6 : 0), 300, be); /* p_filesz */
		} else {
			put32(b + 28, 52, be);           /* e_phoff */
			put16(b + 40, 52, be);
			put16(b + 42, 32, be);
			put16(b + 44, 1, be);
			put32(b + 52, 1, be);
			put32(b + 52 + 4, 0, be);
			put32(b + 52 + 16, 300, be);
		}
		struct gb_span in = gb_span_make(b, sizeof(b));
		assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
		assert_string_equal(pr.variant, cases[i].variant);
		assert_int_equal(pr.size, 300);

		/* a segment past the end: still identified, size cut, noted */
		in = gb_span_make(b, 200);
		assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
		assert_int_equal(pr.size, 200);
		assert_non_null(strstr(pr.variant, "truncated"));

		/* broken identification fields */
		uint8_t c[512];
		static const unsigned fields[] = {4, 5, 6, 16, 18, 20};
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			memcpy(c, b, sizeof(c));
			memset(c + fields[f], 0, 4);
			in = gb_span_make(c, sizeof(c));
			assert_int_equal(gb__fmt_elf.probe(&in, &pr), -GB_ENOTFOUND);
		}
	}
}

static void test_hostile_sections(void **state)
{
	size_t n;
	struct gb_probe pr;

	gbt_sh("cp /usr/bin/true t.elf");
	uint8_t *img = gbt_read_file("t.elf", &n);
	assert_int_equal(img[4], 2); /* the patch below is for ELF64 LSB */
	assert_int_equal(img[5], 1);
	/* e_shnum = 65535, e_shstrndx = 65534, e_shoff past the end */
	img[60] = 0xff;
	img[61] = 0xff;
	img[62] = 0xfe;
	img[63] = 0xff;
	uint64_t shoff = (uint64_t)n + 4096;
	for (int i = 0; i < 8; i++)
		img[40 + i] = (uint8_t)(shoff >> (8 * i));
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
	assert_non_null(strstr(pr.variant, "bad-sections"));
	assert_true(pr.size <= n);
	assert_true(pr.size > 64);
	gbt_write_file("bad.elf", img, n);

	/* e_shoff = 2^64 - 8: the arithmetic must not wrap */
	for (int i = 0; i < 8; i++)
		img[40 + i] = i == 0 ? 0xf8 : 0xff;
	assert_int_equal(gb__fmt_elf.probe(&in, &pr), 0);
	assert_non_null(strstr(pr.variant, "bad-sections"));

	/* e_phoff past the end: not an ELF we can size */
	for (int i = 0; i < 8; i++)
		img[32 + i] = 0xff;
	assert_int_equal(gb__fmt_elf.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);

	struct gb_scan *s = gbt_scan("bad.elf", "out");
	const struct gb_node *e = gbt_node(s, "elf");
	assert_non_null(e);
	assert_non_null(e->variant);
	assert_non_null(strstr(e->variant, "bad-sections"));
	gb_scan_free(s);
}

static void test_truncated_and_random_damage(void **state)
{
	size_t n;
	struct gb_probe pr;

	gbt_sh("cp /usr/bin/true t.elf");
	uint8_t *img = gbt_read_file("t.elf", &n);
	/* every truncation either sizes within the data or is refused */
	for (size_t cut = 0; cut < n; cut += n / 97 + 1) {
		struct gb_span in = gb_span_make(img, cut);
		if (gb__fmt_elf.probe(&in, &pr) == 0)
			assert_true(pr.size <= cut);
	}
	/* random damage to the headers: never a read outside the span (ASan) */
	srand(1234);
	uint8_t *c = malloc(n);
	assert_non_null(c);
	for (int round = 0; round < 3000; round++) {
		memcpy(c, img, n);
		for (int k = 0; k < 4; k++)
			c[16 + rand() % 112] = (uint8_t)rand();
		size_t len = round % 3 ? n : (size_t)(rand() % (int)n);
		struct gb_span in = gb_span_make(c, len);
		if (gb__fmt_elf.probe(&in, &pr) == 0)
			assert_true(pr.size <= len);
	}
	free(c);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_self, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_usr_bin, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_carved_from_blob, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hand_built_headers, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile_sections, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated_and_random_damage, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
