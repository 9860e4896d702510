/* romfs: the Linux ROM file system (fs/romfs, genromfs; uClinux and
 * XiongMai/HiSilicon IP cameras).
 *
 * Everything is big-endian and 16-byte aligned.
 *
 * Superblock:
 *    0  char magic[8]  "-rom1fs-"
 *    8  u32 full_size  bytes of the file system
 *   12  u32 checksum   the u32 words of the first min(512, full_size) bytes
 *                      sum to 0
 *   16  volume name, NUL-terminated, padded to 16 bytes
 * The first file header follows: the first entry of the root directory.
 *
 * File header (at a 16-byte aligned offset):
 *    0  u32 next       offset of the next header in the same directory (low 4
 *                      bits: type in bits 0-2, bit 3 executable); 0 ends it
 *    4  u32 spec.info  directory: offset of its first entry's header;
 *                      hard link: offset of the header it links to;
 *                      block/char device: major << 16 | minor
 *    8  u32 size       bytes of data (file content, symlink target)
 *   12  u32 checksum   the words of the header and the padded name sum to 0
 *   16  name, NUL-terminated, padded to 16 bytes; then the data
 * Types: 0 hard link, 1 directory, 2 file, 3 symlink, 4 block device,
 * 5 char device, 6 socket, 7 fifo. romfs stores no owners or permissions: like
 * the kernel, files get 0644 (0755 when executable), devices 0600, symlinks
 * 0777, owners 0. Every directory lists "." and ".." (genromfs writes them as
 * a directory or hard links pointing back up): they are skipped.
 *
 * Hostile input: each header is visited at most once (a bitmap over the
 * image's 16-byte slots), so loops in next pointers or directories pointing
 * to an ancestor terminate; depth and path length are capped; hard links are
 * resolved after the walk (chains of hard links are followed a few steps).
 *
 * probe checks the magic, full_size >= 32 and the superblock checksum; the
 * size is full_size (or what is left of the data when that is less).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>
#include "util/vec.h"
#include "fsutil.h"

#define RF_MAGIC "-rom1fs-"
#define RF_HDR 16
#define RF_MAX_NAME 1024
#define RF_MAX_PATH 4096
#define RF_MAX_DEPTH 256
#define RF_MAX_TARGET 4095
#define RF_LINK_HOPS 8

enum {
	RF_HARDLINK = 0,
	RF_DIR = 1,
	RF_FILE = 2,
	RF_SYMLINK = 3,
	RF_BLKDEV = 4,
	RF_CHRDEV = 5,
	RF_SOCKET = 6,
	RF_FIFO = 7,
};

static uint32_t rf_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 4 <= n; i += 4)
		s += gb_be32(p + i);
	return s;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *b = gb_span_at(in, 0, 32);
	uint32_t full, n;

	if (!b || memcmp(b, RF_MAGIC, 8) != 0)
		return -GB_ENOTFOUND;
	full = gb_be32(b + 8);
	if (full < 32)
		return -GB_ENOTFOUND;
	n = full < 512 ? full & ~3u : 512;
	b = gb_span_at(in, 0, n);
	if (!b || rf_sum(b, n) != 0)
		return -GB_ENOTFOUND;
	ret->size = full <= in->n ? full : in->n;
	ret->confidence = full <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	ret->identify_only = false;
	ret->variant[0] = 0;
	return 0;
}

/* ---- the walk ------------------------------------------------------------ */

struct rf_hdr {
	uint32_t off;
	uint32_t next;      /* without the type bits */
	uint8_t type;
	bool exec;
	uint32_t spec, size;
	const char *name;   /* into the image, NUL-terminated */
	size_t name_len;
	uint64_t data;      /* offset of the data */
};

struct rf_link {
	size_t path;        /* offset in rf.paths */
	uint32_t target;    /* header offset */
};

struct rf_file {
	uint32_t off;       /* header offset */
	size_t path;
};

struct rf {
	struct gb_unpack *u;
	const struct gb_span *in;
	uint8_t *seen;      /* one bit per 16-byte slot: header visited */
	char *paths;
	size_t n_paths, cap_paths;
	struct rf_link *links;
	size_t n_links, cap_links;
	struct rf_file *files; /* emitted regular files, sorted by offset later */
	size_t n_files, cap_files;
	size_t count;
	unsigned bad_sum, bad_hdr;
	uint64_t first_bad;
	bool limit_warned;
};

static int rf_add_path(struct rf *f, const char *path, size_t *ret)
{
	return gb_strpool_add(&f->paths, &f->n_paths, &f->cap_paths, path, strlen(path), ret);
}

static void rf_bad(struct rf *f, unsigned *counter, uint32_t off)
{
	if (!f->bad_sum && !f->bad_hdr)
		f->first_bad = off;
	(*counter)++;
}

/* Parse the header at off. -GB_ECORRUPT when it is not a readable header. */
static int rf_read_hdr(struct rf *f, uint32_t off, struct rf_hdr *h, bool check)
{
	const uint8_t *b = gb_span_at(f->in, off, RF_HDR);
	const uint8_t *nm;
	size_t len, padded;
	uint32_t w;

	if (off % 16 || !b)
		return -GB_ECORRUPT;
	w = gb_be32(b);
	h->off = off;
	h->next = w & ~15u;
	h->type = w & 7;
	h->exec = (w & 8) != 0;
	h->spec = gb_be32(b + 4);
	h->size = gb_be32(b + 8);
	nm = f->in->p + off + RF_HDR;
	len = 0;
	while (len < RF_MAX_NAME && gb_span_has(f->in, (uint64_t)off + RF_HDR + len, 1) && nm[len])
		len++;
	if (len == RF_MAX_NAME || !gb_span_has(f->in, (uint64_t)off + RF_HDR + len, 1))
		return -GB_ECORRUPT;
	h->name = (const char *)nm;
	h->name_len = len;
	padded = (len + 1 + 15) & ~(size_t)15;
	h->data = (uint64_t)off + RF_HDR + padded;
	if (check && gb_span_has(f->in, off, RF_HDR + padded) && rf_sum(b, RF_HDR + padded) != 0)
		rf_bad(f, &f->bad_sum, off);
	return 0;
}

/* Mark the header at off visited; false when it was already. */
static bool rf_visit(struct rf *f, uint32_t off)
{
	uint64_t slot = off / 16;

	if (f->seen[slot / 8] & (1u << (slot % 8)))
		return false;
	f->seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
	return true;
}

static uint32_t rf_mode(const struct rf_hdr *h)
{
	switch (h->type) {
	case RF_DIR:
		return 0644 | (h->exec ? 0111 : 0);
	case RF_SYMLINK:
		return 0777;
	case RF_BLKDEV:
	case RF_CHRDEV:
		return 0600 | (h->exec ? 0111 : 0);
	default:
		return 0644 | (h->exec ? 0111 : 0);
	}
}

static int rf_write_file(struct rf *f, const struct rf_hdr *h, const char *path)
{
	struct gb_entry e = {.path = path, .type = GB_FT_FILE, .mode = rf_mode(h), .size = h->size};
	struct gb_wfile *w;
	uint64_t avail = f->in->n > h->data ? f->in->n - h->data : 0;
	size_t n = h->size <= avail ? h->size : (size_t)avail;
	int r, st = 0;

	r = gb_unpack_file_begin(f->u, &e, &w);
	if (r < 0)
		return r;
	if (n)
		st = gb_wfile_write(w, f->in->p + h->data, n);
	if (st == 0 && n < h->size) {
		gb_unpack_warn(f->u, "%s: data runs past the end of the image (%u of %u bytes)", path,
			       (unsigned)n, h->size);
		st = -GB_ETRUNC;
	}
	r = gb_unpack_file_end(f->u, w, st);
	if (st == -GB_ELIMIT || st == -GB_EIO)
		return st;
	return gb_fs_fatal(r) ? r : 0;
}

static int rf_emit_symlink(struct rf *f, const struct rf_hdr *h, struct gb_entry *e)
{
	char target[RF_MAX_TARGET + 1];
	const uint8_t *d = gb_span_at(f->in, h->data, h->size);
	size_t n;

	if (!d || h->size == 0 || h->size > RF_MAX_TARGET) {
		gb_unpack_warn(f->u, "%s: symlink target at 0x%llx unreadable (size %u)", e->path,
			       (unsigned long long)h->data, h->size);
		return 0;
	}
	n = strnlen((const char *)d, h->size);
	memcpy(target, d, n);
	target[n] = 0;
	if (n == 0) {
		gb_unpack_warn(f->u, "%s: empty symlink target", e->path);
		return 0;
	}
	e->target = target;
	return gb_unpack_entry(f->u, e);
}

struct rf_frame {
	uint32_t next;      /* next header of this directory, 0 at the end */
	size_t plen;
};

/* One entry: emit it, queue hard links. *ret_dir gets the first header of a
 * directory to descend into (0: none). */
static int rf_emit(struct rf *f, const struct rf_hdr *h, const char *path, uint32_t *ret_dir)
{
	struct gb_entry e = {.path = path, .mode = rf_mode(h)};
	size_t poff;
	int r;

	*ret_dir = 0;
	switch (h->type) {
	case RF_HARDLINK:
		r = rf_add_path(f, path, &poff);
		if (r < 0)
			return r;
		r = gb_grow((void **)&f->links, &f->cap_links, f->n_links + 1, sizeof(*f->links));
		if (r < 0)
			return r;
		f->links[f->n_links].path = poff;
		f->links[f->n_links++].target = h->spec;
		return 0;
	case RF_DIR:
		e.type = GB_FT_DIR;
		*ret_dir = h->spec;
		return gb_unpack_entry(f->u, &e);
	case RF_FILE:
		r = rf_add_path(f, path, &poff);
		if (r < 0)
			return r;
		r = gb_grow((void **)&f->files, &f->cap_files, f->n_files + 1, sizeof(*f->files));
		if (r < 0)
			return r;
		f->files[f->n_files].off = h->off;
		f->files[f->n_files++].path = poff;
		return rf_write_file(f, h, path);
	case RF_SYMLINK:
		e.type = GB_FT_SYMLINK;
		return rf_emit_symlink(f, h, &e);
	case RF_BLKDEV:
	case RF_CHRDEV:
		e.type = h->type == RF_BLKDEV ? GB_FT_BLOCKDEV : GB_FT_CHARDEV;
		e.major = h->spec >> 16;
		e.minor = h->spec & 0xffff;
		return gb_unpack_entry(f->u, &e);
	case RF_SOCKET:
		e.type = GB_FT_SOCKET;
		return gb_unpack_entry(f->u, &e);
	default:
		e.type = GB_FT_FIFO;
		return gb_unpack_entry(f->u, &e);
	}
}

static bool rf_dot(const struct rf_hdr *h)
{
	return (h->name_len == 1 && h->name[0] == '.') ||
	       (h->name_len == 2 && h->name[0] == '.' && h->name[1] == '.');
}

/* Depth-first walk from the root's first header. */
static int rf_walk(struct rf *f, uint32_t root)
{
	struct rf_frame *st = calloc(RF_MAX_DEPTH, sizeof(*st));
	char *path = malloc(RF_MAX_PATH + 1);
	unsigned depth = 1;
	int r = 0;

	if (!st || !path) {
		free(st);
		free(path);
		return -GB_ENOMEM;
	}
	st[0].next = root;
	st[0].plen = 0;
	path[0] = 0;
	while (depth && r == 0) {
		struct rf_frame *fr = &st[depth - 1];
		struct rf_hdr h;
		uint32_t off = fr->next, sub;

		if (off == 0) {
			depth--;
			continue;
		}
		fr->next = 0;
		if (off % 16 || off >= f->in->n) {
			rf_bad(f, &f->bad_hdr, off);
			continue;
		}
		if (!rf_visit(f, off))
			continue; /* a loop: this chain was walked already */
		if (rf_read_hdr(f, off, &h, true) < 0) {
			rf_bad(f, &f->bad_hdr, off);
			continue;
		}
		fr->next = h.next;
		if (rf_dot(&h) || h.name_len == 0)
			continue;
		if (++f->count > gb_unpack_limits(f->u)->max_entries) {
			if (!f->limit_warned)
				gb_unpack_warn(f->u, "too many entries: the rest is ignored");
			f->limit_warned = true;
			break;
		}
		if (fr->plen + 1 + h.name_len > RF_MAX_PATH) {
			gb_unpack_warn(f->u, "path longer than %u bytes skipped", RF_MAX_PATH);
			continue;
		}
		size_t len = fr->plen;
		path[len++] = '/';
		memcpy(path + len, h.name, h.name_len);
		len += h.name_len;
		path[len] = 0;
		r = rf_emit(f, &h, path, &sub);
		if (r < 0 || !sub)
			continue;
		if (depth == RF_MAX_DEPTH) {
			gb_unpack_warn(f->u, "%s: directory depth limit (%u) reached", path, RF_MAX_DEPTH);
			continue;
		}
		st[depth].next = sub;
		st[depth].plen = len;
		depth++;
	}
	free(st);
	free(path);
	return r;
}

static int rf_cmp_file(const void *a, const void *b)
{
	const struct rf_file *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static const struct rf_file *rf_find_file(const struct rf *f, uint32_t off)
{
	size_t lo = GB_LOWER_BOUND(f->files, f->n_files, off, off);

	return lo < f->n_files && f->files[lo].off == off ? &f->files[lo] : NULL;
}

/* A hard link: to a file emitted during the walk, a hard link to a hard link
 * (followed), or a file that no directory lists (written under the link's
 * name). Links to directories ("." and ".." under other names) are dropped. */
static int rf_emit_link(struct rf *f, const struct rf_link *l)
{
	const char *path = f->paths + l->path;
	uint32_t target = l->target;
	struct rf_hdr h;

	for (unsigned hop = 0; hop < RF_LINK_HOPS; hop++) {
		const struct rf_file *t = rf_find_file(f, target);
		if (t) {
			struct gb_entry e = {
				.path = path,
				.type = GB_FT_HARDLINK,
				.target = f->paths + t->path,
			};
			if (rf_read_hdr(f, t->off, &h, false) == 0) {
				e.mode = rf_mode(&h);
				e.size = h.size;
			}
			return gb_unpack_entry(f->u, &e);
		}
		if (rf_read_hdr(f, target, &h, false) < 0)
			break;
		if (h.type == RF_HARDLINK) {
			target = h.spec;
			continue;
		}
		if (h.type == RF_FILE)
			return rf_write_file(f, &h, path);
		if (h.type != RF_DIR) {
			/* a link to a symlink or device: record it as that entry */
			uint32_t sub;
			return rf_emit(f, &h, path, &sub);
		}
		return 0;
	}
	gb_unpack_warn(f->u, "%s: hard link to 0x%x does not resolve", path, l->target);
	return 0;
}

static void rf_report(struct rf *f)
{
	if (f->bad_hdr)
		gb_unpack_warn(f->u, "%u unreadable file header(s) skipped (first at 0x%llx)",
			       f->bad_hdr, (unsigned long long)f->first_bad);
	if (f->bad_sum)
		gb_unpack_warn(f->u, "%u file header(s) with a bad checksum (first at 0x%llx)",
			       f->bad_sum, (unsigned long long)f->first_bad);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct rf f = {.u = u, .in = in};
	uint64_t full, root;
	size_t vlen = 0;
	int r;

	(void)p;
	if (in->n < 32)
		return gb_unpack_fail(u, -GB_ECORRUPT, "romfs superblock no longer valid");
	full = gb_be32(in->p + 8);
	if (full > in->n)
		gb_unpack_warn(u, "full_size %llu runs past the end of the data (%zu bytes): truncated",
			       (unsigned long long)full, in->n);
	while (16 + vlen < in->n && vlen < RF_MAX_NAME && in->p[16 + vlen])
		vlen++;
	root = 16 + ((vlen + 1 + 15) & ~(uint64_t)15);
	if (root >= in->n)
		return gb_unpack_fail(u, -GB_ECORRUPT, "no file header after the volume name");
	f.seen = calloc(in->n / 16 / 8 + 1, 1);
	if (!f.seen)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	r = rf_walk(&f, (uint32_t)root);
	gb_qsort(f.files, f.n_files, sizeof(*f.files), rf_cmp_file);
	for (size_t i = 0; r == 0 && i < f.n_links; i++)
		r = rf_emit_link(&f, &f.links[i]);
	rf_report(&f);
	free(f.seen);
	free(f.paths);
	free(f.links);
	free(f.files);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {GB_MAGIC(RF_MAGIC, 0)};

const struct gb_format gb__fmt_romfs = {
	.name = "romfs",
	.description = "Linux romfs (genromfs; uClinux, IP cameras)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
