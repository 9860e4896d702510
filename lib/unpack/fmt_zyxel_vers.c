/* zyxel_vers: the "VERS" block ZyXEL's GS1900 / XGS1210 / XGS1250 switch boot
 * loaders look for in a firmware image to match it to the hardware.
 *
 * Layout followed: OpenWrt's writer, the image step Build/zyxel-vers of
 * target/linux/realtek/image/Makefile (appended after the compressed kernel,
 * inside the uImage, for the ZYXEL_VERS hardware codes such as AAZI, AAHI,
 * ABTY). Plain text:
 *     "VERS\n"
 *     then one line per hardware code: "V9.99(AAZI.0) | 01/31/2024\n"
 *            (V<digits>.<digits>(<code>.<digits>) | mm/dd/yyyy)
 * Nothing follows it in OpenWrt's images; the block has no length field.
 *
 * probe checks: "VERS\n" and at least one (at most 16) such lines, each
 * exactly of that shape (code of 1..8 letters or digits, month 01..12, day
 * 01..31). Size: through the last such line. unpack records the codes,
 * version and date; there is nothing to extract.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define VERS_MAX_LINES 16
#define VERS_MAX_LINE 64

struct vers_line {
	size_t len;              /* bytes including the newline */
	char version[40], code[9], date[11];
};

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static bool is_alnum(uint8_t c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Digits at p[*i..], at least 1 and at most max; advances *i. */
static bool digits(const uint8_t *p, size_t n, size_t *i, size_t max)
{
	size_t k = 0;

	while (*i < n && k < max && is_digit(p[*i])) {
		(*i)++;
		k++;
	}
	return k > 0;
}

static bool lit(const uint8_t *p, size_t n, size_t *i, const char *s)
{
	size_t l = strlen(s);

	if (n - *i < l || memcmp(p + *i, s, l) != 0)
		return false;
	*i += l;
	return true;
}

static int two(const uint8_t *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* One line "V9.99(AAZI.0) | 01/31/2024\n" at p (n bytes available). */
static bool parse_line(const uint8_t *p, size_t n, struct vers_line *l)
{
	size_t i = 0, code_at, code_end, ver_end, date_at;

	if (n > VERS_MAX_LINE)
		n = VERS_MAX_LINE;
	if (!lit(p, n, &i, "V") || !digits(p, n, &i, 4) || !lit(p, n, &i, ".") ||
	    !digits(p, n, &i, 4) || !lit(p, n, &i, "("))
		return false;
	code_at = i;
	while (i < n && i - code_at < 8 && is_alnum(p[i]))
		i++;
	code_end = i;
	if (code_end == code_at || !lit(p, n, &i, ".") || !digits(p, n, &i, 4) ||
	    !lit(p, n, &i, ")"))
		return false;
	ver_end = i;
	if (!lit(p, n, &i, " | "))
		return false;
	date_at = i;
	if (n - i < 11 || !is_digit(p[i]) || !is_digit(p[i + 1]) || p[i + 2] != '/' ||
	    !is_digit(p[i + 3]) || !is_digit(p[i + 4]) || p[i + 5] != '/' || !is_digit(p[i + 6]) ||
	    !is_digit(p[i + 7]) || !is_digit(p[i + 8]) || !is_digit(p[i + 9]) || p[i + 10] != '\n')
		return false;
	if (two(p + i) < 1 || two(p + i) > 12 || two(p + i + 3) < 1 || two(p + i + 3) > 31)
		return false;
	l->len = i + 11;
	memcpy(l->version, p, ver_end);
	l->version[ver_end] = 0;
	memcpy(l->code, p + code_at, code_end - code_at);
	l->code[code_end - code_at] = 0;
	memcpy(l->date, p + date_at, 10);
	l->date[10] = 0;
	return true;
}

/* Walks the block: its size, and the codes joined by ",". */
static int read_block(const struct gb_span *in, uint64_t *size, struct vers_line *first,
		      char *codes, size_t codes_cap)
{
	uint64_t off = 5;
	unsigned n = 0;
	size_t k = 0;
	struct vers_line l;

	if (!gb_span_eq(in, 0, "VERS\n", 5))
		return -GB_ENOTFOUND;
	if (codes_cap)
		codes[0] = 0;
	while (n < VERS_MAX_LINES && off < in->n &&
	       parse_line(in->p + off, (size_t)(in->n - off), &l)) {
		if (n == 0)
			*first = l;
		if (codes_cap)
			k += (size_t)snprintf(codes + k, codes_cap - k, "%s%s", n ? "," : "", l.code);
		off += l.len;
		n++;
	}
	if (n == 0)
		return -GB_ENOTFOUND;
	*size = off;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	uint64_t size;
	struct vers_line first;

	if (read_block(in, &size, &first, NULL, 0) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = size;
	ret->confidence = GB_CONF_MEDIUM;
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	uint64_t size;
	struct vers_line first;
	char codes[VERS_MAX_LINES * 10 + 1];

	(void)p;
	if (read_block(in, &size, &first, codes, sizeof(codes)) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "ZyXEL VERS block no longer valid");
	gb_unpack_set_attr(u, "hw_codes", codes);
	gb_unpack_set_attr(u, "version", first.version);
	gb_unpack_set_attr(u, "date", first.date);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("VERS\nV", 0),
};

const struct gb_format gb__fmt_zyxel_vers = {
	.name = "zyxel_vers",
	.description = "ZyXEL switch VERS hardware-code block",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
