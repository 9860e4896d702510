/* The one place where the default limits are set. */
#include <glassbox/limits.h>

void gb_limits_default(struct gb_limits *ret)
{
	static const struct gb_limits defaults = GB_LIMITS_DEFAULT_INIT;
	*ret = defaults;
}
