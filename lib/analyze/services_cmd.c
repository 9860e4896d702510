/* services: what a boot command starts (see an_services.c for the rules).
 *
 * A simple command is stripped of assignments and shell keywords, then of
 * its wrappers (exec, nohup, env, busybox APPLET, start-stop-daemon, tcpsvd,
 * procd_set_param command, sh -c / su -c / eval strings, which are lexed
 * again), and the program left decides the rule: telnetd, netcat, socat,
 * /dev/tcp redirections, gdbserver, tftpd -c, debug daemons, dropbear -B,
 * sshd -o PermitEmptyPasswords, getty autologin, login -f. Pipelines are
 * summarised stage by stage (netcat + an interactive shell = a bind shell). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/services.h"

static const char *const rule_ids[R_COUNT] = {
	"service.telnet", "service.bind-shell", "service.autologin-console", "service.debug",
	"service.ssh-blank-passwords",
};

static const char *const src_names[] = {"inittab", "init-script", "systemd", "cron", "cron", "inetd", "sshd_config",
					"uci"};

/* ---- small helpers ---- */

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const shells[] = {"sh", "ash", "bash", "dash", "hush", "msh", "ksh", "mksh", "zsh",
				     "lash", "rbash", "csh", "tcsh", NULL};

static bool is_shell(const char *w)
{
	return one_of(gb__sh_basename(w), shells);
}

long gb__svc_parse_port(const char *s)
{
	char *e;
	if (!s || *s < '0' || *s > '9')
		return -1;
	long v = strtol(s, &e, 10);
	if (v <= 0 || v > 65535)
		return -1;
	return v;
}

/* The port after the last ':' of "host:port" (or "host:port,opts"). */
static long port_after_colon(const char *s)
{
	const char *c = strrchr(s, ':');
	char buf[16];
	size_t n = 0;

	if (!c)
		return -1;
	for (c++; *c >= '0' && *c <= '9' && n < sizeof(buf) - 1; c++)
		buf[n++] = *c;
	buf[n] = '\0';
	return gb__svc_parse_port(buf);
}

void gb__svc_join(char *buf, size_t cap, const char *const *av, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < cap; i++) {
		int r = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", av[i]);
		if (r < 0)
			break;
		len += (size_t)r;
	}
	if (len >= cap)
		buf[cap - 1] = '\0';
}

/* A tiny getopt over one argv: calls fn for each short option letter found
 * (with its argument when the letter is in `with_arg`) and each long option
 * (--name or --name=value; its value is the next word when `long_arg` lists
 * it), and for each operand (opt == 0). Stops at "--". */
struct opt {
	char letter;           /* 0 for an operand or a long option */
	const char *name;      /* long option name (without --), or NULL */
	const char *arg;       /* the option's argument, or the operand */
};

static size_t getopts(const char *const *av, size_t n, const char *with_arg, const char *const *long_arg,
		      struct opt *ret, size_t cap)
{
	size_t k = 0;
	for (size_t i = 1; i < n && k < cap; i++) {
		const char *w = av[i];
		if (strcmp(w, "--") == 0)
			break;
		if (w[0] == '-' && w[1] == '-' && w[2]) {
			const char *eq = strchr(w, '=');
			struct opt o = {.letter = 0, .name = w + 2, .arg = eq ? eq + 1 : NULL};
			if (!eq && long_arg && i + 1 < n) {
				for (const char *const *l = long_arg; *l; l++)
					if (strcmp(*l, w + 2) == 0) {
						o.arg = av[++i];
						break;
					}
			}
			ret[k++] = o;
			continue;
		}
		if (w[0] == '-' && w[1]) {
			for (const char *c = w + 1; *c && k < cap; c++) {
				struct opt o = {.letter = *c, .name = NULL, .arg = NULL};
				if (strchr(with_arg, *c)) {
					if (c[1])
						o.arg = c + 1;
					else if (i + 1 < n)
						o.arg = av[++i];
					ret[k++] = o;
					break;
				}
				ret[k++] = o;
			}
			continue;
		}
		ret[k++] = (struct opt){.letter = 0, .name = NULL, .arg = w};
	}
	return k;
}

static bool long_is(const struct opt *o, const char *name)
{
	if (!o->name)
		return false;
	size_t n = strlen(name);
	return strncmp(o->name, name, n) == 0 && (o->name[n] == '\0' || o->name[n] == '=');
}

/* ---- findings ---- */

static bool seen(struct ctx *cx, enum rule r, uint32_t line)
{
	for (size_t i = 0; i < cx->n_seen; i++)
		if (cx->seen[i].rule == r && cx->seen[i].line == line)
			return true;
	if (cx->n_seen < MAX_SEEN) {
		cx->seen[cx->n_seen].rule = r;
		cx->seen[cx->n_seen].line = line;
		cx->n_seen++;
	}
	return false;
}

void gb__svc_report(struct ctx *cx, enum rule r, enum gb_severity sev, uint32_t line, json_t *d, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (cx->in_procd && (cx->procd_reported & (1u << r))) {
		json_decref(d);
		return;
	}
	if (cx->in_procd)
		cx->procd_reported |= 1u << r;
	if (seen(cx, r, line)) {
		json_decref(d);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!d)
		d = json_object();
	json_object_set_new(d, "source", json_string(src_names[cx->src]));
	if (cx->src == SRC_SYSTEMD)
		json_object_set_new(d, "enabled", json_boolean(!cx->disabled));
	if (cx->action)
		json_object_set_new(d, "action", json_string(cx->action));
	if (cx->disabled)
		sev = GB_SEV_INFO;
	gb_aout_finding(cx->out, rule_ids[r], sev, cx->f, line, -1, d, "%s (%s line %u%s)", msg, cx->f->path,
			line, cx->disabled ? ", unit not enabled" : "");
}

/* " on port N" or "" (for messages). */
static const char *on_port(char *buf, size_t cap, long port)
{
	if (port > 0)
		snprintf(buf, cap, " on port %ld", port);
	else
		buf[0] = '\0';
	return buf;
}

json_t *gb__svc_cmd_details(const char *text, long port)
{
	json_t *d = json_object();
	json_object_set_new(d, "command", json_string(text));
	if (port > 0)
		json_object_set_new(d, "port", json_integer(port));
	return d;
}

/* ---- the services ---- */

static void telnet(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	const char *b = gb__sh_basename(av[0]);
	struct opt o[GB_SH_MAX_WORDS];
	const char *login = NULL;
	long port = -1;
	size_t k = getopts(av, n, strcmp(b, "utelnetd") == 0 ? "pil" : "flpbwL", NULL, o, GB_SH_MAX_WORDS);

	for (size_t i = 0; i < k; i++) {
		if ((o[i].letter == 'l' || o[i].letter == 'L') && o[i].arg)
			login = o[i].arg;
		else if (o[i].letter == 'p' && o[i].arg)
			port = gb__svc_parse_port(o[i].arg);
		else if (o[i].letter == 'b' && o[i].arg && port < 0)
			port = port_after_colon(o[i].arg);
	}
	if (port < 0)
		port = cx->port_hint;
	json_t *d = gb__svc_cmd_details(text, port);
	if (login)
		json_object_set_new(d, "login", json_string(login));
	if (login && is_shell(login)) {
		gb__svc_report(cx, R_TELNET, GB_SEV_CRITICAL, line, d,
		       "%s is started at boot and gives a shell without login (-l %s)", b, login);
		return;
	}
	gb__svc_report(cx, R_TELNET, GB_SEV_HIGH, line, d, "%s (cleartext remote login) is started at boot", b);
}

/* netcat: -e/-c PROG is a shell on a port; plain nc is remembered for pipelines. */
static void netcat(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	static const char *const long_arg[] = {"exec", "sh-exec", "lua-exec", NULL};
	struct opt o[GB_SH_MAX_WORDS];
	const char *prog = NULL;
	bool listen = false;
	long port = -1, operand_port = -1;
	size_t k = getopts(av, n, "pescwiqoOfxXPTgGImMVbB", long_arg, o, GB_SH_MAX_WORDS);

	for (size_t i = 0; i < k; i++) {
		if ((o[i].letter == 'e' || o[i].letter == 'c') && o[i].arg)
			prog = o[i].arg;
		else if ((long_is(&o[i], "exec") || long_is(&o[i], "sh-exec") || long_is(&o[i], "lua-exec")) &&
			 o[i].arg)
			prog = o[i].arg;
		else if (o[i].letter == 'l' || long_is(&o[i], "listen"))
			listen = true;
		else if (o[i].letter == 'p' && o[i].arg)
			port = gb__svc_parse_port(o[i].arg);
		else if (o[i].letter == 0 && !o[i].name && gb__svc_parse_port(o[i].arg) > 0)
			operand_port = gb__svc_parse_port(o[i].arg);
	}
	if (port < 0)
		port = operand_port;
	cx->pipe.nc = true;
	cx->pipe.nc_listen = listen;
	if (port > 0)
		cx->pipe.nc_port = port;
	if (!prog)
		return;
	json_t *d = gb__svc_cmd_details(text, port);
	json_object_set_new(d, "program", json_string(prog));
	json_object_set_new(d, "mode", json_string(listen ? "listen" : "connect"));
	char pb[32];
	if (listen)
		gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, line, d, "netcat serves %s%s at boot", prog,
		       on_port(pb, sizeof(pb), port));
	else
		gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, line, d, "netcat connects out with %s at boot (reverse shell)",
		       prog);
}

static void socat(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	const char *prog = NULL;
	long port = -1;
	bool net = false, listen = false;

	for (size_t i = 1; i < n; i++) {
		const char *a = av[i];
		if (strncasecmp(a, "exec:", 5) == 0 || strncasecmp(a, "system:", 7) == 0) {
			prog = strchr(a, ':') + 1;
		} else if (strncasecmp(a, "tcp", 3) == 0 || strncasecmp(a, "udp", 3) == 0 ||
			   strncasecmp(a, "sctp", 4) == 0 || strncasecmp(a, "openssl", 7) == 0) {
			net = true;
			char buf[128];
			snprintf(buf, sizeof(buf), "%s", a);
			char *comma = strchr(buf, ',');
			if (comma)
				*comma = '\0';
			listen = strcasestr(buf, "listen") != NULL;
			port = port_after_colon(buf);
		}
	}
	if (!prog || !net)
		return;
	json_t *d = gb__svc_cmd_details(text, port);
	json_object_set_new(d, "program", json_string(prog));
	json_object_set_new(d, "mode", json_string(listen ? "listen" : "connect"));
	char pb[32];
	gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, line, d, "socat %s %s%s at boot", listen ? "serves" : "connects out with",
	       prog, on_port(pb, sizeof(pb), port));
}

/* Any redirection to bash's /dev/tcp or /dev/udp: a shell wired to the network. */
static void dev_tcp(struct ctx *cx, const struct gb_sh_cmd *cmd, const char *text, uint32_t line)
{
	for (size_t i = 0; i < cmd->n_redir; i++) {
		const char *t = cmd->redir[i].target;
		if (strncmp(t, "/dev/tcp/", 9) != 0 && strncmp(t, "/dev/udp/", 9) != 0)
			continue;
		const char *slash = strrchr(t, '/');
		long port = gb__svc_parse_port(slash + 1);
		json_t *d = gb__svc_cmd_details(text, port);
		json_object_set_new(d, "target", json_string(t));
		gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, line, d, "a shell is wired to %s at boot (reverse shell)", t);
		return;
	}
}

static void gdbserver(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	long port = -1;
	for (size_t i = 1; i < n && port < 0; i++)
		if (av[i][0] != '-' && strchr(av[i], ':'))
			port = port_after_colon(av[i]);
	json_t *d = gb__svc_cmd_details(text, port);
	json_object_set_new(d, "daemon", json_string("gdbserver"));
	gb__svc_report(cx, R_DEBUG, GB_SEV_HIGH, line, d, "gdbserver (remote debugging of any process) is started at boot");
}

static void tftpd(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	static const char *const long_arg[] = {"user", "umask", "address", "blocksize", "refuse", "timeout",
					       "retransmit", "port-range", "map-file", "secure-dir", NULL};
	struct opt o[GB_SH_MAX_WORDS];
	bool create = false;
	size_t k = getopts(av, n, "uUaBrTmRP", long_arg, o, GB_SH_MAX_WORDS);

	for (size_t i = 0; i < k; i++)
		if (o[i].letter == 'c' || long_is(&o[i], "create"))
			create = true;
	if (!create)
		return;
	json_t *d = gb__svc_cmd_details(text, cx->port_hint);
	json_object_set_new(d, "daemon", json_string(gb__sh_basename(av[0])));
	gb__svc_report(cx, R_DEBUG, GB_SEV_HIGH, line, d,
	       "%s is started at boot with uploads allowed (-c): anyone can write files to the device",
	       gb__sh_basename(av[0]));
}

static void debug_daemon(struct ctx *cx, const char *b, const char *text, uint32_t line)
{
	json_t *d = gb__svc_cmd_details(text, cx->port_hint);
	json_object_set_new(d, "daemon", json_string(b));
	gb__svc_report(cx, R_DEBUG, GB_SEV_HIGH, line, d, "the debug daemon %s is started at boot", b);
}

static void dropbear(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	struct opt o[GB_SH_MAX_WORDS];
	long port = -1;
	bool blank = false;
	size_t k = getopts(av, n, "brpPWKIcTGD", NULL, o, GB_SH_MAX_WORDS);

	for (size_t i = 0; i < k; i++) {
		if (o[i].letter == 'B')
			blank = true;
		else if (o[i].letter == 'p' && o[i].arg && port < 0)
			port = strchr(o[i].arg, ':') ? port_after_colon(o[i].arg) : gb__svc_parse_port(o[i].arg);
	}
	if (!blank)
		return;
	json_t *d = gb__svc_cmd_details(text, port);
	json_object_set_new(d, "option", json_string("-B"));
	gb__svc_report(cx, R_SSHBLANK, GB_SEV_HIGH, line, d, "dropbear is started with -B: accounts with an empty password can log in over SSH");
}

static void sshd(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	for (size_t i = 1; i < n; i++) {
		const char *v = NULL;
		if (strcmp(av[i], "-o") == 0 && i + 1 < n)
			v = av[i + 1];
		else if (strncmp(av[i], "-o", 2) == 0)
			v = av[i] + 2;
		if (!v || strncasecmp(v, "PermitEmptyPasswords", 20) != 0)
			continue;
		v += 20;
		while (*v == '=' || *v == ' ' || *v == '\t')
			v++;
		if (strcasecmp(v, "yes") != 0)
			continue;
		json_t *d = gb__svc_cmd_details(text, -1);
		json_object_set_new(d, "option", json_string("PermitEmptyPasswords yes"));
		gb__svc_report(cx, R_SSHBLANK, GB_SEV_HIGH, line, d, "sshd is started with PermitEmptyPasswords=yes");
		return;
	}
}

static void getty(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	static const char *const long_arg[] = {"autologin", "login-program", "issue-file", "host", "init-string",
					       "timeout", "erase-chars", "kill-chars", "login-options", "chroot",
					       "chdir", "delay", "nice", NULL};
	struct opt o[GB_SH_MAX_WORDS];
	const char *user = NULL, *login = NULL, *tty = NULL;
	size_t k = getopts(av, n, "aIlfHtoxrdRiE", long_arg, o, GB_SH_MAX_WORDS);

	for (size_t i = 0; i < k; i++) {
		if ((o[i].letter == 'a' || long_is(&o[i], "autologin")) && o[i].arg)
			user = o[i].arg;
		else if ((o[i].letter == 'l' || long_is(&o[i], "login-program")) && o[i].arg)
			login = o[i].arg;
		else if (o[i].letter == 0 && !o[i].name && !tty && strspn(o[i].arg, "0123456789,") != strlen(o[i].arg) &&
			 strcmp(o[i].arg, "-") != 0)
			tty = o[i].arg; /* the first operand that is not a baud rate list */
	}
	if (!user && !(login && is_shell(login)))
		return;
	json_t *d = gb__svc_cmd_details(text, -1);
	json_object_set_new(d, "user", json_string(user ? user : "root"));
	if (tty || cx->tty)
		json_object_set_new(d, "tty", json_string(tty ? tty : cx->tty));
	if (user)
		gb__svc_report(cx, R_AUTOLOGIN, GB_SEV_HIGH, line, d, "%s logs %s in on %s without a password",
		       gb__sh_basename(av[0]), user, tty ? tty : "the console");
	else
		gb__svc_report(cx, R_AUTOLOGIN, GB_SEV_HIGH, line, d, "%s runs %s on %s instead of login",
		       gb__sh_basename(av[0]), login, tty ? tty : "the console");
}

static void login_f(struct ctx *cx, const char *const *av, size_t n, const char *text, uint32_t line)
{
	for (size_t i = 1; i + 1 < n; i++) {
		if (strcmp(av[i], "-f") != 0)
			continue;
		json_t *d = gb__svc_cmd_details(text, -1);
		json_object_set_new(d, "user", json_string(av[i + 1]));
		if (cx->tty)
			json_object_set_new(d, "tty", json_string(cx->tty));
		gb__svc_report(cx, R_AUTOLOGIN, GB_SEV_HIGH, line, d, "login -f logs %s in without a password", av[i + 1]);
		return;
	}
}

/* An interactive shell: no script operand and no -c. */
bool gb__svc_interactive_shell(const char *const *av, size_t n)
{
	if (!is_shell(av[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(av[i], "-c") == 0)
			return false;
		if (av[i][0] != '-' && av[i][0] != '+')
			return false;
	}
	return true;
}

static void lex_string(struct ctx *cx, const char *s, uint32_t line, unsigned depth);

static void classify(struct ctx *cx, const char *const *av, size_t n, const struct gb_sh_cmd *cmd, uint32_t line,
		     unsigned depth)
{
	static const char *const telnetds[] = {"telnetd", "utelnetd", "in.telnetd", NULL};
	static const char *const ncs[] = {"nc", "netcat", "ncat", "nc.traditional", "nc.openbsd", "telnet", NULL};
	static const char *const tftpds[] = {"tftpd", "in.tftpd", "atftpd", "tftpd-hpa", NULL};
	static const char *const debugds[] = {"remote_debug", "remote_dbg", "dbgd", "debugd", "adbd", NULL};
	static const char *const gettys[] = {"getty", "agetty", "mingetty", "fgetty", "mgetty", NULL};
	char text[TEXT_MAX];
	const char *b = gb__sh_basename(av[0]);

	gb__svc_join(text, sizeof(text), av, n);
	if (cmd && is_shell(b))
		dev_tcp(cx, cmd, text, line);
	cx->last_shell = gb__svc_interactive_shell(av, n);
	if (cx->last_shell)
		cx->pipe.shell = true;
	if (one_of(b, telnetds))
		telnet(cx, av, n, text, line);
	else if (one_of(b, ncs))
		netcat(cx, av, n, text, line);
	else if (strcmp(b, "socat") == 0)
		socat(cx, av, n, text, line);
	else if (strncmp(b, "gdbserver", 9) == 0)
		gdbserver(cx, av, n, text, line);
	else if (one_of(b, tftpds))
		tftpd(cx, av, n, text, line);
	else if (one_of(b, debugds))
		debug_daemon(cx, b, text, line);
	else if (strcmp(b, "dropbear") == 0)
		dropbear(cx, av, n, text, line);
	else if (strcmp(b, "sshd") == 0)
		sshd(cx, av, n, text, line);
	else if (one_of(b, gettys))
		getty(cx, av, n, text, line);
	else if (strcmp(b, "login") == 0)
		login_f(cx, av, n, text, line);
	else if (is_shell(b) && depth < MAX_DEPTH) {
		for (size_t i = 1; i + 1 < n; i++)
			if (strcmp(av[i], "-c") == 0 || (av[i][0] == '-' && av[i][1] != '-' && strchr(av[i], 'c'))) {
				lex_string(cx, av[i + 1], line, depth + 1);
				break;
			}
	}
}

/* start-stop-daemon: the program is --startas or --exec, its args follow "--". */
static size_t ssd(const char **av, size_t n)
{
	static const char *const with_arg_short[] = {"-x", "-a", "-n", "-p", "-u", "-g", "-c", "-r", "-d",
						     "-N", "-P", "-I", "-k", "-R", "-s", NULL};
	const char *exec = NULL, *startas = NULL;
	size_t i, dash = n;

	for (i = 1; i < n; i++) {
		const char *w = av[i];
		if (strcmp(w, "--") == 0) {
			dash = i;
			break;
		}
		if (strcmp(w, "-K") == 0 || strcmp(w, "--stop") == 0 || strcmp(w, "-T") == 0 ||
		    strcmp(w, "--status") == 0)
			return 0;
		const char *v = NULL;
		bool is_exec = strcmp(w, "-x") == 0 || strncmp(w, "--exec", 6) == 0;
		bool is_as = strcmp(w, "-a") == 0 || strncmp(w, "--startas", 9) == 0;
		if (w[0] == '-' && w[1] == '-' && strchr(w, '='))
			v = strchr(w, '=') + 1;
		else if ((one_of(w, with_arg_short) || (w[0] == '-' && w[1] == '-')) && i + 1 < n &&
			 !(strcmp(w, "--start") == 0 || strcmp(w, "--background") == 0 ||
			   strcmp(w, "--make-pidfile") == 0 || strcmp(w, "--quiet") == 0 ||
			   strcmp(w, "--oknodo") == 0 || strcmp(w, "--verbose") == 0 || strcmp(w, "--test") == 0))
			v = av[++i];
		if (is_exec && v)
			exec = v;
		if (is_as && v)
			startas = v;
	}
	const char *prog = startas ? startas : exec;
	if (!prog)
		return 0;
	size_t k = 0;
	av[k++] = prog;
	for (i = dash + 1; i < n; i++)
		av[k++] = av[i];
	return k;
}

/* Skip options of a wrapper; `with_arg` lists its short options that take an argument. */
static size_t skip_opts(const char *const *av, size_t n, size_t i, const char *with_arg)
{
	while (i < n && av[i][0] == '-' && av[i][1]) {
		if (strcmp(av[i], "--") == 0)
			return i + 1;
		if (av[i][1] != '-' && !av[i][2] && strchr(with_arg, av[i][1]))
			i++;
		i++;
	}
	return i;
}

static void procd(struct ctx *cx, const char *const *av, size_t n, bool append, uint32_t line, unsigned depth);

/* Peel wrappers off one simple command and classify what it runs. */
void gb__svc_analyze(struct ctx *cx, const char *const *words, size_t nw, const struct gb_sh_cmd *cmd,
		     uint32_t line, unsigned depth)
{
	static const char *const keywords[] = {"if", "then", "else", "elif", "do", "while", "until", "!", "{",
					       "}", "fi", "done", "esac", "time", NULL};
	const char *av[GB_SH_MAX_WORDS];
	size_t n = nw < GB_SH_MAX_WORDS ? nw : GB_SH_MAX_WORDS;
	size_t i = 0;

	memcpy(av, words, n * sizeof(*av));
	for (unsigned guard = 0; guard < 16; guard++) {
		while (i < n && (gb__sh_is_assignment(av[i]) || one_of(av[i], keywords)))
			i++;
		if (i >= n)
			return;
		const char *b = gb__sh_basename(av[i]);
		if (strcmp(b, "exec") == 0) {
			i = skip_opts(av, n, i + 1, "a");
			if (i >= n && cmd)
				dev_tcp(cx, cmd, "exec", line); /* exec 5<>/dev/tcp/HOST/PORT */
		} else if ((strcmp(b, "command") == 0 || strcmp(b, "type") == 0) && i + 1 < n &&
			   (strcmp(av[i + 1], "-v") == 0 || strcmp(av[i + 1], "-V") == 0)) {
			return; /* a lookup, not a run */
		} else if (one_of(b, (const char *const[]){"nohup", "setsid", "command", "builtin", "sudo", "doas",
							   "stdbuf", "chrt", "taskset", "ionice", "nice", "env",
							   "busybox", "service_start", "dropbearmulti", "unbuffer",
							   NULL})) {
			i = skip_opts(av, n, i + 1, "ungcpoeiCNR");
		} else if (strcmp(b, "chroot") == 0) {
			i = skip_opts(av, n, i + 1, "") + 1;
		} else if (strcmp(b, "tcpsvd") == 0 || strcmp(b, "udpsvd") == 0) {
			i = skip_opts(av, n, i + 1, "cCbuliLtH");
			if (i + 1 < n && gb__svc_parse_port(av[i + 1]) > 0)
				cx->port_hint = gb__svc_parse_port(av[i + 1]);
			i += 2;
		} else if (strcmp(b, "start-stop-daemon") == 0) {
			n = ssd(av + i, n - i);
			memmove(av, av + i, n * sizeof(*av));
			i = 0;
			if (n == 0)
				return;
		} else if (strcmp(b, "procd_set_param") == 0 || strcmp(b, "procd_append_param") == 0) {
			if (i + 1 < n && strcmp(av[i + 1], "command") == 0)
				procd(cx, av + i + 2, n - i - 2, b[6] == 'a', line, depth);
			return;
		} else if (strcmp(b, "su") == 0) {
			for (size_t k = i + 1; k + 1 < n; k++)
				if ((strcmp(av[k], "-c") == 0 || strcmp(av[k], "--command") == 0) && depth < MAX_DEPTH) {
					lex_string(cx, av[k + 1], line, depth + 1);
					break;
				}
			return;
		} else if (strcmp(b, "eval") == 0) {
			char text[TEXT_MAX];
			gb__svc_join(text, sizeof(text), av + i + 1, n - i - 1);
			if (depth < MAX_DEPTH)
				lex_string(cx, text, line, depth + 1);
			return;
		} else {
			break;
		}
	}
	if (i >= n)
		return;
	classify(cx, av + i, n - i, cmd, line, depth);
}

/* OpenWrt procd: "procd_set_param command PROG ARGS" starts PROG under procd;
 * "procd_append_param command ARGS" adds to it. An append that is itself
 * conditional (after && or ||) is not counted: it depends on the UCI config,
 * which is read on its own (/etc/config/dropbear). */
static void procd(struct ctx *cx, const char *const *av, size_t n, bool append, uint32_t line, unsigned depth)
{
	char text[TEXT_MAX];
	const char *words[GB_SH_MAX_WORDS];
	size_t len = strlen(cx->procd);

	gb__svc_join(text, sizeof(text), av, n);
	if (append) {
		if (!cx->procd[0])
			return;
		snprintf(cx->procd + len, sizeof(cx->procd) - len, " %s", text);
	} else {
		snprintf(cx->procd, sizeof(cx->procd), "%s", text);
		cx->procd_reported = 0;
	}
	/* re-split the joined command (its words had no blanks when they were joined) */
	char copy[TEXT_MAX];
	size_t nw = 0;
	snprintf(copy, sizeof(copy), "%s", cx->procd);
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && nw < GB_SH_MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		words[nw++] = t;
	cx->in_procd = true;
	gb__svc_analyze(cx, words, nw, NULL, line, depth);
	cx->in_procd = false;
}

/* ---- reading files ---- */

static void pipe_reset(struct ctx *cx, uint32_t line)
{
	memset(&cx->pipe, 0, sizeof(cx->pipe));
	cx->pipe.nc_port = -1;
	cx->pipe.line = line;
}

static void pipe_end(struct ctx *cx)
{
	struct pipe *p = &cx->pipe;

	if (p->stages > 1 && p->nc && p->shell) {
		json_t *d = gb__svc_cmd_details(p->text, p->nc_port);
		json_object_set_new(d, "mode", json_string(p->nc_listen ? "listen" : "connect"));
		char pb[32];
		gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, p->line, d, "a shell is piped to and from netcat%s at boot",
		       on_port(pb, sizeof(pb), p->nc_port));
	}
	pipe_reset(cx, 0);
}

/* Run one lexer over its input, command by command. */
void gb__svc_lex_all(struct ctx *cx, struct gb_sh *sh, unsigned depth)
{
	struct gb_sh_cmd *cmd = malloc(sizeof(*cmd));
	if (!cmd)
		return;
	pipe_reset(cx, sh->line);
	while (gb__sh_next(sh, cmd) > 0) {
		if (cmd->prev != GB_SH_PIPE)
			pipe_reset(cx, cmd->line);
		if (cmd->n) {
			size_t len = strlen(cx->pipe.text);
			char text[TEXT_MAX];
			gb__svc_join(text, sizeof(text), cmd->w, cmd->n);
			snprintf(cx->pipe.text + len, sizeof(cx->pipe.text) - len, "%s%s", len ? " | " : "", text);
			cx->pipe.stages++;
			bool cond = cmd->prev == GB_SH_AND || cmd->prev == GB_SH_OR;
			if (cond && strcmp(cmd->w[0], "procd_append_param") == 0)
				continue;
			gb__svc_analyze(cx, cmd->w, cmd->n, cmd, cmd->line, depth);
		}
		if (cmd->sep != GB_SH_PIPE)
			pipe_end(cx);
	}
	free(cmd);
}

static void lex_string(struct ctx *cx, const char *s, uint32_t line, unsigned depth)
{
	struct gb_sh sh;
	struct pipe saved = cx->pipe;

	gb__sh_init(&sh, s, strlen(s), line, cx->vars != NULL, cx->vars);
	gb__svc_lex_all(cx, &sh, depth);
	cx->pipe = saved;
}
