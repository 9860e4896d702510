/* The glassbox command line: one cmd_<name>.c per subcommand. */
#ifndef GB_CLI_H
#define GB_CLI_H

#include <stdint.h>

/* Exit codes (documented in the README). */
enum {
	GB_EXIT_OK = 0,
	GB_EXIT_FINDINGS = 1, /* --fail-on: a finding at or above the severity */
	GB_EXIT_USAGE = 2,
	GB_EXIT_INPUT = 3,    /* the input cannot be read */
	GB_EXIT_OUTPUT = 4,   /* the output directory cannot be written */
	GB_EXIT_FAILURE = 5,  /* internal failure (out of memory), or rules/wordlist unusable */
};

struct gb_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(void);
};

extern const struct gb_command gb_cmd_scan;
extern const struct gb_command gb_cmd_vulndb;
extern const struct gb_command gb_cmd_sbom;
extern const struct gb_command gb_cmd_equiv;

/* Parse a size like 4096, 64K, 16M, 2G, 1T; returns -1 if invalid. */
int gb_cli_parse_size(const char *s, uint64_t *ret);
/* Parse an unsigned 32-bit count; returns -1 if invalid. */
int gb_cli_parse_u32(const char *s, uint32_t *ret);
/* mkdir -p; returns 0 or -1 with errno. */
int gb_cli_mkdir_p(const char *path);
/* glassbox's data directory: $XDG_DATA_HOME/glassbox or ~/.local/share/glassbox
 * (malloc'd; NULL when neither variable is set). */
char *gb_cli_data_dir(void);
/* Print "glassbox: <msg>" to stderr. */
void gb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
