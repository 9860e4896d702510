/* rebuild: run the vendor's build command in a controlled environment.
 *
 * The source tree is copied fresh into OUTDIR/build-src (regular files with
 * their permission bits and mtimes, directories, symlinks recreated as
 * links and never followed; devices, FIFOs and sockets skipped; setuid and
 * setgid bits dropped; OUTDIR itself skipped when it lies inside the tree).
 * The command runs as `/bin/sh -c CMD` in that copy, in a child process with
 * umask 022, stdin from /dev/null, stdout and stderr to OUTDIR/build.log, and
 * only this environment: PATH=/usr/bin:/bin, HOME=OUTDIR/build-home, TZ=UTC,
 * LC_ALL=C, SOURCE_DATE_EPOCH (the flag's, else the newest mtime in the
 * source tree), then each --env NAME=VALUE (replacing a variable of the same
 * name). No sandbox is applied: the build must be able to run its tools.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diff/diff_int.h"

#define MAX_DEPTH 256

struct copy {
	dev_t skip_dev;
	ino_t skip_ino;
	int64_t newest;
	char *err;
	size_t errlen;
};

static void seterr(struct copy *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(struct copy *c, const char *fmt, ...)
{
	va_list ap;
	if (c->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* Remove dfd/name recursively without following symlinks. */
static int rm_tree(int dfd, const char *name, unsigned depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0);
	if (depth > MAX_DEPTH)
		return -1;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r |= rm_tree(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return r | unlinkat(dfd, name, AT_REMOVEDIR);
}

static int copy_file(struct copy *c, int sfd, int dfd, const char *name, const struct stat *st)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		seterr(c, "cannot read %s: %s", name, strerror(errno));
		return -1;
	}
	int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 0777);
	if (out < 0) {
		seterr(c, "cannot create %s: %s", name, strerror(errno));
		close(in);
		return -1;
	}
	char buf[1 << 16];
	ssize_t n;
	int r = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));
			if (k < 0) {
				if (errno == EINTR)
					continue;
				seterr(c, "cannot write %s: %s", name, strerror(errno));
				r = -1;
				break;
			}
			w += k;
		}
		if (r < 0)
			break;
	}
	if (n < 0) {
		seterr(c, "cannot read %s: %s", name, strerror(errno));
		r = -1;
	}
	fchmod(out, st->st_mode & 0777);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	futimens(out, ts);
	close(in);
	if (close(out) < 0 && r == 0) {
		seterr(c, "cannot write %s: %s", name, strerror(errno));
		r = -1;
	}
	return r;
}

static int copy_dir(struct copy *c, int sfd, int dfd, unsigned depth)
{
	DIR *d = fdopendir(sfd);
	struct dirent *de;
	int r = 0;
	if (!d) {
		close(sfd);
		return -1;
	}
	if (depth > MAX_DEPTH) {
		closedir(d);
		seterr(c, "the source tree is deeper than %d directories", MAX_DEPTH);
		return -1;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		const char *nm = de->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, "..") || fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (st.st_dev == c->skip_dev && st.st_ino == c->skip_ino)
			continue; /* OUTDIR inside the source tree */
		if (st.st_mtime > c->newest)
			c->newest = st.st_mtime;
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, nm, 0755) < 0) {
				seterr(c, "cannot create directory %s: %s", nm, strerror(errno));
				r = -1;
				break;
			}
			int s2 = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = openat(dfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				seterr(c, "cannot open directory %s: %s", nm, strerror(errno));
				if (s2 >= 0)
					close(s2);
				if (d2 >= 0)
					close(d2);
				r = -1;
				break;
			}
			r = copy_dir(c, s2, d2, depth + 1);
			fchmod(d2, (st.st_mode & 0777) | 0700);
			struct timespec ts[2] = {st.st_atim, st.st_mtim};
			futimens(d2, ts);
			close(d2);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(c, dirfd(d), dfd, nm, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char buf[PATH_MAX];
			ssize_t n = readlinkat(dirfd(d), nm, buf, sizeof(buf) - 1);
			if (n < 0)
				continue;
			buf[n] = '\0';
			if (symlinkat(buf, dfd, nm) < 0) {
				seterr(c, "cannot create symlink %s: %s", nm, strerror(errno));
				r = -1;
			}
		}
	}
	closedir(d);
	return r;
}

static char *join(const char *a, const char *b)
{
	char *s;
	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* The child's environment: fixed variables, then --env (replacing by name). */
static char **make_env(const struct gb_rebuild_opts *o, const char *home, uint64_t sde)
{
	size_t cap = 6 + o->n_env, n = 0;
	char **env = calloc(cap, sizeof(char *));
	if (!env)
		return NULL;
	if (asprintf(&env[n++], "PATH=/usr/bin:/bin") < 0 || asprintf(&env[n++], "HOME=%s", home) < 0 ||
	    asprintf(&env[n++], "TZ=UTC") < 0 || asprintf(&env[n++], "LC_ALL=C") < 0 ||
	    asprintf(&env[n++], "SOURCE_DATE_EPOCH=%llu", (unsigned long long)sde) < 0)
		goto oom;
	for (size_t i = 0; i < o->n_env; i++) {
		const char *eqs = strchr(o->env[i], '=');
		size_t nl = eqs ? (size_t)(eqs - o->env[i]) : strlen(o->env[i]);
		size_t k = 0;
		for (; k < n; k++)
			if (strncmp(env[k], o->env[i], nl) == 0 && env[k][nl] == '=')
				break;
		char *v = strdup(o->env[i]);
		if (!v)
			goto oom;
		if (k < n) {
			free(env[k]);
			env[k] = v;
		} else {
			env[n++] = v;
		}
	}
	return env;
oom:
	for (size_t i = 0; i < cap; i++)
		free(env[i]);
	free(env);
	return NULL;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int gb_rebuild_run(const struct gb_rebuild_opts *o, struct gb_equiv_rebuild *ret, char *err, size_t errlen)
{
	struct copy c = {.err = err, .errlen = errlen, .newest = 0};
	struct stat st;
	char **env = NULL;
	int r = -GB_EIO;

	err[0] = '\0';
	memset(ret, 0, sizeof(*ret));
	if (!o->command || !o->source || !o->outdir)
		return -GB_EINVAL;
	for (size_t i = 0; i < o->n_env; i++) {
		if (!strchr(o->env[i], '=') || o->env[i][0] == '=') {
			snprintf(err, errlen, "--env takes NAME=VALUE, not '%s'", o->env[i]);
			return -GB_EINVAL;
		}
	}
	ret->command = strdup(o->command);
	ret->source = strdup(o->source);
	ret->copy = join(o->outdir, "build-src");
	ret->log = join(o->outdir, "build.log");
	char *home = join(o->outdir, "build-home");
	if (!ret->command || !ret->source || !ret->copy || !ret->log || !home) {
		free(home);
		return -GB_ENOMEM;
	}
	if (stat(o->outdir, &st) == 0) {
		c.skip_dev = st.st_dev;
		c.skip_ino = st.st_ino;
	}
	int sfd = open(o->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0) {
		snprintf(err, errlen, "cannot read --source %s: %s", o->source, strerror(errno));
		goto out;
	}
	if (rm_tree(AT_FDCWD, ret->copy, 0) < 0 || rm_tree(AT_FDCWD, home, 0) < 0) {
		snprintf(err, errlen, "cannot remove the old %s: %s", ret->copy, strerror(errno));
		close(sfd);
		goto out;
	}
	if (mkdir(ret->copy, 0755) < 0 || mkdir(home, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", ret->copy, strerror(errno));
		close(sfd);
		goto out;
	}
	int dfd = open(ret->copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || copy_dir(&c, sfd, dfd, 0) < 0) {
		if (!err[0])
			snprintf(err, errlen, "cannot copy the source tree: %s", strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	close(dfd);
	ret->epoch_from_flag = o->have_epoch;
	ret->source_date_epoch = o->have_epoch ? o->source_date_epoch : (uint64_t)(c.newest > 0 ? c.newest : 0);
	env = make_env(o, home, ret->source_date_epoch);
	if (!env) {
		r = -GB_ENOMEM;
		goto out;
	}
	int log = open(ret->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log < 0) {
		snprintf(err, errlen, "cannot create %s: %s", ret->log, strerror(errno));
		goto out;
	}
	double t0 = now();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the build: %s", strerror(errno));
		close(log);
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0 || chdir(ret->copy) < 0)
			_exit(127);
		if (null > 2)
			close(null);
		umask(022);
		char *argv[] = {(char *)"sh", (char *)"-c", (char *)o->command, NULL};
		execve("/bin/sh", argv, env);
		_exit(127);
	}
	close(log);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "lost the build process: %s", strerror(errno));
			goto out;
		}
	}
	ret->seconds = now() - t0;
	ret->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	r = 0;
out:
	if (env)
		for (char **e = env; *e; e++)
			free(*e);
	free(env);
	free(home);
	return r;
}

void gb_rebuild_clear(struct gb_equiv_rebuild *r)
{
	if (!r)
		return;
	free((char *)r->command);
	free((char *)r->source);
	free((char *)r->copy);
	free((char *)r->artifacts);
	free((char *)r->log);
	memset(r, 0, sizeof(*r));
}
