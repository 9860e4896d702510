#!/usr/bin/python3
"""End-to-end: every standard corpus profile (../shared/corpus/profiles/*.profile).

For each profile the image is built with mkfw into the corpus cache (reused while a stamp
records the same profile, mkfw and mkfw lib/ digests), scanned with `glassbox scan IMG -o TMP
--json`, and report.json is compared with the generator's truth.json: input digest and size,
the container node, a node at the rootfs offset, the rootfs node's format, and EVERY rootfs
entry (path, type, mode, uid/gid, sha256, symlink target, device numbers), then the extracted
files' contents on disk. A filesystem glassbox cannot read yet is a failure, not a skip.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402


def main():
    shared = gb.require_shared()
    gb.glassbox()
    res = gb.Results('test_profiles: corpus profiles vs truth.json')
    cache = gb.cache_dir()
    profiles = sorted(glob.glob(os.path.join(shared, 'corpus', 'profiles', '*.profile')))
    if not profiles:
        res.check('profiles present', False, 'no profiles in %s/corpus/profiles' % shared)
    for p in profiles:
        if gb.selected(os.path.basename(p)):
            gb.run_profile(res, shared, p, cache)
    res.finish()


if __name__ == '__main__':
    main()
