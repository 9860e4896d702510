/* The safe writer: nothing it does may reach outside its root, whatever
 * symlinks the tree holds. The oracle is the host file system itself (lstat). */
#include "../harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/writer.h"

static int root;

static int setup(void **state)
{
	if (gbt_setup_tmpdir(state) < 0)
		return -1;
	gbt_sh("mkdir -p root outside && echo canary > outside/canary");
	root = open("root", O_RDONLY | O_DIRECTORY);
	return root < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	close(root);
	return gbt_teardown_tmpdir(state);
}

static void write_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void test_creates_nested_file(void **state)
{
	int fd;
	assert_int_equal(gb_wr_create_file(root, "a/b/c.txt", 04755, &fd), 0);
	write_str(fd, "hello");
	struct stat st;
	assert_int_equal(lstat("root/a/b/c.txt", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* setuid is never kept on disk */
	assert_int_equal(st.st_mode & 07000, 0);
	assert_int_equal(st.st_mode & 0777, 0755);
}

static void test_never_follows_symlinked_dir(void **state)
{
	int fd;
	assert_int_equal(gb_wr_symlink(root, "evil", "../outside"), 0);
	assert_int_equal(gb_wr_create_file(root, "evil/canary", 0644, &fd), -GB_EEXIST);
	assert_int_equal(gb_wr_create_file(root, "evil/new", 0644, &fd), -GB_EEXIST);
	assert_int_equal(gb_wr_mkdir(root, "evil/sub", 0755), -GB_EEXIST);
	assert_int_equal(gb_wr_symlink(root, "evil/x", "y"), -GB_EEXIST);
	gbt_sh("test \"$(cat outside/canary)\" = canary && test ! -e outside/new && test ! -e outside/sub");
	/* the symlink itself stays exactly as recorded */
	char buf[64] = {0};
	assert_int_equal(readlink("root/evil", buf, sizeof(buf) - 1), 10);
	assert_string_equal(buf, "../outside");
}

static void test_absolute_symlink_not_followed(void **state)
{
	int fd;
	char target[4200];
	assert_non_null(getcwd(target, sizeof(target) - 20));
	strcat(target, "/outside");
	assert_int_equal(gb_wr_symlink(root, "abs", target), 0);
	assert_int_equal(gb_wr_create_file(root, "abs/canary", 0644, &fd), -GB_EEXIST);
	gbt_sh("test \"$(cat outside/canary)\" = canary");
}

static void test_file_replaces_symlink_not_writes_through(void **state)
{
	int fd;
	assert_int_equal(gb_wr_symlink(root, "link", "../outside/canary"), 0);
	assert_int_equal(gb_wr_create_file(root, "link", 0644, &fd), 0);
	write_str(fd, "replaced");
	gbt_sh("test \"$(cat outside/canary)\" = canary && test ! -L root/link && test \"$(cat root/link)\" = replaced");
}

static void test_hardlink_only_to_regular_files_inside(void **state)
{
	int fd;
	assert_int_equal(gb_wr_create_file(root, "f", 0644, &fd), 0);
	write_str(fd, "data");
	assert_int_equal(gb_wr_hardlink(root, "f", "g"), 0);
	gbt_sh("test \"$(cat root/g)\" = data");
	assert_int_equal(gb_wr_symlink(root, "s", "../outside/canary"), 0);
	assert_int_equal(gb_wr_hardlink(root, "s", "h"), -GB_EEXIST);
	assert_int_equal(gb_wr_symlink(root, "d", "../outside"), 0);
	assert_int_equal(gb_wr_hardlink(root, "d/canary", "i"), -GB_EEXIST);
	gbt_sh("test ! -e root/h && test ! -e root/i");
}

static void test_remove_tree_does_not_follow(void **state)
{
	gbt_sh("mkdir -p root/t/sub && ln -s ../../../outside root/t/sub/l && touch root/t/sub/x && chmod 000 root/t/sub");
	assert_int_equal(gb_wr_remove_tree(root, "t"), 0);
	gbt_sh("test ! -e root/t && test \"$(cat outside/canary)\" = canary");
}

static void test_name_too_long(void **state)
{
	int fd;
	char name[400];
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(gb_wr_create_file(root, name, 0644, &fd), -GB_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_creates_nested_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_follows_symlinked_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_replaces_symlink_not_writes_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_only_to_regular_files_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree_does_not_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_too_long, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
