/* services: remote and console doors opened at boot.
 *
 * A device that starts telnetd with a shell instead of login, a netcat bound
 * to a shell, a root shell or an autologin getty on its serial console, a
 * gdbserver or a writable tftpd, or an SSH server that accepts empty
 * passwords, is open to whoever reaches the port or the UART. This analyzer
 * reads the places that start programs at boot and reports the exact file and
 * line that starts each such service:
 *
 *   /etc/inittab (BusyBox and sysvinit id:runlevels:action:process);
 *   /etc/init.d/ANY, /etc/rc.d/ANY, /etc/rcN.d/ANY, /etc/rc.local, /etc/rcS,
 *   /etc/rc (shell scripts, OpenWrt procd scripts: procd_set_param command);
 *   systemd units (ExecStart/ExecStartPre/ExecStartPost of .service files and
 *   drop-ins under /etc/systemd/system, /lib/systemd/system,
 *   /usr/lib/systemd/system; units not enabled by a .wants/.requires link are
 *   reported as info);
 *   crontabs (/etc/crontab, /etc/cron.d/ANY, /etc/crontabs/ANY,
 *   /var/spool/cron/crontabs/ANY); /etc/inetd.conf;
 *   /etc/ssh/sshd_config and OpenWrt's /etc/config/dropbear.
 *
 * Shell lines are split by lib/analyze/shlex.c (continuations, comments, &,
 * pipelines, simple variable assignments of the same script), then wrappers
 * are peeled off: exec, nohup, setsid, nice, env, busybox APPLET, chroot,
 * start-stop-daemon --exec/--startas ... -- ARGS, tcpsvd/udpsvd IP PORT,
 * sh/su -c STRING, eval. The remaining command decides the rule:
 *
 *   service.telnet        telnetd, utelnetd, in.telnetd (critical with -l SHELL)
 *   service.bind-shell    nc -e/-c, nc piped to or from a shell, socat
 *                         exec:/system: with a tcp/udp address, any redirection
 *                         to /dev/tcp or /dev/udp, a shell served by inetd
 *   service.autologin-console  getty --autologin USER / -a USER / -l SHELL,
 *                         login -f USER, an inittab entry that runs an
 *                         interactive shell (low for askfirst, BusyBox's
 *                         default "press Enter" console)
 *   service.debug         gdbserver, tftpd with -c/--create, the debug
 *                         daemons remote_debug, remote_dbg, dbgd, debugd, adbd
 *   service.ssh-blank-passwords  dropbear -B, sshd -o PermitEmptyPasswords=yes,
 *                         sshd_config PermitEmptyPasswords yes, UCI
 *                         BlankPassword 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/services.h"

/* ---- reading files ---- */

struct state {
	char **units; /* systemd unit names enabled through .wants/.requires links */
	size_t n_units;
};

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The physical line [p, eol) and the next one's start. */
struct lines {
	const char *p, *end;
	uint32_t no;
};

static bool next_line(struct lines *l, const char **s, const char **e)
{
	if (l->p >= l->end)
		return false;
	const char *eol = memchr(l->p, '\n', (size_t)(l->end - l->p));
	*s = l->p;
	*e = eol ? eol : l->end;
	l->p = eol ? eol + 1 : l->end;
	l->no++;
	while (*e > *s && ((*e)[-1] == '\r' || (*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	return true;
}

/* Lex one command line [s, e) that starts on `line`. */
static void lex_slice(struct ctx *cx, const char *s, const char *e, uint32_t line)
{
	struct gb_sh sh;
	gb__sh_init(&sh, s, (size_t)(e - s), line, false, NULL);
	gb__svc_lex_all(cx, &sh, 0);
}

static void do_inittab(struct ctx *cx, struct gb_span data)
{
	static const char *const skip[] = {"shutdown", "ctrlaltdel", "restart", "powerfail", "powerwait",
					   "powerfailnow", "powerokwait", "kbrequest", "off", "initdefault",
					   NULL};
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		if (s == e || *s == '#')
			continue;
		char buf[1024];
		size_t len = (size_t)(e - s) < sizeof(buf) - 1 ? (size_t)(e - s) : sizeof(buf) - 1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		char *f[4];
		char *p = buf;
		size_t k;
		for (k = 0; k < 3; k++) {
			char *c = strchr(p, ':');
			if (!c)
				break;
			*c = '\0';
			f[k] = p;
			p = c + 1;
		}
		if (k < 3)
			continue;
		f[3] = p;
		if (one_of(f[2], skip))
			continue;
		while (*f[3] == '-' || *f[3] == '+' || *f[3] == ' ' || *f[3] == '\t')
			f[3]++;
		char tty[64];
		snprintf(tty, sizeof(tty), "%s", f[0][0] ? f[0] : "console");
		cx->action = f[2];
		cx->tty = tty;
		cx->last_shell = false;
		struct gb_sh sh;
		gb__sh_init(&sh, f[3], strlen(f[3]), l.no, false, NULL);
		struct gb_sh_cmd *cmd = malloc(sizeof(*cmd));
		if (!cmd)
			return;
		/* the first command only decides whether the entry is a bare shell */
		if (gb__sh_next(&sh, cmd) > 0 && cmd->n) {
			gb__svc_analyze(cx, cmd->w, cmd->n, cmd, l.no, 0);
			if (cx->last_shell && cmd->sep != GB_SH_PIPE) {
				char text[TEXT_MAX];
				gb__svc_join(text, sizeof(text), cmd->w, cmd->n);
				json_t *d = gb__svc_cmd_details(text, -1);
				json_object_set_new(d, "user", json_string("root"));
				json_object_set_new(d, "tty", json_string(tty));
				bool ask = strcmp(f[2], "askfirst") == 0;
				gb__svc_report(cx, R_AUTOLOGIN, ask ? GB_SEV_LOW : GB_SEV_HIGH, l.no, d,
				       ask ? "init offers a root shell without password on %s after Enter is pressed "
					     "(BusyBox's default askfirst console)"
					   : "init runs a root shell without password on %s",
				       tty);
			}
		}
		free(cmd);
		/* the rest of the entry, if any, as a command line */
		gb__sh_init(&sh, f[3], strlen(f[3]), l.no, false, NULL);
		gb__svc_lex_all(cx, &sh, 0);
		cx->action = NULL;
		cx->tty = NULL;
	}
}

static void do_script(struct ctx *cx, struct gb_span data)
{
	struct gb_sh sh;
	struct gb_sh_vars *vars = calloc(1, sizeof(*vars));

	if (!vars)
		return;
	cx->vars = vars;
	gb__sh_init(&sh, (const char *)data.p, data.n, 1, true, vars);
	gb__svc_lex_all(cx, &sh, 0);
	cx->vars = NULL;
	free(vars);
}

/* crontab lines: "m h dom mon dow [user] command" or "@reboot [user] command". */
static void do_cron(struct ctx *cx, struct gb_span data)
{
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		if (s == e || *s == '#')
			continue;
		const char *p = s;
		while (p < e && *p != ' ' && *p != '\t' && *p != '=')
			p++;
		if (p < e && *p == '=')
			continue; /* NAME=value */
		size_t fields = *s == '@' ? 1 : 5;
		if (cx->src == SRC_SYSCRON)
			fields++;
		p = s;
		for (size_t k = 0; k < fields && p < e; k++) {
			while (p < e && *p != ' ' && *p != '\t')
				p++;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
		}
		if (p < e)
			lex_slice(cx, p, e, l.no);
	}
}

static long service_port(const char *name)
{
	static const struct {
		const char *name;
		long port;
	} ports[] = {{"telnet", 23}, {"ftp", 21}, {"tftp", 69}, {"shell", 514}, {"login", 513}, {"exec", 512}};
	long p = gb__svc_parse_port(name);
	if (p > 0)
		return p;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (strcmp(name, ports[i].name) == 0)
			return ports[i].port;
	return -1;
}

/* inetd.conf: "service socktype proto wait user server argv0 args..." */
static void do_inetd(struct ctx *cx, struct gb_span data)
{
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		if (s == e || *s == '#')
			continue;
		struct gb_sh sh;
		struct gb_sh_cmd *cmd = malloc(sizeof(*cmd));
		if (!cmd)
			return;
		gb__sh_init(&sh, s, (size_t)(e - s), l.no, false, NULL);
		if (gb__sh_next(&sh, cmd) > 0 && cmd->n >= 6) {
			const char *av[GB_SH_MAX_WORDS];
			size_t n = 0;
			av[n++] = cmd->w[5];
			for (size_t i = 7; i < cmd->n; i++)
				av[n++] = cmd->w[i];
			cx->port_hint = service_port(cmd->w[0]);
			if (gb__svc_interactive_shell(av, n)) {
				char text[TEXT_MAX];
				gb__svc_join(text, sizeof(text), av, n);
				json_t *d = gb__svc_cmd_details(text, cx->port_hint);
				json_object_set_new(d, "program", json_string(av[0]));
				json_object_set_new(d, "mode", json_string("listen"));
				gb__svc_report(cx, R_BIND, GB_SEV_CRITICAL, l.no, d, "inetd serves %s on port %s", av[0],
				       cmd->w[0]);
			} else {
				gb__svc_analyze(cx, av, n, NULL, l.no, 0);
			}
			cx->port_hint = -1;
		}
		free(cmd);
	}
}

/* systemd: Exec lines of a unit, with their continuation lines. */
static void do_systemd(struct ctx *cx, struct gb_span data)
{
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		static const char *const keys[] = {"ExecStart=", "ExecStartPre=", "ExecStartPost=", NULL};
		const char *v = NULL;
		for (const char *const *k = keys; *k; k++)
			if ((size_t)(e - s) >= strlen(*k) && memcmp(s, *k, strlen(*k)) == 0)
				v = s + strlen(*k);
		if (!v)
			continue;
		uint32_t line = l.no;
		/* take the continuation lines too: the lexer joins "\\\n" */
		const char *end = e;
		while (end > v && end[-1] == '\\' && l.p < l.end) {
			const char *s2, *e2;
			next_line(&l, &s2, &e2);
			end = e2;
		}
		bool at = false;
		while (v < end && strchr("-@:+!", *v)) {
			at |= *v == '@';
			v++;
		}
		struct gb_sh sh;
		struct gb_sh_cmd *cmd = malloc(sizeof(*cmd));
		if (!cmd)
			return;
		gb__sh_init(&sh, v, (size_t)(end - v), line, false, NULL);
		if (gb__sh_next(&sh, cmd) > 0 && cmd->n) {
			const char *av[GB_SH_MAX_WORDS];
			size_t n = 0;
			for (size_t i = 0; i < cmd->n; i++)
				if (!(at && i == 1))
					av[n++] = cmd->w[i];
			gb__svc_analyze(cx, av, n, cmd, line, 0);
		}
		free(cmd);
	}
}

static bool yes(const char *s, const char *e)
{
	char buf[16];
	size_t n = 0;
	while (s < e && (*s == '\'' || *s == '"' || *s == ' ' || *s == '\t'))
		s++;
	while (s < e && *s != '\'' && *s != '"' && *s != ' ' && *s != '\t' && n < sizeof(buf) - 1)
		buf[n++] = *s++;
	buf[n] = '\0';
	return strcasecmp(buf, "yes") == 0 || strcmp(buf, "1") == 0 || strcasecmp(buf, "on") == 0 ||
	       strcasecmp(buf, "true") == 0;
}

static void do_sshd(struct ctx *cx, struct gb_span data)
{
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		if ((size_t)(e - s) < 21 || strncasecmp(s, "PermitEmptyPasswords", 20) != 0 ||
		    !(s[20] == ' ' || s[20] == '\t' || s[20] == '='))
			continue;
		if (!yes(s + 21, e))
			continue;
		json_t *d = json_object();
		json_object_set_new(d, "option", json_string("PermitEmptyPasswords yes"));
		gb__svc_report(cx, R_SSHBLANK, GB_SEV_HIGH, l.no, d,
		       "sshd is configured with PermitEmptyPasswords yes: accounts with an empty password can log in");
	}
}

/* OpenWrt UCI: "option BlankPassword '1'" makes the dropbear init script add -B. */
static void do_uci_dropbear(struct ctx *cx, struct gb_span data)
{
	struct lines l = {(const char *)data.p, (const char *)data.p + data.n, 0};
	const char *s, *e;

	while (next_line(&l, &s, &e)) {
		if ((size_t)(e - s) < 21 || strncmp(s, "option", 6) != 0)
			continue;
		const char *p = s + 6;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(e - p) < 14 || (strncmp(p, "BlankPassword", 13) != 0 && strncmp(p, "'BlankPassword'", 15) != 0))
			continue;
		p += *p == '\'' ? 15 : 13;
		if (!yes(p, e))
			continue;
		json_t *d = json_object();
		json_object_set_new(d, "option", json_string("BlankPassword"));
		gb__svc_report(cx, R_SSHBLANK, GB_SEV_HIGH, l.no, d,
		       "dropbear is configured with BlankPassword: accounts with an empty password can log in");
	}
}

/* ---- which files ---- */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool has_suffix(const char *s, const char *x)
{
	size_t a = strlen(s), b = strlen(x);
	return a >= b && strcmp(s + a - b, x) == 0;
}

static const char *const unit_dirs[] = {"/etc/systemd/system/", "/lib/systemd/system/", "/usr/lib/systemd/system/",
					NULL};

static bool in_unit_dir(const char *p)
{
	for (const char *const *d = unit_dirs; *d; d++)
		if (has_prefix(p, *d))
			return true;
	return false;
}

/* Which reader a path needs, or -1. */
static int source_of(const char *p)
{
	if (strcmp(p, "/etc/inittab") == 0)
		return SRC_INITTAB;
	if ((has_prefix(p, "/etc/init.d/") || has_prefix(p, "/etc/rc.d/") || strcmp(p, "/etc/rc.local") == 0 ||
	     strcmp(p, "/etc/rcS") == 0 || strcmp(p, "/etc/rc") == 0 ||
	     (has_prefix(p, "/etc/rc") && strlen(p) > 10 && p[8] == '.' && p[9] == 'd' && p[10] == '/')) &&
	    !has_suffix(p, ".md"))
		return SRC_SCRIPT;
	if (in_unit_dir(p) && (has_suffix(p, ".service") || (strstr(p, ".service.d/") && has_suffix(p, ".conf"))))
		return SRC_SYSTEMD;
	if (strcmp(p, "/etc/crontab") == 0 || has_prefix(p, "/etc/cron.d/"))
		return SRC_SYSCRON;
	if (has_prefix(p, "/etc/crontabs/") || has_prefix(p, "/var/spool/cron/crontabs/"))
		return SRC_CRON;
	if (strcmp(p, "/etc/inetd.conf") == 0)
		return SRC_INETD;
	if (strcmp(p, "/etc/ssh/sshd_config") == 0 || strcmp(p, "/etc/sshd_config") == 0 ||
	    (has_prefix(p, "/etc/ssh/sshd_config.d/") && has_suffix(p, ".conf")))
		return SRC_SSHD;
	if (strcmp(p, "/etc/config/dropbear") == 0)
		return SRC_UCI_DROPBEAR;
	return -1;
}

static bool wants(void *state, const struct gb_afile *af)
{
	const struct gb_file *f = af->file;
	(void)state;
	if (f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK)
		return false;
	if (f->kind && strcmp(f->kind, "elf") == 0)
		return false;
	return source_of(f->path) >= 0;
}

/* A unit's name as the enabling links name it: "foo@.service" for "foo@bar.service". */
static void unit_name(const char *path, char *buf, size_t cap)
{
	const char *b = gb__sh_basename(path);
	const char *at = strchr(b, '@');
	const char *dot = strrchr(b, '.');
	if (at && dot && dot > at)
		snprintf(buf, cap, "%.*s%s", (int)(at + 1 - b), b, dot);
	else
		snprintf(buf, cap, "%s", b);
}

static bool unit_enabled(const struct state *st, const char *path)
{
	char name[256], alt[256];

	if (strstr(path, ".service.d/")) {
		/* a drop-in: its unit is the directory's name without ".d" */
		char dir[256];
		snprintf(dir, sizeof(dir), "%s", path);
		char *d = strstr(dir, ".service.d/");
		d[8] = '\0';
		unit_name(dir, name, sizeof(name));
	} else {
		unit_name(path, name, sizeof(name));
	}
	/* a socket-activated service foo@.service is enabled through foo.socket */
	snprintf(alt, sizeof(alt), "%s", name);
	char *at = strchr(alt, '@');
	if (at)
		snprintf(at, sizeof(alt) - (size_t)(at - alt), ".socket");
	for (size_t i = 0; i < st->n_units; i++)
		if (strcmp(st->units[i], name) == 0 || (at && strcmp(st->units[i], alt) == 0))
			return true;
	return false;
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	const struct state *st = state;
	struct ctx *cx = calloc(1, sizeof(*cx));
	int src = source_of(af->file->path);

	if (!cx)
		return -GB_ENOMEM;
	cx->out = out;
	cx->f = af->file;
	cx->src = (enum src)src;
	cx->port_hint = -1;
	if (cx->src == SRC_SYSTEMD)
		cx->disabled = !unit_enabled(st, af->file->path);
	switch (cx->src) {
	case SRC_INITTAB:
		do_inittab(cx, af->data);
		break;
	case SRC_SCRIPT:
		do_script(cx, af->data);
		break;
	case SRC_SYSTEMD:
		do_systemd(cx, af->data);
		break;
	case SRC_CRON:
	case SRC_SYSCRON:
		do_cron(cx, af->data);
		break;
	case SRC_INETD:
		do_inetd(cx, af->data);
		break;
	case SRC_SSHD:
		do_sshd(cx, af->data);
		break;
	case SRC_UCI_DROPBEAR:
		do_uci_dropbear(cx, af->data);
		break;
	}
	free(cx);
	return 0;
}

/* Collect the units that .wants/ and .requires/ links enable. */
static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	(void)opts;
	*ret_state = calloc(1, sizeof(struct state));
	return *ret_state ? 0 : -GB_ENOMEM;
}

/* The systemd units enabled at boot (*.wants/, *.requires/ links). */
static int start(void *state, const struct gb_scan *scan)
{
	struct state *st = state;
	size_t cap = 0;

	for (size_t i = 0; i < scan->n_files; i++) {
		const struct gb_file *f = &scan->files[i];
		if (!in_unit_dir(f->path) || (!strstr(f->path, ".wants/") && !strstr(f->path, ".requires/")))
			continue;
		if (st->n_units == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **u = realloc(st->units, nc * sizeof(*u));
			if (!u)
				break;
			st->units = u;
			cap = nc;
		}
		char name[256];
		unit_name(f->path, name, sizeof(name));
		st->units[st->n_units] = strdup(name);
		if (st->units[st->n_units])
			st->n_units++;
	}
	return 0;
}

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_units; i++)
		free(st->units[i]);
	free(st->units);
	free(st);
}

const struct gb_analyzer gb__an_services = {
	.name = "services",
	.description = "telnet, bind shells, console autologin, debug daemons and blank SSH passwords started at boot",
	.init = init,
	.start = start,
	.wants = wants,
	.run = run,
	.fini = fini,
};
