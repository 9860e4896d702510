/* Internal: the analyzer table. */
#ifndef GB_ANALYZE_AUDIT_H
#define GB_ANALYZE_AUDIT_H

#include <stddef.h>

#include <glassbox/sys/analyzer.h>

extern const struct gb_analyzer *const gb__analyzers[];
extern const size_t gb__n_analyzers;

#endif
