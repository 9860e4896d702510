/* Shared by the fuzz targets: scan a buffer with the real engine. */
#ifndef GB_FUZZ_COMMON_H
#define GB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Scan data (as an in-memory file) into a per-process directory on tmpfs,
 * with small limits and at most max_depth levels of nesting. Also writes and
 * checks the JSON report. Aborts when the engine breaks an invariant. */
void gb_fuzz_scan(const uint8_t *data, size_t size, unsigned max_depth);

/* The same scan, kept for the caller (NULL when the scan failed as a whole);
 * free it with gb_scan_free(). */
struct gb_scan;
struct gb_scan *gb_fuzz_scan_keep(const uint8_t *data, size_t size, unsigned max_depth);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
