#!/usr/bin/python3
"""End-to-end: `glassbox equiv` (binary equivalence, docs/equiv.md).

  * tests/data/equiv/logind.c (a small login daemon) built with the system compiler
    twice, in directories of the same path length at different SOURCE_DATE_EPOCH
    values (so different build-ids): equivalent, with build-id, build-path and
    build-date named; stripped (shipped) against unstripped: equivalent with
    strip-level; with one changed constant in check_password (a backdoor password):
    different, with check_password named and the disassembly shown;
  * the same programs packed in squashfs images made with different mksquashfs
    timestamps, and in tar.gz files with different member order, owners and mtimes:
    every file equivalent or identical;
  * directories: a renamed file is found (paired by content or symbols), a missing and
    an extra file are reported, a text file gets a unified diff;
  * the CLI contract: exit 2 for usage errors, 3 for an unreadable input, 1 with
    --fail-on when hit, --json equals OUTDIR/equiv.json, no temporary files left;
  * --rebuild: the build runs in a fresh copy with the documented environment (checked
    from inside the build), its log is kept, and its artifacts are compared;
  * with ../shared: two images of the gateway profile built by mkfw at different
    SOURCE_DATE_EPOCH values (cached in ~/.cache/glassbox/equiv): every file identical
    or equivalent; then one byte inside a function of one ELF's .text changed in a copy
    of the extracted tree (offset from readelf's section headers and symbols, the
    independent oracle): exactly that file is different, with that function named.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402

PROFILE = 'gateway-armhf-uimage-squashfs-gzip.profile'
BACKDOOR = '0x0c6e796fu'  # pw_hash("letmein")


def sh(cmd, cwd=None, env=None):
    p = subprocess.run(cmd, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (cmd, p.returncode,
                                                   p.stdout.decode('utf-8', 'replace')[-800:]))
    return p.stdout.decode('utf-8', 'replace')


def equiv(args, timeout=900):
    return gb.run([gb.glassbox(), 'equiv'] + list(args), timeout=timeout)


def load(outdir):
    try:
        return json.load(open(os.path.join(outdir, 'equiv.json')))
    except (OSError, ValueError) as e:
        return {'error': str(e), 'files': [], 'summary': {}}


def by_path(doc):
    return {f['path']: f for f in doc.get('files', [])}


def leaves(doc):
    return [f for f in doc.get('files', []) if not f.get('is_container')]


def build_programs(w):
    """logind built as the tests need it; returns {name: path}."""
    src = os.path.join(gb.source_root(), 'tests', 'data', 'equiv', 'logind.c')
    out = {}
    for d, epoch, extra in (('build-a', 1600000000, ''), ('build-b', 1700000000, ''),
                            ('build-c', 1600000000, '-DEXTRA_HASH=' + BACKDOOR)):
        bd = os.path.join(w, d)
        os.makedirs(bd)
        shutil.copy(src, bd)
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
        # an absolute source path puts the build directory into __FILE__
        sh('cc -O2 -g -Wl,--build-id=sha1 %s -o logind %s/logind.c' % (extra, bd), cwd=bd, env=env)
        out[d] = os.path.join(bd, 'logind')
    out['stripped'] = os.path.join(w, 'logind.stripped')
    sh('strip -o %s %s' % (out['stripped'], out['build-a']))
    return out


def check_programs(res, w, prog):
    o = os.path.join(w, 'o-rebuilt')
    r = equiv([prog['build-a'], prog['build-b'], '-o', o])
    doc = load(o)
    f = leaves(doc)
    norms = set(f[0].get('normalisations') or []) if len(f) == 1 else set()
    res.check('two builds: equivalent', r.rc == 0 and len(f) == 1 and f[0]['verdict'] == 'equivalent',
              '%s, %s' % (r.describe(), [(x['path'], x['verdict']) for x in f]))
    res.check('two builds: build-id, build-path, build-date named',
              {'build-id', 'build-path', 'build-date'} <= norms, str(sorted(norms)))

    o = os.path.join(w, 'o-strip')
    r = equiv([prog['stripped'], prog['build-b'], '-o', o])
    f = leaves(load(o))
    norms = set(f[0].get('normalisations') or []) if len(f) == 1 else set()
    res.check('stripped vs unstripped: equivalent (strip-level)',
              r.rc == 0 and len(f) == 1 and f[0]['verdict'] == 'equivalent' and 'strip-level' in norms,
              '%s %s' % ([x['verdict'] for x in f], sorted(norms)))

    o = os.path.join(w, 'o-backdoor')
    r = equiv([prog['build-c'], prog['build-b'], '-o', o, '--fail-on', 'different'])
    f = leaves(load(o))
    ok = len(f) == 1 and f[0]['verdict'] == 'different'
    funcs = {d.get('function') for d in f[0].get('differences', [])} if ok else set()
    secs = {d.get('section') for d in f[0].get('differences', [])} if ok else set()
    res.check('backdoor: different, exit 1 with --fail-on different', ok and r.rc == 1, r.describe())
    res.check('backdoor: check_password is the function whose code differs',
              funcs == {'check_password'} and secs == {'.text'}, 'functions %s sections %s' % (funcs, secs))
    dis = f[0].get('disasm') or '' if ok else ''
    res.check('backdoor: the differing instruction is disassembled side by side',
              re.search(r'^!.*0xc6e796f.*\|.*0x8badf00d', dis, re.M) is not None, gb.esc(dis, 400))
    res.check('backdoor: listed first in the terminal summary',
              r.stdout.decode().split('\n')[3:4] == ['different (1):'], gb.esc(r.stdout[:200]))


def check_packed(res, w, prog):
    trees = {}
    for side, key in (('a', 'build-a'), ('b', 'build-b')):
        t = os.path.join(w, 'tree-' + side)
        os.makedirs(os.path.join(t, 'usr', 'sbin'))
        os.makedirs(os.path.join(t, 'etc'))
        shutil.copy(prog[key], os.path.join(t, 'usr', 'sbin', 'logind'))
        with open(os.path.join(t, 'etc', 'motd'), 'w') as fh:
            fh.write('authorised users only\n')
        trees[side] = t
    if shutil.which('mksquashfs'):
        for side, epoch in (('a', 1600000000), ('b', 1700000000)):
            sh('mksquashfs %s %s/%s.sqfs -noappend -quiet -mkfs-time %d -all-time %d' %
               (trees[side], w, side, epoch, epoch))
        o = os.path.join(w, 'o-sqfs')
        r = equiv([w + '/a.sqfs', w + '/b.sqfs', '-o', o, '--fail-on', 'missing'])
        doc = load(o)
        f = by_path(doc)
        res.check('squashfs images: exit 0, nothing different or missing', r.rc == 0, r.describe())
        res.check('squashfs images: logind equivalent, motd identical',
                  f.get('/usr/sbin/logind', {}).get('verdict') == 'equivalent' and
                  f.get('/etc/motd', {}).get('verdict') == 'identical',
                  str({k: v['verdict'] for k, v in f.items()}))
        res.check('squashfs images: the images themselves equivalent (filesystem-metadata)',
                  'filesystem-metadata' in (f.get('a.sqfs', {}).get('normalisations') or []),
                  str(f.get('a.sqfs', {}).get('normalisations')))
    else:
        res.skip('squashfs images', 'mksquashfs not installed')
    # tar.gz: other member order, mtimes and owners
    for side, epoch, order, uid in (('a', 1600000000, ['usr', 'etc'], 0),
                                    ('b', 1700000000, ['etc', 'usr'], 1000)):
        with tarfile.open('%s/%s.tar.gz' % (w, side), 'w:gz') as tf:
            for top in order:
                for dp, dn, fn in sorted(os.walk(os.path.join(trees[side], top))):
                    for n in sorted(fn):
                        p = os.path.join(dp, n)
                        ti = tf.gettarinfo(p, os.path.relpath(p, trees[side]))
                        ti.mtime, ti.uid, ti.gid = epoch, uid, uid
                        with open(p, 'rb') as fh:
                            tf.addfile(ti, fh)
    o = os.path.join(w, 'o-tgz')
    r = equiv([w + '/a.tar.gz', w + '/b.tar.gz', '-o', o])
    doc = load(o)
    f = by_path(doc)
    res.check('tar.gz: logind equivalent, motd identical',
              f.get('/usr/sbin/logind', {}).get('verdict') == 'equivalent' and
              f.get('/etc/motd', {}).get('verdict') == 'identical',
              str({k: v['verdict'] for k, v in f.items()}))
    top = f.get('a.tar.gz', {})
    res.check('tar.gz: equivalent with gzip-header, archive-metadata, member-order',
              top.get('verdict') == 'equivalent' and
              {'gzip-header', 'archive-metadata', 'member-order'} <= set(top.get('normalisations') or []),
              str(top.get('normalisations')))


def check_dirs(res, w, prog):
    a, b = os.path.join(w, 'dir-a'), os.path.join(w, 'dir-b')
    for d in (a, b):
        os.makedirs(os.path.join(d, 'etc'))
    shutil.copy(prog['build-a'], os.path.join(a, 'etc', 'logind'))
    shutil.copy(prog['build-b'], os.path.join(b, 'etc', 'logind-renamed'))
    packed = os.path.isfile(w + '/a.tar.gz')
    if packed:  # check_packed made them: other member order, owners, mtimes
        shutil.copy(w + '/a.tar.gz', os.path.join(a, 'etc', 'fw.tgz'))
        shutil.copy(w + '/b.tar.gz', os.path.join(b, 'etc', 'fw.tgz'))
    open(os.path.join(a, 'etc', 'only-shipped'), 'w').write('x\n')
    open(os.path.join(b, 'etc', 'only-rebuilt'), 'w').write('y\n')
    open(os.path.join(a, 'etc', 'config'), 'w').write('port=22\nroot=no\nbanner=yes\n')
    open(os.path.join(b, 'etc', 'config'), 'w').write('port=22\nroot=yes\nbanner=yes\n')
    o = os.path.join(w, 'o-dirs')
    r = equiv([a, b, '-o', o, '--json'])
    doc = load(o)
    f = by_path(doc)
    lg = f.get('/etc/logind', {})
    res.check('dirs: renamed ELF found', lg.get('verdict') == 'equivalent' and
              lg.get('paired_by') in ('symbols', 'soname') and
              (lg.get('rebuilt') or {}).get('path') == '/etc/logind-renamed', str(lg)[:300])
    res.check('dirs: missing and extra', f.get('/etc/only-shipped', {}).get('verdict') == 'missing' and
              f.get('/etc/only-rebuilt', {}).get('verdict') == 'extra', '')
    diff = f.get('/etc/config', {}).get('diff') or ''
    res.check('dirs: text file different with a unified diff',
              f.get('/etc/config', {}).get('verdict') == 'different' and '-root=no' in diff and
              '+root=yes' in diff and diff.startswith('--- shipped/etc/config'), gb.esc(diff, 300))
    if packed:
        tg = f.get('/etc/fw.tgz', {})
        res.check('dirs: a tar.gz is unpacked and its members compared',
                  tg.get('verdict') == 'equivalent' and tg.get('is_container') and
                  {'gzip-header', 'archive-metadata', 'member-order'} <= set(tg.get('normalisations') or []) and
                  f.get('/etc/fw.tgz!/usr/sbin/logind', {}).get('verdict') == 'equivalent' and
                  f.get('/etc/fw.tgz!/etc/motd', {}).get('verdict') == 'identical',
                  str({k: (v['verdict'], v.get('normalisations')) for k, v in f.items() if 'fw.tgz' in k}))
    try:
        same = json.loads(r.stdout.decode()) == doc
    except ValueError:
        same = False
    res.check('--json on stdout equals OUTDIR/equiv.json', r.rc == 0 and same, r.describe())
    res.check('no temporary files left in OUTDIR',
              not [n for n in os.listdir(o) if '.tmp' in n], str(os.listdir(o)))
    summ = doc.get('summary', {})
    res.check('summary counts', summ.get('missing') == 1 and summ.get('extra') == 1 and
              summ.get('different') == 1 and summ.get('equivalent') == 1 + packed and
              summ.get('shipped_files') == 3 + 2 * packed, str(summ))


def check_cli(res, w, prog):
    r = equiv([])
    res.check('usage: no arguments -> exit 2', r.rc == 2, r.describe())
    r = equiv([prog['build-a'], prog['build-b'], '--bogus'])
    res.check('usage: unknown flag -> exit 2', r.rc == 2, r.describe())
    r = equiv([prog['build-a'], prog['build-b'], '--fail-on', 'sometimes'])
    res.check('usage: bad --fail-on -> exit 2', r.rc == 2, r.describe())
    r = equiv([prog['build-a'], '--rebuild', 'true'])
    res.check('usage: --rebuild without --source/--artifacts -> exit 2', r.rc == 2, r.describe())
    r = equiv([os.path.join(w, 'nonexistent'), prog['build-b'], '-o', os.path.join(w, 'o-x')])
    res.check('unreadable input -> exit 3', r.rc == 3, r.describe())
    blocker = os.path.join(w, 'blocker')
    open(blocker, 'w').close()
    r = equiv([prog['build-a'], prog['build-b'], '-o', os.path.join(blocker, 'sub')])
    res.check('output not creatable -> exit 4', r.rc == 4, r.describe())


def check_rebuild(res, w, prog):
    src = os.path.join(w, 'vendor-src')
    os.makedirs(src)
    shutil.copy(os.path.join(gb.source_root(), 'tests', 'data', 'equiv', 'logind.c'), src)
    os.symlink('/etc/passwd', os.path.join(src, 'outside-link'))
    with open(os.path.join(src, 'build.sh'), 'w') as fh:
        fh.write('set -e\nmkdir -p out\ncc -O2 -o out/logind logind.c\n'
                 'env | sort > env.txt\numask > umask.txt\npwd > pwd.txt\n'
                 'readlink outside-link > link.txt\n')
    shipped = os.path.join(w, 'shipped-rb')
    os.makedirs(shipped)
    env = dict(os.environ, SOURCE_DATE_EPOCH='1650000000')
    sh('cc -O2 -o %s/logind logind.c' % shipped, cwd=src, env=env)
    o = os.path.join(w, 'o-rebuild')
    r = equiv([shipped, '-o', o, '--rebuild', 'sh build.sh', '--source', src, '--artifacts', 'out',
               '--source-date-epoch', '1650000000', '--env', 'VENDOR_FLAG=1', '--fail-on', 'different'])
    doc = load(o)
    f = by_path(doc)
    res.check('rebuild: exit 0, logind identical or equivalent',
              r.rc == 0 and f.get('/logind', {}).get('verdict') in ('identical', 'equivalent'),
              '%s %s' % (r.describe(), r.stderr_tail()))
    copy = os.path.join(o, 'build-src')
    try:
        envtxt = dict(l.split('=', 1) for l in open(os.path.join(copy, 'env.txt')).read().splitlines()
                      if '=' in l)
    except OSError:
        envtxt = {}
    want = {'PATH': '/usr/bin:/bin', 'TZ': 'UTC', 'LC_ALL': 'C', 'SOURCE_DATE_EPOCH': '1650000000',
            'VENDOR_FLAG': '1', 'HOME': os.path.join(os.path.abspath(o), 'build-home')}
    got = {k: envtxt.get(k) for k in want}
    res.check('rebuild: the documented environment', got == {k: v for k, v in want.items()} or
              (got['HOME'] and got['HOME'].endswith('/build-home') and
               {k: v for k, v in got.items() if k != 'HOME'} == {k: v for k, v in want.items() if k != 'HOME'}),
              str(got))
    extra = set(envtxt) - set(want) - {'PWD', 'SHLVL', '_', 'OLDPWD'}
    res.check('rebuild: nothing else in the environment', not extra, str(sorted(extra)))
    try:
        um = open(os.path.join(copy, 'umask.txt')).read().strip()
        link = open(os.path.join(copy, 'link.txt')).read().strip()
    except OSError:
        um = link = None
    res.check('rebuild: umask 0022', um == '0022', str(um))
    res.check('rebuild: symlinks copied as links', link == '/etc/passwd' and
              os.path.islink(os.path.join(copy, 'outside-link')), str(link))
    res.check('rebuild: build.log kept, equiv.json records the rebuild',
              os.path.isfile(os.path.join(o, 'build.log')) and
              (doc.get('rebuild') or {}).get('exit_status') == 0 and
              (doc.get('rebuild') or {}).get('source_date_epoch') == 1650000000, str(doc.get('rebuild')))
    r = equiv([shipped, '-o', o + '-fail', '--rebuild', 'exit 7', '--source', src, '--artifacts', 'out'])
    res.check('rebuild: a failing build -> exit 5', r.rc == 5, r.describe())


# ------------------------------------------------------------------------------ corpus
def profile_images(shared):
    """Two images of the gateway profile built at different SOURCE_DATE_EPOCH values."""
    cache = os.path.join(os.path.expanduser('~'), '.cache', 'glassbox', 'equiv')
    prof = os.path.join(shared, 'corpus', 'profiles', PROFILE)
    name = gb.profile_name(prof)
    imgs = []
    for epoch in (1700000000, 1710000000):
        d = os.path.join(cache, 'sde%d' % epoch)
        os.makedirs(d, exist_ok=True)
        img = os.path.join(d, name + '.bin')
        stamp = os.path.join(d, '.' + name + '.stamp')
        want = {'profile_sha256': gb.file_sha256(prof), 'epoch': epoch,
                'mkfw_sha256': gb.file_sha256(os.path.join(shared, 'corpus', 'mkfw')),
                'lib_sha256': gb.tree_sha256(os.path.join(shared, 'corpus', 'lib'))}
        with gb.Locked(cache):
            if not gb._stamp_ok(stamp, want, [img]):
                env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
                p = subprocess.run([os.path.join(shared, 'corpus', 'mkfw'), prof, d], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if p.returncode != 0:
                    raise RuntimeError('mkfw failed: ' + p.stdout.decode('utf-8', 'replace')[-600:])
                with open(stamp, 'w') as fh:
                    json.dump(want, fh)
        imgs.append(img)
    return imgs


def readelf_sections(path):
    out = subprocess.run(['readelf', '-SW', path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    secs = {}
    for m in re.finditer(r'\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)', out):
        secs[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
    return secs


def readelf_funcs(path):
    out = subprocess.run(['readelf', '--dyn-syms', '-sW', path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    funcs = []
    for line in out.splitlines():
        p = line.split()
        if len(p) >= 8 and p[3] == 'FUNC' and p[6] != 'UND' and p[2].isdigit() and int(p[2]) >= 16:
            funcs.append((p[7].split('@')[0], int(p[1], 16), int(p[2])))
    return funcs


def check_corpus(res, w):
    shared = gb.shared_dir()
    if not shared:
        res.skip('corpus images', '../shared not present')
        return
    if os.geteuid() != 0:
        res.skip('corpus images', 'mkfw needs root')
        return
    try:
        img1, img2 = profile_images(shared)
    except RuntimeError as e:
        res.check('corpus images built', False, str(e)[:300])
        return
    o = os.path.join(w, 'o-corpus')
    r = equiv([img1, img2, '-o', o, '--fail-on', 'missing'], timeout=1800)
    doc = load(o)
    bad = [(f['path'], f['verdict']) for f in doc.get('files', [])
           if f['verdict'] not in ('identical', 'equivalent')]
    res.check('profile images at two SOURCE_DATE_EPOCHs: every file identical or equivalent',
              r.rc == 0 and not bad and doc['summary'].get('shipped_files', 0) > 50,
              '%s, %d files, bad: %s' % (r.describe(), doc['summary'].get('shipped_files', 0), bad[:5]))

    # the rootfs directory of each side, as the scan extracted it
    roots = []
    for side in ('shipped', 'rebuilt'):
        found = None
        for dp, dn, fn in os.walk(os.path.join(o, side, 'extracted')):
            if os.path.basename(dp).endswith('-squashfs'):
                found = dp
                break
        roots.append(found)
    if not all(roots):
        res.check('corpus: rootfs directories found', False, str(roots))
        return
    patched = os.path.join(w, 'patched-root')
    shutil.copytree(roots[1], patched, symlinks=True)
    # an ELF whose .text holds a sized dynamic function symbol (readelf is the oracle)
    target = None
    for dp, dn, fn in sorted(os.walk(patched)):
        dn.sort()
        for n in sorted(fn):
            p = os.path.join(dp, n)
            if os.path.islink(p) or '.extracted' in p:
                continue
            with open(p, 'rb') as fh:
                if fh.read(4) != b'\x7fELF':
                    continue
            secs = readelf_sections(p)
            if '.text' not in secs:
                continue
            addr, off, size = secs['.text']
            for name, val, sz in readelf_funcs(p):
                v = val & ~1
                if addr <= v and v + 8 <= addr + size:
                    target = (p, name, off + (v - addr) + 4, v + 4)
                    break
            if target:
                break
        if target:
            break
    if not target:
        res.check('corpus: an ELF with a covered .text function', False, '')
        return
    path, func, off, vaddr = target
    data = bytearray(open(path, 'rb').read())
    data[off] ^= 0xff
    open(path, 'wb').write(bytes(data))
    rel = '/' + os.path.relpath(path, patched)
    o2 = os.path.join(w, 'o-patched')
    r = equiv([roots[0], patched, '-o', o2, '--fail-on', 'different'], timeout=1800)
    doc = load(o2)
    diff = [f for f in leaves(doc) if f['verdict'] not in ('identical', 'equivalent')]
    res.check('patched .text byte: exit 1 and exactly that file different',
              r.rc == 1 and [f['path'] for f in diff] == [rel],
              '%s, %s (patched %s)' % (r.describe(), [(f['path'], f['verdict']) for f in diff][:5], rel))
    fns = [(d.get('section'), d.get('function'), d['address']['start']) for f in diff
           for d in f.get('differences', [])]
    res.check('patched .text byte: the function is named (%s)' % func,
              fns == [('.text', func, vaddr)], str(fns))


def main():
    res = gb.Results('glassbox equiv')
    if not shutil.which('cc') or not shutil.which('strip'):
        gb.skip_all('no C compiler')
    w = gb.workdir('equiv')
    try:
        prog = build_programs(w)
        for name, fn in (('programs', check_programs), ('packed', check_packed), ('dirs', check_dirs),
                         ('cli', check_cli), ('rebuild', check_rebuild)):
            if gb.selected(name):
                fn(res, w, prog)
        if gb.selected('corpus'):
            check_corpus(res, w)
    finally:
        gb.rmtree(w)
    res.finish()


if __name__ == '__main__':
    main()
