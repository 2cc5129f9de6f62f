#!/usr/bin/env python3
"""tests/check_messages.py -- every message the module writes has an entry
in docs/TROUBLESHOOTING.md, and every entry names a message that exists.

Messages are read from the C sources (no build needed, well under a second):
  * the error-code table AJPLB_ERRNO_MAP in include/ajplb_errno.h (these
    texts appear in log lines as the cause in parentheses);
  * the format string of every call to a logging sink: ajplb_rlog,
    ajplb_slog, ap_log_error/rerror/perror/cerror, ajplb_diag_add,
    ajplb_uri_map_diag, and every function of src/ that hands a "%s" message
    on to one of them (found by reading the code, so a new wrapper such as
    ajplb__err is covered without editing this file).  When the message is
    a variable, the literals assigned to that variable in the same function
    count;
  * the error strings the directive handlers of src/httpd/mod_ajplb_config.c
    return (httpd prints them as "Syntax error on line N of FILE: ...").

A message's text is its format string with C escapes resolved, every printf
conversion (%s, %d, %" APR_OFF_T_FMT ", ...) and every run of them replaced
by one '…', and '%%' written '%'.  Formats that are only conversions and
punctuation ("%s", "mod_ajplb: %s", "%s:%d") pass other messages through and
are skipped.

In docs/TROUBLESHOOTING.md an entry names a message with a line that is a
block quote holding one code span, exactly:

    > `worker …: cannot connect to …:… (…): check that Tomcat runs ...`

Run with --list to print every message as such a line (sorted, with the
file:line it comes from on stderr); the failure output prints the missing
lines ready to paste.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.environ.get('MESSAGES_DOC', 'docs/TROUBLESHOOTING.md')
SINKS = {'ajplb_rlog', 'ajplb_slog', 'ap_log_error', 'ap_log_rerror',
         'ap_log_perror', 'ap_log_cerror', 'ajplb_diag_add',
         'ajplb_uri_map_diag'}
ELL = '\u2026'

LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CONV = re.compile(r'%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?'
                  r'(?:hh|h|ll|l|z|j|t|L|I64)?[diouxXeEfgGcspn]')


def strip_comments(text):
    """Comments become spaces (newlines kept, so line numbers hold);
    string and character literals are left alone."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def unescape(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(
        m.group(1), m.group(1)), s)


def literal_groups(text):
    """[(offset, value)] for each run of adjacent string literals; an
    APR_*_FMT macro between two literals is a conversion letter."""
    groups, pos = [], 0
    while True:
        m = LIT.search(text, pos)
        if not m:
            return groups
        start, value, pos = m.start(), unescape(m.group(1)), m.end()
        while True:
            gap = re.match(r'(?:\s|\\\n)*(APR_\w+_FMT)?(?:\s|\\\n)*"',
                           text[pos:])
            if not gap:
                break
            if gap.group(1):
                value += 'd'
            m = LIT.match(text, pos + gap.end() - 1)
            if not m:
                break
            value += unescape(m.group(1))
            pos = m.end()
        groups.append((start, value))


def normalise(fmt):
    s = fmt.replace('%%', '\0')
    s = CONV.sub(ELL, s)
    s = re.sub(ELL + '+', ELL, s)
    return s.replace('\0', '%').strip()


def is_message(fmt):
    """Something an operator reads, not a pass-through like "%s"."""
    words = re.sub(CONV, ' ', fmt.replace('%%', ''))
    words = re.sub(r'^mod_ajplb:', '', words.strip())
    return len(re.findall(r'[A-Za-z]{2,}', words)) >= 1


def call_args(text, open_paren):
    """The text between a call's parentheses (balanced, literals skipped)."""
    depth, i = 0, open_paren
    while i < len(text):
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return text[open_paren + 1:i]
        i += 1
    return text[open_paren + 1:]


FUNC = re.compile(r'^[A-Za-z_][^;{}()#]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\{',
                  re.M)


def functions(text):
    """[(name, params, body_start, body_end)] for top-level definitions."""
    out = []
    for m in FUNC.finditer(text):
        start = m.end() - 1
        depth, i = 0, start
        while i < len(text):
            if text[i] == '{':
                depth += 1
            elif text[i] == '}':
                depth -= 1
                if depth == 0:
                    break
            elif text[i] in '"\'':
                q, i = text[i], i + 1
                while i < len(text) and text[i] != q:
                    i += 2 if text[i] == '\\' else 1
            i += 1
        out.append((m.group(1), m.group(2), start, i))
    return out


def split_args(args):
    """Top-level comma-separated pieces of a call's argument text."""
    out, depth, cur, i = [], 0, 0, 0
    while i < len(args):
        c = args[i]
        if c in '"\'':
            j = i + 1
            while j < len(args) and args[j] != c:
                j += 2 if args[j] == '\\' else 1
            i = j
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif c == ',' and depth == 0:
            out.append(args[cur:i])
            cur = i + 1
        i += 1
    out.append(args[cur:])
    return out


def statement(text):
    """@a text up to its first ';' outside literals and brackets."""
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c in '"\'':
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif c == ';' and depth <= 0:
            return text[:i]
        i += 1
    return text


def line_of(text, off):
    return text.count('\n', 0, off) + 1


def extract():
    """{message text: [file:line, ...]}"""
    msgs = {}

    def add(fmt, where):
        if is_message(fmt):
            msgs.setdefault(normalise(fmt), []).append(where)

    hdr = os.path.join(ROOT, 'include', 'ajplb_errno.h')
    text = strip_comments(open(hdr).read())
    for m in re.finditer(r'\bXX\(\s*\w+\s*,\s*\d+\s*,', text):
        args = call_args(text, m.start() + 2)
        for _, value in literal_groups(args)[:1]:
            add(value, 'include/ajplb_errno.h:%d' % line_of(text, m.start()))

    sources = []
    for sub in ('src/core', 'src/httpd', 'src/cli'):
        d = os.path.join(ROOT, sub)
        if os.path.isdir(d):
            sources += [os.path.join(sub, f) for f in sorted(os.listdir(d))
                        if f.endswith('.c')]
    texts = {f: strip_comments(open(os.path.join(ROOT, f)).read())
             for f in sources}

    # Wrappers: functions that pass a "%s" message (one of their own
    # parameters) on to a sink.  Repeat until no new one turns up.
    sinks = set(SINKS)
    while True:
        found = set()
        for f, text in texts.items():
            for name, params, b0, b1 in functions(text):
                if name in sinks:
                    continue
                pnames = re.findall(r'(\w+)\s*(?:,|$)', params)
                body = text[b0:b1]
                for c in re.finditer(r'\b(\w+)\s*\(', body):
                    if c.group(1) not in sinks:
                        continue
                    args = call_args(body, c.end() - 1)
                    lits = literal_groups(args)
                    if lits and not is_message(lits[0][1]) and \
                            any(re.search(r'\b%s\b' % re.escape(p),
                                          LIT.sub('""', args[lits[0][0]:]))
                                for p in pnames if p not in ('fmt',)):
                        found.add(name)
        if not found - sinks:
            break
        sinks |= found

    for f, text in texts.items():
        for name, params, b0, b1 in functions(text):
            body = text[b0:b1]
            for c in re.finditer(r'\b(\w+)\s*\(', body):
                if c.group(1) not in sinks or name == c.group(1):
                    continue
                args = call_args(body, c.end() - 1)
                lits = literal_groups(args)
                where = '%s:%d' % (f, line_of(text, b0 + c.start()))
                if lits and is_message(lits[0][1]):
                    add(lits[0][1], where)
                    continue
                # "%s", msg (or no literal at all): the message is a
                # variable; take what is assigned to it in this function.
                rest = args[lits[0][0] + 1:] if lits else args
                for var in set(re.findall(r'\b([a-z_]\w*)\b', rest)):
                    for a in re.finditer(r'\b%s\s*=\s*(?!=)' % var, body):
                        rhs = statement(body[a.end():])
                        g = literal_groups(rhs)
                        if g and (rhs.lstrip().startswith('"') or
                                  re.match(r'\s*apr_p(v)?sprintf\s*\(',
                                           rhs)):
                            add(g[0][1], '%s:%d' % (
                                f, line_of(text, b0 + a.start())))

    # Directive handlers: the error strings they return.
    f = 'src/httpd/mod_ajplb_config.c'
    text = texts.get(f, '')
    for m in re.finditer(r'\breturn\s+(?:"|apr_psprintf\s*\(|'
                         r'apr_pstrcat\s*\()', text):
        stmt = statement(text[m.start():])
        g = literal_groups(stmt)
        if not g:
            continue
        if re.match(r'return\s+apr_pstrcat', stmt):
            parts = split_args(call_args(stmt, stmt.find('(')))[1:]
            fmt = ''
            for part in parts:
                pg = literal_groups(part)
                if part.strip() == 'NULL':
                    continue
                if pg and part.strip().startswith('"'):
                    fmt += pg[0][1].replace('%', '%%')
                else:
                    fmt += '%s'
        else:
            fmt = g[0][1]
        add(fmt, '%s:%d' % (f, line_of(text, m.start())))
    return msgs


def documented(lines):
    """{message text: line number} from the page's '> `...`' lines."""
    out = {}
    for n, line in enumerate(lines, 1):
        m = re.match(r'^> (`+)(.*?)\1\s*$', line)
        if m:
            text = m.group(2)
            if len(m.group(1)) > 1:
                text = text.strip()
            out.setdefault(text, n)
    return out


def compare(msgs, doc):
    problems = []
    for text in sorted(set(msgs) - set(doc)):
        problems.append('no entry in %s for the message of %s; add this '
                        'line to the entry for its symptom, with what it '
                        'means and what to do:\n    > `%s`'
                        % (DOC, ', '.join(msgs[text]), text))
    for text in sorted(set(doc) - set(msgs), key=lambda t: doc[t]):
        problems.append('%s:%d names a message the code no longer writes '
                        '(changed or removed): update or remove it:\n'
                        '    > `%s`' % (DOC, doc[text], text))
    return problems


def self_test(msgs, lines):
    """The comparison must fail on a page without its first entry and on
    a page with an entry for a message that does not exist."""
    errors = []
    first = next((l for l in lines if l.startswith('> `')), None)
    if first is not None:
        p = compare(msgs, documented([l for l in lines if l != first]))
        if not any(first.strip()[2:] in x for x in p):
            errors.append('self-test: a page without %s passed' % first)
    bogus = '> `no such message \u2026 ever`'
    p = compare(msgs, documented(lines + [bogus]))
    if not any(bogus[2:] in x for x in p):
        errors.append('self-test: a page naming a made-up message passed')
    return errors


def main():
    msgs = extract()
    if '--list' in sys.argv:
        for text in sorted(msgs):
            sys.stderr.write('%s\n' % ' '.join(msgs[text]))
            print('> `%s`' % text)
        return 0
    results = os.environ.get('RESULTS', os.path.join(ROOT, 'out',
                                                     'results.txt'))
    os.makedirs(os.path.dirname(results), exist_ok=True)
    path = os.path.join(ROOT, DOC)
    if os.path.exists(path):
        lines = open(path, encoding='utf-8').read().splitlines()
        problems = self_test(msgs, lines) + compare(msgs, documented(lines))
    else:
        problems = ['%s is missing' % DOC]
    with open(results, 'a') as r:
        r.write('messages %d %d\n' % (0 if problems else 1,
                                      1 if problems else 0))
    for p in problems:
        print('messages: %s' % p)
    if problems:
        print('messages: %d problem(s); %d messages in the code'
              % (len(problems), len(msgs)))
        return 1
    print('messages: %d messages, each with an entry in %s'
          % (len(msgs), DOC))
    return 0


if __name__ == '__main__':
    sys.exit(main())
