#!/usr/bin/env python3
"""ajp_client.py -- a tiny AJP13 client (standard library only).

Speaks to the fake backend (or Tomcat) from tests: builds FORWARD_REQUEST,
feeds the request body the way mod_jk does (first packet unasked when a
Content-Length is known, then on GET_BODY_CHUNK), and parses the answer
strictly.  Import it, or run it: ajp_client.py --port N --uri /x -v.
"""

import argparse
import socket
import struct
import sys
import time

METHODS = {
    "OPTIONS": 1, "GET": 2, "HEAD": 3, "POST": 4, "PUT": 5, "DELETE": 6,
    "TRACE": 7, "PROPFIND": 8, "PROPPATCH": 9, "MKCOL": 10, "COPY": 11,
    "MOVE": 12, "LOCK": 13, "UNLOCK": 14, "ACL": 15, "REPORT": 16,
    "VERSION-CONTROL": 17, "CHECKIN": 18, "CHECKOUT": 19, "UNCHECKOUT": 20,
    "SEARCH": 21, "MKWORKSPACE": 22, "UPDATE": 23, "LABEL": 24, "MERGE": 25,
    "BASELINE-CONTROL": 26, "MKACTIVITY": 27,
}
REQ_HEADERS = [
    "accept", "accept-charset", "accept-encoding", "accept-language",
    "authorization", "connection", "content-type", "content-length",
    "cookie", "cookie2", "host", "pragma", "referer", "user-agent",
]
RES_HEADERS = [
    "Content-Type", "Content-Language", "Content-Length", "Date",
    "Last-Modified", "Location", "Set-Cookie", "Set-Cookie2",
    "Servlet-Engine", "Status", "WWW-Authenticate",
]


class ProtocolError(Exception):
    pass


def _b(s):
    return s if isinstance(s, bytes) else s.encode("latin-1")


def astr(s):
    """AJP string: int16 length, bytes, NUL; None is 0xFFFF."""
    if s is None:
        return b"\xff\xff"
    s = _b(s)
    return struct.pack(">H", len(s)) + s + b"\0"


def packet(payload):
    """A server->container packet."""
    return b"\x12\x34" + struct.pack(">H", len(payload)) + payload


def body_packet(data):
    return packet(struct.pack(">H", len(data)) + data if data else b"")


def forward_request(method="GET", uri="/", protocol="HTTP/1.1",
                    remote_addr="127.0.0.1", remote_host=None,
                    server_name="localhost", server_port=80, is_ssl=False,
                    headers=(), query=None, secret=None, route=None,
                    remote_user=None, auth_type=None, ssl_cert=None,
                    ssl_cipher=None, ssl_session=None, ssl_key_size=None,
                    req_attrs=None, use_codes=True):
    """FORWARD_REQUEST payload in mod_jk's attribute order."""
    code = METHODS.get(method, 0xFF)
    p = bytes([2, code]) + astr(protocol) + astr(uri) + astr(remote_addr)
    p += astr(remote_host) + astr(server_name)
    p += struct.pack(">HB", server_port, 1 if is_ssl else 0)
    p += struct.pack(">H", len(headers))
    for name, value in headers:
        low = name.lower()
        if use_codes and low in REQ_HEADERS:
            p += struct.pack(">H", 0xA001 + REQ_HEADERS.index(low))
        else:
            p += astr(name)
        p += astr(value)
    if secret is not None:
        p += b"\x0c" + astr(secret)
    for c, v in ((3, remote_user), (4, auth_type), (5, query), (6, route),
                 (7, ssl_cert), (8, ssl_cipher), (9, ssl_session)):
        if v is not None:
            p += bytes([c]) + astr(v)
    if ssl_key_size is not None:
        p += b"\x0b" + struct.pack(">H", ssl_key_size)
    if code == 0xFF:
        p += b"\x0d" + astr(method)
    if req_attrs is None:
        req_attrs = [("AJP_REMOTE_PORT", "40000"),
                     ("AJP_LOCAL_ADDR", "127.0.0.1"),
                     ("JK_LB_ACTIVATION", "ACT")]
    for n, v in req_attrs:
        p += b"\x0a" + astr(n) + astr(v)
    return packet(p + b"\xff")


class Response:
    def __init__(self):
        self.status = None
        self.reason = None
        self.headers = []
        self.body = b""
        self.reuse = None
        self.asks = []          # GET_BODY_CHUNK requested sizes
        self.types = []         # message type of every packet, in order
        self.chunks = []        # lengths of the SEND_BODY_CHUNKs
        self.flushes = 0

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def echo(self):
        """The backend's key: value echo as a dict (last value wins)."""
        d = {}
        for line in self.body.decode("latin-1").splitlines():
            k, sep, v = line.partition(": ")
            if sep:
                d[k] = v
        return d


def _rd_str(p, pos):
    if pos + 2 > len(p):
        raise ProtocolError("string length past end")
    n = struct.unpack(">H", p[pos:pos + 2])[0]
    pos += 2
    if n == 0xFFFF:
        return None, pos
    if pos + n + 1 > len(p) or p[pos + n] != 0:
        raise ProtocolError("bad string")
    return p[pos:pos + n], pos + n + 1


def parse_headers(p):
    """SEND_HEADERS payload (type byte included) -> (status, reason, hdrs)."""
    if len(p) < 3:
        raise ProtocolError("short SEND_HEADERS")
    status = struct.unpack(">H", p[1:3])[0]
    reason, pos = _rd_str(p, 3)
    if pos + 2 > len(p):
        raise ProtocolError("num_headers past end")
    nh = struct.unpack(">H", p[pos:pos + 2])[0]
    pos += 2
    hdrs = []
    for _ in range(nh):
        if pos + 2 > len(p):
            raise ProtocolError("header past end")
        c = struct.unpack(">H", p[pos:pos + 2])[0]
        if c >> 8 == 0xA0:
            if not 1 <= (c & 0xFF) <= len(RES_HEADERS):
                raise ProtocolError("bad header code %#x" % c)
            name = RES_HEADERS[(c & 0xFF) - 1].encode()
            pos += 2
        else:
            name, pos = _rd_str(p, pos)
            if name is None:
                raise ProtocolError("null header name")
        value, pos = _rd_str(p, pos)
        if value is None:
            raise ProtocolError("null header value")
        hdrs.append((name.decode("latin-1"), value.decode("latin-1")))
    if pos != len(p):
        raise ProtocolError("bytes after headers")
    return status, reason, hdrs


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10.0, max_packet=8192):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.max_packet = max_packet

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            d = self.sock.recv(n - len(buf))
            if not d:
                raise EOFError("EOF after %d of %d bytes" % (len(buf), n))
            buf += d
        return buf

    def recv_all(self, timeout=2.0):
        """Everything until EOF or timeout: (bytes, got_eof)."""
        self.sock.settimeout(timeout)
        buf = b""
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    return buf, True
                buf += d
        except socket.timeout:
            return buf, False
        except ConnectionResetError:
            return buf, True

    def is_closed(self, timeout=1.0):
        data, eof = self.recv_all(timeout)
        return eof and not data

    def read_packet(self):
        h = self.recv_exact(4)
        if h[:2] != b"AB":
            raise ProtocolError("bad magic %r" % h[:2])
        n = struct.unpack(">H", h[2:])[0]
        if n + 4 > self.max_packet:
            raise ProtocolError("packet too long: %d" % n)
        return self.recv_exact(n)

    def cping(self):
        self.send(packet(b"\x0a"))
        return self.read_packet()

    def request(self, body=None, chunked=False, piece=None, **kw):
        """Send one request and read the whole answer -> Response.

        body: bytes or None.  With chunked=False a Content-Length header is
        added and the first body packet goes unasked (mod_jk); with
        chunked=True no length is sent and the body goes only when asked,
        in pieces of at most `piece` bytes, ended by an empty packet."""
        hdrs = list(kw.pop("headers", ()))
        if body is not None and not chunked:
            hdrs.append(("Content-Length", str(len(body))))
        if body is not None and chunked:
            hdrs.append(("Transfer-Encoding", "chunked"))
        kw.setdefault("method", "POST" if body is not None else "GET")
        self.send(forward_request(headers=hdrs, **kw))
        maxd = self.max_packet - 6
        off = 0
        if body is not None and not chunked and len(body) > 0:
            first = body[:maxd]
            self.send(body_packet(first))
            off = len(first)
        r = Response()
        while True:
            p = self.read_packet()
            if not p:
                raise ProtocolError("empty packet")
            t = p[0]
            r.types.append(t)
            if t == 6:
                if len(p) != 3:
                    raise ProtocolError("GET_BODY_CHUNK without length")
                want = struct.unpack(">H", p[1:3])[0]
                r.asks.append(want)
                n = min(want, maxd, piece or maxd)
                data = body[off:off + n] if body is not None else b""
                off += len(data)
                self.send(body_packet(data))
            elif t == 4:
                if r.status is not None:
                    raise ProtocolError("SEND_HEADERS twice")
                r.status, r.reason, r.headers = parse_headers(p)
            elif t == 3:
                if r.status is None:
                    raise ProtocolError("body before headers")
                if len(p) < 3:
                    raise ProtocolError("short SEND_BODY_CHUNK")
                n = struct.unpack(">H", p[1:3])[0]
                if n + 3 != len(p) and n + 4 != len(p):
                    raise ProtocolError("chunk length %d in %d" % (n, len(p)))
                if n == 0:
                    r.flushes += 1
                r.chunks.append(n)
                r.body += p[3:3 + n]
            elif t == 5:
                if len(p) != 2:
                    raise ProtocolError("END_RESPONSE of %d bytes" % len(p))
                r.reuse = p[1]
                return r
            else:
                raise ProtocolError("unexpected type %d" % t)


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def pattern(n):
    """The fake backend's size=N content: 16-byte blocks '%015x\\n' % off."""
    return b"".join(b"%015x\n" % o for o in range(0, n, 16))[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--method", default=None)
    ap.add_argument("--uri", default="/")
    ap.add_argument("--query", default=None)
    ap.add_argument("-H", "--header", action="append", default=[])
    ap.add_argument("--data", default=None, help="body, or @file")
    ap.add_argument("--chunked", action="store_true")
    ap.add_argument("--secret", default=None)
    ap.add_argument("--cping", action="store_true")
    ap.add_argument("--raw", action="store_true",
                    help="print raw answer bytes (repr) until EOF/timeout")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    c = Conn(a.port, a.host)
    if a.cping:
        t0 = time.time()
        print(repr(c.cping()), "%.3f s" % (time.time() - t0))
        return 0
    hdrs = [tuple(h.split(":", 1)) for h in a.header]
    hdrs = [(n.strip(), v.strip()) for n, v in hdrs]
    body = None
    if a.data is not None:
        if a.data.startswith("@"):
            with open(a.data[1:], "rb") as f:
                body = f.read()
        else:
            body = a.data.encode()
    kw = dict(uri=a.uri, query=a.query, headers=hdrs, secret=a.secret)
    if a.method:
        kw["method"] = a.method
    if a.raw:
        kw.setdefault("method", "GET")
        c.send(forward_request(**kw))
        data, eof = c.recv_all(3.0)
        print(repr(data), "EOF" if eof else "open")
        return 0
    r = c.request(body=body, chunked=a.chunked, **kw)
    print(r.status, r.reason.decode("latin-1") if r.reason else r.reason)
    if a.verbose:
        for n, v in r.headers:
            print("%s: %s" % (n, v))
        print("reuse=%s asks=%s chunks=%d" % (r.reuse, r.asks, len(r.chunks)))
        print()
    sys.stdout.buffer.write(r.body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
