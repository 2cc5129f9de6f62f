#!/usr/bin/env python3
# tests/integration/status_render.py -- parse a status worker document with
# a real parser (xml.etree, json, a Java-properties reader, shlex for text,
# the Prometheus text grammar) into "lb/member/key" -> value, then print the
# values asked for.   status_render.py FORMAT FILE [lb/member/key ...]
# FORMAT "dump" is cmd=dump as text; dumps' mount rules are
# "mount/SERVER/TYPE PATTERN/ATTR".
# Exit status 2 when the document does not parse.
import json
import re
import shlex
import sys
import xml.etree.ElementTree as ET


def local(tag):
    return tag.rsplit('}', 1)[-1].rsplit(':', 1)[-1]


def parse_xml(text):
    root = ET.fromstring(text.encode('utf-8'))
    d = {}
    for el in root.iter():
        if local(el.tag) == 'balancer':
            lb = el.get('name')
            for k, v in el.attrib.items():
                d['%s/-/%s' % (lb, k)] = v
            for m in el:
                if local(m.tag) == 'member':
                    for k, v in m.attrib.items():
                        d['%s/%s/%s' % (lb, m.get('name'), k)] = v
        elif local(el.tag) == 'ajp':
            for k, v in el.attrib.items():
                d['ajp/%s/%s' % (el.get('name'), k)] = v
        elif local(el.tag) == 'result':
            d['result/-/type'] = el.get('type')
        elif local(el.tag) == 'property':
            d['prop/%s/value' % el.get('key')] = el.get('value')
        elif local(el.tag) == 'mount':
            add_mount(d, el.attrib)
    return d


def add_mount(d, m):
    """A dump's mount rule: mount/SERVER/TYPE PATTERN/ATTR -> value (a
    second rule with the same key gets '#2' after its type)."""
    key = 'mount/%s/%s %s/' % (m['server'], m['type'], m['pattern'])
    if key + 'worker' in d:
        key = 'mount/%s/%s#2 %s/' % (m['server'], m['type'], m['pattern'])
    for k, v in m.items():
        d[key + k] = str(v)


def parse_json(text):
    doc = json.loads(text)
    d = {'result/-/type': doc['result']['type']}
    for b in doc.get('balancers', []):
        for k, v in b.items():
            if k != 'members':
                d['%s/-/%s' % (b['name'], k)] = v
        for m in b['members']:
            for k, v in m.items():
                d['%s/%s/%s' % (b['name'], m['name'], k)] = v
    for a in doc.get('ajp_workers', []):
        for k, v in a.items():
            d['ajp/%s/%s' % (a['name'], k)] = v
    for p in doc.get('properties', []):
        d['prop/%s/value' % p['key']] = p['value']
    for m in doc.get('mounts', []):
        add_mount(d, m)
    return d


def read_properties(text):
    """Java .properties: key=value or key:value, # ! comments, \\uXXXX."""
    out = []
    for raw in text.splitlines():
        line = raw.lstrip()
        if not line or line[0] in '#!':
            continue
        m = re.match(r'((?:[^=:\\\s]|\\.)+)\s*[=:]?\s*(.*)$', line)
        if not m:
            raise ValueError('bad properties line: %r' % raw)

        def unesc(s):
            return re.sub(r'\\u([0-9a-fA-F]{4})|\\(.)',
                          lambda x: chr(int(x.group(1), 16)) if x.group(1)
                          else {'t': '\t', 'n': '\n', 'r': '\r',
                                'f': '\f'}.get(x.group(2), x.group(2)), s)
        out.append((unesc(m.group(1)), unesc(m.group(2))))
    return out


def parse_prop(text, prefix='worker'):
    d = {}
    cur = {}
    lbs = set()
    for k, v in read_properties(text):
        parts = k.split('.')
        if parts[0] != prefix:
            raise ValueError('key without prefix: ' + k)
        if len(parts) == 3 and parts[2] == 'balance_workers':
            cur[v] = parts[1]
            lbs.add(parts[1])
            continue
        if len(parts) == 3 and parts[1] == 'result':
            d['result/-/' + parts[2]] = v
        elif len(parts) == 3 and parts[1] in lbs and parts[1] not in cur:
            d['%s/-/%s' % (parts[1], parts[2])] = v
        elif len(parts) == 3 and parts[1] in cur:
            d['%s/%s/%s' % (cur[parts[1]], parts[1], parts[2])] = v
        elif len(parts) == 3:
            d['%s/-/%s' % (parts[1], parts[2])] = v
            if parts[2] == 'type' and v == 'lb':
                lbs.add(parts[1])
            d['ajp/%s/%s' % (parts[1], parts[2])] = v
        else:
            d['-/-/' + '.'.join(parts[1:])] = v
    return d


def parse_txt(text):
    d = {}
    lb = None
    for line in text.splitlines():
        head, _, rest = line.partition(': ')
        kv = dict(x.split('=', 1) for x in shlex.split(rest) if '=' in x)
        if head == 'Balancer Worker':
            lb = kv['name']
            for k, v in kv.items():
                d['%s/-/%s' % (lb, k)] = v
        elif head == 'Member':
            for k, v in kv.items():
                d['%s/%s/%s' % (lb, kv['name'], k)] = v
        elif head == 'AJP Worker':
            for k, v in kv.items():
                d['ajp/%s/%s' % (kv['name'], k)] = v
        elif head == 'Result':
            d['result/-/type'] = kv.get('type')
    return d


def parse_dump(text):
    """cmd=dump as text (mime txt, prop, prometheus): a properties file
    whose '# Mount:' comment lines are the mount rules."""
    d = {}
    for k, v in read_properties(text):
        d['prop/%s/value' % k] = v
    for line in text.splitlines():
        if line.startswith('# Mount: '):
            add_mount(d, dict(x.split('=', 1)
                              for x in shlex.split(line[len('# Mount: '):])))
    return d


PROM_LINE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|'
    r'\\.)*",?)*\})? (-?[0-9.eE+]+|NaN|\+Inf|-Inf)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prom(text):
    d = {}
    typed = set()
    for line in text.splitlines():
        if line.startswith('# TYPE '):
            name = line.split()[2]
            if name in typed:
                raise ValueError('metric declared twice: ' + name)
            typed.add(name)
            continue
        if line.startswith('#') or not line:
            continue
        m = PROM_LINE.match(line)
        if not m:
            raise ValueError('bad sample line: %r' % line)
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        if name not in typed:
            raise ValueError('sample before its TYPE: ' + name)
        lab = dict(LABEL.findall(labels))
        if 'member' in lab:
            key = '%s/%s/' % (lab['lb'], lab['member'])
            if name == 'ajplb_member_state':
                if value == '1':
                    d[key + 'state'] = lab['state']
                continue
            if name == 'ajplb_member_activation':
                if value == '1':
                    d[key + 'activation'] = lab['activation']
                continue
            d[key + name[len('ajplb_member_'):]] = value
            if 'route' in lab:
                d[key + 'route'] = re.sub(r'\\(.)', r'\1', lab['route'])
        elif 'worker' in lab:
            d['ajp/%s/%s' % (lab['worker'], name[len('ajplb_ajp_'):])] = value
        elif 'lb' in lab:
            d['%s/-/%s' % (lab['lb'], name[len('ajplb_lb_'):])] = value
    return d


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        d = {'xml': parse_xml, 'json': parse_json, 'prop': parse_prop,
             'txt': parse_txt, 'prometheus': parse_prom,
             'dump': parse_dump}[fmt](text)
    except Exception as e:          # any parse failure is the test's answer
        print('PARSE ERROR: %s' % e)
        sys.exit(2)
    if len(sys.argv) == 3:
        for k in sorted(d):
            print('%s=%s' % (k, d[k]))
        return
    print(' '.join(str(d.get(k, 'MISSING')) for k in sys.argv[3:]))


main()
