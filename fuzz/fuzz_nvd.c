/* libFuzzer target for the vulnerability feed importer (lib/store): the
 * streaming splitter, the NVD 2.0 / 1.1 and OSV record readers, then matching
 * and the applicability rules on whatever the input managed to store. The
 * input is a feed file's bytes (gzip'd or not). One in-memory database is
 * reused across inputs and emptied after each. */
#include <stdlib.h>
#include <string.h>

#include <glassbox/vulndb.h>

#include "analyze/components.h"
#include "fuzz_common.h"
#include "store/store.h"

static const char *const applets[] = {"ash", "sh", "tar", "wget"};
static const char *const config[] = {"CONFIG_NET", "CONFIG_NETFILTER"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gb_vulndb *db;
	struct gb_vulndb_import_stats st;
	sqlite3_stmt *q;

	if (!db && gb_vulndb_open_flags(":memory:", GB_VULNDB_CREATE, &db) < 0)
		abort();
	gb_vulndb_import_buffer(db, data, size, "fuzz", &st);
	if (st.records > st.records + st.skipped) /* counters are consistent */
		abort();

	/* match every product the input stored, at a few versions */
	if (sqlite3_prepare_v2(db->sql, "SELECT DISTINCT part, vendor, product FROM cpes LIMIT 16", -1, &q, NULL) ==
	    SQLITE_OK) {
		static const char *const versions[] = {"1.35.0", "1.0.2zf", "9.3p1", "5.10-rc1", "2022.83", ""};
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *part = (const char *)sqlite3_column_text(q, 0);
			char vendor[128], product[128];
			strncpy(vendor, (const char *)sqlite3_column_text(q, 1), sizeof(vendor) - 1);
			vendor[sizeof(vendor) - 1] = '\0';
			strncpy(product, (const char *)sqlite3_column_text(q, 2), sizeof(product) - 1);
			product[sizeof(product) - 1] = '\0';
			for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
				json_t *arr = NULL;
				if (gb_vulndb_match(db, part, vendor, product, versions[i], &arr) < 0)
					continue;
				struct gb_comp_facts f = {.name = "x", .version = versions[i], .part = part,
							  .vendor = vendor, .product = product,
							  .applets_known = true, .applets = applets, .n_applets = 4,
							  .config_known = true, .config = config, .n_config = 2};
				gb_vulndb_refine(db, &f, arr);
				json_decref(arr);
			}
		}
		sqlite3_finalize(q);
	}
	json_t *s = NULL;
	if (gb_vulndb_stats(db, &s) == 0)
		json_decref(s);
	gb__vulndb_exec(db, "DELETE FROM cpes; DELETE FROM vulns; DELETE FROM imports");
	return 0;
}
