/* glassbox scan IMAGE [-o OUTDIR] [--jobs N] [--json] [limits] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glassbox/glassbox.h>
#include <glassbox/sandbox.h>

#include "cli.h"

static void scan_usage(void)
{
	fprintf(stderr,
		"usage: glassbox scan IMAGE [-o OUTDIR] [--jobs N] [--json] [--format FORMAT]\n"
		"                     [--max-depth N] [--max-entries N] [--max-nodes N]\n"
		"                     [--max-file-bytes SIZE] [--max-total-bytes SIZE] [--max-ratio N]\n"
		"                     [--no-audit] [--wordlist FILE] [--crack-budget MS] [--rules PATH]...\n"
		"                     [--no-default-rules] [--analyzers LIST]"
		" [--vulndb PATH] [--fail-on SEVERITY] [--no-sandbox]\n"
		"\n"
		"Unpacks IMAGE recursively into OUTDIR (default ./glassbox-out/<image-name>/):\n"
		"OUTDIR/extracted/ mirrors the nesting, OUTDIR/report.json is the inventory.\n"
		"\n"
		"  -o, --output OUTDIR     where to write (extracted/ in it is replaced)\n"
		"  -j, --jobs N            worker threads (default: all online CPUs)\n"
		"      --json              print report.json on stdout instead of the summary\n"
		"      --format FORMAT     what to print on stdout: text (the summary, default), json\n"
		"                          (as --json) or cyclonedx (a CycloneDX 1.6 SBOM, also\n"
		"                          written to OUTDIR/sbom.cdx.json)\n"
		"      --max-depth N       container nesting depth (default 16)\n"
		"      --max-entries N     entries per container (default 100000)\n"
		"      --max-nodes N       containers per scan (default 20000)\n"
		"      --max-file-bytes S  bytes of one extracted file or stream (default 2G)\n"
		"      --max-total-bytes S bytes written in all (default 16G)\n"
		"      --max-ratio N       expansion ratio of one stream past 64M (default 250)\n"
		"      --no-audit          unpack and inventory only, no analyzers\n"
		"      --analyzers LIST    run only these analyzers (comma-separated, see below)\n"
		"      --wordlist FILE     extra passwords to try on every password hash\n"
		"      --crack-budget MS   estimated CPU per hash for the built-in candidates\n"
		"                          (default 1000; at least 8 are always tried)\n"
		"      --rules PATH        YARA rule file or directory (repeatable)\n"
		"      --no-default-rules  do not load glassbox's built-in YARA rules\n"
		"      --vulndb PATH       vulnerability database (default $XDG_DATA_HOME/glassbox/vulndb.sqlite)\n"
		"      --fail-on SEVERITY  exit 1 when a finding is at or above SEVERITY\n"
		"                          (critical, high, medium, low, info)\n"
		"      --no-sandbox        do not confine the process (debugging only)\n"
		"SIZE takes K, M, G, T suffixes (powers of 1024).\n"
		"Analyzers:");
	for (size_t i = 0; gb_analyzer_name(i); i++)
		fprintf(stderr, " %s", gb_analyzer_name(i));
	fprintf(stderr, "\n");
}

enum {
	OPT_JSON = 0x100,
	OPT_FORMAT,
	OPT_MAX_DEPTH,
	OPT_MAX_ENTRIES,
	OPT_MAX_NODES,
	OPT_MAX_FILE,
	OPT_MAX_TOTAL,
	OPT_MAX_RATIO,
	OPT_NO_AUDIT,
	OPT_WORDLIST,
	OPT_CRACK_BUDGET,
	OPT_ANALYZERS,
	OPT_RULES,
	OPT_NO_DEFAULT_RULES,
	OPT_VULNDB,
	OPT_FAIL_ON,
	OPT_NO_SANDBOX,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"json", no_argument, NULL, OPT_JSON},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
	{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	{"max-file-bytes", required_argument, NULL, OPT_MAX_FILE},
	{"max-total-bytes", required_argument, NULL, OPT_MAX_TOTAL},
	{"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
	{"no-audit", no_argument, NULL, OPT_NO_AUDIT},
	{"wordlist", required_argument, NULL, OPT_WORDLIST},
	{"crack-budget", required_argument, NULL, OPT_CRACK_BUDGET},
	{"analyzers", required_argument, NULL, OPT_ANALYZERS},
	{"rules", required_argument, NULL, OPT_RULES},
	{"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES},
	{"vulndb", required_argument, NULL, OPT_VULNDB},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
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

/* --analyzers a,b,c into aopts->only (strings borrowed from arg, which is
 * modified); an unknown name is a usage error. */
#define GB_MAX_ANALYZERS 32

static int parse_analyzers(char *arg, const char **only, struct gb_audit_opts *aopts)
{
	char *save = NULL;

	aopts->n_only = 0;
	for (char *s = strtok_r(arg, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (gb_analyzer_name(i) && strcmp(gb_analyzer_name(i), s) != 0)
			i++;
		if (!gb_analyzer_name(i)) {
			gb_cli_error("unknown analyzer '%s' in --analyzers", s);
			return -1;
		}
		if (aopts->n_only < GB_MAX_ANALYZERS)
			only[aopts->n_only++] = gb_analyzer_name(i);
	}
	if (aopts->n_only == 0) {
		gb_cli_error("--analyzers needs at least one analyzer");
		return -1;
	}
	aopts->only = only;
	return 0;
}

static int parse_crack_budget(const char *arg, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 3600000 || arg[0] == '-')
		return -1;
	*ret = (unsigned)v;
	return 0;
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

/* Create OUTDIR, then confine the process to it (include/glassbox/sandbox.h).
 * What the kernel lacks is said once on stderr; the scan goes on. */
static int confine(const struct gb_scan_opts *opts, const struct gb_audit_opts *aopts)
{
	const char *read[72];
	size_t n = 0;

	if (gb_cli_mkdir_p(opts->outdir) < 0) {
		gb_cli_error("cannot create output directory %s: %s", opts->outdir, strerror(errno));
		return -1;
	}
	read[n++] = opts->input;
	if (aopts->wordlist)
		read[n++] = aopts->wordlist;
	for (size_t i = 0; i < aopts->n_rules && n < 70; i++)
		read[n++] = aopts->rules[i];
	char *db = gb_cli_data_dir();
	if (aopts->vulndb)
		read[n++] = aopts->vulndb;
	else if (db)
		read[n++] = db;
	struct gb_sandbox_opts so = {
		.read = read,
		.n_read = n,
		.write = &opts->outdir,
		.n_write = 1,
		.max_file_bytes = opts->limits.max_file_bytes + (64ULL << 20),
		.max_memory = 64ULL << 30,
	};
	struct gb_sandbox_status st;
	gb_sandbox_apply(&so, &st);
	free(db);
	if (st.missing[0])
		gb_cli_error("sandbox: %s (continuing with the rest)", st.missing);
	return 0;
}

static int run_scan(int argc, char **argv)
{
	struct gb_scan_opts opts;
	struct gb_audit_opts aopts;
	const char *outdir = NULL;
	const char *rules[64];
	const char *only[GB_MAX_ANALYZERS];
	bool json = false, audit_on = true, sandbox = true, cdx = false;
	int fail_on = -1;
	int c;

	gb_scan_opts_init(&opts);
	gb_audit_opts_init(&aopts);
	aopts.rules = rules;
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
		case OPT_FORMAT:
			json = strcmp(optarg, "json") == 0;
			cdx = strcmp(optarg, "cyclonedx") == 0;
			if (!json && !cdx && strcmp(optarg, "text") != 0) {
				gb_cli_error("--format takes text, json or cyclonedx");
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_NO_SANDBOX:
			sandbox = false;
			break;
		case OPT_NO_AUDIT:
			audit_on = false;
			break;
		case OPT_WORDLIST:
			aopts.wordlist = optarg;
			break;
		case OPT_ANALYZERS:
			if (parse_analyzers(optarg, only, &aopts) < 0)
				return GB_EXIT_USAGE;
			break;
		case OPT_CRACK_BUDGET:
			if (parse_crack_budget(optarg, &aopts.crack_budget_ms) < 0) {
				gb_cli_error("--crack-budget takes milliseconds, 1 to 3600000");
				return GB_EXIT_USAGE;
			}
			break;
		case OPT_RULES:
			if (aopts.n_rules == 64) {
				gb_cli_error("at most 64 --rules");
				return GB_EXIT_USAGE;
			}
			rules[aopts.n_rules++] = optarg;
			break;
		case OPT_NO_DEFAULT_RULES:
			aopts.no_default_rules = true;
			break;
		case OPT_VULNDB:
			aopts.vulndb = optarg;
			break;
		case OPT_FAIL_ON:
			fail_on = gb_severity_parse(optarg);
			if (fail_on < 0) {
				gb_cli_error("--fail-on takes critical, high, medium, low or info");
				return GB_EXIT_USAGE;
			}
			break;
		case 'h':
			scan_usage();
			return GB_EXIT_OK;
		case '?':
			scan_usage();
			return GB_EXIT_USAGE;
		default:
			if (parse_limit(c, optarg, &opts.limits) < 0) {
				gb_cli_error("invalid value '%s' for a limit option", optarg);
				return GB_EXIT_USAGE;
			}
		}
	}
	if (optind != argc - 1) {
		gb_cli_error(optind >= argc ? "scan needs an IMAGE" : "scan takes one IMAGE");
		scan_usage();
		return GB_EXIT_USAGE;
	}
	/* Unusable inputs of the audit are reported before a long scan, not after. */
	if (aopts.wordlist && access(aopts.wordlist, R_OK) < 0) {
		gb_cli_error("cannot read --wordlist %s: %s", aopts.wordlist, strerror(errno));
		return GB_EXIT_USAGE;
	}
	for (size_t i = 0; i < aopts.n_rules; i++) {
		if (access(rules[i], R_OK) < 0) {
			gb_cli_error("cannot read --rules %s: %s", rules[i], strerror(errno));
			return GB_EXIT_USAGE;
		}
	}
	opts.input = argv[optind];
	char *def = outdir ? NULL : default_outdir(opts.input);
	opts.outdir = outdir ? outdir : def;
	if (!opts.outdir) {
		gb_cli_error("out of memory");
		return GB_EXIT_FAILURE;
	}

	if (sandbox && confine(&opts, &aopts) < 0) {
		free(def);
		return GB_EXIT_OUTPUT;
	}

	struct gb_scan *scan = NULL;
	struct gb_audit *audit = NULL;
	struct gb_audit_prep *prep = NULL;
	aopts.jobs = opts.jobs;
	/* The analyzers load their rules and databases while the scan runs. */
	if (audit_on && gb_audit_prepare(&aopts, true, &prep) < 0) {
		gb_cli_error("out of memory");
		free(def);
		return GB_EXIT_FAILURE;
	}
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
		if (audit_on) {
			int ar = gb_audit_run_prepared(prep, scan, &audit);
			prep = NULL;
			if (ar < 0) {
				gb_cli_error("audit: %s", gb_audit_error(audit) ? gb_audit_error(audit) : gb_strerror(ar));
				gb_audit_free(audit);
				gb_scan_free(scan);
				free(def);
				return GB_EXIT_FAILURE;
			}
		}
		size_t n = strlen(opts.outdir) + sizeof("/report.json");
		char *path = malloc(n);
		if (!path || (snprintf(path, n, "%s/report.json", opts.outdir),
			      gb_report_json_write_file(scan, audit, path) < 0)) {
			gb_cli_error("cannot write %s/report.json: %s", opts.outdir, strerror(errno));
			code = GB_EXIT_OUTPUT;
		}
		free(path);
		if (cdx) {
			n = strlen(opts.outdir) + sizeof("/sbom.cdx.json");
			path = malloc(n);
			if (!path || (snprintf(path, n, "%s/sbom.cdx.json", opts.outdir),
				      gb_report_cyclonedx_write_file(scan, audit, path) < 0)) {
				gb_cli_error("cannot write %s/sbom.cdx.json: %s", opts.outdir, strerror(errno));
				code = GB_EXIT_OUTPUT;
			}
			free(path);
			gb_report_cyclonedx_write(scan, audit, stdout);
		} else if (json) {
			gb_report_json_write(scan, audit, stdout);
		} else {
			gb_report_text_write(scan, audit, stdout);
		}
		if (code == GB_EXIT_OK && fail_on >= 0 && gb_audit_max_severity(audit) >= fail_on)
			code = GB_EXIT_FINDINGS;
	}
	gb_audit_prep_free(prep); /* the scan failed before the audit */
	gb_audit_free(audit);
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
