/* glassbox error codes.
 *
 * Every library function returns an int: 0 (or a count) on success and a
 * negative -GB_E* code on failure. The human-readable message, when there is
 * one, lives on the object that owns the work (a node's diagnostic, the scan's
 * error text) and is set once where the error arises.
 */
#ifndef GLASSBOX_ERRORS_H
#define GLASSBOX_ERRORS_H

#include <glassbox/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum gb_error {
	GB_OK = 0,
	GB_ENOMEM = 1,    /* allocation failed */
	GB_EIO = 2,       /* reading or writing failed (see errno text) */
	GB_EINVAL = 3,    /* bad argument from the caller */
	GB_ECORRUPT = 4,  /* the input's structure is inconsistent */
	GB_ETRUNC = 5,    /* the input ends before the structure does */
	GB_EUNSUP = 6,    /* a valid variant that glassbox cannot handle */
	GB_ELIMIT = 7,    /* a configured limit was reached */
	GB_ENOTFOUND = 8, /* no such thing (probe: not this format) */
	GB_EEXIST = 9,    /* the thing already exists */
	GB__EMAX
};

/* A short static description of a GB_E* code (positive or negative). */
GB_API const char *gb_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
