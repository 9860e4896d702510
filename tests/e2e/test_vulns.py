#!/usr/bin/python3
"""End-to-end: known vulnerabilities of every corpus profile against an independent matcher.

../shared/vulnfeed/feed.json (40 real NVD API 2.0 records) is imported with
`glassbox vulndb import` into a temporary database; every profile image (profiles/ and
profiles/extra/, built with mkfw into the corpus cache) is scanned with `--vulndb`; for
every component of report.json whose (name, version) ../shared/vulnfeed/expected.json
covers, the CVE ids listed (applicable or not) must equal expected.json's "affected" plus
"conditional_and_configs" (computed by a reference matcher that is not glassbox, from the
NVD configurations). A component of truth.json that expected.json covers and the report
lacks is a failure too (nothing to compare would make the check vacuous). Each entry must
carry the report fields (id, cvss, severity, summary, applicable, reason).

Also: `vulndb stats` says 40 records, and the scan (read-only, immutable database, inside
its sandbox) leaves nothing beside the database file.
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbtest as gb  # noqa: E402

# report.json component names -> expected.json "component"
NAMES = {'BusyBox': 'busybox', 'Dropbear': 'dropbear', 'OpenSSL': 'openssl', 'dnsmasq': 'dnsmasq',
         'lighttpd': 'lighttpd', 'curl': 'curl', 'zlib': 'zlib', 'OpenSSH': 'openssh'}
# truth.json component names -> expected.json "component"
TRUTH_NAMES = {'BusyBox': 'busybox', 'Dropbear': 'dropbear', 'OpenSSL': 'openssl',
               'dnsmasq': 'dnsmasq', 'lighttpd': 'lighttpd', 'curl': 'curl', 'zlib': 'zlib',
               'openssh': 'openssh', 'OpenSSH': 'openssh'}
FIELDS = ('id', 'cvss', 'severity', 'summary', 'applicable', 'reason')


def norm(v):
    """1.35 == 1.35.0 (versions compared without trailing .0 parts)."""
    v = str(v)
    while v.endswith('.0') and v.count('.') > 1:
        v = v[:-2]
    return v


def main():
    shared = gb.require_shared()
    feed = os.path.join(shared, 'vulnfeed', 'feed.json')
    expected_path = os.path.join(shared, 'vulnfeed', 'expected.json')
    if not os.path.isfile(feed) or not os.path.isfile(expected_path):
        gb.skip_all('../shared/vulnfeed/feed.json or expected.json not present')
    exe = gb.glassbox()
    res = gb.Results('test_vulns: CVEs per component vs ../shared/vulnfeed/expected.json')
    expected = {}
    for t in json.load(open(expected_path))['targets']:
        expected[(t['component'], norm(t['version']))] = t

    tmp = gb.workdir('vulns')
    try:
        dbdir = os.path.join(tmp, 'db')
        os.makedirs(dbdir)
        db = os.path.join(dbdir, 'vulndb.sqlite')
        r = gb.run([exe, 'vulndb', 'import', '--vulndb', db, feed], timeout=300)
        res.check('vulndb import feed.json', r.rc == 0,
                  r.stdout.decode('utf-8', 'replace').splitlines()[0] if r.stdout else r.describe(),
                  lines=[] if r.rc == 0 else r.stderr_tail())
        if r.rc != 0:
            res.finish()
        r = gb.run([exe, 'vulndb', 'stats', '--json', '--vulndb', db], timeout=60)
        try:
            st = json.loads(r.stdout.decode('utf-8'))
        except ValueError:
            st = {}
        res.check('vulndb stats: 40 records', st.get('records') == 40,
                  'records %s, CPE rows %s' % (st.get('records'), st.get('cpe_rows')))

        profiles = sorted(glob.glob(os.path.join(shared, 'corpus', 'profiles', '*.profile')) +
                          glob.glob(os.path.join(shared, 'corpus', 'profiles', 'extra', '*.profile')))
        cache = gb.cache_dir()
        totals = [0, 0]
        for p in profiles:
            name = gb.profile_name(p)
            if not gb.selected(name):
                continue
            gb.out('-- %s' % name)
            try:
                img, truth_path = gb.ensure_profile_image(shared, p, cache)
            except (RuntimeError, OSError) as e:
                res.check('%s: corpus image built' % name, False, str(e).splitlines()[0])
                continue
            truth = json.load(open(truth_path))
            outdir = os.path.join(tmp, name)
            r = gb.run(gb.scan_argv(img, outdir, ['--vulndb', db]), timeout=900, cwd=tmp)
            rep = gb.scan_checks(res, name, r, outdir)
            if rep is None:
                continue
            got = {}
            for c in rep.d.get('components') or []:
                key = (NAMES.get(c.get('name')), norm(c.get('version')))
                if key in expected:
                    got[key] = c
            want = set()
            for c in truth.get('components') or []:
                key = (TRUTH_NAMES.get(c.get('name')), norm(c.get('version')))
                if key in expected and c.get('version_string_in'):
                    want.add(key)
            for key in sorted(want - set(got)):
                res.check('%s: %s %s identified (expected.json covers it)' % (name, key[0], key[1]),
                          False, 'not in report.json components[]')
            for key in sorted(got):
                c, t = got[key], expected[key]
                ids = [v.get('id') for v in c.get('vulnerabilities') or []]
                exp_ids = set(t['affected']) | set(t.get('conditional_and_configs') or [])
                missing, extra = sorted(exp_ids - set(ids)), sorted(set(ids) - exp_ids)
                dup = len(ids) != len(set(ids))
                bad_fields = [v.get('id') for v in c.get('vulnerabilities') or []
                              if any(f not in v for f in FIELDS)]
                ok = not missing and not extra and not dup and not bad_fields
                totals[0 if ok else 1] += 1
                na = [v.get('id') for v in c.get('vulnerabilities') or []
                      if v.get('applicable') is False]
                detail = '%d/%d matched' % (len(exp_ids & set(ids)), len(exp_ids))
                if na:
                    detail += ' (%d not applicable: %s)' % (len(na), ', '.join(na))
                lines = []
                if missing:
                    lines.append('missing: ' + ', '.join(missing))
                if extra:
                    lines.append('not in expected.json: ' + ', '.join(extra))
                if dup:
                    lines.append('an id is listed twice')
                if bad_fields:
                    lines.append('entries without %s: %s' % ('/'.join(FIELDS), ', '.join(bad_fields)))
                res.check('%s: %s %s CVEs == expected.json' % (name, c.get('name'), c.get('version')),
                          ok, detail, lines=lines)
            vs = ((rep.d.get('audit') or {}).get('vulndb') or {})
            res.check('%s: vulnerability database used' % name, vs.get('used') is True,
                      vs.get('error') or vs.get('path') or '')
            gb.rmtree(outdir)
        res.note('%d component versions compared with expected.json: %d equal, %d differ'
                 % (sum(totals), totals[0], totals[1]))
        left = sorted(os.listdir(dbdir))
        res.check('scans left nothing beside the database (read-only, immutable)',
                  left == ['vulndb.sqlite'], ', '.join(left))
    finally:
        gb.rmtree(tmp)
    res.finish()


if __name__ == '__main__':
    main()
