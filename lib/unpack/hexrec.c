/* The binary image behind a hex-record file (Intel HEX, Motorola S-record):
 * the parsers collect where each data record's bytes go; this sorts them by
 * address and streams the image out, decoding each record's hex digits from
 * the input as it is written (no copy of the whole image in memory). Gaps up
 * to HEXREC_MAX_GAP are filled with 0xff (erased flash); a larger gap starts
 * a new file, named after its start address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/hexrec.h"

uint64_t hexrec_line_end(const struct gb_span *in, uint64_t off, uint64_t *next)
{
	uint64_t i = off;

	while (i < in->n && in->p[i] != '\n' && in->p[i] != '\r')
		i++;
	*next = i;
	if (*next < in->n && in->p[*next] == '\r')
		(*next)++;
	if (*next < in->n && in->p[*next] == '\n')
		(*next)++;
	return i;
}

int hexrec_push(struct hexrec_list *l, uint64_t addr, uint64_t src, uint32_t len)
{
	if (l->n >= HEXREC_MAX_RECORDS)
		return -GB_ELIMIT;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct hexrec *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -GB_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].addr = addr;
	l->v[l->n].src = src;
	l->v[l->n].len = len;
	l->v[l->n].seq = (uint32_t)l->n;
	l->n++;
	return 0;
}

void hexrec_free(struct hexrec_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int rec_cmp(const void *a, const void *b)
{
	const struct hexrec *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool sorted(const struct hexrec_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		if (rec_cmp(&l->v[i - 1], &l->v[i]) > 0)
			return false;
	return true;
}

static int write_fill(struct gb_wfile *f, uint64_t n)
{
	uint8_t ff[4096];

	memset(ff, 0xff, sizeof(ff));
	while (n > 0) {
		size_t k = n > sizeof(ff) ? sizeof(ff) : (size_t)n;
		int r = gb_wfile_write(f, ff, k);

		if (r < 0)
			return r;
		n -= k;
	}
	return 0;
}

/* Decode `len` data bytes of the record whose digits start at src, skipping
 * the first `skip` bytes (overlap with an earlier record). The parser checked
 * every digit, so a bad digit here means the input changed: -GB_ECORRUPT. */
static int write_record(struct gb_wfile *f, const struct gb_span *in, const struct hexrec *r,
			uint32_t skip)
{
	uint8_t buf[256];
	const uint8_t *p = gb_span_at(in, r->src, (uint64_t)r->len * 2);
	size_t k = 0;

	if (!p)
		return -GB_ECORRUPT;
	for (uint32_t i = skip; i < r->len; i++) {
		int b = hexrec_byte(p + 2 * (size_t)i);

		if (b < 0)
			return -GB_ECORRUPT;
		buf[k++] = (uint8_t)b;
		if (k == sizeof(buf) || i + 1 == r->len) {
			int e = gb_wfile_write(f, buf, k);

			if (e < 0)
				return e;
			k = 0;
		}
	}
	return 0;
}

static int open_segment(struct gb_unpack *u, uint64_t addr, struct gb_wfile **f)
{
	char name[40];
	struct gb_entry e = {.path = name, .type = GB_FT_FILE, .mode = 0644};

	snprintf(name, sizeof(name), "0x%08llx.bin", (unsigned long long)addr);
	return gb_unpack_file_begin(u, &e, f);
}

int hexrec_write(struct gb_unpack *u, const struct gb_span *in, struct hexrec_list *l,
		 const char *what)
{
	struct gb_wfile *f = NULL;
	uint64_t pos = 0; /* next address the open file expects */
	bool overlap_warned = false;
	int r = 0;

	if (!sorted(l))
		gb_qsort(l->v, l->n, sizeof(l->v[0]), rec_cmp);
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		const struct hexrec *rec = &l->v[i];
		uint64_t end = rec->addr + rec->len;
		uint32_t skip = 0;

		if (rec->len == 0)
			continue;
		if (f && rec->addr > pos && rec->addr - pos > HEXREC_MAX_GAP) {
			gb_unpack_file_end(u, f, 0);
			f = NULL;
		}
		if (!f) {
			r = open_segment(u, rec->addr, &f);
			if (r < 0)
				break;
			pos = rec->addr;
		}
		if (end <= pos) {
			skip = rec->len;
		} else if (rec->addr < pos) {
			skip = (uint32_t)(pos - rec->addr);
		} else {
			r = write_fill(f, rec->addr - pos);
		}
		if (skip && !overlap_warned) {
			gb_unpack_warn(u, "%s: overlapping data at address 0x%llx (record at offset %llu): "
				       "the first record's bytes are kept", what,
				       (unsigned long long)rec->addr, (unsigned long long)rec->src);
			overlap_warned = true;
		}
		if (r >= 0 && skip < rec->len) {
			r = write_record(f, in, rec, skip);
			pos = end;
		}
	}
	if (f)
		gb_unpack_file_end(u, f, r < 0 ? r : 0);
	if (r == -GB_ECORRUPT)
		return gb_unpack_fail(u, r, "%s: record data no longer valid hex", what);
	if (r < 0)
		return gb_unpack_fail(u, r, "%s: writing the image stopped (%s)", what,
				      r == -GB_ELIMIT ? "size limit" : "output error");
	return 0;
}
