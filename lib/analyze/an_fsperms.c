/* fsperms: what the recorded modes say.
 *
 * Rules: fs.setuid, fs.setgid (regular files with those bits), fs.world-writable
 * (files and directories writable by everyone; sticky directories such as
 * /tmp are excluded, as truth.json's scan facts do), fs.device-node (device
 * nodes shipped in a filesystem image). Only the inventory is read: the bits
 * were never put on disk. */
#include <stdio.h>

#include <glassbox/sys/analyzer.h>

static bool wants(void *state, const struct gb_afile *f)
{
	return true;
}

static json_t *mode_details(const struct gb_file *f)
{
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", f->mode & 07777);
	return json_pack("{s:s, s:i, s:i}", "mode", mode, "uid", (json_int_t)f->uid, "gid", (json_int_t)f->gid);
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	const struct gb_file *f = af->file;
	bool reg = f->type == GB_FT_FILE || f->type == GB_FT_HARDLINK;

	if (reg && (f->mode & 04000))
		gb_aout_finding(out, "fs.setuid", f->uid == 0 ? GB_SEV_MEDIUM : GB_SEV_LOW, f, 0, -1,
				mode_details(f), "%s is setuid (runs as uid %u)", f->path, f->uid);
	if (reg && (f->mode & 02000))
		gb_aout_finding(out, "fs.setgid", GB_SEV_LOW, f, 0, -1, mode_details(f),
				"%s is setgid (runs as gid %u)", f->path, f->gid);
	if ((reg || f->type == GB_FT_DIR) && (f->mode & 0002) && !(f->type == GB_FT_DIR && (f->mode & 01000)))
		gb_aout_finding(out, "fs.world-writable", GB_SEV_MEDIUM, f, 0, -1, mode_details(f),
				"%s %s is writable by every user", f->type == GB_FT_DIR ? "directory" : "file", f->path);
	if (f->type == GB_FT_CHARDEV || f->type == GB_FT_BLOCKDEV) {
		json_t *d = mode_details(f);
		json_object_set_new(d, "device", json_string(f->type == GB_FT_CHARDEV ? "char" : "block"));
		json_object_set_new(d, "major", json_integer(f->major));
		json_object_set_new(d, "minor", json_integer(f->minor));
		gb_aout_finding(out, "fs.device-node", GB_SEV_INFO, f, 0, -1, d, "%s is a %s device node %u:%u",
				f->path, f->type == GB_FT_CHARDEV ? "character" : "block", f->major, f->minor);
	}
	return 0;
}

const struct gb_analyzer gb__an_fsperms = {
	.name = "fsperms",
	.description = "setuid/setgid files, world-writable paths, device nodes",
	.wants = wants,
	.run = run,
};
