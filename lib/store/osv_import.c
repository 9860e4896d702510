/* OSV records (https://ossf.github.io/osv-schema/) and CVSS 3 scores.
 *
 * An OSV record names software by ecosystem and package, or by git
 * repository; glassbox matches CPE vendor:product. data/osv-map.json (compiled
 * in) says which packages and repositories are which CPE product; an
 * affected[] entry that does not map is skipped and counted ("unmapped"),
 * and so is one from a distribution ecosystem (Debian, Alpine...: their
 * versions are package revisions of patched builds, not upstream versions).
 *
 * Each mapped entry becomes rows of single-group configurations:
 *   SEMVER / ECOSYSTEM ranges: events in order; "introduced" opens a range
 *     (0 = from the first version), "fixed" closes it exclusively (the
 *     "fixed_in" of a match), "last_affected" inclusively, an open range
 *     runs to every later version; "limit" is ignored.
 *   GIT ranges: commits, not comparable; skipped.
 *   "versions": every listed version (tags normalised, see the map file) is
 *     an exact row.
 * The record's CVSS_V3 vector gives its score (computed here), else
 * database_specific.severity its severity. Withdrawn records are removed. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

#include "store/store.h"

extern const unsigned char gb__osv_map_json[];
extern const size_t gb__osv_map_json_len;

/* ---- CVSS ---- */

static double roundup1(double x)
{
	/* CVSS 3.1 Roundup: the smallest number with one decimal >= x, computed
	 * on integers to avoid floating-point surprises */
	long long i = llround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

double gb__cvss3_score(const char *vector)
{
	double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1;
	int scope = -1; /* 0 unchanged, 1 changed */
	char pr_v = 0;

	if (!vector || strncmp(vector, "CVSS:3.", 7) != 0)
		return -1;
	const char *p = strchr(vector, '/');
	while (p && *p == '/') {
		p++;
		const char *colon = strchr(p, ':');
		if (!colon || !colon[1])
			return -1;
		size_t kn = (size_t)(colon - p);
		char v = colon[1];
#define KEY(k) (kn == strlen(k) && strncmp(p, k, kn) == 0)
		if (KEY("AV"))
			av = v == 'N' ? 0.85 : v == 'A' ? 0.62 : v == 'L' ? 0.55 : v == 'P' ? 0.2 : -1;
		else if (KEY("AC"))
			ac = v == 'L' ? 0.77 : v == 'H' ? 0.44 : -1;
		else if (KEY("PR"))
			pr_v = v;
		else if (KEY("UI"))
			ui = v == 'N' ? 0.85 : v == 'R' ? 0.62 : -1;
		else if (KEY("S"))
			scope = v == 'U' ? 0 : v == 'C' ? 1 : -1;
		else if (KEY("C") || KEY("I") || KEY("A")) {
			double w = v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0 : -1;
			if (KEY("C"))
				c = w;
			else if (KEY("I"))
				in = w;
			else
				a = w;
		}
#undef KEY
		p = strchr(colon, '/');
	}
	if (scope < 0)
		return -1;
	pr = pr_v == 'N' ? 0.85 : pr_v == 'L' ? (scope ? 0.68 : 0.62) : pr_v == 'H' ? (scope ? 0.5 : 0.27) : -1;
	if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0)
		return -1;
	double iss = 1 - (1 - c) * (1 - in) * (1 - a);
	double impact = scope ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0)
		return 0;
	double base = scope ? 1.08 * (impact + expl) : impact + expl;
	return roundup1(base > 10 ? 10 : base);
}

const char *gb__cvss_severity(double score, const char *version)
{
	if (score < 0)
		return "unknown";
	if (version && version[0] == '2')
		return score >= 7 ? "high" : score >= 4 ? "medium" : "low";
	if (score == 0)
		return "none";
	return score >= 9 ? "critical" : score >= 7 ? "high" : score >= 4 ? "medium" : "low";
}

/* ---- the map ---- */

static json_t *osv_map(struct gb_vulndb *db)
{
	if (!db->osv_map)
		db->osv_map = json_loadb((const char *)gb__osv_map_json, gb__osv_map_json_len, 0, NULL);
	return db->osv_map;
}

/* "Debian:12" -> "Debian" */
static bool eco_is(const char *eco, const char *name)
{
	size_t n = strlen(name);
	return strncmp(eco, name, n) == 0 && (eco[n] == '\0' || eco[n] == ':');
}

static bool is_distribution(json_t *map, const char *eco)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(map, "distributions"), i, d)
		if (json_string_value(d) && eco_is(eco, json_string_value(d)))
			return true;
	return false;
}

static bool same_repo(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na && a[na - 1] == '/')
		na--;
	if (na > 4 && strncmp(a + na - 4, ".git", 4) == 0)
		na -= 4;
	while (nb && b[nb - 1] == '/')
		nb--;
	if (nb > 4 && strncmp(b + nb - 4, ".git", 4) == 0)
		nb -= 4;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The map entry for an affected[] entry, or NULL. */
static const json_t *map_entry(json_t *map, const json_t *aff)
{
	const json_t *pkg = json_object_get(aff, "package");
	const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
	const char *name = json_string_value(json_object_get(pkg, "name"));
	size_t i, j;
	const json_t *e, *rg;
	if (eco && name) {
		json_array_foreach(json_object_get(map, "packages"), i, e)
		{
			const char *me = json_string_value(json_object_get(e, "ecosystem"));
			const char *mn = json_string_value(json_object_get(e, "name"));
			if (me && mn && eco_is(eco, me) && strcmp(name, mn) == 0)
				return e;
		}
	}
	json_array_foreach(json_object_get(aff, "ranges"), j, rg)
	{
		const char *repo = json_string_value(json_object_get(rg, "repo"));
		if (!repo)
			continue;
		json_array_foreach(json_object_get(map, "repos"), i, e)
		{
			const char *url = json_string_value(json_object_get(e, "url"));
			if (url && same_repo(repo, url))
				return e;
		}
	}
	return NULL;
}

/* A tag or version as a version: "OpenSSL_1_1_1w" -> "1.1.1w". */
static void norm_version(const char *in, char *out, size_t cap)
{
	while (*in && !isdigit((unsigned char)*in))
		in++;
	snprintf(out, cap, "%s", in);
	if (!strchr(out, '.'))
		for (char *p = out; *p; p++)
			if (*p == '_')
				*p = '.';
}

/* ---- records ---- */

struct strs {
	char **v;
	size_t n, cap;
};

static const char *keep(struct strs *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	char *d = strdup(str);
	if (d)
		s->v[s->n++] = d;
	return d;
}

static void strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* A row of a single-group configuration for the mapped product. */
static struct gb_vrow *osv_row(struct gb_vrec *rec, const struct gb_cpe *cpe, const char *label, int *config)
{
	struct gb_vrow *r = gb__vrec_row(rec);
	if (!r)
		return NULL;
	r->config = (*config)++;
	r->grp = 0;
	r->ngroups = 1;
	r->vulnerable = true;
	r->cpe = *cpe;
	r->criteria = label;
	return r;
}

/* The rows of one mapped affected[] entry. */
static int osv_affected(struct gb_vrec *rec, const json_t *aff, const json_t *me, struct strs *pool, int *config,
			struct gb_vulndb_import_stats *stats)
{
	struct gb_cpe cpe = {0};
	const char *vp = json_string_value(json_object_get(me, "cpe"));
	const char *part = json_string_value(json_object_get(me, "part"));
	const char *colon = vp ? strchr(vp, ':') : NULL;
	char label[256], ver[96];
	if (!colon || (size_t)(colon - vp) >= sizeof(cpe.vendor) || strlen(colon + 1) >= sizeof(cpe.product))
		return 0;
	snprintf(cpe.part, sizeof(cpe.part), "%s", part ? part : "a");
	snprintf(cpe.vendor, sizeof(cpe.vendor), "%.*s", (int)(colon - vp), vp);
	snprintf(cpe.product, sizeof(cpe.product), "%s", colon + 1);
	const json_t *pkg = json_object_get(aff, "package");
	const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
	const char *name = json_string_value(json_object_get(pkg, "name"));
	snprintf(label, sizeof(label), "osv:%s/%s (%s)", eco ? eco : "GIT", name ? name : cpe.product, vp);
	const char *lab = keep(pool, label);
	if (!lab)
		return -GB_ENOMEM;

	size_t i, j;
	const json_t *rg, *ev;
	json_array_foreach(json_object_get(aff, "ranges"), i, rg)
	{
		const char *type = json_string_value(json_object_get(rg, "type"));
		if (!type || (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0)) {
			gb__import_note(stats, "OSV GIT ranges (commits) were not used, their version lists were");
			continue;
		}
		const char *start = NULL;
		bool open = false;
		json_array_foreach(json_object_get(rg, "events"), j, ev)
		{
			const char *intro = json_string_value(json_object_get(ev, "introduced"));
			const char *fixed = json_string_value(json_object_get(ev, "fixed"));
			const char *last = json_string_value(json_object_get(ev, "last_affected"));
			if (intro) {
				start = NULL;
				if (strcmp(intro, "0") != 0) {
					norm_version(intro, ver, sizeof(ver));
					start = keep(pool, ver);
					if (!start)
						return -GB_ENOMEM;
				}
				open = true;
				continue;
			}
			if (!open || (!fixed && !last))
				continue;
			norm_version(fixed ? fixed : last, ver, sizeof(ver));
			const char *end = keep(pool, ver);
			struct gb_vrow *r = end ? osv_row(rec, &cpe, lab, config) : NULL;
			if (!r)
				return -GB_ENOMEM;
			snprintf(r->cpe.version, sizeof(r->cpe.version), "*");
			r->vs = start;
			r->vs_incl = true;
			r->ve = end;
			r->ve_incl = fixed == NULL;
			open = false;
		}
		if (open) {
			struct gb_vrow *r = osv_row(rec, &cpe, lab, config);
			if (!r)
				return -GB_ENOMEM;
			snprintf(r->cpe.version, sizeof(r->cpe.version), "*");
			r->vs = start;
			r->vs_incl = true;
			if (!start) /* every version: keep the range form so "*" means it */
				r->vs = keep(pool, "0");
			if (!r->vs)
				return -GB_ENOMEM;
		}
	}
	json_array_foreach(json_object_get(aff, "versions"), i, ev)
	{
		const char *v = json_string_value(ev);
		if (!v)
			continue;
		norm_version(v, ver, sizeof(ver));
		if (!ver[0])
			continue;
		struct gb_vrow *r = osv_row(rec, &cpe, lab, config);
		if (!r)
			return -GB_ENOMEM;
		snprintf(r->cpe.version, sizeof(r->cpe.version), "%s", ver);
		snprintf(r->cpe.update, sizeof(r->cpe.update), "-");
	}
	return 0;
}

int gb__import_osv(struct gb_vulndb *db, json_t *o, struct gb_vulndb_import_stats *stats)
{
	struct gb_vrec rec = {0};
	struct strs pool = {0};
	char sev[16];
	int r = 0, config = 0;
	json_t *map = osv_map(db);

	if (!map)
		return gb__vulndb_fail(db, -GB_ENOMEM, "the OSV map (data/osv-map.json) does not load");
	rec.id = json_string_value(json_object_get(o, "id"));
	if (!rec.id || !*rec.id) {
		stats->skipped++;
		gb__import_note(stats, "records without an id were skipped");
		return 0;
	}
	if (json_object_get(o, "withdrawn")) {
		stats->skipped++;
		gb__import_note(stats, "withdrawn OSV records were skipped (and removed if present)");
		return gb__vulndb_drop(db, rec.id, "osv");
	}
	rec.source = "osv";
	rec.published = json_string_value(json_object_get(o, "published"));
	rec.modified = json_string_value(json_object_get(o, "modified"));
	rec.summary = json_string_value(json_object_get(o, "summary"));
	if (!rec.summary || !*rec.summary)
		rec.summary = json_string_value(json_object_get(o, "details"));
	rec.score = -1;
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(o, "severity"), i, s)
	{
		const char *type = json_string_value(json_object_get(s, "type"));
		const char *vec = json_string_value(json_object_get(s, "score"));
		if (type && vec && strcmp(type, "CVSS_V3") == 0) {
			double sc = gb__cvss3_score(vec);
			if (sc >= 0) {
				rec.score = sc;
				rec.vector = vec;
				rec.cvss_version = strncmp(vec, "CVSS:3.0", 8) == 0 ? "3.0" : "3.1";
				rec.severity = gb__cvss_severity(sc, rec.cvss_version);
				break;
			}
		}
	}
	const char *ds = json_string_value(json_object_get(json_object_get(o, "database_specific"), "severity"));
	if (!rec.severity && ds) {
		size_t k = 0;
		for (; ds[k] && k + 1 < sizeof(sev); k++)
			sev[k] = (char)tolower((unsigned char)ds[k]);
		sev[k] = '\0';
		rec.severity = strcmp(sev, "moderate") == 0 ? "medium" : sev;
	}

	size_t mapped = 0;
	const json_t *aff;
	json_array_foreach(json_object_get(o, "affected"), i, aff)
	{
		const char *eco = json_string_value(json_object_get(json_object_get(aff, "package"), "ecosystem"));
		const char *name = json_string_value(json_object_get(json_object_get(aff, "package"), "name"));
		if (eco && is_distribution(map, eco)) {
			stats->unmapped++;
			gb__import_note(stats, "OSV distribution packages (%.40s) were skipped", eco);
			continue;
		}
		const json_t *me = map_entry(map, aff);
		if (!me) {
			stats->unmapped++;
			gb__import_note(stats, "OSV %.40s/%.40s has no CPE mapping", eco ? eco : "GIT", name ? name : "?");
			continue;
		}
		mapped++;
		r = osv_affected(&rec, aff, me, &pool, &config, stats);
		if (r < 0)
			goto out;
	}
	if (!mapped) {
		stats->skipped++;
		gb__import_note(stats, "OSV records with nothing mappable were skipped");
		goto out;
	}
	r = gb__vulndb_put(db, &rec, stats);
out:
	gb__vrec_reset(&rec);
	strs_free(&pool);
	return r;
}
