/* Shared by the text hex-record formats (fmt_ihex.c, fmt_srec.c): the data
 * records a parser found, and the writer that rebuilds the binary image. */
#ifndef GB_UNPACK_HEXREC_H
#define GB_UNPACK_HEXREC_H

#include <stdbool.h>
#include <stdint.h>

#include <glassbox/sys/format.h>

/* Gaps up to this size between records are filled with 0xff; a larger gap
 * starts a new output file (flash and option bytes 400 MB apart). */
#define HEXREC_MAX_GAP (1U << 20)
/* Records kept for one file (24 bytes each: 192 MiB at most; 128 MiB of
 * data in 16-byte records, far beyond any MCU image). */
#define HEXREC_MAX_RECORDS (1U << 23)

struct hexrec {
	uint64_t addr;  /* absolute load address */
	uint64_t src;   /* offset in the span of the record's first data hex digit */
	uint32_t len;   /* data bytes */
	uint32_t seq;   /* file order, to keep the sort stable */
};

struct hexrec_list {
	struct hexrec *v;
	size_t n, cap;
};

/* The value of one hex digit, or -1. */
static inline int hexrec_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The byte written as two hex digits at p (bounds checked by the caller), or -1. */
static inline int hexrec_byte(const uint8_t *p)
{
	int h = hexrec_digit(p[0]), l = hexrec_digit(p[1]);
	return h < 0 || l < 0 ? -1 : h << 4 | l;
}

/* The end of the line starting at off: the offset of its '\n' (or '\r'), or
 * in->n. *next gets the start of the next line (after "\r\n", "\n" or "\r"). */
uint64_t hexrec_line_end(const struct gb_span *in, uint64_t off, uint64_t *next);

/* Append a record: 0, -GB_ENOMEM, or -GB_ELIMIT past HEXREC_MAX_RECORDS. */
int hexrec_push(struct hexrec_list *l, uint64_t addr, uint64_t src, uint32_t len);
void hexrec_free(struct hexrec_list *l);

/* Write the image: records sorted by address, gaps up to HEXREC_MAX_GAP
 * filled with 0xff, one file "0x<start>.bin" per run of records. Overlapping
 * bytes keep the first record's data and add one warning. Returns 0 or the
 * engine's error (after saying so). */
int hexrec_write(struct gb_unpack *u, const struct gb_span *in, struct hexrec_list *l,
		 const char *what);

#endif
