/* glassbox: entry point and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include <glassbox/version.h>

#include "cli.h"

static const struct gb_command *const commands[] = {
	&gb_cmd_scan,
	&gb_cmd_vulndb,
	&gb_cmd_sbom,
	&gb_cmd_equiv,
};

static void usage(FILE *out)
{
	fprintf(out, "usage: glassbox <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n  glassbox <command> --help   options of a command\n"
		     "  glassbox --version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return GB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("glassbox %s\n", gb_version());
		return GB_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return GB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->run(argc - 1, argv + 1);
	gb_cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return GB_EXIT_USAGE;
}
