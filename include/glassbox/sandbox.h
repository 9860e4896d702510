/* Confinement of the process that opens hostile images (docs/security.md).
 *
 * Landlock: writes only beneath the output directories, reads only of the
 * input, the given extra files and what the process itself needs (its
 * libraries, /etc, /proc/self); no device, FIFO or socket creation anywhere;
 * with Landlock ABI 4+ no TCP bind/connect, with ABI 6+ no signals or
 * abstract sockets outside the process.
 * seccomp: exec, sockets, ptrace, mount, mknod, module and kexec calls fail
 * with EPERM.
 * rlimits: file size, CPU time, address space, no core dumps.
 * Whatever the kernel lacks is reported, once, in the report; the rest still
 * applies. Irreversible for the process and every thread it creates later:
 * call it before starting work. */
#ifndef GLASSBOX_SANDBOX_H
#define GLASSBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gb_sandbox_opts {
	const char *const *read;   /* files or directories readable (the input...) */
	size_t n_read;
	const char *const *write;  /* directories writable beneath (OUTDIR) */
	size_t n_write;
	uint64_t max_file_bytes;   /* RLIMIT_FSIZE, 0 = leave */
	uint64_t max_memory;       /* RLIMIT_AS, 0 = leave (ignored under ASan) */
	uint64_t max_cpu_seconds;  /* RLIMIT_CPU, 0 = leave */
};

struct gb_sandbox_status {
	int landlock_abi;          /* 0 when Landlock is unavailable */
	bool landlock;             /* a ruleset is enforced */
	bool seccomp;              /* the filter is installed */
	bool rlimits;
	char missing[256];         /* what could not be applied, for one message; "" if none */
};

GB_API int gb_sandbox_apply(const struct gb_sandbox_opts *opts, struct gb_sandbox_status *ret);

#ifdef __cplusplus
}
#endif
#endif
