#!/usr/bin/python3
"""End-to-end: glassbox against the hostile set of ../shared/corpus/mkhostile.

mkhostile writes its artifacts and hostile.json into the corpus cache (rebuilt when its stamp
of mkhostile/mkfw/lib digests changes). For every artifact:

  * a fresh temp parent P holds OUTDIR (P/out) and a canary directory (P/canary) beside it;
    the scan runs with cwd=P; the global canary file named in hostile.json is created with
    known content before the scan;
  * the scan must finish within the timeout, without a signal, with exit 0 and a report.json
    that parses (strict UTF-8 JSON);
  * nothing outside OUTDIR may change: P and the canary directory are listed before and after,
    /tmp and / are searched for names carrying the escape marker, the canary file keeps its
    content and link count, /etc/passwd and /etc/shadow keep theirs, and no file in OUTDIR
    shares an inode with them;
  * OUTDIR holds no device node and no setuid/setgid file, every files[].disk path lies inside
    OUTDIR, and no child of the input claims bytes past the end of the input;
  * then the artifact's own `expect` is checked (see EXPECT below).
"""
import json
import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402

# seconds per case; a sanitizer build (make test-asan sets ASAN_OPTIONS) runs 2-5 times
# slower, so its bound is three times as long
TIMEOUT = int(os.environ.get('GB_HOSTILE_TIMEOUT', '120')) * (3 if 'ASAN_OPTIONS' in os.environ else 1)
MAX_OUT_BYTES = 3 << 30                  # "bounded": du of OUTDIR below 3 GiB
CANARY_CONTENT = b'glassbox e2e canary: must never change\n'
LIMIT_RE = re.compile(r'limit|ratio|too (large|big|many|deep)|exceed|bomb|maximum|max[-_ ]',
                      re.I)
DEPTH_RE = re.compile(r'depth|nest|recurs', re.I)
PROTECTED = ['/etc/passwd', '/etc/shadow']
# artifacts whose format belongs to a later issue: a missing node of that format is an
# expected failure (the safety checks still count)
LATER = {'ubi-truncated.ubi': ('ubi/ubifs', ('ubi', 'ubifs'))}


def snapshot_tree(root, skip=None):
    """{relative path: (type, size, mode, mtime_ns, link target)} of root, not following links."""
    snap = {}
    for dp, dn, fn in os.walk(root):
        if skip and os.path.abspath(dp) == os.path.abspath(os.path.dirname(skip)):
            dn[:] = [d for d in dn if os.path.join(dp, d) != skip]
        for n in dn + fn:
            p = os.path.join(dp, n)
            if skip and p == skip:
                continue
            try:
                st = os.lstat(p)
            except OSError:
                continue
            tgt = os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            snap[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_size,
                                              stat.S_IMODE(st.st_mode), st.st_mtime_ns, tgt)
    return snap


def marker_snapshot(marker, extra_roots):
    """Entries whose name carries the marker: in /tmp (two levels), in / and below extra_roots."""
    found = {}

    def add(p):
        try:
            st = os.lstat(p)
            found[p] = (st.st_size, st.st_mtime_ns)
        except OSError:
            pass
    for top in ('/tmp', '/'):
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for n in names:
            p = os.path.join(top, n)
            if marker in n:
                add(p)
            elif top == '/tmp' and os.path.isdir(p) and not os.path.islink(p):
                try:
                    for m in os.listdir(p):
                        if marker in m:
                            add(os.path.join(p, m))
                except OSError:
                    pass
    for r in extra_roots:
        for dp, dn, fn in os.walk(r):
            for n in dn + fn:
                if marker in n:
                    add(os.path.join(dp, n))
    return found


def file_state(p):
    try:
        st = os.lstat(p)
        return (st.st_dev, st.st_ino, st.st_nlink, gb.file_sha256(p))
    except OSError:
        return None


def walk_out(outdir):
    """(special files, setid files, inode set) under outdir."""
    special, setid, inodes = [], [], {}
    for dp, dn, fn in os.walk(outdir):
        for n in dn + fn:
            p = os.path.join(dp, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            m = st.st_mode
            if stat.S_ISCHR(m) or stat.S_ISBLK(m):
                special.append(os.path.relpath(p, outdir))
            if not stat.S_ISLNK(m) and m & (stat.S_ISUID | stat.S_ISGID) and not stat.S_ISDIR(m):
                setid.append('%s %04o' % (os.path.relpath(p, outdir), stat.S_IMODE(m)))
            if stat.S_ISREG(m):
                inodes[(st.st_dev, st.st_ino)] = os.path.relpath(p, outdir)
    return special, setid, inodes


def fifo_count(outdir):
    c = 0
    for dp, dn, fn in os.walk(outdir):
        for n in fn:
            try:
                if stat.S_ISFIFO(os.lstat(os.path.join(dp, n)).st_mode):
                    c += 1
            except OSError:
                pass
    return c


def errored(rep, fmts=None, regex=None):
    """Nodes with status error/partial and a message (optionally of formats, matching regex)."""
    res = []
    for n in rep.nodes.values():
        if fmts and n.get('format') not in fmts:
            continue
        if n.get('status') in ('error', 'partial') and n.get('error'):
            if regex is None or regex.search(n.get('error') or ''):
                res.append(n)
    return res


def noted_files(rep, regex=None):
    return [f for f in rep.files() if f.get('note') and (regex is None or regex.search(f['note']))]


def traversal_entries(rep, files, marker):
    """(entries carrying the marker, offending descriptions, stripped absolute entries).

    The marker names say how a member tried to escape: *_absolute members may be kept with
    the leading '/' stripped (inside OUTDIR); every other one (../, ..\\, through a symlink)
    must be absent or carry a note."""
    trav = [f for f in files if marker in (f.get('path') or '')]
    bad, stripped = [], []
    for f in trav:
        p = f.get('path') or ''
        if f.get('note'):
            continue
        if 'absolute' in p.rsplit('/', 1)[-1] and (not f.get('disk') or
                                                   gb.inside(rep.outdir, rep.disk(f))):
            stripped.append(f)
            continue
        bad.append('%s (type %s, disk %s) has no note' % (gb.esc(p, 90), f.get('type'),
                                                          gb.esc(f.get('disk'), 60)))
    return trav, bad, stripped


# ------------------------------------------------------------------------- expectations
def exp_skip_entry_or_refuse(res, a, rep, label, ctx):
    marker = a.get('escape_marker') or ctx['marker']
    for m in a.get('safe_members') or []:
        want = gb.norm_path(m)
        hits = [f for f in rep.files() if gb.norm_path(f.get('path')) == want]
        ok = bool(hits) and any(rep.disk(f) and os.path.isfile(rep.disk(f)) for f in hits)
        res.check('%s: safe member %s extracted' % (label, m), ok,
                  'in report %d time(s)%s' % (len(hits), '' if ok or not hits else
                                              ', not on disk'))
    trav, bad, stripped = traversal_entries(rep, rep.files(), marker)
    res.check('%s: traversal entries absent or noted' % label, not bad,
              '%d marker entries in report, %d with a note' % (
                  len(trav), sum(1 for f in trav if f.get('note'))),
              lines=bad[:6] + ['note: %s' % gb.esc(f.get('note'), 100) for f in trav[:3]
                               if f.get('note')])
    for f in stripped:
        res.note('%s: absolute member kept inside OUTDIR without a note: %s -> %s' % (
            label, gb.esc(f.get('path'), 80), gb.esc(f.get('disk'), 80)))
    if a.get('devices'):
        want = {}
        for d in a['devices']:
            path, kind, ma, mi = d.split()
            want[gb.norm_path(path)] = ('chardev' if kind == 'c' else 'blockdev', int(ma), int(mi))
        got = {gb.norm_path(f.get('path')): f for f in rep.files()}
        mis = []
        for p, (t, ma, mi) in want.items():
            f = got.get(p)
            if not f or f.get('type') != t or f.get('major') != ma or f.get('minor') != mi:
                mis.append('%s: want %s %d:%d, report %s' % (
                    p, t, ma, mi, 'missing' if not f else '%s %s:%s' % (
                        f.get('type'), f.get('major'), f.get('minor'))))
        res.check('%s: device nodes recorded (type, major:minor)' % label, not mis,
                  '%d devices' % len(want), lines=mis)
    if a.get('special_bits'):
        got = {gb.norm_path(f.get('path')): f for f in rep.files()}
        mis = []
        for sb in a['special_bits']:
            path, mode = sb.split()
            f = got.get(gb.norm_path(path))
            if not f or gb.norm_mode(f.get('mode')) != mode:
                mis.append('%s: want mode %s, report %s' % (path, mode,
                                                            f.get('mode') if f else 'missing'))
        res.check('%s: setuid/setgid bits recorded in the report' % label, not mis,
                  ', '.join(a['special_bits']), lines=mis)


def exp_strip_leading_slash_or_skip(res, a, rep, label, ctx):
    marker = a.get('escape_marker') or ctx['marker']
    hits = [f for f in rep.files() if gb.norm_path(f.get('path')) == '/ok.txt']
    res.check('%s: ok.txt extracted' % label,
              any(rep.disk(f) and os.path.isfile(rep.disk(f)) for f in hits),
              '%d entries' % len(hits))
    trav = [f for f in rep.files() if marker in (f.get('path') or '')]
    bad = [f for f in trav if f.get('disk') and not gb.inside(rep.outdir, rep.disk(f))]
    res.check('%s: absolute member stripped inside OUTDIR or skipped' % label, not bad,
              '; '.join('%s -> disk %s' % (gb.esc(f.get('path'), 80), gb.esc(f.get('disk'), 80))
                        for f in trav) or 'absent')


def exp_never_follow_symlinks(res, a, rep, label, ctx):
    marker = a.get('escape_marker') or ctx['marker']
    links = {gb.norm_path(f.get('path')): f for f in rep.files() if f.get('type') == 'symlink'}
    want = {'/link': '../../../../../../../../tmp', '/abs': '/tmp'}
    mis = []
    for p, t in want.items():
        f = links.get(p)
        if f is None:
            mis.append('%s: not recorded as a symlink' % p)
        elif f.get('target') != t:
            mis.append('%s: target %s, want %s' % (p, gb.esc(f.get('target')), t))
    res.check('%s: symlinks recorded with verbatim targets' % label, not mis, lines=mis)
    through = [f for f in rep.files() if marker in (f.get('path') or '')]
    bad = [f for f in through if f.get('disk') and not f.get('note')]
    res.check('%s: members written through a symlink skipped or noted' % label, not bad,
              '%d such entries in the report' % len(through),
              lines=['%s disk=%s' % (gb.esc(f.get('path')), gb.esc(f.get('disk'))) for f in bad])


def exp_refuse_link_outside(res, a, rep, label, ctx):
    # the inode and canary checks are done for every artifact; here: what the report says
    hl = [f for f in rep.files() if f.get('type') == 'hardlink']
    outside = [f for f in hl if (f.get('target') or '').startswith('/') or
               '..' in (f.get('target') or '').split('/')]
    bad = [f for f in outside if f.get('disk') and not f.get('note')]
    res.check('%s: hard links to outside targets refused or noted' % label, not bad,
              '%d hardlink entries, %d with outside targets' % (len(hl), len(outside)),
              lines=['%s -> %s disk=%s' % (gb.esc(f.get('path')), gb.esc(f.get('target')),
                                           gb.esc(f.get('disk'))) for f in bad])


def exp_keep_symlinks_unresolved(res, a, rep, label, ctx):
    links = {gb.norm_path(f.get('path')): f for f in rep.files() if f.get('type') == 'symlink'}
    mis, ondisk = [], 0
    for p, t in sorted((a.get('symlinks') or {}).items()):
        f = links.get(gb.norm_path(p))
        if f is None:
            mis.append('%s: not recorded as a symlink' % p)
            continue
        if f.get('target') != t:
            mis.append('%s: target %s, want %s' % (p, gb.esc(f.get('target')), gb.esc(t)))
        d = rep.disk(f)
        if d:
            if not os.path.islink(d):
                mis.append('%s: on disk %s is not a symlink (resolved?)' % (p, gb.esc(f['disk'])))
            elif os.readlink(d) != t:
                mis.append('%s: on disk -> %s, want %s' % (p, gb.esc(os.readlink(d)), gb.esc(t)))
            else:
                ondisk += 1
    res.check('%s: symlinks recorded verbatim, never resolved' % label, not mis,
              '%d symlinks, %d created on disk as symlinks' % (len(a.get('symlinks') or {}),
                                                               ondisk), lines=mis)
    motd = [f for f in rep.files() if gb.norm_path(f.get('path')) == '/etc/motd']
    res.check('%s: regular file /etc/motd extracted' % label,
              any(rep.disk(f) and os.path.isfile(rep.disk(f)) for f in motd))


def exp_refuse_with_error(res, a, rep, label, ctx):
    e = errored(rep)
    e = [n for n in e if n.get('status') == 'error'] or e
    res.check('%s: a node has status error with a message' % label,
              any(n.get('status') == 'error' for n in e),
              '; '.join(rep.describe(n) for n in e[:3]) or 'none',
              lines=rep.tree_lines(8) if not e else [])
    res.check('%s: no huge allocation (peak RSS < 1 GiB)' % label,
              ctx['run'].maxrss_kib < (1 << 20), '%d MiB' % (ctx['run'].maxrss_kib // 1024))


def exp_partial_or_error(res, a, rep, label, ctx):
    later = LATER.get(a['file'])
    e = errored(rep)
    xf = None
    if later and not rep.of_format(later[1]):
        xf = '%s is a later issue (no %s node)' % (later[0], '/'.join(later[1]))
    res.check('%s: a node reports partial or error with a message' % label, bool(e),
              '; '.join(rep.describe(n) for n in e[:3]) or 'none', xfail=xf,
              lines=rep.tree_lines(8) if not e else [])


def exp_refuse_or_clamp_with_error(res, a, rep, label, ctx):
    fmt = 'uimage' if a['file'].startswith('uimage') else 'trx'
    nodes = rep.of_format(fmt)
    bad = [n for n in nodes if n.get('status') == 'ok' or not n.get('error')]
    res.check('%s: %s refused (no node) or reported partial/error' % (label, fmt), not bad,
              '; '.join(rep.describe(n) for n in nodes) or 'no %s node (refused)' % fmt)


def exp_refuse_or_skip_partition(res, a, rep, label, ctx):
    size = a['size']
    beyond = [n for n in rep.nodes.values() if n.get('parent') is not None and
              rep.abs_offset(n) is not None and rep.abs_offset(n) >= size]
    res.check('%s: no partition node past EOF' % label, not beyond,
              '; '.join(rep.describe(n) for n in beyond) or
              '%d nodes, trx: %s' % (len(rep.nodes), '; '.join(
                  rep.describe(n) for n in rep.of_format('trx')) or 'none'))


def exp_report_malformed_no_crash(res, a, rep, label, ctx):
    elf = rep.of_format('elf')
    res.note('%s: elf nodes: %s; files: %d' % (
        label, '; '.join(rep.describe(n) for n in elf) or 'none', len(rep.files())))


def exp_escape_or_skip(res, a, rep, label, ctx):
    names = [bytes.fromhex(h) for h in a.get('names') or []]
    long_ = [n for n in names if any(len(c) > 255 for c in n.split(b'/'))]
    if long_:
        bad = []
        for f in rep.files():
            p = (f.get('path') or '').encode('utf-8', 'surrogateescape')
            if any(len(c) > 255 for c in p.split(b'/')) and not f.get('note') and f.get('disk'):
                bad.append(gb.esc(f.get('path'), 60))
        res.check('%s: over-long names skipped, shortened or noted' % label, not bad,
                  '%d entries in report' % len(rep.files()), lines=bad[:3])
    on_disk = sum(1 for f in rep.files() if f.get('disk'))
    res.note('%s: %d file entries, %d on disk, %d with a note' % (
        label, len(rep.files()), on_disk, len(noted_files(rep))))


def exp_entry_limit(res, a, rep, label, ctx):
    n = len(rep.files())
    lim = errored(rep, regex=LIMIT_RE)
    complete = n >= a.get('entries', 0)
    res.check('%s: completed (%d entries) or stopped at an entry limit' % (label, n),
              complete or bool(lim), '; '.join(rep.describe(x) for x in lim[:2]) or
              '%.1fs' % ctx['run'].elapsed)


def exp_refuse_or_cap_size(res, a, rep, label, ctx):
    used, biggest, _ = ctx['du']
    res.check('%s: nothing near 1 TiB written (allocated %d MiB, largest file %d MiB)' % (
        label, used >> 20, biggest >> 20), used < MAX_OUT_BYTES and biggest < (4 << 30))
    lim = errored(rep) + noted_files(rep)
    res.note('%s: errors/notes: %s' % (label, '; '.join(
        rep.describe(x) if 'format' in x else '%s: %s' % (gb.esc(x.get('path')),
                                                          gb.esc(x.get('note')))
        for x in lim[:3]) or 'none'))


def exp_size_limit(res, a, rep, label, ctx):
    used, biggest, _ = ctx['du']
    lim = errored(rep, regex=LIMIT_RE)
    res.check('%s: a node stops at a size/ratio limit' % label, bool(lim),
              '; '.join(rep.describe(n) for n in lim[:2]) or 'none; nodes: %s' % '; '.join(
                  rep.describe(n) for n in list(rep.nodes.values())[:4]))
    res.check('%s: output bounded (du %d MiB < 3 GiB)' % (label, used >> 20),
              used < MAX_OUT_BYTES)


def exp_depth_limit(res, a, rep, label, ctx):
    lim = errored(rep, regex=DEPTH_RE)
    depth = max((n.get('depth') or 0 for n in rep.nodes.values()), default=0)
    res.check('%s: a node stops at the depth limit' % label, bool(lim),
              '; '.join(rep.describe(n) for n in lim[:2]) or 'none (max depth %d)' % depth)
    res.check('%s: recursion bounded (max node depth %d < %d)' % (label, depth, a.get('depth', 64)),
              depth < a.get('depth', 64))


def exp_fw_with_hostile(res, a, rep, label, ctx):
    truth = json.load(open(os.path.join(ctx['dir'], a['truth'])))
    node = gb.check_against_truth(res, label, rep, truth, ctx['run'])
    used, biggest, _ = ctx['du']
    res.check('%s: output bounded (du %d MiB < 3 GiB)' % (label, used >> 20),
              used < MAX_OUT_BYTES)
    for n in a.get('nested') or []:
        p = n['path']
        if n['kind'] == 'symlink-escape':
            f = rep.path_map(node['id']).get(gb.norm_path(p)) if node else None
            ok = f is not None and f.get('type') == 'symlink' and f.get('target') == n['note']
            d = rep.disk(f) if f else None
            if ok and d:
                ok = os.path.islink(d) and os.readlink(d) == n['note']
            res.check('%s: %s kept as symlink -> %s' % (label, p, gb.esc(n['note'], 60)), ok,
                      'report: %s' % ('missing' if f is None else '%s -> %s, disk %s' % (
                          f.get('type'), gb.esc(f.get('target'), 60), gb.esc(f.get('disk'), 60))))
            continue
        carved = [x for x in rep.nodes.values()
                  if x.get('source_path') and gb.norm_path(x['source_path']) == gb.norm_path(p)]
        if n['note'].startswith('gzip-bomb'):
            lim = [x for x in carved for y in rep.subtree(x)
                   if y.get('status') in ('error', 'partial') and LIMIT_RE.search(y.get('error') or '')]
            res.check('%s: nested %s (%s) stopped at a limit' % (label, p, n['note']), bool(lim),
                      '; '.join(rep.describe(x) for x in (lim or carved)[:2]) or 'not scanned')
        else:
            res.check('%s: nested %s (%s) scanned' % (label, p, n['note']), bool(carved),
                      '; '.join(rep.describe(x) for x in carved[:2]) or 'no node carved from it')
            if carved:
                marker = ctx['marker']
                sub = [y['id'] for x in carved for y in rep.subtree(x)]
                trav, bad, stripped = traversal_entries(rep, rep.files(sub), marker)
                res.check('%s: nested %s traversal entries absent or noted' % (label, p), not bad,
                          '%d marker entries, %d with a note, %d absolute kept inside' % (
                              len(trav), sum(1 for f in trav if f.get('note')), len(stripped)),
                          lines=bad[:4])


EXPECT = {
    'skip-entry-or-refuse': exp_skip_entry_or_refuse,
    'strip-leading-slash-or-skip': exp_strip_leading_slash_or_skip,
    'never-follow-archive-symlinks-when-writing': exp_never_follow_symlinks,
    'refuse-link-outside': exp_refuse_link_outside,
    'keep-symlinks-unresolved': exp_keep_symlinks_unresolved,
    'refuse-with-error': exp_refuse_with_error,
    'partial-or-error': exp_partial_or_error,
    'refuse-or-clamp-with-error': exp_refuse_or_clamp_with_error,
    'refuse-or-skip-partition': exp_refuse_or_skip_partition,
    'report-malformed-no-crash': exp_report_malformed_no_crash,
    'escape-or-skip-without-crash': exp_escape_or_skip,
    'enforce-entry-limit-or-complete-in-bounded-time': exp_entry_limit,
    'refuse-or-cap-size': exp_refuse_or_cap_size,
    'stop-at-size-or-ratio-limit': exp_size_limit,
    'stop-at-depth-limit': exp_depth_limit,
    'extract-firmware-and-contain-nested-hostiles': exp_fw_with_hostile,
}


def run_case(res, hdir, manifest, a):
    label = a['file']
    marker = a.get('escape_marker') or manifest.get('escape_marker') or 'MKHOSTILE_ESCAPE'
    canary_file = a.get('canary_file') or manifest.get('canary_file')
    gb.out('-- %s (%s, expect %s)' % (label, a.get('kind'), a.get('expect')))
    img = os.path.join(hdir, a['file'])
    parent = gb.workdir('hostile')
    outdir = os.path.join(parent, 'out')
    canary_dir = os.path.join(parent, 'canary')
    os.makedirs(canary_dir)
    with open(os.path.join(canary_dir, 'canary.txt'), 'wb') as f:
        f.write(CANARY_CONTENT)
    os.symlink('canary.txt', os.path.join(canary_dir, 'canary-link'))
    try:
        if canary_file:
            if os.path.lexists(canary_file) and not os.path.isfile(canary_file):
                os.unlink(canary_file)
            with open(canary_file, 'wb') as f:
                f.write(CANARY_CONTENT)
        before_parent = snapshot_tree(parent, skip=outdir)
        before_markers = marker_snapshot(marker, [])
        if before_markers:
            res.note('escape-marker names existed before the scan (left by an earlier run?): %s'
                     % ', '.join(sorted(before_markers)[:5]))
        before_prot = {p: file_state(p) for p in PROTECTED}
        before_canary = file_state(canary_file) if canary_file else None

        r = gb.run(gb.scan_argv(img, outdir), timeout=TIMEOUT, cwd=parent)
        crashed = r.signal is not None or r.timed_out
        res.check('%s: no crash, no timeout (%ds)' % (label, TIMEOUT), not crashed,
                  '%s in %.1fs, peak RSS %d MiB' % (r.describe(), r.elapsed, r.maxrss_kib // 1024),
                  lines=r.stderr_tail() if crashed else [])
        if not crashed:
            res.check('%s: exit code 0' % label, r.rc == 0, r.describe(),
                      lines=r.stderr_tail() if r.rc else [])

        # confinement
        after_parent = snapshot_tree(parent, skip=outdir)
        changed = sorted(set(before_parent.items()) ^ set(after_parent.items()))
        res.check('%s: nothing beside OUTDIR changed (temp parent, canary dir)' % label,
                  not changed, '%d entries compared' % len(before_parent),
                  lines=['%s' % gb.esc(c[0]) for c in changed[:8]])
        after_markers = marker_snapshot(marker, [])
        in_parent = [p for p in marker_snapshot(marker, [parent])
                     if not p.startswith(outdir + os.sep)]
        new = sorted(p for p, v in after_markers.items() if before_markers.get(p) != v)
        res.check('%s: no %s name outside OUTDIR (/tmp, /, temp parent)' % (label, marker),
                  not new and not in_parent, lines=[gb.esc(p) for p in (new + in_parent)[:8]])
        if canary_file:
            st = file_state(canary_file)
            res.check('%s: canary %s unchanged (content, link count)' % (label, canary_file),
                      st is not None and st[3] == before_canary[3] and st[2] == 1,
                      'nlink %s' % (st[2] if st else 'missing'))
        prot_changed = [p for p in PROTECTED if file_state(p) != before_prot[p]]
        res.check('%s: /etc/passwd and /etc/shadow untouched (content, link count)' % label,
                  not prot_changed, ', '.join(prot_changed))

        du = gb.disk_usage(outdir) if os.path.isdir(outdir) else (0, 0, 0)
        special, setid, inodes = walk_out(outdir) if os.path.isdir(outdir) else ([], [], {})
        outside_inodes = {}
        for p in PROTECTED + ([canary_file] if canary_file else []):
            s = file_state(p)
            if s:
                outside_inodes[(s[0], s[1])] = p
        shared_ino = ['%s is %s' % (inodes[k], v) for k, v in outside_inodes.items() if k in inodes]
        res.check('%s: no file in OUTDIR is a hard link to a file outside' % label,
                  not shared_ino, lines=shared_ino)
        res.check('%s: no device node and no setuid/setgid file created in OUTDIR' % label,
                  not special and not setid, lines=[gb.esc(x) for x in (special + setid)[:8]])
        fifos = fifo_count(outdir) if os.path.isdir(outdir) else 0
        if fifos:
            res.note('%s: %d FIFO(s) created in OUTDIR' % (label, fifos))

        d, err = gb.load_report(outdir)
        res.check('%s: report.json exists and parses' % label, d is not None, err or '')
        if d is None:
            return
        rep = gb.Report(d, outdir)
        esc_disk = [f for f in rep.files()
                    if f.get('disk') and not gb.inside(outdir, rep.disk(f))]
        res.check('%s: every files[].disk lies inside OUTDIR' % label, not esc_disk,
                  '%d files with a disk path' % sum(1 for f in rep.files() if f.get('disk')),
                  lines=[gb.esc(f.get('disk')) for f in esc_disk[:5]])
        size = a.get('size') or os.path.getsize(img)
        over = [n for n in rep.children.get(0, []) if isinstance(n.get('offset'), int) and
                isinstance(n.get('size'), int) and n['offset'] + n['size'] > size]
        res.check('%s: no child of the input extends past its end' % label, not over,
                  lines=[rep.describe(n) for n in over[:4]])

        fn = EXPECT.get(a.get('expect'))
        if fn is None:
            res.check('%s: known expectation %s' % (label, a.get('expect')), False,
                      'test_hostile.py has no check for it')
        else:
            fn(res, a, rep, label, {'run': r, 'du': du, 'dir': hdir, 'marker': marker})
    finally:
        if canary_file and os.path.isfile(canary_file) and not os.path.islink(canary_file):
            try:
                os.unlink(canary_file)
            except OSError:
                pass
        gb.rmtree(parent)


def main():
    shared = gb.require_shared()
    gb.glassbox()
    res = gb.Results('test_hostile: hostile inputs (../shared/corpus/mkhostile)')
    cache = gb.cache_dir()
    try:
        hdir = gb.ensure_hostile(shared, cache)
    except (RuntimeError, OSError) as e:
        res.check('hostile set built', False, str(e).splitlines()[0],
                  lines=str(e).splitlines()[1:])
        res.finish()
    manifest = json.load(open(os.path.join(hdir, 'hostile.json')))
    for a in manifest['artifacts']:
        if a.get('skipped') or not a.get('file'):
            res.skip(a.get('kind', '?'), gb.esc(a.get('description', 'skipped by mkhostile'), 100))
            continue
        if not gb.selected(a['file']):
            continue
        t0 = time.time()
        run_case(res, hdir, manifest, a)
        gb.out('   (%.1fs)' % (time.time() - t0))
    res.finish()


if __name__ == '__main__':
    main()
