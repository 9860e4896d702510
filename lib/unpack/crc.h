/* zlib's CRC-32 over a span of any size (crc32() takes a 32-bit length, so
 * big spans are fed in pieces). Shared by the formats that check it over
 * whole payloads (trx, uimage, cramfs).
 */
#ifndef GB_UNPACK_CRC_H
#define GB_UNPACK_CRC_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

/* crc32(crc, p, n) as zlib computes it: start with 0, no extra inversion. */
static inline uint32_t gb_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = n > (1U << 30) ? (1U << 30) : n;

		crc = (uint32_t)crc32(crc, p, (uInt)k);
		p += k;
		n -= k;
	}
	return crc;
}

#endif
