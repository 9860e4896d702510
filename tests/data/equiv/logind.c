/* logind: a tiny login daemon written for glassbox's equivalence tests
 * (tests/unit/diff/test_equiv.c, tests/e2e/test_equiv.py, bench/equiv).
 *
 * Built twice in directories of the same path length at different
 * SOURCE_DATE_EPOCH values, the outputs differ only in the build-id, the
 * embedded __FILE__ path, DW_AT_comp_dir and the __DATE__/__TIME__ banner.
 * -DEXTRA_HASH=0x0c6e796fu plants a backdoor: pw_hash("letmein") is
 * accepted for every user, a one-constant change in check_password(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EXTRA_HASH
#define EXTRA_HASH 0x8badf00du /* no password hashes to this */
#endif

static const char banner[] = "logind 1.0 built " __DATE__ " " __TIME__;
static const char srcfile[] = __FILE__;

__attribute__((noinline)) uint32_t pw_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

__attribute__((noinline)) int check_password(const char *user, const char *pw)
{
	uint32_t h = pw_hash(pw);
	if (strcmp(user, "admin") == 0 && h == 0x4f9f2cabu)
		return 1;
	if (h == EXTRA_HASH)
		return 1;
	return 0;
}

__attribute__((noinline)) void log_attempt(const char *user, int ok)
{
	fprintf(stderr, "%s: login %s for %s (%s)\n", srcfile, ok ? "ok" : "failed", user, banner);
}

__attribute__((noinline)) int read_line(FILE *f, char *buf, size_t n)
{
	if (!fgets(buf, (int)n, f))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int main(void)
{
	char user[64], pw[64];
	while (read_line(stdin, user, sizeof(user)) == 0 && read_line(stdin, pw, sizeof(pw)) == 0) {
		int ok = check_password(user, pw);
		log_attempt(user, ok);
		puts(ok ? "welcome" : "denied");
	}
	return 0;
}
