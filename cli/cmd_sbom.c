/* glassbox sbom REPORT.json [-o FILE]: a CycloneDX 1.6 SBOM from the
 * report.json a scan wrote (the same writer as scan --format cyclonedx). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <glassbox/glassbox.h>

#include "cli.h"

static void sbom_usage(void)
{
	fprintf(stderr, "usage: glassbox sbom REPORT.json [-o FILE]\n"
			"\n"
			"Converts a report.json written by `glassbox scan` into a CycloneDX 1.6 JSON SBOM:\n"
			"every component with its version, CPE, purl, the hashes and paths of the files\n"
			"that carry it, and its vulnerabilities.\n"
			"\n"
			"  -o, --output FILE   write the SBOM to FILE (default: standard output)\n");
}

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int run_sbom(int argc, char **argv)
{
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			sbom_usage();
			return GB_EXIT_OK;
		default:
			sbom_usage();
			return GB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		gb_cli_error(optind >= argc ? "sbom needs a REPORT.json" : "sbom takes one REPORT.json");
		sbom_usage();
		return GB_EXIT_USAGE;
	}
	json_error_t err;
	json_t *report = json_load_file(argv[optind], 0, &err);
	if (!report) {
		if (err.line > 0)
			gb_cli_error("%s: line %d: %s", argv[optind], err.line, err.text);
		else
			gb_cli_error("%s", err.text);
		return GB_EXIT_INPUT;
	}
	FILE *out = output ? fopen(output, "w") : stdout;
	if (!out) {
		gb_cli_error("cannot write %s: %s", output, strerror(errno));
		json_decref(report);
		return GB_EXIT_OUTPUT;
	}
	int r = gb_report_cyclonedx_from_report(report, out);
	json_decref(report);
	if (output && fclose(out) != 0 && r == 0)
		r = -GB_EIO;
	if (r == -GB_EINVAL) {
		gb_cli_error("%s is not a glassbox report.json", argv[optind]);
		return GB_EXIT_INPUT;
	}
	if (r < 0) {
		gb_cli_error("cannot write the SBOM: %s", gb_strerror(r));
		return r == -GB_ENOMEM ? GB_EXIT_FAILURE : GB_EXIT_OUTPUT;
	}
	return GB_EXIT_OK;
}

const struct gb_command gb_cmd_sbom = {
	.name = "sbom",
	.summary = "write a CycloneDX SBOM from a scan's report.json",
	.run = run_sbom,
	.usage = sbom_usage,
};
