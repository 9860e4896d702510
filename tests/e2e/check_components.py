#!/usr/bin/env python3
"""Compare report.json's "components" with a corpus truth.json (mkfw-truth/1).

The oracle is the generator's truth (../shared/corpus/README.md), never our own
output:

* every truth component whose version text is in its ELF files
  (`version_string_in` non-empty) must be reported with exactly that version
  and with every one of those paths as a copy;
* a kernel whose version text is in the kernel blob
  (`version_string_in_kernel_blob`) must be reported as Linux with that
  version (any path: it is the decompressed kernel, not a rootfs file);
* no component version may be reported that the image does not hold: every
  reported (name, version) must be a truth component (names mapped below,
  versions compared after dropping trailing ".0" parts, e.g. hostapd 2.9.0
  vs. its "v2.9" banner).

Copies at paths the truth does not list for that version (a file of another
package that carries the same version text) are listed as notes, not
failures.

    check(report_path, truth_path) -> failures (list of strings, empty when all is right)
    check_detail(report_path, truth_path) -> (failures, notes, stats)

Usage: check_components.py REPORT.json TRUTH.json [REPORT TRUTH ...]
"""
import json
import sys

# truth.json names (mkfw: BusyBox, OpenSSL..., else the Debian source name)
# -> glassbox names (data/components.json)
NAME_MAP = {
    "ppp": ["pppd"],
    "gmp": ["GMP"],
    "libzstd": ["zstd"],
    "libnl3": ["libnl"],
    "wpa": ["wpa_supplicant", "hostapd"],
    "expat": ["Expat"],
    "sqlite3": ["SQLite"],
    "xz-utils": ["XZ Utils"],
    "openssh": ["OpenSSH"],
    "pcre3": ["PCRE"],
    "pcre2": ["PCRE2"],
    "net-snmp": ["Net-SNMP"],
    "iproute2": ["iproute2"],
    "lzo2": ["LZO"],
    "wget": ["Wget"],
    "samba": ["Samba"],
    "avahi": ["Avahi"],
    "miniupnpd": ["MiniUPnPd"],
    "ntp": ["NTP"],
    "frr": ["FRRouting"],
    "quagga": ["Quagga"],
    "bird2": ["BIRD"],
    "bird": ["BIRD"],
    "strongswan": ["strongSwan"],
    "openvpn": ["OpenVPN"],
    "mbedtls": ["Mbed TLS"],
    "gnutls28": ["GnuTLS"],
    "wolfssl": ["wolfSSL"],
    "libressl": ["LibreSSL"],
    "u-boot": ["U-Boot"],
}


def our_names(truth_name):
    return NAME_MAP.get(truth_name, [truth_name])


def norm_version(v):
    v = v or ""
    while v.endswith(".0") and v.count(".") > 1:
        v = v[:-2]
    return v


def check(report_path, truth_path):
    return check_detail(report_path, truth_path)[0]


def check_detail(report_path, truth_path):
    report = json.load(open(report_path))
    truth = json.load(open(truth_path))
    comps = report.get("components") or []
    failures, notes = [], []

    found = {}  # (name, version) -> set of paths
    for c in comps:
        key = (c["name"], c.get("version"))
        found.setdefault(key, set()).update(cp["path"] for cp in c.get("copies", []))

    expected = {}  # (our name candidates tuple, version) -> set of paths
    kernels = []
    truth_versions = set()  # (our name, normalised version)
    truth_paths = {}  # (our name, normalised version) -> all package paths
    for t in truth.get("components", []):
        names = tuple(our_names(t["name"]))
        for n in names:
            truth_versions.add((n, norm_version(t["version"])))
            truth_paths.setdefault((n, norm_version(t["version"])), set()).update(t.get("paths", []))
        if t.get("version_string_in"):
            expected.setdefault((names, t["version"]), set()).update(t["version_string_in"])
        if t.get("location") == "container-kernel" and t.get("version_string_in_kernel_blob"):
            kernels.append(t["version"])

    stats = {"expected": 0, "found": 0, "spurious": 0, "extra_copies": 0}
    for (names, version), paths in sorted(expected.items()):
        stats["expected"] += 1
        got = set()
        for n in names:
            got |= found.get((n, version), set())
        if not got:
            failures.append("missing: %s %s (copies expected at %s)" % ("/".join(names), version,
                                                                        ", ".join(sorted(paths))))
            continue
        missing = sorted(paths - got)
        if missing:
            failures.append("%s %s: %d of %d copies missing: %s" % ("/".join(names), version, len(missing),
                                                                  len(paths), ", ".join(missing)))
        else:
            stats["found"] += 1
    for version in kernels:
        stats["expected"] += 1
        if ("Linux", version) in found:
            stats["found"] += 1
        else:
            failures.append("missing: Linux %s (the kernel blob holds the version text)" % version)

    for (name, version), paths in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if version is None:
            notes.append("%s without version at %s" % (name, ", ".join(sorted(paths))))
            continue
        if (name, norm_version(version)) not in truth_versions:
            stats["spurious"] += 1
            failures.append("spurious: %s %s at %s" % (name, version, ", ".join(sorted(paths))))
            continue
        listed = set()
        for (names, v), p in expected.items():
            if name in names and v == version:
                listed |= p
        extra = sorted(paths - listed - truth_paths.get((name, norm_version(version)), set()))
        if name != "Linux" and extra:
            stats["extra_copies"] += len(extra)
            notes.append("%s %s: copies outside the truth's package paths: %s" % (name, version, ", ".join(extra)))
    return failures, notes, stats


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(__doc__)
    bad = 0
    for i in range(1, len(argv), 2):
        failures, notes, stats = check_detail(argv[i], argv[i + 1])
        print("%s: expected %d, found %d, spurious %d, extra copies %d" % (
            argv[i + 1], stats["expected"], stats["found"], stats["spurious"], stats["extra_copies"]))
        for f in failures:
            print("  FAIL " + f)
        for n in notes:
            print("  note " + n)
        bad += bool(failures)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
