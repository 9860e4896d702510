/* The analyzer table, expanded from analyzers.def (an X-macro). */
#include <glassbox/sys/analyzer.h>

#include "analyze/audit.h"

#define ANALYZER(name) extern const struct gb_analyzer gb__an_##name;
#include "analyzers.def"
#undef ANALYZER

const struct gb_analyzer *const gb__analyzers[] = {
#define ANALYZER(name) &gb__an_##name,
#include "analyzers.def"
#undef ANALYZER
	NULL,
};

const size_t gb__n_analyzers = sizeof(gb__analyzers) / sizeof(gb__analyzers[0]) - 1;
