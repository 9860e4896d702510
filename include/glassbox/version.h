#ifndef GLASSBOX_VERSION_H
#define GLASSBOX_VERSION_H

#include <glassbox/export.h>

#define GLASSBOX_VERSION "0.1.0"
#define GLASSBOX_REPORT_SCHEMA_VERSION 1

/* The library's version string; equals GLASSBOX_VERSION of the headers it was built with. */
GB_API const char *gb_version(void);

#endif
