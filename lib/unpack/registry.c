/* The format table, expanded from formats.def (an X-macro, like YARA's
 * module_list). */
#include <string.h>

#include "unpack/engine.h"

#define FORMAT(name) extern const struct gb_format gb__fmt_##name;
#include "formats.def"
#undef FORMAT

const struct gb_format *const gb__formats[] = {
#define FORMAT(name) &gb__fmt_##name,
#include "formats.def"
#undef FORMAT
};

const size_t gb__n_formats = sizeof(gb__formats) / sizeof(gb__formats[0]);

const struct gb_format *gb__format_find(const char *name)
{
	for (size_t i = 0; i < gb__n_formats; i++)
		if (strcmp(gb__formats[i]->name, name) == 0)
			return gb__formats[i];
	return NULL;
}
