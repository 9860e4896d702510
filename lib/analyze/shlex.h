/* A small POSIX shell lexer for the analyzers that read boot and CGI scripts.
 *
 * It splits a script (or one inittab/crontab/unit command line) into simple
 * commands: words with quotes removed, redirections, and the operator that
 * ended each command (newline, ;, &, &&, ||, |, ;;, parentheses). It knows
 * line continuations, comments, single/double quotes, backslashes, $(...),
 * `...` and ${...} (kept verbatim inside the word), and skips here-document
 * bodies. With `expand` set it substitutes variables given a plain value (one
 * without $ or backquotes) by simple assignments earlier in the same script
 * (NAME=value, export/local/readonly NAME=value), splitting unquoted
 * expansions into words as the shell does; other variables stay as written
 * (their recorded value can still be read with gb__sh_var()).
 *
 * It is not a shell: no arithmetic, globbing or functions calls are evaluated.
 * Input is untrusted: every read is bounded by the given length, words are
 * capped (a command that does not fit is truncated and flagged). */
#ifndef GB_ANALYZE_SHLEX_H
#define GB_ANALYZE_SHLEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GB_SH_MAX_WORDS 128
#define GB_SH_MAX_REDIRS 16
#define GB_SH_BUF 16384
#define GB_SH_MAX_VARS 128
#define GB_SH_MAX_VALUE 1024

enum gb_sh_sep {
	GB_SH_EOF = 0,
	GB_SH_NL,
	GB_SH_SEMI,
	GB_SH_DSEMI, /* ;; */
	GB_SH_AMP,
	GB_SH_AND,
	GB_SH_OR,
	GB_SH_PIPE,
	GB_SH_LPAREN,
	GB_SH_RPAREN,
};

struct gb_sh_redir {
	char op[4];         /* ">", ">>", "<", "<<", "<<-", "<<<", "<>", ">&", "<&", "&>", ">|" */
	int fd;             /* explicit fd number, -1 when none */
	const char *target; /* the word after the operator */
};

struct gb_sh_cmd {
	size_t n;
	const char *w[GB_SH_MAX_WORDS];
	uint32_t wline[GB_SH_MAX_WORDS]; /* physical line each word starts on */
	size_t n_redir;
	struct gb_sh_redir redir[GB_SH_MAX_REDIRS];
	enum gb_sh_sep sep;  /* what ended this command */
	enum gb_sh_sep prev; /* what ended the previous one (GB_SH_NL at the start) */
	uint32_t line;       /* line of the first word, else of the separator */
	bool truncated;
	/* private */
	size_t used;
	bool in_word;
	char buf[GB_SH_BUF];
};

struct gb_sh_vars {
	size_t n;
	char name[GB_SH_MAX_VARS][64];
	char value[GB_SH_MAX_VARS][GB_SH_MAX_VALUE];
};

struct gb_sh {
	const char *p, *end;
	uint32_t line;
	bool expand;
	struct gb_sh_vars *vars; /* may be NULL (no expansion, no recording) */
	enum gb_sh_sep last;
	size_t n_heredoc;
	char heredoc[4][64];
	bool heredoc_strip[4];
};

/* Lex n bytes at p, whose first byte is on line `line`. `vars` (may be NULL)
 * is read for expansion and written by assignments when `expand` is set; it
 * may be shared with nested lexers (sh -c STRING). */
void gb__sh_init(struct gb_sh *sh, const char *p, size_t n, uint32_t line, bool expand, struct gb_sh_vars *vars);
/* The next simple command into *cmd (words may be zero: a bare separator).
 * Returns 1, or 0 at the end of the input with nothing left. */
int gb__sh_next(struct gb_sh *sh, struct gb_sh_cmd *cmd);
/* Set a variable as an assignment would (value copied, capped). */
void gb__sh_set(struct gb_sh_vars *vars, const char *name, const char *value);
/* The value of a recorded variable, or NULL. */
const char *gb__sh_var(const struct gb_sh_vars *vars, const char *name, size_t len);
/* True if `w` is NAME=... (an assignment word). */
bool gb__sh_is_assignment(const char *w);
/* The last path component of a command word ("/usr/sbin/telnetd" -> "telnetd"). */
const char *gb__sh_basename(const char *w);

#endif
