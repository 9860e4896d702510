/* The components analyzer's second half (an_components.c reads the files):
 * after every file was read, confirm the versions of marked files against
 * the versions the image proved, group the copies by (name, version), ask
 * the vulnerability database, and write the "components" section and the
 * summary keys; plus the facts API of components.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>
#include <glassbox/vulndb.h>

#include "analyze/components.h"
#include "analyze/components_int.h"

/* The vulnerability database (lib/store) is called only when it is linked:
 * a program or unit test without it still gets its components, and the
 * summary says why there are no vulnerabilities. */
#pragma weak gb_vulndb_open
#pragma weak gb_vulndb_close
#pragma weak gb_vulndb_match
#pragma weak gb_vulndb_error
#pragma weak gb_vulndb_refine

/* ---- small helpers ---- */

/* Printable rendering of evidence bytes: \0, \n, \xHH escapes. */
void gb__comp_render(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	while (n && p[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n && k + 5 < cap; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[k++] = (char)c;
		else if (c == '\\')
			k += (size_t)snprintf(out + k, cap - k, "\\\\");
		else if (c == 0)
			k += (size_t)snprintf(out + k, cap - k, "\\0");
		else if (c == '\n')
			k += (size_t)snprintf(out + k, cap - k, "\\n");
		else
			k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
	}
	out[k < cap ? k : cap - 1] = '\0';
}

/* Version order good enough to pick the newest of a few candidates: numeric
 * runs compare as numbers, letters as strings ("1.0.2k" < "1.0.2zf"). */
int gb__comp_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a && !((*a >= '0' && *a <= '9') || (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z')))
			a++;
		while (*b && !((*b >= '0' && *b <= '9') || (*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z')))
			b++;
		if (!*a || !*b)
			return *a ? 1 : *b ? -1 : 0;
		bool da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
		if (da != db)
			return da ? 1 : -1;
		if (da) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		} else {
			size_t la = 0, lb = 0;
			while (a[la] && ((a[la] >= 'a' && a[la] <= 'z') || (a[la] >= 'A' && a[la] <= 'Z')))
				la++;
			while (b[lb] && ((b[lb] >= 'a' && b[lb] <= 'z') || (b[lb] >= 'A' && b[lb] <= 'Z')))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		}
	}
	return 0;
}

void gb__comp_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int gb__comp_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gb__comp_push_copy(struct state *st, struct copy *c)
{
	if (st->n_copies == st->cap_copies) {
		size_t cap = st->cap_copies ? st->cap_copies * 2 : 64;
		struct copy *nc = realloc(st->copies, cap * sizeof(*nc));
		if (!nc)
			return -GB_ENOMEM;
		st->copies = nc;
		st->cap_copies = cap;
	}
	st->copies[st->n_copies++] = *c;
	return 0;
}

void gb__comp_free_copy(struct copy *c)
{
	free(c->version);
	free(c->evidence);
	gb__comp_free_strv(c->applets, c->n_applets);
	gb__comp_free_strv(c->config, c->n_config);
}

/* ---- finish: confirmations, grouping, vulnerabilities ---- */

/* Does p contain pre + version + post, the version not glued to more digits? */
static bool template_in(const struct gb_span *d, const struct gb_sig_bytes *pre, const char *v,
			const struct gb_sig_bytes *post, char *ev, size_t evcap, int64_t *ret_off)
{
	size_t vl = strlen(v), len = pre->n + vl + post->n;
	uint8_t buf[512];
	if (len > sizeof(buf))
		return false;
	memcpy(buf, pre->p, pre->n);
	memcpy(buf + pre->n, v, vl);
	memcpy(buf + pre->n + vl, post->p, post->n);
	const uint8_t *p = d->p, *end = d->p + d->n;
	while (p < end) {
		const uint8_t *q = memmem(p, (size_t)(end - p), buf, len);
		if (!q)
			return false;
		p = q + 1;
		const uint8_t *vs = q + pre->n, *ve = vs + vl;
		if (vs > d->p && ((vs[-1] >= '0' && vs[-1] <= '9') || vs[-1] == '.'))
			continue;
		if (ve < end && ((*ve >= '0' && *ve <= '9') || (*ve == '.' && ve + 1 < end && ve[1] >= '0' && ve[1] <= '9')))
			continue;
		gb__comp_render(q, len, ev, evcap);
		*ret_off = q - d->p;
		return true;
	}
	return false;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->comp < y->comp ? -1 : x->comp > y->comp;
}

/* Versions of component ci proved by patterns, newest first. */
static size_t confirmed_versions(const struct state *st, size_t ci, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct copy *c = &st->copies[i];
		if (c->comp != ci || !c->version || strcmp(c->method, "pattern") != 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(out[k], c->version) == 0;
		if (!dup && n < cap)
			out[n++] = c->version;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && gb__comp_vercmp(out[k - 1], out[k]) < 0; k--) {
			const char *t = out[k];
			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return n;
}

static int confirm_pending(struct state *st, struct gb_aout *out)
{
	if (st->n_pend)
		gb_qsort(st->pend, st->n_pend, sizeof(*st->pend), pending_cmp);
	for (size_t i = 0; i < st->n_pend; i++) {
		const struct pending *pd = &st->pend[i];
		const struct gb_sig_component *c = &st->db->comps[pd->comp];
		const char *vers[16];
		size_t nv = confirmed_versions(st, pd->comp, vers, 16);
		struct copy cp = {.comp = pd->comp, .file = pd->file, .offset = -1, .ikconfig = -1};
		char ev[MAX_EVIDENCE] = "";
		struct gb_span d;

		if (nv && c->n_confirm && gb_audit_map(out, pd->file, &d) == 0) {
			/* the newest version any template shows */
			for (size_t k = 0; k < nv && !cp.version; k++)
				for (size_t t = 0; t < c->n_confirm && !cp.version; t++)
					if (template_in(&d, &c->confirm_pre[t], vers[k], &c->confirm_post[t], ev,
							sizeof(ev), &cp.offset)) {
						cp.version = strdup(vers[k]);
						cp.method = "confirmed";
						if (!cp.version) {
							gb_audit_unmap(&d);
							return -GB_ENOMEM;
						}
					}
			gb_audit_unmap(&d);
		}
		if (!cp.version && !c->unversioned)
			continue;
		if (!cp.version) {
			cp.method = "marker";
			cp.offset = pd->offset;
			snprintf(ev, sizeof(ev), "%s", pd->evidence);
		}
		cp.evidence = strdup(ev);
		if (!cp.evidence || gb__comp_push_copy(st, &cp) < 0) {
			gb__comp_free_copy(&cp);
			return -GB_ENOMEM;
		}
	}
	return 0;
}

static int copy_cmp_db(const struct gb_sig_db *db, const struct copy *x, const struct copy *y)
{
	int c = strcmp(db->comps[x->comp].name, db->comps[y->comp].name);
	if (c)
		return c;
	if (!x->version || !y->version) {
		if (x->version != y->version)
			return x->version ? 1 : -1;
	} else if ((c = gb__comp_vercmp(x->version, y->version)) != 0 || (c = strcmp(x->version, y->version)) != 0) {
		return c;
	}
	if (x->file->node != y->file->node)
		return x->file->node < y->file->node ? -1 : 1;
	return strcmp(x->file->path, y->file->path);
}

static int copy_cmp(const void *a, const void *b, void *db)
{
	return copy_cmp_db(db, a, b);
}

/* CPE 2.3 formatted-string value: backslash before anything but
 * alphanumerics and . - _ ("*" when unknown). */
static void cpe_value(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	if (!s) {
		snprintf(out, cap, "*");
		return;
	}
	for (; *s && k + 3 < cap; s++) {
		bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
			     *s == '.' || *s == '-' || *s == '_';
		if (!plain)
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

static json_t *cpe_string(const struct gb_sig_component *c, const char *vendor, const char *product,
			  const char *version)
{
	char v[2 * MAX_VERSION + 4], ve[160], pr[160], buf[512];
	cpe_value(version, v, sizeof(v));
	cpe_value(vendor, ve, sizeof(ve));
	cpe_value(product, pr, sizeof(pr));
	snprintf(buf, sizeof(buf), "cpe:2.3:%s:%s:%s:%s:*:*:*:*:*:*:*", c->part, ve, pr, v);
	return json_string(buf);
}

static json_t *purl_string(const struct gb_sig_component *c, const char *version)
{
	char buf[512];
	size_t k = (size_t)snprintf(buf, sizeof(buf), "%s", c->purl);
	if (version && k + 1 < sizeof(buf)) {
		buf[k++] = '@';
		/* percent-encode what a purl version may not hold verbatim */
		for (const char *s = version; *s && k + 4 < sizeof(buf); s++) {
			bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				     *s == '.' || *s == '-' || *s == '_' || *s == '~';
			if (plain)
				buf[k++] = *s;
			else
				k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%%%02X", (unsigned char)*s);
		}
		buf[k] = '\0';
	}
	return json_string(buf);
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *copy_json(const struct copy *c)
{
	json_t *o = json_object();
	json_t *path = json_string(c->file->path);
	json_object_set_new(o, "node", json_integer(c->file->node));
	json_object_set_new(o, "path", path ? path : json_string("(invalid UTF-8)"));
	json_object_set_new(o, "sha256", c->file->sha256[0] ? json_string(c->file->sha256) : json_null());
	json_object_set_new(o, "size", json_integer((json_int_t)c->file->size));
	json_t *ev = json_pack("{s:s, s:o, s:s}", "string", c->evidence ? c->evidence : "", "offset",
			       c->offset >= 0 ? json_integer(c->offset) : json_null(), "method", c->method);
	json_object_set_new(o, "evidence", ev);
	if (c->applets_read)
		json_object_set_new(o, "applets", strv_json(c->applets, c->n_applets));
	if (c->ikconfig >= 0)
		json_object_set_new(o, "ikconfig", json_pack("{s:b, s:I}", "present", c->ikconfig == 1,
							     "options", (json_int_t)c->n_config));
	return o;
}

/* ---- facts for the vulnerability database (components.h) ---- */

int gb_comp_facts_applet(const struct gb_comp_facts *f, const char *applet)
{
	if (!f->applets_known)
		return -1;
	return bsearch(&applet, f->applets, f->n_applets, sizeof(char *), gb__comp_strp_cmp) != NULL;
}

int gb_comp_facts_config(const struct gb_comp_facts *f, const char *option)
{
	char buf[256];
	const char *key = buf;
	if (!f->config_known)
		return -1;
	if (strncmp(option, "CONFIG_", 7) == 0)
		key = option;
	else
		snprintf(buf, sizeof(buf), "CONFIG_%s", option);
	return bsearch(&key, f->config, f->n_config, sizeof(char *), gb__comp_strp_cmp) != NULL;
}

/* The sorted union of string lists; *ret borrows the strings. */
static const char **union_strv(const struct copy *copies, size_t n, bool applets, size_t *ret_n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += applets ? copies[i].n_applets : copies[i].n_config;
	const char **v = malloc((total + 1) * sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; v && i < n; i++) {
		char **src = applets ? copies[i].applets : copies[i].config;
		size_t ns = applets ? copies[i].n_applets : copies[i].n_config;
		for (size_t j = 0; j < ns; j++)
			v[k++] = src[j];
	}
	if (v)
		gb_qsort(v, k, sizeof(char *), gb__comp_strp_cmp);
	size_t u = 0;
	for (size_t i = 0; v && i < k; i++)
		if (!u || strcmp(v[u - 1], v[i]) != 0)
			v[u++] = v[i];
	*ret_n = u;
	return v;
}

/* ---- vulnerabilities ---- */

static const char *vulndb_path(const struct gb_audit_opts *opts, char *buf, size_t cap)
{
	if (opts->vulndb)
		return opts->vulndb;
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, cap, "%s/glassbox/vulndb.sqlite", xdg);
	else if (home && *home)
		snprintf(buf, cap, "%s/.local/share/glassbox/vulndb.sqlite", home);
	else
		return NULL;
	return buf;
}

static int vuln_id_cmp(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
	return strcmp(x ? x : "", y ? y : "");
}

/* Every record matching the component's CPEs, once per id, sorted by id. */
static json_t *match_vulns(struct gb_vulndb *vdb, const struct gb_sig_component *c, const char *version,
			   const struct gb_comp_facts *facts)
{
	json_t *all = json_array();
	size_t n = 0;
	json_t **v = NULL;

	for (size_t k = 0; all && k <= c->n_also; k++) {
		char vendor[128], product[128];
		if (k == 0) {
			snprintf(vendor, sizeof(vendor), "%s", c->vendor);
			snprintf(product, sizeof(product), "%s", c->product);
		} else {
			const char *colon = strchr(c->also[k - 1], ':');
			snprintf(vendor, sizeof(vendor), "%.*s", (int)(colon - c->also[k - 1]), c->also[k - 1]);
			snprintf(product, sizeof(product), "%s", colon + 1);
		}
		json_t *arr = NULL;
		if (gb_vulndb_match(vdb, c->part, vendor, product, version, &arr) < 0 || !arr)
			continue;
		size_t i;
		json_t *item;
		json_array_foreach(arr, i, item)
		{
			const char *id = json_string_value(json_object_get(item, "id"));
			bool dup = false;
			for (size_t j = 0; id && j < json_array_size(all); j++)
				dup |= strcmp(id, json_string_value(json_object_get(json_array_get(all, j), "id"))) == 0;
			if (!dup)
				json_array_append(all, item);
		}
		json_decref(arr);
	}
	if (!all)
		return json_array();
	if (gb_vulndb_refine)
		gb_vulndb_refine(vdb, facts, all);
	n = json_array_size(all);
	v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return all;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(all, i));
	gb_qsort(v, n, sizeof(*v), vuln_id_cmp);
	json_array_clear(all);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(all, v[i]);
	free(v);
	return all;
}

/* ---- finish ---- */

struct totals {
	json_int_t matched, applicable;
	json_t *by_sev;
};

static void count_vulns(struct totals *t, const json_t *vulns)
{
	size_t i;
	const json_t *v;
	json_array_foreach(vulns, i, v)
	{
		t->matched++;
		if (json_is_false(json_object_get(v, "applicable")))
			continue;
		t->applicable++;
		const char *sev = json_string_value(json_object_get(v, "severity"));
		char key[32];
		snprintf(key, sizeof(key), "%s", sev && *sev ? sev : "unknown");
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		json_t *cur = json_object_get(t->by_sev, key);
		json_object_set_new(t->by_sev, key, json_integer(cur ? json_integer_value(cur) + 1 : 1));
	}
}

/* One report item for copies[0..n) (same component and version). */
static json_t *component_json(struct state *st, struct gb_vulndb *vdb, const struct copy *copies, size_t n,
			      struct totals *t)
{
	const struct gb_sig_component *c = &st->db->comps[copies[0].comp];
	const char *version = copies[0].version;
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "version", version ? json_string(version) : json_null());
	json_object_set_new(o, "cpe", cpe_string(c, c->vendor, c->product, version));
	json_object_set_new(o, "purl", purl_string(c, version));
	json_object_set_new(o, "type", json_string(c->type));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, copy_json(&copies[i]));
	json_object_set_new(o, "copies", arr);

	json_t *vulns = NULL;
	if (vdb && version) {
		struct gb_comp_facts facts = {.name = c->name, .version = version, .part = c->part,
					      .vendor = c->vendor, .product = c->product};
		const char **apps = NULL, **cfg = NULL;
		bool apps_known = c->facts == GB_SIG_FACTS_BUSYBOX, cfg_known = c->facts == GB_SIG_FACTS_IKCONFIG;
		for (size_t i = 0; i < n; i++) {
			apps_known &= copies[i].n_applets > 0;
			cfg_known &= copies[i].ikconfig == 1;
		}
		if (apps_known)
			apps = union_strv(copies, n, true, &facts.n_applets);
		if (cfg_known)
			cfg = union_strv(copies, n, false, &facts.n_config);
		facts.applets_known = apps != NULL;
		facts.applets = apps;
		facts.config_known = cfg != NULL;
		facts.config = cfg;
		vulns = match_vulns(vdb, c, version, &facts);
		free(apps);
		free(cfg);
		count_vulns(t, vulns);
	}
	json_object_set_new(o, "vulnerabilities", vulns ? vulns : json_array());
	return o;
}

/* "3 copies of 2 versions of OpenSSL" for every component with more than one
 * copy or version, and always for OpenSSL. */
static json_t *copy_lines(const struct state *st)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < st->n_copies;) {
		size_t j = i, versions = 0;
		const char *name = st->db->comps[st->copies[i].comp].name;
		while (j < st->n_copies && st->copies[j].comp == st->copies[i].comp) {
			const char *v = st->copies[j].version, *pv = j > i ? st->copies[j - 1].version : NULL;
			if (j == i || (v && pv ? strcmp(v, pv) != 0 : v != pv))
				versions++;
			j++;
		}
		size_t copies = j - i;
		if (copies > 1 || versions > 1 || strcmp(name, "OpenSSL") == 0) {
			char line[256];
			snprintf(line, sizeof(line), "%zu cop%s of %zu version%s of %s", copies, copies == 1 ? "y" : "ies",
				 versions, versions == 1 ? "" : "s", name);
			json_array_append_new(lines, json_string(line));
		}
		i = j;
	}
	return lines;
}

int gb__comp_finish(void *state, struct gb_aout *out)
{
	struct state *st = state;
	const struct gb_audit_opts *opts = gb_aout_opts(out);
	struct gb_vulndb *vdb = NULL;
	char pathbuf[4096];
	int r;

	r = confirm_pending(st, out);
	if (r < 0)
		return r;
	if (st->n_copies)
		qsort_r(st->copies, st->n_copies, sizeof(*st->copies), copy_cmp, st->db);

	const char *vpath = vulndb_path(opts, pathbuf, sizeof(pathbuf));
	json_t *vinfo = json_object();
	json_object_set_new(vinfo, "path", vpath ? json_string(vpath) : json_null());
	if (!gb_vulndb_open || !gb_vulndb_match) {
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string("vulnerability database support not linked"));
	} else if (!vpath || access(vpath, R_OK) != 0) {
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string(opts->vulndb ? strerror(errno) : "no database"));
	} else if ((r = gb_vulndb_open(vpath, &vdb)) < 0) {
		const char *why = gb_vulndb_error ? gb_vulndb_error(NULL) : NULL;
		vdb = NULL;
		json_object_set_new(vinfo, "used", json_false());
		json_object_set_new(vinfo, "error", json_string(why && *why ? why : gb_strerror(r)));
		r = 0;
	} else {
		json_object_set_new(vinfo, "used", json_true());
	}

	struct totals t = {0, 0, json_object()};
	size_t groups = 0;
	for (size_t i = 0; i < st->n_copies;) {
		size_t j = i + 1;
		while (j < st->n_copies && st->copies[j].comp == st->copies[i].comp &&
		       (st->copies[j].version && st->copies[i].version
				? strcmp(st->copies[j].version, st->copies[i].version) == 0
				: st->copies[j].version == st->copies[i].version))
			j++;
		r = gb_aout_append(out, "components", component_json(st, vdb, &st->copies[i], j - i, &t));
		if (r < 0)
			break;
		groups++;
		i = j;
	}
	if (vdb && gb_vulndb_close)
		gb_vulndb_close(vdb);
	gb_aout_summary_set(out, "components", json_integer((json_int_t)groups));
	gb_aout_summary_set(out, "component_copies", json_integer((json_int_t)st->n_copies));
	gb_aout_summary_set(out, "copy_lines", copy_lines(st));
	if (json_is_true(json_object_get(vinfo, "used")))
		gb_aout_summary_set(out, "vulnerabilities",
				    json_pack("{s:I, s:I, s:o}", "matched", t.matched, "applicable", t.applicable,
					      "by_severity", t.by_sev));
	else
		json_decref(t.by_sev);
	gb_aout_summary_set(out, "vulndb", vinfo);
	return r < 0 ? r : 0;
}
