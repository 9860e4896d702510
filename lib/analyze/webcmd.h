/* Internal: the web.hidden-command analyzer's language readers. */
#ifndef GB_ANALYZE_WEBCMD_H
#define GB_ANALYZE_WEBCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One request-derived value reaching a command execution. Empty strings mean
 * "not seen". */
struct gb__webcmd_hit {
	uint32_t line;
	const char *sink;     /* "eval", "sh -c", "os.execute", "system"... */
	char param[64];       /* the gating field when gated, else the executed field */
	char magic[128];      /* the constant the gate compares with */
	char cmd_param[64];   /* the field whose value is executed */
};

typedef void (*gb__webcmd_report)(void *ctx, const struct gb__webcmd_hit *hit);

/* Taint readers for one script's bytes [p, p+n); each calls `report` per hit. */
void gb__webcmd_shell(const char *p, size_t n, gb__webcmd_report report, void *ctx);
void gb__webcmd_lua(const char *p, size_t n, gb__webcmd_report report, void *ctx);
void gb__webcmd_php(const char *p, size_t n, gb__webcmd_report report, void *ctx);

#endif
