/* The squashfs metadata block reader (2.x, 3.x and 4.0): layout and
 * parameters in squashfs_meta.h. Every block is bounds-checked against the
 * reader's table and the image before it is decoded into an 8 KiB slot.
 */
#include <string.h>

#include "squashfs_meta.h"

void sqm_init(struct sqm_reader *m, const struct gb_span *in, uint64_t lo, uint64_t hi,
	      const struct sqm_params *par)
{
	m->in = *in;
	m->par = *par;
	if (m->par.slots == 0 || m->par.slots > SQM_SLOTS_MAX)
		m->par.slots = SQM_SLOTS_MAX;
	m->lo = lo;
	m->hi = hi;
	m->cur = NULL;
	m->off = 0;
	m->victim = 0;
	for (unsigned i = 0; i < SQM_SLOTS_MAX; i++)
		m->slot[i].blk = SQM_NONE;
}

static struct sqm_slot *cached(struct sqm_reader *m, uint64_t at)
{
	for (unsigned i = 0; i < m->par.slots; i++)
		if (m->slot[i].blk == at && at != SQM_NONE)
			return &m->slot[i];
	return NULL;
}

/* Make the block at `at` current, offset 0. */
static int load(struct sqm_reader *m, uint64_t at)
{
	unsigned hl = m->par.hdr_len;
	struct sqm_slot *sl = cached(m, at);
	const uint8_t *p;
	uint32_t hdr, len;
	long r;

	m->cur = sl;
	if (sl) {
		m->off = 0;
		return 0;
	}
	if (at < m->lo || at >= m->hi)
		return -GB_ECORRUPT;
	p = gb_span_at(&m->in, at, 2);
	if (!p)
		return -GB_ETRUNC;
	hdr = m->par.hdr_be ? gb_be16(p) : gb_le16(p);
	len = hdr & 0x7FFF;
	if (len == 0 || len > SQM_BLOCK || len + hl > m->hi - at)
		return -GB_ECORRUPT;
	p = gb_span_at(&m->in, at + hl, len);
	if (!p)
		return -GB_ETRUNC;
	sl = &m->slot[m->victim];
	m->victim = (m->victim + 1) % m->par.slots;
	sl->blk = SQM_NONE;
	if (hdr & 0x8000) {
		sl->data = p;
		sl->used = len;
	} else {
		r = m->par.decode(m->par.ctx, p, len, sl->buf, SQM_BLOCK, 1);
		if (r <= 0)
			return -GB_ECORRUPT;
		sl->data = sl->buf;
		sl->used = (size_t)r;
	}
	sl->blk = at;
	sl->next = at + hl + len;
	m->cur = sl;
	m->off = 0;
	return 0;
}

int sqm_seek(struct sqm_reader *m, uint64_t at, size_t off)
{
	int r = m->cur && m->cur->blk == at ? 0 : load(m, at);

	if (r < 0)
		return r;
	if (off > m->cur->used)
		return -GB_ECORRUPT;
	m->off = off;
	return 0;
}

int sqm_read(struct sqm_reader *m, void *dst, size_t n)
{
	uint8_t *d = dst;

	while (n > 0) {
		size_t k;

		if (!m->cur)
			return -GB_ECORRUPT;
		if (m->off == m->cur->used) {
			int r = load(m, m->cur->next);

			if (r < 0)
				return r;
		}
		k = m->cur->used - m->off < n ? m->cur->used - m->off : n;
		memcpy(d, m->cur->data + m->off, k);
		m->off += k;
		d += k;
		n -= k;
	}
	return 0;
}
