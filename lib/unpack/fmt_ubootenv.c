/* ubootenv: a U-Boot environment block, as saved in flash (or made by
 * mkenvimage), found anywhere in a flash dump.
 *
 * Layout (CRC in the target's byte order: little-endian on most boards,
 * big-endian on PowerPC/MIPS BE; both are tried):
 *    0  u32 crc      zlib CRC-32 of the data area [hdr, size)
 *    4  u8  flags    redundant environments only (CONFIG_ENV_OFFSET_REDUND /
 *                    mkenvimage -r): 1 active, 0 obsolete
 *  hdr  data         "name=value\0name=value\0...\0\0", then padding (0x00 or
 *                    0xff) to the end of the block; the CRC covers the padding
 * hdr is 4 (single) or 5 (redundant). The block size is the board's
 * CONFIG_ENV_SIZE: one of 0x800 ... 0x40000 (powers of two) is tried.
 *
 * There is no magic. The carving magics are well-known variable names
 * ("bootcmd=", "baudrate=" ...) at offset 4 and 5 (a block whose first
 * variable is one of them; U-Boot saves the variables sorted, and default
 * environments start with bootargs/bootcmd) and at offset 0 (for the
 * heuristic below).
 *
 * probe checks, in order:
 *  1. CRC: the data at 4 (then 5) parses as NUL-separated name=value pairs
 *     (names printable without '=', values without control characters other
 *     than tab) ended by a double NUL, and the CRC over [hdr, size)
 *     matches for one candidate size that holds the data: variant "single" or
 *     "redundant" (+ "-be"), high confidence, size = the block size.
 *  2. Heuristic, when no CRC matches: the data at 0 parses the same way, its
 *     first name is one of the well-known names, it has at least 3 variables,
 *     one of them bootcmd or bootargs (a default environment compiled into a
 *     U-Boot binary, or a block whose CRC is damaged): variant "nocrc", low
 *     confidence, size = up to the double NUL.
 *
 * unpack writes the variables as env.txt (name=value lines) and attaches them
 * to the node as attrs "var.<name>", with "crc_ok", "detection" ("crc" or
 * "heuristic"), "redundant", "flags" and
 * "console" (the last console= of bootargs, else the console variable, else
 * "baudrate=<baudrate>"). The report builds its top-level "env" section from
 * these (docs/report.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#define ENV_MIN_VARS_HEURISTIC 3
#define ENV_MAX_SIZE 0x40000U
/* One name=value pair longer than this is not an environment (Linux caps the
 * command line at a few KiB); it also bounds the walk at every candidate. */
#define ENV_MAX_PAIR 0x4000U

static const uint32_t env_sizes[] = {0x800, 0x1000, 0x2000, 0x4000, 0x8000,
				     0x10000, 0x20000, 0x40000};

/* Names that start environments; also the carving magics (see the bottom). */
static const char *const known_names[] = {
	"bootargs", "bootcmd", "bootdelay", "baudrate", "arch", "autoload", "board",
	"bootfile", "ethaddr", "ethact", "ipaddr", "loadaddr", "serverip", "fdt_high",
};

struct env_parse {
	uint64_t end;   /* offset (in the span) just past the terminating double NUL */
	unsigned n_vars;
	bool has_boot;  /* a bootcmd or bootargs variable */
	bool first_known;
};

static bool name_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '=';
}

/* Values with line breaks are legal in U-Boot but rare; refusing them keeps
 * a text file full of "bootcmd=" lines from being walked to its end at every
 * candidate (each line break stops the walk). */
static bool value_char(uint8_t c)
{
	return c >= 0x20 ? c != 0x7f : c == '\t';
}

static bool is_known(const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < sizeof(known_names) / sizeof(known_names[0]); i++)
		if (strlen(known_names[i]) == len && memcmp(known_names[i], name, len) == 0)
			return true;
	return false;
}

static bool is_boot_name(const uint8_t *name, size_t len)
{
	return (len == 7 && memcmp(name, "bootcmd", 7) == 0) ||
	       (len == 8 && memcmp(name, "bootargs", 8) == 0);
}

/* Parse the pairs starting at off, reading at most `limit` bytes of the span. */
static bool parse_env(const struct gb_span *in, uint64_t off, uint64_t limit, struct env_parse *ret)
{
	uint64_t end = off + limit < in->n ? off + limit : in->n;
	uint64_t i = off;

	memset(ret, 0, sizeof(*ret));
	while (i < end) {
		uint64_t name = i;

		if (in->p[i] == 0) {
			if (ret->n_vars == 0)
				return false;
			ret->end = i + 1;
			return true;
		}
		while (i < end && name_char(in->p[i]) && i - name < ENV_MAX_PAIR)
			i++;
		if (i == name || i >= end || in->p[i] != '=')
			return false;
		if (ret->n_vars == 0)
			ret->first_known = is_known(in->p + name, i - name);
		if (is_boot_name(in->p + name, i - name))
			ret->has_boot = true;
		i++;
		while (i < end && in->p[i] != 0) {
			if (!value_char(in->p[i]) || i - name > ENV_MAX_PAIR)
				return false;
			i++;
		}
		if (i >= end)
			return false;
		i++; /* the NUL ending the pair */
		ret->n_vars++;
	}
	return false;
}

static uint32_t crc_span(uint32_t crc, const uint8_t *p, uint64_t n)
{
	return (uint32_t)crc32(crc, p, (uInt)n); /* n <= ENV_MAX_SIZE */
}

/* The block size whose CRC over [hdr, size) matches, or 0. *be is set when
 * the CRC is stored big-endian. */
static uint32_t match_crc(const struct gb_span *in, unsigned hdr, uint64_t data_end, bool *be)
{
	uint32_t want_le, want_be, crc = crc32(0, Z_NULL, 0);
	uint64_t done = hdr;

	if (gb_rd_u32le(in, 0, &want_le) < 0 || gb_rd_u32be(in, 0, &want_be) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(env_sizes) / sizeof(env_sizes[0]); i++) {
		uint64_t size = env_sizes[i];

		if (size > in->n)
			break;
		if (size < data_end)
			continue;
		crc = crc_span(crc, in->p + done, size - done);
		done = size;
		if (crc == want_le || crc == want_be) {
			*be = crc != want_le;
			return (uint32_t)size;
		}
	}
	return 0;
}

struct env_layout {
	unsigned hdr;     /* 4, 5, or 0 (heuristic) */
	uint32_t size;    /* block size, or the heuristic's data length */
	bool be;
};

static bool find_layout(const struct gb_span *in, struct env_layout *ret)
{
	struct env_parse ep;

	for (unsigned hdr = 4; hdr <= 5; hdr++) {
		if (!parse_env(in, hdr, ENV_MAX_SIZE - hdr, &ep))
			continue;
		ret->size = match_crc(in, hdr, ep.end, &ret->be);
		if (ret->size) {
			ret->hdr = hdr;
			return true;
		}
	}
	if (parse_env(in, 0, ENV_MAX_SIZE, &ep) && ep.first_known && ep.has_boot &&
	    ep.n_vars >= ENV_MIN_VARS_HEURISTIC) {
		ret->hdr = 0;
		ret->size = (uint32_t)ep.end;
		ret->be = false;
		return true;
	}
	return false;
}

static const char *variant_name(const struct env_layout *l)
{
	if (l->hdr == 0)
		return "nocrc";
	if (l->hdr == 4)
		return l->be ? "single-be" : "single";
	return l->be ? "redundant-be" : "redundant";
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct env_layout l;

	if (!find_layout(in, &l))
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = l.size;
	ret->confidence = l.hdr ? GB_CONF_HIGH : GB_CONF_LOW;
	snprintf(ret->variant, sizeof(ret->variant), "%s", variant_name(&l));
	return 0;
}

/* --- unpack ---------------------------------------------------------------- */

struct env_out {
	struct gb_unpack *u;
	struct gb_wfile *f;
	char console[256];      /* derived console, "" when none */
	char baudrate[64];
	char console_var[192];
	int err;
	bool attrs_full;
};

static void copy_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* The last "console=" token of a bootargs value. */
static void console_from_bootargs(struct env_out *o, const uint8_t *v, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i++) {
		size_t j;

		if (memcmp(v + i, "console=", 8) != 0 || (i > 0 && v[i - 1] != ' '))
			continue;
		for (j = i + 8; j < n && v[j] != ' '; j++)
			;
		copy_str(o->console, sizeof(o->console), v + i + 8, j - i - 8);
	}
}

static void take_var(struct env_out *o, const uint8_t *pair, size_t n, size_t eq)
{
	char key[300];
	char *value;
	int r;

	if (o->f && o->err == 0) {
		o->err = gb_wfile_write(o->f, pair, n);
		if (o->err == 0)
			o->err = gb_wfile_write(o->f, "\n", 1);
	}
	if (eq == 8 && memcmp(pair, "bootargs", 8) == 0)
		console_from_bootargs(o, pair + 9, n - 9);
	else if (eq == 8 && memcmp(pair, "baudrate", 8) == 0)
		copy_str(o->baudrate, sizeof(o->baudrate), pair + 9, n - 9);
	else if (eq == 7 && memcmp(pair, "console", 7) == 0)
		copy_str(o->console_var, sizeof(o->console_var), pair + 8, n - 8);
	if (o->attrs_full)
		return;
	/* names longer than the key buffer are cut (they are never real names) */
	snprintf(key, sizeof(key), "var.%.*s", (int)(eq < 290 ? eq : 290), (const char *)pair);
	value = strndup((const char *)pair + eq + 1, n - eq - 1);
	if (!value) {
		o->err = -GB_ENOMEM;
		return;
	}
	r = gb_unpack_set_attr(o->u, key, value);
	free(value);
	if (r == -GB_ELIMIT)
		o->attrs_full = true;
	else if (r < 0)
		o->err = r;
}

static void walk_vars(struct env_out *o, const struct gb_span *in, uint64_t off)
{
	uint64_t i = off;

	while (i < in->n && in->p[i] != 0 && o->err == 0) {
		const uint8_t *pair = in->p + i;
		size_t n = strnlen((const char *)pair, in->n - i);
		const uint8_t *eq = memchr(pair, '=', n);

		if (eq)
			take_var(o, pair, n, (size_t)(eq - pair));
		i += n + 1;
	}
}

/* What the block is: recorded before the variables so the attribute limit
 * never drops it. */
static int set_layout_facts(struct gb_unpack *u, const struct env_layout *l, const struct gb_span *in)
{
	char flags[8];
	int r = gb_unpack_set_attr(u, "crc_ok", l->hdr ? "true" : "false");

	if (r == 0)
		r = gb_unpack_set_attr(u, "detection", l->hdr ? "crc" : "heuristic");
	if (r == 0)
		r = gb_unpack_set_attr(u, "redundant", l->hdr == 5 ? "true" : "false");
	if (r == 0 && l->hdr == 5) {
		snprintf(flags, sizeof(flags), "%u", in->p[4]);
		r = gb_unpack_set_attr(u, "flags", flags);
	}
	return r;
}

static int set_console(struct env_out *o)
{
	int r;

	if (!o->console[0] && o->console_var[0])
		snprintf(o->console, sizeof(o->console), "%s", o->console_var);
	if (!o->console[0] && o->baudrate[0])
		snprintf(o->console, sizeof(o->console), "baudrate=%s", o->baudrate);
	if (!o->console[0])
		return 0;
	r = gb_unpack_set_attr(o->u, "console", o->console);
	return r == -GB_ELIMIT ? 0 : r;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_entry e = {.path = "env.txt", .type = GB_FT_FILE, .mode = 0644};
	struct env_out o = {.u = u};
	struct env_layout l;
	int r;

	(void)p;
	if (!find_layout(in, &l))
		return gb_unpack_fail(u, -GB_ECORRUPT, "U-Boot environment no longer valid");
	r = set_layout_facts(u, &l, in);
	if (r < 0)
		return gb_unpack_fail(u, r, "U-Boot environment: recording its attributes failed");
	r = gb_unpack_file_begin(u, &e, &o.f);
	if (r < 0)
		o.f = NULL;
	walk_vars(&o, in, l.hdr);
	r = set_console(&o);
	if (o.f)
		gb_unpack_file_end(u, o.f, o.err);
	if (o.err < 0 && o.err != -GB_ELIMIT)
		return gb_unpack_fail(u, o.err, "U-Boot environment: writing env.txt failed");
	return r < 0 ? gb_unpack_fail(u, r, "U-Boot environment: attributes failed") : 0;
}

#define ENV_MAGICS(name) GB_MAGIC(name "=", 0), GB_MAGIC(name "=", 4), GB_MAGIC(name "=", 5)

static const struct gb_magic magics[] = {
	ENV_MAGICS("bootargs"), ENV_MAGICS("bootcmd"),  ENV_MAGICS("bootdelay"),
	ENV_MAGICS("baudrate"), ENV_MAGICS("arch"),     ENV_MAGICS("autoload"),
	ENV_MAGICS("board"),    ENV_MAGICS("bootfile"), ENV_MAGICS("ethaddr"),
	ENV_MAGICS("ethact"),   ENV_MAGICS("ipaddr"),   ENV_MAGICS("loadaddr"),
	ENV_MAGICS("serverip"), ENV_MAGICS("fdt_high"),
};

const struct gb_format gb__fmt_ubootenv = {
	.name = "ubootenv",
	.description = "U-Boot environment block (CRC-32, single or redundant)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
