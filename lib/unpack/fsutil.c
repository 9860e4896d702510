/* The directory walk shared by the filesystems that keep their tree as an
 * array of entries sorted by parent (fsutil.h). Iterative: the stack is
 * GB_FS_MAX_DEPTH frames, the path one GB_FS_MAX_PATH buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

void gb_fs_limit_warn(struct gb_unpack *u, bool *warned, const char *what)
{
	if (*warned)
		return;
	*warned = true;
	gb_unpack_warn(u, "too many %s: the rest of the filesystem is ignored", what);
}

struct frame {
	size_t next;   /* next entry index */
	uint64_t parent;
	size_t plen;   /* path length before this directory's children */
};

int gb_fs_walk_tree(const struct gb_fs_tree *t, uint64_t root)
{
	struct frame *st = calloc(GB_FS_MAX_DEPTH, sizeof(*st));
	char *path = malloc(GB_FS_MAX_PATH + 1);
	unsigned depth = 1;
	size_t count = 0;
	int r = 0;

	if (!st || !path) {
		free(st);
		free(path);
		return -GB_ENOMEM;
	}
	st[0] = (struct frame){t->first(t->ctx, root), root, 0};
	while (depth && r == 0) {
		struct frame *fr = &st[depth - 1];
		const uint8_t *name;
		size_t i, nlen, len;
		bool descend;

		if (fr->next >= t->n || t->parent(t->ctx, fr->next) != fr->parent) {
			depth--;
			continue;
		}
		i = fr->next++;
		if (++count > gb_unpack_limits(t->u)->max_entries) {
			gb_fs_limit_warn(t->u, t->limit_warned, "entries");
			break;
		}
		name = t->name(t->ctx, i, &nlen);
		if (fr->plen + 1 + nlen > GB_FS_MAX_PATH) {
			gb_unpack_warn(t->u, "path longer than %u bytes skipped", GB_FS_MAX_PATH);
			continue;
		}
		len = fr->plen;
		if (len)
			path[len++] = '/';
		memcpy(path + len, name, nlen);
		len += nlen;
		path[len] = 0;
		r = t->emit(t->ctx, i, path, len, &descend);
		if (r < 0 || !descend)
			continue;
		if (depth == GB_FS_MAX_DEPTH) {
			gb_unpack_warn(t->u, "%s: directory depth limit (%u) reached", path,
				       GB_FS_MAX_DEPTH);
			continue;
		}
		st[depth++] = (struct frame){t->first(t->ctx, t->ino(t->ctx, i)), t->ino(t->ctx, i), len};
	}
	free(st);
	free(path);
	return r;
}
