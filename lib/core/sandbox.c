/* The sandbox: Landlock, seccomp, rlimits (see include/glassbox/sandbox.h). */
#include <glassbox/sandbox.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glassbox/errors.h>

/* Landlock's ABI, spelled out here so that older kernel headers (Debian 12
 * ships ABI 2 headers) do not limit what a newer kernel enforces. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

static void note(struct gb_sandbox_status *st, const char *what)
{
	size_t len = strlen(st->missing);
	snprintf(st->missing + len, sizeof(st->missing) - len, "%s%s", len ? "; " : "", what);
}

static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_REMOVE_DIR |
		     LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK |
		     LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM;
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

static int add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* a missing optional path is fine */
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &= LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_EXECUTE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
	struct ll_path_beneath_attr pb = {.allowed_access = access & handled, .parent_fd = fd};
	int r = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0);
	close(fd);
	return r;
}

static void apply_landlock(const struct gb_sandbox_opts *o, struct gb_sandbox_status *st)
{
	static const char *const system_read[] = {"/usr", "/lib", "/lib64", "/lib32", "/etc", "/proc", "/sys/devices/system/cpu",
						  "/dev/null", "/dev/urandom", "/dev/zero"};
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 1) {
		note(st, "Landlock is not available in this kernel");
		return;
	}
	st->landlock_abi = abi;
	uint64_t handled = fs_rights(abi);
	struct ll_ruleset_attr attr = {.handled_access_fs = handled};
	size_t attr_size = sizeof(uint64_t);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0) {
		note(st, "Landlock ruleset refused");
		return;
	}
	uint64_t rd = LL_FS_READ_FILE | LL_FS_READ_DIR;
	/* Writable: everything but exec and device/FIFO/socket creation. */
	uint64_t wr = handled & ~(LL_FS_EXECUTE | LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK | LL_FS_MAKE_FIFO |
				 LL_FS_MAKE_SOCK | LL_FS_IOCTL_DEV);
	int bad = 0;
	for (size_t i = 0; i < sizeof(system_read) / sizeof(system_read[0]); i++)
		bad |= add_rule(rs, system_read[i], rd | LL_FS_EXECUTE, handled) < 0;
	for (size_t i = 0; i < o->n_read; i++)
		bad |= add_rule(rs, o->read[i], rd, handled) < 0;
	for (size_t i = 0; i < o->n_write; i++)
		bad |= add_rule(rs, o->write[i], wr, handled) < 0;
	if (bad) {
		note(st, "a Landlock rule could not be added");
		close(rs);
		return;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		note(st, "Landlock restrict_self failed");
	else
		st->landlock = true;
	close(rs);
}

#if defined(__x86_64__)
#define GB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define GB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__)
#define GB_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GB_UNDER_ASAN 1
#endif
#endif

static void apply_seccomp(struct gb_sandbox_status *st)
{
#ifdef GB_AUDIT_ARCH
	static const int denied[] = {
		SYS_execve, SYS_execveat, SYS_socket, SYS_socketpair, SYS_connect, SYS_bind, SYS_listen,
		SYS_accept, SYS_accept4, SYS_mount, SYS_umount2, SYS_pivot_root, SYS_mknodat,
#ifdef SYS_mknod
		SYS_mknod,
#endif
		SYS_kexec_load, SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_bpf,
		SYS_perf_event_open, SYS_process_vm_readv, SYS_process_vm_writev, SYS_keyctl, SYS_add_key,
		SYS_request_key, SYS_setns, SYS_unshare,
#ifndef GB_UNDER_ASAN
		/* LeakSanitizer stops the world with ptrace: allowed under ASan only. */
		SYS_ptrace,
#endif
	};
	enum { N = sizeof(denied) / sizeof(denied[0]) };
	struct sock_filter f[8 + 2 * N];
	size_t k = 0;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, GB_AUDIT_ARCH, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 system calls (bit 30) are another way in: refuse them all. */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
#endif
	for (size_t i = 0; i < N; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = (unsigned short)k, .filter = f};
	/* TSYNC: every thread that already exists gets the filter too. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0)
		st->seccomp = true;
	else
		note(st, "seccomp filter refused");
#else
	note(st, "no seccomp filter for this architecture");
#endif
}

static int set_limit(int res, uint64_t v)
{
	struct rlimit rl;
	if (getrlimit(res, &rl) < 0)
		return -1;
	if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max)
		v = rl.rlim_max;
	rl.rlim_cur = (rlim_t)v;
	rl.rlim_max = (rlim_t)v;
	return setrlimit(res, &rl);
}

static void apply_rlimits(const struct gb_sandbox_opts *o, struct gb_sandbox_status *st)
{
	int bad = 0;
	/* A write past RLIMIT_FSIZE must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	bad |= set_limit(RLIMIT_CORE, 0) < 0;
	if (o->max_file_bytes)
		bad |= set_limit(RLIMIT_FSIZE, o->max_file_bytes) < 0;
	if (o->max_cpu_seconds)
		bad |= set_limit(RLIMIT_CPU, o->max_cpu_seconds) < 0;
#ifndef GB_UNDER_ASAN
	/* ASan reserves terabytes of address space: no RLIMIT_AS under it. */
	if (o->max_memory)
		bad |= set_limit(RLIMIT_AS, o->max_memory) < 0;
#endif
	if (bad)
		note(st, "a resource limit could not be set");
	else
		st->rlimits = true;
}

int gb_sandbox_apply(const struct gb_sandbox_opts *o, struct gb_sandbox_status *st)
{
	memset(st, 0, sizeof(*st));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		note(st, "no_new_privs refused: no Landlock, no seccomp");
		apply_rlimits(o, st);
		return 0;
	}
	apply_rlimits(o, st);
	apply_landlock(o, st);
	apply_seccomp(st);
	return 0;
}
