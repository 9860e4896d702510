/* secrets: credentials written into configuration files and scripts.
 *
 * A token or password in the image is known to everyone who downloads the
 * firmware: cloud keys give access to the vendor's account, API tokens to
 * its services, and a password in a config file usually opens the device.
 *
 * Rule secret.token, details {token_type, value (masked), entropy (Shannon,
 * bits per character), name (the assigned name, for assignments)}:
 *   - high: token formats that are credentials by construction, anywhere
 *     in the file (comments included):
 *       aws-access-key: AKIA/ASIA/... + 16 [A-Z0-9] with a 40-character
 *         secret within 6 lines (details.access_key_id, unmasked: it is an
 *         identifier; the secret is masked); medium without the secret;
 *       google-api-key (AIza + 35), github-token (ghp_/gho_/ghu_/ghs_/ghr_
 *         + 36, github_pat_ + 82), slack-token (xoxa-/xoxb-/xoxp-/xoxr-),
 *         stripe-live-key (sk_live_/rk_live_ + 24 or more).
 *   - medium: password-like assignments outside comments: NAME=VALUE,
 *     NAME: VALUE, "NAME": "VALUE", UCI `option NAME 'VALUE'` and
 *     <NAME>VALUE</NAME>, where a word of NAME is password/passwd/pass/pwd/
 *     passphrase/secret/psk (VALUE of 8+ characters) or token/key/apikey/
 *     auth (16+ characters). VALUE must be a literal that looks chosen:
 *     no variable or template ($, ${}, %s, {{}}, <>), not a path, URL or
 *     file name, not a placeholder (changeme, xxx, your_password...),
 *     not all digits, not a bare hex digest (except for PSKs), no spaces,
 *     two character classes or more and an entropy of 2.8 bits per
 *     character (3.5 for the token/key names).
 * Only text files (text, shell-script, script) up to 4 MiB and data files
 * up to 256 KiB (NUL-separated NVRAM dumps) are read. Skipped: account
 * files (/etc/passwd, shadow, group: the accounts analyzer's), package
 * lists and checksums (md5sums, sha256sums, opkg/dpkg control data),
 * documentation (/usr/share/doc, man, info; README, *.md) and test or
 * example trees, where look-alikes are expected. At most 16 findings per file.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/pemutil.h"

#define MAX_TEXT (4u << 20)
#define MAX_DATA (256u << 10)
#define MAX_FINDINGS 16
#define MAX_LINE 4096
#define AWS_SECRET_LINES 6

struct sctx {
	struct gb_aout *out;
	const struct gb_afile *af;
	struct gb_span d;
	bool text;
	bool code; /* program source: values must be string literals */
	unsigned findings;
	uint64_t token_lines[MAX_FINDINGS * 2]; /* lines already reported by a token rule */
	size_t n_token_lines;
};

/* ---- which files ---- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static bool skipped_path(const char *path)
{
	static const char *const exact[] = {"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow",
					    "/etc/passwd-", "/etc/shadow-", "/etc/group-", "/etc/gshadow-"};
	static const char *const prefixes[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
					       "/usr/share/locale/", "/var/lib/dpkg/", "/usr/lib/opkg/",
					       "/var/lib/opkg/", "/usr/share/common-licenses/",
					       "/usr/share/lintian/", "/usr/share/bash-completion/"};
	static const char *const parts[] = {"/test/", "/tests/", "/testdata/", "/testsuite/", "/example/",
					    "/examples/", "/doc/", "/docs/"};
	static const char *const names[] = {"md5sums", "sha1sums", "sha256sums", "sha512sums", "MD5SUMS",
					    "SHA1SUMS", "SHA256SUMS", "SHA512SUMS", "Packages", "control",
					    "conffiles", "status"};
	static const char *const suffixes[] = {".md5sums", ".sha256sums", ".control", ".list", ".md", ".rst",
					       ".sha256", ".md5", ".sig", ".asc"};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(path, exact[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(path, parts[i]))
			return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(b, names[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (has_suffix(b, suffixes[i]))
			return true;
	return strncmp(b, "README", 6) == 0 || strncmp(b, "CHANGELOG", 9) == 0 || strncmp(b, "LICENSE", 7) == 0;
}

static bool wants(void *state, const struct gb_afile *af)
{
	const struct gb_file *f = af->file;

	(void)state;
	if ((f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK) || !f->disk || f->size == 0 || !f->kind)
		return false;
	if (strcmp(f->kind, "text") == 0 || strcmp(f->kind, "shell-script") == 0 || strcmp(f->kind, "script") == 0) {
		if (f->size > MAX_TEXT)
			return false;
	} else if (strcmp(f->kind, "data") == 0) {
		if (f->size > MAX_DATA)
			return false;
	} else {
		return false;
	}
	return !skipped_path(f->path);
}

/* ---- helpers ---- */

static double str_entropy(const char *s, size_t n)
{
	unsigned count[256] = {0};
	double h = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		count[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++) {
		if (!count[c])
			continue;
		double q = (double)count[c] / (double)n;
		h -= q * log2(q);
	}
	return h;
}

/* Keep the first and last characters, star the rest. */
static json_t *masked(const char *s, size_t n)
{
	char buf[160];
	size_t keep = n >= 16 ? 4 : n >= 8 ? 2 : 1;
	size_t o = 0;

	if (n > 128)
		n = 128;
	for (size_t i = 0; i < n; i++)
		buf[o++] = (i < keep || (n >= 12 && i >= n - 2)) ? s[i] : '*';
	buf[o] = '\0';
	return json_string(buf);
}

static bool alnum(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static void note_line(struct sctx *sc, uint64_t line)
{
	if (sc->n_token_lines < sizeof(sc->token_lines) / sizeof(sc->token_lines[0]))
		sc->token_lines[sc->n_token_lines++] = line;
}

static bool token_line(const struct sctx *sc, uint64_t line)
{
	for (size_t i = 0; i < sc->n_token_lines; i++)
		if (sc->token_lines[i] == line)
			return true;
	return false;
}

static void report(struct sctx *sc, enum gb_severity sev, size_t off, json_t *d, const char *what)
{
	if (sc->findings >= MAX_FINDINGS) {
		json_decref(d);
		return;
	}
	sc->findings++;
	gb_aout_finding(sc->out, "secret.token", sev, sc->af->file, sc->text ? gb__line_of(&sc->d, off) : 0,
			sc->text ? -1 : (int64_t)off, d, "%s holds %s", sc->af->file->path, what);
}

/* ---- token formats ---- */

typedef bool (*charset_fn)(uint8_t c);

static bool cs_aws(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
static bool cs_alnum(uint8_t c) { return alnum(c); }
static bool cs_google(uint8_t c) { return alnum(c) || c == '_' || c == '-'; }
static bool cs_pat(uint8_t c) { return alnum(c) || c == '_'; }
static bool cs_slack(uint8_t c) { return alnum(c) || c == '-'; }
static bool cs_b64(uint8_t c) { return alnum(c) || c == '/' || c == '+'; }

struct token_fmt {
	const char *prefix;
	const char *type;
	charset_fn cs;
	size_t min, max; /* length of the part after the prefix */
};

static const struct token_fmt formats[] = {
	{"AKIA", "aws-access-key", cs_aws, 16, 16},
	{"ASIA", "aws-access-key", cs_aws, 16, 16},
	{"AGPA", "aws-access-key", cs_aws, 16, 16},
	{"AIDA", "aws-access-key", cs_aws, 16, 16},
	{"AROA", "aws-access-key", cs_aws, 16, 16},
	{"AIPA", "aws-access-key", cs_aws, 16, 16},
	{"ANPA", "aws-access-key", cs_aws, 16, 16},
	{"ANVA", "aws-access-key", cs_aws, 16, 16},
	{"AIza", "google-api-key", cs_google, 35, 35},
	{"ghp_", "github-token", cs_alnum, 36, 36},
	{"gho_", "github-token", cs_alnum, 36, 36},
	{"ghu_", "github-token", cs_alnum, 36, 36},
	{"ghs_", "github-token", cs_alnum, 36, 36},
	{"ghr_", "github-token", cs_alnum, 36, 36},
	{"github_pat_", "github-token", cs_pat, 82, 82},
	{"xoxa-", "slack-token", cs_slack, 10, 200},
	{"xoxb-", "slack-token", cs_slack, 10, 200},
	{"xoxp-", "slack-token", cs_slack, 10, 200},
	{"xoxr-", "slack-token", cs_slack, 10, 200},
	{"sk_live_", "stripe-live-key", cs_alnum, 24, 99},
	{"rk_live_", "stripe-live-key", cs_alnum, 24, 99},
};

/* Length of the token body at p (0 when it does not fit the format). */
static size_t token_body(const struct gb_span *d, size_t at, const struct token_fmt *tf)
{
	size_t pl = strlen(tf->prefix), i = at + pl, n = 0;

	if (at > 0 && (alnum(d->p[at - 1]) || d->p[at - 1] == '_'))
		return 0;
	while (i + n < d->n && n <= tf->max && tf->cs(d->p[i + n]))
		n++;
	if (n < tf->min || n > tf->max)
		return 0;
	if (i + n < d->n && (alnum(d->p[i + n]) || d->p[i + n] == '_'))
		return 0;
	return n;
}

/* Classes of characters present: lower, upper, digit, other. */
static int char_classes(const char *s, size_t n)
{
	bool lo = false, up = false, di = false, ot = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c))
			lo = true;
		else if (isupper(c))
			up = true;
		else if (isdigit(c))
			di = true;
		else
			ot = true;
	}
	return lo + up + di + ot;
}

/* High entropy and not a documentation example. */
static bool random_enough(const char *s, size_t n, double min_entropy)
{
	return str_entropy(s, n) >= min_entropy && !memmem(s, n, "EXAMPLE", 7) && !memmem(s, n, "example", 7) &&
	       !memmem(s, n, "XXXX", 4) && !memmem(s, n, "xxxx", 4);
}

static bool looks_random(const char *s, size_t n, double min_entropy)
{
	return random_enough(s, n, min_entropy) && char_classes(s, n) >= 2;
}

/* Byte offset of the start of the line `back` lines before (or after) off. */
static size_t line_start(const struct gb_span *d, size_t off)
{
	while (off > 0 && d->p[off - 1] != '\n')
		off--;
	return off;
}

/* The AWS secret that goes with a key id: a 40-character base64 token
 * with boundaries, within AWS_SECRET_LINES lines around. */
static bool aws_secret(const struct gb_span *d, size_t at, size_t *ret_off)
{
	size_t lo = line_start(d, at), hi = at;
	for (int i = 0; i < AWS_SECRET_LINES && lo > 0; i++)
		lo = line_start(d, lo - 1);
	for (int i = 0; i <= AWS_SECRET_LINES && hi < d->n; i++) {
		const uint8_t *nl = memchr(d->p + hi, '\n', d->n - hi);
		hi = nl ? (size_t)(nl - d->p) + 1 : d->n;
	}
	for (size_t i = lo; i + 40 <= hi; i++) {
		if (!cs_b64(d->p[i]) || (i > 0 && (cs_b64(d->p[i - 1]) || d->p[i - 1] == '=')))
			continue;
		size_t n = 0;
		while (i + n < hi && cs_b64(d->p[i + n]))
			n++;
		if (n == 40 && (i + n >= d->n || d->p[i + n] != '=')) {
			const char *s = (const char *)d->p + i;
			bool hex = true;
			for (size_t k = 0; k < 40; k++)
				if (!isxdigit((unsigned char)s[k]))
					hex = false;
			if (!hex && looks_random(s, 40, 4.0)) {
				*ret_off = i;
				return true;
			}
		}
		i += n;
	}
	return false;
}

static void scan_tokens(struct sctx *sc)
{
	const struct gb_span *d = &sc->d;

	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		const struct token_fmt *tf = &formats[k];
		size_t pl = strlen(tf->prefix);
		for (size_t pos = 0; pos < d->n && sc->findings < MAX_FINDINGS;) {
			const uint8_t *h = memmem(d->p + pos, d->n - pos, tf->prefix, pl);
			if (!h)
				break;
			size_t at = (size_t)(h - d->p);
			size_t n = token_body(d, at, tf);
			pos = at + pl;
			if (!n)
				continue;
			const char *tok = (const char *)d->p + at;
			size_t tl = pl + n;
			if (!random_enough(tok + pl, n, 3.0))
				continue;
			json_t *det = json_pack("{s:s, s:o, s:f}", "token_type", tf->type, "value", masked(tok, tl),
						"entropy", round(str_entropy(tok + pl, n) * 100) / 100);
			enum gb_severity sev = GB_SEV_HIGH;
			char what[96];
			snprintf(what, sizeof(what), "a %s", tf->type);
			if (strcmp(tf->type, "aws-access-key") == 0) {
				size_t so;
				json_object_set_new(det, "access_key_id", json_stringn(tok, tl));
				if (aws_secret(d, at, &so)) {
					json_object_set_new(det, "secret_access_key", masked((const char *)d->p + so, 40));
					note_line(sc, gb__line_of(d, so));
					snprintf(what, sizeof(what), "an AWS access key %.*s with its secret key", (int)tl, tok);
				} else {
					sev = GB_SEV_MEDIUM;
					snprintf(what, sizeof(what), "an AWS access key id %.*s (no secret key nearby)",
						 (int)tl, tok);
				}
			}
			note_line(sc, gb__line_of(d, at));
			report(sc, sev, at, det, what);
			pos = at + tl;
		}
	}
}

/* ---- assignments ---- */

enum name_class { NAME_NONE, NAME_PASSWORD, NAME_TOKEN };

/* Classify an identifier by its words (split at _ - . and at lower-to-upper
 * case changes). The short words (pass, pwd, psk, key, token...) count only
 * when they stand alone between separators: in CamelCase code names they are
 * mostly something else (LoopPassManager, TokenType, SecKeyRef). */
static enum name_class classify_name(const char *s, size_t n, bool *ret_psk)
{
	static const char *const pw_long[] = {"password", "passwd", "passphrase", "secret", "passwort", "passcode"};
	static const char *const pw_short[] = {"pass", "pwd", "pw", "psk", "wpapsk"};
	static const char *const tok[] = {"token", "key", "apikey", "auth", "credential", "credentials"};
	enum name_class best = NAME_NONE;
	size_t i = 0;

	*ret_psk = false;
	while (i < n) {
		while (i < n && !isalnum((unsigned char)s[i]))
			i++;
		size_t b = i;
		bool camel = false;
		while (i < n && isalnum((unsigned char)s[i])) {
			if (i > b && isupper((unsigned char)s[i]) && islower((unsigned char)s[i - 1])) {
				camel = true;
				break;
			}
			i++;
		}
		if (b > 0 && isalnum((unsigned char)s[b - 1]))
			camel = true; /* this word starts at a case change */
		size_t wl = i - b;
		char w[32];
		if (wl == 0 || wl >= sizeof(w))
			continue;
		for (size_t k = 0; k < wl; k++)
			w[k] = (char)tolower((unsigned char)s[b + k]);
		w[wl] = '\0';
		for (size_t k = 0; k < sizeof(pw_long) / sizeof(pw_long[0]); k++)
			if (strcmp(w, pw_long[k]) == 0)
				best = NAME_PASSWORD;
		for (size_t k = 0; !camel && k < sizeof(pw_short) / sizeof(pw_short[0]); k++)
			if (strcmp(w, pw_short[k]) == 0) {
				best = NAME_PASSWORD;
				if (strstr(w, "psk"))
					*ret_psk = true;
			}
		for (size_t k = 0; !camel && best == NAME_NONE && k < sizeof(tok) / sizeof(tok[0]); k++)
			if (strcmp(w, tok[k]) == 0)
				best = NAME_TOKEN;
	}
	return best;
}

static bool placeholder(const char *v, size_t n)
{
	static const char *const words[] = {"changeme", "change_me", "changeit", "change-me", "password",
					    "passw0rd", "secret", "yourpassword", "your_password", "mypassword",
					    "example", "sample", "dummy", "default", "none", "null", "undefined",
					    "required", "optional", "placeholder", "replaceme", "replace_me",
					    "todo", "fixme", "notset", "not_set", "unset", "enabled", "disabled",
					    "xxxxxxxx", "********", "12345678", "123456789", "1234567890",
					    "qwertyuiop", "abcdefgh", "testtest", "test1234", "password1", "password123",
					    "secret123", "value", "string"};
	char low[136], alnum_low[136];
	size_t an = 0;

	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++) {
		low[i] = (char)tolower((unsigned char)v[i]);
		if (isalnum((unsigned char)v[i]))
			alnum_low[an++] = low[i];
	}
	low[n] = '\0';
	alnum_low[an] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(low, words[i]) == 0 || strcmp(alnum_low, words[i]) == 0)
			return true;
	/* values published as examples in standards and vendor documentation */
	static const char *const published[] = {
		"wjalrxutnfemi/k7mdeng/bpxrficyexamplekey", /* AWS documentation */
		"2yotnfzfejr1zcsicmwpaa", "tgzv3jokf0xg5qx2tlkwia", /* RFC 6749 */
		"0685bd9184jfhq22", "ad180jjd733klru7", "wk48q6xvo3ps8oku", /* RFC 5849 */
		"kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "nnch734d00sl2jdk",
		"hunter2", "correcthorsebatterystaple"};
	for (size_t i = 0; i < sizeof(published) / sizeof(published[0]); i++)
		if (strcmp(low, published[i]) == 0 || strcmp(alnum_low, published[i]) == 0)
			return true;
	static const char *const parts[] = {"example", "changeme", "your", "xxxx", "****", "....", "placeholder",
					    "dummy", "sample", "insert", "replace", "secret_here", "here"};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(low, parts[i]))
			return true;
	return false;
}

static bool plausible_value(const char *v, size_t n, const char *name, size_t name_len, enum name_class cls,
			    bool psk)
{
	size_t min = cls == NAME_TOKEN ? 16 : 8;
	bool digits = true, hex = true;

	if (!v || n < min || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c >= 0x7f || c == '$' || c == '`' || c == '<' || c == '>' || c == '\\')
			return false;
		if (!isdigit(c))
			digits = false;
		if (!isxdigit(c))
			hex = false;
	}
	bool has_letter = false;
	for (size_t i = 0; i < n; i++)
		if (isalpha((unsigned char)v[i]))
			has_letter = true;
	if (!has_letter && !psk)
		return false; /* numbers, dates, versions, addresses */
	if (digits || (hex && !psk && (n == 32 || n == 40 || n == 56 || n == 64 || n == 96 || n == 128)))
		return false;
	if (memmem(v, n, "://", 3) || memmem(v, n, "%s", 2) || memmem(v, n, "%(", 2) || memmem(v, n, "{{", 2) ||
	    memmem(v, n, "()", 2) || memmem(v, n, "${", 2) || memmem(v, n, "@@", 2))
		return false;
	if (v[0] == '/' || v[0] == '.' || v[0] == '~' || v[0] == '@' || v[0] == '-' || v[0] == '%' || v[0] == '&' ||
	    v[0] == '*' || v[0] == '[' || v[0] == '{' || v[0] == '(')
		return false;
	/* a path or file name */
	if (memchr(v, '/', n) && char_classes(v, n) <= 3 && !(hex || n >= 20))
		return false;
	static const char *const exts[] = {".pem", ".key", ".crt", ".cer", ".conf", ".cfg", ".txt", ".db", ".so",
					   ".sh", ".json", ".xml", ".html", ".js", ".der", ".p12", ".pfx"};
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);
		if (n > el && strncasecmp(v + n - el, exts[i], el) == 0)
			return false;
	}
	if (n == name_len && strncasecmp(v, name, n) == 0)
		return false;
	if (placeholder(v, n))
		return false;
	/* code, not a literal: self.attr, a::b, a->b, f(x), x[i], ^T, names */
	if (memmem(v, n, "::", 2) || memmem(v, n, "->", 2) || memchr(v, '(', n) || memchr(v, ')', n) ||
	    memchr(v, '[', n) || memchr(v, ']', n) || v[0] == '^' || v[0] == '!' || v[0] == '?' || v[0] == '\'')
		return false;
	bool dotted = true, special = false, digit = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!isalnum(c) && c != '_' && c != '.')
			dotted = false;
		if (isdigit(c))
			digit = true;
		else if (!isalpha(c) && c != '_' && c != '.')
			special = true;
	}
	if (dotted && !digit)
		return false; /* an identifier or a plain word */
	/* a dotted/dashed name made of words: tag:yaml.org,2002:str, http.auth.proxy-scope */
	unsigned words = 0;
	for (size_t i = 0; i < n;) {
		size_t b = i;
		while (i < n && isalnum((unsigned char)v[i]))
			i++;
		bool letters = i - b >= 3;
		for (size_t k = b; k < i; k++)
			if (!isalpha((unsigned char)v[k]))
				letters = false;
		words += letters;
		if (i == b)
			i++;
	}
	if (words >= 2)
		return false;
	if (!digit && !special)
		return false;
	if (char_classes(v, n) < 2)
		return false;
	return str_entropy(v, n) >= (cls == NAME_TOKEN ? 3.5 : 2.8);
}

static bool ident_char(uint8_t c)
{
	return alnum(c) || c == '_' || c == '-' || c == '.';
}

/* Value at s[i..n): quoted or bare. Returns false when there is none. */
static bool take_value(const char *s, size_t i, size_t n, bool code, size_t *ret_b, size_t *ret_len)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n)
		return false;
	if (s[i] == '"' || s[i] == '\'') {
		char q = s[i++];
		size_t b = i;
		while (i < n && s[i] != q)
			i++;
		if (i >= n)
			return false;
		*ret_b = b;
		*ret_len = i - b;
		return true;
	}
	if (code)
		return false; /* in program source only a string literal is a value */
	size_t b = i;
	while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ';' && s[i] != ',' && s[i] != '&' && s[i] != '|' &&
	       s[i] != ')' && s[i] != '}' && s[i] != '"' && s[i] != '\'' && s[i] != '\r')
		i++;
	*ret_b = b;
	*ret_len = i - b;
	return i > b;
}

struct assign {
	size_t name, name_len, value, value_len;
};

/* The identifier that ends just before position e (skipping spaces and a quote). */
static bool name_before(const char *s, size_t e, size_t *ret_b, size_t *ret_len)
{
	while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e > 0 && (s[e - 1] == '"' || s[e - 1] == '\''))
		e--;
	size_t b = e;
	while (b > 0 && ident_char((uint8_t)s[b - 1]))
		b--;
	if (b == e)
		return false;
	/* a variable being read ($name, ${name}) is not an assignment */
	if (b > 0 && (s[b - 1] == '$' || s[b - 1] == '{'))
		return false;
	if (b > 1 && s[b - 1] == '"' && s[b - 2] == '$')
		return false;
	*ret_b = b;
	*ret_len = e - b;
	return true;
}

static bool comment_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n)
		return true;
	return s[i] == '#' || s[i] == ';' || s[i] == '!' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/') ||
	       (s[i] == '-' && i + 1 < n && s[i + 1] == '-') || (s[i] == '<' && i + 3 < n && s[i + 1] == '!') ||
	       (s[i] == '*' && i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '/'));
}

static void report_assign(struct sctx *sc, size_t off, const char *s, const struct assign *a, enum name_class cls)
{
	json_t *det = json_pack("{s:s, s:s%, s:o, s:f}", "token_type",
				cls == NAME_TOKEN ? "assigned-token" : "assigned-password", "name", s + a->name,
				a->name_len, "value", masked(s + a->value, a->value_len), "entropy",
				round(str_entropy(s + a->value, a->value_len) * 100) / 100);
	char what[160];
	snprintf(what, sizeof(what), "a hard-coded %s assigned to %.*s", cls == NAME_TOKEN ? "token" : "password",
		 (int)(a->name_len < 64 ? a->name_len : 64), s + a->name);
	report(sc, GB_SEV_MEDIUM, off + a->value, det, what);
}

/* UCI: option NAME 'VALUE'. Returns true when the line is an option line. */
static bool scan_uci(struct sctx *sc, size_t off, const char *s, size_t n)
{
	struct assign a = {0};
	bool psk = false;
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i <= 7 || memcmp(s + i, "option", 6) != 0 || (s[i + 6] != ' ' && s[i + 6] != '\t'))
		return false;
	size_t b = i + 6;
	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	size_t e = b;
	while (e < n && ident_char((uint8_t)s[e]))
		e++;
	enum name_class cls = classify_name(s + b, e - b, &psk);
	if (e - b == 3 && memcmp(s + b, "key", 3) == 0)
		cls = NAME_PASSWORD; /* OpenWrt wireless: option key is the Wi-Fi passphrase */
	if (cls != NAME_NONE && take_value(s, e, n, sc->code, &a.value, &a.value_len) &&
	    plausible_value(s + a.value, a.value_len, s + b, e - b, cls, psk)) {
		a.name = b;
		a.name_len = e - b;
		report_assign(sc, off, s, &a, cls);
	}
	return true;
}

/* Report the password-like assignments of one line (at most 4). */
static void scan_line(struct sctx *sc, size_t off, size_t n)
{
	const char *s = (const char *)sc->d.p + off;
	unsigned found = 0;
	bool psk = false;
	enum name_class cls;

	if (comment_line(s, n) || scan_uci(sc, off, s, n))
		return;
	/* NAME = VALUE, NAME: VALUE, "NAME": "VALUE", NAME => VALUE, <NAME>VALUE</NAME> */
	for (size_t i = 0; i < n && found < 4; i++) {
		char c = s[i];
		size_t vstart;
		if (c == '=') {
			if ((i + 1 < n && s[i + 1] == '=') || (i > 0 && strchr("=!<>", s[i - 1])))
				continue;
			vstart = i + 1 < n && s[i + 1] == '>' ? i + 2 : i + 1;
		} else if (c == ':') {
			if (i + 1 >= n || (s[i + 1] != ' ' && s[i + 1] != '\t' && s[i + 1] != '"' && s[i + 1] != '\''))
				continue;
			vstart = i + 1;
		} else if (c == '>' && i > 0) {
			size_t b = i;
			while (b > 0 && ident_char((uint8_t)s[b - 1]))
				b--;
			if (b == 0 || s[b - 1] != '<' || b == i)
				continue;
			size_t e = i + 1;
			while (e < n && s[e] != '<')
				e++;
			if (e + 2 + (i - b) >= n || s[e + 1] != '/' || memcmp(s + e + 2, s + b, i - b) != 0)
				continue;
			cls = classify_name(s + b, i - b, &psk);
			if (cls != NAME_NONE && plausible_value(s + i + 1, e - i - 1, s + b, i - b, cls, psk)) {
				struct assign a = {b, i - b, i + 1, e - i - 1};
				report_assign(sc, off, s, &a, cls);
				found++;
				i = e;
			}
			continue;
		} else {
			continue;
		}
		size_t nb, nl, vb, vl;
		if (!name_before(s, i, &nb, &nl))
			continue;
		cls = classify_name(s + nb, nl, &psk);
		if (cls == NAME_NONE || !take_value(s, vstart, n, sc->code, &vb, &vl))
			continue;
		if (plausible_value(s + vb, vl, s + nb, nl, cls, psk)) {
			struct assign a = {nb, nl, vb, vl};
			report_assign(sc, off, s, &a, cls);
			found++;
			i = vb + vl;
		}
	}
}

static void scan_assignments(struct sctx *sc)
{
	const struct gb_span *d = &sc->d;
	uint64_t line = 1;

	for (size_t off = 0; off < d->n && sc->findings < MAX_FINDINGS;) {
		size_t e = off;
		while (e < d->n && d->p[e] != '\n' && d->p[e] != '\0')
			e++;
		if (e - off <= MAX_LINE && !token_line(sc, line))
			scan_line(sc, off, e - off);
		if (e < d->n && d->p[e] == '\n')
			line++;
		off = e + 1;
	}
}

static bool source_code(const struct gb_file *f)
{
	static const char *const exts[] = {".py", ".pl", ".pm", ".lua", ".php", ".js", ".rb", ".tcl", ".c", ".h",
					   ".cc", ".cpp", ".hpp", ".tcc", ".java", ".go", ".rs", ".pas", ".pp",
					   ".inc", ".ts", ".cs", ".swift", ".m", ".vim", ".el"};
	const char *b = strrchr(f->path, '/');
	b = b ? b + 1 : f->path;
	if (strcmp(f->kind, "script") == 0)
		return true; /* #! of an interpreter other than sh */
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (has_suffix(b, exts[i]))
			return true;
	return false;
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct sctx sc = {.out = out, .af = af, .d = af->data};

	(void)state;
	if (sc.d.n == 0)
		return 0;
	sc.text = gb__is_text(af->file->kind, &af->data);
	sc.code = source_code(af->file);
	if (!sc.text) {
		/* data: only mostly printable blobs (NVRAM dumps, configs with NULs) */
		size_t printable = 0;
		for (size_t i = 0; i < sc.d.n; i++)
			if ((sc.d.p[i] >= 0x20 && sc.d.p[i] < 0x7f) || sc.d.p[i] == '\n' || sc.d.p[i] == '\t' ||
			    sc.d.p[i] == 0)
				printable++;
		if (printable * 10 < sc.d.n * 9)
			return 0;
	}
	scan_tokens(&sc);
	scan_assignments(&sc);
	return 0;
}

const struct gb_analyzer gb__an_secrets = {
	.name = "secrets",
	.description = "cloud keys, API tokens and passwords written into configs and scripts",
	.wants = wants,
	.run = run,
};
