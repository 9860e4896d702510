"""Shared helpers for glassbox's end-to-end tests (python3 standard library only).

The tests run the real CLI ($GLASSBOX) on real inputs and compare its report.json with an
independent oracle: the corpus generator's truth.json (../shared/corpus), hostile.json, or
expectations written down from Debian's own tools (test_real.py).

Environment (set by meson's test_env, or by hand):
  GLASSBOX               path of the CLI binary (BUILD/glassbox)
  GB_SOURCE_ROOT         the source tree (../shared is looked up beside it)
  GB_BUILD_ROOT          the build tree
  GLASSBOX_CORPUS_CACHE  where corpus images are built and cached
                         (default $HOME/.cache/glassbox/corpus)
  GB_SHARED              override the location of ../shared
  GB_KEEP_OUT=1          keep every scan's output directory (paths are printed)
  GB_SCAN_ARGS           extra arguments appended to every `glassbox scan`
  GB_ONLY                comma-separated substrings: run only the cases whose name matches
"""

import errno
import fcntl
import hashlib
import json
import os
import posixpath
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

EXIT_SKIP = 77          # meson: the test was skipped

# ----------------------------------------------------------------------------------- output
def out(msg=''):
    print(msg, flush=True)


def esc(s, limit=160):
    """A printable, bounded rendering of untrusted text (names from hostile inputs)."""
    if s is None:
        return 'null'
    if isinstance(s, bytes):
        s = s.decode('utf-8', 'backslashreplace')
    r = s.encode('unicode_escape').decode('ascii')
    return r if len(r) <= limit else r[:limit] + '...(%d chars)' % len(r)


class Results:
    """Counts checks. Every check prints one line: PASS/FAIL/SKIP/XFAIL, name, detail."""

    def __init__(self, title):
        self.title = title
        self.passed = self.failed = self.skipped = self.xfailed = 0
        self.failures = []
        out('== %s' % title)

    def check(self, name, ok, detail='', xfail=None, lines=()):
        """Records one check. With xfail (a reason) a failure is counted as expected."""
        if ok:
            self.passed += 1
            out('  PASS  %s%s' % (name, (': ' + detail) if detail else ''))
        elif xfail:
            self.xfailed += 1
            out('  XFAIL %s%s  [xfail: %s]' % (name, (': ' + detail) if detail else '', xfail))
        else:
            self.failed += 1
            self.failures.append(name)
            out('  FAIL  %s%s' % (name, (': ' + detail) if detail else ''))
        for line in lines:
            out('          ' + line)
        return ok

    def skip(self, name, reason):
        self.skipped += 1
        out('  SKIP  %s: %s' % (name, reason))

    def note(self, msg):
        out('  note  ' + msg)

    def finish(self):
        out()
        if self.failures:
            out('failed checks:')
            for f in self.failures:
                out('  ' + f)
        line = '%d passed, %d failed' % (self.passed, self.failed)
        if self.skipped:
            line += ', %d skipped' % self.skipped
        if self.xfailed:
            line += ', %d xfailed' % self.xfailed
        out(line)
        sys.exit(1 if self.failed else 0)


def skip_all(reason):
    out('SKIP: ' + reason)
    out('0 passed, 0 failed, 1 skipped')
    sys.exit(EXIT_SKIP)


def selected(name):
    only = os.environ.get('GB_ONLY')
    if not only:
        return True
    return any(s and s in name for s in only.split(','))


# ------------------------------------------------------------------------------ environment
def glassbox():
    g = os.environ.get('GLASSBOX')
    if not g:
        root = os.environ.get('GB_BUILD_ROOT')
        if root:
            g = os.path.join(root, 'glassbox')
            if not os.access(g, os.X_OK):
                g = os.path.join(root, 'cli', 'glassbox')
    if not g or not os.access(g, os.X_OK):
        out('GLASSBOX is not set or not executable (%s)' % g)
        out('0 passed, 1 failed')
        sys.exit(1)
    return os.path.abspath(g)


def source_root():
    r = os.environ.get('GB_SOURCE_ROOT')
    if r:
        return os.path.abspath(r)
    return os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def shared_dir():
    """../shared beside the source tree, or None."""
    s = os.environ.get('GB_SHARED') or os.path.join(source_root(), '..', 'shared')
    s = os.path.abspath(s)
    return s if os.path.isdir(os.path.join(s, 'corpus')) else None


def require_shared():
    s = shared_dir()
    if not s:
        skip_all('../shared not present (looked for %s/../shared/corpus)' % source_root())
    return s


def cache_dir():
    c = os.environ.get('GLASSBOX_CORPUS_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'glassbox', 'corpus')
    os.makedirs(c, exist_ok=True)
    return c


# -------------------------------------------------------------------------------- hashing
def file_sha256(path, limit=None):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def tree_sha256(path):
    """Digest of a directory's regular files (names and contents), sorted."""
    h = hashlib.sha256()
    for dp, dn, fn in os.walk(path):
        dn.sort()
        for n in sorted(fn):
            p = os.path.join(dp, n)
            if n.endswith('.pyc') or '__pycache__' in p:
                continue
            h.update(os.path.relpath(p, path).encode() + b'\0' + file_sha256(p).encode() + b'\n')
    return h.hexdigest()


# ------------------------------------------------------------------ corpus build and cache
class Locked:
    """An exclusive flock on CACHE/.lock: builds into the cache are serialized."""

    def __init__(self, cache):
        self.path = os.path.join(cache, '.lock')

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def profile_name(profile):
    for line in open(profile, encoding='utf-8', errors='replace'):
        line = line.strip()
        if line.startswith('NAME='):
            return line[5:].strip().strip('"\'')
    return os.path.basename(profile).rsplit('.profile', 1)[0]


def _stamp_ok(stamp, want, outputs):
    if not all(os.path.isfile(o) for o in outputs):
        return False
    try:
        return json.load(open(stamp)) == want
    except (OSError, ValueError):
        return False


def _build(cmd, outputs, stamp, want, what):
    t0 = time.time()
    out('  build %s: %s' % (what, ' '.join(shlex.quote(c) for c in cmd)))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        tail = p.stdout.decode('utf-8', 'replace').splitlines()[-15:]
        raise RuntimeError('%s failed (exit %d):\n%s' % (cmd[0], p.returncode,
                                                         '\n'.join('    ' + t for t in tail)))
    missing = [o for o in outputs if not os.path.isfile(o)]
    if missing:
        raise RuntimeError('%s did not write %s' % (cmd[0], ', '.join(missing)))
    with open(stamp + '.tmp', 'w') as f:
        json.dump(want, f, indent=1, sort_keys=True)
    os.replace(stamp + '.tmp', stamp)
    out('  built %s in %.0fs' % (what, time.time() - t0))


def ensure_profile_image(shared, profile, cache):
    """Builds CACHE/NAME.bin and NAME.truth.json with mkfw unless the stamp says they are current.

    The stamp records the sha256 of the profile file, of mkfw and of mkfw's lib/ directory.
    Returns (image path, truth path). Raises RuntimeError when the build fails."""
    corpus = os.path.join(shared, 'corpus')
    name = profile_name(profile)
    img = os.path.join(cache, name + '.bin')
    truth = os.path.join(cache, name + '.truth.json')
    stamp = os.path.join(cache, '.' + name + '.stamp')
    want = {'profile_sha256': file_sha256(profile),
            'mkfw_sha256': file_sha256(os.path.join(corpus, 'mkfw')),
            'lib_sha256': tree_sha256(os.path.join(corpus, 'lib'))}
    with Locked(cache):
        if not _stamp_ok(stamp, want, [img, truth]):
            _build([os.path.join(corpus, 'mkfw'), profile, cache], [img, truth], stamp, want,
                   name)
    return img, truth


def ensure_hostile(shared, cache):
    """Builds CACHE/hostile/ with mkhostile unless its stamp is current. Returns the dir."""
    corpus = os.path.join(shared, 'corpus')
    d = os.path.join(cache, 'hostile')
    stamp = os.path.join(cache, '.hostile.stamp')
    want = {'mkhostile_sha256': file_sha256(os.path.join(corpus, 'mkhostile')),
            'mkfw_sha256': file_sha256(os.path.join(corpus, 'mkfw')),
            'lib_sha256': tree_sha256(os.path.join(corpus, 'lib'))}
    with Locked(cache):
        manifest = os.path.join(d, 'hostile.json')
        ok = _stamp_ok(stamp, want, [manifest])
        if ok:
            try:
                m = json.load(open(manifest))
                ok = all(os.path.isfile(os.path.join(d, a['file']))
                         for a in m['artifacts'] if a.get('file'))
            except (OSError, ValueError, KeyError):
                ok = False
        if not ok:
            _build([os.path.join(corpus, 'mkhostile'), d], [manifest], stamp, want, 'hostile set')
    return d


# ---------------------------------------------------------------------------- running scans
class Run:
    """Result of one CLI run."""
    rc = None           # exit status, or None when killed by a signal / timeout
    signal = None       # terminating signal number
    timed_out = False
    elapsed = 0.0
    maxrss_kib = 0
    stdout = b''
    stderr = b''

    def describe(self):
        if self.timed_out:
            return 'timed out after %.0fs' % self.elapsed
        if self.signal is not None:
            try:
                n = signal.Signals(self.signal).name
            except ValueError:
                n = str(self.signal)
            return 'killed by signal %s' % n
        return 'exit %d' % self.rc

    def stderr_tail(self, n=6):
        lines = self.stderr.decode('utf-8', 'backslashreplace').splitlines()
        return [esc(l, 200) for l in lines[-n:]]


def _vm_hwm_kib(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run(argv, timeout=600, cwd=None, env=None, preexec=None):
    """Runs argv with stdout/stderr captured in files; kills the process group on timeout.
    Polls the child's peak RSS (VmHWM) every 20 ms while it runs."""
    r = Run()
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, cwd=cwd,
                             env=env, start_new_session=True, preexec_fn=preexec)
        hwm = 0
        while True:
            hwm = max(hwm, _vm_hwm_kib(p.pid))
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                r.timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = 0     # reaped by wait4; keep Popen from waiting again
        r.elapsed = time.monotonic() - t0
        # ru_maxrss would include the parent's memory copied by fork() before exec();
        # the polled VmHWM of the running child is its own peak (approximately)
        r.maxrss_kib = hwm
        if os.WIFSIGNALED(status):
            r.signal = os.WTERMSIG(status)
        elif not r.timed_out:
            r.rc = os.WEXITSTATUS(status)
        # anything left in the group (helpers the CLI might have started) goes too
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        fo.seek(0)
        fe.seek(0)
        r.stdout = fo.read()
        r.stderr = fe.read()
    return r


def scan_argv(image, outdir, extra=()):
    argv = [glassbox(), 'scan', image, '-o', outdir]
    argv += list(extra)
    argv += shlex.split(os.environ.get('GB_SCAN_ARGS', ''))
    return argv


def load_report(outdir):
    """(report dict, None) or (None, error text)."""
    p = os.path.join(outdir, 'report.json')
    try:
        raw = open(p, 'rb').read()
    except OSError as e:
        return None, 'cannot read report.json: %s' % e.strerror
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        return None, 'report.json is not valid UTF-8 (byte offset %d)' % e.start
    try:
        return json.loads(text), None
    except ValueError as e:
        return None, 'report.json does not parse: %s' % e


def keep_out():
    return os.environ.get('GB_KEEP_OUT') == '1'


def workdir(prefix):
    base = os.environ.get('GB_E2E_TMP')
    if base:
        os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix='gb-e2e-%s.' % prefix, dir=base)


def rmtree(path):
    if keep_out():
        out('  (kept %s)' % path)
        return
    if not os.path.lexists(path):
        return

    def onerr(func, p, exc):
        # a scan may leave read-only directories behind; make them writable and retry
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700) if not os.path.islink(p) else None
            func(p)
        except OSError:
            pass
    shutil.rmtree(path, onerror=onerr)


# ------------------------------------------------------------------------ report navigation
def norm_path(p):
    """Normalizes a report/truth path for comparison: leading '/', no '//', no './', no
    trailing '/'. '..' components are kept as they are."""
    if p is None:
        return None
    if not p.startswith('/'):
        p = '/' + p
    parts = [c for c in p.split('/') if c not in ('', '.')]
    return '/' + '/'.join(parts)


def norm_mode(m):
    if m is None:
        return None
    if isinstance(m, int):
        return '%04o' % (m & 0o7777)
    m = str(m).strip()
    if m.startswith('0o'):
        m = m[2:]
    try:
        return '%04o' % (int(m, 8) & 0o7777)
    except ValueError:
        return m


class Report:
    def __init__(self, d, outdir):
        self.d = d
        self.outdir = outdir
        self.nodes = {}
        for n in d.get('nodes') or []:
            self.nodes[n.get('id')] = n
        self.files_by_node = {}
        for f in d.get('files') or []:
            self.files_by_node.setdefault(f.get('node'), []).append(f)
        self.children = {}
        for n in self.nodes.values():
            self.children.setdefault(n.get('parent'), []).append(n)

    # nodes
    def of_format(self, fmts):
        if isinstance(fmts, str):
            fmts = (fmts,)
        return [n for n in self.nodes.values() if n.get('format') in fmts]

    def ancestors(self, node):
        seen = set()
        n = node
        while n is not None and n.get('parent') is not None and n.get('id') not in seen:
            seen.add(n.get('id'))
            n = self.nodes.get(n.get('parent'))
            if n is not None:
                yield n

    def subtree(self, node):
        res, stack, seen = [], [node], set()
        while stack:
            n = stack.pop()
            if n.get('id') in seen:
                continue
            seen.add(n.get('id'))
            res.append(n)
            stack.extend(self.children.get(n.get('id'), []))
        return res

    def abs_offset(self, node):
        """Absolute offset in the input: the sum of offsets up the parent chain. None when a
        node on the way was carved from an extracted file (source_path set)."""
        total = 0
        n = node
        seen = set()
        while n is not None and n.get('id') not in seen:
            seen.add(n.get('id'))
            if n.get('parent') is None:
                return total
            if n.get('source_path') is not None:
                return None
            off = n.get('offset')
            if not isinstance(off, int):
                return None
            total += off
            n = self.nodes.get(n.get('parent'))
        return None

    def describe(self, n):
        return '#%s %s%s@%s size=%s status=%s%s' % (
            n.get('id'), n.get('format'), ('/' + str(n['variant'])) if n.get('variant') else '',
            n.get('offset'), n.get('size'), n.get('status'),
            (' error=' + esc(n.get('error'), 120)) if n.get('error') else '')

    def tree_lines(self, limit=40):
        lines = []

        def walk(n, depth):
            if len(lines) >= limit:
                return
            lines.append('  ' * depth + self.describe(n) +
                         (' src=' + esc(n.get('source_path'), 60) if n.get('source_path') else '') +
                         ' files=%d' % len(self.files_by_node.get(n.get('id'), [])))
            for c in sorted(self.children.get(n.get('id'), []),
                            key=lambda c: (c.get('offset') or 0, c.get('id') or 0)):
                walk(c, depth + 1)
        for r in self.children.get(None, []):
            walk(r, 0)
        return lines

    # files
    def files(self, node_ids=None):
        if node_ids is None:
            return list(self.d.get('files') or [])
        res = []
        for i in node_ids:
            res.extend(self.files_by_node.get(i, []))
        return res

    def path_map(self, node_id):
        m = {}
        for f in self.files_by_node.get(node_id, []):
            m.setdefault(norm_path(f.get('path')), f)
        return m

    def disk(self, f_or_rel):
        rel = f_or_rel.get('disk') if isinstance(f_or_rel, dict) else f_or_rel
        if not rel:
            return None
        return os.path.join(self.outdir, rel)

    def node_dir(self, n):
        return os.path.join(self.outdir, n['dir']) if n.get('dir') else None


def inside(base, path):
    """True when path (not following its last component) lies within base."""
    base = os.path.realpath(base)
    parent = os.path.realpath(os.path.dirname(path))
    full = os.path.join(parent, os.path.basename(path))
    try:
        return os.path.commonpath([base, full]) == base
    except ValueError:
        return False


def disk_usage(path):
    """(allocated bytes, largest apparent file size, number of entries), symlinks not followed."""
    used = biggest = count = 0
    for dp, dn, fn in os.walk(path):
        for n in dn + fn:
            try:
                st = os.lstat(os.path.join(dp, n))
            except OSError:
                continue
            count += 1
            used += st.st_blocks * 512
            if stat.S_ISREG(st.st_mode):
                biggest = max(biggest, st.st_size)
    return used, biggest, count


# ----------------------------------------------------------------------- truth comparison
def _truth_type_ok(t, f):
    tt, rt = t.get('type'), f.get('type')
    if tt == 'file':
        if rt == 'file':
            return True
        return rt == 'hardlink' and f.get('sha256') == t.get('sha256')
    if tt == 'device':
        return rt == ('chardev' if t.get('device') == 'char' else 'blockdev')
    return tt == rt


def compare_entry(t, f):
    """List of mismatch strings between a truth entry and a report files[] entry."""
    mm = []
    if not _truth_type_ok(t, f):
        want = t.get('type') if t.get('type') != 'device' else (
            'chardev' if t.get('device') == 'char' else 'blockdev')
        mm.append('type %s, truth %s' % (f.get('type'), want))
        return mm
    if norm_mode(f.get('mode')) != norm_mode(t.get('mode')):
        mm.append('mode %s, truth %s' % (f.get('mode'), t.get('mode')))
    for k in ('uid', 'gid'):
        if f.get(k) != t.get(k):
            mm.append('%s %s, truth %s' % (k, f.get(k), t.get(k)))
    tt = t.get('type')
    if tt == 'file' and f.get('sha256') != t.get('sha256'):
        mm.append('sha256 %s, truth %s' % ((f.get('sha256') or 'null')[:16],
                                           (t.get('sha256') or 'null')[:16]))
    if tt == 'symlink' and f.get('target') != t.get('target'):
        mm.append('target %s, truth %s' % (esc(f.get('target'), 60), esc(t.get('target'), 60)))
    if tt == 'device':
        for k in ('major', 'minor'):
            if f.get(k) != t.get(k):
                mm.append('%s %s, truth %s' % (k, f.get(k), t.get(k)))
    return mm


def find_rootfs_node(rep, truth_paths):
    best, best_n = None, 0
    for nid, files in rep.files_by_node.items():
        paths = {norm_path(f.get('path')) for f in files}
        n = len(paths & truth_paths)
        if n > best_n:
            best, best_n = nid, n
    return (rep.nodes.get(best), best_n) if best is not None else (None, 0)


FS_FORMATS = {'squashfs': ('squashfs',), 'jffs2': ('jffs2',), 'ext4': ('extfs',),
              'ext2': ('extfs',), 'ext3': ('extfs',), 'cpio': ('cpio',), 'tar': ('tar',),
              'cramfs': ('cramfs',), 'ubi': ('ubifs', 'ubi')}
CONTAINER_FORMATS = {'uimage': ('uimage',), 'fit': ('fit',), 'trx': ('trx',),
                     'zip-update': ('zip',)}


def check_against_truth(res, label, rep, truth, run_, xfail=None):
    """The profile checks: input digest/size, container node, rootfs node at rootfs_offset,
    rootfs format, every rootfs entry, extracted contents on disk."""
    img = truth['image']
    inp = rep.d.get('input') or {}
    res.check('%s: input.sha256 == truth image.sha256' % label,
              inp.get('sha256') == img['sha256'],
              'report %s' % (inp.get('sha256') or 'null')[:16], xfail=xfail)
    res.check('%s: input.size == %d' % (label, img['size']), inp.get('size') == img['size'],
              'report %s' % inp.get('size'), xfail=xfail)

    cont = truth.get('container') or {}
    kind = cont.get('kind')
    fmts = CONTAINER_FORMATS.get(kind)
    if fmts:
        found = rep.of_format(fmts)
        res.check('%s: container node %s' % (label, '|'.join(fmts)), bool(found),
                  '; '.join(rep.describe(n) for n in found[:3]) or 'none found', xfail=xfail)

    entries = truth.get('rootfs_entries') or []
    tpaths = {norm_path(e['path']) for e in entries}
    node, nmatch = find_rootfs_node(rep, tpaths)

    ro = cont.get('rootfs_offset')
    if ro is not None:
        at = [n for n in rep.nodes.values()
              if n.get('parent') is not None and rep.abs_offset(n) == ro]
        res.check('%s: a node at rootfs_offset %d (0x%x)' % (label, ro, ro), bool(at),
                  '; '.join(rep.describe(n) for n in at[:3]) or
                  'none (absolute offsets: %s)' % ', '.join(
                      '%s@%s' % (n.get('format'), rep.abs_offset(n))
                      for n in list(rep.nodes.values())[:12] if n.get('parent') is not None),
                  xfail=xfail)

    fskind = (truth.get('fs') or {}).get('kind')
    if node is None:
        res.check('%s: rootfs entries match truth' % label, False,
                  '0/%d matched: no node has any truth path; node tree:' % len(entries),
                  xfail=xfail, lines=rep.tree_lines(25))
        return None
    want_fmt = FS_FORMATS.get(fskind, (fskind,))
    res.check('%s: rootfs node format %s' % (label, '|'.join(want_fmt)),
              node.get('format') in want_fmt, rep.describe(node), xfail=xfail)

    rmap = rep.path_map(node['id'])
    matched = 0
    mism = []
    for e in entries:
        f = rmap.get(norm_path(e['path']))
        if f is None:
            mism.append('%s: missing (truth %s %s)' % (esc(e['path'], 80), e['type'], e['mode']))
            continue
        mm = compare_entry(e, f)
        if mm:
            mism.append('%s: %s' % (esc(e['path'], 80), '; '.join(mm)))
        else:
            matched += 1
    extra = sorted(set(rmap) - tpaths - {'/'})
    lines = mism[:10]
    if len(mism) > 10:
        lines.append('... and %d more mismatches' % (len(mism) - 10))
    if extra:
        lines.append('(report has %d entries not in truth, e.g. %s)' % (
            len(extra), ', '.join(esc(x, 60) for x in extra[:5])))
    res.check('%s: rootfs entries match truth' % label, not mism,
              '%d/%d matched in node #%s %s' % (matched, len(entries), node.get('id'),
                                                node.get('format')),
              xfail=xfail, lines=lines)

    # extracted contents on disk
    bad, good, checked = [], 0, 0
    for e in entries:
        if e['type'] != 'file':
            continue
        f = rmap.get(norm_path(e['path']))
        if f is None:
            continue
        checked += 1
        p = rep.disk(f)
        if p is None:
            bad.append('%s: no disk path' % esc(e['path'], 80))
            continue
        if not inside(rep.outdir, p):
            bad.append('%s: disk path %s is outside OUTDIR' % (esc(e['path'], 80),
                                                               esc(f.get('disk'), 80)))
            continue
        try:
            st = os.lstat(p)
        except OSError as ex:
            bad.append('%s: %s: %s' % (esc(e['path'], 80), esc(f.get('disk'), 80), ex.strerror))
            continue
        if not stat.S_ISREG(st.st_mode):
            bad.append('%s: on disk not a regular file' % esc(e['path'], 80))
            continue
        if file_sha256(p) != e['sha256']:
            bad.append('%s: on-disk sha256 differs from truth' % esc(e['path'], 80))
        else:
            good += 1
    res.check('%s: extracted files on disk match truth sha256' % label, checked > 0 and not bad,
              '%d/%d regular files on disk and correct' % (good, checked),
              xfail=xfail, lines=bad[:10] + (['... and %d more' % (len(bad) - 10)]
                                             if len(bad) > 10 else []))
    return node


def scan_checks(res, label, run_, outdir, xfail=None):
    """Exit status and report.json presence. Returns a Report or None.
    A crash or a timeout is a failure even in xfail mode."""
    crashed = run_.signal is not None or run_.timed_out
    res.check('%s: scan exits 0' % label, run_.rc == 0,
              '%s in %.1fs, peak RSS %d MiB' % (run_.describe(), run_.elapsed,
                                                run_.maxrss_kib // 1024),
              xfail=None if crashed else xfail,
              lines=[] if run_.rc == 0 else run_.stderr_tail())
    d, err = load_report(outdir)
    res.check('%s: report.json parses' % label, d is not None, err or '',
              xfail=None if crashed else xfail)
    if d is None:
        return None
    return Report(d, outdir)


def run_profile(res, shared, profile, cache, xfail=None, timeout=900):
    """Builds (or reuses) one profile's image, scans it and checks it against its truth."""
    name = profile_name(profile)
    out('-- %s' % name)
    try:
        img, truth_path = ensure_profile_image(shared, profile, cache)
    except (RuntimeError, OSError) as e:
        res.check('%s: corpus image built' % name, False, str(e).splitlines()[0],
                  lines=str(e).splitlines()[1:])
        return
    truth = json.load(open(truth_path))
    tmp = workdir(name)
    try:
        outdir = os.path.join(tmp, 'out')
        r = run(scan_argv(img, outdir, ['--json']), timeout=timeout, cwd=tmp)
        rep = scan_checks(res, name, r, outdir, xfail=xfail)
        if rep is None:
            return
        if r.rc == 0:
            try:
                same = json.loads(r.stdout.decode('utf-8')) == rep.d
            except ValueError:
                same = False
            res.check('%s: --json stdout equals report.json' % name, same, xfail=xfail)
        check_against_truth(res, name, rep, truth, r, xfail=xfail)
    finally:
        rmtree(tmp)
