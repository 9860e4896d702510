#!/usr/bin/python3
"""End-to-end: the extra corpus profiles (../shared/corpus/profiles/extra/*.profile).

The same checks as test_profiles.py (every rootfs entry against truth.json) on the filesystems
and containers of the extra profiles: UBI/UBIFS, cramfs, JFFS2 little-endian without a
container, squashfs lz4/lzo in FIT/TRX, tar.gz concatenated. Any mismatch fails.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402


def main():
    shared = gb.require_shared()
    gb.glassbox()
    res = gb.Results('test_profiles_extra: extra corpus profiles vs truth.json')
    cache = gb.cache_dir()
    profiles = sorted(glob.glob(os.path.join(shared, 'corpus', 'profiles', 'extra', '*.profile')))
    if not profiles:
        res.skip('extra profiles', 'none in %s/corpus/profiles/extra' % shared)
    for p in profiles:
        if not gb.selected(os.path.basename(p)):
            continue
        gb.run_profile(res, shared, p, cache)
    res.finish()


if __name__ == '__main__':
    main()
