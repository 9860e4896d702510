/* glassbox vulndb import|stats|match: the local vulnerability database
 * (include/glassbox/vulndb.h, docs/vulndb.md). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <glassbox/errors.h>
#include <glassbox/vulndb.h>

#include "cli.h"

static void vulndb_usage(void)
{
	fprintf(stderr,
		"usage: glassbox vulndb import [--vulndb PATH] FILE...\n"
		"       glassbox vulndb stats [--vulndb PATH] [--json]\n"
		"       glassbox vulndb match [--vulndb PATH] [PART:]VENDOR:PRODUCT VERSION\n"
		"\n"
		"import  reads NVD API 2.0 JSON (one CVE, an API response or a yearly feed), NVD 1.1\n"
		"        JSON feeds and OSV JSON, gzip'd or not, into the database (created if\n"
		"        missing); a record already there is replaced\n"
		"stats   what the database holds: records per source, CPE match rows, imports\n"
		"match   the vulnerabilities a component version matches, as JSON\n"
		"\n"
		"      --vulndb PATH   the database (default $XDG_DATA_HOME/glassbox/vulndb.sqlite,\n"
		"                      else ~/.local/share/glassbox/vulndb.sqlite)\n"
		"      --json          stats as JSON\n");
}

enum { OPT_VULNDB = 0x100, OPT_JSON };

static const struct option long_opts[] = {
	{"vulndb", required_argument, NULL, OPT_VULNDB},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --vulndb PATH or the default; *ret_dir is the directory to create. */
static char *db_path(const char *opt, char **ret_dir)
{
	*ret_dir = NULL;
	if (opt)
		return strdup(opt);
	char *dir = gb_cli_data_dir(), *path = NULL;
	if (!dir)
		return NULL;
	if (asprintf(&path, "%s/vulndb.sqlite", dir) < 0)
		path = NULL;
	*ret_dir = dir;
	return path;
}

static int do_import(const char *path, char **files, int n)
{
	struct gb_vulndb *db = NULL;
	int r = gb_vulndb_open_flags(path, GB_VULNDB_CREATE, &db), status = GB_EXIT_OK;
	uint64_t total = 0;
	double t_all = now_s();

	if (r < 0) {
		gb_cli_error("%s", gb_vulndb_error(NULL));
		return r == -GB_ENOMEM ? GB_EXIT_FAILURE : GB_EXIT_OUTPUT;
	}
	for (int i = 0; i < n; i++) {
		struct gb_vulndb_import_stats st;
		double t0 = now_s();
		r = gb_vulndb_import_file(db, files[i], &st);
		double dt = now_s() - t0;
		if (r < 0) {
			gb_cli_error("%s", gb_vulndb_error(db));
			status = r == -GB_ENOMEM ? GB_EXIT_FAILURE : GB_EXIT_INPUT;
			continue;
		}
		total += st.records;
		printf("%s: %llu records (%s), %llu CPE match rows, %llu skipped, %.1f MB in %.2f s", files[i],
		       (unsigned long long)st.records, st.format[0] ? st.format : "no records",
		       (unsigned long long)st.cpe_rows, (unsigned long long)st.skipped, (double)st.bytes / 1e6, dt);
		if (st.records >= 10000) /* a rate only where it means something */
			printf(" (%.0f records/s)", (double)st.records / dt);
		putchar('\n');
		if (st.unmapped)
			printf("  %llu OSV affected entries without a CPE mapping\n", (unsigned long long)st.unmapped);
		if (st.notes[0])
			printf("  note: %s\n", st.notes);
	}
	if (n > 1)
		printf("%llu records from %d files in %.2f s into %s\n", (unsigned long long)total, n, now_s() - t_all, path);
	else
		printf("database: %s\n", path);
	gb_vulndb_close(db);
	return status;
}

static int open_ro(const char *path, struct gb_vulndb **db)
{
	int r = gb_vulndb_open(path, db);
	if (r < 0) {
		gb_cli_error("%s%s", gb_vulndb_error(NULL),
			     r == -GB_ENOTFOUND ? " (import a feed first: glassbox vulndb import FILE)" : "");
		return r == -GB_ENOMEM ? GB_EXIT_FAILURE : GB_EXIT_INPUT;
	}
	return 0;
}

static int do_stats(const char *path, bool json)
{
	struct gb_vulndb *db;
	json_t *o = NULL;
	int r = open_ro(path, &db);
	if (r)
		return r;
	r = gb_vulndb_stats(db, &o);
	gb_vulndb_close(db);
	if (r < 0) {
		gb_cli_error("%s: %s", path, gb_strerror(r));
		return GB_EXIT_FAILURE;
	}
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		const char *k;
		json_t *v;
		const char *last = json_string_value(json_object_get(o, "last_import"));
		printf("vulnerability database %s (schema %lld)\n", path,
		       (long long)json_integer_value(json_object_get(o, "schema")));
		printf("  records:         %lld", (long long)json_integer_value(json_object_get(o, "records")));
		json_object_foreach(json_object_get(o, "records_by_source"), k, v)
			printf("  %s %lld", k, (long long)json_integer_value(v));
		printf("\n  CPE match rows:  %lld\n", (long long)json_integer_value(json_object_get(o, "cpe_rows")));
		printf("  products:        %lld vendor:product pairs\n",
		       (long long)json_integer_value(json_object_get(o, "products")));
		printf("  last import:     %s\n", last ? last : "never");
		size_t i;
		json_array_foreach(json_object_get(o, "imports"), i, v)
		{
			if (i == 0)
				printf("  imports (newest first):\n");
			printf("    %s  %s  %lld records, %lld CPE rows, %lld skipped  (%s)\n",
			       json_string_value(json_object_get(v, "at")), json_string_value(json_object_get(v, "file")),
			       (long long)json_integer_value(json_object_get(v, "records")),
			       (long long)json_integer_value(json_object_get(v, "cpe_rows")),
			       (long long)json_integer_value(json_object_get(v, "skipped")),
			       json_string_value(json_object_get(v, "format")));
		}
	}
	json_decref(o);
	return GB_EXIT_OK;
}

static int do_match(const char *path, const char *cpe, const char *version)
{
	char part[8] = "", vendor[128], product[128];
	const char *p = cpe;
	int colons = 0;
	for (const char *c = cpe; *c; c++)
		colons += *c == ':';
	if (colons == 2) {
		snprintf(part, sizeof(part), "%.*s", (int)(strchr(cpe, ':') - cpe), cpe);
		p = strchr(cpe, ':') + 1;
	} else if (colons != 1) {
		gb_cli_error("expected [PART:]VENDOR:PRODUCT, e.g. busybox:busybox");
		return GB_EXIT_USAGE;
	}
	snprintf(vendor, sizeof(vendor), "%.*s", (int)(strchr(p, ':') - p), p);
	snprintf(product, sizeof(product), "%s", strchr(p, ':') + 1);

	struct gb_vulndb *db;
	json_t *arr = NULL;
	int r = open_ro(path, &db);
	if (r)
		return r;
	r = gb_vulndb_match(db, part[0] ? part : NULL, vendor, product, version, &arr);
	if (r < 0) {
		gb_cli_error("%s", gb_vulndb_error(db));
		gb_vulndb_close(db);
		return GB_EXIT_FAILURE;
	}
	gb_vulndb_close(db);
	json_dumpf(arr, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(arr);
	return GB_EXIT_OK;
}

static int run_vulndb(int argc, char **argv)
{
	const char *opt_db = NULL;
	bool json = false;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		vulndb_usage();
		return argc < 2 ? GB_EXIT_USAGE : GB_EXIT_OK;
	}
	const char *sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_VULNDB:
			opt_db = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			vulndb_usage();
			return GB_EXIT_OK;
		default:
			vulndb_usage();
			return GB_EXIT_USAGE;
		}
	}
	char *dir, *path = db_path(opt_db, &dir);
	if (!path) {
		gb_cli_error("no database path: set --vulndb, XDG_DATA_HOME or HOME");
		free(dir);
		return GB_EXIT_USAGE;
	}
	int r;
	if (strcmp(sub, "import") == 0) {
		if (optind >= argc) {
			gb_cli_error("vulndb import: no FILE");
			vulndb_usage();
			r = GB_EXIT_USAGE;
		} else if (dir && gb_cli_mkdir_p(dir) < 0) {
			gb_cli_error("cannot create %s: %s", dir, strerror(errno));
			r = GB_EXIT_OUTPUT;
		} else {
			r = do_import(path, argv + optind, argc - optind);
		}
	} else if (strcmp(sub, "stats") == 0 && optind == argc) {
		r = do_stats(path, json);
	} else if (strcmp(sub, "match") == 0 && optind + 2 == argc) {
		r = do_match(path, argv[optind], argv[optind + 1]);
	} else {
		gb_cli_error("vulndb: unknown subcommand or wrong arguments: %s", sub);
		vulndb_usage();
		r = GB_EXIT_USAGE;
	}
	free(path);
	free(dir);
	return r;
}

const struct gb_command gb_cmd_vulndb = {
	.name = "vulndb",
	.summary = "import vulnerability feeds (NVD, OSV) into the local database; stats; match",
	.run = run_vulndb,
	.usage = vulndb_usage,
};
