/* What kind of file this is, when no container format covers it: a cheap look
 * at the first bytes (libmagic would be slower and says more than the report
 * needs). The names are listed in docs/report.md. */
#include <string.h>

#include "unpack/engine.h"

const char *gb__kind_for_format(const struct gb_format *fmt)
{
	switch (fmt->kind) {
	case GB_KIND_FIRMWARE:
		return "firmware";
	case GB_KIND_COMPRESSED:
		return "compressed";
	case GB_KIND_ARCHIVE:
		return "archive";
	case GB_KIND_FILESYSTEM:
		return "filesystem";
	case GB_KIND_EXECUTABLE:
		return "elf";
	case GB_KIND_DEVICETREE:
		return "devicetree";
	}
	return "data";
}

static bool contains(const struct gb_span *d, size_t limit, const char *needle)
{
	size_t n = d->n < limit ? d->n : limit;
	return memmem(d->p, n, needle, strlen(needle)) != NULL;
}

/* Mostly printable text in the first 4 KiB (UTF-8 bytes allowed). */
static bool looks_text(const struct gb_span *d)
{
	size_t n = d->n < 4096 ? d->n : 4096;
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = d->p[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b)
			bad++;
	}
	return bad * 50 <= n;
}

const char *gb__classify(const struct gb_span *d, const char *path)
{
	if (d->n == 0)
		return "empty";
	if (d->n >= 4 && memcmp(d->p, "\x7f" "ELF", 4) == 0)
		return "elf";
	if (d->n >= 2 && d->p[0] == '#' && d->p[1] == '!') {
		if (contains(d, 128, "sh") && !contains(d, 128, "python") && !contains(d, 128, "perl"))
			return "shell-script";
		return "script";
	}
	if (contains(d, 1 << 16, "PRIVATE KEY-----") || contains(d, 64, "PuTTY-User-Key-File"))
		return "private-key";
	if (contains(d, 1 << 16, "-----BEGIN CERTIFICATE-----"))
		return "certificate";
	if (contains(d, 1 << 16, "-----BEGIN PUBLIC KEY-----") || contains(d, 64, "ssh-rsa ") ||
	    contains(d, 64, "ssh-ed25519 ") || contains(d, 64, "ecdsa-sha2-"))
		return "public-key";
	if (looks_text(d))
		return "text";
	(void)path;
	return "data";
}
