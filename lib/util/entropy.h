#ifndef GB_UTIL_ENTROPY_H
#define GB_UTIL_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Shannon entropy of the bytes in bits per byte (0..8); 0 for n == 0.
 * *ret_fill gets the byte value when all bytes are equal, else -1. */
double gb_entropy(const uint8_t *p, size_t n, int *ret_fill);

#endif
