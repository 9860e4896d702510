/* Flattened device tree walker: see fdt.h for the layout. */
#include <string.h>

#include <util/fdt.h>

#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* [off, off+len) inside [0, total) (overflow-safe for 64-bit inputs). */
static bool fits(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static int check_rsvmap(const struct gb_fdt *f)
{
	uint64_t off = f->off_rsvmap;

	for (unsigned i = 0; i < GB_FDT_MAX_RSV; i++, off += 16) {
		uint64_t addr, size;

		if (gb_rd_u64be(&f->blob, off, &addr) < 0 ||
		    gb_rd_u64be(&f->blob, off + 8, &size) < 0)
			return -GB_ECORRUPT;
		if (addr == 0 && size == 0)
			return 0;
	}
	return -GB_ECORRUPT;
}

int gb_fdt_open(const struct gb_span *in, struct gb_fdt *ret)
{
	struct gb_fdt f;
	uint32_t h[10];

	if (!gb_span_has(in, 0, GB_FDT_HEADER_SIZE))
		return -GB_ENOTFOUND;
	for (unsigned i = 0; i < 10; i++)
		h[i] = gb_be32(in->p + 4 * i);
	if (h[0] != GB_FDT_MAGIC)
		return -GB_ENOTFOUND;

	memset(&f, 0, sizeof(f));
	f.totalsize = h[1];
	f.off_struct = h[2];
	f.off_strings = h[3];
	f.off_rsvmap = h[4];
	f.version = h[5];
	f.size_strings = h[8];
	if (f.version < 16 || h[6] > 17 || h[6] > f.version)
		return -GB_ECORRUPT;
	if (f.totalsize < GB_FDT_HEADER_SIZE + 16)
		return -GB_ECORRUPT;
	if (f.off_rsvmap < GB_FDT_HEADER_SIZE || f.off_rsvmap % 8 ||
	    !fits(f.off_rsvmap, 16, f.totalsize))
		return -GB_ECORRUPT;
	if (f.off_struct < GB_FDT_HEADER_SIZE || f.off_struct % 4 || f.off_struct > f.totalsize)
		return -GB_ECORRUPT;
	f.size_struct = f.version >= 17 ? h[9] : f.totalsize - f.off_struct;
	if (!fits(f.off_struct, f.size_struct, f.totalsize) || f.size_struct < 8)
		return -GB_ECORRUPT;
	if (f.off_strings < GB_FDT_HEADER_SIZE || !fits(f.off_strings, f.size_strings, f.totalsize))
		return -GB_ECORRUPT;
	if (f.totalsize > in->n)
		return -GB_ETRUNC;
	f.blob = gb_span_make(in->p, f.totalsize);
	if (check_rsvmap(&f) < 0)
		return -GB_ECORRUPT;
	*ret = f;
	return 0;
}

struct walker {
	const struct gb_fdt *fdt;
	struct gb_span st;       /* the structure block */
	struct gb_span strings;  /* the strings block */
	gb_fdt_cb cb;
	void *ctx;
	unsigned depth;          /* open nodes */
	bool root_done;          /* the root node was closed */
	size_t plen[GB_FDT_MAX_DEPTH + 1]; /* path length of the node open at each level */
	char path[GB_FDT_PATH_MAX];
};

static int emit(struct walker *w, struct gb_fdt_item *it)
{
	return w->cb ? w->cb(w->ctx, it) : 0;
}

/* A NUL-terminated string at off in s; its length (without NUL) in *ret_len. */
static const char *cstr_at(const struct gb_span *s, uint64_t off, size_t *ret_len)
{
	const uint8_t *nul;

	if (off >= s->n)
		return NULL;
	nul = memchr(s->p + off, 0, s->n - (size_t)off);
	if (!nul)
		return NULL;
	*ret_len = (size_t)(nul - (s->p + off));
	return (const char *)(s->p + off);
}

/* Append name to the path of the node at level depth-1. */
static int push_path(struct walker *w, const char *name, size_t len)
{
	size_t base;

	if (w->depth == 0) {
		w->path[0] = '/';
		w->path[1] = '\0';
		w->plen[0] = 1;
		return 0;
	}
	base = w->plen[w->depth - 1];
	if (base == 1)
		base = 0; /* the root's "/" is the separator */
	if (len > GB_FDT_PATH_MAX - 2 - base)
		return -GB_ECORRUPT;
	w->path[base] = '/';
	memcpy(w->path + base + 1, name, len);
	w->path[base + 1 + len] = '\0';
	w->plen[w->depth] = base + 1 + len;
	return 0;
}

static int begin_node(struct walker *w, uint64_t *pos)
{
	struct gb_fdt_item it = {.kind = GB_FDT_NODE_BEGIN};
	size_t len;
	const char *name = cstr_at(&w->st, *pos, &len);
	int r;

	if (!name || w->root_done || w->depth >= GB_FDT_MAX_DEPTH)
		return -GB_ECORRUPT;
	r = push_path(w, name, len);
	if (r < 0)
		return r;
	*pos = align4(*pos + len + 1);
	it.depth = w->depth;
	it.path = w->path;
	it.name = name;
	w->depth++;
	return emit(w, &it);
}

static int end_node(struct walker *w)
{
	struct gb_fdt_item it = {.kind = GB_FDT_NODE_END};
	int r;

	if (w->depth == 0)
		return -GB_ECORRUPT;
	w->depth--;
	w->path[w->plen[w->depth]] = '\0';
	it.depth = w->depth;
	it.path = w->path;
	it.name = w->path + w->plen[w->depth];
	while (it.name > w->path && it.name[-1] != '/')
		it.name--;
	r = emit(w, &it);
	if (w->depth == 0)
		w->root_done = true;
	else
		w->path[w->plen[w->depth - 1]] = '\0';
	return r;
}

static int property(struct walker *w, uint64_t *pos)
{
	struct gb_fdt_item it = {.kind = GB_FDT_PROPERTY};
	uint32_t len, nameoff;
	size_t nlen;

	if (w->depth == 0)
		return -GB_ECORRUPT;
	if (gb_rd_u32be(&w->st, *pos, &len) < 0 || gb_rd_u32be(&w->st, *pos + 4, &nameoff) < 0)
		return -GB_ECORRUPT;
	if (!gb_span_has(&w->st, *pos + 8, len))
		return -GB_ECORRUPT;
	it.name = cstr_at(&w->strings, nameoff, &nlen);
	if (!it.name)
		return -GB_ECORRUPT;
	it.value = w->st.p + *pos + 8;
	it.value_len = len;
	it.value_off = w->fdt->off_struct + *pos + 8;
	it.depth = w->depth - 1;
	it.path = w->path;
	*pos = align4(*pos + 8 + len);
	return emit(w, &it);
}

int gb_fdt_walk(const struct gb_fdt *fdt, gb_fdt_cb cb, void *ctx)
{
	struct walker w = {.fdt = fdt, .cb = cb, .ctx = ctx};
	uint64_t pos = 0;
	int r;

	if (gb_span_sub(&fdt->blob, fdt->off_struct, fdt->size_struct, &w.st) < 0 ||
	    gb_span_sub(&fdt->blob, fdt->off_strings, fdt->size_strings, &w.strings) < 0)
		return -GB_ECORRUPT;
	for (unsigned n = 0; n < GB_FDT_MAX_TOKENS; n++) {
		uint32_t tok;

		if (gb_rd_u32be(&w.st, pos, &tok) < 0)
			return -GB_ECORRUPT;
		pos += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			r = begin_node(&w, &pos);
			break;
		case FDT_END_NODE:
			r = end_node(&w);
			break;
		case FDT_PROP:
			r = property(&w, &pos);
			break;
		case FDT_NOP:
			r = 0;
			break;
		case FDT_END:
			return w.root_done && w.depth == 0 ? 0 : -GB_ECORRUPT;
		default:
			return -GB_ECORRUPT;
		}
		if (r != 0)
			return r;
	}
	return -GB_ECORRUPT;
}

int gb_fdt_prop_u32(const struct gb_fdt_item *it, uint32_t *ret)
{
	if (it->kind != GB_FDT_PROPERTY || it->value_len != 4)
		return -GB_ECORRUPT;
	*ret = gb_be32(it->value);
	return 0;
}

const char *gb_fdt_prop_str(const struct gb_fdt_item *it)
{
	if (it->kind != GB_FDT_PROPERTY || it->value_len == 0 ||
	    !memchr(it->value, 0, it->value_len))
		return NULL;
	return (const char *)it->value;
}
