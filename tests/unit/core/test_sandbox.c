/* The sandbox, checked from a child process (it is irreversible): what it
 * must refuse, it refuses; what a scan needs still works. The oracle is the
 * kernel's answer to each call. */
#include "../harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glassbox/sandbox.h>

enum {
	OK_WRITE_INSIDE = 1 << 0,
	NO_WRITE_OUTSIDE = 1 << 1,
	NO_EXEC = 1 << 2,
	NO_SOCKET = 1 << 3,
	NO_MKNOD = 1 << 4,
	OK_READ_INPUT = 1 << 5,
	NO_READ_OTHER = 1 << 6,
	NO_FIFO = 1 << 7,
};

static int child(struct gb_sandbox_status *st)
{
	const char *rd[] = {"input.bin"};
	const char *wr[] = {"out"};
	struct gb_sandbox_opts o = {.read = rd, .n_read = 1, .write = wr, .n_write = 1,
				    .max_file_bytes = 1 << 20};
	gb_sandbox_apply(&o, st);
	int bits = 0;
	int fd = open("out/x", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0 && write(fd, "x", 1) == 1)
		bits |= OK_WRITE_INSIDE;
	fd = open("outside/y", O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		bits |= NO_WRITE_OUTSIDE;
	char *argv[] = {"/bin/true", NULL};
	execv("/bin/true", argv);
	bits |= NO_EXEC; /* still here */
	if (socket(AF_INET, SOCK_STREAM, 0) < 0)
		bits |= NO_SOCKET;
	if (mknod("out/dev", S_IFCHR | 0600, makedev(1, 3)) < 0)
		bits |= NO_MKNOD;
	if (mkfifo("out/fifo", 0600) < 0)
		bits |= NO_FIFO;
	if (open("input.bin", O_RDONLY) >= 0)
		bits |= OK_READ_INPUT;
	if (open("outside/secret", O_RDONLY) < 0)
		bits |= NO_READ_OTHER;
	return bits;
}

static void test_confinement(void **state)
{
	gbt_sh("mkdir -p out outside && echo data > input.bin && echo s > outside/secret");
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gb_sandbox_status st;
		int bits = child(&st);
		if (write(pipefd[1], &st, sizeof(st)) != (ssize_t)sizeof(st))
			_exit(255);
		_exit(bits);
	}
	struct gb_sandbox_status st;
	assert_int_equal(read(pipefd[0], &st, sizeof(st)), sizeof(st));
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	int bits = WEXITSTATUS(status);
	fprintf(stderr, "landlock abi %d (%s), seccomp %s, missing: '%s', bits %#x\n", st.landlock_abi,
		st.landlock ? "on" : "off", st.seccomp ? "on" : "off", st.missing, bits);
	assert_true(bits & OK_WRITE_INSIDE);
	assert_true(bits & OK_READ_INPUT);
	assert_true(st.rlimits);
	if (st.seccomp) {
		assert_true(bits & NO_EXEC);
		assert_true(bits & NO_SOCKET);
		assert_true(bits & NO_MKNOD);
	}
	if (st.landlock) {
		assert_true(bits & NO_WRITE_OUTSIDE);
		assert_true(bits & NO_READ_OTHER);
		assert_true(bits & NO_FIFO);
	} else {
		fprintf(stderr, "Landlock unavailable here: its checks are skipped\n");
	}
	/* the sandbox of this machine's kernel (ABI >= 1) must be complete */
	if (st.landlock_abi > 0)
		assert_true(st.landlock);
	gbt_sh("test ! -e outside/y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confinement),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
