/* glassbox: open firmware evaluation. Umbrella header of the public API. */
#ifndef GLASSBOX_GLASSBOX_H
#define GLASSBOX_GLASSBOX_H

#include <glassbox/audit.h>
#include <glassbox/errors.h>
#include <glassbox/limits.h>
#include <glassbox/report.h>
#include <glassbox/scan.h>
#include <glassbox/version.h>

#endif
