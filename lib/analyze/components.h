/* What the components analyzer knows about a component beyond its name and
 * version, for the vulnerability database's applicability rules
 * (lib/store/vulndb.c): a BusyBox CVE in an applet this BusyBox was not built
 * with, or a kernel CVE in a subsystem the kernel's own config (IKCONFIG)
 * shows disabled, is not applicable.
 *
 * One struct gb_comp_facts describes every copy of one (name, version):
 * applets and config options are the union over the copies, and the config
 * is "known" only when every copy carried a readable IKCONFIG blob (a copy
 * without one might have anything enabled). The arrays are sorted, borrowed,
 * and live until the analyzer's finish() returns. */
#ifndef GB_ANALYZE_COMPONENTS_H
#define GB_ANALYZE_COMPONENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct gb_vulndb;

struct gb_comp_facts {
	const char *name;        /* "BusyBox", "Linux", ... (data/components.json) */
	const char *version;
	const char *part, *vendor, *product; /* the component's CPE */
	/* BusyBox: applets compiled in (the binary's sorted name table) */
	bool applets_known;
	const char *const *applets;
	size_t n_applets;
	/* Linux: options set to y or m in the embedded config, e.g. "CONFIG_NF_TABLES" */
	bool config_known;
	const char *const *config;
	size_t n_config;
};

/* 1 when the applet is built in, 0 when it is not, -1 when unknown. */
int gb_comp_facts_applet(const struct gb_comp_facts *f, const char *applet);
/* 1 when CONFIG_<option> (either spelling, with or without "CONFIG_") is y or
 * m, 0 when it is not set, -1 when the config is unknown. */
int gb_comp_facts_config(const struct gb_comp_facts *f, const char *option);

/* Refine matched vulnerabilities with the facts: the vulnerability database
 * implements it (lib/store/vulndb.c) and sets "applicable": false and a
 * "reason" on entries whose code is shown absent. `vulns` is the array
 * gb_vulndb_match() returned. Returns 0 or a negative -GB_E* code. The
 * analyzer calls it through a weak reference, so the audit works (without
 * refinement) when it is not linked. */
int gb_vulndb_refine(struct gb_vulndb *db, const struct gb_comp_facts *facts, json_t *vulns);

#endif
