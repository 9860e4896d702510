/* Applicability: cut the known false positives of version matching the way
 * the binary allows (rules: data/vuln-applicability.json, compiled in;
 * docs/vulndb.md).
 *
 * A BusyBox build carries only the applets it was configured with, and its
 * applet name table is in the binary (the components analyzer reads it): a
 * CVE whose description places the flaw in applets none of which is built in
 * is reported with "applicable": false and the reason. A kernel with an
 * embedded config (IKCONFIG) says which subsystems are built: a CVE whose
 * description (its title tags such as "netfilter: nf_tables:", file paths,
 * subsystem names) places it in a subsystem whose options are all unset is
 * likewise not applicable. Without an applet list or a config nothing is
 * changed: absence of evidence is not evidence. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

#include "analyze/components.h" /* struct gb_comp_facts: the caller's type, no code */
#include "store/store.h"

extern const unsigned char gb__vuln_applicability_json[];
extern const size_t gb__vuln_applicability_json_len;

static json_t *rules(struct gb_vulndb *db)
{
	if (!db->appl)
		db->appl = json_loadb((const char *)gb__vuln_applicability_json, gb__vuln_applicability_json_len, 0,
				      NULL);
	return db->appl;
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* Does `phrase` occur in `text` as a whole word (case ignored)? */
static bool has_phrase(const char *text, const char *phrase)
{
	size_t n = strlen(phrase);
	if (!n)
		return false;
	for (const char *p = text; (p = strcasestr(p, phrase)) != NULL; p++) {
		bool left = p == text || !word_char((unsigned char)p[-1]) || !word_char((unsigned char)phrase[0]);
		bool right = !word_char((unsigned char)p[n]) || !word_char((unsigned char)phrase[n - 1]);
		if (left && right)
			return true;
	}
	return false;
}

/* The title line of a kernel.org CNA description, or NULL. */
static const char *kernel_title(const char *text)
{
	static const char head[] = "the following vulnerability has been resolved:";
	const char *p = strcasestr(text, head);
	if (!p)
		return NULL;
	p += sizeof(head) - 1;
	while (*p == '\n' || *p == '\r' || *p == ' ')
		p++;
	return *p ? p : NULL;
}

static bool has_tag(const char *title, const char *tag)
{
	size_t n = strlen(tag);
	return title && strncasecmp(title, tag, n) == 0 && (title[n] == ':' || title[n] == '/');
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_sorted(const char *const *v, size_t n, const char *s)
{
	return v && bsearch(&s, v, n, sizeof(char *), strp_cmp) != NULL;
}

/* The first phrase or tag of `rule` found in the description, or NULL. */
static const char *rule_hit(const json_t *rule, const char *text, const char *title)
{
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(rule, "phrases"), i, p)
		if (json_string_value(p) && has_phrase(text, json_string_value(p)))
			return json_string_value(p);
	json_array_foreach(json_object_get(rule, "tags"), i, p)
		if (json_string_value(p) && has_tag(title, json_string_value(p)))
			return json_string_value(p);
	return NULL;
}

static void set_not_applicable(json_t *v, const char *reason)
{
	json_object_set_new(v, "applicable", json_false());
	json_object_set_new(v, "reason", json_string(reason));
}

/* BusyBox: not applicable when the description names applets and none of
 * them is built in. */
static void busybox_rule(const json_t *table, const struct gb_comp_facts *f, json_t *v, const char *text)
{
	char names[256] = "", where[96] = "";
	size_t k = 0, i, j;
	const json_t *rule, *a;
	bool any_rule = false;

	json_array_foreach(json_object_get(table, "busybox"), i, rule)
	{
		const char *hit = rule_hit(rule, text, NULL);
		if (!hit)
			continue;
		if (!any_rule)
			snprintf(where, sizeof(where), "%s", hit);
		any_rule = true;
		json_array_foreach(json_object_get(rule, "applets"), j, a)
		{
			const char *app = json_string_value(a);
			if (!app)
				continue;
			if (in_sorted(f->applets, f->n_applets, app))
				return; /* one of the implicated applets is there */
			if (!strstr(names, app) && k + strlen(app) + 3 < sizeof(names))
				k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%s", k ? ", " : "", app);
		}
	}
	if (!any_rule)
		return;
	char reason[512];
	snprintf(reason, sizeof(reason),
		 "this BusyBox is built without the applet(s) the description places the flaw in (\"%s\"): "
		 "none of %s is in the binary's applet list",
		 where, names);
	set_not_applicable(v, reason);
}

/* Linux: not applicable when a subsystem the description names has none of
 * its options set in the embedded config. */
static void kernel_rule(const json_t *table, const struct gb_comp_facts *f, json_t *v, const char *text)
{
	const char *title = kernel_title(text);
	size_t i, j;
	const json_t *rule, *c;

	json_array_foreach(json_object_get(table, "linux"), i, rule)
	{
		const char *hit = rule_hit(rule, text, title);
		if (!hit)
			continue;
		bool enabled = false;
		char opts[256] = "";
		size_t k = 0;
		json_array_foreach(json_object_get(rule, "config"), j, c)
		{
			const char *opt = json_string_value(c);
			if (!opt)
				continue;
			enabled |= in_sorted(f->config, f->n_config, opt);
			if (k + strlen(opt) + 5 < sizeof(opts))
				k += (size_t)snprintf(opts + k, sizeof(opts) - k, "%s%s", k ? " or " : "", opt);
		}
		if (enabled)
			continue;
		char reason[512];
		snprintf(reason, sizeof(reason),
			 "the kernel's embedded config (IKCONFIG) does not set %s, and the description places the "
			 "flaw there (\"%s\")",
			 opts, hit);
		set_not_applicable(v, reason);
		return;
	}
}

int gb__vulndb_applicability(struct gb_vulndb *db, const struct gb_comp_facts *facts, json_t *vulns)
{
	json_t *table = rules(db);
	bool busybox = facts->applets_known && facts->n_applets > 0;
	bool kernel = facts->config_known && facts->n_config > 0;
	size_t i;
	json_t *v;

	if (!table)
		return -GB_ENOMEM;
	if (!busybox && !kernel)
		return 0;
	json_array_foreach(vulns, i, v)
	{
		if (json_is_false(json_object_get(v, "applicable")))
			continue;
		char *text = gb__vulndb_summary(db, json_string_value(json_object_get(v, "id")));
		if (!text) {
			const char *sum = json_string_value(json_object_get(v, "summary"));
			text = strdup(sum ? sum : "");
		}
		if (!text)
			return -GB_ENOMEM;
		if (busybox)
			busybox_rule(table, facts, v, text);
		if (kernel && !json_is_false(json_object_get(v, "applicable")))
			kernel_rule(table, facts, v, text);
		free(text);
	}
	return 0;
}

/* Is part:vendor:product one of the foreign platforms? */
bool gb__foreign_platform(struct gb_vulndb *db, const char *part, const char *vendor, const char *product)
{
	json_t *table = rules(db);
	char full[300];
	size_t i;
	const json_t *p;

	if (!vendor || !product)
		return false;
	snprintf(full, sizeof(full), "%s:%s:%s", part ? part : "", vendor, product);
	json_array_foreach(json_object_get(table, "foreign_platforms"), i, p)
	{
		const char *pat = json_string_value(p);
		if (!pat)
			continue;
		size_t n = strlen(pat);
		if (n && pat[n - 1] == '*' ? strncmp(full, pat, n - 1) == 0 : strcmp(full, pat) == 0)
			return true;
	}
	return false;
}
