/* glassbox scan IMAGE [-o OUTDIR] [--jobs N] [--json] [limits] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/glassbox.h>

#include "cli.h"

static void scan_usage(void)
{
	fprintf(stderr,
		"usage: glassbox scan IMAGE [-o OUTDIR] [--jobs N] [--json]\n"
		"                     [--max-depth N] [--max-entries N] [--max-nodes N]\n"
		"                     [--max-file-bytes SIZE] [--max-total-bytes SIZE] [--max-ratio N]\n"
		"\n"
		"Unpacks IMAGE recursively into OUTDIR (default ./glassbox-out/<image-name>/):\n"
		"OUTDIR/extracted/ mirrors the nesting, OUTDIR/report.json is the inventory.\n"
		"\n"
		"  -o, --output OUTDIR     where to write (extracted/ in it is replaced)\n"
		"  -j, --jobs N            worker threads (default: all online CPUs)\n"
		"      --json              print report.json on stdout instead of the summary\n"
		"      --max-depth N       container nesting depth (default 16)\n"
		"      --max-entries N     entries per container (default 100000)\n"
		"      --max-nodes N       containers per scan (default 20000)\n"
		"      --max-file-bytes S  bytes of one extracted file or stream (default 2G)\n"
		"      --max-total-bytes S bytes written in all (default 16G)\n"
		"      --max-ratio N       expansion ratio of one stream past 64M (default 250)\n"
		"SIZE takes K, M, G, T suffixes (powers of 1024).\n");
}

enum {
	OPT_JSON = 0x100,
	OPT_MAX_DEPTH,
	OPT_MAX_ENTRIES,
	OPT_MAX_NODES,
	OPT_MAX_FILE,
	OPT_MAX_TOTAL,
	OPT_MAX_RATIO,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"json", no_argument, NULL, OPT_JSON},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
	{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	{"max-file-bytes", required_argument, NULL, OPT_MAX_FILE},
	{"max-total-bytes", required_argument, NULL, OPT_MAX_TOTAL},
	{"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static char *default_outdir(const char *input)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		base = "image";
	size_t n = strlen(base) + sizeof("glassbox-out/");
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "glassbox-out/%s", base);
	return out;
}

static int parse_limit(int opt, const char *arg, struct gb_limits *lim)
{
	switch (opt) {
	case OPT_MAX_DEPTH:
		return gb_cli_parse_u32(arg, &lim->max_depth);
	case OPT_MAX_ENTRIES:
		return gb_cli_parse_u32(arg, &lim->max_entries);
	case OPT_MAX_NODES:
		return gb_cli_parse_u32(arg, &lim->max_nodes);
	case OPT_MAX_RATIO:
		return gb_cli_parse_u32(arg, &lim->max_ratio);
	case OPT_MAX_FILE:
		return gb_cli_parse_size(arg, &lim->max_file_bytes);
	case OPT_MAX_TOTAL:
		return gb_cli_parse_size(arg, &lim->max_total_bytes);
	}
	return -1;
}

static int run_scan(int argc, char **argv)
{
	struct gb_scan_opts opts;
	const char *outdir = NULL;
	bool json = false;
	int c;

	gb_scan_opts_init(&opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case 'j':
			if (gb_cli_parse_u32(optarg, &opts.jobs) < 0 || opts.jobs > 1024) {
				gb_cli_error("--jobs takes a number from 1 to 1024");
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			scan_usage();
			return GB_EXIT_OK;
		case '?':
			scan_usage();
			return GB_EXIT_USAGE;
		default:
			if (parse_limit(c, optarg, &opts.limits) < 0) {
				gb_cli_error("invalid value '%s' for --%s", optarg, long_opts[c - OPT_JSON + 2].name);
				return GB_EXIT_USAGE;
			}
		}
	}
	if (optind != argc - 1) {
		gb_cli_error(optind >= argc ? "scan needs an IMAGE" : "scan takes one IMAGE");
		scan_usage();
		return GB_EXIT_USAGE;
	}
	opts.input = argv[optind];
	char *def = outdir ? NULL : default_outdir(opts.input);
	opts.outdir = outdir ? outdir : def;
	if (!opts.outdir) {
		gb_cli_error("out of memory");
		return GB_EXIT_FAILURE;
	}

	struct gb_scan *scan = NULL;
	int r = gb_scan_run(&opts, &scan);
	int code = GB_EXIT_OK;
	if (r == -GB_EIO && scan && scan->n_nodes == 0) {
		gb_cli_error("%s", scan->error ? scan->error : "cannot read the input");
		code = GB_EXIT_INPUT;
	} else if (r < 0 && (!scan || scan->n_nodes == 0)) {
		gb_cli_error("%s", scan && scan->error ? scan->error : gb_strerror(r));
		code = r == -GB_ENOMEM ? GB_EXIT_FAILURE : GB_EXIT_OUTPUT;
	} else {
		if (r < 0) {
			gb_cli_error("scan stopped: %s", scan->error ? scan->error : gb_strerror(r));
			code = GB_EXIT_OUTPUT;
		}
		size_t n = strlen(opts.outdir) + sizeof("/report.json");
		char *path = malloc(n);
		if (!path || (snprintf(path, n, "%s/report.json", opts.outdir),
			      gb_report_json_write_file(scan, path) < 0)) {
			gb_cli_error("cannot write %s/report.json: %s", opts.outdir, strerror(errno));
			code = GB_EXIT_OUTPUT;
		}
		free(path);
		if (json)
			gb_report_json_write(scan, stdout);
		else
			gb_report_text_write(scan, stdout);
	}
	gb_scan_free(scan);
	free(def);
	return code;
}

const struct gb_command gb_cmd_scan = {
	.name = "scan",
	.summary = "unpack an image recursively and inventory every file",
	.run = run_scan,
	.usage = scan_usage,
};
