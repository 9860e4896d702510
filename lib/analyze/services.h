/* Internal: the services analyzer's pieces. an_services.c reads the boot
 * files and hands each command line to services_cmd.c, which peels wrappers
 * off and decides which rule, if any, the command triggers. */
#ifndef GB_ANALYZE_SERVICES_H
#define GB_ANALYZE_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/shlex.h"

#define MAX_DEPTH 4
#define MAX_SEEN 128
#define TEXT_MAX 512

enum rule { R_TELNET, R_BIND, R_AUTOLOGIN, R_DEBUG, R_SSHBLANK, R_COUNT };


enum src { SRC_INITTAB, SRC_SCRIPT, SRC_SYSTEMD, SRC_CRON, SRC_SYSCRON, SRC_INETD, SRC_SSHD, SRC_UCI_DROPBEAR };


/* A pipeline being read: its stages' summary. */
struct pipe {
	bool nc;
	bool nc_listen;
	long nc_port;
	bool shell;
	size_t stages;
	uint32_t line;
	char text[TEXT_MAX];
};

struct ctx {
	struct gb_aout *out;
	const struct gb_file *f;
	enum src src;
	bool disabled;       /* systemd unit without an enabling link */
	const char *action;  /* inittab action */
	const char *tty;     /* inittab id / tty */
	long port_hint;      /* from tcpsvd/udpsvd/inetd */
	struct gb_sh_vars *vars;
	struct pipe pipe;
	/* OpenWrt procd: the command being built */
	char procd[TEXT_MAX];
	unsigned procd_reported; /* rules already reported for that command */
	bool in_procd;
	/* the last stage seen: an interactive shell? (inittab) */
	bool last_shell;
	size_t n_seen;
	struct {
		uint32_t line;
		enum rule rule;
	} seen[MAX_SEEN];
};

/* Report rule r at `line` of the file being read (one finding per rule and
 * line); `d` (details, may be NULL) is stolen. The message is printf-style. */
void gb__svc_report(struct ctx *cx, enum rule r, enum gb_severity sev, uint32_t line, json_t *d, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* {"command": text, "port": port when > 0}. */
json_t *gb__svc_cmd_details(const char *text, long port);
/* One simple command (words, its redirections when known): peel wrappers
 * off and report what it starts. `depth` bounds sh -c / eval re-lexing. */
void gb__svc_analyze(struct ctx *cx, const char *const *words, size_t nw, const struct gb_sh_cmd *cmd,
		     uint32_t line, unsigned depth);
/* Every command of a lexer's input, pipelines included. */
void gb__svc_lex_all(struct ctx *cx, struct gb_sh *sh, unsigned depth);
/* A shell with no script operand and no -c. */
bool gb__svc_interactive_shell(const char *const *av, size_t n);
/* av joined by single spaces into buf (truncated to cap). */
void gb__svc_join(char *buf, size_t cap, const char *const *av, size_t n);
/* A TCP/UDP port number (1..65535), or -1. */
long gb__svc_parse_port(const char *s);

#endif
