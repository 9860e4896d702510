/* Internal to the components analyzer (an_components.c reads the files,
 * components.c joins and reports): its state and shared helpers. */
#ifndef GB_ANALYZE_COMPONENTS_INT_H
#define GB_ANALYZE_COMPONENTS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/signatures.h"
#include "util/ac.h"

#define MARKER_BIT (1u << 30)
#define MAX_ATTEMPTS 1024    /* regex verifications per pattern and file */
#define MAX_FILE_STEPS 20000000UL /* regex steps per file: a file full of anchors stays fast */
#define MAX_FOUND 32         /* versions per file */
#define MAX_VERSION 64
#define MAX_EVIDENCE 160
#define MAX_APPLETS 1024
#define MAX_IKCONFIG (8u << 20)

struct copy {
	size_t comp;
	char *version;            /* NULL: the component without a readable version */
	const struct gb_file *file;
	char *evidence;
	int64_t offset;
	const char *method;       /* "pattern", "confirmed", "marker" */
	char **applets;           /* BusyBox */
	size_t n_applets;
	bool applets_read;
	int ikconfig;             /* Linux: -1 n/a, 0 none, 1 read */
	char **config;
	size_t n_config;
};

/* A file with a marker or SONAME of the component but no version of it. */
struct pending {
	size_t comp;
	const struct gb_file *file;
	int64_t offset;           /* of the marker, -1 for a SONAME */
	char evidence[96];        /* the marker or "SONAME ..." */
};

struct state {
	struct gb_sig_db *db;
	struct gb_ac *ac;
	size_t *marker_comp;      /* global marker index -> component */
	size_t *marker_idx;       /* global marker index -> index in its component */
	size_t n_markers;
	pthread_mutex_t lock;
	struct copy *copies;
	size_t n_copies, cap_copies;
	struct pending *pend;
	size_t n_pend, cap_pend;
};


/* Printable rendering of evidence bytes (\0, \n, \xHH escapes; trailing NULs dropped). */
void gb__comp_render(const uint8_t *p, size_t n, char *out, size_t cap);
/* Version order good enough to pick the newest of a few candidates. */
int gb__comp_vercmp(const char *a, const char *b);
/* qsort comparator of char * arrays. */
int gb__comp_strp_cmp(const void *a, const void *b);
void gb__comp_free_strv(char **v, size_t n);
void gb__comp_free_copy(struct copy *c);
/* Append a copy (the caller holds st->lock when threads run). */
int gb__comp_push_copy(struct state *st, struct copy *c);
/* The analyzer's finish(). */
int gb__comp_finish(void *state, struct gb_aout *out);

#endif
