/* Container paths: normalisation and display. */
#ifndef GB_UTIL_PATHUTIL_H
#define GB_UTIL_PATHUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Normalise a container path into out (at least strlen(in)+1 bytes): a
 * relative path "a/b/c" without leading '/', '.' or empty components, '..'
 * applied. *escaped is set when '..' climbs above the root (those '..' are
 * dropped). An empty result means the root itself. */
void gb_path_normalize(const char *in, char *out, bool *escaped);

/* Copy s into out (at least 4*strlen(s)+1 bytes) as valid UTF-8: each byte
 * that is not part of a valid UTF-8 sequence becomes the four characters
 * "\xNN". Returns true when something was escaped. */
bool gb_path_utf8_escape(const char *s, char *out);

/* The last component of a '/'-separated path (pointer into p). */
const char *gb_path_basename(const char *p);

#endif
