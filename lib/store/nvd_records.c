/* NVD records (API 2.0 and 1.1 JSON) into database rows.
 *
 * How NVD configurations become rows (the matching rules: docs/vulndb.md):
 * API 2.0 "configurations" are a list (OR) of configurations, each with
 * "nodes" and an optional "operator": "AND" (all nodes needed) or OR (any
 * node: each node becomes a configuration of its own). A node is an OR of its
 * cpeMatch entries, or with "operator": "AND" every entry is a group of its
 * own. NVD 1.1 "nodes" are trees: every top-level node is a configuration,
 * an AND node's children are its groups, an OR node's entries (and its
 * descendants') form one group. Negated nodes are not stored (they are
 * "not running on" conditions that the bytes cannot decide). */
#include <stdio.h>
#include <string.h>

#include <glassbox/errors.h>

#include "store/store.h"

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void lower_sev(char *dst, size_t cap, const char *s)
{
	size_t k = 0;
	for (; s && s[k] && k + 1 < cap; k++)
		dst[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
	dst[k] = '\0';
}

/* CVSS of an API 2.0 record: NVD's own (Primary) v3.x, else a Primary v4.0,
 * else any v3.x, any v4.0, v2. */
static void nvd2_cvss(const json_t *metrics, struct gb_vrec *rec, char *sev, size_t cap)
{
	static const struct {
		const char *key;
		bool primary;
	} order[] = {{"cvssMetricV31", true},  {"cvssMetricV30", true},  {"cvssMetricV40", true},
		     {"cvssMetricV31", false}, {"cvssMetricV30", false}, {"cvssMetricV40", false},
		     {"cvssMetricV2", true},   {"cvssMetricV2", false}};
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		const json_t *arr = json_object_get(metrics, order[k].key);
		size_t i;
		const json_t *m;
		json_array_foreach(arr, i, m)
		{
			const char *type = jstr(m, "type");
			if (order[k].primary && (!type || strcmp(type, "Primary") != 0))
				continue;
			const json_t *d = json_object_get(m, "cvssData");
			const json_t *score = json_object_get(d, "baseScore");
			if (!json_is_number(score))
				continue;
			rec->score = json_number_value(score);
			rec->cvss_version = jstr(d, "version");
			rec->vector = jstr(d, "vectorString");
			const char *s = jstr(d, "baseSeverity");
			if (!s)
				s = jstr(m, "baseSeverity");
			if (s)
				lower_sev(sev, cap, s);
			else
				snprintf(sev, cap, "%s", gb__cvss_severity(rec->score, rec->cvss_version));
			rec->severity = sev;
			return;
		}
	}
}

/* Add one cpeMatch (2.0) / cpe_match (1.1) entry as a row. */
static int add_match(struct gb_vrec *rec, const json_t *m, bool v11, int config, int grp,
		     struct gb_vulndb_import_stats *stats)
{
	const char *crit = jstr(m, v11 ? "cpe23Uri" : "criteria");
	struct gb_cpe cpe;
	if (!crit || gb__cpe_parse(crit, &cpe) < 0) {
		gb__import_note(stats, "CPE strings that do not parse were left out");
		return 0;
	}
	struct gb_vrow *r = gb__vrec_row(rec);
	if (!r)
		return -GB_ENOMEM;
	r->config = config;
	r->grp = grp;
	r->vulnerable = json_is_true(json_object_get(m, "vulnerable"));
	r->criteria = crit;
	r->cpe = cpe;
	r->vs = jstr(m, "versionStartIncluding");
	r->vs_incl = r->vs != NULL;
	if (!r->vs)
		r->vs = jstr(m, "versionStartExcluding");
	r->ve = jstr(m, "versionEndIncluding");
	r->ve_incl = r->ve != NULL;
	if (!r->ve)
		r->ve = jstr(m, "versionEndExcluding");
	return 0;
}

/* Set ngroups on the rows of `config` (from row index `from`). */
static void close_config(struct gb_vrec *rec, size_t from, int ngroups)
{
	for (size_t i = from; i < rec->n_rows; i++)
		rec->rows[i].ngroups = ngroups;
}

static bool is_and(const json_t *o)
{
	const char *op = jstr(o, "operator");
	return op && strcmp(op, "AND") == 0;
}

/* An API 2.0 node into groups of configuration `config` starting at *grp. */
static int nvd2_node(struct gb_vrec *rec, const json_t *node, int config, int *grp,
		     struct gb_vulndb_import_stats *stats)
{
	const json_t *ms = json_object_get(node, "cpeMatch"), *m;
	size_t i;
	bool and = is_and(node);
	if (json_is_true(json_object_get(node, "negate")))
		return 0;
	json_array_foreach(ms, i, m)
	{
		int r = add_match(rec, m, false, config, *grp, stats);
		if (r < 0)
			return r;
		if (and)
			(*grp)++;
	}
	if (!and && json_array_size(ms))
		(*grp)++;
	return 0;
}

int gb__import_nvd2(struct gb_vulndb *db, json_t *cve, struct gb_vulndb_import_stats *stats)
{
	struct gb_vrec rec = {0};
	char sev[16];
	int r = 0;

	rec.id = jstr(cve, "id");
	if (!rec.id || !*rec.id) {
		stats->skipped++;
		gb__import_note(stats, "records without an id were skipped");
		return 0;
	}
	rec.status = jstr(cve, "vulnStatus");
	if (rec.status && strcmp(rec.status, "Rejected") == 0) {
		stats->skipped++;
		gb__import_note(stats, "rejected CVEs were skipped (and removed if present)");
		return gb__vulndb_drop(db, rec.id, "nvd");
	}
	rec.source = "nvd";
	rec.published = jstr(cve, "published");
	rec.modified = jstr(cve, "lastModified");
	rec.score = -1;
	size_t i;
	const json_t *d;
	json_array_foreach(json_object_get(cve, "descriptions"), i, d)
	{
		const char *lang = jstr(d, "lang");
		if (!rec.summary || (lang && strcmp(lang, "en") == 0))
			rec.summary = jstr(d, "value");
		if (lang && strcmp(lang, "en") == 0)
			break;
	}
	nvd2_cvss(json_object_get(cve, "metrics"), &rec, sev, sizeof(sev));

	int config = 0;
	const json_t *conf;
	json_array_foreach(json_object_get(cve, "configurations"), i, conf)
	{
		const json_t *nodes = json_object_get(conf, "nodes"), *node;
		size_t j;
		if (json_is_true(json_object_get(conf, "negate")))
			continue;
		if (is_and(conf)) {
			size_t from = rec.n_rows;
			int grp = 0;
			json_array_foreach(nodes, j, node)
			{
				r = nvd2_node(&rec, node, config, &grp, stats);
				if (r < 0)
					goto out;
			}
			close_config(&rec, from, grp);
			config++;
			continue;
		}
		json_array_foreach(nodes, j, node)
		{
			size_t from = rec.n_rows;
			int grp = 0;
			r = nvd2_node(&rec, node, config, &grp, stats);
			if (r < 0)
				goto out;
			close_config(&rec, from, grp);
			config++;
		}
	}
	r = gb__vulndb_put(db, &rec, stats);
out:
	gb__vrec_reset(&rec);
	return r;
}

/* Every cpe_match of a 1.1 node and its descendants, as group `grp`. */
static int nvd11_or(struct gb_vrec *rec, const json_t *node, int config, int grp, int depth,
		    struct gb_vulndb_import_stats *stats)
{
	size_t i;
	const json_t *m;
	if (depth > 16 || json_is_true(json_object_get(node, "negate")))
		return 0;
	json_array_foreach(json_object_get(node, "cpe_match"), i, m)
	{
		int r = add_match(rec, m, true, config, grp, stats);
		if (r < 0)
			return r;
	}
	json_array_foreach(json_object_get(node, "children"), i, m)
	{
		int r = nvd11_or(rec, m, config, grp, depth + 1, stats);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A 1.1 node as groups of `config`: an AND node's children (and entries)
 * each a group; an OR node one group. */
static int nvd11_groups(struct gb_vrec *rec, const json_t *node, int config, int *grp, int depth,
			struct gb_vulndb_import_stats *stats)
{
	size_t i;
	const json_t *c;
	if (depth > 16 || json_is_true(json_object_get(node, "negate")))
		return 0;
	if (!is_and(node)) {
		size_t before = rec->n_rows;
		int r = nvd11_or(rec, node, config, *grp, depth, stats);
		if (r < 0)
			return r;
		if (rec->n_rows > before)
			(*grp)++;
		return 0;
	}
	json_array_foreach(json_object_get(node, "cpe_match"), i, c)
	{
		int r = add_match(rec, c, true, config, *grp, stats);
		if (r < 0)
			return r;
		(*grp)++;
	}
	json_array_foreach(json_object_get(node, "children"), i, c)
	{
		int r = nvd11_groups(rec, c, config, grp, depth + 1, stats);
		if (r < 0)
			return r;
	}
	return 0;
}

int gb__import_nvd11(struct gb_vulndb *db, json_t *item, struct gb_vulndb_import_stats *stats)
{
	struct gb_vrec rec = {0};
	const json_t *cve = json_object_get(item, "cve");
	char sev[16];
	int r = 0;
	size_t i;
	const json_t *d;

	rec.id = jstr(json_object_get(cve, "CVE_data_meta"), "ID");
	if (!rec.id || !*rec.id) {
		stats->skipped++;
		gb__import_note(stats, "records without an id were skipped");
		return 0;
	}
	json_array_foreach(json_object_get(json_object_get(cve, "description"), "description_data"), i, d)
	{
		const char *lang = jstr(d, "lang");
		if (!rec.summary || (lang && strcmp(lang, "en") == 0))
			rec.summary = jstr(d, "value");
		if (lang && strcmp(lang, "en") == 0)
			break;
	}
	if (rec.summary && strncmp(rec.summary, "** REJECT **", 12) == 0) {
		stats->skipped++;
		gb__import_note(stats, "rejected CVEs were skipped (and removed if present)");
		return gb__vulndb_drop(db, rec.id, "nvd");
	}
	rec.source = "nvd";
	rec.published = jstr(item, "publishedDate");
	rec.modified = jstr(item, "lastModifiedDate");
	rec.score = -1;
	const json_t *impact = json_object_get(item, "impact");
	const json_t *v3 = json_object_get(json_object_get(impact, "baseMetricV3"), "cvssV3");
	const json_t *b2 = json_object_get(impact, "baseMetricV2"), *v2 = json_object_get(b2, "cvssV2");
	if (json_is_number(json_object_get(v3, "baseScore"))) {
		rec.score = json_number_value(json_object_get(v3, "baseScore"));
		rec.cvss_version = jstr(v3, "version");
		rec.vector = jstr(v3, "vectorString");
		lower_sev(sev, sizeof(sev), jstr(v3, "baseSeverity"));
		rec.severity = sev[0] ? sev : gb__cvss_severity(rec.score, rec.cvss_version);
	} else if (json_is_number(json_object_get(v2, "baseScore"))) {
		rec.score = json_number_value(json_object_get(v2, "baseScore"));
		rec.cvss_version = jstr(v2, "version");
		rec.vector = jstr(v2, "vectorString");
		lower_sev(sev, sizeof(sev), jstr(b2, "severity"));
		rec.severity = sev[0] ? sev : gb__cvss_severity(rec.score, "2.0");
	}

	int config = 0;
	const json_t *node;
	json_array_foreach(json_object_get(json_object_get(item, "configurations"), "nodes"), i, node)
	{
		size_t from = rec.n_rows;
		int grp = 0;
		r = nvd11_groups(&rec, node, config, &grp, 0, stats);
		if (r < 0)
			goto out;
		close_config(&rec, from, grp);
		config++;
	}
	r = gb__vulndb_put(db, &rec, stats);
out:
	gb__vrec_reset(&rec);
	return r;
}

