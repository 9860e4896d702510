#include "fuzz_common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glassbox/glassbox.h>

static char outdir[256];
static char input[64];
static int memfd = -1;

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(outdir, sizeof(outdir), "%s/glassbox-fuzz-%d", base, (int)getpid());
	memfd = memfd_create("glassbox-fuzz-input", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(input, sizeof(input), "/proc/self/fd/%d", memfd);
}

struct gb_scan *gb_fuzz_scan_keep(const uint8_t *data, size_t size, unsigned max_depth)
{
	struct gb_scan_opts opts;
	struct gb_scan *scan = NULL;

	if (memfd < 0)
		setup();
	if (ftruncate(memfd, 0) < 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	gb_scan_opts_init(&opts);
	opts.input = input;
	opts.outdir = outdir;
	opts.jobs = 1;
	opts.limits.max_depth = max_depth;
	opts.limits.max_file_bytes = 16 << 20;
	opts.limits.max_total_bytes = 64 << 20;
	opts.limits.ratio_floor = 1 << 20;
	opts.limits.max_entries = 2000;
	opts.limits.max_nodes = 256;
	if (gb_scan_run(&opts, &scan) < 0) {
		gb_scan_free(scan);
		return NULL;
	}
	for (size_t i = 0; i < scan->n_files; i++)
		if (!scan->files[i].path || scan->files[i].path[0] != '/')
			abort(); /* every path starts with '/' */
	return scan;
}

void gb_fuzz_scan(const uint8_t *data, size_t size, unsigned max_depth)
{
	struct gb_scan *scan = gb_fuzz_scan_keep(data, size, max_depth);

	if (scan) {
		FILE *devnull = fopen("/dev/null", "w");
		if (!devnull || gb_report_json_write(scan, NULL, devnull) < 0)
			abort(); /* the report must always be writable */
		fclose(devnull);
	}
	gb_scan_free(scan);
}
