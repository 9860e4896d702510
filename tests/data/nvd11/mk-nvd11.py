#!/usr/bin/env python3
"""Re-shape real NVD API 2.0 records (../nvd/) as an NVD 1.1 JSON feed.

NVD retired the 1.1 feeds in 2023; the records kept here are 2.0 records. This
writes the same data (id, English description, CVSS v3.x and v2 primary metrics,
configurations with their operators, vulnerable flags, CPE strings and version
ranges, dates) in the 1.1 layout (csrc.nist.gov/schema/nvd/feed/1.1), the way
NVD's own 1.1 feeds carried it:
  CVE_Items[].cve.CVE_data_meta.ID, .cve.description.description_data[],
  .configurations.nodes[] (an AND configuration is one node with operator AND
  and one OR child per 2.0 node), .impact.baseMetricV3/.baseMetricV2,
  .publishedDate, .lastModifiedDate.

usage (from tests/data/nvd11): ./mk-nvd11.py nvdcve-1.1-sample.json ../nvd/CVE-2022-28391.json \
      ../nvd/CVE-2021-42374.json ../nvd/CVE-2023-28450.json ../nvd/CVE-2023-38408.json \
      ../nvd/CVE-2022-30065.json
"""
import json
import sys


def cpe_match(m):
    r = {'vulnerable': m['vulnerable'], 'cpe23Uri': m['criteria']}
    for k in ('versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding',
              'versionEndExcluding'):
        if k in m:
            r[k] = m[k]
    r['cpe_name'] = []
    return r


def node(n):
    return {'operator': n.get('operator', 'OR'), 'children': [],
            'cpe_match': [cpe_match(m) for m in n['cpeMatch']]}


def item(cve):
    nodes = []
    for c in cve.get('configurations', []):
        if c.get('operator') == 'AND':
            nodes.append({'operator': 'AND', 'children': [node(n) for n in c['nodes']],
                          'cpe_match': []})
        else:
            nodes.extend(node(n) for n in c['nodes'])
    impact = {}
    for key in ('cvssMetricV31', 'cvssMetricV30'):
        for m in cve.get('metrics', {}).get(key, []):
            if m.get('type') == 'Primary' and 'baseMetricV3' not in impact:
                impact['baseMetricV3'] = {'cvssV3': m['cvssData'],
                                          'exploitabilityScore': m.get('exploitabilityScore'),
                                          'impactScore': m.get('impactScore')}
    for m in cve.get('metrics', {}).get('cvssMetricV2', []):
        if m.get('type') == 'Primary':
            impact['baseMetricV2'] = {'cvssV2': m['cvssData'], 'severity': m.get('baseSeverity')}
    desc = [d for d in cve.get('descriptions', []) if d.get('lang') == 'en']
    return {
        'cve': {'data_type': 'CVE', 'data_format': 'MITRE', 'data_version': '4.0',
                'CVE_data_meta': {'ID': cve['id'], 'ASSIGNER': cve.get('sourceIdentifier', '')},
                'description': {'description_data': desc}},
        'configurations': {'CVE_data_version': '4.0', 'nodes': nodes},
        'impact': impact,
        'publishedDate': cve.get('published'),
        'lastModifiedDate': cve.get('lastModified'),
    }


def main():
    out, files = sys.argv[1], sys.argv[2:]
    items = [item(json.load(open(f))) for f in files]
    feed = {'CVE_data_type': 'CVE', 'CVE_data_format': 'MITRE', 'CVE_data_version': '4.0',
            'CVE_data_numberOfCVEs': str(len(items)), 'CVE_data_timestamp': '2026-06-17T00:00Z',
            'CVE_Items': items}
    with open(out, 'w') as f:
        json.dump(feed, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
