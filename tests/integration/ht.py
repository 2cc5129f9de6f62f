"""ht.py -- raw HTTP/1.1 helpers for the integration tests that must send
what curl will not (bad framing, pipelining, half-sent bodies) and read
every byte httpd answers.  Standard library only.

    sys.path.insert(0, "tests/integration"); import ht
    data = ht.raw(port, b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    for r in ht.parse(data): r.status, r.headers, r.body, r.echo()
"""

import socket
import time


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.complete = True

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def echo(self):
        """The fake backend's echo body as a dict."""
        d = {}
        for line in self.body.decode("latin-1").splitlines():
            k, sep, v = line.partition(": ")
            if sep:
                d.setdefault(k, v)
        return d


def raw(port, data, wait=5.0, shut=False, pieces=None, expect=None,
        head=()):
    """Send @data (or each of @pieces with a short pause), optionally
    half-close, and read until EOF, until @expect complete responses have
    arrived, or until @wait seconds of silence."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        if pieces is None:
            pieces = [data]
        for i, p in enumerate(pieces):
            if i:
                time.sleep(0.05)
            s.sendall(p)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not b:
                break
            out += b
            if expect:
                rs = parse(out, head)
                if len(rs) >= expect and all(r.complete for r in rs):
                    break
        return out
    finally:
        s.close()


def parse(data, head=()):
    """Split a byte stream into responses.  @head: indexes of responses to
    HEAD requests (no body whatever the headers say)."""
    out = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        lines = data[pos:end].decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            break
        if status == 100:
            pos = end + 4
            continue
        headers = []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            headers.append((k.strip(), v.strip()))
        r = Resp(status, headers, b"")
        pos = end + 4
        if len(out) in head or status in (204, 304):
            pass
        elif (r.header("Transfer-Encoding") or "").lower() == "chunked":
            body = b""
            r.complete = False
            while True:
                e = data.find(b"\r\n", pos)
                if e < 0:
                    pos = len(data)
                    break
                n = int(data[pos:e].split(b";")[0], 16)
                pos = e + 2
                if n == 0:
                    e = data.find(b"\r\n\r\n", pos - 2)
                    pos = len(data) if e < 0 else e + 4
                    r.complete = e >= 0
                    break
                body += data[pos:pos + n]
                pos += n + 2
            r.body = body
        elif r.header("Content-Length") is not None:
            n = int(r.header("Content-Length"))
            r.body = data[pos:pos + n]
            r.complete = pos + n <= len(data)
            pos += n
        else:
            r.body = data[pos:]
            r.complete = False          # ends at EOF only
            pos = len(data)
        out.append(r)
    return out
