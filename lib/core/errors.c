/* Error codes and their descriptions. */
#include <glassbox/errors.h>
#include <glassbox/version.h>

static const char *const messages[GB__EMAX] = {
	[GB_OK] = "success",
	[GB_ENOMEM] = "out of memory",
	[GB_EIO] = "input/output error",
	[GB_EINVAL] = "invalid argument",
	[GB_ECORRUPT] = "corrupt data",
	[GB_ETRUNC] = "truncated data",
	[GB_EUNSUP] = "unsupported variant",
	[GB_ELIMIT] = "limit reached",
	[GB_ENOTFOUND] = "not found",
	[GB_EEXIST] = "already exists",
};

const char *gb_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= GB__EMAX || !messages[err])
		return "unknown error";
	return messages[err];
}

const char *gb_version(void)
{
	return GLASSBOX_VERSION;
}
