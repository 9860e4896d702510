/* srec: Motorola S-record (S19/S28/S37), the text firmware format of
 * Freescale/NXP, Renesas and many automotive and network MCUs.
 *
 * One record per line (CRLF, LF or CR), fields in hex digits:
 *   'S' T CC AAAA.. DD..DD KK
 *   T   record type digit; CC byte count of address + data + checksum;
 *   KK  ones' complement of the low byte of the sum of CC, address and data
 * Types (address bytes): S0 header (2, data is a text name), S1/S2/S3 data
 * (2/3/4), S5/S6 record count (2/3), S7/S8/S9 start address and end of
 * file (4/3/2). S4 is reserved (invalid).
 *
 * probe (start_only: "S0"/"S1".. are too weak to carve at any offset) walks
 * the lines from the start until the first invalid one: every record must be
 * exactly as long as CC says, of a valid type, with a valid checksum. It
 * accepts at least one data record and either a termination record (high
 * confidence) or 3 valid records in all (medium: srec_cat omits the
 * termination when there is no start address, or a truncated file). The size
 * runs to the end of the last valid line.
 *
 * unpack rebuilds the binary image (lib/unpack/hexrec.c): one file per run of
 * data named after its start address, gaps filled with 0xff; the S0 header
 * text is the node attribute "header", the start address "entry".
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "unpack/hexrec.h"

#define SREC_MIN_RECORDS 3

struct srec_rec {
	unsigned type;
	uint32_t count, addr_len, data_len;
	uint32_t addr;
};

struct srec_walk {
	uint64_t end;
	uint64_t n_records, n_data;
	bool term;
	bool has_entry;
	uint32_t entry;
	uint64_t header_off; /* S0 data digits, 0 when none */
	uint32_t header_len;
};

static const uint8_t addr_lens[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

static bool parse_record(const struct gb_span *in, uint64_t off, uint64_t e, struct srec_rec *r)
{
	const uint8_t *p = in->p + off;
	uint64_t n = e - off;
	unsigned sum = 0;
	int b;

	if (n < 4 || p[0] != 'S' || p[1] < '0' || p[1] > '9')
		return false;
	r->type = (unsigned)(p[1] - '0');
	r->addr_len = addr_lens[r->type];
	b = hexrec_byte(p + 2);
	if (r->addr_len == 0 || b < 0 || n != 4 + 2 * (uint64_t)b || (uint32_t)b < r->addr_len + 1)
		return false;
	r->count = (uint32_t)b;
	r->data_len = r->count - r->addr_len - 1;
	for (uint64_t i = 2; i < n; i += 2) {
		b = hexrec_byte(p + i);
		if (b < 0)
			return false;
		sum += (unsigned)b;
	}
	if ((sum & 0xff) != 0xff)
		return false;
	r->addr = 0;
	for (uint32_t i = 0; i < r->addr_len; i++)
		r->addr = r->addr << 8 | (uint32_t)hexrec_byte(p + 4 + 2 * i);
	return true;
}

static int walk(const struct gb_span *in, struct srec_walk *w, struct hexrec_list *l)
{
	uint64_t off = 0;

	memset(w, 0, sizeof(*w));
	while (off < in->n && !w->term) {
		uint64_t next, e = hexrec_line_end(in, off, &next);
		uint64_t data;
		struct srec_rec r;

		if (!parse_record(in, off, e, &r))
			break;
		data = off + 4 + 2 * (uint64_t)r.addr_len;
		if (r.type >= 1 && r.type <= 3 && r.data_len > 0) {
			if (l) {
				int err = hexrec_push(l, r.addr, data, r.data_len);
				if (err < 0)
					return err;
			}
			w->n_data++;
		} else if (r.type == 0 && w->header_off == 0) {
			w->header_off = data;
			w->header_len = r.data_len;
		} else if (r.type >= 7) {
			w->term = true;
			w->has_entry = true;
			w->entry = r.addr;
		}
		w->n_records++;
		w->end = next;
		off = next;
	}
	return 0;
}

static bool accepted(const struct srec_walk *w)
{
	return w->n_data > 0 && (w->term || w->n_records >= SREC_MIN_RECORDS);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct srec_walk w;

	if (!gb_span_eq(in, 0, "S", 1) || walk(in, &w, NULL) < 0 || !accepted(&w))
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = w.end;
	ret->confidence = w.term ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	return 0;
}

/* The S0 text, printable bytes only (others become '.'). */
static void set_header_attr(struct gb_unpack *u, const struct gb_span *in, const struct srec_walk *w)
{
	char text[256 + 1];
	uint32_t n = 0;

	if (!w->header_off || !gb_span_has(in, w->header_off, 2 * (uint64_t)w->header_len))
		return;
	for (uint32_t i = 0; i < w->header_len && n < sizeof(text) - 1; i++) {
		int b = hexrec_byte(in->p + w->header_off + 2 * i);

		if (b == 0)
			break;
		text[n++] = b >= 0x20 && b < 0x7f ? (char)b : '.';
	}
	text[n] = 0;
	if (n)
		gb_unpack_set_attr(u, "header", text);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct hexrec_list l = {0};
	struct srec_walk w;
	int r = walk(in, &w, &l);

	(void)p;
	if (r < 0) {
		hexrec_free(&l);
		return gb_unpack_fail(u, r, "S-record: %s", r == -GB_ELIMIT ? "too many records"
									    : "out of memory");
	}
	set_header_attr(u, in, &w);
	if (w.has_entry) {
		char v[16];
		snprintf(v, sizeof(v), "0x%08x", w.entry);
		gb_unpack_set_attr(u, "entry", v);
	}
	r = hexrec_write(u, in, &l, "S-record");
	hexrec_free(&l);
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC_START("S0"),
	GB_MAGIC_START("S1"),
	GB_MAGIC_START("S2"),
	GB_MAGIC_START("S3"),
};

const struct gb_format gb__fmt_srec = {
	.name = "srec",
	.description = "Motorola S-record firmware (text records)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.start_only = true,
	.probe = probe,
	.unpack = unpack,
};
