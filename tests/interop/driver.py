#!/usr/bin/env python3
"""tests/interop/driver.py -- the requests of the differential test and the
comparison (run by run.sh, which starts Tomcat and the two fronts).

Each case is sent to both fronts (mod_jk and mod_ajplb).  Compared per case:
what the client got (status, framing, every response header but Date,
Server, Connection and Keep-Alive, the body's length and SHA-256) and what
interop_dump.jsp saw (one field per line of its dump, fetched from Tomcat's
own HTTP port by the X-Interop-Id header).  Values are normalised first:
each front's ports become {P} {S1} {S2}, generated session ids {SID}.

A difference is "CASE FIELD"; expected-differences.txt lists the allowed
ones (glob patterns, "|" between alternatives): KEYGLOB FIELDGLOB
CATEGORY [PENDING:topic] reason; the first matching line counts.
A case passes when all its differences are listed; a listed line without
PENDING fails when it matched nothing (the list must stay true); a PENDING
line may match or not (another branch changes it), and the run says which.
"""
import argparse
import base64
import concurrent.futures
import fnmatch
import hashlib
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

SKIP_HEADERS = {"date", "server", "connection", "keep-alive"}
SID = "0123456789ABCDEF0123456789ABCDEF"


def body_bytes(n):
    return bytes((i * 7 + 3) % 251 for i in range(n))


class Case:
    def __init__(self, name, via, method, target, headers=(), body=None,
                 chunked=False, host=True, v10=False):
        self.name = name
        self.via = via            # h11 h10 h2c tls1 tls1c tls2 tls2c
        self.method = method
        self.target = target      # may hold {P}: the port of the listener
        self.headers = list(headers)
        self.body = body
        self.chunked = chunked
        self.host = host          # True: 127.0.0.1:port, False: none, str
        self.v10 = v10 or via == "h10"    # HTTP/1.0 request line

    def describe(self):
        b = "" if self.body is None else " body=%d%s" % (
            len(self.body), " chunked" if self.chunked else "")
        h = "".join(" [%s: %.40s]" % hv for hv in self.headers)
        return "%s %s %s%s%s" % (self.via, self.method, self.target[:80], h, b)


def build_cases():
    cases = []

    def add(*a, **k):
        cases.append(Case(*a, **k))

    # URIs: encodings, path parameters, dot segments, unicode, queries,
    # mapping edges and httpd access rules.  Against a real Tomcat this is
    # the T-U1 differential (mod_jk's decision and Tomcat's view as the
    # oracle) for T-U2 (path parameters), T-U3 (slashes), T-U4 (dots),
    # T-U5 (encodings), T-U10 (double encoding), T-U11 (bad %), T-U12
    # (backslash), T-U13 (# and absolute form), T-U14 (suffix mounts),
    # T-U15 (OPTIONS *), T-U20 (long URIs), T-U31 (;jsessionid).
    long_seg = "a" * 4000
    uris = [
        ("plain", "/ctx/srv/plain"),
        ("root-jsp", "/interop_dump.jsp"),
        ("root-jsp-query", "/interop_dump.jsp?a=1&b=%20x"),
        ("root-jsp-jsessionid", "/interop_dump.jsp;jsessionid=%s.worker1" % SID),
        ("root-jsp-pathinfo", "/interop_dump.jsp/extra"),
        ("ctx-noslash", "/ctx"),
        ("ctx-slash", "/ctx/"),
        ("ctx-exact", "/ctx/exact"),
        ("ctx-exact-slash", "/ctx/exact/"),
        ("ctx-default", "/ctx/some/where.txt"),
        ("pct3B", "/ctx/srv/a%3Bb"),
        ("pct3B-lower", "/ctx/srv/a%3bb"),
        ("pct2F", "/ctx/srv/a%2Fb"),
        ("pct5C", "/ctx/srv/a%5Cb"),
        ("backslash-raw", "/ctx/srv/a\\b"),
        ("pct25", "/ctx/srv/a%25b"),
        ("pct2525", "/ctx/srv/a%252e%252e"),
        ("pct3F", "/ctx/srv/a%3Fb"),
        ("pct23", "/ctx/srv/a%23b"),
        ("pct20-plus", "/ctx/srv/a+b%20c"),
        ("pct-unreserved", "/ctx/srv/%41%42%7euser"),
        ("pct-reserved", "/ctx/srv/%21%24%26%27%28%29%2A%2B%2C%3D%3A%40"),
        ("pct2e2e", "/ctx/srv/x/%2e%2e/y"),
        ("pct2e", "/ctx/srv/x/%2e/y"),
        ("pct-bad", "/ctx/srv/a%zzb"),
        ("pct-truncated", "/ctx/srv/a%2"),
        ("pct00", "/ctx/srv/a%00b"),
        ("jsessionid-last", "/ctx/srv/x;jsessionid=%s.worker1" % SID),
        ("jsessionid-mid", "/ctx/srv;jsessionid=%s.worker1/x" % SID),
        ("jsessionid-query", "/ctx/srv/x;jsessionid=ABC.worker1?q=1"),
        ("jsessionid-upper", "/ctx/srv/x;JSESSIONID=ABC"),
        ("pathparam", "/ctx/srv/a;x=1/b;y=2"),
        ("pathparam-empty", "/ctx/srv/a;/b"),
        ("dot", "/ctx/srv/./a/../b"),
        ("dot-end", "/ctx/srv/a/b/.."),
        ("dotdot-above", "/ctx/../../etc/passwd"),
        ("dotdot-ctx", "/ctx/srv/../exact"),
        ("dotdot-out-of-ctx", "/ctx/../interop_dump.jsp"),
        ("dotdot-param", "/ctx/srv/x/..;/exact"),
        ("dots-literal", "/ctx/srv/.../a..b"),
        ("double-slash", "/ctx/srv//a//b"),
        ("leading-double-slash", "//ctx/srv/x"),
        ("utf8-encoded", "/ctx/srv/caf%C3%A9/%E2%82%AC"),
        ("utf8-raw", "/ctx/srv/caf\u00e9/\u20ac"),
        ("utf8-overlong", "/ctx/srv/%c0%ae%c0%ae/x"),
        ("latin1-encoded", "/ctx/srv/caf%E9"),
        ("query-utf8", "/ctx/srv/q?name=caf%C3%A9&e=%E2%82%AC&raw=\u00e9"),
        ("query-dup", "/ctx/srv/q?a=1&a=2&b=&c"),
        ("query-empty", "/ctx/srv/q?"),
        ("query-amps", "/ctx/srv/q?&&"),
        ("query-pct", "/ctx/srv/q?x=%26%3D%23%25&y=%2F"),
        ("query-dots", "/ctx/srv/q?p=/../x;y"),
        ("query-plus", "/ctx/srv/q?a+b=c+d"),
        ("denied", "/ctx/srv/denied"),
        ("denied-param", "/ctx/srv/denied;a=b"),
        ("denied-param-mid", "/ctx/srv;a=b/denied"),
        ("denied-dot", "/ctx/srv/./denied"),
        ("denied-pct", "/ctx/srv/%64enied"),
        ("denied-case", "/ctx/srv/DENIED"),
        ("unmapped", "/not/mapped"),
        ("unmapped-jsp-suffix", "/x.jsp.txt"),
        ("jsp-missing", "/missing.jsp"),
        ("jsp-upper", "/interop_dump.JSP"),
        ("jsp-param", "/interop_dump.jsp;x"),
        ("long-uri", "/ctx/srv/" + long_seg),
        ("long-uri-7k", "/ctx/srv/" + "b" * 7000),
        ("long-query-7k", "/ctx/srv/q?x=" + "c" * 7000),
        ("absolute-form", "http://127.0.0.1:{P}/ctx/srv/abs?x=1"),
        ("fragment-raw", "/ctx/srv/x#frag"),
    ]
    for name, t in uris:
        add("h11/uri-" + name, "h11", "GET", t)

    # Methods and request bodies.
    for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
              "PROPFIND", "TRACE", "FOO"):
        add("h11/method-" + m, "h11", m, "/ctx/srv/m")
    add("h11/method-OPTIONS-star", "h11", "OPTIONS", "*")
    sizes = [("empty", 0), ("small", 5), ("8186", 8186), ("8187", 8187),
             ("64k", 65536)]
    for m in ("POST", "PUT", "DELETE", "OPTIONS"):
        for label, n in sizes:
            add("h11/body-%s-%s" % (m, label), "h11", m, "/ctx/srv/b",
                [("Content-Type", "application/octet-stream")], body_bytes(n))
        for label, n in (("chunked-small", 5), ("chunked-20k", 20000),
                         ("chunked-empty", 0)):
            add("h11/body-%s-%s" % (m, label), "h11", m, "/ctx/srv/b",
                [("Content-Type", "application/octet-stream")], body_bytes(n),
                chunked=True)
    add("h11/body-POST-form", "h11", "POST", "/ctx/srv/f?form=1&q=1",
        [("Content-Type", "application/x-www-form-urlencoded")],
        b"a=1&b=%20x&a=2")
    add("h11/body-POST-expect", "h11", "POST", "/ctx/srv/b",
        [("Expect", "100-continue"), ("Content-Type", "text/plain")],
        body_bytes(1000))
    add("h11/body-POST-nolength", "h11", "POST", "/ctx/srv/b")
    add("h11/body-GET-small", "h11", "GET", "/ctx/srv/b",
        [("Content-Type", "text/plain")], b"hello")

    # Request headers: T-R1 (headers over the AJP packet: 413), T-R6 (Host
    # variants), T-S5/T-S6 (session ids in cookies and path parameters);
    # methods above: T-R8 (extension methods); HEAD answers: T-R15.
    hdrs = [
        ("dup", [("X-Dup", "a"), ("X-Dup", "b")]),
        ("dup-comma", [("X-Dup", "a, b")]),
        ("dup-accept", [("Accept", "text/html"), ("Accept", "*/*")]),
        ("cookie-two", [("Cookie", "a=1"), ("Cookie", "b=2")]),
        ("cookie-one", [("Cookie", "a=1; b=2")]),
        ("cookie-nospace", [("Cookie", "a=1;b=2")]),
        ("cookie-quoted", [("Cookie", '$Version=1; q="x y"; $Path=/')]),
        ("cookie-jsessionid", [("Cookie", "JSESSIONID=%s.worker1" % SID)]),
        ("cookie-jsessionid-two", [("Cookie", "a=1"),
                                   ("Cookie", "JSESSIONID=%s.worker1" % SID)]),
        ("long", [("X-Long", "x" * 7000)]),
        ("too-long", [("X-Long", "x" * 9000)]),
        ("over-8k", [("X-Big-%d" % i, "y" * 3000) for i in range(4)]),
        ("over-64k", [("X-Big-%d" % i, "z" * 8000) for i in range(9)]),
        ("many", [("X-H-%d" % i, "v%d" % i) for i in range(60)]),
        ("odd-case", [("x-oDD-CaSe", "v"), ("ACCEPT", "*/*"),
                      ("user-AGENT", "ua"), ("REFERER", "http://r/"),
                      ("accept-LANGUAGE", "de")]),
        ("coded", [("Accept", "a"), ("Accept-Charset", "b"),
                   ("Accept-Encoding", "c"), ("Accept-Language", "d"),
                   ("Authorization", "Bearer e"), ("Content-Type", "f/g"),
                   ("Cookie2", "h"), ("Pragma", "i"), ("Referer", "j"),
                   ("User-Agent", "k")]),
        ("empty-value", [("X-Empty", "")]),
        ("spaces", [("X-Sp", "  v  w  ")]),
        ("utf8-value", [("X-U", "caf\u00e9")]),
        ("host-noport", [("Host", "127.0.0.1")]),
        ("host-other", [("Host", "other.example:81")]),
        ("host-name", [("Host", "localhost")]),
        ("host-upper", [("Host", "LOCALHOST:{P}")]),
        ("host-trailing-dot", [("Host", "localhost.:{P}")]),
        ("xff", [("X-Forwarded-For", "10.0.0.1"), ("Forwarded", "for=10.0.0.2")]),
        ("accept-language", [("Accept-Language", "de-CH, fr;q=0.8")]),
        ("content-type-get", [("Content-Type", "text/plain; charset=ISO-8859-1")]),
        ("content-length-0", [("Content-Length", "0")]),
        ("te-trailers", [("TE", "trailers")]),
        ("connection-token", [("Connection", "close, X-Hop"), ("X-Hop", "1")]),
        ("proxy-header", [("Proxy", "http://evil/")]),
        ("interop-id-dup", [("X-Other", "1")]),
    ]
    for name, hs in hdrs:
        add("h11/hdr-" + name, "h11", "GET", "/ctx/srv/h", hs,
            host=not any(h[0] == "Host" for h in hs))
        if name.startswith("host-"):
            cases[-1].headers = [(h, v) for h, v in hs if h != "Host"]
            cases[-1].host = hs[0][1]

    # Authentication by httpd.
    good = base64.b64encode(b"interop:pw").decode()
    bad = base64.b64encode(b"interop:no").decode()
    add("h11/auth-ok", "h11", "GET", "/ctx/auth/x",
        [("Authorization", "Basic " + good)])
    add("h11/auth-bad", "h11", "GET", "/ctx/auth/x",
        [("Authorization", "Basic " + bad)])
    add("h11/auth-none", "h11", "GET", "/ctx/auth/x")

    # Answers chosen by the query: statuses, framing, headers, cookies.
    answers = [
        ("200", ""),
        ("201", "status=201&size=10&cl=1"),
        ("204", "status=204&empty=1"),
        ("299", "status=299&size=5"),
        ("418", "status=418&size=5"),
        ("599", "status=599&size=5"),
        ("304", "status=304&empty=1"),
        ("404-empty", "status=404&empty=1"),
        ("404-body", "status=404&size=20"),
        ("500-empty", "status=500&empty=1"),
        ("500-body", "status=500&size=20"),
        ("503-empty", "status=503&empty=1"),
        ("error-404", "error=404"),
        ("error-500", "error=500"),
        ("redirect-rel", "redirect=/ctx/srv/there"),
        ("redirect-abs", "redirect=http://example.com/x"),
        ("location-301", "status=301&location=/moved&empty=1"),
        ("cookies", "cookie=a%3D1&cookie=b%3D2%3B%20HttpOnly"),
        ("session-new", "session=new"),
        ("ct-none", "ct=none&size=10"),
        ("ct-custom", "ct=application/x-foo%3Bcharset%3Dlatin1&size=10"),
        ("empty-200", "empty=1"),
        ("cl0", "size=0&cl=1"),
        ("100k-cl", "size=102400&cl=1"),
        ("100k-nocl", "size=102400"),
        ("100k-cl-flush", "size=102400&cl=1&flush=1"),
        ("small-flush", "size=10&flush=1"),
        ("hdr", "hdr=X-Answer:yes&hdr=X-Answer:again&hdr=Cache-Control:no-store"),
        ("hdr-hop", "hdr=Keep-Alive:timeout%3D99&hdr=Upgrade:foo"
                    "&hdr=Proxy-Authenticate:Basic&hdr=X-After:1"),
        # Through the plain ajp13 worker: a status that mod_ajplb takes for a
        # broken reply must not make the lb's only member look broken to
        # the cases running beside it.
        ("600", "/interop_dump.jsp?status=600&size=5"),
        ("999", "/interop_dump.jsp?status=999&size=5"),
    ]
    for via, method in (("h11", "GET"), ("h11", "HEAD"), ("h10", "GET"),
                        ("h2c", "GET"), ("h2c", "HEAD")):
        for name, q in answers:
            t = q if q.startswith("/") else \
                "/ctx/srv/ans" + ("?" + q if q else "")
            add("%s/ans-%s%s" % (via, name, "-HEAD" if method == "HEAD" else ""),
                via, method, t)

    # HTTP/1.0.
    add("h10/plain", "h10", "GET", "/ctx/srv/plain")
    add("h10/nohost", "h10", "GET", "/ctx/srv/plain", host=False)
    add("h10/post", "h10", "POST", "/ctx/srv/b",
        [("Content-Type", "application/octet-stream")], body_bytes(8187))
    add("h10/keepalive", "h10", "GET", "/ctx/srv/plain",
        [("Connection", "keep-alive")])

    # TLS, without and with a client certificate, with and without
    # StdEnvVars/ExportCertData.
    for via in ("tls1", "tls1c", "tls2", "tls2c"):
        add(via + "/plain", via, "GET", "/ctx/srv/tls")
        add(via + "/host-noport", via, "GET", "/ctx/srv/tls", host="127.0.0.1")
        add(via + "/root-jsp", via, "GET", "/interop_dump.jsp?x=1")
        add(via + "/post", via, "POST", "/ctx/srv/tls",
            [("Content-Type", "text/plain")], body_bytes(8187))
        add(via + "/ans-100k-cl-HEAD", via, "HEAD",
            "/ctx/srv/ans?size=102400&cl=1")
        add(via + "/ans-418", via, "GET", "/ctx/srv/ans?status=418&size=5")
        # TraceEnable Off in the second TLS host.
        add(via + "/trace", via, "TRACE", "/ctx/srv/m")
        add(via + "/h10-nohost", via, "GET", "/ctx/srv/tls", host=False,
            v10=True)

    # HTTP/2 over cleartext (prior knowledge).
    h2 = [
        ("plain", "GET", "/ctx/srv/plain", [], None),
        ("root-jsp", "GET", "/interop_dump.jsp?a=%20", [], None),
        ("pct3B", "GET", "/ctx/srv/a%3Bb", [], None),
        ("utf8-encoded", "GET", "/ctx/srv/caf%C3%A9", [], None),
        ("jsessionid", "GET", "/ctx/srv/x;jsessionid=%s.worker1" % SID, [], None),
        ("query-dup", "GET", "/ctx/srv/q?a=1&a=2&b=", [], None),
        ("cookie-two", "GET", "/ctx/srv/h", [("Cookie", "a=1"), ("Cookie", "b=2")], None),
        ("dup", "GET", "/ctx/srv/h", [("X-Dup", "a"), ("X-Dup", "b")], None),
        ("odd-case", "GET", "/ctx/srv/h", [("x-oDD-CaSe", "v")], None),
        ("long", "GET", "/ctx/srv/h", [("X-Long", "x" * 7000)], None),
        ("over-8k", "GET", "/ctx/srv/h",
         [("X-Big-%d" % i, "y" * 3000) for i in range(4)], None),
        ("post-small", "POST", "/ctx/srv/b", [("Content-Type", "text/plain")], body_bytes(5)),
        ("post-8187", "POST", "/ctx/srv/b", [("Content-Type", "text/plain")], body_bytes(8187)),
        ("post-empty", "POST", "/ctx/srv/b", [], b""),
        ("put", "PUT", "/ctx/srv/b", [("Content-Type", "text/plain")], body_bytes(100)),
        ("delete", "DELETE", "/ctx/srv/m", [], None),
        ("options", "OPTIONS", "/ctx/srv/m", [], None),
        ("method-HEAD", "HEAD", "/ctx/srv/m", [], None),
        ("auth-ok", "GET", "/ctx/auth/x", [("Authorization", "Basic " + good)], None),
    ]
    for name, m, t, hs, b in h2:
        add("h2c/" + name, "h2c", m, t, hs, b)
    return cases


# ------------------------------------------------------------- clients ---

def port_for(front, via):
    if via.startswith("tls1"):
        return front["S1"]
    if via.startswith("tls2"):
        return front["S2"]
    return front["P"]


def fill(s, port):
    return s.replace("{P}", str(port))


def parse_head(block):
    lines = block.split(b"\r\n")
    status = lines[0].decode("latin-1")
    headers = []
    for ln in lines[1:]:
        if not ln:
            continue
        k, _, v = ln.partition(b":")
        headers.append((k.decode("latin-1").strip().lower(),
                        v.decode("latin-1").strip()))
    return status, headers


def raw_request(case, front, certs, xid):
    """One request on its own connection, written byte for byte as the case
    says (no Connection header added: it is hop-by-hop and would show in
    the dump); the answer is read by its framing, then the socket closed."""
    port = port_for(front, case.via)
    version = "HTTP/1.0" if case.v10 else "HTTP/1.1"
    target = fill(case.target, port)
    lines = ["%s %s %s" % (case.method, target, version)]
    if case.host is True:
        lines.append("Host: 127.0.0.1:%d" % port)
    elif case.host:
        lines.append("Host: " + fill(case.host, port))
    for k, v in case.headers:
        lines.append("%s: %s" % (k, fill(v, port)))
    lines.append("X-Interop-Id: " + xid)
    body = b""
    if case.body is not None:
        if case.chunked:
            lines.append("Transfer-Encoding: chunked")
            for i in range(0, len(case.body), 3000):
                part = case.body[i:i + 3000]
                body += b"%x\r\n%s\r\n" % (len(part), part)
            body += b"0\r\n\r\n"
        else:
            lines.append("Content-Length: %d" % len(case.body))
            body = case.body
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    if case.via.startswith("tls"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if case.via.endswith("c"):
            ctx.load_cert_chain(os.path.join(certs, "client.crt"),
                                os.path.join(certs, "client.key"))
        s = ctx.wrap_socket(s)
    try:
        s.sendall(data)
        return read_h1(Reader(s), case.method)
    except (OSError, ValueError) as e:
        return {"status": "client error: %s" % e}
    finally:
        s.close()


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def more(self):
        if self.eof:
            return False
        try:
            b = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            b = b""
        if not b:
            self.eof = True
            return False
        self.buf += b
        return True

    def until(self, sep):
        while sep not in self.buf:
            if not self.more():
                raise ValueError("connection closed before %r" % sep)
        i = self.buf.index(sep)
        out, self.buf = self.buf[:i], self.buf[i + len(sep):]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            if not self.more():
                raise ValueError("connection closed %d bytes early"
                                 % (n - len(self.buf)))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while self.more():
            pass
        out, self.buf = self.buf, b""
        return out


def read_h1(rd, method):
    res = {}
    interim = []
    while True:
        status, headers = parse_head(rd.until(b"\r\n\r\n"))
        code = status.split(" ")[1] if " " in status else status
        if code.startswith("1") and code != "101":
            interim.append(code)
            continue
        break
    if interim:
        res["interim"] = ",".join(interim)
    res["status"] = code
    res["reason"] = status.split(" ", 2)[2] if status.count(" ") >= 2 else ""
    res["version"] = status.split(" ")[0]
    h = {}
    for k, v in headers:
        h.setdefault(k, []).append(v)
    te = ",".join(h.get("transfer-encoding", []))
    cl = h.get("content-length")
    if method == "HEAD" or code in ("204", "304"):
        framing, body = "none", b""
    elif "chunked" in te.lower():
        framing, body = "chunked", b""
        while True:
            n = int(rd.until(b"\r\n").split(b";")[0].strip() or b"0", 16)
            if n == 0:
                while rd.until(b"\r\n"):     # trailers, then the empty line
                    pass
                break
            body += rd.exactly(n)
            rd.exactly(2)
    elif cl:
        framing, body = "length", rd.exactly(int(cl[0]))
    else:
        framing, body = "close", rd.rest()
    res["framing"] = framing
    # Anything after the answer on a connection that closes after it.
    conn = ",".join(h.get("connection", [])).lower()
    if "close" in conn or (res["version"] == "HTTP/1.0"
                           and "keep-alive" not in conn):
        extra = rd.rest()
        if extra:
            res["trailing-bytes"] = str(len(extra))
    for k, vs in h.items():
        if k not in SKIP_HEADERS:
            res["h." + k] = " | ".join(vs)
    res["_body"] = body
    return res


def h2c_request(case, front, tmp, xid):
    port = front["P"]
    url = "http://127.0.0.1:%d%s" % (port, fill(case.target, port))
    hfile = os.path.join(tmp, xid + ".h")
    bfile = os.path.join(tmp, xid + ".b")
    qfile = os.path.join(tmp, xid + ".req")
    args = ["curl", "-s", "--http2-prior-knowledge", "--path-as-is",
            "-m", "30", "-D", hfile, "-o", bfile,
            "-H", "X-Interop-Id: " + xid]
    for k, v in case.headers:
        args += ["-H", "%s: %s" % (k, fill(v, port))]
    if case.method == "HEAD":
        args.append("-I")
    elif case.method != "GET" or case.body is not None:
        args += ["-X", case.method]
    if case.body is not None:
        with open(qfile, "wb") as f:
            f.write(case.body)
        args += ["--data-binary", "@" + qfile]
    for f in (hfile, bfile):
        if os.path.exists(f):
            os.unlink(f)
    subprocess.run(args + [url], check=False)
    try:
        with open(hfile, "rb") as f:
            raw = f.read()
    except OSError:
        return {"status": "no answer"}
    blocks = [b for b in raw.split(b"\r\n\r\n") if b.startswith(b"HTTP/")]
    res = {}
    interim = []
    for blk in blocks[:-1]:
        interim.append(parse_head(blk)[0].split(" ")[1])
    if interim:
        res["interim"] = ",".join(interim)
    status, headers = parse_head(blocks[-1]) if blocks else ("? none", [])
    res["status"] = status.split(" ")[1]
    res["version"] = status.split(" ")[0]
    res["framing"] = "h2"
    h = {}
    for k, v in headers:
        h.setdefault(k, []).append(v)
    for k, vs in h.items():
        if k not in SKIP_HEADERS:
            res["h." + k] = " | ".join(vs)
    res["_body"] = b""
    if case.method != "HEAD":    # with -I curl writes the headers there
        try:
            with open(bfile, "rb") as f:
                res["_body"] = f.read()
        except OSError:
            pass
    return res


def fetch_dump(tomcat, xid):
    with urllib.request.urlopen("%s/interop_fetch.jsp?id=%s" % (
            tomcat, urllib.parse.quote(xid)), timeout=30) as r:
        text = r.read().decode("utf-8")
    if text.strip() == "none":
        return {"dump.seen": "no"}
    d = {"dump.seen": "yes"}
    for ln in text.split("\n"):
        if "\t" in ln:
            k, v = ln.split("\t", 1)
            d["dump." + k] = v
    return d


# ----------------------------------------------------------- normalise ---

SID_RE = re.compile(r"\b[0-9A-F]{32}(\.worker1)?\b")
# The request id each front's copy of a request carries (an echo, such as
# httpd's answer to TRACE, shows it in the body).
XID_RE = re.compile(r"X-Interop-Id: (?:jk|ajplb)-\d+")


def normaliser(front):
    pats = [(re.compile(r"(?<!\d)%d(?!\d)" % front[k]), "{%s}" % k)
            for k in ("P", "S1", "S2")]

    def norm(s):
        for p, r in pats:
            s = p.sub(r, s)
        s = SID_RE.sub(lambda m: SID if m.group(0).startswith(SID)
                       else "{SID}", s)
        return XID_RE.sub("X-Interop-Id: {ID}", s)
    return norm


def summarise(front, res, dump):
    norm = normaliser(front)
    out = {}
    for k, v in res.items():
        if k != "_body":
            out["client." + k] = norm(v)
    body = res.get("_body", b"")
    ct = res.get("h.content-type", "")
    if (ct.startswith("text/") or ct.startswith("message/") or not ct) \
            and len(body) < 65536:
        body = norm(body.decode("latin-1")).encode("latin-1")
    out["client.body"] = "%d bytes sha256:%s" % (
        len(body), hashlib.sha256(body).hexdigest()[:16])
    if len(body) <= 120 and all(32 <= c < 127 or c in (9, 10, 13) for c in body):
        out["client.body"] += " %r" % body.decode("ascii")
    for k, v in dump.items():
        if k == "dump.header.x-interop-id":
            v = "ID"
        # A port number may occur inside a hash by chance.
        out[k] = v if k.endswith(".sha256") else norm(v)
    return out


# ----------------------------------------------------------- expected ---

def load_expected(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for no, ln in enumerate(f, 1):
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            parts = ln.split(None, 3)
            if len(parts) < 4 or parts[2] not in ("a", "b", "c"):
                sys.exit("%s:%d: want KEYGLOB FIELDGLOB a|b|c [PENDING:topic] "
                         "reason" % (path, no))
            reason = parts[3]
            pending = None
            if reason.startswith("PENDING:"):
                pending, _, reason = reason.partition(" ")
            rules.append({"key": parts[0], "field": parts[1],
                          "cat": parts[2], "pending": pending,
                          "reason": reason, "line": no, "hits": 0})
    return rules


def glob(name, pats):
    return any(fnmatch.fnmatchcase(name, p) for p in pats.split("|"))


def match(rules, key, field):
    for r in rules:
        if glob(key, r["key"]) and glob(field, r["field"]):
            r["hits"] += 1
            return r
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tomcat", required=True)
    ap.add_argument("--front", action="append", required=True,
                    help="NAME:P:S1:S2 (the first is the reference)")
    ap.add_argument("--certs", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--counts")
    ap.add_argument("--report")
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--show", action="store_true",
                    help="print every compared value of every case")
    a = ap.parse_args()
    fronts = []
    for spec in a.front:
        n, p, s1, s2 = spec.split(":")
        fronts.append({"name": n, "P": int(p), "S1": int(s1), "S2": int(s2)})
    rules = load_expected(a.expected)
    cases = build_cases()
    if a.only:
        cases = [c for c in cases if re.search(a.only, c.name)]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    tmp = tempfile.mkdtemp(prefix="interop-curl.")
    passed = failed = 0
    report = []
    def run_case(i):
        case = cases[i]
        seen = []
        for fr in fronts:
            xid = "%s-%d" % (fr["name"], i)
            try:
                if case.via == "h2c":
                    res = h2c_request(case, fr, tmp, xid)
                else:
                    res = raw_request(case, fr, a.certs, xid)
            except OSError as e:
                res = {"status": "client error: %s" % e}
            seen.append(summarise(fr, res, fetch_dump(a.tomcat, xid)))
        return seen

    # Cases are independent (each has its own connection and dump id), so
    # a few run at once; the comparison below goes in case order.
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = list(pool.map(run_case, range(len(cases))))
    for case, seen in zip(cases, results):
        ref, other = seen[0], seen[1]
        if a.show:
            print("# %s  (%s)" % (case.name, case.describe()[:160]))
            for field in sorted(set(ref) | set(other)):
                x, y = ref.get(field, "(absent)"), other.get(field, "(absent)")
                print("#   %s %s: %.160s%s" % ("==" if x == y else "!=", field,
                      x, "" if x == y else "  |  %.160s" % y))
        bad = []
        for field in sorted(set(ref) | set(other)):
            x, y = ref.get(field, "(absent)"), other.get(field, "(absent)")
            if x == y:
                continue
            r = match(rules, case.name, field)
            tag = "unexpected" if r is None else "%s%s" % (
                r["cat"], " " + r["pending"] if r["pending"] else "")
            report.append("%s %s [%s]\n    %s: %.300s\n    %s: %.300s" % (
                case.name, field, tag, fronts[0]["name"], x,
                fronts[1]["name"], y))
            if r is None:
                bad.append("%s: %s=%.200s | %s=%.200s" % (
                    field, fronts[0]["name"], x, fronts[1]["name"], y))
        if bad:
            failed += 1
            print("not ok - %s  (%s)" % (case.name, case.describe()[:160]))
            for b in bad:
                print("#   unexpected difference " + b)
        else:
            passed += 1
    print("# %d cases sent to %s" % (len(cases), " and ".join(
        f["name"] for f in fronts)))
    for r in rules:
        label = "%s %s (line %d, %s)" % (r["key"], r["field"], r["line"],
                                         r["cat"])
        if r["pending"]:
            print("# %s %s: %s" % (r["pending"], label,
                  "occurs (%d)" % r["hits"] if r["hits"] else
                  "does not occur now"))
        elif not r["hits"] and not a.only:
            failed += 1
            print("not ok - expected difference %s no longer occurs: remove "
                  "it from %s" % (label, a.expected))
        elif r["hits"]:
            passed += 1
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("\n".join(report) + "\n")
        print("# every difference: %s" % a.report)
    print("interop: %d passed, %d failed" % (passed, failed))
    if a.counts:
        with open(a.counts, "w") as f:
            f.write("%d %d\n" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
