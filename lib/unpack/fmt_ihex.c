/* ihex: Intel HEX, the text format of microcontroller firmware (STM32, AVR,
 * 8051, ESP, many MCUs inside routers and IoT devices).
 *
 * One record per line (CRLF, LF or CR), all fields hex digits:
 *   ':' LL AAAA TT DD...DD CC
 *   LL  data bytes; AAAA 16-bit offset (big-endian); TT record type;
 *   CC  two's complement of the sum of all bytes LL..DD (sum of all == 0)
 * Types: 00 data (at base + AAAA), 01 end of file, 02 extended segment
 * address (base = USBA << 4), 03 start segment address (CS:IP), 04 extended
 * linear address (base = ULBA << 16), 05 start linear address (EIP).
 *
 * probe (start_only: text has no magic worth carving at any offset) walks the
 * lines from the start until the first invalid one: every record must be
 * exactly as long as LL says, with a valid type and checksum. It accepts at
 * least one data record and either the EOF record (high confidence) or 3
 * valid records in all (medium: a truncated file). The size runs to the end
 * of the last valid line.
 *
 * unpack rebuilds the binary image (lib/unpack/hexrec.c): one file per run of
 * data named after its start address ("0x08000000.bin"), gaps filled with
 * 0xff; the start address, when given, is the node attribute "entry".
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "unpack/hexrec.h"

#define IHEX_MIN_RECORDS 3

struct ihex_walk {
	uint64_t end;        /* just past the last valid line */
	uint64_t n_records, n_data;
	bool eof;
	bool has_entry;
	uint32_t entry;
	uint64_t bad_line;   /* offset of the first invalid line, when not at EOF */
};

/* Validate the record on the line [off, e); fills the fields, returns false
 * when it is not a valid record. */
static bool parse_record(const struct gb_span *in, uint64_t off, uint64_t e, uint8_t *type,
			 uint32_t *len, uint32_t *addr16, uint32_t *value)
{
	const uint8_t *p = in->p + off;
	uint64_t n = e - off;
	unsigned sum = 0;
	int b;

	if (n < 11 || p[0] != ':' || (n - 1) % 2 != 0)
		return false;
	b = hexrec_byte(p + 1);
	if (b < 0 || n != 11 + 2 * (uint64_t)b)
		return false;
	*len = (uint32_t)b;
	for (uint64_t i = 1; i < n; i += 2) {
		b = hexrec_byte(p + i);
		if (b < 0)
			return false;
		sum += (unsigned)b;
	}
	if ((sum & 0xff) != 0)
		return false;
	*addr16 = (uint32_t)(hexrec_byte(p + 3) << 8 | hexrec_byte(p + 5));
	*type = (uint8_t)hexrec_byte(p + 7);
	*value = 0;
	for (uint32_t i = 0; i < *len && i < 4; i++)
		*value = *value << 8 | (uint32_t)hexrec_byte(p + 9 + 2 * i);
	switch (*type) {
	case 0:
	case 1:
		return true;
	case 2:
	case 4:
		return *len == 2;
	case 3:
	case 5:
		return *len == 4;
	default:
		return false;
	}
}

/* Walk the records; collect the data records into l when it is not NULL. */
static int walk(const struct gb_span *in, struct ihex_walk *w, struct hexrec_list *l)
{
	uint64_t off = 0, base = 0;

	memset(w, 0, sizeof(*w));
	while (off < in->n && !w->eof) {
		uint64_t next, e = hexrec_line_end(in, off, &next);
		uint32_t len, a16, value;
		uint8_t type;

		if (!parse_record(in, off, e, &type, &len, &a16, &value)) {
			w->bad_line = off;
			break;
		}
		if (type == 0 && len > 0) {
			if (l) {
				int r = hexrec_push(l, base + a16, off + 9, len);
				if (r < 0)
					return r;
			}
			w->n_data++;
		} else if (type == 1) {
			w->eof = true;
		} else if (type == 2) {
			base = (uint64_t)value << 4;
		} else if (type == 4) {
			base = (uint64_t)value << 16;
		} else {
			w->has_entry = true;
			w->entry = value;
		}
		w->n_records++;
		w->end = next;
		off = next;
	}
	return 0;
}

static bool accepted(const struct ihex_walk *w)
{
	return w->n_data > 0 && (w->eof || w->n_records >= IHEX_MIN_RECORDS);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct ihex_walk w;

	if (!gb_span_eq(in, 0, ":", 1) || walk(in, &w, NULL) < 0 || !accepted(&w))
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = w.end;
	ret->confidence = w.eof ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%s", w.eof ? "" : "no-eof");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct hexrec_list l = {0};
	struct ihex_walk w;
	int r = walk(in, &w, &l);

	(void)p;
	if (r < 0) {
		hexrec_free(&l);
		return gb_unpack_fail(u, r, "Intel HEX: %s", r == -GB_ELIMIT ? "too many records"
									       : "out of memory");
	}
	if (!w.eof)
		gb_unpack_warn(u, "Intel HEX: no end-of-file record (invalid record at offset %llu "
			       "or file truncated)", (unsigned long long)w.end);
	if (w.has_entry) {
		char v[16];
		snprintf(v, sizeof(v), "0x%08x", w.entry);
		gb_unpack_set_attr(u, "entry", v);
	}
	r = hexrec_write(u, in, &l, "Intel HEX");
	hexrec_free(&l);
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC_START(":"),
};

const struct gb_format gb__fmt_ihex = {
	.name = "ihex",
	.description = "Intel HEX firmware (text records)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.start_only = true,
	.probe = probe,
	.unpack = unpack,
};
