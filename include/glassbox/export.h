/* Symbol visibility: the library builds with -fvisibility=hidden and exports
 * only what is marked GB_API (libarchive's __LA_DECL). */
#ifndef GLASSBOX_EXPORT_H
#define GLASSBOX_EXPORT_H
#define GB_API __attribute__((visibility("default")))
#endif
