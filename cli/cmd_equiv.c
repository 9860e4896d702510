/* glassbox equiv SHIPPED REBUILT [-o OUTDIR] [--json] [--fail-on different|missing] [--jobs N]
 * glassbox equiv SHIPPED --rebuild CMD --source DIR --artifacts PATH [--source-date-epoch N]
 *                [--env NAME=VALUE]... [same options]
 *
 * No sandbox here: --rebuild must run the vendor's tools, and the scans are
 * called directly (gb_scan_run), not through `glassbox scan`'s confinement. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glassbox/equiv.h>
#include <glassbox/errors.h>

#include "cli.h"

static void equiv_usage(void)
{
	fprintf(stderr,
		"usage: glassbox equiv SHIPPED REBUILT [-o OUTDIR] [--json] [--fail-on different|missing]\n"
		"                      [--jobs N] [--max-file-bytes SIZE] [--max-total-bytes SIZE]\n"
		"       glassbox equiv SHIPPED --rebuild CMD --source DIR --artifacts PATH\n"
		"                      [--source-date-epoch N] [--env NAME=VALUE]... [options above]\n"
		"\n"
		"Pairs the files of SHIPPED and REBUILT (each an image, a directory or a file) and\n"
		"says of each whether it is identical, equivalent (and why), different (and where),\n"
		"missing from the rebuild or extra in it. OUTDIR/equiv.json has every verdict.\n"
		"\n"
		"  -o, --output OUTDIR       where to write (default ./glassbox-out/equiv-<SHIPPED name>/);\n"
		"                            images are unpacked into OUTDIR/shipped and OUTDIR/rebuilt\n"
		"  -j, --jobs N              worker threads (default: all online CPUs)\n"
		"      --json                print equiv.json on stdout instead of the summary\n"
		"      --fail-on WHAT        exit 1 when a file is different (WHAT=different), or\n"
		"                            different or missing (WHAT=missing)\n"
		"      --max-file-bytes S    bytes of one extracted file or stream (default 2G)\n"
		"      --max-total-bytes S   bytes written by each scan (default 16G)\n"
		"      --rebuild CMD         run CMD (/bin/sh -c) in a fresh copy of --source, with a\n"
		"                            clean environment, and compare SHIPPED with --artifacts\n"
		"      --source DIR          the source tree to copy into OUTDIR/build-src\n"
		"      --artifacts PATH      what the build produced, relative to the copy\n"
		"      --source-date-epoch N SOURCE_DATE_EPOCH for the build (default: newest mtime\n"
		"                            in the source tree)\n"
		"      --env NAME=VALUE      add a variable to the build environment (repeatable)\n"
		"SIZE takes K, M, G, T suffixes (powers of 1024).\n");
}

enum {
	OPT_JSON = 0x100,
	OPT_FAIL_ON,
	OPT_MAX_FILE,
	OPT_MAX_TOTAL,
	OPT_REBUILD,
	OPT_SOURCE,
	OPT_ARTIFACTS,
	OPT_SDE,
	OPT_ENV,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"json", no_argument, NULL, OPT_JSON},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"max-file-bytes", required_argument, NULL, OPT_MAX_FILE},
	{"max-total-bytes", required_argument, NULL, OPT_MAX_TOTAL},
	{"rebuild", required_argument, NULL, OPT_REBUILD},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"artifacts", required_argument, NULL, OPT_ARTIFACTS},
	{"source-date-epoch", required_argument, NULL, OPT_SDE},
	{"env", required_argument, NULL, OPT_ENV},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

enum fail_on { FAIL_NEVER, FAIL_DIFFERENT, FAIL_MISSING };

static char *default_outdir(const char *input)
{
	const char *base = strrchr(input, '/');
	while (base && !base[1] && base > input) { /* "dir/" */
		const char *p = base - 1;
		while (p > input && *p != '/')
			p--;
		base = *p == '/' ? p : NULL;
	}
	base = base ? base + 1 : input;
	char *out;
	size_t l = strcspn(base, "/");
	if (!l || (l == 1 && base[0] == '.') || (l == 2 && base[0] == '.' && base[1] == '.'))
		return strdup("glassbox-out/equiv");
	return asprintf(&out, "glassbox-out/equiv-%.*s", (int)l, base) < 0 ? NULL : out;
}

struct args {
	struct gb_equiv_opts opts;
	const char *outdir, *rebuild, *source, *artifacts;
	const char *env[64];
	size_t n_env;
	bool json, have_sde;
	uint64_t sde;
	enum fail_on fail_on;
};

/* Returns -1 to continue, else an exit code. */
static int parse(int argc, char **argv, struct args *a)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->outdir = optarg;
			break;
		case 'j':
			if (gb_cli_parse_u32(optarg, &a->opts.jobs) < 0 || a->opts.jobs < 1 || a->opts.jobs > 1024) {
				gb_cli_error("--jobs takes a number from 1 to 1024");
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "different") == 0) {
				a->fail_on = FAIL_DIFFERENT;
			} else if (strcmp(optarg, "missing") == 0) {
				a->fail_on = FAIL_MISSING;
			} else {
				gb_cli_error("--fail-on takes different or missing");
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_MAX_FILE:
		case OPT_MAX_TOTAL:
			if (gb_cli_parse_size(optarg, c == OPT_MAX_FILE ? &a->opts.limits.max_file_bytes
								 : &a->opts.limits.max_total_bytes) < 0) {
				gb_cli_error("invalid size '%s'", optarg);
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_REBUILD:
			a->rebuild = optarg;
			break;
		case OPT_SOURCE:
			a->source = optarg;
			break;
		case OPT_ARTIFACTS:
			a->artifacts = optarg;
			break;
		case OPT_SDE: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-') {
				gb_cli_error("--source-date-epoch takes seconds since 1970");
				return GB_EXIT_USAGE;
			}
			a->sde = v;
			a->have_sde = true;
			break;
		}
		case OPT_ENV:
			if (a->n_env == 64 || !strchr(optarg, '=') || optarg[0] == '=') {
				gb_cli_error(a->n_env == 64 ? "at most 64 --env" : "--env takes NAME=VALUE");
				return GB_EXIT_USAGE;
			}
			a->env[a->n_env++] = optarg;
			break;
		case 'h':
			equiv_usage();
			return GB_EXIT_OK;
		default:
			equiv_usage();
			return GB_EXIT_USAGE;
		}
	}
	int want = a->rebuild ? 1 : 2;
	if (argc - optind != want) {
		gb_cli_error(a->rebuild ? "equiv --rebuild takes SHIPPED only" : "equiv takes SHIPPED and REBUILT");
		equiv_usage();
		return GB_EXIT_USAGE;
	}
	if (a->rebuild && (!a->source || !a->artifacts)) {
		gb_cli_error("--rebuild needs --source and --artifacts");
		return GB_EXIT_USAGE;
	}
	if (!a->rebuild && (a->source || a->artifacts || a->have_sde || a->n_env)) {
		gb_cli_error("--source, --artifacts, --source-date-epoch and --env go with --rebuild");
		return GB_EXIT_USAGE;
	}
	a->opts.shipped = argv[optind];
	a->opts.rebuilt = a->rebuild ? NULL : argv[optind + 1];
	return -1;
}

static int exit_for(const struct gb_equiv *eq, enum fail_on f)
{
	if (f == FAIL_DIFFERENT && eq->summary.different)
		return GB_EXIT_FINDINGS;
	if (f == FAIL_MISSING && (eq->summary.different || eq->summary.missing))
		return GB_EXIT_FINDINGS;
	return GB_EXIT_OK;
}

static int run_equiv(int argc, char **argv)
{
	struct args a;
	struct gb_equiv_rebuild rb;
	char *def = NULL, *artifacts = NULL, *json_path = NULL;
	struct gb_equiv *eq = NULL;
	int code;

	memset(&a, 0, sizeof(a));
	memset(&rb, 0, sizeof(rb));
	gb_equiv_opts_init(&a.opts);
	code = parse(argc, argv, &a);
	if (code >= 0)
		return code;
	if (access(a.opts.shipped, R_OK) < 0 || (a.opts.rebuilt && access(a.opts.rebuilt, R_OK) < 0)) {
		const char *bad = access(a.opts.shipped, R_OK) < 0 ? a.opts.shipped : a.opts.rebuilt;
		gb_cli_error("cannot read %s: %s", bad, strerror(errno));
		return GB_EXIT_INPUT;
	}
	if (a.rebuild && access(a.source, R_OK | X_OK) < 0) {
		gb_cli_error("cannot read --source %s: %s", a.source, strerror(errno));
		return GB_EXIT_INPUT;
	}
	def = a.outdir ? NULL : default_outdir(a.opts.shipped);
	a.opts.outdir = a.outdir ? a.outdir : def;
	if (!a.opts.outdir) {
		gb_cli_error("out of memory");
		return GB_EXIT_FAILURE;
	}
	if (gb_cli_mkdir_p(a.opts.outdir) < 0) {
		gb_cli_error("cannot create output directory %s: %s", a.opts.outdir, strerror(errno));
		free(def);
		return GB_EXIT_OUTPUT;
	}

	if (a.rebuild) {
		struct gb_rebuild_opts ro = {
			.command = a.rebuild,
			.source = a.source,
			.outdir = a.opts.outdir,
			.have_epoch = a.have_sde,
			.source_date_epoch = a.sde,
			.env = a.env,
			.n_env = a.n_env,
		};
		char err[512];
		int r = gb_rebuild_run(&ro, &rb, err, sizeof(err));
		if (r < 0) {
			gb_cli_error("rebuild: %s", err[0] ? err : gb_strerror(r));
			code = r == -GB_EINVAL ? GB_EXIT_USAGE : GB_EXIT_FAILURE;
			goto out;
		}
		if (rb.exit_status != 0) {
			gb_cli_error("rebuild: the build command failed (%s %d); see %s",
				     rb.exit_status < 0 ? "signal" : "exit status",
				     rb.exit_status < 0 ? -rb.exit_status : rb.exit_status, rb.log);
			code = GB_EXIT_FAILURE;
			goto out;
		}
		if (asprintf(&artifacts, "%s/%s", rb.copy, a.artifacts) < 0) {
			code = GB_EXIT_FAILURE;
			goto out;
		}
		if (access(artifacts, R_OK) < 0) {
			gb_cli_error("rebuild: no artifacts at %s: %s (see %s)", artifacts, strerror(errno), rb.log);
			code = GB_EXIT_FAILURE;
			goto out;
		}
		rb.artifacts = strdup(artifacts);
		a.opts.rebuilt = artifacts;
		a.opts.rebuild = &rb;
	}

	int r = gb_equiv_run(&a.opts, &eq);
	if (r < 0) {
		gb_cli_error("%s", eq && eq->error ? eq->error : gb_strerror(r));
		code = r == -GB_EIO ? GB_EXIT_INPUT : GB_EXIT_FAILURE;
		goto out;
	}
	code = exit_for(eq, a.fail_on);
	if (asprintf(&json_path, "%s/equiv.json", a.opts.outdir) < 0 ||
	    gb_equiv_json_write_file(eq, json_path) < 0) {
		gb_cli_error("cannot write %s/equiv.json: %s", a.opts.outdir, strerror(errno));
		code = GB_EXIT_OUTPUT;
	}
	if (a.json)
		gb_equiv_json_write(eq, stdout);
	else
		gb_equiv_text_write(eq, stdout);
	if (fflush(stdout) != 0 && code == GB_EXIT_OK)
		code = GB_EXIT_OUTPUT;
out:
	gb_equiv_free(eq);
	gb_rebuild_clear(&rb);
	free(artifacts);
	free(json_path);
	free(def);
	return code;
}

const struct gb_command gb_cmd_equiv = {
	.name = "equiv",
	.summary = "prove which shipped files are identical or equivalent to a rebuild",
	.run = run_equiv,
	.usage = equiv_usage,
};
