/* libFuzzer target for the whole engine: carving, every format, recursion. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gb_fuzz_scan(data, size, 4);
	return 0;
}
