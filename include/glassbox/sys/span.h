/* Bounds-checked views of untrusted bytes.
 *
 * A span is a read-only view (usually of an mmapped file); it never owns its
 * memory. Every read of untrusted bytes goes through these helpers, which fail
 * with -GB_ETRUNC instead of reading past the end. Offsets are 64-bit so that
 * hostile 32-bit header fields can be added without wrapping.
 */
#ifndef GLASSBOX_SYS_SPAN_H
#define GLASSBOX_SYS_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

struct gb_span {
	const uint8_t *p;
	size_t n;
};

static inline struct gb_span gb_span_make(const void *p, size_t n)
{
	struct gb_span s = {(const uint8_t *)p, n};
	return s;
}

/* True when [off, off+len) lies inside the span (overflow-safe). */
static inline bool gb_span_has(const struct gb_span *s, uint64_t off, uint64_t len)
{
	return off <= s->n && len <= s->n - off;
}

/* The sub-view [off, off+len); -GB_ETRUNC if it does not fit. */
static inline int gb_span_sub(const struct gb_span *s, uint64_t off, uint64_t len,
			      struct gb_span *ret)
{
	if (!gb_span_has(s, off, len))
		return -GB_ETRUNC;
	ret->p = s->p + off;
	ret->n = (size_t)len;
	return 0;
}

/* The sub-view from off to the end; -GB_ETRUNC if off is past the end. */
static inline int gb_span_tail(const struct gb_span *s, uint64_t off, struct gb_span *ret)
{
	if (off > s->n)
		return -GB_ETRUNC;
	ret->p = s->p + off;
	ret->n = s->n - (size_t)off;
	return 0;
}

/* Pointer to len bytes at off, or NULL when they do not fit. */
static inline const uint8_t *gb_span_at(const struct gb_span *s, uint64_t off, uint64_t len)
{
	return gb_span_has(s, off, len) ? s->p + off : NULL;
}

/* True when the bytes at off equal mem[0..len). */
static inline bool gb_span_eq(const struct gb_span *s, uint64_t off, const void *mem, size_t len)
{
	const uint8_t *q = gb_span_at(s, off, len);
	return q && memcmp(q, mem, len) == 0;
}

/* True when all n bytes at p are v (padding checks: zeros, erased flash 0xff). */
static inline bool gb_all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

#define GB__SPAN_RD(name, type, nbytes, expr)                                              \
	static inline int gb_rd_##name(const struct gb_span *s, uint64_t off, type *ret)   \
	{                                                                                  \
		const uint8_t *b = gb_span_at(s, off, nbytes);                             \
		if (!b)                                                                    \
			return -GB_ETRUNC;                                                 \
		*ret = (type)(expr);                                                       \
		return 0;                                                                  \
	}

GB__SPAN_RD(u8, uint8_t, 1, b[0])
GB__SPAN_RD(u16le, uint16_t, 2, (uint16_t)b[0] | (uint16_t)b[1] << 8)
GB__SPAN_RD(u16be, uint16_t, 2, (uint16_t)b[1] | (uint16_t)b[0] << 8)
GB__SPAN_RD(u32le, uint32_t, 4,
	    (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24)
GB__SPAN_RD(u32be, uint32_t, 4,
	    (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24)
GB__SPAN_RD(u64le, uint64_t, 8,
	    (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
		    (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
		    (uint64_t)b[7] << 56)
GB__SPAN_RD(u64be, uint64_t, 8,
	    (uint64_t)b[7] | (uint64_t)b[6] << 8 | (uint64_t)b[5] << 16 | (uint64_t)b[4] << 24 |
		    (uint64_t)b[3] << 32 | (uint64_t)b[2] << 40 | (uint64_t)b[1] << 48 |
		    (uint64_t)b[0] << 56)
#undef GB__SPAN_RD

/* Unchecked decoders for bytes already bounds-checked (e.g. a copied header). */
static inline uint16_t gb_le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static inline uint16_t gb_be16(const uint8_t *b) { return (uint16_t)(b[1] | b[0] << 8); }
static inline uint32_t gb_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint32_t gb_be32(const uint8_t *b)
{
	return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}
static inline uint64_t gb_le64(const uint8_t *b) { return gb_le32(b) | (uint64_t)gb_le32(b + 4) << 32; }
static inline uint64_t gb_be64(const uint8_t *b) { return (uint64_t)gb_be32(b) << 32 | gb_be32(b + 4); }

/* Overflow-checked size arithmetic: return -GB_ECORRUPT on overflow. */
static inline int gb_add_u64(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_add_overflow(a, b, ret) ? -GB_ECORRUPT : 0;
}
static inline int gb_mul_u64(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_mul_overflow(a, b, ret) ? -GB_ECORRUPT : 0;
}

/* qsort() for arrays that may be empty: qsort(NULL, 0, ...) is undefined
 * behaviour (UBSan reports it), and a growable array starts out NULL. */
static inline void gb_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

#endif
