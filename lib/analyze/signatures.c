/* The component signature database (data/components.json, documented in
 * docs/components.md): parsed with jansson, each pattern compiled by the
 * matcher of sig_re.c, every entry checked (CPE, purl, anchors) so that a
 * bad signature fails the audit's init with the component's name. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <glassbox/errors.h>

#include "analyze/signatures.h"

/* ---- the database ---- */

struct loader {
	struct gb_sig_db *db;
	size_t cap_pats;
	char *err;
	size_t errlen;
};

static int lfail(struct loader *l, const char *comp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int lfail(struct loader *l, const char *comp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "data/components.json: %s: %s", comp ? comp : "(top level)", msg);
	return -GB_EINVAL;
}

static char *dup_str(const json_t *o, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(o, key));
	v = v ? v : def;
	return v ? strdup(v) : NULL;
}

/* An array of strings (key may be absent). *ret is NULL-free, n entries. */
static int str_array(struct loader *l, const char *comp, const json_t *o, const char *key,
		     struct gb_sig_bytes **ret, size_t *ret_n)
{
	const json_t *a = json_object_get(o, key);
	size_t i;
	const json_t *v;

	*ret = NULL;
	*ret_n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return lfail(l, comp, "%s must be an array of strings", key);
	if (!json_array_size(a))
		return 0;
	struct gb_sig_bytes *b = calloc(json_array_size(a), sizeof(*b));
	if (!b)
		return -GB_ENOMEM;
	*ret = b;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			return lfail(l, comp, "%s must be an array of non-empty strings", key);
		size_t n = json_string_length(v);
		b[i].p = malloc(n + 1);
		if (!b[i].p)
			return -GB_ENOMEM;
		memcpy(b[i].p, json_string_value(v), n);
		b[i].p[n] = 0;
		b[i].n = n;
		(*ret_n)++;
	}
	return 0;
}

static void free_bytes(struct gb_sig_bytes *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
	free(b);
}

static int add_pattern(struct loader *l, size_t ci, const json_t *p)
{
	struct gb_sig_db *db = l->db;
	const char *name = db->comps[ci].name;
	const json_t *rx = json_object_get(p, "regex");
	char err[200];
	int r;

	if (!json_is_string(rx))
		return lfail(l, name, "%s", "a pattern needs \"regex\"");
	if (db->n_pats == l->cap_pats) {
		size_t cap = l->cap_pats ? l->cap_pats * 2 : 64;
		struct gb_sig_pattern *np = realloc(db->pats, cap * sizeof(*np));
		if (!np)
			return -GB_ENOMEM;
		db->pats = np;
		l->cap_pats = cap;
	}
	struct gb_sig_pattern *pat = &db->pats[db->n_pats];
	memset(pat, 0, sizeof(*pat));
	pat->comp = ci;
	pat->priority = (int)json_integer_value(json_object_get(p, "priority"));
	pat->gated = json_is_true(json_object_get(p, "gated"));
	r = gb__sig_re_compile(json_string_value(rx), json_string_length(rx),
			       (unsigned)json_integer_value(json_object_get(p, "group")), false, &pat->re, err,
			       sizeof(err));
	if (r < 0)
		return r == -GB_ENOMEM ? r : lfail(l, name, "regex: %s", err);
	/* kept printable for messages: NULs and control bytes as '?' */
	size_t srclen = json_string_length(rx);
	pat->src = malloc(srclen + 1);
	if (pat->src) {
		memcpy(pat->src, json_string_value(rx), srclen);
		pat->src[srclen] = '\0';
		for (size_t q = 0; q < srclen; q++)
			if ((unsigned char)pat->src[q] < 0x20 || pat->src[q] == 0x7f)
				pat->src[q] = '?';
	}
	db->n_pats++;
	size_t pmin, pmax;
	pat->anchor_len = gb__sig_re_anchor(pat->re, &pat->anchor, &pmin, &pmax);
	if (!pat->src)
		return -GB_ENOMEM;
	if (pat->anchor_len < (pat->gated ? 2u : 3u)) {
		return lfail(l, name, "regex %.120s has no literal anchor long enough (3 bytes, 2 when gated)",
			     pat->src);
	}
	return 0;
}

static int parse_files(struct loader *l, const char *name, const json_t *o, unsigned *ret)
{
	const json_t *a = json_object_get(o, "files");
	size_t i;
	const json_t *v;

	if (!a) {
		*ret = GB_SIG_ELF | GB_SIG_DATA;
		return 0;
	}
	*ret = 0;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (s && strcmp(s, "elf") == 0)
			*ret |= GB_SIG_ELF;
		else if (s && (strcmp(s, "data") == 0 || strcmp(s, "kernel") == 0))
			*ret |= GB_SIG_DATA;
		else if (s && strcmp(s, "text") == 0)
			*ret |= GB_SIG_TEXT;
		else
			return lfail(l, name, "unknown file kind %s (elf, data, kernel, text)", s ? s : "?");
	}
	return 0;
}

static int parse_cpe(struct loader *l, struct gb_sig_component *c, const json_t *o)
{
	const char *cpe = json_string_value(json_object_get(o, "cpe"));
	const char *colon = cpe ? strchr(cpe, ':') : NULL;
	if (!colon || colon == cpe || !colon[1] || strchr(colon + 1, ':'))
		return lfail(l, c->name, "%s", "\"cpe\" must be \"vendor:product\"");
	c->vendor = strndup(cpe, (size_t)(colon - cpe));
	c->product = strdup(colon + 1);
	c->part = dup_str(o, "part", "a");
	if (!c->vendor || !c->product || !c->part)
		return -GB_ENOMEM;
	if (strcmp(c->part, "a") && strcmp(c->part, "o") && strcmp(c->part, "h"))
		return lfail(l, c->name, "part %s is not a, o or h", c->part);
	const json_t *also = json_object_get(o, "cpe_also");
	size_t i;
	const json_t *v;
	if (json_array_size(also)) {
		c->also = calloc(json_array_size(also), sizeof(char *));
		if (!c->also)
			return -GB_ENOMEM;
		json_array_foreach(also, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || !strchr(s, ':'))
				return lfail(l, c->name, "%s", "cpe_also entries must be \"vendor:product\"");
			c->also[c->n_also] = strdup(s);
			if (!c->also[c->n_also++])
				return -GB_ENOMEM;
		}
	}
	return 0;
}

static int parse_confirm(struct loader *l, struct gb_sig_component *c, const json_t *o)
{
	struct gb_sig_bytes *t;
	size_t n;
	int r = str_array(l, c->name, o, "confirm", &t, &n);
	if (r < 0) {
		free_bytes(t, n);
		return r;
	}
	if (!n)
		return 0;
	c->confirm_pre = calloc(n, sizeof(*c->confirm_pre));
	c->confirm_post = calloc(n, sizeof(*c->confirm_post));
	if (!c->confirm_pre || !c->confirm_post) {
		free_bytes(t, n);
		return -GB_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *v = memmem(t[i].p, t[i].n, "{v}", 3);
		if (!v) {
			free_bytes(t, n);
			return lfail(l, c->name, "%s", "a confirm template needs {v}");
		}
		size_t pre = (size_t)(v - t[i].p), post = t[i].n - pre - 3;
		c->confirm_pre[i].p = malloc(pre + 1);
		c->confirm_post[i].p = malloc(post + 1);
		c->n_confirm++;
		if (!c->confirm_pre[i].p || !c->confirm_post[i].p) {
			free_bytes(t, n);
			return -GB_ENOMEM;
		}
		memcpy(c->confirm_pre[i].p, t[i].p, pre);
		c->confirm_pre[i].n = pre;
		memcpy(c->confirm_post[i].p, v + 3, post);
		c->confirm_post[i].n = post;
	}
	free_bytes(t, n);
	return 0;
}

static int load_component(struct loader *l, size_t ci, const json_t *o)
{
	struct gb_sig_component *c = &l->db->comps[ci];
	const char *name = json_string_value(json_object_get(o, "name"));
	int r;

	if (!json_is_object(o) || !name || !*name)
		return lfail(l, NULL, "%s", "every component needs a \"name\"");
	c->name = strdup(name);
	c->purl = dup_str(o, "purl", NULL);
	c->type = dup_str(o, "type", "library");
	if (!c->name || !c->purl || !c->type)
		return c->name && !c->purl ? lfail(l, name, "%s", "\"purl\" is missing") : -GB_ENOMEM;
	if (strncmp(c->purl, "pkg:", 4) != 0 || !strchr(c->purl + 4, '/'))
		return lfail(l, name, "purl %s is not pkg:type/name", c->purl);
	r = parse_cpe(l, c, o);
	if (r < 0)
		return r;
	r = parse_files(l, name, o, &c->files);
	if (r < 0)
		return r;
	l->db->files |= c->files;

	struct gb_sig_bytes *g;
	size_t ng;
	r = str_array(l, name, o, "globs", &g, &ng);
	if (r == 0 && ng) {
		c->globs = calloc(ng, sizeof(char *));
		for (size_t i = 0; c->globs && i < ng; i++) {
			c->globs[i] = (char *)g[i].p;
			g[i].p = NULL;
			c->n_globs++;
		}
		if (!c->globs)
			r = -GB_ENOMEM;
	}
	free_bytes(g, ng);
	if (r < 0)
		return r;
	r = str_array(l, name, o, "markers", &c->markers, &c->n_markers);
	if (r < 0)
		return r;

	const json_t *sn = json_object_get(o, "sonames");
	size_t i;
	const json_t *v;
	if (json_array_size(sn)) {
		c->sonames = calloc(json_array_size(sn), sizeof(*c->sonames));
		if (!c->sonames)
			return -GB_ENOMEM;
		json_array_foreach(sn, i, v)
		{
			char err[200];
			if (!json_is_string(v))
				return lfail(l, name, "%s", "sonames must be strings");
			r = gb__sig_re_compile(json_string_value(v), json_string_length(v), 0, true,
					       &c->sonames[c->n_sonames], err, sizeof(err));
			if (r < 0)
				return r == -GB_ENOMEM ? r : lfail(l, name, "soname: %s", err);
			c->n_sonames++;
		}
	}

	const json_t *pats = json_object_get(o, "patterns");
	if (!json_is_array(pats))
		return lfail(l, name, "%s", "\"patterns\" must be an array");
	json_array_foreach(pats, i, v)
	{
		r = add_pattern(l, ci, v);
		if (r < 0)
			return r;
	}
	r = parse_confirm(l, c, o);
	if (r < 0)
		return r;

	const json_t *norm = json_object_get(o, "normalize");
	c->cut = dup_str(norm, "cut", "");
	c->strip_prefix = dup_str(norm, "strip_prefix", "");
	if (!c->cut || !c->strip_prefix)
		return -GB_ENOMEM;
	c->lower = json_is_true(json_object_get(norm, "lower"));
	c->unversioned = json_is_true(json_object_get(o, "unversioned"));
	const char *facts = json_string_value(json_object_get(o, "facts"));
	if (!facts)
		c->facts = GB_SIG_FACTS_NONE;
	else if (strcmp(facts, "busybox-applets") == 0)
		c->facts = GB_SIG_FACTS_BUSYBOX;
	else if (strcmp(facts, "ikconfig") == 0)
		c->facts = GB_SIG_FACTS_IKCONFIG;
	else
		return lfail(l, name, "unknown facts %s (busybox-applets, ikconfig)", facts);
	if (!c->n_markers && !c->n_sonames && (c->n_confirm || c->unversioned))
		return lfail(l, name, "%s", "confirm templates and unversioned need markers or sonames");
	return 0;
}

int gb__sig_db_load(const char *json, size_t len, struct gb_sig_db **ret, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_ALLOW_NUL, &jerr);
	struct gb_sig_db *db = calloc(1, sizeof(*db));
	struct loader l = {db, 0, err, errlen};
	int r = 0;

	if (!db) {
		json_decref(root);
		return -GB_ENOMEM;
	}
	if (!root) {
		snprintf(err, errlen, "data/components.json: line %d: %s", jerr.line, jerr.text);
		r = -GB_EINVAL;
		goto out;
	}
	const json_t *comps = json_object_get(root, "components");
	if (!json_is_array(comps) || !json_array_size(comps)) {
		r = lfail(&l, NULL, "%s", "\"components\" must be a non-empty array");
		goto out;
	}
	db->comps = calloc(json_array_size(comps), sizeof(*db->comps));
	if (!db->comps) {
		r = -GB_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < json_array_size(comps) && r == 0; i++) {
		db->n_comps++;
		r = load_component(&l, i, json_array_get(comps, i));
		for (size_t k = 0; r == 0 && k < i; k++)
			if (strcmp(db->comps[k].name, db->comps[i].name) == 0)
				r = lfail(&l, db->comps[i].name, "%s", "duplicate name");
	}
out:
	json_decref(root);
	if (r < 0) {
		gb__sig_db_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

void gb__sig_db_free(struct gb_sig_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n_comps; i++) {
		struct gb_sig_component *c = &db->comps[i];
		free(c->name);
		free(c->part);
		free(c->vendor);
		free(c->product);
		for (size_t k = 0; k < c->n_also; k++)
			free(c->also[k]);
		free(c->also);
		free(c->purl);
		free(c->type);
		for (size_t k = 0; k < c->n_globs; k++)
			free(c->globs[k]);
		free(c->globs);
		free_bytes(c->markers, c->n_markers);
		for (size_t k = 0; k < c->n_sonames; k++)
			gb__sig_re_free(c->sonames[k]);
		free(c->sonames);
		free_bytes(c->confirm_pre, c->n_confirm);
		free_bytes(c->confirm_post, c->n_confirm);
		free(c->cut);
		free(c->strip_prefix);
	}
	free(db->comps);
	for (size_t i = 0; i < db->n_pats; i++) {
		gb__sig_re_free(db->pats[i].re);
		free(db->pats[i].src);
	}
	free(db->pats);
	free(db);
}

size_t gb__sig_normalize(const struct gb_sig_component *c, const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t sp = strlen(c->strip_prefix), k = 0;

	if (sp && n >= sp && memcmp(v, c->strip_prefix, sp) == 0) {
		v += sp;
		n -= sp;
	}
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		uint8_t ch = v[i];
		if (ch == 0 || strchr(c->cut, ch))
			break;
		if (ch < 0x21 || ch > 0x7e)
			return 0;   /* versions are printable ASCII */
		out[k++] = c->lower ? (char)tolower(ch) : (char)ch;
	}
	while (k && (out[k - 1] == '.' || out[k - 1] == '-'))
		k--;
	out[k] = '\0';
	return k;
}

bool gb__sig_glob_hint(const struct gb_sig_component *c, const char *path)
{
	for (size_t i = 0; i < c->n_globs; i++)
		if (fnmatch(c->globs[i], path, 0) == 0)
			return true;
	return false;
}
