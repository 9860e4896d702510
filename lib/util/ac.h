/* Aho-Corasick multi-pattern matcher over bytes: one pass over the data finds
 * every occurrence of every magic of every format. The automaton is a full
 * DFA (256 transitions per state), built once per scan and read-only after,
 * so many threads can scan with it at once. */
#ifndef GB_UTIL_AC_H
#define GB_UTIL_AC_H

#include <stddef.h>
#include <stdint.h>

struct gb_ac;

int gb_ac_new(struct gb_ac **ret);
void gb_ac_free(struct gb_ac *ac);
/* Add a pattern (1..255 bytes) with a caller id; before gb_ac_build only. */
int gb_ac_add(struct gb_ac *ac, const uint8_t *pat, size_t len, uint32_t id);
int gb_ac_build(struct gb_ac *ac);

/* Called for each match: id of the pattern and the offset where it starts.
 * Return non-zero to stop scanning. */
typedef int (*gb_ac_match_fn)(void *ctx, uint32_t id, size_t start);
/* Scan data; returns the callback's non-zero value if it stopped, else 0. */
int gb_ac_scan(const struct gb_ac *ac, const uint8_t *data, size_t n, gb_ac_match_fn fn, void *ctx);

#endif
