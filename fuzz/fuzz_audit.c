/* libFuzzer targets for the audit's parsers: passwd/shadow/group, boot
 * scripts (inittab, rcS, init.d, procd, systemd, crontabs), PEM/DER/OpenSSH/
 * PuTTY keys and certificates, component banners, secrets in configs and
 * CGI scripts, ELF files.
 *
 * GB_FUZZ_AUDIT names the target: the input is cut at every SEPARATOR line
 * into up to N parts, part i becomes the file paths[i] of a tar archive,
 * which the real engine unpacks before the named analyzers run over it and
 * the whole report (scan + audit) is written. Separate files let one input
 * exercise the cross-file logic (a shadow hash for a passwd account, the
 * init script that starts a service...). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/glassbox.h>

#include "fuzz_common.h"

#define SEPARATOR "\n==8<==\n"
#define MAX_PARTS 6

struct target {
	const char *name;
	const char *analyzers[3];
	const char *paths[MAX_PARTS];
};

static const struct target targets[] = {
	{"accounts", {"accounts"},
	 {"etc/passwd", "etc/shadow", "etc/group", "etc/config/system", "etc/hostname"}},
	{"services", {"services"},
	 {"etc/inittab", "etc/init.d/rcS", "etc/init.d/S50debug", "etc/init.d/telnet",
	  "lib/systemd/system/debug.service", "etc/crontabs/root"}},
	{"keys", {"keys", "certs"},
	 {"etc/ssl/private/server.key", "root/.ssh/authorized_keys", "etc/dropbear/dropbear_rsa_host_key",
	  "etc/ssl/certs/device.crt", "etc/ssl/certs/device.der", "usr/sbin/keyd"}},
	{"components", {"components"},
	 {"usr/lib/libcrypto.so.1.1", "bin/busybox", "etc/openwrt_release", "usr/sbin/dropbear",
	  "lib/libc.so.0", "boot/vmlinux"}},
	{"secrets", {"secrets", "webcmd"},
	 {"etc/config/cloud", "www/cgi-bin/admin.cgi", "www/index.php", "etc/app.conf",
	  "usr/lib/lua/luci/controller/x.lua", "www/cgi-bin/diag.sh"}},
	{"elf", {"elf", "yara"}, {"bin/a", "lib/libc.so.6", "usr/bin/b"}},
};

static const struct target *target(void)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(targets[i].name, GB_FUZZ_AUDIT) == 0)
			return &targets[i];
	abort();
}

/* ---- a minimal ustar writer ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void buf_put(struct buf *b, const void *src, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void tar_add(struct buf *b, const char *path, const uint8_t *data, size_t n)
{
	uint8_t h[512] = {0};
	unsigned sum = 0;
	static const uint8_t zero[512];

	snprintf((char *)h, 100, "%s", path);
	memcpy(h + 100, "0000755", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011zo", n);
	memcpy(h + 136, "00000000000", 12);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	buf_put(b, h, sizeof(h));
	buf_put(b, data, n);
	buf_put(b, zero, (512 - n % 512) % 512);
}

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
	size_t k = sizeof(SEPARATOR) - 1;
	for (size_t i = 0; i + k <= n; i++)
		if (p[i] == '\n' && memcmp(p + i, SEPARATOR, k) == 0)
			return p + i;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t end[1024];
	const struct target *t = target();
	struct buf tar = {0};
	size_t n_an = 0;

	for (size_t i = 0; i < MAX_PARTS && t->paths[i]; i++) {
		const uint8_t *sep = find_sep(data, size);
		size_t len = sep ? (size_t)(sep - data) : size;
		if (i + 1 == MAX_PARTS || !t->paths[i + 1])
			len = size; /* the last file takes the rest */
		tar_add(&tar, t->paths[i], data, len);
		if (len == size)
			break;
		data += len + sizeof(SEPARATOR) - 1;
		size -= len + sizeof(SEPARATOR) - 1;
	}
	buf_put(&tar, end, sizeof(end));

	struct gb_scan *scan = gb_fuzz_scan_keep(tar.p, tar.n, 2);
	free(tar.p);
	if (!scan)
		return 0;
	while (n_an < 3 && t->analyzers[n_an])
		n_an++;
	struct gb_audit_opts opts;
	struct gb_audit *audit = NULL;
	gb_audit_opts_init(&opts);
	opts.jobs = 1;
	opts.only = t->analyzers;
	opts.n_only = n_an;
	opts.crack_budget_ms = 1; /* 8 candidates per hash: slow hashes stay fast */
	opts.vulndb = "/nonexistent/glassbox-fuzz.sqlite";
	if (gb_audit_run(scan, &opts, &audit) < 0)
		abort(); /* hostile files are data: the audit itself never fails */
	FILE *devnull = fopen("/dev/null", "w");
	if (!devnull || gb_report_json_write(scan, audit, devnull) < 0)
		abort();
	fclose(devnull);
	gb_audit_free(audit);
	gb_scan_free(scan);
	return 0;
}
