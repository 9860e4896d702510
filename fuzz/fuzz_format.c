/* libFuzzer target for one format (GB_FUZZ_FORMAT, one binary per format,
 * generated from formats.def like curl-fuzzer's one binary per protocol).
 *
 * The probe is fuzzed directly (it is pure); when it accepts the input, the
 * input is scanned by the real engine with one level of nesting and small
 * limits, which runs that format's unpack through the safe writer. */
#include <stdint.h>
#include <stdlib.h>

#include <glassbox/sys/format.h>

#include "fuzz_common.h"
#include "unpack/engine.h"

#ifndef GB_FUZZ_FORMAT
#error "GB_FUZZ_FORMAT must name a format"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gb_format *fmt;
	if (!fmt) {
		fmt = gb__format_find(GB_FUZZ_FORMAT);
		if (!fmt)
			abort();
	}
	struct gb_span in = {data, size};
	struct gb_probe pr = {0};
	if (fmt->probe(&in, &pr) < 0)
		return 0;
	if (pr.size != GB_SIZE_UNKNOWN && pr.size > size)
		abort(); /* a probe must never claim bytes it was not given */
	if (!fmt->unpack || pr.identify_only)
		return 0;
	gb_fuzz_scan(data, size, 1);
	return 0;
}
