/* bootenv: what a U-Boot environment stored in the image lets someone do.
 *
 * Reads the variables the ubootenv format attached to its node (attrs
 * "var.<name>", lib/unpack/fmt_ubootenv.c); the evidence is the node's
 * env.txt and the line of the variable in it. Rules:
 *   bootenv.init-shell   high    bootargs sets init= or rdinit= to a shell
 *                                (sh, ash, bash, dash, hush, busybox): the
 *                                kernel boots straight into a root shell
 *   bootenv.netconsole   medium  U-Boot's console goes to the network
 *                                (stdin/stdout/stderr include "nc", or ncip
 *                                is set) or bootargs enables Linux netconsole=
 *   bootenv.net-preboot  medium  preboot (run before the boot delay, without
 *                                any key press) loads over the network
 *                                (tftp, dhcp, bootp, nfs, wget)
 * Heuristic environments (a default environment compiled into U-Boot,
 * crc_ok false) are audited the same way: they are what the board boots
 * with when its flash environment is empty.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/analyzer.h>

static const char *attr(const struct gb_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

static bool wants(void *state, const struct gb_afile *f)
{
	return f->node && f->node->format && strcmp(f->node->format, "ubootenv") == 0 &&
	       f->file->path && strcmp(f->file->path, "/env.txt") == 0;
}

/* The 1-based line of env.txt that defines `name`, or 0. */
static uint64_t line_of(const struct gb_span *data, const char *name)
{
	size_t nl = strlen(name);
	uint64_t line = 1;

	for (size_t i = 0; i < data->n; line++) {
		const uint8_t *eol = memchr(data->p + i, '\n', data->n - i);
		size_t len = eol ? (size_t)(eol - (data->p + i)) : data->n - i;

		if (len > nl && memcmp(data->p + i, name, nl) == 0 && data->p[i + nl] == '=')
			return line;
		i += len + 1;
	}
	return 0;
}

/* The value of the space-separated token "key=..." (last one wins, as the
 * kernel's parser does), copied into out; false when absent. */
static bool token(const char *s, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	bool found = false;

	for (const char *p = s; (p = strstr(p, key)) != NULL; p += kl) {
		size_t n;

		if (p != s && p[-1] != ' ')
			continue;
		n = strcspn(p + kl, " ");
		snprintf(out, cap, "%.*s", (int)n, p + kl);
		found = true;
	}
	return found;
}

static bool is_shell(const char *path)
{
	static const char *const shells[] = {"sh", "ash", "bash", "dash", "hush", "busybox"};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(base, shells[i]) == 0)
			return true;
	return false;
}

/* "nc" as one of the comma-separated devices of a console variable. */
static bool has_nc(const char *v)
{
	for (const char *p = v;;) {
		size_t n = strcspn(p, ","), m = n;
		const char *t = p;

		while (m && *t == ' ')
			t++, m--;
		while (m && t[m - 1] == ' ')
			m--;
		if (m == 2 && memcmp(t, "nc", 2) == 0)
			return true;
		if (!p[n])
			return false;
		p += n + 1;
	}
}

static void check_init(const struct gb_afile *af, const char *bootargs, struct gb_aout *out)
{
	static const char *const keys[] = {"init=", "rdinit="};
	char v[256];

	for (size_t i = 0; i < 2; i++) {
		if (!token(bootargs, keys[i], v, sizeof(v)) || !is_shell(v))
			continue;
		gb_aout_finding(out, "bootenv.init-shell", GB_SEV_HIGH, af->file,
				line_of(&af->data, "bootargs"), -1,
				json_pack("{s:s, s:s}", "variable", "bootargs", "value", bootargs),
				"U-Boot bootargs boot the kernel into a shell (%s%s): root shell on the console",
				keys[i], v);
	}
}

static void check_netconsole(const struct gb_afile *af, struct gb_aout *out)
{
	static const char *const vars[] = {"stdin", "stdout", "stderr", "ncip"};
	const char *bootargs = attr(af->node, "var.bootargs");
	char key[16], v[256];

	for (size_t i = 0; i < 4; i++) {
		const char *val;

		snprintf(key, sizeof(key), "var.%s", vars[i]);
		val = attr(af->node, key);
		if (!val || (i < 3 && !has_nc(val)))
			continue;
		gb_aout_finding(out, "bootenv.netconsole", GB_SEV_MEDIUM, af->file,
				line_of(&af->data, vars[i]), -1,
				json_pack("{s:s, s:s}", "variable", vars[i], "value", val),
				"U-Boot network console enabled (%s=%s): the boot loader talks over UDP",
				vars[i], val);
		return;
	}
	if (bootargs && token(bootargs, "netconsole=", v, sizeof(v)))
		gb_aout_finding(out, "bootenv.netconsole", GB_SEV_MEDIUM, af->file,
				line_of(&af->data, "bootargs"), -1,
				json_pack("{s:s, s:s}", "variable", "bootargs", "value", bootargs),
				"Linux netconsole enabled by the bootargs (netconsole=%s)", v);
}

static void check_preboot(const struct gb_afile *af, struct gb_aout *out)
{
	static const char *const cmds[] = {"tftp", "dhcp", "bootp", "nfs", "wget"};
	const char *pre = attr(af->node, "var.preboot");

	if (!pre)
		return;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strstr(pre, cmds[i]))
			continue;
		gb_aout_finding(out, "bootenv.net-preboot", GB_SEV_MEDIUM, af->file,
				line_of(&af->data, "preboot"), -1,
				json_pack("{s:s, s:s}", "variable", "preboot", "value", pre),
				"U-Boot preboot loads over the network (%s) before the boot delay", cmds[i]);
		return;
	}
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	const char *bootargs = attr(af->node, "var.bootargs");

	if (bootargs)
		check_init(af, bootargs, out);
	check_netconsole(af, out);
	check_preboot(af, out);
	return 0;
}

const struct gb_analyzer gb__an_bootenv = {
	.name = "bootenv",
	.description = "U-Boot environments: init shell, network console, network preboot",
	.wants = wants,
	.run = run,
};
