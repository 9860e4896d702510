/* webcmd: web scripts that run what the request says.
 *
 * Vendors leave "diagnostic" CGIs that eval a request parameter, often behind
 * a magic key (if [ "$debug_key" = "..." ]; then eval "$cmd"; fi). Anyone who
 * reaches the web server then runs commands as the web server's user, usually
 * root. Rule web.hidden-command (critical): a CGI or web script executes a
 * value derived from the request. Details: parameter (the gating field when
 * the execution is gated, else the executed field; null when not visible),
 * magic_value (the constant the gate compares with, or null), command_parameter
 * (the executed field, or null), line, sink, language.
 *
 * Which files: regular, non-ELF files below a web directory (a path component
 * cgi-bin, www, htdocs, webroot, web, webs, html, httpd, webui, luci) or named
 * *.cgi, *.php, *.haserl; the language comes from the #! line (sh, ash, bash,
 * dash, busybox, haserl, lua, php) or else the extension (.sh .cgi -> shell,
 * .lua, .php .phtml .inc). The taint readers are webcmd_sh.c (shell, haserl)
 * and webcmd_clike.c (Lua, PHP). A script that only prints request data is
 * not reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/webcmd.h"

#define MAX_SCRIPT (4u << 20)
#define MAX_HITS 64

enum lang { L_NONE, L_SHELL, L_HASERL, L_LUA, L_PHP };

static const char *const lang_names[] = {"", "shell", "haserl", "lua", "php"};

struct rctx {
	struct gb_aout *out;
	const struct gb_file *f;
	enum lang lang;
	size_t n;
	uint32_t lines[MAX_HITS];
};

static bool has_suffix(const char *s, const char *x)
{
	size_t a = strlen(s), b = strlen(x);
	return a >= b && strcmp(s + a - b, x) == 0;
}

static bool web_path(const char *p)
{
	static const char *const dirs[] = {"cgi-bin", "www", "htdocs", "webroot", "web", "webs", "html",
					   "httpd", "webui", "luci", NULL};
	if (has_suffix(p, ".cgi") || has_suffix(p, ".php") || has_suffix(p, ".haserl"))
		return true;
	for (const char *s = p; *s;) {
		while (*s == '/')
			s++;
		const char *e = strchr(s, '/');
		if (!e)
			break; /* the file name itself */
		for (const char *const *d = dirs; *d; d++)
			if ((size_t)(e - s) == strlen(*d) && strncmp(s, *d, strlen(*d)) == 0)
				return true;
		s = e;
	}
	return false;
}

static bool wants(void *state, const struct gb_afile *af)
{
	static const char *const skip[] = {"elf", "firmware", "compressed", "archive", "filesystem", "certificate",
					   "private-key", "public-key", "empty", "devicetree", NULL};
	const struct gb_file *f = af->file;
	(void)state;
	if (f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK)
		return false;
	if (f->size == 0 || f->size > MAX_SCRIPT)
		return false;
	for (const char *const *k = skip; *k; k++)
		if (f->kind && strcmp(f->kind, *k) == 0)
			return false;
	return web_path(f->path);
}

static enum lang language(const struct gb_file *f, struct gb_span d)
{
	if (d.n > 2 && d.p[0] == '#' && d.p[1] == '!') {
		const uint8_t *e = memchr(d.p, '\n', d.n);
		size_t n = e ? (size_t)(e - d.p) : d.n;
		char line[256];
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, d.p, n);
		line[n] = '\0';
		if (strstr(line, "haserl"))
			return L_HASERL;
		if (strstr(line, "lua"))
			return L_LUA;
		if (strstr(line, "php"))
			return L_PHP;
		static const char *const sh[] = {"/sh", "/ash", "/bash", "/dash", "/busybox", "/hush", " sh", NULL};
		for (const char *const *s = sh; *s; s++)
			if (strstr(line, *s))
				return L_SHELL;
		return L_NONE; /* perl, python...: not read */
	}
	if (has_suffix(f->path, ".lua"))
		return L_LUA;
	if (has_suffix(f->path, ".php") || has_suffix(f->path, ".phtml") || has_suffix(f->path, ".inc"))
		return L_PHP;
	if (has_suffix(f->path, ".sh") || has_suffix(f->path, ".cgi"))
		return L_SHELL;
	if (d.n >= 5 && memmem(d.p, d.n < 4096 ? d.n : 4096, "<?php", 5))
		return L_PHP;
	return L_NONE;
}

static void on_hit(void *arg, const struct gb__webcmd_hit *h)
{
	struct rctx *r = arg;

	for (size_t i = 0; i < r->n; i++)
		if (r->lines[i] == h->line)
			return;
	if (r->n == MAX_HITS)
		return;
	r->lines[r->n++] = h->line;
	json_t *d = json_object();
	json_object_set_new(d, "parameter", h->param[0] ? json_string(h->param) : json_null());
	json_object_set_new(d, "magic_value", h->magic[0] ? json_string(h->magic) : json_null());
	json_object_set_new(d, "command_parameter", h->cmd_param[0] ? json_string(h->cmd_param) : json_null());
	json_object_set_new(d, "line", json_integer(h->line));
	json_object_set_new(d, "sink", json_string(h->sink));
	json_object_set_new(d, "language", json_string(lang_names[r->lang]));
	char what[96];
	if (h->cmd_param[0])
		snprintf(what, sizeof(what), "request parameter '%s'", h->cmd_param);
	else
		snprintf(what, sizeof(what), "request data");
	if (h->magic[0])
		gb_aout_finding(r->out, "web.hidden-command", GB_SEV_CRITICAL, r->f, h->line, -1, d,
				"%s executes %s through %s when '%s' equals '%s' (hidden command)", r->f->path, what,
				h->sink, h->param[0] ? h->param : "a request value", h->magic);
	else
		gb_aout_finding(r->out, "web.hidden-command", GB_SEV_CRITICAL, r->f, h->line, -1, d,
				"%s executes %s through %s", r->f->path, what, h->sink);
}

/* haserl: only <% ... %> is shell; the rest (HTML) is blanked, newlines kept. */
static char *haserl_code(struct gb_span d)
{
	char *b = malloc(d.n + 1);
	bool code = false;

	if (!b)
		return NULL;
	for (size_t i = 0; i < d.n; i++) {
		char c = (char)d.p[i];
		if (!code && c == '<' && i + 1 < d.n && d.p[i + 1] == '%') {
			code = true;
			b[i] = ' ';
			b[++i] = ' ';
			if (i + 1 < d.n && (d.p[i + 1] == '=' || d.p[i + 1] == '@')) {
				/* <%= expr %> prints; <%@ directive %> */
				b[++i] = ' ';
				while (i + 1 < d.n && !(d.p[i + 1] == '%' && i + 2 < d.n && d.p[i + 2] == '>')) {
					i++;
					b[i] = d.p[i] == '\n' ? '\n' : ' ';
				}
			}
			continue;
		}
		if (code && c == '%' && i + 1 < d.n && d.p[i + 1] == '>') {
			code = false;
			b[i] = ';';
			b[++i] = ' ';
			continue;
		}
		b[i] = code || c == '\n' ? c : ' ';
	}
	b[d.n] = '\0';
	/* the #! line itself */
	for (size_t i = 0; i < d.n && b[i] != '\n'; i++)
		b[i] = ' ';
	return b;
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct rctx *r;
	(void)state;

	if (!af->data.p || af->data.n == 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -GB_ENOMEM;
	r->out = out;
	r->f = af->file;
	r->lang = language(af->file, af->data);
	const char *p = (const char *)af->data.p;
	switch (r->lang) {
	case L_SHELL:
		gb__webcmd_shell(p, af->data.n, on_hit, r);
		break;
	case L_HASERL: {
		char *code = haserl_code(af->data);
		if (code)
			gb__webcmd_shell(code, af->data.n, on_hit, r);
		free(code);
		break;
	}
	case L_LUA:
		gb__webcmd_lua(p, af->data.n, on_hit, r);
		break;
	case L_PHP:
		gb__webcmd_php(p, af->data.n, on_hit, r);
		break;
	case L_NONE:
		break;
	}
	free(r);
	return 0;
}

const struct gb_analyzer gb__an_webcmd = {
	.name = "webcmd",
	.description = "CGI and web scripts that execute request data (hidden command backdoors)",
	.wants = wants,
	.run = run,
};
