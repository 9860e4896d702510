#!/usr/bin/python3
"""End-to-end audit (issues 4 and 5): planted indicators, ELF facts and components vs truth.

For each standard profile the image is scanned with the audit on, and every plant of
truth.json must appear in report.json findings[] with the right rule, path, line and details
(user, password, key type and bits, port, request parameter); every ELF of truth.json elfs[]
must have the same hardening facts in report.json elf[]; and on the profile without plants no
finding may be above severity low. Truth comes from the corpus generator (../shared), never
from glassbox's own earlier output.
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402
import check_components  # noqa: E402

SEVERITY = {'info': 0, 'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
# truth's machine names -> report's e_machine names
MACHINE = {'x86': '386', 'x86-64': 'X86_64', 'ARM': 'ARM', 'AArch64': 'AARCH64', 'MIPS': 'MIPS',
           'PowerPC': 'PPC', 'PowerPC64': 'PPC64', 'RISC-V': 'RISCV', 'S390': 'S390'}
KEY_TYPE = {'rsa1024': ('rsa', 1024), 'rsa2048': ('rsa', 2048), 'ec': ('ec', 256),
            'ed25519': ('ed25519', None), 'openssh': ('ed25519', None)}
CERT_RULE = {'selfsigned': 'cert.self-signed', 'expired': 'cert.expired',
             'weak-rsa1024': 'cert.weak-key'}
SERVICE_RULE = {'telnetd-inittab': 'service.telnet', 'telnetd-rcs': 'service.telnet',
                'bind-shell': 'service.bind-shell', 'debug-uart-getty': 'service.autologin-console'}


def details(f):
    return f.get('details') or {}


def find(findings, rule, path, **want):
    """The findings of that rule and path whose details include every want item."""
    hits = []
    for f in findings:
        if f.get('rule') != rule or f.get('path') != path:
            continue
        d = details(f)
        if all((f.get(k) if k == 'line' else d.get(k)) == v for k, v in want.items()):
            hits.append(f)
    return hits


def expectations(plant):
    """[(rule, path, {detail: value})] a plant must produce."""
    k, path = plant['kind'], plant['path']
    exp = []
    if k == 'shadow-user':
        exp.append(('credential.default-password', path,
                    {'user': plant['user'], 'password': plant['password']}))
        if plant.get('hash_algo') in ('md5', 'des'):
            exp.append(('credential.weak-hash', path, {'user': plant['user']}))
    elif k == 'empty-password':
        exp.append(('account.empty-password', None, {'user': plant['user']}))
    elif k == 'uid0':
        exp.append(('account.uid0-extra', path, {'user': plant['user']}))
    elif k == 'passwd-hash-in-passwd':
        exp.append(('account.hash-in-passwd', path, {'user': plant['user']}))
        exp.append(('credential.default-password', path,
                    {'user': plant['user'], 'password': plant['password']}))
    elif k == 'private-key':
        typ, bits = KEY_TYPE[plant['key_type']]
        want = {'type': typ}
        if bits:
            want['bits'] = bits
        exp.append(('key.private', path, want))
    elif k == 'authorized-key':
        exp.append(('key.authorized-keys', path, {}))
    elif k == 'cert':
        exp.append((CERT_RULE[plant['cert_kind']], path, {}))
    elif k in SERVICE_RULE:
        want = {'line': plant['line']}
        if plant.get('port'):
            want['port'] = plant['port']
        exp.append((SERVICE_RULE[k], path, want))
    elif k == 'setuid':
        exp.append(('fs.setuid', path, {}))
    elif k == 'world-writable':
        exp.append(('fs.world-writable', path, {}))
    elif k == 'token':
        exp.append(('secret.token', path, {}))
    elif k == 'hidden-cmd':
        exp.append(('web.hidden-command', path, {'parameter': plant['parameter'],
                                                 'magic_value': plant['magic_value'],
                                                 'command_parameter': plant['command_parameter']}))
    return exp


def check_plants(res, name, rep, truth):
    findings = rep.get('findings') or []
    for plant in truth.get('plants', []):
        for rule, path, want in expectations(plant):
            if path is None:   # empty password: in passwd or shadow, whichever holds it
                hits = find(findings, rule, '/etc/shadow', **want) or \
                    find(findings, rule, '/etc/passwd', **want)
            else:
                hits = find(findings, rule, path, **want)
            res.check('%s: %s %s %s' % (name, rule, path or '/etc/{passwd,shadow}',
                                        json.dumps(want, sort_keys=True)),
                      bool(hits),
                      '' if hits else 'not reported; %s findings of that rule: %s' % (
                          sum(f.get('rule') == rule for f in findings),
                          gb.esc(json.dumps([[f.get('path'), f.get('line'), details(f)]
                                             for f in findings if f.get('rule') == rule][:4]),
                                 400)))


def check_clean(res, name, rep):
    bad = [f for f in rep.get('findings') or [] if SEVERITY.get(f.get('severity'), 0) > 1]
    res.check('%s: no finding above low on an image without plants' % name, not bad,
              gb.esc(json.dumps([[f['rule'], f['path'], f.get('message')] for f in bad][:6]), 600))


def check_elfs(res, name, rep, truth):
    mine = {}
    for e in rep.get('elf') or []:
        mine.setdefault(e.get('path'), e)
    bad = []
    for t in truth.get('elfs', []):
        e = mine.get(t['path'])
        if e is None:
            bad.append('%s: missing' % t['path'])
            continue
        diffs = []
        want = {'machine': MACHINE.get(t['machine'], t['machine']), 'class': t['class'],
                'endian': t['endianness'], 'type': t['type'], 'nx': t['nx'], 'pie': t['pie'],
                'relro': t['relro'], 'canary': t['canary'], 'fortify': t['fortify'],
                'stripped': t['stripped']}
        for k, v in want.items():
            if e.get(k) != v:
                diffs.append('%s %r != %r' % (k, e.get(k), v))
        if bool(t.get('interp')) != bool(e.get('interpreter')):   # truth: PT_INTERP present
            diffs.append('interpreter %r, truth has PT_INTERP: %r' % (e.get('interpreter'),
                                                                       t.get('interp')))
        names = {u['name'] for u in e.get('unsafe_imports') or []}
        family = {'strcpy', 'strcat', 'sprintf', 'vsprintf', 'gets', 'scanf', 'sscanf',
                  'strncpy', 'strncat', 'memcpy', 'system', 'popen', 'execl', 'execv', 'execve'}
        if sorted(names & family) != sorted(t['unsafe_imports']):
            diffs.append('unsafe %s != %s' % (sorted(names & family), t['unsafe_imports']))
        if diffs:
            bad.append('%s: %s' % (t['path'], '; '.join(diffs)))
    n = len(truth.get('elfs', []))
    res.check('%s: ELF facts equal truth for all %d ELF files' % (name, n), not bad,
              '%d differ' % len(bad), lines=[gb.esc(b, 300) for b in bad[:8]])


def check_fail_on(res, name, img, tmp, rep):
    """--fail-on SEVERITY: exit 1 exactly when a finding is at or above it."""
    top = max([SEVERITY.get(f.get('severity'), 0) for f in rep.get('findings') or []],
              default=-1)
    for sev in ('critical', 'medium'):
        r = gb.run(gb.scan_argv(img, os.path.join(tmp, 'out-' + sev), ['--fail-on', sev]),
                   timeout=900, cwd=tmp)
        want = 1 if top >= SEVERITY[sev] else 0
        res.check('%s: --fail-on %s exits %d' % (name, sev, want), r.rc == want,
                  'exit %s' % r.rc)


def main():
    shared = gb.require_shared()
    gb.glassbox()
    res = gb.Results('test_audit: planted indicators and ELF facts vs truth.json')
    cache = gb.cache_dir()
    wordlist = os.path.join(gb.source_root(), 'tests', 'data', 'wordlist-evaluator.txt')
    for p in sorted(glob.glob(os.path.join(shared, 'corpus', 'profiles', '*.profile'))):
        name = gb.profile_name(p)
        if not gb.selected(name):
            continue
        gb.out('-- %s' % name)
        img, truth_path = gb.ensure_profile_image(shared, p, cache)
        truth = json.load(open(truth_path))
        tmp = gb.workdir(name)
        try:
            outdir = os.path.join(tmp, 'out')
            r = gb.run(gb.scan_argv(img, outdir, ['--wordlist', wordlist]), timeout=900, cwd=tmp)
            res.check('%s: scan exits 0' % name, r.rc == 0, 'exit %s' % r.rc)
            rep, err = gb.load_report(outdir)
            if rep is None:
                res.check('%s: report.json parses' % name, False, err)
                continue
            if truth.get('plants'):
                check_plants(res, name, rep, truth)
            else:
                check_clean(res, name, rep)
            check_elfs(res, name, rep, truth)
            fails = check_components.check(os.path.join(outdir, 'report.json'), truth_path)
            res.check('%s: components and versions equal truth (every copy, no false version)'
                      % name, not fails, '%d problems' % len(fails),
                      lines=[gb.esc(f, 300) for f in fails[:8]])
            check_fail_on(res, name, img, tmp, rep)
        finally:
            gb.rmtree(tmp)
    res.finish()


if __name__ == '__main__':
    main()
