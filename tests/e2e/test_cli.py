#!/usr/bin/python3
"""End-to-end: the CLI contract of `glassbox scan`.

  * exit 2 for usage errors (no arguments, unknown flag, missing IMAGE, bad option values);
  * exit 3 when the input cannot be read (missing file, a directory, a mode-000 file for an
    unprivileged user: as root the scan runs as 'nobody' through setpriv);
  * exit 0 for a normal scan; --json prints the report on stdout, equal to report.json;
  * without -o the output goes to ./glassbox-out/<image-name>/;
  * a rerun into the same OUTDIR succeeds and replaces extracted/;
  * report.json is never half-written: no temporary files are left, and a scan killed at any
    moment leaves either no report.json or a complete one.

Inputs are generated here with Python's tarfile/gzip (nothing from ../shared is needed).
"""
import gzip
import hashlib
import io
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402

EPOCH = 1700000000


def make_targz(path, files):
    """Deterministic .tar.gz with the given {name: bytes}."""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=tarfile.GNU_FORMAT) as tf:
        dirs = sorted({os.path.dirname(n) for n in files if os.path.dirname(n)})
        for d in dirs:
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, EPOCH
            tf.addfile(ti)
        for n in sorted(files):
            ti = tarfile.TarInfo(n)
            ti.size, ti.mode, ti.mtime = len(files[n]), 0o644, EPOCH
            tf.addfile(ti, io.BytesIO(files[n]))
    with open(path, 'wb') as f:
        f.write(gzip.compress(bio.getvalue(), compresslevel=6, mtime=EPOCH))


def pseudo_random(n, seed):
    out, i = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(b'%s:%d' % (seed, i)).digest()
        i += 1
    return bytes(out[:n])


def leftovers(outdir):
    """Names at the top of OUTDIR other than report.json and extracted/, plus anything that
    looks like a temporary file anywhere in it."""
    odd = [n for n in os.listdir(outdir) if n not in ('report.json', 'extracted')]
    for dp, dn, fn in os.walk(outdir):
        for n in fn + dn:
            low = n.lower()
            if low.endswith(('.tmp', '.part', '~', '.swp')) or low.startswith('.report') or \
                    low.startswith('report.json.') or '.tmp.' in low:
                odd.append(os.path.relpath(os.path.join(dp, n), outdir))
    return sorted(set(odd))


def main():
    exe = gb.glassbox()
    res = gb.Results('test_cli: glassbox scan command-line contract')
    tmp = gb.workdir('cli')
    try:
        small = os.path.join(tmp, 'small.tar.gz')
        make_targz(small, {'etc/hostname': b'glassbox-cli-test\n',
                           'etc/motd': b'hello\n', 'bin/tool': pseudo_random(4096, b'tool')})

        def rc_check(name, argv, want, **kw):
            r = gb.run(argv, timeout=120, cwd=tmp, **kw)
            res.check('%s -> exit %d' % (name, want), r.rc == want, r.describe(),
                      lines=r.stderr_tail(3) if r.rc != want else [])
            return r

        # usage errors
        rc_check('no arguments', [exe], 2)
        rc_check('unknown flag (glassbox --bogus)', [exe, '--bogus'], 2)
        rc_check('unknown subcommand', [exe, 'frobnicate', small], 2)
        rc_check('scan without IMAGE', [exe, 'scan'], 2)
        rc_check('scan --bogus-flag', [exe, 'scan', small, '--bogus-flag'], 2)
        rc_check('scan --jobs abc', [exe, 'scan', small, '-o', os.path.join(tmp, 'u1'),
                                     '--jobs', 'abc'], 2)
        rc_check('scan --max-depth -1', [exe, 'scan', small, '-o', os.path.join(tmp, 'u2'),
                                         '--max-depth', '-1'], 2)
        rc_check('scan --max-file-bytes (missing value)', [exe, 'scan', small,
                                                           '--max-file-bytes'], 2)
        rc_check('scan --analyzers with an unknown name', [exe, 'scan', small, '-o',
                                                          os.path.join(tmp, 'u3'),
                                                          '--analyzers', 'elf,nosuch'], 2)
        rc_check('scan --crack-budget 0', [exe, 'scan', small, '-o', os.path.join(tmp, 'u4'),
                                           '--crack-budget', '0'], 2)
        r = gb.run([exe, 'scan', small, '--bogus-flag'], timeout=60, cwd=tmp)
        res.check('usage error prints a message on stderr', r.rc == 2 and r.stderr.strip() != b'',
                  gb.esc(r.stderr.decode('utf-8', 'replace').strip().splitlines()[0], 100)
                  if r.stderr.strip() else 'stderr empty')

        # unreadable inputs
        rc_check('missing input file', [exe, 'scan', os.path.join(tmp, 'nope.bin'), '-o',
                                         os.path.join(tmp, 'm1')], 3)
        d = os.path.join(tmp, 'adir')
        os.mkdir(d)
        rc_check('a directory as input', [exe, 'scan', d, '-o', os.path.join(tmp, 'm2')], 3)
        locked = os.path.join(tmp, 'locked.bin')
        shutil.copy(small, locked)
        os.chmod(locked, 0)
        if os.geteuid() != 0:
            rc_check('mode-000 input', [exe, 'scan', locked, '-o', os.path.join(tmp, 'm3')], 3)
        elif shutil.which('setpriv'):
            nobody = pwd.getpwnam('nobody')
            od = os.path.join(tmp, 'm3')
            os.mkdir(od)
            os.chown(od, nobody.pw_uid, nobody.pw_gid)
            os.chmod(tmp, 0o755)
            if os.access(exe, os.X_OK) and all(
                    os.stat(p).st_mode & 0o001 for p in _parents(exe)):
                rc_check('mode-000 input (as nobody via setpriv)',
                         ['setpriv', '--reuid=%d' % nobody.pw_uid, '--regid=%d' % nobody.pw_gid,
                          '--clear-groups', exe, 'scan', locked, '-o', od], 3)
            else:
                res.skip('mode-000 input', 'the CLI binary is not reachable for user nobody')
        else:
            res.skip('mode-000 input', 'running as root without setpriv: mode 000 is readable')

        # --analyzers: only the named analyzers' sections and summaries
        oa = os.path.join(tmp, 'oa')
        rc_check('scan --analyzers fsperms,components', [exe, 'scan', small, '-o', oa,
                                                         '--analyzers', 'fsperms,components'], 0)
        da, err = gb.load_report(oa)
        res.check('--analyzers: an audit without elf[] and without the yara summary',
                  da is not None and 'audit' in da and 'elf' not in da
                  and 'yara' not in da.get('audit', {}), err or str(sorted((da or {}).keys())))

        # a normal scan, --json
        o1 = os.path.join(tmp, 'o1')
        r = rc_check('normal scan with --json', [exe, 'scan', small, '-o', o1, '--json'], 0)
        d1, err = gb.load_report(o1)
        res.check('report.json written and parses', d1 is not None, err or '')
        try:
            sj = json.loads(r.stdout.decode('utf-8'))
        except (ValueError, UnicodeDecodeError) as e:
            sj = None
            res.check('--json stdout is valid JSON', False, str(e)[:100],
                      lines=[gb.esc(r.stdout[:200])])
        else:
            res.check('--json stdout is valid JSON', True)
            res.check('--json stdout equals report.json', sj == d1)
        if d1:
            rep = gb.Report(d1, o1)
            inp = d1.get('input') or {}
            res.check('report schema_version 1, tool name, input sha256/size',
                      d1.get('schema_version') == 1 and (d1.get('tool') or {}).get('name') and
                      inp.get('sha256') == gb.file_sha256(small) and
                      inp.get('size') == os.path.getsize(small),
                      'schema %s tool %s' % (d1.get('schema_version'), d1.get('tool')))
            root = rep.nodes.get(0)
            res.check('node 0 is the input (parent null, format "input")',
                      root is not None and root.get('parent') is None and
                      root.get('format') == 'input', rep.describe(root) if root else 'no node 0')
            tarn = rep.of_format('tar')
            ok = False
            if tarn:
                m = rep.path_map(tarn[0]['id'])
                f = m.get('/etc/hostname')
                ok = bool(f and f.get('disk') and
                          open(rep.disk(f), 'rb').read() == b'glassbox-cli-test\n')
            res.check('gzip -> tar extracted (/etc/hostname on disk)', ok,
                      '; '.join(rep.describe(n) for n in rep.nodes.values()))
            res.check('no temporary files left in OUTDIR', not leftovers(o1),
                      ', '.join(leftovers(o1)[:5]))

        # default output directory
        cwd = os.path.join(tmp, 'cwd')
        os.mkdir(cwd)
        r = gb.run([exe, 'scan', small], timeout=120, cwd=cwd)
        cands = [os.path.join(cwd, 'glassbox-out', n) for n in ('small.tar.gz', 'small.tar', 'small')]
        hit = [c for c in cands if os.path.isfile(os.path.join(c, 'report.json'))]
        res.check('without -o: ./glassbox-out/<image-name>/report.json', r.rc == 0 and bool(hit),
                  (os.path.relpath(hit[0], cwd) if hit else 'not found; glassbox-out has %s' % (
                      os.listdir(os.path.join(cwd, 'glassbox-out'))
                      if os.path.isdir(os.path.join(cwd, 'glassbox-out')) else 'nothing')))
        if hit and not hit[0].endswith('small.tar.gz'):
            res.note('default directory is %s (image name without extension)' %
                     os.path.relpath(hit[0], cwd))

        # rerun into the same OUTDIR replaces extracted/
        o2 = os.path.join(tmp, 'o2')
        r = gb.run([exe, 'scan', small, '-o', o2], timeout=120, cwd=tmp)
        stray = os.path.join(o2, 'extracted', 'STRAY-FROM-EARLIER-RUN')
        if r.rc == 0 and os.path.isdir(os.path.join(o2, 'extracted')):
            with open(stray, 'w') as f:
                f.write('x\n')
            r = gb.run([exe, 'scan', small, '-o', o2], timeout=120, cwd=tmp)
            d2, err = gb.load_report(o2)
            res.check('rerun into the same OUTDIR succeeds', r.rc == 0 and d2 is not None,
                      r.describe() + (' ' + err if err else ''))
            res.check('rerun replaced extracted/ (stray file gone)', not os.path.exists(stray))
            res.check('rerun leaves no temporary files', not leftovers(o2),
                      ', '.join(leftovers(o2)[:5]))
        else:
            res.check('first scan into OUTDIR made extracted/', False, r.describe())

        # never half-written: kill scans of a bigger input at various moments
        big = os.path.join(tmp, 'big.tar.gz')
        make_targz(big, {'data/blob%02d.bin' % i: pseudo_random(1 << 20, b'b%d' % i)
                         for i in range(24)})
        o3 = os.path.join(tmp, 'o3')
        t0 = time.monotonic()
        r = gb.run([exe, 'scan', big, '-o', o3], timeout=300, cwd=tmp)
        full = time.monotonic() - t0
        good, _ = gb.load_report(o3)
        res.check('scan of a 24 MiB tar.gz', r.rc == 0 and good is not None,
                  '%s in %.2fs' % (r.describe(), full))
        rnd = random.Random(7)
        broken = []
        delays = [0.0, 0.005, 0.02, 0.05] + [rnd.uniform(0, max(full, 0.1) * 1.1)
                                             for _ in range(8)]
        for delay in delays:
            p = subprocess.Popen([exe, 'scan', big, '-o', o3], cwd=tmp,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            time.sleep(delay)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.wait()
            if os.path.exists(os.path.join(o3, 'report.json')):
                d3, err = gb.load_report(o3)
                if d3 is None:
                    broken.append('killed after %.3fs: %s' % (delay, err))
        res.check('report.json never half-written (%d scans killed at random moments)' %
                  len(delays), not broken, lines=broken[:5])
        r = gb.run([exe, 'scan', big, '-o', o3], timeout=300, cwd=tmp)
        d3, err = gb.load_report(o3)
        res.check('a scan after killed ones succeeds and leaves no temporary files',
                  r.rc == 0 and d3 is not None and not leftovers(o3),
                  '%s %s' % (r.describe(), ', '.join(leftovers(o3)[:5])))

        # disk full while extracting, simulated with RLIMIT_FSIZE: a clear error, exit 4,
        # a complete report that says where it stopped, and a rerun succeeds
        o6 = os.path.join(tmp, 'o6')
        big_file = os.path.join(tmp, 'full.tar.gz')
        make_targz(big_file, {'a/%d.bin' % i: pseudo_random(300000, b'f%d' % i)
                              for i in range(8)})

        def small_fsize():
            import resource
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        r = gb.run([exe, 'scan', big_file, '-o', o6, '--no-audit'], timeout=120, cwd=tmp,
                   preexec=small_fsize)
        d6, err = gb.load_report(o6)
        res.check('disk full (RLIMIT_FSIZE) -> exit 4 with a clear error',
                  r.rc == 4 and b'File too large' in r.stderr, r.describe(),
                  lines=r.stderr_tail(3))
        res.check('disk full: report.json complete and says which node stopped',
                  d6 is not None and not leftovers(o6) and
                  any('File too large' in (n.get('error') or '') for n in d6.get('nodes') or []),
                  err or '')
        r = gb.run([exe, 'scan', big_file, '-o', o6, '--no-audit'], timeout=120, cwd=tmp)
        d6, err = gb.load_report(o6)
        res.check('disk full: a rerun into the same OUTDIR succeeds',
                  r.rc == 0 and d6 is not None and
                  len([f for f in d6.get('files') or [] if f.get('type') == 'file' and
                       f.get('path', '').startswith('/a/')]) == 8,
                  r.describe())

        # the limit flags are accepted
        o4 = os.path.join(tmp, 'o4')
        rc_check('all limit flags accepted', [exe, 'scan', small, '-o', o4, '--jobs', '1',
                                              '--max-depth', '8', '--max-entries', '1000',
                                              '--max-file-bytes', '1000000',
                                              '--max-total-bytes', '100000000'], 0)
        o5 = os.path.join(tmp, 'o5')
        r = rc_check('--max-depth 1 scan', [exe, 'scan', small, '-o', o5, '--max-depth', '1'], 0)
        d5, _ = gb.load_report(o5)
        if d5:
            deep = [n for n in d5.get('nodes') or [] if (n.get('depth') or 0) > 1]
            res.check('--max-depth 1: nothing deeper than 1 is unpacked',
                      all(n.get('status') != 'ok' for n in deep),
                      '; '.join('%s depth=%s status=%s' % (n.get('format'), n.get('depth'),
                                                           n.get('status'))
                                for n in d5.get('nodes') or []))
    finally:
        gb.rmtree(tmp)
    res.finish()


def _parents(path):
    p = os.path.dirname(os.path.abspath(path))
    while True:
        yield p
        if p == '/':
            return
        p = os.path.dirname(p)


if __name__ == '__main__':
    main()
