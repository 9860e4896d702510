/* CycloneDX 1.6 JSON SBOM (https://cyclonedx.org/docs/1.6/json/): what the
 * components analyzer found, for tools that read SBOMs.
 *
 * The writer works from a report.json object, so `glassbox scan --format
 * cyclonedx` (which builds the few keys it needs from the live scan) and
 * `glassbox sbom REPORT.json` (which reads a finished report) share it.
 *
 * Mapping (docs/report.md, "CycloneDX SBOM"):
 *   metadata.component   the firmware image: name, SHA-256, size
 *   components[]         one per (name, version): type, name, version, cpe,
 *                        purl, hashes (SHA-256 of every file carrying it),
 *                        evidence.occurrences (one per copy: path, offset of
 *                        the evidence, the evidence string), properties
 *                        (glassbox:copies, glassbox:copy, applets, ikconfig)
 *   dependencies         the firmware depends on every component
 *   vulnerabilities[]    one per (id, component): NVD/OSV source, ratings
 *                        (CVSS score, severity, method, vector), description,
 *                        recommendation from fixed_in, affects (the
 *                        component's bom-ref and version) and, when the
 *                        binary shows the code is not built in, analysis
 *                        {state not_affected, justification code_not_present,
 *                        detail = the reason}
 * The serial number is a name-based (SHA-1, version 5) UUID of the input's
 * SHA-256, so the same image always gets the same serial; the timestamp is
 * now, or SOURCE_DATE_EPOCH when set. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/atomic.h"
#include <openssl/evp.h>

#include <glassbox/errors.h>
#include <glassbox/report.h>
#include <glassbox/version.h>

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* RFC 4122 version 5 UUID of name in the URL namespace. */
static void uuid_v5(const char *name, char out[37])
{
	static const unsigned char ns_url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
						 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memset(md, 0, sizeof(md));
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, ns_url, 16) == 1 &&
	    EVP_DigestUpdate(ctx, name, strlen(name)) == 1)
		EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1],
		 md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14],
		 md[15]);
}

static json_t *timestamp(void)
{
	char buf[32];
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* "OpenSSL@1.1.1w": unique per (name, version) in a report. */
static void bom_ref(const json_t *c, char *out, size_t cap)
{
	const char *v = json_string_value(json_object_get(c, "version"));
	snprintf(out, cap, "component:%s@%s", jstr(c, "name"), v ? v : "unknown");
	for (char *p = out; *p; p++)
		if (isspace((unsigned char)*p))
			*p = '_';
}

static json_t *prop(const char *name, const char *value)
{
	return json_pack("{s:s, s:s}", "name", name, "value", value);
}

static json_t *component_cdx(const json_t *c, const char *ref)
{
	static const char *const types[] = {"application", "library", "operating-system", "firmware", "framework",
					    "device-driver", "file"};
	const char *type = jstr(c, "type");
	bool known = false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		known |= strcmp(type, types[i]) == 0;
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(known ? type : "library"));
	json_object_set_new(o, "bom-ref", json_string(ref));
	json_object_set_new(o, "name", json_string(jstr(c, "name")));
	if (json_is_string(json_object_get(c, "version")))
		json_object_set_new(o, "version", json_string(jstr(c, "version")));
	if (*jstr(c, "cpe"))
		json_object_set_new(o, "cpe", json_string(jstr(c, "cpe")));
	if (*jstr(c, "purl"))
		json_object_set_new(o, "purl", json_string(jstr(c, "purl")));

	json_t *hashes = json_array(), *occ = json_array(), *props = json_array();
	const json_t *copies = json_object_get(c, "copies");
	size_t i;
	const json_t *cp;
	char buf[4200];
	json_array_foreach(copies, i, cp)
	{
		const char *sha = jstr(cp, "sha256");
		bool dup = !*sha;
		for (size_t k = 0; !dup && k < json_array_size(hashes); k++)
			dup = strcmp(jstr(json_array_get(hashes, k), "content"), sha) == 0;
		if (!dup)
			json_array_append_new(hashes, json_pack("{s:s, s:s}", "alg", "SHA-256", "content", sha));
		json_t *o2 = json_pack("{s:s}", "location", jstr(cp, "path"));
		const json_t *ev = json_object_get(cp, "evidence");
		if (json_integer_value(json_object_get(ev, "offset")) >= 0 && json_is_integer(json_object_get(ev, "offset")))
			json_object_set(o2, "offset", json_object_get(ev, "offset"));
		if (*jstr(ev, "string"))
			json_object_set_new(o2, "additionalContext", json_string(jstr(ev, "string")));
		json_array_append_new(occ, o2);
		snprintf(buf, sizeof(buf), "node %lld:%s sha256:%s via %s",
			 (long long)json_integer_value(json_object_get(cp, "node")), jstr(cp, "path"), *sha ? sha : "-",
			 *jstr(ev, "method") ? jstr(ev, "method") : "pattern");
		json_array_append_new(props, prop("glassbox:copy", buf));
		if (json_is_array(json_object_get(cp, "applets"))) {
			snprintf(buf, sizeof(buf), "%s: %zu", jstr(cp, "path"),
				 json_array_size(json_object_get(cp, "applets")));
			json_array_append_new(props, prop("glassbox:busybox-applets", buf));
		}
		const json_t *ik = json_object_get(cp, "ikconfig");
		if (ik) {
			snprintf(buf, sizeof(buf), "%s: %s", jstr(cp, "path"),
				 json_is_true(json_object_get(ik, "present")) ? "present" : "absent");
			json_array_append_new(props, prop("glassbox:ikconfig", buf));
		}
	}
	snprintf(buf, sizeof(buf), "%zu", json_array_size(copies));
	json_array_insert_new(props, 0, prop("glassbox:copies", buf));
	if (json_array_size(hashes))
		json_object_set_new(o, "hashes", hashes);
	else
		json_decref(hashes);
	if (json_array_size(occ))
		json_object_set_new(o, "evidence", json_pack("{s:o}", "occurrences", occ));
	else
		json_decref(occ);
	json_object_set_new(o, "properties", props);
	return o;
}

static const char *score_method(const char *version)
{
	if (strcmp(version, "3.1") == 0)
		return "CVSSv31";
	if (strncmp(version, "3", 1) == 0)
		return "CVSSv3";
	if (strncmp(version, "2", 1) == 0)
		return "CVSSv2";
	if (strncmp(version, "4", 1) == 0)
		return "CVSSv4";
	return "other";
}

static json_t *severity_cdx(const char *s)
{
	static const char *const ok[] = {"critical", "high", "medium", "low", "info", "none"};
	char lower[16];
	size_t k = 0;
	for (; s[k] && k + 1 < sizeof(lower); k++)
		lower[k] = (char)tolower((unsigned char)s[k]);
	lower[k] = '\0';
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(lower, ok[i]) == 0)
			return json_string(lower);
	return json_string("unknown");
}

static json_t *vuln_cdx(const json_t *v, const json_t *c, const char *ref)
{
	const char *id = jstr(v, "id");
	char url[512];
	json_t *o = json_object();

	json_object_set_new(o, "bom-ref", json_pack("s+++", "vulnerability:", id, "/", ref));
	json_object_set_new(o, "id", json_string(id));
	const char *src = jstr(v, "source");
	if (strcmp(src, "nvd") == 0 || (!*src && strncmp(id, "CVE-", 4) == 0)) {
		snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%s", id);
		json_object_set_new(o, "source", json_pack("{s:s, s:s}", "name", "NVD", "url", url));
	} else {
		snprintf(url, sizeof(url), "https://osv.dev/vulnerability/%s", id);
		json_object_set_new(o, "source", json_pack("{s:s, s:s}", "name", "OSV", "url", url));
	}
	const json_t *cvss = json_object_get(v, "cvss");
	json_t *rating = json_object();
	json_object_set(rating, "source", json_object_get(o, "source"));
	if (json_is_number(json_object_get(cvss, "score")))
		json_object_set(rating, "score", json_object_get(cvss, "score"));
	if (*jstr(v, "severity"))
		json_object_set_new(rating, "severity", severity_cdx(jstr(v, "severity")));
	if (*jstr(cvss, "version"))
		json_object_set_new(rating, "method", json_string(score_method(jstr(cvss, "version"))));
	if (*jstr(cvss, "vector"))
		json_object_set_new(rating, "vector", json_string(jstr(cvss, "vector")));
	if (json_object_size(rating) > 1)
		json_object_set_new(o, "ratings", json_pack("[o]", rating));
	else
		json_decref(rating);
	if (*jstr(v, "summary"))
		json_object_set_new(o, "description", json_string(jstr(v, "summary")));
	const json_t *fixed = json_object_get(v, "fixed_in");
	if (json_is_string(fixed) && *json_string_value(fixed))
		json_object_set_new(o, "recommendation", json_pack("s+", "Upgrade to ", json_string_value(fixed)));
	json_t *aff = json_pack("{s:s}", "ref", ref);
	const char *version = json_string_value(json_object_get(c, "version"));
	bool applicable = !json_is_false(json_object_get(v, "applicable"));
	if (version)
		json_object_set_new(aff, "versions", json_pack("[{s:s, s:s}]", "version", version, "status",
							       applicable ? "affected" : "unaffected"));
	json_object_set_new(o, "affects", json_pack("[o]", aff));
	if (!applicable) {
		json_t *an = json_pack("{s:s, s:s}", "state", "not_affected", "justification", "code_not_present");
		if (*jstr(v, "reason"))
			json_object_set_new(an, "detail", json_string(jstr(v, "reason")));
		json_object_set_new(o, "analysis", an);
	}
	return o;
}

static json_t *bom_from_report(const json_t *report)
{
	const json_t *input = json_object_get(report, "input");
	const json_t *tool = json_object_get(report, "tool");
	const json_t *comps = json_object_get(report, "components");
	char serial[64], name[4200];

	snprintf(name, sizeof(name), "glassbox:sbom:%s", jstr(input, "sha256"));
	char uuid[37];
	uuid_v5(name, uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);

	json_t *bom = json_object();
	json_object_set_new(bom, "$schema", json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
	json_object_set_new(bom, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(bom, "specVersion", json_string("1.6"));
	json_object_set_new(bom, "serialNumber", json_string(serial));
	json_object_set_new(bom, "version", json_integer(1));

	const char *path = jstr(input, "path");
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	json_t *fw = json_pack("{s:s, s:s, s:s}", "type", "firmware", "bom-ref", "firmware", "name",
			       *base ? base : "firmware");
	if (*jstr(input, "sha256"))
		json_object_set_new(fw, "hashes",
				    json_pack("[{s:s, s:s}]", "alg", "SHA-256", "content", jstr(input, "sha256")));
	snprintf(name, sizeof(name), "%lld", (long long)json_integer_value(json_object_get(input, "size")));
	json_object_set_new(fw, "properties", json_pack("[o]", prop("glassbox:size", name)));
	json_t *toolc = json_pack("{s:s, s:s, s:s}", "type", "application", "name",
				  *jstr(tool, "name") ? jstr(tool, "name") : "glassbox", "version",
				  *jstr(tool, "version") ? jstr(tool, "version") : gb_version());
	json_object_set_new(bom, "metadata", json_pack("{s:o, s:{s:[o]}, s:o}", "timestamp", timestamp(), "tools",
						       "components", toolc, "component", fw));

	json_t *components = json_array(), *vulns = json_array(), *deps = json_array();
	size_t i;
	const json_t *c;
	json_array_foreach(comps, i, c)
	{
		char ref[512];
		bom_ref(c, ref, sizeof(ref));
		json_array_append_new(components, component_cdx(c, ref));
		json_array_append_new(deps, json_string(ref));
		size_t k;
		const json_t *v;
		json_array_foreach(json_object_get(c, "vulnerabilities"), k, v)
		{
			if (*jstr(v, "id"))
				json_array_append_new(vulns, vuln_cdx(v, c, ref));
		}
	}
	json_object_set_new(bom, "components", components);
	json_object_set_new(bom, "dependencies", json_pack("[{s:s, s:o}]", "ref", "firmware", "dependsOn", deps));
	json_object_set_new(bom, "vulnerabilities", vulns);
	return bom;
}

static int dump(json_t *bom, FILE *out)
{
	if (!bom)
		return -GB_ENOMEM;
	int r = json_dumpf(bom, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(bom);
	if (r < 0 || fputc('\n', out) == EOF)
		return -GB_EIO;
	return 0;
}

int gb_report_cyclonedx_from_report(const struct json_t *report, FILE *out)
{
	if (!json_is_object(report) || !json_is_object(json_object_get(report, "input")))
		return -GB_EINVAL;
	return dump(bom_from_report(report), out);
}

/* The keys of report.json the SBOM needs, from the live scan and audit. */
static json_t *report_subset(const struct gb_scan *scan, const struct gb_audit *audit)
{
	json_t *r = json_object();
	json_t *in = json_pack("{s:s, s:I, s:s}", "path", scan->input_path ? scan->input_path : "",
			       "size", (json_int_t)scan->input_size, "sha256", scan->input_sha256);
	json_object_set_new(r, "input", in ? in : json_object());
	json_object_set_new(r, "tool", json_pack("{s:s, s:s}", "name", "glassbox", "version", gb_version()));
	const json_t *comps = audit ? gb_audit_section(audit, "components") : NULL;
	json_object_set(r, "components", comps ? (json_t *)comps : json_array());
	return r;
}

int gb_report_cyclonedx_write(const struct gb_scan *scan, const struct gb_audit *audit, FILE *out)
{
	json_t *r = report_subset(scan, audit);
	if (!r)
		return -GB_ENOMEM;
	int ret = dump(bom_from_report(r), out);
	json_decref(r);
	return ret;
}

struct cdx_job {
	const struct gb_scan *scan;
	const struct gb_audit *audit;
};

static int write_cdx_job(void *ctx, FILE *f)
{
	const struct cdx_job *j = ctx;
	return gb_report_cyclonedx_write(j->scan, j->audit, f);
}

int gb_report_cyclonedx_write_file(const struct gb_scan *scan, const struct gb_audit *audit, const char *path)
{
	struct cdx_job j = {scan, audit};
	return gb_write_atomic(path, write_cdx_job, &j);
}
